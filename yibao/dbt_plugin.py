"""dbt-duckdb plugin: registers the scalar UDF ``yibao_person_key(varchar) -> varchar``.

Declared in profiles.yml under the duckdb output::

    plugins:
      - module: yibao.dbt_plugin

dbt-duckdb calls ``configure_connection`` on every connection it opens (models, tests and
unit tests alike), so the ``person_key`` macro (macros/core/person_key.sql) can call the UDF
anywhere. Any other DuckDB client that must compute keys calls ``register_person_key``.
"""

from __future__ import annotations

import contextlib
from typing import Any

import duckdb
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin

from yibao.pii import load_key, person_keys

UDF_NAME = "yibao_person_key"


def register_person_key(conn: duckdb.DuckDBPyConnection, key: bytes | None = None) -> None:
    """Register ``yibao_person_key`` on ``conn`` as a vectorised (Arrow) UDF with ``key``."""
    key = load_key() if key is None else key

    def _udf(values: pa.Array) -> pa.Array:
        return pa.array(person_keys(values.to_pylist(), key), type=pa.string())

    # Re-registering (a cursor of a configured connection) replaces the function.
    with contextlib.suppress(duckdb.Error):
        conn.remove_function(UDF_NAME)
    conn.create_function(
        UDF_NAME,
        _udf,
        [duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("VARCHAR"),
        type="arrow",
        null_handling="special",
        side_effects=False,
    )


class Plugin(BasePlugin):
    """Registers the pseudonymisation UDF on each connection dbt-duckdb opens."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        # Load (or create) the key once, at profile load, so a missing key fails early.
        self._key = load_key()

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        register_person_key(conn, self._key)
