"""The dbt project as Dagster sees it, and the explicit parse that produces its manifest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from yibao.settings import PROJECT_ROOT

dbt_project = DbtProject(project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT)
MANIFEST_PATH: Path = dbt_project.manifest_path


def dbt_executable() -> str:
    """The dbt command of the running environment (the project's .venv)."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def parse_dbt_project(env: dict[str, str] | None = None) -> Path:
    """Run ``dbt parse`` so that target/manifest.json matches the models on disk.

    dagster-dbt builds its assets from the manifest; ``DbtProject.prepare_if_dev`` only parses
    under ``dagster dev``, so the CLI, the tests and CI call this explicitly.
    """
    # Always into the target path dagster-dbt reads, whatever DBT_TARGET_PATH says.
    cmd = [dbt_executable(), "parse", "--quiet", "--project-dir", str(PROJECT_ROOT),
           "--profiles-dir", str(PROJECT_ROOT), "--target-path", str(dbt_project.target_path)]
    done = subprocess.run(cmd, cwd=PROJECT_ROOT, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            "dbt parse failed — fix the dbt project before refreshing:\n"
            + (done.stdout + done.stderr).strip()
        )
    return MANIFEST_PATH


# Under `dagster dev` parse the project so the manifest matches the models on disk. Not
# DbtProject.prepare_if_dev(): it looks for `dbt` on PATH, which is not there when the venv
# is not activated; parse_dbt_project uses the venv's dbt.
if os.environ.get("DAGSTER_IS_DEV_CLI"):
    parse_dbt_project()
