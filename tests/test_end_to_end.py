"""End to end: generated sample extracts (with defects) → `yibao refresh` → the warehouse.

One refresh on a small sample is shared by the module; it runs the real Dagster job and the
whole `dbt build` (models, data tests, unit tests), so a failing dbt test fails here.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

def sql(sample: dict, query: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(sample["warehouse"]), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def test_refresh_succeeds_and_reports_progress_and_summary(sample):
    out = sample["first"].stdout
    assert sample["first"].returncode == 0, out + sample["first"].stderr
    for batch in sorted({d["batch"] for d in sample["manifest"]["defects"]}):
        assert f"batch {batch}" in out
    assert "settlement.csv" in out and "quarantined" in out
    assert "dbt build:" in out and "Warehouse ready" in out


def test_every_file_reconciles_read_loaded_quarantined(sample):
    bad = sql(sample, "select file_name from raw.load_file "
              "where rows_read <> rows_loaded + rows_quarantined")
    assert bad == []
    (files,) = sql(sample, "select count(*) from raw.load_file")[0:1]
    assert files[0] >= 10


def test_every_injected_defect_is_quarantined_and_nothing_else(sample):
    defects = sample["manifest"]["defects"]
    assert len(defects) > 0
    quarantined = {
        (r[0], Path(r[1]).name.split(".")[0], r[2])
        for r in sql(sample, "select batch_id, file_name, row_number from raw.load_quarantine")
    }
    injected = {(d["batch"], d["file"].split(".")[0], int(d["row"])) for d in defects}
    assert injected == quarantined


def test_all_batches_loaded_and_second_refresh_loads_nothing(sample):
    statuses = sql(sample, "select batch_id, status from raw.load_batch order by 1")
    assert statuses and all(s == "loaded" for _, s in statuses)
    assert sample["second"].returncode == 0, sample["second"].stdout
    assert "nothing new to load" in sample["second"].stdout
    runs = sql(sample, "select count(distinct run_id) from raw.load_history")
    assert runs == [(1,)]


def test_staging_has_one_row_per_key_and_the_latest_correction_wins(sample):
    raw_versions = sql(sample, """
        select psn_no, insutype, begndate, max(_batch_id)
        from raw.enrollment group by 1, 2, 3 having count(*) > 1""")
    assert raw_versions, "the sample should re-deliver at least one enrollment row"
    for psn_no, insutype, begndate, latest_batch in raw_versions:
        (row,) = sql(sample, "select _batch_id from staging.stg_enrollment__enrollment "
                     "where psn_no = ? and insutype = ? and begndate = ?",
                     [psn_no, insutype, begndate])
        assert row == (latest_batch,)
    (raw_keys,) = sql(sample, "select count(distinct setl_id) from raw.settlement")
    (staged,) = sql(sample, "select count(*) from staging.stg_settlement__settlement")
    assert raw_keys == staged


def test_no_personal_information_beyond_staging(sample):
    """Every text column of core and marts is free of the sample's ID numbers and names."""
    columns = sql(sample, """
        select table_schema, table_name, column_name, data_type
        from information_schema.columns
        where table_schema in ('core', 'marts')""")
    names = {c[2] for c in columns}
    assert not names & {"certno", "psn_name", "psn_no"}
    text_columns = [c for c in columns if c[3] == "VARCHAR"]
    pii = ("select certno as v from staging.stg_enrollment__enrollment union "
           "select psn_name from staging.stg_enrollment__enrollment")
    for schema, table, column, _ in text_columns:
        hits = sql(sample, f'select count(*) from "{schema}"."{table}" '
                   f'where "{column}" in ({pii})')
        assert hits == [(0,)], f"{schema}.{table}.{column} holds personal information"
