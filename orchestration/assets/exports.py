"""Export assets: the regulator's indicator tables, written after the marts are rebuilt."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.resources import WarehouseResource
from orchestration.retries import TRANSIENT_RETRY
from yibao.lock import warehouse_lock

# The marts the export reads; the export runs only when all of them were rebuilt.
EXPORTED_MARTS = (
    AssetKey(["marts", "mart_monitoring_indicator"]),
    AssetKey(["marts", "mart_reimbursement_ratio"]),
    AssetKey(["marts", "mart_alliance_budget"]),
    AssetKey(["marts", "mart_procurement_alliance"]),
)


@asset(
    key=["exports", "regulator_indicator_tables"],
    group_name="exports",
    deps=list(EXPORTED_MARTS),
    retry_policy=TRANSIENT_RETRY,
    kinds={"csv", "xlsx"},
    description="The indicator tables for the regulator, for the latest complete period, "
    "written by yibao.export into the exports folder ($YIBAO_EXPORTS_DIR, default exports/).",
)
def regulator_indicator_tables(context: AssetExecutionContext,
                               warehouse: WarehouseResource) -> MaterializeResult:
    """Write the export of the latest period into ``<exports>/<period>/``."""
    # Imported here so the definitions load even while yibao.export is being changed; a
    # broken module is not transient, so it fails at once instead of being retried.
    try:
        from yibao.export import available_periods, export_period
    except ImportError as exc:
        raise Failure(description=f"yibao.export cannot be imported ({exc}); fix the export "
                      "module, then run the refresh again", allow_retries=False) from exc

    out_dir = warehouse.exports
    out_dir.mkdir(parents=True, exist_ok=True)
    # The lock keeps a concurrent refresh from rewriting the marts while they are read.
    with warehouse_lock(warehouse.warehouse):
        periods = list(available_periods(warehouse.warehouse))
        if not periods:
            raise RuntimeError(
                f"{warehouse.warehouse} has no period to export — the marts are empty; "
                "check that the extracts hold settlements and that dbt build succeeded"
            )
        result = export_period(warehouse.warehouse, out_dir)
    files = [str(f) for f in result.files]
    context.log.info(f"exported period {result.period} to {result.folder} ({len(files)} files)")
    return MaterializeResult(metadata={
        "period": str(result.period),
        "folder": MetadataValue.path(str(result.folder)),
        "manifest": MetadataValue.path(str(result.manifest_path)),
        "files": MetadataValue.json(files),
        "periods_available": len(periods),
    })
