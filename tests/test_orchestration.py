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


# --------------------------------------------------------------- schedule, sensor, policies
def test_nightly_schedule_runs_at_two_in_beijing_and_is_on_by_default(defs):
    from dagster import DefaultScheduleStatus

    schedule = defs.resolve_schedule_def("nightly_refresh_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.default_status == DefaultScheduleStatus.RUNNING
    assert schedule.job_name == "nightly_refresh"


def _batch(root, name: str, age_s: float = 3600):
    import os
    import time

    folder = root / name
    folder.mkdir(parents=True)
    (folder / "settlement.csv").write_text("setl_id\n1\n", encoding="utf-8")
    past = time.time() - age_s
    for path in (folder / "settlement.csv", folder):
        os.utime(path, (past, past))
    return folder


def _evaluate(defs, extracts, cursor, monkeypatch):
    from dagster import DagsterInstance, build_sensor_context

    monkeypatch.setenv("YIBAO_EXTRACTS_DIR", str(extracts))
    sensor = defs.resolve_sensor_def("new_batch_sensor")
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
        result = sensor.evaluate_tick(context)
    return result


def test_sensor_requests_one_run_for_new_batch_folders(defs, tmp_path, monkeypatch):
    import json

    from dagster import DefaultSensorStatus

    assert defs.resolve_sensor_def("new_batch_sensor").default_status == \
        DefaultSensorStatus.RUNNING
    _batch(tmp_path, "2024-03-01")
    _batch(tmp_path, "2024-03-02")
    (tmp_path / "not-a-batch").mkdir()
    result = _evaluate(defs, tmp_path, json.dumps(["2024-03-01"]), monkeypatch)
    assert [r.run_key for r in result.run_requests] == ["batches:2024-03-02"]
    assert json.loads(result.cursor) == ["2024-03-01", "2024-03-02"]


def test_sensor_requests_nothing_when_no_batch_is_new(defs, tmp_path, monkeypatch):
    import json

    _batch(tmp_path, "2024-03-01")
    result = _evaluate(defs, tmp_path, json.dumps(["2024-03-01"]), monkeypatch)
    assert result.run_requests == []
    assert "no new batch folder" in result.skip_message


def test_sensor_waits_until_a_batch_folder_stops_changing(defs, tmp_path, monkeypatch):
    _batch(tmp_path, "2024-03-03", age_s=0)  # still being copied
    result = _evaluate(defs, tmp_path, None, monkeypatch)
    assert result.run_requests == []


def test_dbt_tests_are_asset_checks_on_their_models(defs):
    checks = set(defs.resolve_asset_graph().asset_check_keys)
    mart = AssetKey(["marts", "mart_monitoring_indicator"])
    on_mart = {c.name for c in checks if c.asset_key == mart}
    assert any(name.startswith("not_null_mart_monitoring_indicator") for name in on_mart), on_mart
    assert len(checks) > 100


def test_marts_are_stale_after_26_hours_and_core_has_no_policy(defs):
    from datetime import timedelta

    graph = defs.resolve_asset_graph()
    marts = [k for k in graph.get_all_asset_keys()
             if k.path[0] == "marts" and k.path[-1].startswith("mart_")]
    assert len(marts) >= 8
    for key in marts:
        policy = graph.get(key).freshness_policy
        assert policy is not None, key
        assert policy.fail_window.to_timedelta() == timedelta(hours=26)
    assert graph.get(AssetKey(["core", "fct_visit"])).freshness_policy is None


def test_transient_steps_retry_and_dbt_build_does_not(defs):
    from orchestration.assets.dbt import dbt_models
    from orchestration.assets.exports import regulator_indicator_tables
    from orchestration.assets.ingestion import ingest_extract_batches
    from orchestration.assets.serving import bi_serving_copy

    for assets_def in (ingest_extract_batches, regulator_indicator_tables, bi_serving_copy):
        assert assets_def.op.retry_policy.max_retries == 3
    assert dbt_models.op.retry_policy is None


def test_delivery_runs_after_the_marts_and_serving_copy_comes_last(defs):
    graph = defs.resolve_asset_graph()
    export = graph.get(AssetKey(["exports", "regulator_indicator_tables"]))
    assert export.group_name == "exports"
    assert AssetKey(["marts", "mart_monitoring_indicator"]) in export.parent_keys
    serving = graph.get(AssetKey(["serving", "bi_serving_copy"]))
    assert serving.parent_keys == {AssetKey(["exports", "regulator_indicator_tables"]),
                                   AssetKey(["docs", "dbt_docs"])}
    job_keys = defs.resolve_job_def("nightly_refresh").asset_layer.selected_asset_keys
    assert {export.key, serving.key} <= set(job_keys)


# ------------------------------------------------------------------------- serving copy
@pytest.fixture
def small_warehouse(tmp_path, monkeypatch):
    import duckdb

    monkeypatch.setenv("YIBAO_PII_KEY", "serving-test-key")
    path = tmp_path / "yibao.duckdb"
    con = duckdb.connect(str(path))
    for schema in ("raw", "staging", "core", "marts", "restricted"):
        con.execute(f"create schema {schema}")
    con.execute("create table raw.enrollment as select '1' as psn_no, '张三' as psn_name")
    con.execute("create table staging.code_insutype as select '310' as code, 'employee' as name")
    con.execute("create view staging.stg_enrollment__enrollment as select 'P1' as psn_no, "
                "'110101199001011234' as certno, '张三' as psn_name")
    con.execute("create table core.fct_visit as select * from range(3) t(visit_id)")
    # a core view computing person keys with the dbt plugin's UDF must be materialised
    from yibao.dbt_plugin import register_person_key

    register_person_key(con)
    con.execute("create view core.int_person as select yibao_person_key(psn_no) as person_key "
                "from staging.stg_enrollment__enrollment")
    con.execute("create table marts.mart_x as select 2 as n")
    con.execute("create table restricted.person_key_map as select 'P1' as psn_no, 'k' as pk")
    con.close()
    return path


def test_serving_copy_holds_core_marts_and_seeds_but_no_personal_information(small_warehouse):
    import duckdb

    from yibao.serving import build_serving_copy

    result = build_serving_copy(small_warehouse)
    assert result.path == small_warehouse.with_name("yibao_serving.duckdb")
    assert result.tables == {"core.fct_visit": 3, "core.int_person": 1, "marts.mart_x": 1,
                             "staging.code_insutype": 1}
    con = duckdb.connect(str(result.path), read_only=True)
    columns = {r[0] for r in con.execute(
        "select column_name from information_schema.columns").fetchall()}
    schemas = {r[0] for r in con.execute(
        "select distinct table_schema from information_schema.tables").fetchall()}
    key = con.execute("select person_key from core.int_person").fetchone()[0]
    con.close()
    from yibao.pii import person_key

    assert key == person_key("P1")  # with YIBAO_PII_KEY of the fixture
    assert len(key) == 64
    assert not columns & {"certno", "psn_name", "psn_no"}
    assert schemas == {"core", "marts", "staging"}


def test_serving_copy_refuses_a_mart_with_personal_information(small_warehouse):
    import duckdb

    from yibao.serving import ServingCopyError, build_serving_copy

    first = build_serving_copy(small_warehouse)
    con = duckdb.connect(str(small_warehouse))
    con.execute("create table marts.mart_leak as select '张三' as psn_name")
    con.close()
    with pytest.raises(ServingCopyError, match="marts.mart_leak.psn_name"):
        build_serving_copy(small_warehouse)
    # yesterday's copy is intact and no temporary file is left behind
    con = duckdb.connect(str(first.path), read_only=True)
    assert con.execute("select n from marts.mart_x").fetchone() == (2,)
    con.close()
    assert sorted(p.name for p in small_warehouse.parent.iterdir()
                  if p.name.startswith(".")) == []


def test_reader_of_the_old_serving_copy_keeps_reading_after_a_refresh(small_warehouse):
    import duckdb

    from yibao.serving import build_serving_copy

    old = build_serving_copy(small_warehouse)
    reader = duckdb.connect(str(old.path), read_only=True)
    assert reader.execute("select n from marts.mart_x").fetchone() == (2,)
    con = duckdb.connect(str(small_warehouse))
    con.execute("create or replace table marts.mart_x as select 5 as n")
    con.close()
    new = build_serving_copy(small_warehouse)
    assert new.path == old.path
    # the open reader still sees the file it opened (same inode), a new reader the new one
    assert reader.execute("select n from marts.mart_x").fetchone() == (2,)
    reader.close()
    fresh = duckdb.connect(str(new.path), read_only=True)
    assert fresh.execute("select n from marts.mart_x").fetchone() == (5,)
    fresh.close()


# ------------------------------------------------------- after the sample's real refresh
def test_refresh_leaves_a_serving_copy_without_personal_information(sample):
    import duckdb

    assert sample["second"].returncode == 0, sample["second"].stdout[-3000:]
    warehouse = sample["warehouse"]
    serving = warehouse.with_name(f"{warehouse.stem}_serving.duckdb")
    assert serving.exists()
    source = duckdb.connect(str(warehouse), read_only=True)
    certnos = {r[0] for r in source.execute(
        "select distinct certno from raw.enrollment where certno is not null").fetchall()}
    names = {r[0] for r in source.execute(
        "select distinct psn_name from raw.enrollment where psn_name is not null").fetchall()}
    mart_rows = source.execute("select count(*) from marts.mart_monitoring_indicator").fetchone()
    source.close()
    assert certnos and names
    con = duckdb.connect(str(serving), read_only=True)
    try:
        assert con.execute("select count(*) from marts.mart_monitoring_indicator").fetchone() \
            == mart_rows
        text_columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'").fetchall()
        for schema, table, column in text_columns:
            values = {r[0] for r in con.execute(
                f'select distinct "{column}" from "{schema}"."{table}"').fetchall()}
            assert not values & certnos, f"{schema}.{table}.{column} holds ID numbers"
            assert not values & names, f"{schema}.{table}.{column} holds names"
    finally:
        con.close()
