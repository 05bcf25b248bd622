"""Finding batches and files in an extracts root, and reading files into DuckDB as text.

Reading is deliberately separate from validation: every file, whatever its format, ends up in
a temporary DuckDB table of VARCHAR columns named after the contract, plus ``_row_number``
(1-based data row, header excluded) and ``_bad_fields`` (the raw fields, as JSON, of a CSV row
whose field count does not match the header). Validation then works on that one shape.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import duckdb
import pyarrow as pa

from yibao.contract import FILES_BY_NAME, FileSpec

BATCH_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FILE_NAME = re.compile(r"^(?P<name>[a-z_]+)\.(?P<fmt>csv|csv\.gz|parquet)$", re.IGNORECASE)
CHUNK_ROWS = 100_000
_READ_BYTES = 4 * 1024 * 1024


class FileRejected(Exception):
    """A whole file breaks the contract; its batch must not be applied."""

    def __init__(self, file_name: str, message: str, fix: str = "") -> None:
        self.file_name = file_name
        self.message = message
        self.fix = fix
        text = f"{file_name}: {message}"
        if fix:
            text += f" — {fix}"
        super().__init__(text)


@dataclass(frozen=True)
class ExtractFile:
    """One contract file inside a batch folder."""

    spec: FileSpec
    path: Path
    rel_name: str  # "<batch>/<file>", as recorded in lineage
    file_format: str  # csv | csv.gz | parquet
    size_bytes: int
    mtime_ns: int


@dataclass(frozen=True)
class Batch:
    """One delivery folder."""

    batch_id: str
    path: Path
    files: tuple[ExtractFile, ...]
    ignored: tuple[str, ...]  # entries in the folder that are not contract files
    problem: FileRejected | None = None  # a defect of the folder itself (rejects the batch)


def discover_batches(root: Path) -> tuple[list[Batch], list[str]]:
    """Batch folders under ``root`` in date order, and notes about entries that were skipped."""
    if not root.is_dir():
        raise FileNotFoundError(
            f"extracts folder {root} does not exist — generate sample data with "
            f"`yibao generate --out {root}` or point --extracts / YIBAO_EXTRACTS_DIR at it"
        )
    batches: list[Batch] = []
    notes: list[str] = []
    for entry in sorted(root.iterdir()):
        if not entry.is_dir():
            continue
        if not BATCH_NAME.match(entry.name):
            notes.append(f"skipped folder {entry.name}: not a batch name (YYYY-MM-DD)")
            continue
        try:
            dt.date.fromisoformat(entry.name)
        except ValueError:
            notes.append(f"skipped folder {entry.name}: not a valid date")
            continue
        batches.append(_scan_batch(entry))
    return batches, notes


def _scan_batch(folder: Path) -> Batch:
    files: dict[str, ExtractFile] = {}
    ignored: list[str] = []
    problem: FileRejected | None = None
    for path in sorted(folder.iterdir()):
        match = FILE_NAME.match(path.name)
        name = match.group("name").lower() if match else None
        if not path.is_file() or name not in FILES_BY_NAME:
            ignored.append(path.name)
            continue
        if name in files:
            problem = FileRejected(
                f"{folder.name}/{path.name}",
                f"the batch holds {name} twice ({files[name].path.name} and {path.name})",
                "deliver each file once, in one format",
            )
            continue
        stat = path.stat()
        files[name] = ExtractFile(
            spec=FILES_BY_NAME[name],
            path=path,
            rel_name=f"{folder.name}/{path.name}",
            file_format=match.group("fmt").lower(),
            size_bytes=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
        )
    ordered = tuple(sorted(files.values(), key=lambda f: _load_order(f.spec)))
    return Batch(folder.name, folder, ordered, tuple(ignored), problem)


def _load_order(spec: FileSpec) -> int:
    from yibao.contract import FILES

    return [f.name for f in FILES].index(spec.name)


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_READ_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _open_binary(f: ExtractFile) -> BinaryIO:
    if f.file_format == "csv.gz":
        return gzip.open(f.path, "rb")  # type: ignore[return-value]
    return f.path.open("rb")


def detect_encoding(f: ExtractFile) -> str:
    """``utf-8-sig`` (BOM), ``utf-8`` or ``gb18030``: the first that decodes the whole file."""
    try:
        with _open_binary(f) as fh:
            head = fh.read(3)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise FileRejected(f.rel_name, f"cannot be read ({exc})", "re-deliver the file") from exc
    candidates = ["utf-8-sig"] if head == codecs.BOM_UTF8 else ["utf-8", "gb18030"]
    last_error = ""
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        offset = 0
        try:
            with _open_binary(f) as fh:
                while chunk := fh.read(_READ_BYTES):
                    decoder.decode(chunk)
                    offset += len(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as exc:
            last_error = f"{encoding} fails at byte {offset + exc.start}"
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise FileRejected(f.rel_name, f"cannot be read ({exc})",
                               "re-deliver the file") from exc
    raise FileRejected(
        f.rel_name,
        f"is neither UTF-8 nor GB18030 text ({last_error})",
        "export it as UTF-8 or GB18030/GBK",
    )


def _header_map(f: ExtractFile, header: list[str]) -> dict[str, int]:
    normalised = [h.strip().lower() for h in header]
    seen: dict[str, int] = {}
    for i, name in enumerate(normalised):
        if name in seen and name in f.spec.column_names:
            raise FileRejected(f.rel_name, f"column {name} appears twice in the header",
                               "deliver each column once")
        seen.setdefault(name, i)
    missing = [c for c in f.spec.required_columns if c not in seen]
    if missing:
        raise FileRejected(
            f.rel_name,
            f"required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing "
            f"from the header",
            f"the contract's {f.spec.name} file needs: {', '.join(f.spec.required_columns)}",
        )
    return {c: seen[c] for c in f.spec.column_names if c in seen}


def _text_schema(spec: FileSpec) -> pa.Schema:
    fields = [pa.field("_row_number", pa.int64()), pa.field("_bad_fields", pa.string())]
    fields += [pa.field(c, pa.string()) for c in spec.column_names]
    return pa.schema(fields)


def _csv_chunks(f: ExtractFile, encoding: str) -> Iterator[pa.Table]:
    schema = _text_schema(f.spec)
    with _open_binary(f) as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise FileRejected(f.rel_name, "is empty (no header row)",
                               "deliver at least the header row") from None
        except csv.Error as exc:
            raise FileRejected(f.rel_name, f"header cannot be parsed as CSV ({exc})") from exc
        positions = _header_map(f, header)
        width = len(header)
        names = f.spec.column_names
        rows: list[list[str]] = []
        numbers: list[int] = []
        bad: list[str | None] = []
        row_number = 0
        try:
            for row in reader:
                if not row:  # a blank line is not a row
                    continue
                row_number += 1
                numbers.append(row_number)
                if len(row) == width:
                    rows.append(row)
                    bad.append(None)
                else:
                    rows.append([""] * width)
                    bad.append(json.dumps({"fields": row, "expected": width,
                                           "found": len(row)}, ensure_ascii=False))
                if len(rows) >= CHUNK_ROWS:
                    yield _chunk(schema, names, positions, rows, numbers, bad)
                    rows, numbers, bad = [], [], []
        except csv.Error as exc:
            raise FileRejected(f.rel_name, f"CSV syntax error after data row {row_number} ({exc})",
                               "check the quoting (RFC 4180)") from exc
        if rows or row_number == 0:
            yield _chunk(schema, names, positions, rows, numbers, bad)


def _chunk(schema: pa.Schema, names: tuple[str, ...], positions: dict[str, int],
           rows: list[list[str]], numbers: list[int], bad: list[str | None]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else []
    arrays: list[pa.Array] = [pa.array(numbers, pa.int64()), pa.array(bad, pa.string())]
    for name in names:
        pos = positions.get(name)
        if pos is None or not rows:
            arrays.append(pa.nulls(len(rows), pa.string()))
        else:
            arrays.append(pa.array(columns[pos], pa.string()))
    return pa.Table.from_arrays(arrays, schema=schema)


def load_text_table(con: duckdb.DuckDBPyConnection, f: ExtractFile,
                    table: str) -> tuple[int, str | None]:
    """Read one file into temp table ``table`` (all VARCHAR); return (rows read, encoding)."""
    cols = ", ".join(f'"{c}" varchar' for c in f.spec.column_names)
    con.execute(f"create or replace temp table {table} "
                f"(_row_number bigint, _bad_fields varchar, {cols})")
    if f.file_format == "parquet":
        return _load_parquet(con, f, table), None
    encoding = detect_encoding(f)
    for chunk in _csv_chunks(f, encoding):
        con.register("_yibao_chunk", chunk)
        con.execute(f"insert into {table} select * from _yibao_chunk")
        con.unregister("_yibao_chunk")
    rows = con.execute(f"select count(*) from {table}").fetchone()[0]
    return rows, encoding


def _load_parquet(con: duckdb.DuckDBPyConnection, f: ExtractFile, table: str) -> int:
    try:
        described = con.execute(
            "select name from parquet_schema(?) where name <> 'schema'", [str(f.path)]
        ).fetchall()
    except duckdb.Error as exc:
        raise FileRejected(f.rel_name, f"is not a readable Parquet file ({exc})",
                           "re-deliver the file") from exc
    actual = [r[0] for r in described]
    by_lower: dict[str, str] = {}
    for name in actual:
        key = name.strip().lower()
        if key in by_lower and key in f.spec.column_names:
            raise FileRejected(f.rel_name, f"column {key} appears twice",
                               "deliver each column once")
        by_lower.setdefault(key, name)
    missing = [c for c in f.spec.required_columns if c not in by_lower]
    if missing:
        raise FileRejected(
            f.rel_name,
            f"required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing",
            f"the contract's {f.spec.name} file needs: {', '.join(f.spec.required_columns)}",
        )
    selects = []
    for c in f.spec.column_names:
        src = by_lower.get(c)
        selects.append("null" if src is None else
                       f"cast(\"{src.replace(chr(34), chr(34) * 2)}\" as varchar)")
    con.execute(
        f"insert into {table} select file_row_number + 1, null, {', '.join(selects)} "
        f"from read_parquet(?, file_row_number = true)",
        [str(f.path)],
    )
    return con.execute(f"select count(*) from {table}").fetchone()[0]
