"""CSV files in UTF-8 with a byte-order mark, so Excel opens the Chinese headers correctly."""

from __future__ import annotations

from pathlib import Path

from yibao.export.tables import Table


def write_csv(table: Table, path: Path) -> Path:
    """Write one table as ``utf-8-sig`` CSV with ``\\n`` line ends; return the path."""
    table.frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path
