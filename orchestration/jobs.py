"""Jobs: the nightly refresh loads new batches, rebuilds every dbt model, then delivers."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

nightly_refresh = define_asset_job(
    name="nightly_refresh",
    selection=AssetSelection.all(),
    description="Ingest every batch not loaded yet, dbt build (seeds, models, tests), then the "
    "regulator export, dbt docs and the BI serving copy.",
)
