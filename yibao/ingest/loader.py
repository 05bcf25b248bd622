"""Loading batches into the raw schema: one transaction per batch, idempotent, replaceable.

Rules (docs/ingestion.md):
- Batches load in date order. A batch whose content (SHA-256 of its files) was loaded before is
  skipped; a batch delivered again with other content replaces everything it loaded before.
- Every row read either lands in ``raw.<file>`` or in ``raw.load_quarantine`` with its reasons:
  rows read = rows loaded + rows quarantined, per file, recorded in ``raw.load_file``.
- A file that breaks the contract as a whole (missing required column, unreadable, neither
  UTF-8 nor GB18030) rejects its batch: nothing of that batch is applied, the rejection is
  logged in ``raw.load_history`` and reported; other batches still load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from yibao.contract import FILES_BY_NAME, FileSpec
from yibao.ingest.reader import (
    Batch,
    ExtractFile,
    FileRejected,
    discover_batches,
    load_text_table,
    sha256_of,
)
from yibao.ingest.schema import LINEAGE_COLUMNS, RAW_SCHEMA, create_raw_schema
from yibao.ingest.validate import build_checked_table

log = logging.getLogger("yibao.ingest")


def _utc_now() -> dt.datetime:
    """Bookkeeping times are naive UTC, as dbt's source freshness assumes."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@dataclass
class FileResult:
    """Counts of one loaded file."""

    file_name: str
    file_spec: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    encoding: str | None
    seconds: float


@dataclass
class BatchResult:
    """Outcome of one batch: loaded, replaced, skipped (unchanged) or rejected."""

    batch_id: str
    action: str
    files: list[FileResult] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


