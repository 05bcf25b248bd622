"""Ingestion of extract batches into the raw schema."""
