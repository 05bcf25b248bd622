"""Benefit policy and code groupings, read from the project's seeds.

Settlement money follows ``seeds/policy/param_benefit_policy.csv`` (deductible, pooled-fund
ratio, annual cap and out-of-province ratio cut by scheme × care-type group × level group);
the groupings come from ``seeds/codes/code_med_type.csv`` (care-type group) and
``seeds/codes/code_hosp_lv.csv`` (level group). Nothing here retypes a policy number.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import numpy as np

from yibao.contract import CODE_SEED_DIR, PROJECT_ROOT

POLICY_SEED = PROJECT_ROOT / "seeds" / "policy" / "param_benefit_policy.csv"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def _level_groups() -> dict[str, str]:
    return {r["code"]: r["level_group"] for r in _read(CODE_SEED_DIR / "code_hosp_lv.csv")}


@cache
def _care_groups() -> dict[str, str]:
    return {r["code"]: r["care_type_group"] for r in _read(CODE_SEED_DIR / "code_med_type.csv")}


def level_group_of(hosp_lv: np.ndarray) -> np.ndarray:
    """Level group (三级/二级/一级/未定级) of each ``hosp_lv`` code."""
    groups = _level_groups()
    return np.array([groups[str(v)] for v in hosp_lv], dtype=object)


def care_group_of(med_type: np.ndarray) -> np.ndarray:
    """Care-type group (outpatient/inpatient/pharmacy) of each ``med_type`` code."""
    groups = _care_groups()
    return np.array([groups[str(v)] for v in med_type], dtype=object)


def _cents(text: str) -> int:
    return int((Decimal(text) * 100).to_integral_value())


def _ten_thousandths(text: str) -> int:
    return int((Decimal(text) * 10_000).to_integral_value())


@dataclass(frozen=True)
class PolicyRow:
    """One row of the benefit policy seed, money in cents and ratios in 1/10,000."""

    admdvs: str
    insutype: str
    care_group: str
    level_group: str
    year_from: int
    year_to: int
    deductible: int
    ratio: int
    cap: int
    out_of_province_cut: int


@cache
def policy_rows() -> tuple[PolicyRow, ...]:
    """All rows of ``param_benefit_policy.csv``."""
    return tuple(
        PolicyRow(
            admdvs=r["admdvs"], insutype=r["insutype"], care_group=r["care_type_group"],
            level_group=r["level_group"], year_from=int(r["year_from"]),
            year_to=int(r["year_to"]), deductible=_cents(r["deductible"]),
            ratio=_ten_thousandths(r["pool_ratio"]), cap=_cents(r["annual_cap"]),
            out_of_province_cut=_ten_thousandths(r["out_of_province_ratio_cut"]),
        )
        for r in _read(POLICY_SEED)
    )


def lookup(admdvs: str, insutype: str, care_group: str, level_group: str, year: int) -> PolicyRow:
    """The policy row for one combination; a county-specific row wins over ``default``.

    A pharmacy purchase is looked up with the pharmacy row whatever the level group is;
    a combination the seed lacks falls back to the 未定级 row of the same care group.
    """
    rows = policy_rows()
    for want_admdvs in (admdvs, "default"):
        for want_level in (level_group, "未定级"):
            for r in rows:
                if (r.admdvs == want_admdvs and r.insutype == insutype
                        and r.care_group == care_group and r.level_group == want_level
                        and r.year_from <= year <= r.year_to):
                    return r
        if care_group == "pharmacy":
            for r in rows:
                if (r.admdvs == want_admdvs and r.insutype == insutype
                        and r.care_group == care_group and r.year_from <= year <= r.year_to):
                    return r
    raise LookupError(
        f"param_benefit_policy.csv has no row for insutype {insutype}, care group {care_group},"
        f" level {level_group}, year {year} (admdvs {admdvs} or default): add one to the seed"
    )
