#!/usr/bin/env bash
# Starts the Dagster UI (and its daemon: the nightly schedule and the new-batch sensor) on
# http://127.0.0.1:${PORT:-3000}. The instance lives in .dagster/ inside the clone (SQLite,
# embedded) unless DAGSTER_HOME points elsewhere (e.g. a folder whose dagster.yaml uses
# PostgreSQL, see docs/operations.md). Binds to loopback only: put a reverse proxy with
# authentication in front of it before exposing it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

export PATH="$PWD/.venv/bin:$PATH"  # dbt, dagster of the venv
export DAGSTER_HOME="${DAGSTER_HOME:-$PWD/.dagster}"
mkdir -p "$DAGSTER_HOME"
[ -f "$DAGSTER_HOME/dagster.yaml" ] || touch "$DAGSTER_HOME/dagster.yaml"

echo "==> parsing the dbt project (target/manifest.json)"
.venv/bin/python -c 'from orchestration.project import parse_dbt_project; parse_dbt_project()'

echo "==> Dagster UI on http://127.0.0.1:${PORT:-3000} (DAGSTER_HOME=$DAGSTER_HOME)"
exec .venv/bin/dagster dev -h 127.0.0.1 -p "${PORT:-3000}"
