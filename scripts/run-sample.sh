#!/usr/bin/env bash
# One command, fresh machine: install (pinned, in .venv), generate the bundled sample extracts
# if they are not there, run the nightly refresh through Dagster, print where the warehouse is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

EXTRACTS="${YIBAO_EXTRACTS_DIR:-sample_data/extracts}"
if [ ! -d "$EXTRACTS" ] || [ -z "$(ls -A "$EXTRACTS" 2>/dev/null)" ]; then
  .venv/bin/yibao generate --out "$EXTRACTS" "$@"
else
  echo "==> sample extracts already in $EXTRACTS (delete the folder to regenerate)"
fi
.venv/bin/yibao refresh --extracts "$EXTRACTS"
