"""Dagster resources: where the extracts, the warehouse and the exports are, and the dbt CLI."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from orchestration.project import dbt_executable, dbt_project
from yibao import settings

ENV_EXPORTS = "YIBAO_EXPORTS_DIR"
DEFAULT_EXPORTS_DIR = settings.PROJECT_ROOT / "exports"


def exports_dir(value: str | os.PathLike | None = None) -> Path:
    """The exports root: argument, else $YIBAO_EXPORTS_DIR, else <repo>/exports."""
    raw = value or os.environ.get(ENV_EXPORTS) or DEFAULT_EXPORTS_DIR
    return Path(raw).expanduser().resolve()


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file, the extracts root it is loaded from, the exports root."""

    warehouse_path: str
    extracts_dir: str
    exports_dir: str = str(DEFAULT_EXPORTS_DIR)

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_path)

    @property
    def extracts(self) -> Path:
        return Path(self.extracts_dir)

    @property
    def exports(self) -> Path:
        return Path(self.exports_dir)


def default_resources() -> dict[str, object]:
    """Resources configured from the environment (YIBAO_WAREHOUSE, YIBAO_EXTRACTS_DIR,
    YIBAO_EXPORTS_DIR)."""
    return {
        "warehouse": WarehouseResource(
            warehouse_path=str(settings.warehouse_path()),
            extracts_dir=str(settings.extracts_dir()),
            exports_dir=str(exports_dir()),
        ),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
