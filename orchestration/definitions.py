"""The one Dagster Definitions object: `dagster dev` loads it from the repository root."""

from __future__ import annotations

from dagster import Definitions

from orchestration.assets.dbt import dbt_models
from orchestration.assets.ingestion import ingest_extract_batches
from orchestration.jobs import nightly_refresh
from orchestration.resources import default_resources

defs = Definitions(
    assets=[ingest_extract_batches, dbt_models],
    jobs=[nightly_refresh],
    resources=default_resources(),
)
