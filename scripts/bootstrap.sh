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
