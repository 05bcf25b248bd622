"""Shared fixtures: one generated sample refreshed end to end, reused by every test that
needs a built warehouse (it runs the real Dagster job and the whole `dbt build` once)."""

from __future__ import annotations

import json

import pytest

from tests.test_cli import yibao

SAMPLE_PERSONS = "600"
SAMPLE_YEARS = ("2022", "2024")
DEFECT_SHARE = "0.02"


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> dict:
    """Generated extracts with defects, refreshed twice into a fresh warehouse."""
    root = tmp_path_factory.mktemp("e2e")
    extracts, warehouse = root / "extracts", root / "yibao.duckdb"
    env = {"DAGSTER_HOME": str(root / "dagster"), "YIBAO_PII_KEY": "e2e-test-key",
           "YIBAO_EXPORTS_DIR": str(root / "exports"), "YIBAO_RETRY_DELAY_S": "1"}
    generated = yibao("generate", "--out", str(extracts), "--persons", SAMPLE_PERSONS,
                      "--start-year", SAMPLE_YEARS[0], "--end-year", SAMPLE_YEARS[1],
                      "--defects", DEFECT_SHARE, env=env)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    first = yibao("refresh", "--extracts", str(extracts), "--warehouse", str(warehouse), env=env)
    second = yibao("refresh", "--extracts", str(extracts), "--warehouse", str(warehouse),
                   env=env)
    manifest = json.loads((extracts / "generation-manifest.json").read_text(encoding="utf-8"))
    return {"extracts": extracts, "warehouse": warehouse, "first": first, "second": second,
            "manifest": manifest, "env": env}
