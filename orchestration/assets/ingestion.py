"""Ingestion assets: one asset per raw table, grouped by extract family.

All raw tables are produced by one multi-asset because a batch must apply atomically across
families (a batch with a broken settlement file must not leave its enrollment rows loaded).
The asset keys (raw/<file>) are the keys dagster-dbt gives the dbt sources, so the lineage
from files to marts is one graph.
"""


import logging

from dagster import AssetExecutionContext, AssetSpec, Failure, MaterializeResult, multi_asset

from orchestration.resources import WarehouseResource
from orchestration.retries import TRANSIENT_RETRY
from yibao.contract import FILES
from yibao.ingest.loader import ingest
from yibao.lock import warehouse_lock

BOOKKEEPING_TABLES = ("load_batch", "load_file", "load_quarantine", "load_history")

RAW_SPECS = [
    AssetSpec(
        key=["raw", spec.name],
        group_name=f"raw_{spec.family}",
        description=f"{spec.description}. Contract file `{spec.name}`, key "
        f"({', '.join(spec.key)}); every delivered version with batch lineage.",
        kinds={"duckdb"},
    )
    for spec in FILES
] + [
    AssetSpec(key=["raw", name], group_name="raw_load_log",
              description=f"Load bookkeeping: raw.{name}.", kinds={"duckdb"})
    for name in BOOKKEEPING_TABLES
]

log = logging.getLogger("yibao.ingest")


@multi_asset(specs=RAW_SPECS, name="ingest_extract_batches", can_subset=False,
             retry_policy=TRANSIENT_RETRY)
def ingest_extract_batches(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Load every new or changed batch folder of the extracts root into the raw schema."""

    def say(line: str) -> None:
        log.info(line)
        context.log.info(line)

    with warehouse_lock(warehouse.warehouse):
        result = ingest(warehouse.extracts, warehouse.warehouse, run_id=context.run_id[:12],
                        progress=say)
    if result.rejected:
        details = "\n".join(f"- {b.batch_id}: {b.error}" for b in result.rejected)
        raise Failure(
            description=(
                f"{len(result.rejected)} batch(es) rejected, nothing of them was applied; "
                f"the models were not rebuilt so the marts stay consistent.\n{details}\n"
                "Fix the delivery (replace the batch folder) and run the refresh again."
            ),
            metadata={"rejected_batches": [b.batch_id for b in result.rejected]},
            # A rejected delivery stays rejected until it is replaced: retrying cannot help.
            allow_retries=False,
        )
    loaded = result.rows_by_file()
    batches = [b.batch_id for b in result.batches if b.action in ("loaded", "replaced")]
    for spec in RAW_SPECS:
        name = spec.key.path[-1]
        yield MaterializeResult(
            asset_key=spec.key,
            metadata={"rows_loaded_this_run": loaded.get(name, 0),
                      "batches_loaded_this_run": ", ".join(batches) or "none"},
        )
