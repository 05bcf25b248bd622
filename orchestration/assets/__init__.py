"""Dagster assets: ingestion of extract batches and the dbt models built from them."""
