"""The nightly schedule: the full refresh at 02:00 Beijing time, on from the first start."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import nightly_refresh

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"

nightly_refresh_schedule = ScheduleDefinition(
    name="nightly_refresh_schedule",
    job=nightly_refresh,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 Asia/Shanghai: ingest new batches, dbt build, exports, "
    "dbt docs, serving copy.",
)
