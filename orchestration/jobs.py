"""Jobs: the nightly refresh loads new batches and rebuilds every dbt model."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

nightly_refresh = define_asset_job(
    name="nightly_refresh",
    selection=AssetSelection.all(),
    description="Ingest every batch not loaded yet, then dbt build (seeds, models, tests).",
)
