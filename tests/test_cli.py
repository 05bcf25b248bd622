"""The `yibao` command as a user runs it: messages, exit codes, determinism."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tests import extract_builders as b

ROOT = Path(__file__).resolve().parent.parent


def yibao(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT,
          timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess, as a user would (no state leaks into the test process)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "yibao.cli", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_generate_is_deterministic_for_a_seed_and_differs_across_seeds(tmp_path):
    args = ["--persons", "150", "--start-year", "2023", "--end-year", "2024"]
    for out, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        done = yibao("generate", "--out", str(tmp_path / out), "--seed", seed, *args)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "batches" in done.stdout and "settlement" in done.stdout
    first, second, other = (tree_digest(tmp_path / x) for x in "abc")
    assert first == second
    assert first["2024-12-29/settlement.csv"] != other["2024-12-29/settlement.csv"]


def test_refresh_without_extracts_folder_says_how_to_get_one(tmp_path):
    done = yibao("refresh", "--extracts", str(tmp_path / "nowhere"),
                 "--warehouse", str(tmp_path / "w.duckdb"))
    assert done.returncode == 2
    assert "does not exist" in done.stdout and "yibao generate --out" in done.stdout


def test_refresh_environment_variables_choose_the_folders(tmp_path):
    done = yibao("refresh", env={"YIBAO_EXTRACTS_DIR": str(tmp_path / "from-env")})
    assert done.returncode == 2
    assert str(tmp_path / "from-env") in done.stdout


def test_refresh_with_a_broken_batch_fails_naming_file_and_column(tmp_path):
    extracts = tmp_path / "extracts"
    header = [c for c in b.settlement() if c != "medfee_sumamt"]
    b.write_csv(extracts / "2024-01-01" / "settlement.csv", [b.settlement()], header=header)
    done = yibao("refresh", "--extracts", str(extracts), "--warehouse",
                 str(tmp_path / "w.duckdb"), env={"DAGSTER_HOME": str(tmp_path / "dh")})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "REFRESH FAILED" in done.stdout
    assert "2024-01-01/settlement.csv" in done.stdout and "medfee_sumamt" in done.stdout
    assert "rejected" in done.stdout


def test_sql_needs_a_warehouse(tmp_path):
    done = yibao("sql", "select 1", "--warehouse", str(tmp_path / "none.duckdb"))
    assert done.returncode == 2
    assert "yibao refresh" in done.stdout


def test_warehouse_file_named_like_a_schema_is_refused(tmp_path):
    (tmp_path / "extracts").mkdir()
    done = yibao("refresh", "--extracts", str(tmp_path / "extracts"),
                 "--warehouse", str(tmp_path / "core.duckdb"))
    assert done.returncode == 2
    assert "may not be called core.duckdb" in done.stdout
