"""Where things are: paths from arguments, then environment variables, then defaults."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EXTRACTS_DIR = PROJECT_ROOT / "sample_data" / "extracts"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "yibao.duckdb"
DEFAULT_DAGSTER_HOME = PROJECT_ROOT / ".dagster"

# Schemas of the warehouse. DuckDB names the catalog after the file, so a file called like a
# schema (core.duckdb) makes `core.x` ambiguous: such names are refused.
SCHEMAS = ("raw", "staging", "core", "marts", "restricted")

ENV_EXTRACTS = "YIBAO_EXTRACTS_DIR"
ENV_WAREHOUSE = "YIBAO_WAREHOUSE"


def extracts_dir(value: str | os.PathLike | None = None) -> Path:
    """The extracts root: argument, else $YIBAO_EXTRACTS_DIR, else the bundled sample folder."""
    raw = value or os.environ.get(ENV_EXTRACTS) or DEFAULT_EXTRACTS_DIR
    return Path(raw).expanduser().resolve()


def warehouse_path(value: str | os.PathLike | None = None) -> Path:
    """The DuckDB warehouse file: argument, else $YIBAO_WAREHOUSE, else warehouse/yibao.duckdb."""
    raw = value or os.environ.get(ENV_WAREHOUSE) or DEFAULT_WAREHOUSE
    path = Path(raw).expanduser().resolve()
    if path.stem.lower() in SCHEMAS:
        raise ValueError(
            f"the warehouse file may not be called {path.name}: DuckDB names the database after "
            f"the file and {path.stem} is also a schema — choose another name, e.g. yibao.duckdb"
        )
    return path
