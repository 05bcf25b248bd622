"""The dbt project agrees with the extract contract, and its staging SQL stays portable.

The contract lives in three places that must not drift apart: ``yibao/contract.py`` (what
ingestion validates), ``yibao/ingest/schema.py`` (the raw tables it creates) and the dbt
source ``raw`` in ``models/staging/_sources.yml`` (what the models read). These tests read the
YAML with pyyaml and compare, so a column added to the contract fails here until the source
and the staging model document it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import duckdb
import pytest
import yaml

from yibao.contract import FAMILIES, FILES, FileSpec
from yibao.ingest.schema import LINEAGE_COLUMNS, create_raw_schema

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STAGING_DIR = PROJECT_ROOT / "models" / "staging"
SOURCES_YML = STAGING_DIR / "_sources.yml"
DBT = Path(sys.executable).parent / "dbt"

LINEAGE = [name for name, _ in LINEAGE_COLUMNS]
# Staging keeps these lineage columns (the run id stays in raw).
STAGING_LINEAGE = ["_batch_id", "_file_name", "_row_number", "_loaded_at"]
BOOKKEEPING_TABLES = {"load_batch", "load_file", "load_quarantine", "load_history"}

FILE_IDS = [spec.name for spec in FILES]


def staging_model_name(spec: FileSpec) -> str:
    """stg_<family>__<entity>, the entity being the file name without its family prefix."""
    entity = spec.name.removeprefix(f"{spec.family}_")
    return f"stg_{spec.family}__{entity}"


def path_name(spec: FileSpec) -> str:
    return str(staging_sql_path(spec).relative_to(PROJECT_ROOT))


def staging_sql_path(spec: FileSpec) -> Path:
    return STAGING_DIR / spec.family / f"{staging_model_name(spec)}.sql"


@cache
def raw_source_tables() -> dict[str, dict]:
    """The tables of the dbt source `raw`, by name."""
    doc = yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))
    (raw,) = [s for s in doc["sources"] if s["name"] == "raw"]
    assert raw.get("schema", "raw") == "raw"
    return {t["name"]: t for t in raw["tables"]}


@cache
def staging_models() -> dict[str, dict]:
    """Every model documented in a YAML file under models/staging, by name."""
    models: dict[str, dict] = {}
    for path in sorted(STAGING_DIR.rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in doc.get("models") or []:
            assert model["name"] not in models, f"{model['name']} documented twice ({path})"
            models[model["name"]] = model
    return models


def column_names(node: dict) -> list[str]:
    return [c["name"] for c in node.get("columns") or []]


def test_raw_source_declares_every_contract_file_and_the_bookkeeping_tables():
    assert set(raw_source_tables()) == {spec.name for spec in FILES} | BOOKKEEPING_TABLES


@pytest.mark.parametrize("spec", FILES, ids=FILE_IDS)
def test_source_columns_are_the_contract_columns_then_the_lineage_columns(spec: FileSpec):
    table = raw_source_tables()[spec.name]
    assert column_names(table) == [*spec.column_names, *LINEAGE], (
        f"source raw.{spec.name} in {SOURCES_YML.name} does not list the columns of "
        "yibao/contract.py (in order) followed by the lineage columns"
    )


@pytest.mark.parametrize("spec", FILES, ids=FILE_IDS)
def test_source_tests_not_null_on_every_required_column(spec: FileSpec):
    columns = {c["name"]: c for c in raw_source_tables()[spec.name]["columns"]}
    missing = [
        name for name in [*spec.required_columns, *LINEAGE]
        if "not_null" not in (columns[name].get("data_tests") or [])
    ]
    assert not missing, f"raw.{spec.name}: no not_null test on {missing}"


def test_source_data_types_match_the_raw_ddl():
    con = duckdb.connect()
    create_raw_schema(con)
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' order by table_name, ordinal_position"
    ).fetchall()
    ddl: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        ddl.setdefault(table, []).append((column, data_type.lower().replace(" ", "")))
    declared = {
        name: [(c["name"], str(c.get("data_type", "")).lower().replace(" ", ""))
               for c in table["columns"]]
        for name, table in raw_source_tables().items()
    }
    assert declared == ddl


@pytest.mark.parametrize("spec", FILES, ids=FILE_IDS)
def test_every_source_column_is_described_in_english_and_chinese(spec: FileSpec):
    for column in raw_source_tables()[spec.name]["columns"]:
        text = column.get("description") or ""
        assert re.search(r"[A-Za-z]{3}", text), f"raw.{spec.name}.{column['name']}: no English"
        assert re.search(r"[\u4e00-\u9fff]", text), f"raw.{spec.name}.{column['name']}: no 中文"


@pytest.mark.parametrize("spec", FILES, ids=FILE_IDS)
def test_every_contract_file_has_a_staging_model(spec: FileSpec):
    path = staging_sql_path(spec)
    assert path.is_file(), f"missing staging model {path.relative_to(PROJECT_ROOT)}"
    sql = path.read_text(encoding="utf-8")
    assert re.search(rf"source\(\s*'raw'\s*,\s*'{spec.name}'\s*\)", sql)
    keys = ", ".join(f"'{k}'" for k in spec.key)
    assert f"latest_version('source', [{keys}])" in sql, (
        f"{path.name} must keep the latest version of the contract key {spec.key}"
    )


def test_staging_holds_one_model_per_contract_file_and_nothing_else():
    on_disk = {p.stem for p in STAGING_DIR.rglob("*.sql")}
    assert on_disk == {staging_model_name(spec) for spec in FILES}
    assert {p.parent.name for p in STAGING_DIR.rglob("*.sql")} <= set(FAMILIES)


@pytest.mark.parametrize("spec", FILES, ids=FILE_IDS)
def test_staging_yaml_documents_exactly_the_columns_the_model_selects(spec: FileSpec):
    model = staging_models().get(staging_model_name(spec))
    assert model is not None, f"{staging_model_name(spec)} is not documented"
    documented = column_names(model)
    missing = [c for c in [*spec.column_names, *STAGING_LINEAGE] if c not in documented]
    assert not missing, f"{model['name']}: contract columns not documented: {missing}"
    sql = staging_sql_path(spec).read_text(encoding="utf-8")
    select_list = sql[sql.index("renamed as"):]
    select_list = select_list[select_list.index("select"):select_list.index("from latest")]
    # the output name of each select-list line: `x,`, `cte.x,` or `... as x,`
    selected = re.findall(r"(?:\bas\s+|\w+\.|^\s*)(\w+),?\s*$", select_list, flags=re.M)
    assert len(selected) >= len(spec.column_names), f"could not read {path_name(spec)}"
    selected = [c for c in selected if c != "select"]
    undocumented = [c for c in selected if c not in documented]
    assert not undocumented, f"{model['name']}: selected but not documented: {undocumented}"
    not_selected = [c for c in documented if c not in selected]
    assert not not_selected, f"{model['name']}: documented but not selected: {not_selected}"
    for column in model["columns"]:
        text = column.get("description") or ""
        assert re.search(r"[A-Za-z]{3}", text) and re.search(r"[\u4e00-\u9fff]", text), (
            f"{model['name']}.{column['name']}: needs an English and a Chinese description"
        )


def test_personal_information_is_flagged_pii_in_source_and_staging():
    for spec in FILES:
        source_cols = {c["name"]: c for c in raw_source_tables()[spec.name]["columns"]}
        staging_cols = {c["name"]: c for c in staging_models()[staging_model_name(spec)]["columns"]}
        for column in spec.columns:
            for where, cols in (("source", source_cols), ("staging", staging_cols)):
                flagged = bool((cols[column.name].get("meta") or {}).get("pii"))
                assert flagged == column.pii, f"{where} {spec.name}.{column.name}: pii flag"


def _sql_without_comments(text: str) -> str:
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    return re.sub(r"--[^\n]*", "", text)


PORTABLE_SQL_FILES = sorted(
    [*STAGING_DIR.rglob("*.sql"), *(PROJECT_ROOT / "macros").rglob("*.sql"),
     *(PROJECT_ROOT / "tests" / "dbt").rglob("*.sql")]
)
DUCKDB_ONLY = {
    "a :: cast": re.compile(r"::"),
    "QUALIFY": re.compile(r"\bqualify\b", re.I),
    "SELECT * EXCLUDE (...)": re.compile(r"\bexclude\s*\(", re.I),
    "SELECT * REPLACE (...)": re.compile(r"\*\s*replace\s*\(", re.I),
    "strptime/strftime": re.compile(r"\bstr[pf]time\s*\(", re.I),
}


@pytest.mark.parametrize(
    "path", PORTABLE_SQL_FILES, ids=[str(p.relative_to(PROJECT_ROOT)) for p in PORTABLE_SQL_FILES]
)
def test_staging_sql_uses_no_duckdb_only_syntax(path: Path):
    sql = _sql_without_comments(path.read_text(encoding="utf-8"))
    found = [name for name, pattern in DUCKDB_ONLY.items() if pattern.search(sql)]
    assert not found, f"{path.relative_to(PROJECT_ROOT)} uses DuckDB-only syntax: {found}"


def _dbt(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "YIBAO_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_VERSION_CHECK": "false",
    }
    return subprocess.run(
        [str(DBT), *args, "--profiles-dir", ".", "--project-dir", "."],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )


def test_dbt_parse_succeeds_and_declares_the_staging_layer(tmp_path: Path):
    result = _dbt(tmp_path, "parse")
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert {staging_model_name(spec) for spec in FILES} <= models
    settlement = manifest["sources"]["source.yibao_warehouse.raw.settlement"]
    assert settlement["loaded_at_field"] == "_loaded_at"
    assert settlement["freshness"]["warn_after"] == {"count": 26, "period": "hour"}
    assert settlement["freshness"]["error_after"] == {"count": 72, "period": "hour"}
    unit_tested = {u["model"] for u in manifest["unit_tests"].values()}
    assert {"stg_his__drug_purchase", "stg_reference__institution",
            "stg_contribution__contribution"} <= unit_tested


@pytest.mark.slow
def test_dbt_build_of_staging_keeps_the_latest_batch_of_a_key(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    create_raw_schema(con)
    institution = ("insert into raw.institution values ('H23012500001', ?, 'general_hospital', "
                   "'05', '230125', date '2020-01-01', null, ?, ?, 1, timestamp '2024-03-01', 'r')")
    con.execute(institution, ["宾县人民医院", "2024-03-01", "2024-03-01/institution.csv"])
    con.execute(institution, ["宾县人民医院(更名)", "2024-03-02", "2024-03-02/institution.csv"])
    con.close()

    result = _dbt(tmp_path, "build", "--select", "path:models/staging", "path:seeds",
                  "path:tests/dbt/staging", "--indirect-selection", "cautious")
    assert result.returncode == 0, result.stdout + result.stderr

    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        "select fixmedins_name, level_group, is_primary_care, _batch_id "
        "from staging.stg_reference__institution"
    ).fetchall()
    assert rows == [("宾县人民医院(更名)", "二级", False, "2024-03-02")]
