"""The ``yibao`` command: generate sample extracts, run the nightly refresh, look inside."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import re
import signal
import sys
import time
from pathlib import Path

from yibao import settings


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("yibao")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False


def _print(line: str = "") -> None:
    print(line, flush=True)


# ----------------------------------------------------------------------------- generate
def cmd_generate(args: argparse.Namespace) -> int:
    from yibao.generate import generate_extracts

    out = Path(args.out).expanduser().resolve()
    if args.start_year > args.end_year:
        _print("error: --start-year must not be after --end-year")
        return 2
    started = time.monotonic()
    _print(f"Generating sample extracts into {out}")
    _print(f"  persons {args.persons:,}, years {args.start_year}–{args.end_year}, seed {args.seed}"
           + (f", defect share {args.defects}" if args.defects else ""))
    summary = generate_extracts(
        out, persons=args.persons, seed=args.seed, start_year=args.start_year,
        end_year=args.end_year, defect_share=args.defects, progress=lambda m: _print(f"  {m}"),
    )
    _print()
    _print(f"Done in {time.monotonic() - started:.1f}s: {len(summary.batches)} batches "
           f"({', '.join(summary.batches)})")
    for name, rows in sorted(summary.rows.items()):
        _print(f"  {name:<24}{rows:>12,} rows")
    if summary.defects:
        _print(f"  {summary.defects:,} defective rows injected (see generation-manifest.json)")
    return 0


# ------------------------------------------------------------------------------ refresh
class _DbtProgress(io.TextIOBase):
    """Passes on the dbt lines a person wants while the job runs: models built, problems.

    dagster-dbt echoes every dbt event (one per test) to stdout; hundreds of PASS lines would
    bury the progress, so tests are shown only when they warn, fail or error.
    """

    _keep = re.compile(r"(OK created|ERROR|FAIL|WARN |Finished running|Completed with|"
                       r"Compilation Error|Database Error|Runtime Error)")

    def __init__(self, target: io.TextIOBase) -> None:
        self._target = target
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if self._keep.search(line):
                self._target.write("  dbt: " + re.sub(r"\x1b\[[0-9;]*m", "", line.strip()) + "\n")
                self._target.flush()
        return len(text)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def cmd_refresh(args: argparse.Namespace) -> int:
    extracts = settings.extracts_dir(args.extracts)
    warehouse = settings.warehouse_path(args.warehouse)
    if not extracts.is_dir():
        _print(f"error: extracts folder {extracts} does not exist.")
        _print(f"  Generate sample data with: yibao generate --out {extracts}")
        _print("  or point --extracts (or YIBAO_EXTRACTS_DIR) at the delivery folder.")
        return 2
    os.environ[settings.ENV_EXTRACTS] = str(extracts)
    os.environ[settings.ENV_WAREHOUSE] = str(warehouse)
    # A scheduler stopping the refresh sends SIGTERM: turn it into the interrupt dagster-dbt
    # forwards to the dbt process, so no dbt keeps writing after the refresh has gone.
    signal.signal(signal.SIGTERM, _terminate)
    dagster_home = Path(os.environ.setdefault("DAGSTER_HOME", str(settings.DEFAULT_DAGSTER_HOME)))
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").touch()  # embedded SQLite storage in DAGSTER_HOME
    started = time.monotonic()
    _print("yibao nightly refresh")
    _print(f"  extracts : {extracts}")
    _print(f"  warehouse: {warehouse}")
    _print()
    _print("Parsing the dbt project (target/manifest.json) …")
    from orchestration.project import parse_dbt_project

    try:
        parse_dbt_project()
    except RuntimeError as exc:
        _print(f"error: {exc}")
        return 1

    from dagster import DagsterInstance

    from orchestration.definitions import defs

    _print("Running the Dagster job nightly_refresh in process: ingest, then dbt build …")
    job = defs.resolve_job_def("nightly_refresh")
    quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    with DagsterInstance.get() as instance, \
            contextlib.redirect_stdout(_DbtProgress(sys.stdout)):
        result = job.execute_in_process(instance=instance, raise_on_error=False,
                                        run_config=quiet)
    elapsed = time.monotonic() - started
    _print()
    _summary(warehouse, result.run_id, elapsed)
    if not result.success:
        _print()
        _print("REFRESH FAILED")
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                message = error.message.strip() if error else "unknown error"
                _print(f"  step {event.step_key}: {message}")
        _print("Fix what is named above and run `yibao refresh` again; batches already loaded "
               "are not loaded twice.")
        return 1
    _print()
    _print(f"Warehouse ready: {warehouse}")
    from orchestration.resources import exports_dir
    from yibao.serving import serving_path

    _print(f"BI serving copy (read-only, no personal data): {serving_path(warehouse)}")
    _print(f"Regulator export: {exports_dir()}/<period>/")
    _print(f"dbt docs: {settings.PROJECT_ROOT / 'target' / 'index.html'} "
           "(open with: dbt docs serve --profiles-dir . --port 8080)")
    _print("Look inside:")
    _print(f"  yibao sql \"select * from staging.stg_settlement__settlement limit 5\""
           f" --warehouse {warehouse}")
    _print("  python: duckdb.connect(path, read_only=True).sql('show all tables')")
    return 0


def _summary(warehouse: Path, run_id: str, elapsed: float) -> None:
    import duckdb

    _print(f"Summary (run {run_id[:12]}, {elapsed:.1f}s)")
    if not warehouse.exists():
        _print("  no warehouse file was written")
        return
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        _print(f"  cannot open the warehouse to summarise it: {exc}")
        return
    try:
        rows = con.execute(
            "select action, count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined) "
            "from raw.load_history where run_id = ? group by action order by action",
            [run_id[:12]],
        ).fetchall()
        if not rows:
            _print("  batches: nothing new to load")
        for action, n, read, loaded, quarantined in rows:
            _print(f"  batches {action:<9}{n:>4}   rows read {read:>12,}  loaded {loaded:>12,}"
                   f"  quarantined {quarantined:>8,}")
        total = con.execute(
            "select count(*), sum(rows_loaded), sum(rows_quarantined) from raw.load_file"
        ).fetchone()
        _print(f"  warehouse holds {total[0]} loaded files: {total[1] or 0:,} rows loaded, "
               f"{total[2] or 0:,} quarantined (raw.load_quarantine)")
        tables = con.execute(
            "select schema_name, count(*) from duckdb_tables() where database_name = "
            "current_database() group by 1 union all select schema_name, count(*) "
            "from duckdb_views() where not internal and database_name = current_database() "
            "group by 1 order by 1"
        ).fetchall()
        by_schema: dict[str, int] = {}
        for schema, n in tables:
            by_schema[schema] = by_schema.get(schema, 0) + n
        _print("  relations: " + ", ".join(f"{s} {n}" for s, n in sorted(by_schema.items())))
    except duckdb.Error as exc:
        _print(f"  (summary incomplete: {exc})")
    finally:
        con.close()
    results = settings.PROJECT_ROOT / "target" / "run_results.json"
    if results.exists():
        data = json.loads(results.read_text())
        counts: dict[str, int] = {}
        for r in data.get("results", []):
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        _print("  dbt build: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))


# ---------------------------------------------------------------------------------- sql
def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    warehouse = settings.warehouse_path(args.warehouse)
    if not warehouse.exists():
        _print(f"error: {warehouse} does not exist — run `yibao refresh` first")
        return 2
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.sql(args.query).show(max_rows=args.max_rows, max_width=200)
    except duckdb.Error as exc:
        _print(f"error: {exc}")
        return 1
    finally:
        con.close()
    return 0


# ------------------------------------------------------------------------------- export
def cmd_export(args: argparse.Namespace) -> int:
    from yibao.export import export_period

    warehouse = settings.warehouse_path(args.warehouse)
    out = Path(args.out).expanduser().resolve()
    if not warehouse.exists():
        _print(f"error: warehouse {warehouse} does not exist — run `yibao refresh` first, or "
               "pass --warehouse (or set YIBAO_WAREHOUSE) to a built warehouse")
        return 2
    try:
        result = export_period(warehouse, out, period=args.period)
    except (ValueError, FileNotFoundError) as exc:
        _print(f"error: {exc}")
        return 2
    _print(f"Exported period {result.period} from {warehouse}")
    _print(f"  into {result.folder}")
    rows = {f"{key}_{result.period}.csv": n for key, n in result.rows.items()}
    for path in result.files:
        detail = f"{rows[path.name]:>8,} rows" if path.name in rows else ""
        _print(f"  {path.name:<44}{path.stat().st_size:>10,} bytes {detail}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yibao", description="yibao-warehouse: medical-insurance fund data warehouse")
    parser.add_argument("-v", "--verbose", action="store_true", help="more log output")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write sample extracts in the contract's layout")
    gen.add_argument("--out", required=True, help="extracts root to write batch folders into")
    gen.add_argument("--persons", type=int, default=10_000, help="enrollees (default 10,000)")
    gen.add_argument("--seed", type=int, default=20240101, help="random seed (default 20240101)")
    gen.add_argument("--start-year", type=int, default=2020, help="first data year (2020)")
    gen.add_argument("--end-year", type=int, default=2024, help="last data year (2024)")
    gen.add_argument("--defects", type=float, default=0.0, metavar="SHARE",
                     help="share of defective rows to inject into the daily batches (e.g. 0.01)")
    gen.set_defaults(func=cmd_generate)

    ref = sub.add_parser("refresh", help="run the nightly job (ingest new batches, dbt build)")
    ref.add_argument("--extracts", help=f"extracts root (default ${settings.ENV_EXTRACTS} or "
                     "sample_data/extracts)")
    ref.add_argument("--warehouse", help=f"DuckDB file (default ${settings.ENV_WAREHOUSE} or "
                     "warehouse/yibao.duckdb)")
    ref.set_defaults(func=cmd_refresh)

    sql = sub.add_parser("sql", help="run a read-only SQL query against the warehouse")
    sql.add_argument("query")
    sql.add_argument("--warehouse")
    sql.add_argument("--max-rows", type=int, default=40)
    sql.set_defaults(func=cmd_sql)

    exp = sub.add_parser("export", help="write the regulator indicator tables (Excel, CSV), "
                         "an HTML report and a manifest for one period")
    exp.add_argument("--warehouse", help=f"DuckDB file (default ${settings.ENV_WAREHOUSE} or "
                     "warehouse/yibao.duckdb)")
    exp.add_argument("--out", default="exports",
                     help="folder to write <period>/ into (default exports/)")
    exp.add_argument("--period", help="YYYY or YYYYQn (default: the latest year with "
                     "indicators)")
    exp.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``yibao`` console script."""
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return args.func(args)
    except ValueError as exc:  # bad paths or arguments, explained for a person
        _print(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        _print("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