@dataclass
class IngestResult:
    """Outcome of one ingestion run over an extracts root."""

    run_id: str
    batches: list[BatchResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[BatchResult]:
        return [b for b in self.batches if b.action == "rejected"]

    def rows_by_file(self) -> dict[str, int]:
        """Rows loaded in this run per contract file."""
        out: dict[str, int] = {}
        for b in self.batches:
            for f in b.files:
                out[f.file_spec] = out.get(f.file_spec, 0) + f.rows_loaded
        return out


def connect(warehouse: Path, memory_limit: str | None = None,
            threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing with this machine's resource settings."""
    import os

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    con.execute(f"set threads = {threads or int(os.environ.get('YIBAO_DUCKDB_THREADS', '2'))}")
    limit = memory_limit or os.environ.get("YIBAO_DUCKDB_MEMORY_LIMIT", "8GB")
    con.execute(f"set memory_limit = '{limit}'")
    con.execute("set preserve_insertion_order = false")
    return con


def ingest(extracts: Path, warehouse: Path, run_id: str | None = None,
           progress: Callable[[str], None] | None = None) -> IngestResult:
    """Load every new or changed batch under ``extracts`` into ``warehouse``."""
    say = progress or log.info
    result = IngestResult(run_id=run_id or uuid.uuid4().hex[:12])
    batches, notes = discover_batches(extracts)
    result.notes.extend(notes)
    for note in notes:
        say(f"note: {note}")
    con = connect(warehouse)
    try:
        create_raw_schema(con)
        for batch in batches:
            result.batches.append(_ingest_batch(con, batch, result.run_id, say))
    finally:
        con.close()
    return result


def _loaded_state(con: duckdb.DuckDBPyConnection, batch_id: str) -> tuple[str | None, dict]:
    row = con.execute(
        f"select content_hash from {RAW_SCHEMA}.load_batch "
        "where batch_id = ? and status = 'loaded'",
        [batch_id],
    ).fetchone()
    files = {
        r[0]: (r[1], r[2], r[3])
        for r in con.execute(
            f"select file_name, size_bytes, mtime_ns, sha256 from {RAW_SCHEMA}.load_file "
            "where batch_id = ?", [batch_id]).fetchall()
    }
    return (row[0] if row else None), files


def _file_hashes(batch: Batch, known: dict) -> dict[str, str]:
    """SHA-256 per file, reusing the recorded hash when size and mtime are unchanged."""
    hashes = {}
    for f in batch.files:
        seen = known.get(f.rel_name)
        if seen and seen[0] == f.size_bytes and seen[1] == f.mtime_ns:
            hashes[f.rel_name] = seen[2]
        else:
            hashes[f.rel_name] = sha256_of(f.path)
    return hashes


def _content_hash(hashes: dict[str, str]) -> str:
    lines = "\n".join(f"{Path(name).name}:{digest}" for name, digest in sorted(hashes.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def _ingest_batch(con: duckdb.DuckDBPyConnection, batch: Batch, run_id: str,
                  say: Callable[[str], None]) -> BatchResult:
    started = time.monotonic()
    started_at = _utc_now()
    loaded_hash, known_files = _loaded_state(con, batch.batch_id)
    hashes = _file_hashes(batch, known_files)
    content_hash = _content_hash(hashes)
    if loaded_hash == content_hash:
        return BatchResult(batch.batch_id, "unchanged")
    action = "replaced" if loaded_hash else "loaded"
    say(f"batch {batch.batch_id}: {len(batch.files)} file(s)"
        + (" — delivered again with new content, replacing the earlier load"
           if action == "replaced" else ""))
    for name in batch.ignored:
        say(f"  note: ignored {batch.batch_id}/{name} (not a contract file)")
    result = BatchResult(batch.batch_id, action)
    try:
        if batch.problem is not None:
            raise batch.problem
        texts = _read_files(con, batch, say)
        con.execute("begin transaction")
        try:
            _apply_batch(con, batch, texts, hashes, run_id, result, say)
            _record_batch(con, batch, content_hash, "loaded", None, run_id, result, started_at)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    except FileRejected as exc:
        result.action = "rejected"
        result.error = str(exc)
        result.files = []
        say(f"  REJECTED batch {batch.batch_id}: {exc}. Nothing of this batch was applied.")
        con.execute("begin transaction")
        if loaded_hash is None:
            con.execute(f"delete from {RAW_SCHEMA}.load_batch where batch_id = ?",
                        [batch.batch_id])
            _insert_batch_row(con, batch, content_hash, "rejected", str(exc), run_id, result)
        _insert_history(con, batch.batch_id, content_hash, "rejected", result, str(exc),
                        run_id, started_at)
        con.execute("commit")
    finally:
        for f in batch.files:
            con.execute(f"drop table if exists _in_{f.spec.name}")
            con.execute(f"drop table if exists _chk_{f.spec.name}")
    result.seconds = time.monotonic() - started
    if result.action != "rejected":
        say(f"  batch {batch.batch_id} {result.action}: {result.rows_read:,} rows read, "
            f"{result.rows_loaded:,} loaded, {result.rows_quarantined:,} quarantined "
            f"({result.seconds:.1f}s)")
    return result


def _read_files(con: duckdb.DuckDBPyConnection, batch: Batch,
                say: Callable[[str], None]) -> dict[str, tuple[int, str | None, float]]:
    """Read every file of the batch into text tables; a bad file raises FileRejected."""
    texts = {}
    for f in batch.files:
        t0 = time.monotonic()
        rows, encoding = load_text_table(con, f, f"_in_{f.spec.name}")
        texts[f.spec.name] = (rows, encoding, time.monotonic() - t0)
    return texts


def _apply_batch(con: duckdb.DuckDBPyConnection, batch: Batch,
                 texts: dict[str, tuple[int, str | None, float]], hashes: dict[str, str],
                 run_id: str, result: BatchResult, say: Callable[[str], None]) -> None:
    loaded_at = _utc_now()
    for spec_name in FILES_BY_NAME:
        con.execute(f"delete from {RAW_SCHEMA}.{spec_name} where _batch_id = ?",
                    [batch.batch_id])
    for table in ("load_file", "load_quarantine"):
        con.execute(f"delete from {RAW_SCHEMA}.{table} where batch_id = ?", [batch.batch_id])
    for f in batch.files:
        t0 = time.monotonic()
        rows_read, encoding, read_seconds = texts[f.spec.name]
        loaded, quarantined = _validate_and_insert(con, batch, f, run_id, loaded_at)
        if loaded + quarantined != rows_read:  # the invariant the load log promises
            raise RuntimeError(
                f"{f.rel_name}: {rows_read} rows read but {loaded} loaded + {quarantined} "
                "quarantined — this is a bug in the loader, please report it"
            )
        seconds = read_seconds + time.monotonic() - t0
        con.execute(
            f"insert into {RAW_SCHEMA}.load_file values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [batch.batch_id, f.rel_name, f.spec.name, f.file_format, encoding,
             hashes[f.rel_name], f.size_bytes, f.mtime_ns, rows_read, loaded, quarantined,
             loaded_at, run_id],
        )
        result.files.append(FileResult(f.rel_name, f.spec.name, rows_read, loaded,
                                       quarantined, encoding, seconds))
        enc = f", {encoding}" if encoding else ""
        say(f"  {f.rel_name} ({f.file_format}{enc}): {rows_read:,} read, {loaded:,} loaded, "
            f"{quarantined:,} quarantined ({seconds:.1f}s)")


def _reference_relation(spec: FileSpec, batch_id: str) -> str:
    cols = ", ".join(f'"{c}"' for c in spec.key)
    valid_now = f"select {cols} from _chk_{spec.name} where len(_errors) = 0"
    earlier = f"select {cols} from {RAW_SCHEMA}.{spec.name} where _batch_id <> '{batch_id}'"
    return f"({earlier} union all {valid_now})"


def _validate_and_insert(con: duckdb.DuckDBPyConnection, batch: Batch, f: ExtractFile,
                         run_id: str, loaded_at: dt.datetime) -> tuple[int, int]:
    spec = f.spec
    present = {x.spec.name for x in batch.files}
    references = {}
    for ref in spec.references:
        target = FILES_BY_NAME[ref.target]
        if ref.target in present:
            references[ref.target] = _reference_relation(target, batch.batch_id)
        else:
            cols = ", ".join(f'"{c}"' for c in target.key)
            references[ref.target] = (f"(select {cols} from {RAW_SCHEMA}.{target.name} "
                                      f"where _batch_id <> '{batch.batch_id}')")
    checked = f"_chk_{spec.name}"
    for sql in build_checked_table(spec, f"_in_{spec.name}", checked, references):
        con.execute(sql)
    cols = ", ".join(f'"{c}"' for c in spec.column_names)
    lineage = ", ".join(name for name, _ in LINEAGE_COLUMNS)
    con.execute(
        f"insert into {RAW_SCHEMA}.{spec.name} ({cols}, {lineage}) "
        f"select {cols}, ?, ?, _row_number, ?, ? from {checked} where len(_errors) = 0",
        [batch.batch_id, f.rel_name, loaded_at, run_id],
    )
    original = ", ".join(f'"{c}" := "r__{c}"' for c in spec.column_names)
    con.execute(
        f"""insert into {RAW_SCHEMA}.load_quarantine
        select ?, ?, ?, _row_number,
          array_to_string(list_distinct(list_transform(_errors, lambda e: e['column'])), ','),
          array_to_string(list_transform(_errors, lambda e: e['rule']), ','),
          array_to_string(list_transform(_errors, lambda e: e['message']), '; '),
          coalesce(_bad_fields, to_json(struct_pack({original}))::varchar),
          ?, ?
        from {checked} where len(_errors) > 0""",
        [batch.batch_id, f.rel_name, spec.name, loaded_at, run_id],
    )
    loaded, quarantined = con.execute(
        f"select count(*) filter (where len(_errors) = 0), count(*) filter (where len(_errors) > 0)"
        f" from {checked}"
    ).fetchone()
    return loaded, quarantined


def _insert_batch_row(con: duckdb.DuckDBPyConnection, batch: Batch, content_hash: str,
                      status: str, error: str | None, run_id: str, result: BatchResult) -> None:
    con.execute(
        f"insert into {RAW_SCHEMA}.load_batch values (?,?,?,?,?,?,?,?,?,?)",
        [batch.batch_id, content_hash, status, len(batch.files), result.rows_read,
         result.rows_loaded, result.rows_quarantined, error,
         _utc_now(), run_id],
    )


def _insert_history(con: duckdb.DuckDBPyConnection, batch_id: str, content_hash: str,
                    action: str, result: BatchResult, error: str | None, run_id: str,
                    started_at: dt.datetime) -> None:
    con.execute(
        f"insert into {RAW_SCHEMA}.load_history values (?,?,?,?,?,?,?,?,?,?)",
        [run_id, batch_id, content_hash, action, result.rows_read, result.rows_loaded,
         result.rows_quarantined, error, started_at, _utc_now()],
    )


def _record_batch(con: duckdb.DuckDBPyConnection, batch: Batch, content_hash: str, status: str,
                  error: str | None, run_id: str, result: BatchResult,
                  started_at: dt.datetime) -> None:
    con.execute(f"delete from {RAW_SCHEMA}.load_batch where batch_id = ?", [batch.batch_id])
    _insert_batch_row(con, batch, content_hash, status, error, run_id, result)
    _insert_history(con, batch.batch_id, content_hash, result.action, result, error, run_id,
                    started_at)
