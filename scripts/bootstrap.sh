#!/usr/bin/env bash
# Creates (or refreshes) the project's virtual environment in .venv with pinned versions.
# Idempotent: does nothing when .venv already matches constraints.txt and pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
      PYTHON="$candidate"
      break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "error: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

# Headless Chromium renders the Dagster UI in tests/test_dagster_ui.py. Debian's package;
# installed only when missing, as root, with apt-get (fast no-op when present).
ensure_chromium() {
  if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then
    return 0
  fi
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "==> installing Chromium (apt-get install chromium) for the Dagster UI test"
    if DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
       DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
         chromium >/dev/null; then
      return 0
    fi
    echo "warning: apt-get could not install chromium; the UI test will be skipped" >&2
  else
    echo "note: Chromium is not installed and cannot be installed here (needs root and" \
         "apt-get); the Dagster UI test will be skipped. Install it with:" \
         "sudo apt-get install chromium" >&2
  fi
}
ensure_chromium

stamp_value="$(cat constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
stamp_file=".venv/.yibao-install-stamp"
if [ -x .venv/bin/python ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_value" ]; then
  exit 0
fi

echo "==> creating .venv with $PYTHON and installing pinned dependencies (constraints.txt)"
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  -c constraints.txt -e ".[dev]"
echo "$stamp_value" > "$stamp_file"
echo "==> environment ready: .venv"
