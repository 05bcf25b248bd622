"""DDL of the ``raw`` schema: one table per contract file plus the load bookkeeping tables.

Every raw table holds the contract's columns, typed, and the lineage columns below. Raw keeps
every delivered version of a row (one per batch); staging picks the latest version per key.
"""

from __future__ import annotations

import duckdb

from yibao.contract import FILES, FileSpec

RAW_SCHEMA = "raw"

# Lineage columns added to every raw table, in this order.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_batch_id", "VARCHAR"),  # batch folder name, YYYY-MM-DD (sorts in delivery order)
    ("_file_name", "VARCHAR"),  # path of the file inside the extracts root, e.g. 2024-03-01/x.csv
    ("_row_number", "BIGINT"),  # 1-based data-row number in that file (header excluded)
    ("_loaded_at", "TIMESTAMP"),  # when the batch was committed (UTC)
    ("_run_id", "VARCHAR"),  # the refresh run that loaded it
)

BOOKKEEPING_DDL: tuple[str, ...] = (
    # One row per batch in its current state.
    f"""create table if not exists {RAW_SCHEMA}.load_batch (
        batch_id varchar primary key,
        content_hash varchar not null,
        status varchar not null,          -- loaded | rejected
        file_count integer not null,
        rows_read bigint not null,
        rows_loaded bigint not null,
        rows_quarantined bigint not null,
        error varchar,
        loaded_at timestamp not null,
        run_id varchar not null
    )""",
    # One row per file of a loaded batch: rows_read = rows_loaded + rows_quarantined.
    f"""create table if not exists {RAW_SCHEMA}.load_file (
        batch_id varchar not null,
        file_name varchar not null,
        file_spec varchar not null,
        file_format varchar not null,     -- csv | csv.gz | parquet
        encoding varchar,                 -- utf-8 | utf-8-sig | gb18030 (CSV only)
        sha256 varchar not null,
        size_bytes bigint not null,
        mtime_ns bigint not null,
        rows_read bigint not null,
        rows_loaded bigint not null,
        rows_quarantined bigint not null,
        loaded_at timestamp not null,
        run_id varchar not null,
        primary key (batch_id, file_name)
    )""",
    # Rows kept aside, one per rejected source row, with every reason and the original values.
    f"""create table if not exists {RAW_SCHEMA}.load_quarantine (
        batch_id varchar not null,
        file_name varchar not null,
        file_spec varchar not null,
        row_number bigint not null,
        columns varchar not null,         -- the columns named by the reasons, comma-separated
        rule_codes varchar not null,      -- comma-separated rule codes
        reason varchar not null,          -- every violation, '; '-separated
        original_values varchar not null, -- JSON object of the row as delivered (text)
        quarantined_at timestamp not null,
        run_id varchar not null
    )""",
    # Append-only log of every load attempt, including rejected and replaced ones.
    f"""create table if not exists {RAW_SCHEMA}.load_history (
        run_id varchar not null,
        batch_id varchar not null,
        content_hash varchar not null,
        action varchar not null,          -- loaded | replaced | rejected
        rows_read bigint not null,
        rows_loaded bigint not null,
        rows_quarantined bigint not null,
        error varchar,
        started_at timestamp not null,
        finished_at timestamp not null
    )""",
)


def raw_table_ddl(spec: FileSpec) -> str:
    """CREATE TABLE statement of the raw table of one contract file."""
    cols = [f"{c.name} {c.sql_type}" for c in spec.columns]
    cols += [f"{name} {sql_type}" for name, sql_type in LINEAGE_COLUMNS]
    body = ",\n    ".join(cols)
    return f"create table if not exists {RAW_SCHEMA}.{spec.name} (\n    {body}\n)"


def create_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and all its tables if they are missing (idempotent)."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for spec in FILES:
        con.execute(raw_table_ddl(spec))
    for ddl in BOOKKEEPING_DDL:
        con.execute(ddl)
