"""Regulator exports: the indicator tables as Excel and CSV, an HTML report, a manifest.

``export_period`` is the API the nightly job calls; ``yibao export`` is its command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from yibao.export.csvs import write_csv
from yibao.export.excel import write_workbook
from yibao.export.manifest import write_manifest
from yibao.export.period import Period, parse_period
from yibao.export.report import render_report
from yibao.export.tables import build_tables, provenance

__all__ = ["ExportResult", "available_periods", "export_period", "parse_period", "Period",
           "WORKBOOK_NAME"]

WORKBOOK_NAME = "yibao_indicators_{period}.xlsx"


@dataclass
class ExportResult:
    """What an export wrote: the period, its folder, every file (manifest last)."""

    period: str
    folder: Path
    files: list[Path] = field(default_factory=list)
    manifest_path: Path | None = None
    rows: dict[str, int] = field(default_factory=dict)


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    warehouse = Path(warehouse)
    if not warehouse.exists():
        raise FileNotFoundError(
            f"warehouse {warehouse} does not exist — run `yibao refresh` first or pass "
            "--warehouse (or set YIBAO_WAREHOUSE) to a built warehouse")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("select 1 from marts.mart_monitoring_indicator limit 0")
    except duckdb.Error as exc:
        con.close()
        raise FileNotFoundError(
            f"warehouse {warehouse} has no marts.mart_monitoring_indicator — run "
            "`yibao refresh` so dbt builds the marts") from exc
    return con


def _periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select period_label from marts.mart_monitoring_indicator "
        "where period_type in ('year', 'quarter') group by period_label, period_year, "
        "period_quarter order by period_year, coalesce(period_quarter, 0)").fetchall()
    return [r[0] for r in rows]


def available_periods(warehouse: Path) -> list[str]:
    """Years and quarters the warehouse has indicators for, oldest first."""
    con = _connect(warehouse)
    try:
        return _periods(con)
    finally:
        con.close()


def export_period(warehouse: Path, out_dir: Path, period: str | None = None,
                  generated_at: datetime | None = None) -> ExportResult:
    """Export one period (``YYYY`` or ``YYYYQn``; default the latest year) into
    ``out_dir/<period>/``: workbook, one CSV per sheet, HTML report, manifest.json.

    Opens the warehouse read-only. Raises ValueError for a malformed period or one the
    warehouse has no indicators for, FileNotFoundError for a missing warehouse.
    """
    con = _connect(Path(warehouse))
    try:
        periods = _periods(con)
        if period is None:
            years = [p for p in periods if "Q" not in p]
            if not years:
                raise ValueError(f"warehouse {warehouse} has no yearly indicators to export "
                                 "— run `yibao refresh` on extracts covering a year")
            period = years[-1]
        parsed = parse_period(period)
        if parsed.label not in periods:
            raise ValueError(f"period {parsed.label} is not in the warehouse; available: "
                             f"{', '.join(periods) or 'none'}")
        prov = provenance(con)
        tables = build_tables(con, parsed)
        html = render_report(con, parsed, prov, tables)
    finally:
        con.close()
    folder = Path(out_dir) / parsed.label
    folder.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, int | None]] = []
    workbook = write_workbook(folder / WORKBOOK_NAME.format(period=parsed.label),
                              parsed.label, prov, tables)
    written.append((workbook, None))
    for table in tables:
        path = write_csv(table, folder / f"{table.key}_{parsed.label}.csv")
        written.append((path, len(table.frame)))
    report = folder / f"report_{parsed.label}.html"
    report.write_text(html, encoding="utf-8")
    written.append((report, None))
    manifest = write_manifest(folder / "manifest.json", parsed.label,
                              generated_at or datetime.now(UTC), prov, written)
    return ExportResult(period=parsed.label, folder=folder,
                        files=[p for p, _ in written] + [manifest], manifest_path=manifest,
                        rows={t.key: len(t.frame) for t in tables})


