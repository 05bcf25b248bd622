"""Regulator exports: indicator tables as Excel/CSV, the HTML report, the manifest."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from tests.test_cli import yibao
from yibao.export import available_periods, export_period, parse_period
from yibao.export.tables import fund_operation, reimbursement_rollup

CHROMIUM = Path("/usr/bin/chromium")
PII_COLUMNS = ("psn_no", "certno", "psn_name")


# ---------------------------------------------------------------- tiny hand-made warehouse
def _tiny_warehouse(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema core; create schema marts")
    con.execute("create table core.dim_admdvs as select '230123' as admdvs, '依兰县' as "
                "admdvs_name")
    con.execute("""
        create table marts.mart_reimbursement_ratio as
        select * from (values
            (date '2024-01-01', '230123', 'x', '390', '城乡居民基本医疗保险', 'inpatient',
             1, 1, 120.00, 100.00, 90.00, 95.00, 25.00, 20.00),
            (date '2024-03-01', '230123', 'x', '390', '城乡居民基本医疗保险', 'inpatient',
             3, 3, 480.00, 400.00, 100.00, 105.00, 375.00, 300.00),
            -- April is outside 2024Q1 and must not count
            (date '2024-04-01', '230123', 'x', '390', '城乡居民基本医疗保险', 'inpatient',
             9, 9, 900.00, 900.00, 900.00, 900.00, 0.00, 0.00)
        ) as t(setl_month, insu_admdvs, insu_admdvs_name, insutype, insutype_name,
               care_type_group, settlement_count, visit_count, medfee_sumamt, inscp_scp_amt,
               hifp_pay, fund_pay_sumamt, psn_part_amt, psn_cash_pay)
    """)
    con.execute("""
        create table marts.mart_fund_operation_quarterly as
        select * from (values
            ('county', '230123', '390', 2024, 1, 6.5, false),
            ('county', '230123', '390', 2024, 2, 5.25, true),
            ('county', '230123', '390', 2024, 3, 4.0, false),
            ('county', '230123', '390', 2023, 4, 7.0, false)
        ) as t(level, admdvs, insutype, period_year, period_quarter, months_of_reserve,
               is_current_deficit)
    """)
    con.close()
    return path


def test_reimbursement_rollup_sums_then_divides_over_the_quarter(tmp_path):
    con = duckdb.connect(str(_tiny_warehouse(tmp_path / "tiny.duckdb")), read_only=True)
    frame = reimbursement_rollup(con, parse_period("2024Q1"))
    con.close()
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["县(市)"] == "依兰县" and row["就医类型"] == "住院"
    assert row["结算笔数"] == 4 and float(row["政策范围内费用(元)"]) == 500.00
    # (90 + 100) / (100 + 400) = 38 %, not the mean of 90 % and 25 % (57.5 %)
    assert row["政策范围内基金支付比例(%)"] == pytest.approx(38.00)
    # (95 + 105) / (120 + 480) = 33.33 %; (25 + 375) / 600 = 66.67 %; 320 / 600 = 53.33 %
    assert row["实际报销比例(%)"] == pytest.approx(33.33)
    assert row["个人负担比例(%)"] == pytest.approx(66.67)
    assert row["个人现金支付比例(%)"] == pytest.approx(53.33)


def test_fund_operation_is_year_to_date_with_chinese_headers(tmp_path):
    con = duckdb.connect(str(_tiny_warehouse(tmp_path / "tiny.duckdb")), read_only=True)
    frame = fund_operation(con, parse_period("2024Q2"), "mart_fund_operation_quarterly")
    missing = fund_operation(con, parse_period("2024Q2"), "mart_fund_operation")
    con.close()
    assert missing is None  # absent mart: no sheet, no error
    assert list(frame["季度"]) == [1, 2]
    assert list(frame["累计结余可支付月数"]) == [6.5, 5.25]
    assert list(frame["当期收不抵支"]) == ["否", "是"]


def test_period_parsing_names_the_expected_form():
    assert parse_period("2024q3").end.isoformat() == "2024-09-30"
    assert parse_period("2024").start.isoformat() == "2024-01-01"
    with pytest.raises(ValueError, match="2024Q3"):
        parse_period("24Q1")


# ---------------------------------------------------------------------- on the sample
@pytest.fixture(scope="module")
def exported(sample, tmp_path_factory) -> dict:
    """The sample warehouse exported twice (default period) and once for a quarter."""
    root = tmp_path_factory.mktemp("export")
    first = export_period(sample["warehouse"], root / "a",
                          generated_at=datetime(2025, 1, 1, tzinfo=UTC))
    second = export_period(sample["warehouse"], root / "b")
    return {"first": first, "second": second, "root": root, "sample": sample}


def test_default_period_is_the_latest_year(exported, sample):
    assert exported["first"].period == "2024"
    assert "2024Q4" in available_periods(sample["warehouse"])
    names = sorted(p.name for p in exported["first"].files)
    assert names == sorted([
        "yibao_indicators_2024.xlsx", "monitoring_indicator_2024.csv",
        "reimbursement_ratio_2024.csv", "alliance_budget_2024.csv",
        "procurement_alliance_2024.csv", "report_2024.html", "manifest.json",
    ] + [p.name for p in exported["first"].files if p.name.startswith("fund_operation")])


def test_workbook_has_cover_and_chinese_headers(exported):
    wb = load_workbook(exported["first"].folder / "yibao_indicators_2024.xlsx", read_only=True)
    assert wb.sheetnames[:5] == ["封面", "监测指标", "报销比例", "医共体预算", "集采"]
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(values_only=True) if r[0]}
    assert cover["统计期间 Period"] == "2024"
    assert re.match(r"\d{4}-\d{2}-\d{2} ", cover["数据截止时间 Data cut-off"])
    header = next(wb["监测指标"].iter_rows(values_only=True))
    for column in ("县(市)", "指标名称", "分子", "分母", "指标值", "单位", "目标值", "是否达标"):
        assert column in header
    rows = list(wb["监测指标"].iter_rows(values_only=True))[1:]
    counties = {r[header.index("县(市)")] for r in rows}
    assert "依兰县" in counties  # names, not only codes
    wb.close()


def test_monitoring_values_match_the_mart(exported, sample):
    path = exported["first"].folder / "monitoring_indicator_2024.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    con = duckdb.connect(str(sample["warehouse"]), read_only=True)
    expected = con.execute(
        "select count(*), sum(case when unit = '%' then indicator_value * 100 else "
        "indicator_value end) from marts.mart_monitoring_indicator "
        "where period_type = 'year' and period_label = '2024'").fetchone()
    con.close()
    assert len(rows) == expected[0]
    total = sum(float(r["指标值"]) for r in rows if r["指标值"])
    assert total == pytest.approx(expected[1], rel=1e-4)


def test_csv_files_start_with_the_utf8_bom(exported):
    csvs = [p for p in exported["first"].files if p.suffix == ".csv"]
    assert len(csvs) >= 4
    for path in csvs:
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), path.name
        assert "县" in data.decode("utf-8-sig").splitlines()[0] or path.name.startswith("fund")


def test_manifest_checksums_match_the_files(exported):
    result = exported["first"]
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert manifest["period"] == "2024"
    assert manifest["generated_at"] == "2025-01-01T00:00:00+00:00"
    assert manifest["data_cutoff"] and manifest["source_batches"]
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == {p.name for p in result.files} - {"manifest.json"}
    for name, entry in listed.items():
        data = (result.folder / name).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        if name.endswith(".csv"):
            assert entry["rows"] == len(data.decode("utf-8-sig").splitlines()) - 1


def test_exporting_twice_gives_identical_files_but_generated_at(exported):
    a, b = exported["first"].folder, exported["second"].folder
    for path in sorted(a.iterdir()):
        other = b / path.name
        if path.name == "manifest.json":
            left = json.loads(path.read_text(encoding="utf-8"))
            right = json.loads(other.read_text(encoding="utf-8"))
            left.pop("generated_at"), right.pop("generated_at")
            assert left == right
        else:
            assert path.read_bytes() == other.read_bytes(), path.name


def _texts(folder: Path) -> dict[str, str]:
    """Every exported file as text; the workbook's XML parts unzipped."""
    texts = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    texts[f"{path.name}:{name}"] = zf.read(name).decode("utf-8")
        else:
            texts[path.name] = path.read_text(encoding="utf-8-sig")
    return texts


