"""Sample-data generator for the extract contract."""
