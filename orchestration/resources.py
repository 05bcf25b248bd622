"""Dagster resources: where the extracts and the warehouse are, and the dbt CLI."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from orchestration.project import dbt_executable, dbt_project
from yibao import settings


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file and the extracts root it is loaded from."""

    warehouse_path: str
    extracts_dir: str

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_path)

    @property
    def extracts(self) -> Path:
        return Path(self.extracts_dir)


def default_resources() -> dict[str, object]:
    """Resources configured from the environment (YIBAO_WAREHOUSE, YIBAO_EXTRACTS_DIR)."""
    return {
        "warehouse": WarehouseResource(
            warehouse_path=str(settings.warehouse_path()),
            extracts_dir=str(settings.extracts_dir()),
        ),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
