"""Benchmark the nightly job: generate sample extracts, ingest them, run dbt build.

Usage (from the repository root, after scripts/bootstrap.sh):
    .venv/bin/python scripts/benchmark.py --persons 10000 [--workdir DIR] [--keep]

It times each stage separately (generation, first ingestion of all batches, dbt build, a
second "nothing new" refresh, and the re-ingestion of one re-delivered daily batch) and prints
a Markdown table with the machine it ran on, for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from yibao.generate import generate_extracts  # noqa: E402
from yibao.ingest.loader import ingest  # noqa: E402


def _dbt_build(warehouse: Path) -> float:
    env = {**os.environ, "YIBAO_WAREHOUSE": str(warehouse)}
    dbt = str(Path(sys.executable).with_name("dbt"))
    started = time.monotonic()
    subprocess.run([dbt, "build", "--quiet", "--project-dir", str(ROOT), "--profiles-dir",
                    str(ROOT)], cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--start-year", type=int, default=2020)
    parser.add_argument("--end-year", type=int, default=2024)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="yibao-bench-"))
    extracts, warehouse = workdir / "extracts", workdir / "bench.duckdb"
    rows: list[tuple[str, float, str]] = []

    t0 = time.monotonic()
    summary = generate_extracts(extracts, persons=args.persons, start_year=args.start_year,
                                end_year=args.end_year)
    total_rows = sum(summary.rows.values())
    rows.append(("generate sample extracts", time.monotonic() - t0, f"{total_rows:,} rows"))

    t0 = time.monotonic()
    result = ingest(extracts, warehouse, progress=lambda _: None)
    rows.append(("ingest all batches (first load)", time.monotonic() - t0,
                 f"{sum(b.rows_read for b in result.batches):,} rows read"))

    rows.append(("dbt build (seeds, models, tests)", _dbt_build(warehouse), ""))

    t0 = time.monotonic()
    ingest(extracts, warehouse, progress=lambda _: None)
    rows.append(("ingest again, nothing new", time.monotonic() - t0, "all batches unchanged"))

    last = summary.batches[-1]
    for path in (extracts / last).iterdir():
        path.touch()  # new mtime forces re-hashing; same content → still unchanged
    shutil.copytree(extracts / last, extracts / "9999-12-31")
    t0 = time.monotonic()
    redo = ingest(extracts, warehouse, progress=lambda _: None)
    new = [b for b in redo.batches if b.action != "unchanged"]
    rows.append((f"ingest one daily-size batch ({last} copied)", time.monotonic() - t0,
                 f"{sum(b.rows_read for b in new):,} rows read"))

    size_mb = warehouse.stat().st_size / 1e6
    print(f"\nMachine: {platform.platform()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"Scale: {args.persons:,} persons, {args.start_year}–{args.end_year}, "
          f"warehouse file {size_mb:,.0f} MB\n")
    print("| stage | seconds | volume |")
    print("|---|---:|---|")
    for stage, seconds, volume in rows:
        print(f"| {stage} | {seconds:,.1f} | {volume} |")
    print("\nRows per file:", ", ".join(f"{k} {v:,}" for k, v in sorted(summary.rows.items())))
    if not args.keep and not args.workdir:
        shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
