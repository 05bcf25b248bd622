"""Formatting typed frames as contract text and writing CSV, gzip and Parquet files.

Internal typed representation (see ``dates.py``): dates are day numbers, timestamps seconds,
amounts integer cents, counts and ratios integer ten-thousandths, flags integers; empty values
are ``NULL_DAY``/``NULL_TS``/``None``/``pd.NA``. On output: dates ``YYYY-MM-DD``, timestamps
``YYYY-MM-DD HH:MM:SS``, year-months ``YYYYMM``, amounts with exactly two decimals, counts
with up to four (trailing zeros dropped), ratios with four; an empty field is NULL.
Parquet keeps the types: date32, timestamp[s], decimal128, int32, string.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from yibao.contract import FileSpec
from yibao.generate.dates import NULL_DAY, NULL_TS


@dataclass(frozen=True)
class FileFormat:
    """How one file is written."""

    kind: str = "csv"  # csv | csv.gz | parquet
    encoding: str = "utf-8"  # utf-8 | utf-8-sig (with BOM) | gb18030
    crlf: bool = False

    @property
    def suffix(self) -> str:
        return {"csv": ".csv", "csv.gz": ".csv.gz", "parquet": ".parquet"}[self.kind]


def _null_mask(values: np.ndarray, kind: str) -> np.ndarray:
    if kind == "date":
        return values == NULL_DAY
    if kind == "timestamp":
        return values == NULL_TS
    return np.zeros(len(values), dtype=bool)


def _fixed(values: np.ndarray, digits: int, trim: bool) -> np.ndarray:
    """Integers in 10^-digits units as decimal text."""
    v = np.asarray(values, dtype=np.int64)
    scale = 10**digits
    a = np.abs(v)
    whole = (a // scale).astype(str)
    frac = np.strings.zfill((a % scale).astype(str), digits)
    out = np.strings.add(np.strings.add(np.where(v < 0, "-", ""), whole),
                         np.strings.add(".", frac))
    if trim:
        out = np.strings.rstrip(np.strings.rstrip(out, "0"), ".")
        out = np.where(out == "-0", "0", out)
    return out.astype(object)


def format_column(series: pd.Series, kind: str) -> np.ndarray:
    """Text values (``None`` = empty) of one typed column."""
    if kind in ("amount", "count", "ratio") and isinstance(series.dtype, pd.Int64Dtype):
        mask = series.isna().to_numpy()
        vals = series.fillna(0).to_numpy(dtype=np.int64)
    elif kind in ("text",):
        arr = series.to_numpy(dtype=object, na_value=None)
        return arr
    else:
        vals = series.to_numpy()
        mask = _null_mask(vals, kind)
    if kind == "date":
        out = np.asarray(vals, dtype=np.int64).astype("datetime64[D]").astype(str).astype(object)
    elif kind == "timestamp":
        s = np.datetime_as_string(np.asarray(vals, dtype=np.int64).astype("datetime64[s]"))
        out = np.strings.replace(s, "T", " ").astype(object)
    elif kind == "amount":
        out = _fixed(vals, 2, trim=False)
    elif kind == "count":
        out = _fixed(vals, 4, trim=True)
    elif kind == "ratio":
        out = _fixed(vals, 4, trim=False)
    else:  # flag, yearmonth
        out = np.asarray(vals, dtype=np.int64).astype(str).astype(object)
    out[mask] = None
    return out


def format_frame(spec: FileSpec, df: pd.DataFrame) -> pd.DataFrame:
    """The contract columns of a typed frame as text, in contract order."""
    return pd.DataFrame({c.name: format_column(df[c.name], c.type) for c in spec.columns},
                        columns=list(spec.column_names))


def _decimal_array(values: np.ndarray, mask: np.ndarray, precision: int, scale: int) -> pa.Array:
    v = np.asarray(values, dtype=np.int64)
    limbs = np.empty((len(v), 2), dtype=np.int64)
    limbs[:, 0] = v
    limbs[:, 1] = np.where(v < 0, -1, 0)
    validity = None
    if mask.any():
        validity = pa.py_buffer(np.packbits(~mask, bitorder="little").tobytes())
    return pa.Array.from_buffers(pa.decimal128(precision, scale), len(v),
                                 [validity, pa.py_buffer(limbs.tobytes())],
                                 null_count=int(mask.sum()))


def to_arrow(spec: FileSpec, df: pd.DataFrame) -> pa.Table:
    """Typed Arrow table of the contract columns."""
    arrays: list[pa.Array] = []
    for c in spec.columns:
        s = df[c.name]
        if c.type in ("text", "yearmonth"):
            arrays.append(pa.array(format_column(s, "text" if c.type == "text" else c.type),
                                   type=pa.string()))
            continue
        if isinstance(s.dtype, pd.Int64Dtype):
            mask = s.isna().to_numpy()
            vals = s.fillna(0).to_numpy(dtype=np.int64)
        else:
            vals = s.to_numpy(dtype=np.int64)
            mask = _null_mask(vals, c.type)
        if c.type == "date":
            arrays.append(pa.array(vals.astype(np.int32), type=pa.date32(), mask=mask))
        elif c.type == "timestamp":
            arrays.append(pa.array(vals, type=pa.timestamp("s"), mask=mask))
        elif c.type == "amount":
            arrays.append(_decimal_array(vals, mask, 18, 2))
        elif c.type == "count":
            arrays.append(_decimal_array(vals, mask, 18, 4))
        elif c.type == "ratio":
            arrays.append(_decimal_array(vals, mask, 9, 4))
        else:
            arrays.append(pa.array(vals.astype(np.int32), type=pa.int32(), mask=mask))
    return pa.Table.from_arrays(arrays, names=list(spec.column_names))


def csv_text(header: list[str], rows: pd.DataFrame, ragged: dict[int, list[str]],
             crlf: bool) -> str:
    """RFC 4180 text; ``ragged`` replaces whole data rows (0-based) with raw field lists."""
    buf = io.StringIO()
    if not ragged:
        rows.to_csv(buf, index=False, header=header, lineterminator="\r\n" if crlf else "\n",
                    quoting=csv.QUOTE_MINIMAL)
        return buf.getvalue()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for k, row in enumerate(rows.itertuples(index=False, name=None)):
        w.writerow(ragged.get(k, ["" if v is None else v for v in row]))
    return buf.getvalue()


def write_file(path_stem: Path, spec: FileSpec, fmt: FileFormat, typed: pd.DataFrame | None,
               text: pd.DataFrame | None, ragged: dict[int, list[str]] | None = None) -> Path:
    """Write one extract file; returns its path. Parquet uses ``typed``, CSV uses ``text``."""
    path = path_stem.with_name(path_stem.name + fmt.suffix)
    if fmt.kind == "parquet":
        assert typed is not None
        pq.write_table(to_arrow(spec, typed), path, compression="zstd")
        return path
    assert text is not None
    data = csv_text(list(spec.column_names), text, ragged or {}, fmt.crlf).encode(fmt.encoding)
    if fmt.kind == "csv.gz":
        with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                   compresslevel=6, mtime=0) as gz:
            gz.write(data)
    else:
        path.write_bytes(data)
    return path
