"""The sample region: designated institutions and county medical alliances of Harbin.

Institution codes are deterministic: ``H`` (medical institution) or ``P`` (pharmacy) + the
6-digit admdvs where it is located + a 5-digit sequence. Every county gets a people's hospital
(二级甲等, the alliance lead), a TCM hospital, one health centre per town (乡镇卫生院, at most
15), community health centres in the county seat, 2–3 village clinics per town and a few
designated pharmacies. The city districts get the tertiary hospitals, three district hospitals,
community health centres and pharmacies; a few hospitals outside the city and the province
receive patients but deliver no HIS data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from yibao.generate import names
from yibao.generate.dates import NULL_DAY, day_of
from yibao.generate.policy import level_group_of

MAX_TOWNSHIPS = 15
TWO_ALLIANCE_COUNTIES = ("230125", "230183", "230184")  # the second alliance is TCM-led
LATE_ALLIANCE_COUNTIES = ("230124", "230127", "230128", "230129")  # join one year later


@dataclass(frozen=True)
class Region:
    """Institutions (internal typed frame) and alliance memberships of the sample region."""

    institutions: pd.DataFrame
    alliance_members: pd.DataFrame
    counties: tuple[str, ...]
    districts: tuple[str, ...]
    new_pharmacy_code: str


class _Builder:
    """Collects institution rows and hands out per-admdvs sequence numbers."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self._seq: dict[str, int] = {}

    def add(self, name: str, cat: str, lv: str, admdvs: str, role: str, area: str,
            begndate: int, town: int = -1, weight: float = 1.0) -> int:
        prefix = "P" if cat == "pharmacy" else "H"
        key = prefix + admdvs
        self._seq[key] = self._seq.get(key, 0) + 1
        self.rows.append({
            "fixmedins_code": f"{key}{self._seq[key]:05d}",
            "fixmedins_name": name,
            "medins_cat": cat,
            "hosp_lv": lv,
            "admdvs": admdvs,
            "begndate": begndate,
            "enddate": NULL_DAY,
            "role": role,
            "area": area,
            "town": town,
            "weight": weight,
        })
        return len(self.rows) - 1


def _random_day(rng: np.random.Generator, lo: int, hi: int) -> int:
    return int(rng.integers(lo, max(hi, lo) + 1))


def build_region(rng: np.random.Generator, start_year: int, end_year: int) -> Region:
    """Build the institutions and alliance memberships of the sample region."""
    b = _Builder()
    before = day_of(start_year - 1, 12, 31)
    early = min(day_of(2012, 12, 31), before)

    for name, admdvs, cat, lv, weight in names.CITY_TERTIARY:
        b.add(name, cat, lv, admdvs, "tertiary", "city_district",
              _random_day(rng, day_of(1998), early), weight=weight)
    for name, admdvs, cat, lv in names.CITY_SECONDARY:
        b.add(name, cat, lv, admdvs, "district_hosp", "city_district",
              _random_day(rng, day_of(2000), early))
    for name, admdvs, cat, lv in names.OUT_OF_CITY:
        b.add(name, cat, lv, admdvs, "out_city", "out_of_city",
              _random_day(rng, day_of(2000), early))
    for name, admdvs, cat, lv in names.OUT_OF_PROVINCE:
        b.add(name, cat, lv, admdvs, "out_prov", "out_of_province",
              _random_day(rng, day_of(2000), early))

    for admdvs, (district, streets) in names.DISTRICT_STREETS.items():
        for street in streets:
            b.add(f"哈尔滨市{district}{street}社区卫生服务中心", "community_hc", "08"
                  if rng.random() < 0.4 else "11", admdvs, "community", "city_district",
                  _random_day(rng, day_of(2005), before))
        for k in range(2 + int(rng.integers(0, 2))):
            chain = names.PHARMACY_CHAINS[int(rng.integers(len(names.PHARMACY_CHAINS)))]
            b.add(f"{chain}{district}{names.CHINESE_NUMERALS[k]}店", "pharmacy", "11", admdvs,
                  "pharmacy", "city_district", _random_day(rng, day_of(2008), before))

    for admdvs, (county, towns) in names.COUNTY_TOWNS.items():
        short = county[:-1]
        b.add(f"{county}人民医院", "general_hospital", "05", admdvs, "county_hosp", "county",
              _random_day(rng, day_of(1998), early))
        b.add(f"{county}中医医院", "tcm_hospital", "06" if rng.random() < 0.5 else "05", admdvs,
              "county_tcm", "county", _random_day(rng, day_of(1998), early))
        for t, town in enumerate(towns[:MAX_TOWNSHIPS]):
            centre = "中心卫生院" if 0 < t <= 3 else "卫生院"
            lv = "08" if t <= 3 else ("09" if rng.random() < 0.5 else "11")
            b.add(f"{county}{town}{centre}", "township_hc", lv, admdvs, "township", "county",
                  _random_day(rng, day_of(2005), before), town=t)
        for k in range(1 + int(rng.integers(0, 3))):
            b.add(f"{county}{names.COMMUNITY_SUFFIXES[k]}社区卫生服务中心", "community_hc", "11",
                  admdvs, "community", "county", _random_day(rng, day_of(2008), before), town=0)
        for t, town in enumerate(towns[:MAX_TOWNSHIPS]):
            picks = rng.choice(len(names.VILLAGES), size=2 + int(rng.integers(0, 2)),
                               replace=False)
            for v in sorted(int(p) for p in picks):
                b.add(f"{county}{town}{names.VILLAGES[v]}卫生室", "village_clinic", "11", admdvs,
                      "village", "county", _random_day(rng, day_of(2010), before), town=t)
        for k in range(3 + int(rng.integers(0, 3))):
            chain = names.PHARMACY_CHAINS[(k + int(admdvs)) % len(names.PHARMACY_CHAINS)]
            b.add(f"{chain}{short}{names.CHINESE_NUMERALS[k]}店", "pharmacy", "11", admdvs,
                  "pharmacy", "county", _random_day(rng, day_of(2008), before))

    # A new pharmacy designated during the last days of the data (delivered by a daily batch).
    new_idx = b.add("人民同泰大药房依兰新区店", "pharmacy", "11", "230123", "pharmacy", "county",
                    day_of(end_year, 12, 29))
    inst = pd.DataFrame(b.rows)
    _agreement_changes(inst, rng, start_year, end_year, new_idx)
    inst["level_group"] = level_group_of(inst["hosp_lv"].to_numpy())
    inst["his"] = inst["area"].isin(["city_district", "county"]) & (inst["role"] != "pharmacy")
    inst["county"] = inst["admdvs"]
    members = _alliances(inst, start_year, end_year)
    return Region(
        institutions=inst,
        alliance_members=members,
        counties=tuple(names.COUNTY_TOWNS),
        districts=tuple(names.DISTRICT_STREETS),
        new_pharmacy_code=str(inst.at[new_idx, "fixmedins_code"]),
    )


