"""The Dagster definitions load, and ingestion and dbt form one asset graph."""

from __future__ import annotations

import pytest
from dagster import AssetKey

from yibao.contract import FILES


@pytest.fixture(scope="module")
def defs():
    from orchestration.project import parse_dbt_project

    parse_dbt_project()
    from orchestration.definitions import defs as definitions

    return definitions


def test_nightly_refresh_job_is_defined(defs):
    job = defs.resolve_job_def("nightly_refresh")
    assert job.name == "nightly_refresh"


def test_every_contract_file_is_an_ingestion_asset_grouped_by_family(defs):
    graph = defs.resolve_asset_graph()
    for spec in FILES:
        key = AssetKey(["raw", spec.name])
        assert graph.has(key), key
        assert graph.get(key).group_name == f"raw_{spec.family}"


def test_staging_models_depend_on_the_ingestion_assets(defs):
    graph = defs.resolve_asset_graph()
    staging = AssetKey(["staging", "stg_settlement__settlement"])
    assert graph.has(staging)
    assert AssetKey(["raw", "settlement"]) in graph.get(staging).parent_keys
    assert graph.get(staging).group_name == "staging_settlement"
