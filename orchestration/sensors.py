"""A sensor that starts the refresh when suppliers deliver a new batch folder.

The cursor is the JSON list of batch folder names already seen. A folder counts as delivered
once nothing in it has changed for ``YIBAO_BATCH_SETTLE_S`` seconds (default 120), so a batch
still being copied is not loaded half-way. A delivery of several folders at once starts one
run; its run key is the sorted names of the new folders, so the same delivery never starts
two runs. A batch delivered again under a name already seen is picked up by the nightly
schedule (the loader replaces changed batches).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from orchestration.jobs import nightly_refresh
from yibao import settings
from yibao.ingest.reader import BATCH_NAME

ENV_SETTLE = "YIBAO_BATCH_SETTLE_S"
DEFAULT_SETTLE_S = 120.0


def _last_change(folder: Path) -> float:
    """The newest modification time of the folder or anything in it."""
    newest = folder.stat().st_mtime
    for path in folder.rglob("*"):
        try:
            newest = max(newest, path.stat().st_mtime)
        except FileNotFoundError:  # removed while we looked
            continue
    return newest


def settled_batches(extracts: Path, settle_s: float, now: float | None = None) -> list[str]:
    """Batch folder names (YYYY-MM-DD) under ``extracts`` unchanged for ``settle_s`` seconds."""
    if not extracts.is_dir():
        return []
    now = time.time() if now is None else now
    return sorted(
        entry.name for entry in extracts.iterdir()
        if entry.is_dir() and BATCH_NAME.match(entry.name)
        and now - _last_change(entry) >= settle_s
    )


def parse_cursor(cursor: str | None) -> set[str]:
    """The batch names recorded in the sensor cursor (empty when there is none)."""
    return set(json.loads(cursor)) if cursor else set()


@sensor(
    name="new_batch_sensor",
    job=nightly_refresh,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts nightly_refresh when a new batch folder (YYYY-MM-DD) appears in the "
    "extracts root ($YIBAO_EXTRACTS_DIR).",
)
def new_batch_sensor(context: SensorEvaluationContext):
    """Request one run for all batch folders that appeared since the last evaluation."""
    extracts = settings.extracts_dir()
    settle_s = float(os.environ.get(ENV_SETTLE, DEFAULT_SETTLE_S))
    seen = parse_cursor(context.cursor)
    present = settled_batches(extracts, settle_s)
    new = sorted(set(present) - seen)
    if not new:
        return SkipReason(f"no new batch folder in {extracts}")
    context.update_cursor(json.dumps(sorted(seen | set(new))))
    return RunRequest(run_key="batches:" + ",".join(new),
                      tags={"yibao/trigger": "new_batch", "yibao/batches": ",".join(new)[:200]})
