"""Pseudonymisation of persons: ``person_key`` = HMAC-SHA256 of ``psn_no`` under a secret key.

The key comes from, in order:

1. the environment variable ``YIBAO_PII_KEY``;
2. the key file named by ``YIBAO_PII_KEY_FILE``, default ``<repo>/.secrets/pii.key``, created
   on first use with 32 random bytes (hex) and mode 0600.

Key text of 64 hex digits is decoded to its 32 bytes; any other text is used as its UTF-8
bytes. The same key must be used by every run that writes ``core``, or person keys change.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

KEY_ENV = "YIBAO_PII_KEY"
KEY_FILE_ENV = "YIBAO_PII_KEY_FILE"
DEFAULT_KEY_FILE = Path(__file__).resolve().parents[1] / ".secrets" / "pii.key"


def key_file_path() -> Path:
    """The key file to read (or create): ``$YIBAO_PII_KEY_FILE`` or ``<repo>/.secrets/pii.key``."""
    return Path(os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE)


def _decode_key(text: str) -> bytes:
    text = text.strip()
    if not text:
        raise ValueError(
            f"the pseudonymisation key is empty: set {KEY_ENV} or put a key in {key_file_path()}"
        )
    if len(text) == 64:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    return text.encode("utf-8")


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting at once must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    os.chmod(path, 0o600)


def load_key() -> bytes:
    """The HMAC key: ``$YIBAO_PII_KEY``, else the key file (created with mode 0600 if absent)."""
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        return _decode_key(from_env)
    path = key_file_path()
    if not path.exists():
        _create_key_file(path)
    return _decode_key(path.read_text(encoding="ascii"))


def person_key(psn_no: str | None, key: bytes | None = None) -> str | None:
    """The pseudonymous person key of ``psn_no`` (hex HMAC-SHA256); ``None`` stays ``None``."""
    if psn_no is None:
        return None
    key = load_key() if key is None else key
    return hmac.new(key, psn_no.encode("utf-8"), hashlib.sha256).hexdigest()


def person_keys(psn_nos: Iterable[str | None], key: bytes) -> list[str | None]:
    """``person_key`` of many values with one key (the vectorised UDF's body)."""
    return [person_key(value, key) for value in psn_nos]
