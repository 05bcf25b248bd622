"""One writer at a time: an advisory file lock next to the warehouse file.

DuckDB allows a single writing process per database file. Ingestion and dbt both take this
lock before they open the file for writing, so two refreshes (a schedule and a manual run, or
a sensor firing twice) queue instead of failing half-way or interleaving writes.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse lock for longer than we were willing to wait."""


@contextmanager
def warehouse_lock(warehouse: Path, timeout_s: float | None = None,
                   poll_s: float = 0.5) -> Iterator[None]:
    """Hold the writer lock of ``warehouse`` for the duration of the block."""
    if timeout_s is None:
        timeout_s = float(os.environ.get("YIBAO_LOCK_TIMEOUT_S", "3600"))
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    with lock_path.open("a+") as fh:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise WarehouseBusy(
                        f"{warehouse} is being written by another refresh ({holder}); "
                        f"waited {timeout_s:.0f}s — try again when it has finished"
                    ) from None
                time.sleep(poll_s)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
