"""Pseudonymisation: the person_key UDF equals Python's HMAC, and the key is handled safely."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import duckdb
import pytest

from yibao import pii
from yibao.dbt_plugin import Plugin, register_person_key

PSN_NOS = ["2300000000000001", "2300000000000002", "H-中文-001", ""]


@pytest.fixture(autouse=True)
def isolated_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every test gets its own key file and no key from the environment."""
    key_file = tmp_path / "secrets" / "pii.key"
    monkeypatch.delenv(pii.KEY_ENV, raising=False)
    monkeypatch.setenv(pii.KEY_FILE_ENV, str(key_file))
    return key_file


def test_udf_matches_python_hmac() -> None:
    key = bytes(range(32))
    conn = duckdb.connect()
    register_person_key(conn, key)
    for psn_no in PSN_NOS:
        got = conn.execute("select yibao_person_key(?)", [psn_no]).fetchone()[0]
        assert got == hmac.new(key, psn_no.encode(), hashlib.sha256).hexdigest()
        assert got == pii.person_key(psn_no, key)
    assert conn.execute("select yibao_person_key(null)").fetchone()[0] is None


def test_udf_is_vectorised_over_a_column() -> None:
    key = b"k" * 32
    conn = duckdb.connect()
    register_person_key(conn, key)
    rows = conn.execute(
        "select psn_no, yibao_person_key(psn_no) from range(3000) as t(i), "
        "lateral (select cast(i as varchar) as psn_no)"
    ).fetchall()
    assert len(rows) == 3000
    assert all(key_hex == pii.person_key(psn_no, key) for psn_no, key_hex in rows)


def test_key_file_is_created_with_mode_0600_and_reused(isolated_key: Path) -> None:
    assert not isolated_key.exists()
    first = pii.load_key()
    assert isolated_key.exists()
    assert stat.S_IMODE(isolated_key.stat().st_mode) == 0o600
    assert len(first) == 32
    assert pii.load_key() == first
    assert pii.person_key("2300000000000001") == pii.person_key("2300000000000001", first)


def test_env_var_overrides_key_file(monkeypatch: pytest.MonkeyPatch, isolated_key: Path) -> None:
    file_key = pii.load_key()
    monkeypatch.setenv(pii.KEY_ENV, "ab" * 32)
    assert pii.load_key() == bytes.fromhex("ab" * 32)
    monkeypatch.setenv(pii.KEY_ENV, "a passphrase")
    assert pii.load_key() == b"a passphrase"
    assert pii.load_key() != file_key


def test_plugin_registers_udf_on_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pii.KEY_ENV, "cd" * 32)
    plugin = Plugin(name="dbt_plugin", plugin_config={})
    conn = duckdb.connect()
    plugin.configure_connection(conn)
    got = conn.execute("select yibao_person_key('2300000000000001')").fetchone()[0]
    expected = hmac.new(bytes.fromhex("cd" * 32), b"2300000000000001", hashlib.sha256)
    assert got == expected.hexdigest()
