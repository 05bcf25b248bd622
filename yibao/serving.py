"""The serving copy: a read-only DuckDB file for BI tools, replaced atomically after a refresh.

A BI tool (Superset, Metabase, Excel via ODBC, an analyst's notebook) must not open the
warehouse itself: DuckDB allows one writer per file, so a dashboard holding the warehouse open
would block the nightly refresh, and the warehouse holds personal information in ``raw``,
``staging`` and ``restricted``. Instead each successful refresh writes
``<warehouse stem>_serving.duckdb`` next to the warehouse (``warehouse/yibao_serving.duckdb``):

- only the schemas analysts need: ``core`` and ``marts`` in full, and from ``staging`` only
  the seed tables (code, reference and policy tables) — never the ``stg_`` views, ``raw`` or
  ``restricted``; every relation is *materialised* as a table, so views that call the
  person-key UDF work in any DuckDB client;
- it is refused (and yesterday's copy kept) if any column is called like personal information
  (``certno``, ``psn_name``, ``psn_no``);
- it is built in a temporary file in the same folder, fsynced, then moved over the old copy
  with ``os.replace``: a reader that has the old copy open keeps reading the old file (Linux
  keeps its inode alive until the last reader closes it), a reader opening it later sees the
  new one, and nobody ever sees a half-written file.

The name ``<stem>_serving`` rather than ``serving``: two warehouses in one folder get two
copies, and the name is a plain SQL identifier (DuckDB names the catalog after the file stem).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

SERVING_SCHEMAS = ("core", "marts")
SEED_SCHEMA = "staging"
SEED_PREFIXES = ("code_", "param_", "ref_")
PII_COLUMNS = ("certno", "psn_name", "psn_no")


class ServingCopyError(RuntimeError):
    """The serving copy could not be built; the previous copy is left in place."""


@dataclass(frozen=True)
class ServingResult:
    """What a serving copy holds."""

    path: Path
    tables: dict[str, int] = field(default_factory=dict)  # "schema.table" -> rows

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())


def serving_path(warehouse: Path) -> Path:
    """``warehouse/yibao.duckdb`` → ``warehouse/yibao_serving.duckdb`` (same folder)."""
    return warehouse.with_name(f"{warehouse.stem}_serving{warehouse.suffix or '.duckdb'}")


def _relations(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    """(schema, name) of every relation of ``catalog`` that belongs in the serving copy."""
    rows = con.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_catalog = ? order by 1, 2",
        [catalog],
    ).fetchall()
    wanted = []
    for schema, name, kind in rows:
        if schema in SERVING_SCHEMAS or (
            schema == SEED_SCHEMA and kind == "BASE TABLE" and name.startswith(SEED_PREFIXES)
        ):
            wanted.append((schema, name))
    return wanted


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_serving_copy(warehouse: Path, target: Path | None = None,
                       pii_columns: Iterable[str] = PII_COLUMNS) -> ServingResult:
    """Write the serving copy of ``warehouse`` to ``target`` (default :func:`serving_path`).

    The caller holds the warehouse lock (nothing writes the warehouse meanwhile). On any
    error the temporary file is removed and the previous serving copy is untouched.
    """
    warehouse = Path(warehouse)
    target = Path(target) if target is not None else serving_path(warehouse)
    if not warehouse.exists():
        raise ServingCopyError(f"{warehouse} does not exist — run `yibao refresh` first")
    if target.resolve() == warehouse.resolve():
        raise ServingCopyError(f"the serving copy may not be the warehouse itself ({target})")
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    catalog = warehouse.stem  # dbt-duckdb qualifies view bodies with this catalog name
    tables: dict[str, int] = {}
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        # Views in core compute person keys with the dbt plugin's UDF; register it so they
        # can be materialised (the key is the one the refresh used).
        from yibao.dbt_plugin import register_person_key

        register_person_key(con)
        con.execute(f"attach {_literal(warehouse)} as {_quote(catalog)} (read_only)")
        con.execute(f"attach {_literal(tmp)} as serving_new")
        con.execute(f"use {_quote(catalog)}")
        for schema, name in _relations(con, catalog):
            con.execute(f"create schema if not exists serving_new.{_quote(schema)}")
            con.execute(
                f"create table serving_new.{_quote(schema)}.{_quote(name)} as "
                f"select * from {_quote(catalog)}.{_quote(schema)}.{_quote(name)}"
            )
            tables[f"{schema}.{name}"] = con.execute(
                f"select count(*) from serving_new.{_quote(schema)}.{_quote(name)}"
            ).fetchone()[0]
        if not tables:
            raise ServingCopyError(
                f"{warehouse} has no core or marts relations — run the full refresh (dbt build) "
                "before building the serving copy"
            )
        leaked = con.execute(
            "select table_schema || '.' || table_name || '.' || column_name "
            "from information_schema.columns where table_catalog = 'serving_new' "
            "and lower(column_name) in (select unnest(?::varchar[]))",
            [list(pii_columns)],
        ).fetchall()
        if leaked:
            raise ServingCopyError(
                "personal information would reach the serving copy (columns "
                + ", ".join(r[0] for r in leaked)
                + "): drop those columns from the model or leave it out of core/marts"
            )
        con.execute("detach serving_new")  # checkpoints the new file and closes it
        con.close()
        _fsync(tmp)
        os.replace(tmp, target)
        _fsync(target.parent)  # make the rename itself durable
    except BaseException:
        with contextlib.suppress(Exception):
            con.close()
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    return ServingResult(path=target, tables=tables)


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
