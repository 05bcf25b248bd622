"""The last steps of the refresh: dbt docs, and the serving copy BI tools read."""

import os
import subprocess

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.assets.exports import EXPORTED_MARTS
from orchestration.project import dbt_executable, dbt_project
from orchestration.resources import WarehouseResource
from orchestration.retries import TRANSIENT_RETRY
from yibao.lock import warehouse_lock
from yibao.serving import build_serving_copy
from yibao.settings import ENV_WAREHOUSE, PROJECT_ROOT

EXPORT_KEY = AssetKey(["exports", "regulator_indicator_tables"])
DOCS_KEY = AssetKey(["docs", "dbt_docs"])


@asset(
    key=DOCS_KEY,
    group_name="serving",
    deps=list(EXPORTED_MARTS),
    retry_policy=TRANSIENT_RETRY,
    kinds={"dbt"},
    description="dbt's documentation site (index.html, manifest.json, catalog.json) in target/; "
    "open it with `dbt docs serve --profiles-dir . --port 8080`.",
)
def dbt_docs(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """``dbt docs generate --no-compile`` into target/ (next to the parsed manifest.json).

    ``--no-compile`` reuses the manifest the refresh parsed and only reads the catalog from
    the warehouse: a few seconds instead of compiling every model again.
    """
    target = dbt_project.target_path
    cmd = [dbt_executable(), "docs", "generate", "--no-compile", "--quiet",
           "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT),
           "--target-path", str(target)]
    env = {**os.environ, ENV_WAREHOUSE: str(warehouse.warehouse)}
    with warehouse_lock(warehouse.warehouse):  # dbt-duckdb opens the file read-write
        done = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                              check=False)
    if done.returncode != 0:
        raise RuntimeError("dbt docs generate failed:\n" + (done.stdout + done.stderr).strip())
    context.log.info(f"dbt docs written to {target}")
    return MaterializeResult(metadata={
        "index": MetadataValue.path(str(target / "index.html")),
        "catalog": MetadataValue.path(str(target / "catalog.json")),
    })


@asset(
    key=["serving", "bi_serving_copy"],
    group_name="serving",
    deps=[EXPORT_KEY, DOCS_KEY],
    retry_policy=TRANSIENT_RETRY,
    kinds={"duckdb"},
    description="<warehouse stem>_serving.duckdb next to the warehouse: core, marts and the "
    "seed tables, no personal information, replaced atomically — point BI tools here.",
)
def bi_serving_copy(context: AssetExecutionContext,
                    warehouse: WarehouseResource) -> MaterializeResult:
    """Rebuild the serving copy; runs only when every upstream step of the refresh succeeded,
    so a failed night leaves yesterday's copy in place."""
    with warehouse_lock(warehouse.warehouse):
        result = build_serving_copy(warehouse.warehouse)
    context.log.info(f"serving copy {result.path}: {len(result.tables)} tables, "
                     f"{result.total_rows:,} rows")
    return MaterializeResult(metadata={
        "path": MetadataValue.path(str(result.path)),
        "tables": len(result.tables),
        "rows": result.total_rows,
    })
