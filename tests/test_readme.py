"""The README's example queries run against a freshly built sample warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_queries() -> list[str]:
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    statements = [q.strip() for block in blocks for q in block.split(";")]
    return [q for q in statements if re.search(r"\bselect\b", q, re.I)]


def test_readme_has_an_example_for_every_mart():
    text = "\n".join(readme_queries())
    marts = re.findall(r"`marts\.(mart_\w+)`", README.read_text(encoding="utf-8"))
    assert marts
    for mart in marts:
        assert f"marts.{mart}" in text, f"no example query for {mart}"


@pytest.mark.slow
@pytest.mark.parametrize("query", readme_queries(), ids=lambda q: q.splitlines()[0][:60])
def test_readme_query_runs(sample, query):
    assert sample["first"].returncode == 0, sample["first"].stdout[-3000:]
    con = duckdb.connect(str(sample["warehouse"]), read_only=True)
    try:
        con.execute(query).fetchall()
    finally:
        con.close()
