"""manifest.json: what was exported, from which data, with checksums to verify the files."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from yibao.export.tables import Provenance


def file_entry(path: Path, rows: int | None) -> dict:
    """Name, data rows (None for the workbook and report), size and sha256 of one file."""
    data = path.read_bytes()
    return {"name": path.name, "rows": rows, "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}


def write_manifest(path: Path, period: str, generated_at: datetime, provenance: Provenance,
                   files: list[tuple[Path, int | None]]) -> Path:
    """Write the manifest (sorted keys, files in output order); return its path."""
    body = {
        "period": period,
        "generated_at": generated_at.isoformat(),
        "data_cutoff": provenance.cutoff.isoformat() if provenance.cutoff else None,
        "source_batches": provenance.batches,
        "files": [file_entry(p, rows) for p, rows in files],
    }
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                    encoding="utf-8")
    return path
