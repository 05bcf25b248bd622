"""Dagster assets: ingestion, the dbt models, the exports and the BI serving copy."""
