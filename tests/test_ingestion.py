"""Ingestion rules: encodings and formats, whole-file rejection, quarantine, idempotence."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests import extract_builders as b
from yibao.ingest import loader
from yibao.ingest.loader import ingest
from yibao.lock import WarehouseBusy, warehouse_lock


@pytest.fixture()
def roots(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "extracts", tmp_path / "wh" / "test.duckdb"


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def file_counts(warehouse: Path, batch: str) -> dict[str, tuple[int, int, int]]:
    rows = query(warehouse, "select file_spec, rows_read, rows_loaded, rows_quarantined "
                 "from raw.load_file where batch_id = ?", [batch])
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


# ------------------------------------------------------------------ encodings and formats
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_bom_or_gb18030_loads_the_same_chinese_text(roots, encoding):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "institution.csv",
                [b.institution(), b.institution("H23012300002", fixmedins_name="宾县中医医院")],
                encoding=encoding)
    result = ingest(extracts, warehouse)
    assert [x.action for x in result.batches] == ["loaded"]
    names = query(warehouse, "select fixmedins_name from raw.institution order by 1")
    assert names == [("依兰县人民医院",), ("宾县中医医院",)]
    assert query(warehouse, "select encoding from raw.load_file") == [(encoding,)]


def test_gb18030_file_is_really_not_utf8(roots):
    extracts, _ = roots
    path = b.write_csv(extracts / "x" / "institution.csv", [b.institution()], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")


def test_csv_gz_and_parquet_load(roots):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "institution.csv.gz", [b.institution()], gz=True)
    table = pa.table({
        "SETL_ID ": ["S001"],  # header names match case-insensitively after trimming
        **{k: [v or None] for k, v in b.settlement().items() if k != "setl_id"},
    })
    pq.write_table(table, extracts / "2024-01-01" / "settlement.parquet")
    ingest(extracts, warehouse)
    assert query(warehouse, "select file_spec, file_format, rows_loaded from raw.load_file "
                 "order by 1") == [("institution", "csv.gz", 1), ("settlement", "parquet", 1)]
    assert query(warehouse, "select setl_id, hifp_pay, _row_number from raw.settlement") == [
        ("S001", pytest.approx(500), 1)]


def test_header_is_case_insensitive_extra_columns_ignored_optional_columns_may_be_absent(roots):
    extracts, warehouse = roots
    header = [" FIXMEDINS_CODE", "fixmedins_name ", "Medins_Cat", "hosp_lv", "admdvs",
              "begndate", "not_in_contract"]
    b.write_csv(extracts / "2024-01-01" / "institution.csv", [b.institution()], header=header)
    ingest(extracts, warehouse)
    assert query(warehouse, "select fixmedins_code, enddate from raw.institution") == [
        ("H23012300001", None)]


# ---------------------------------------------------------------- whole-file rejection
def test_missing_required_column_rejects_the_whole_batch_and_names_file_and_column(roots):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "institution.csv", [b.institution()])
    b.write_csv(extracts / "2024-01-02" / "enrollment.csv", [b.enrollment()])
    header = [c for c in b.settlement() if c != "hifp_pay"]
    b.write_csv(extracts / "2024-01-02" / "settlement.csv", [b.settlement()], header=header)
    b.write_csv(extracts / "2024-01-03" / "institution.csv", [b.institution("H23012300003")])
    result = ingest(extracts, warehouse)
    assert [(x.batch_id, x.action) for x in result.batches] == [
        ("2024-01-01", "loaded"), ("2024-01-02", "rejected"), ("2024-01-03", "loaded")]
    error = result.rejected[0].error
    assert "2024-01-02/settlement.csv" in error and "hifp_pay" in error
    # Nothing of the rejected batch is applied, not even its valid enrollment file.
    assert query(warehouse, "select count(*) from raw.enrollment") == [(0,)]
    assert query(warehouse, "select count(*) from raw.settlement") == [(0,)]
    assert query(warehouse, "select status from raw.load_batch where batch_id = '2024-01-02'") \
        == [("rejected",)]
    assert query(warehouse, "select count(*) from raw.load_file where batch_id = '2024-01-02'") \
        == [(0,)]


def test_rejected_batch_loads_once_it_is_fixed(roots):
    extracts, warehouse = roots
    path = extracts / "2024-01-02" / "settlement.csv"
    b.write_csv(path, [b.settlement()], header=[c for c in b.settlement() if c != "psn_no"])
    assert ingest(extracts, warehouse).rejected
    b.write_csv(path, [b.settlement()])
    result = ingest(extracts, warehouse)
    assert [x.action for x in result.batches] == ["loaded"]
    assert query(warehouse, "select count(*) from raw.settlement") == [(1,)]


def test_file_in_neither_utf8_nor_gb18030_is_rejected(roots):
    extracts, warehouse = roots
    path = extracts / "2024-01-01" / "institution.csv"
    b.write_csv(path, [b.institution()])
    path.write_bytes(path.read_bytes() + b"H23012300009,\x80\xff\xfe,general_hospital\n")
    result = ingest(extracts, warehouse)
    assert "neither UTF-8 nor GB18030" in result.rejected[0].error


def test_empty_file_is_rejected_but_header_only_file_loads_nothing(roots):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "institution.csv", [])
    (extracts / "2024-01-02").mkdir()
    (extracts / "2024-01-02" / "institution.csv").write_bytes(b"")
    result = ingest(extracts, warehouse)
    assert [x.action for x in result.batches] == ["loaded", "rejected"]
    assert "empty" in result.rejected[0].error
    assert file_counts(warehouse, "2024-01-01") == {"institution": (0, 0, 0)}


def test_same_file_in_two_formats_rejects_the_batch(roots):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "institution.csv", [b.institution()])
    b.write_csv(extracts / "2024-01-01" / "institution.csv.gz", [b.institution()], gz=True)
    result = ingest(extracts, warehouse)
    assert "twice" in result.rejected[0].error


def test_folders_and_files_outside_the_contract_are_skipped_with_a_note(roots):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "institution.csv", [b.institution()])
    (extracts / "2024-01-01" / "readme.txt").write_text("hello")
    (extracts / "incoming").mkdir()
    (extracts / "2024-02-30").mkdir()
    result = ingest(extracts, warehouse)
    assert [x.action for x in result.batches] == ["loaded"]
    assert any("incoming" in n for n in result.notes)
    assert any("2024-02-30" in n for n in result.notes)


# ------------------------------------------------------------------------- quarantine
def test_bad_rows_are_quarantined_with_reason_column_and_original_values(roots):
    extracts, warehouse = roots
    rows = [
        b.settlement("S001"),
        b.settlement("S002", hifp_pay="400.00"),  # fund_pay_sumamt no longer adds up
        b.settlement("S003", setl_time="2024-13-01 10:00:00"),
        b.settlement("S004", insutype="999"),
        b.settlement("S005", refd_setl_flag="1", medfee_sumamt="-1000.00"),
        b.settlement("S006", psn_no=""),
        b.settlement("S007", hifp_pay="500.001"),
    ]
    b.write_csv(extracts / "2024-01-01" / "settlement.csv", rows)
    ingest(extracts, warehouse)
    got = {r[0]: r[1:] for r in query(
        warehouse, "select row_number, columns, rule_codes, reason, original_values "
        "from raw.load_quarantine order by row_number")}
    assert sorted(got) == [2, 3, 4, 5, 6, 7]
    assert got[2][1] == "fund_pay_identity" and "fund_pay_sumamt" in got[2][2]
    assert got[3][:2] == ("setl_time", "type") and "2024-13-01 10:00:00" in got[3][2]
    assert got[4][:2] == ("insutype", "type")
    assert "init_setl_id" in got[5][0]
    assert "reversal_names_original" in got[5][1]
    assert got[6][:2] == ("psn_no", "required")
    assert got[7][0].startswith("hifp_pay")
    assert json.loads(got[2][3])["hifp_pay"] == "400.00"
    assert query(warehouse, "select setl_id from raw.settlement") == [("S001",)]
    assert file_counts(warehouse, "2024-01-01") == {"settlement": (7, 1, 6)}


def test_row_with_wrong_field_count_is_quarantined_with_its_raw_fields(roots):
    extracts, warehouse = roots
    path = b.write_csv(extracts / "2024-01-01" / "institution.csv", [b.institution()])
    with path.open("a", encoding="utf-8") as fh:
        fh.write('H23012300002,"宾县医院, 分院",general_hospital\n')
    ingest(extracts, warehouse)
    (row,) = query(warehouse, "select row_number, rule_codes, reason, original_values "
                   "from raw.load_quarantine")
    assert row[:3] == (2, "malformed_row", "row has 3 fields, the header has 7")
    assert json.loads(row[3])["fields"][1] == "宾县医院, 分院"
    assert file_counts(warehouse, "2024-01-01") == {"institution": (2, 1, 1)}


def test_duplicate_key_within_a_file_keeps_the_first_and_quarantines_the_rest(roots):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "institution.csv",
                [b.institution(), b.institution(fixmedins_name="copy"), b.institution()])
    ingest(extracts, warehouse)
    assert query(warehouse, "select fixmedins_name, _row_number from raw.institution") == [
        ("依兰县人民医院", 1)]
    reasons = query(warehouse, "select row_number, reason from raw.load_quarantine order by 1")
    assert [r[0] for r in reasons] == [2, 3]
    assert "first at row 1" in reasons[0][1]


def test_fee_line_needs_its_visit_in_this_or_an_earlier_batch(roots):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "his_visit.csv", [b.his_visit("V001")])
    b.write_csv(extracts / "2024-01-02" / "his_visit.csv", [b.his_visit("V002")])
    b.write_csv(extracts / "2024-01-02" / "his_fee_detail.csv",
                [b.fee_line("V001"), b.fee_line("V002"), b.fee_line("V404")])
    ingest(extracts, warehouse)
    assert query(warehouse, "select his_visit_no from raw.his_fee_detail order by 1") == [
        ("V001",), ("V002",)]
    assert query(warehouse, "select rule_codes from raw.load_quarantine") == [
        ("reference_his_visit",)]


def test_contract_row_rules_on_fee_lines_and_payments(roots):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "his_visit.csv", [b.his_visit()])
    b.write_csv(extracts / "2024-01-01" / "his_fee_detail.csv", [
        b.fee_line(sn="1"),
        b.fee_line(sn="2", det_item_fee_sumamt="25.02"),  # cnt × pric = 25.00
        b.fee_line(sn="3", cnt="-2", pric="-12.5"),
        b.fee_line(sn="4", cnt="-2", det_item_fee_sumamt="-25.00"),  # a returned item is fine
    ])
    ingest(extracts, warehouse)
    assert query(warehouse, "select row_number, rule_codes from raw.load_quarantine "
                 "order by 1") == [(2, "line_amount"), (3, "price_not_negative")]


def test_counts_reconcile_for_every_file(roots):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "institution.csv",
                [b.institution(), b.institution("X1"), b.institution("H23012300002")])
    b.write_csv(extracts / "2024-01-01" / "enrollment.csv",
                [b.enrollment(), b.enrollment("2", psn_type="11")])
    ingest(extracts, warehouse)
    for read, loaded, quarantined in file_counts(warehouse, "2024-01-01").values():
        assert read == loaded + quarantined
    assert query(warehouse, "select count(*) from raw.load_quarantine") == [(2,)]


# ---------------------------------------------------------------- idempotence, replace
def test_loading_the_same_content_twice_changes_nothing(roots):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "institution.csv", [b.institution()])
    first = ingest(extracts, warehouse)
    second = ingest(extracts, warehouse)
    assert [x.action for x in first.batches] == ["loaded"]
    assert [x.action for x in second.batches] == ["unchanged"]
    assert query(warehouse, "select count(*) from raw.institution") == [(1,)]
    # Same bytes with a new mtime (a copy) is still the same content.
    path = extracts / "2024-01-01" / "institution.csv"
    path.write_bytes(path.read_bytes())
    assert [x.action for x in ingest(extracts, warehouse).batches] == ["unchanged"]


def test_redelivered_batch_replaces_what_it_loaded_before(roots):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "institution.csv",
                [b.institution(), b.institution("H23012300002")])
    b.write_csv(extracts / "2024-01-01" / "enrollment.csv", [b.enrollment()])
    ingest(extracts, warehouse)
    # The new delivery drops one institution, renames the other and has no enrollment file.
    (extracts / "2024-01-01" / "enrollment.csv").unlink()
    b.write_csv(extracts / "2024-01-01" / "institution.csv",
                [b.institution(fixmedins_name="新名称")])
    result = ingest(extracts, warehouse)
    assert [x.action for x in result.batches] == ["replaced"]
    assert query(warehouse, "select fixmedins_code, fixmedins_name from raw.institution") == [
        ("H23012300001", "新名称")]
    assert query(warehouse, "select count(*) from raw.enrollment") == [(0,)]
    assert query(warehouse, "select action from raw.load_history order by finished_at") == [
        ("loaded",), ("replaced",)]


def test_a_failure_in_the_middle_of_a_batch_rolls_it_back_whole(roots, monkeypatch):
    extracts, warehouse = roots
    b.write_csv(extracts / "2024-01-01" / "institution.csv", [b.institution()])
    b.write_csv(extracts / "2024-01-01" / "settlement.csv", [b.settlement()])
    real = loader._validate_and_insert

    def crash_on_settlement(con, batch, f, run_id, loaded_at):
        if f.spec.name == "settlement":
            raise RuntimeError("simulated crash")
        return real(con, batch, f, run_id, loaded_at)

    monkeypatch.setattr(loader, "_validate_and_insert", crash_on_settlement)
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest(extracts, warehouse)
    assert query(warehouse, "select count(*) from raw.institution") == [(0,)]
    assert query(warehouse, "select count(*) from raw.load_batch") == [(0,)]
    monkeypatch.undo()
    assert [x.action for x in ingest(extracts, warehouse).batches] == ["loaded"]
    assert query(warehouse, "select count(*) from raw.institution") == [(1,)]


# ------------------------------------------------------------------------ one writer
def test_second_writer_waits_for_the_lock_and_gives_up_with_a_clear_message(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with warehouse_lock(warehouse):
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(5)
    started = time.monotonic()
    with (pytest.raises(WarehouseBusy, match="another refresh"),
          warehouse_lock(warehouse, timeout_s=0.5, poll_s=0.1)):
        pass
    assert time.monotonic() - started >= 0.5
    release.set()
    thread.join()
    with warehouse_lock(warehouse, timeout_s=0.5):
        pass
