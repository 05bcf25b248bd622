"""The one Dagster Definitions object: `dagster dev` loads it from the repository root.

Assets run in this order: ingestion (raw) → dbt build (staging, core, marts, with the dbt
tests as asset checks) → the regulator export and dbt docs → the BI serving copy.
"""

from __future__ import annotations

from dagster import Definitions

from orchestration.assets.dbt import dbt_models
from orchestration.assets.exports import regulator_indicator_tables
from orchestration.assets.ingestion import ingest_extract_batches
from orchestration.assets.serving import bi_serving_copy, dbt_docs
from orchestration.jobs import nightly_refresh
from orchestration.resources import default_resources
from orchestration.schedules import nightly_refresh_schedule
from orchestration.sensors import new_batch_sensor

defs = Definitions(
    assets=[ingest_extract_batches, dbt_models, regulator_indicator_tables, dbt_docs,
            bi_serving_copy],
    jobs=[nightly_refresh],
    schedules=[nightly_refresh_schedule],
    sensors=[new_batch_sensor],
    resources=default_resources(),
)