def test_no_personal_information_in_any_export(exported, sample):
    con = duckdb.connect(str(sample["warehouse"]), read_only=True)
    certnos = {r[0] for r in con.execute(
        "select distinct certno from staging.stg_enrollment__enrollment "
        "where certno is not null").fetchall()}
    names = {r[0] for r in con.execute(
        "select distinct psn_name from staging.stg_enrollment__enrollment "
        "where psn_name is not null").fetchall()}
    con.close()
    assert certnos and names
    for name, text in _texts(exported["first"].folder).items():
        for column in PII_COLUMNS:
            assert column not in text, f"{name} mentions {column}"
        found = [c for c in certnos if c in text]
        assert not found, f"{name} holds ID numbers {found[:3]}"
        # Names are short and can be words too (方正): look for whole cells / text nodes.
        if name.endswith(".csv"):
            cells = {c for row in csv.reader(text.splitlines()) for c in row}
        else:
            cells = set(re.findall(r">([^<>]+)<", text))
        assert not cells & names, f"{name} holds names {sorted(cells & names)[:3]}"


def test_cli_exports_a_quarter_and_rejects_a_bad_period(sample, tmp_path):
    out = tmp_path / "exports"
    done = yibao("export", "--warehouse", str(sample["warehouse"]), "--out", str(out),
                 "--period", "2024Q2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "monitoring_indicator_2024Q2.csv" in done.stdout and "rows" in done.stdout
    manifest = json.loads((out / "2024Q2" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == "2024Q2"
    with (out / "2024Q2" / "alliance_budget_2024Q2.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["截至月份"] for r in rows} == {"6"}
    bad = yibao("export", "--warehouse", str(sample["warehouse"]), "--out", str(out),
                "--period", "2024Q5")
    assert bad.returncode == 2 and "2024Q3" in bad.stdout
    absent = yibao("export", "--warehouse", str(sample["warehouse"]), "--out", str(out),
                   "--period", "2019")
    assert absent.returncode == 2 and "not in the warehouse" in absent.stdout
    missing = yibao("export", "--warehouse", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 2 and "yibao refresh" in missing.stdout


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium not installed")
def test_html_report_renders_charts_offline(exported, tmp_path):
    report = exported["first"].folder / "report_2024.html"
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"https?://", html), "the report must not reference any URL"
    url = report.resolve().as_uri()
    dom = _chromium("--dump-dom", url, profile=tmp_path / "p1").stdout
    assert dom.count("<svg") >= 20
    assert re.search(r'<polyline points="[0-9.]+,[0-9.]+ [0-9.]+', dom)
    assert re.search(r'<rect x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="[1-9]', dom)
    assert "医共体预算执行" in dom and "集采完成情况" in dom
    assert not re.search(r"https?://", dom)
    png = tmp_path / "report.png"
    _chromium(f"--screenshot={png}", "--window-size=1400,1000", url, profile=tmp_path / "p2")
    assert png.exists()
    try:
        from PIL import Image
    except ImportError:  # Pillow is not a dependency: a blank 1400×1000 page is a few KB
        assert png.stat().st_size > 40_000
    else:
        with Image.open(png) as image:
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50