def _agreement_changes(inst: pd.DataFrame, rng: np.random.Generator, start_year: int,
                       end_year: int, new_idx: int) -> None:
    """Let a few small institutions start or end their agreement during the period.

    The first pharmacy and community centre of every area stay designated throughout, so
    that care always has somewhere to go.
    """
    d0, d1 = day_of(start_year), day_of(end_year, 12, 31)
    if d1 - d0 < 400:
        return
    small = inst["role"].isin(["village", "pharmacy", "community"]).to_numpy()
    first_of_kind = ~inst.duplicated(["admdvs", "role"]).to_numpy()
    candidates = np.flatnonzero(small & ~first_of_kind & (inst.index.to_numpy() != new_idx))
    u = rng.random(len(candidates))
    starts = candidates[u < 0.06]
    ends = candidates[(u >= 0.06) & (u < 0.09)]
    if len(starts) == 0 and len(candidates) > 1:
        starts = candidates[:1]
    if len(ends) == 0 and len(candidates) > 1:
        ends = candidates[-1:]
    for i in starts:
        inst.at[i, "begndate"] = _random_day(rng, d0 + 60, d1 - 120)
    for i in ends:
        inst.at[i, "enddate"] = _random_day(rng, d0 + 180, d1 - 60)


def _alliances(inst: pd.DataFrame, start_year: int, end_year: int) -> pd.DataFrame:
    """Alliance memberships: one alliance per county, two in the TCM-led pilot counties."""
    rows: list[dict] = []
    for county in names.COUNTY_TOWNS:
        offset = 1 if county in LATE_ALLIANCE_COUNTIES else 0
        start = day_of(min(start_year + offset, end_year), 1, 1)
        here = inst[inst["admdvs"] == county]
        hosp = here[here["role"] == "county_hosp"].iloc[0]
        tcm = here[here["role"] == "county_tcm"].iloc[0]
        two = county in TWO_ALLIANCE_COUNTIES
        alliances = [(f"YGT{county}-01", f"{hosp['fixmedins_name']}医共体"),
                     (f"YGT{county}-02", f"{tcm['fixmedins_name']}医共体")]

        def member(alliance: int, row: pd.Series, lead: int, begin: int, end: int,
                   county: str = county, alliances: list = alliances) -> None:
            b = max(begin, int(row["begndate"]))
            e = int(row["enddate"]) if end == NULL_DAY else end
            if e != NULL_DAY and e < b:
                return
            rows.append({
                "alliance_id": alliances[alliance][0], "alliance_name": alliances[alliance][1],
                "county_admdvs": county, "fixmedins_code": row["fixmedins_code"],
                "is_lead": lead, "begndate": b, "enddate": e,
            })

        member(0, hosp, 1, start, NULL_DAY)
        member(1 if two else 0, tcm, 1 if two else 0, start, NULL_DAY)
        community = here[here["role"] == "community"]
        for k, (_, row) in enumerate(community.iterrows()):
            member(1 if two and k % 2 == 1 else 0, row, 0, start, NULL_DAY)
        mover_done = False
        for _, row in here[here["role"].isin(["township", "village"])].iterrows():
            alliance = 1 if two and int(row["town"]) % 2 == 1 else 0
            if alliance == 1 and not mover_done and row["role"] == "township":
                # One health centre changes alliance once, mid-period.
                move = day_of(min(start_year + 2, end_year), 7, 1)
                if move > max(start, int(row["begndate"])):
                    member(1, row, 0, start, move - 1)
                    member(0, row, 0, move, NULL_DAY)
                    mover_done = True
                    continue
            member(alliance, row, 0, start, NULL_DAY)
    out = pd.DataFrame(rows)
    return out.sort_values(["alliance_id", "fixmedins_code", "begndate"]).reset_index(drop=True)
