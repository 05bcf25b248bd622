"""Sample-data generator for the extract contract.

``generate_extracts(out_dir, persons=10_000, seed=20240101, start_year=2020, end_year=2024,
defect_share=0.0, progress=None)`` writes a history batch and three daily batches of the ten
contract files for a synthetic Harbin population; see ``pipeline.py`` for the file formats and
the manifest.
"""

from yibao.generate.pipeline import GenerationSummary, generate_extracts

__all__ = ["GenerationSummary", "generate_extracts"]
