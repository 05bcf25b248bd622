"""The core layer: documented, portable, pseudonymous, and parameterised by seeds.

Static checks read the SQL and YAML of models/intermediate, models/core and models/restricted.
The warehouse checks run when ``YIBAO_TEST_WAREHOUSE`` names a DuckDB file built by
``dbt build`` (e.g. after ``yibao refresh`` on the sample extracts); otherwise they skip.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import duckdb
import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["intermediate", "core", "restricted"]
MODEL_DIRS = [PROJECT_ROOT / "models" / layer for layer in LAYERS]
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")
PII_COLUMNS = {"certno", "psn_name"}


def _sql_files() -> list[Path]:
    return sorted(p for d in MODEL_DIRS for p in d.rglob("*.sql"))


def _yaml_models() -> dict[str, dict]:
    models: dict[str, dict] = {}
    for directory in MODEL_DIRS:
        for path in directory.rglob("*.yml"):
            for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
                models[model["name"]] = model
    return models


def _unit_tests() -> list[dict]:
    tests: list[dict] = []
    for directory in MODEL_DIRS:
        for path in directory.rglob("*.yml"):
            tests += (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", [])
    return tests


def _strip_comments(sql: str) -> str:
    return re.sub(r"\{#.*?#\}|--[^\n]*", "", sql, flags=re.S)


def test_every_model_is_documented_in_english_and_chinese() -> None:
    models = _yaml_models()
    for path in _sql_files():
        assert path.stem in models, f"{path} has no YAML entry"
        model = models[path.stem]
        assert CJK.search(model["description"]) and LATIN.search(model["description"]), path.stem
        assert "Grain" in model["description"], f"{path.stem}: say the grain"
        for column in model.get("columns", []):
            text = column.get("description", "")
            assert CJK.search(text) and LATIN.search(text), f"{path.stem}.{column['name']}"


@pytest.mark.parametrize("path", _sql_files(), ids=lambda p: p.stem)
def test_sql_is_portable(path: Path) -> None:
    sql = _strip_comments(path.read_text(encoding="utf-8")).lower()
    assert "::" not in sql, f"{path.name}: use cast() instead of ::"
    for word in ("qualify", "exclude", "strftime"):
        assert not re.search(rf"\b{word}\b", sql), f"{path.name}: {word} is DuckDB-only"


@pytest.mark.parametrize("path", _sql_files(), ids=lambda p: p.stem)
def test_no_model_selects_personal_information(path: Path) -> None:
    sql = _strip_comments(path.read_text(encoding="utf-8")).lower()
    for column in PII_COLUMNS:
        assert column not in sql, f"{path.name} mentions {column}"


def test_psn_no_only_enters_the_person_key_macro() -> None:
    """Outside restricted, psn_no is read only to be pseudonymised."""
    for path in _sql_files():
        if path.parent.name == "restricted":
            continue
        sql = _strip_comments(path.read_text(encoding="utf-8"))
        for line in sql.splitlines():
            if "psn_no" in line:
                allowed = ("person_key(" in line or "group by" in line or "psn_no," in line
                           or "psn_no =" in line or "psn_no\n" in line or line.strip() == "psn_no,")
                assert allowed, f"{path.name}: {line.strip()}"
    for name, model in _yaml_models().items():
        if name == "person_key_map":
            continue
        assert "psn_no" not in {c["name"] for c in model.get("columns", [])}, name


def test_policy_numbers_come_from_seeds() -> None:
    coverage = (PROJECT_ROOT / "models/intermediate/coverage/int_resident_coverage.sql")
    sql = _strip_comments(coverage.read_text(encoding="utf-8"))
    assert "60" not in re.sub(r"'[^']*'", "", sql), "waiting days belong in the seed"
    rows = list(csv.DictReader((PROJECT_ROOT / "seeds/policy/param_resident_coverage.csv").open()))
    default = [row for row in rows if row["admdvs"] == "default"]
    assert default and default[0]["waiting_days"] == "60"
    bands = list(csv.DictReader((PROJECT_ROOT / "seeds/policy/param_age_band.csv").open()))
    assert [b["age_band"] for b in bands] == ["0-6", "7-17", "18-44", "45-59", "60-74", "75+"]


def test_every_coverage_rule_has_a_unit_test() -> None:
    rules = {
        "paid_before_benefit_year", "paid_in_first_quarter", "paid_in_second_quarter_waits",
        "paid_from_july_waits_without_subsidy", "green_channel_newborn",
        "green_channel_special_population", "green_channel_job_loss",
    }
    tested = {row.get("rule") for test in _unit_tests()
              if test["model"] == "int_resident_coverage" for row in test["expect"]["rows"]}
    assert rules <= tested, rules - tested
    names = {test["name"] for test in _unit_tests()}
    assert "resident_paying_in_april_waits_60_days" in names


# ----------------------------------------------------------------------- built warehouse
needs_warehouse = pytest.mark.slow


@pytest.fixture(scope="module")
def warehouse(request) -> duckdb.DuckDBPyConnection:
    """YIBAO_TEST_WAREHOUSE if set (a warehouse you built), else the shared sample's."""
    path = os.environ.get("YIBAO_TEST_WAREHOUSE")
    if not path:
        sample = request.getfixturevalue("sample")
        assert sample["first"].returncode == 0, sample["first"].stdout[-3000:]
        path = str(sample["warehouse"])
    conn = duckdb.connect(path, read_only=True)
    yield conn
    conn.close()


@needs_warehouse
def test_documented_columns_match_the_built_tables(warehouse: duckdb.DuckDBPyConnection) -> None:
    models = _yaml_models()
    rows = warehouse.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'core' order by table_name, ordinal_position"
    ).fetchall()
    built: dict[str, list[str]] = {}
    for table, column in rows:
        built.setdefault(table, []).append(column)
    for table, columns in built.items():
        if table not in models:
            continue
        documented = [c["name"] for c in models[table].get("columns", [])]
        assert set(columns) == set(documented), (table, set(columns) ^ set(documented))
        assert not PII_COLUMNS & set(columns) and "psn_no" not in columns, table


@needs_warehouse
def test_net_settlement_money_matches_staging(warehouse: duckdb.DuckDBPyConnection) -> None:
    netted = warehouse.execute("select sum(hifp_pay) from core.fct_settlement").fetchone()[0]
    staged = warehouse.execute(
        "select sum(hifp_pay) from staging.stg_settlement__settlement"
    ).fetchone()[0]
    assert abs(float(netted) - float(staged)) < 0.01
    visits = warehouse.execute(
        "select count(*) from core.fct_visit where is_admission and medfee_sumamt <= 0"
    ).fetchone()[0]
    assert visits == 0
