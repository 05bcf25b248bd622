"""The dbt project as Dagster assets: keys and groups follow the dbt folders.

Every dbt data test attached to a model becomes a Dagster asset check of that model
(dagster-dbt's default, ``enable_asset_checks=True``): `dbt build` reports each test result
as a check result, so a failed test is visible on the asset in the UI. The marts carry a
freshness policy: they fail freshness when not rebuilt for 26 hours (one nightly run at 02:00
plus two hours' slack).
"""

import json
import logging
import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetSpec, FreshnessPolicy
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.project import MANIFEST_PATH, dbt_project
from orchestration.resources import WarehouseResource
from yibao.lock import warehouse_lock
from yibao.settings import ENV_WAREHOUSE

log = logging.getLogger("yibao.dbt")

# The nightly schedule runs at 02:00; a mart older than 26 hours missed a night.
MARTS_FRESHNESS = FreshnessPolicy.time_window(fail_window=timedelta(hours=26),
                                              warn_window=timedelta(hours=25))


class FolderTranslator(DagsterDbtTranslator):
    """models/staging/his/stg_his__visit.sql → key staging/stg_his__visit, group staging_his.

    Sources keep dagster-dbt's default key (raw/<table>), which is the key of the ingestion
    assets; seeds are keyed by the schema they land in.
    """

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str,
                       project: DbtProject | None) -> AssetSpec:
        """The default spec, plus the 26-hour freshness policy on every model under marts/."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        fqn = props.get("fqn") or []
        if props["resource_type"] == "model" and len(fqn) > 2 and fqn[1] == "marts":
            spec = spec.replace_attributes(freshness_policy=MARTS_FRESHNESS)
        return spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        folders = fqn[1:-1]
        if dbt_resource_props["resource_type"] == "seed":
            return "_".join(["seeds", *folders]) if folders else "seeds"
        return "_".join(folders) if folders else "dbt"


@dbt_assets(manifest=MANIFEST_PATH, project=dbt_project,
            dagster_dbt_translator=FolderTranslator(), name="dbt_models")
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource,
               warehouse: WarehouseResource):
    """`dbt build` (seeds, models, tests, unit tests) against the warehouse file.

    No retry policy: a failed build is a failed test or a broken model, which a re-run would
    reproduce after another full build (see orchestration/retries.py).
    """
    os.environ[ENV_WAREHOUSE] = str(warehouse.warehouse)
    with warehouse_lock(warehouse.warehouse):
        invocation = dbt.cli(["build"], context=context, raise_on_error=False)
        yield from invocation.stream()
        results = _summarise(invocation.target_path / "run_results.json")
        for line in results:
            log.info(line)
            context.log.info(line)
        if not invocation.is_successful():
            raise RuntimeError("dbt build failed:\n" + "\n".join(results[-20:]))


def _summarise(run_results_path) -> list[str]:
    """One line per status count and one per failed node, from dbt's run_results.json."""
    if not run_results_path.exists():
        return ["dbt produced no run_results.json"]
    data = json.loads(run_results_path.read_text())
    counts: dict[str, int] = {}
    failed = []
    for r in data.get("results", []):
        counts[r["status"]] = counts.get(r["status"], 0) + 1
        if r["status"] in ("error", "fail", "warn"):
            failed.append(f"  {r['status']}: {r['unique_id']} — {(r.get('message') or '')[:200]}")
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    return [f"dbt build: {summary} in {data.get('elapsed_time', 0):.1f}s", *failed]
