#!/usr/bin/env bash
# One command runs every check: ruff, sqlfluff, then pytest (unit tests, ingestion rules, the
# CLI, and an end-to-end refresh that runs `dbt build` — models, data tests, unit tests — on
# generated sample data). CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

echo "==> ruff"
.venv/bin/ruff check .
echo "==> sqlfluff lint models"
# The dbt templater compiles against the profile; point it at a throwaway file.
lint_dir="$(mktemp -d)"
trap 'rm -rf "$lint_dir"' EXIT
YIBAO_WAREHOUSE="$lint_dir/lint.duckdb" .venv/bin/sqlfluff lint models tests/dbt --processes 2
echo "==> pytest"
.venv/bin/pytest "$@"
