"""Enrollees and their enrollment spells 参保登记.

Persons live mostly (85 %) in the nine alliance counties, the rest in the city districts.
The age structure is Heilongjiang's (ageing, ~22 % aged 60+, few children); some persons are
born during the period and are enrolled from birth as newborns (23). Each person's spells are
simulated from the start of the period: category changes (newborn → child → adult resident,
employee → retiree), job loss (employee spell suspended, then the resident scheme within three
months — the green channel), a new job (resident → employee), moves between counties,
suspension of flexible workers, and death.

Status of a closed spell: ``4`` after death or on leaving the resident scheme for a job,
``2`` when employee contributions stop (job loss, flexible worker stops paying), ``1`` when
the person goes on in the same scheme under a new category or county (the spell is only
superseded).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from yibao.generate import names, params
from yibao.generate.dates import NULL_DAY, age_on, date_of, day_of, years_of
from yibao.generate.region import Region

AGE_BAND_WEIGHTS = (2.5, 3.5, 4.0, 4.2, 4.8, 5.5, 7.0, 7.0, 7.5, 9.0, 10.0, 9.5, 6.0, 5.5, 4.2,
                    2.8, 1.8, 1.0)  # 5-year bands 0-4 … 85-89
MORTALITY = ((45, 0.0008), (60, 0.003), (75, 0.012), (85, 0.045), (200, 0.12))
GB11643_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
GB11643_CHECK = "10X98765432"
OTHER_BIRTHPLACES = ("230202", "230602", "230102", "230103", "220102", "210102", "110105")


@dataclass(frozen=True)
class Population:
    """Persons (one row each, internal columns) and their enrollment spells."""

    persons: pd.DataFrame
    spells: pd.DataFrame


def certno_check_digit(first17: str) -> str:
    """GB 11643 check character of the first 17 digits of a citizen ID."""
    total = sum(int(c) * w for c, w in zip(first17, GB11643_WEIGHTS, strict=True))
    return GB11643_CHECK[total % 11]


class _Homes:
    """Where a person of a county or district goes for primary care."""

    def __init__(self, region: Region) -> None:
        inst = region.institutions
        self.county_towns = {c: min(len(t), 15) for c, (_, t) in names.COUNTY_TOWNS.items()}
        self.villages: dict[tuple[str, int], np.ndarray] = {}
        for (county, town), grp in inst[inst["role"] == "village"].groupby(["admdvs", "town"]):
            self.villages[(str(county), int(town))] = grp.index.to_numpy()
        community = inst[inst["role"] == "community"]
        self.community = {str(c): g.index.to_numpy() for c, g in community.groupby("admdvs")}

    def draw(self, rng: np.random.Generator, county: str) -> tuple[int, int, int]:
        """(home town index or -1, home village clinic row or -1, home community centre row)."""
        comm = self.community[county]
        community = int(comm[int(rng.integers(len(comm)))])
        if county not in self.county_towns:
            return -1, -1, community
        if rng.random() < 0.3:  # lives in the county seat
            return 0, -1, community
        town = int(rng.integers(1, self.county_towns[county]))
        vill = self.villages[(county, town)]
        return town, int(vill[int(rng.integers(len(vill)))]), community


def _retirement_day(brdy: int, gend: str) -> int:
    b = date_of(brdy)
    years = 60 if gend == "1" else 55
    month = b.month + 1
    year = b.year + years + (1 if month > 12 else 0)
    return day_of(year, 1 if month > 12 else month, 1)


def build_population(rng: np.random.Generator, region: Region, persons: int, start_year: int,
                     end_year: int) -> Population:
    """Draw persons and simulate their enrollment spells over the period."""
    d0, d1 = day_of(start_year), day_of(end_year, 12, 31)
    n = persons
    years = end_year - start_year + 1
    n_new = min(n // 4, int(round(n * params.BIRTHS_PER_PERSON_YEAR * years)))
    counties = np.array(list(names.COUNTY_WEIGHT))
    cw = np.array(list(names.COUNTY_WEIGHT.values()))
    districts = np.array(list(names.DISTRICT_WEIGHT))
    dw = np.array(list(names.DISTRICT_WEIGHT.values()))
    in_county = rng.random(n) < 0.85
    area = np.where(in_county, rng.choice(counties, n, p=cw / cw.sum()),
                    rng.choice(districts, n, p=dw / dw.sum()))
    gend = np.where(rng.random(n) < 0.5, "1", "2")

    band_w = np.array(AGE_BAND_WEIGHTS)
    band = rng.choice(len(band_w), n, p=band_w / band_w.sum())
    age_days = (band * 5 * 365.25 + rng.random(n) * 5 * 365.25).astype(np.int64) + 1
    brdy = d0 - age_days
    newborn = np.zeros(n, dtype=bool)
    newborn[:n_new] = True
    rng.shuffle(newborn)
    brdy[newborn] = rng.integers(d0, max(d0 + 1, d1 - 30), newborn.sum())

    death = _death_days(rng, brdy, d1, start_year, end_year)
    psn_no = _person_numbers(rng, n)
    certno = _certnos(rng, area, brdy, gend)
    psn_name = _names(rng, gend)
    spcl_u = rng.random(n)
    spcl = np.select(
        [spcl_u < 0.012, spcl_u < 0.042, spcl_u < 0.050, spcl_u < 0.075, spcl_u < 0.080],
        ["1", "2", "3", "4", "5"], default="0")
    age0 = age_on(brdy, np.full(n, d0))
    district = ~in_county
    p_emp = np.where(district, 0.55, 0.20)
    employee = (rng.random(n) < p_emp) & (age0 >= 18) & ~newborn
    flexible = rng.random(n) < 0.22
    civil = rng.random(n) < 0.12
    wage = np.clip(np.round(rng.lognormal(np.log(np.where(district, 6200, 4400)), 0.35, n), -1),
                   3000, 12000).astype(np.int64)
    chronic_u = rng.random(n)
    n_emp_area: dict[str, int] = {}
    for a in area[employee]:
        n_emp_area[str(a)] = n_emp_area.get(str(a), 0) + 1

    homes = _Homes(region)
    spells: list[list] = []
    for i in range(n):
        _simulate_person(rng, homes, spells, i, str(area[i]), str(gend[i]), int(brdy[i]),
                         bool(newborn[i]), bool(employee[i]), bool(flexible[i]), str(spcl[i]),
                         int(death[i]), d0, d1, n_emp_area)
    sp = pd.DataFrame(spells, columns=[
        "psn", "insutype", "psn_type", "spcl_psn_type", "insu_admdvs", "psn_insu_stas",
        "begndate", "enddate", "emp_no", "green", "town", "village", "community"])
    _force_window_events(rng, sp, brdy, death, d1)
    sp = sp.sort_values(["psn", "begndate", "insutype"], kind="stable").reset_index(drop=True)
    sp["chain_end"] = _chain_ends(sp, d1)

    persons_df = pd.DataFrame({
        "psn": np.arange(n), "psn_no": psn_no, "certno": certno, "psn_name": psn_name,
        "gend": gend, "brdy": brdy, "death": death, "spcl": spcl, "civil": civil,
        "wage": wage, "chronic_u": chronic_u, "newborn": newborn,
    })
    return Population(persons=persons_df, spells=sp)


def _death_days(rng: np.random.Generator, brdy: np.ndarray, d1: int, start_year: int,
                end_year: int) -> np.ndarray:
    n = len(brdy)
    death = np.full(n, NULL_DAY, dtype=np.int64)
    for y in range(start_year, end_year + 1):
        jan1 = day_of(y)
        age = age_on(brdy, np.full(n, jan1))
        q = np.select([age < lim for lim, _ in MORTALITY], [p for _, p in MORTALITY])
        dies = (rng.random(n) < q) & (death == NULL_DAY) & (brdy < jan1)
        when = jan1 + rng.integers(0, 365, n)
        death[dies] = np.minimum(when[dies], d1)
    death[(death != NULL_DAY) & (death <= brdy)] = NULL_DAY
    return death


def _person_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    nums = np.unique(rng.integers(10**12, 10**13, n + n // 10 + 10))
    nums = rng.permutation(nums)[:n]
    return np.array([f"230{x:013d}" for x in nums], dtype=object)


def _certnos(rng: np.random.Generator, area: np.ndarray, brdy: np.ndarray,
             gend: np.ndarray) -> np.ndarray:
    n = len(area)
    elsewhere = rng.random(n) < 0.15
    places = np.where(elsewhere, rng.choice(np.array(OTHER_BIRTHPLACES), n), area)
    births = np.asarray(brdy).astype("datetime64[D]").astype(str)
    seq = rng.integers(0, 500, n) * 2 + np.where(gend == "1", 1, 0)
    out = []
    for place, birth, s in zip(places, births, seq, strict=True):
        first17 = f"{place}{birth.replace('-', '')}{s:03d}"
        out.append(first17 + certno_check_digit(first17))
    return np.array(out, dtype=object)


def _names(rng: np.random.Generator, gend: np.ndarray) -> np.ndarray:
    n = len(gend)
    s = np.array(names.SURNAMES)
    w = 1.0 / (np.arange(len(s)) + 4.0)
    surname = rng.choice(s, n, p=w / w.sum())
    male, female = np.array(names.GIVEN_MALE), np.array(names.GIVEN_FEMALE)
    first = np.where(gend == "1", rng.choice(male, n), rng.choice(female, n))
    second = np.where(gend == "1", rng.choice(male, n), rng.choice(female, n))
    two = rng.random(n) < 0.6
    return np.array([a + b + (c if t else "") for a, b, c, t in
                     zip(surname, first, second, two, strict=True)], dtype=object)


def _simulate_person(rng: np.random.Generator, homes: _Homes, out: list[list], i: int, area: str,
                     gend: str, brdy: int, newborn: bool, employee: bool, flexible: bool,
                     spcl: str, death: int, d0: int, d1: int,
                     n_emp_area: dict[str, int]) -> None:
    """Append the spells of one person to ``out``."""
    by = int(years_of(np.array([brdy]))[0])
    retire = _retirement_day(brdy, gend)
    start_year = int(years_of(np.array([d0]))[0])
    lo = min(day_of(2016), d0 - 365)

    def employer(county: str) -> str:
        pool = max(5, n_emp_area.get(county, 0) // 8)
        return f"{county}{int(rng.integers(1, pool + 1)):05d}"

    town, village, community = homes.draw(rng, area)
    if newborn:
        cur = ["390", "23", brdy]
    elif employee:
        if d0 >= retire:
            begin = retire if retire >= day_of(2000) else int(
                rng.integers(day_of(2000), day_of(2010)))
            cur = ["310", "12", begin]
        else:
            begin = int(rng.integers(day_of(2000), d0))
            cur = ["310", "13" if flexible else "11", max(begin, brdy + 18 * 365 + 5)]
    else:
        child = start_year <= by + 18
        begin = int(rng.integers(lo, d0))
        if not child:
            begin = max(begin, day_of(by + 19))
        cur = ["390", "22" if child else "21", max(begin, brdy)]
    insutype, psn_type, begin = cur
    begin = min(int(begin), d0 - 1) if not newborn else int(begin)
    emp_no = employer(area) if insutype == "310" and psn_type in ("11", "12") else None
    state = {
        "insutype": insutype, "psn_type": psn_type, "county": area, "begin": begin,
        "emp_no": emp_no, "green": False, "home": (town, village, community),
    }

    def close(end: int, stas: str) -> None:
        t, v, c = state["home"]
        out.append([i, state["insutype"], state["psn_type"],
                    spcl if state["insutype"] == "390" else "0", state["county"], stas,
                    state["begin"], end, state["emp_no"], state["green"], t, v, c])

    def open_new(begin: int, **changes: object) -> bool:
        if begin > d1 or (death != NULL_DAY and begin > death):
            return False
        state.update(changes)
        state["begin"] = begin
        return True

    def normalise() -> None:
        # a spell that begins after a category change takes the new category at once
        b = state["begin"]
        if state["psn_type"] == "23" and b >= day_of(by + 1):
            state["psn_type"] = "22"
        if state["psn_type"] == "22" and b >= day_of(by + 19):
            state["psn_type"] = "21"
        if state["psn_type"] in ("11", "13") and b >= retire:
            state["psn_type"] = "12"

    t = max(begin, d0)
    while True:
        normalise()
        cands: list[tuple[int, int, str]] = []
        if death != NULL_DAY:
            cands.append((death, 0, "death"))
        pt = state["psn_type"]
        if pt == "23":
            cands.append((day_of(by + 1), 1, "to22"))
        elif pt == "22":
            cands.append((day_of(by + 19), 1, "to21"))
        elif pt in ("11", "13"):
            cands.append((retire, 1, "to12"))
        age = (t - brdy) / 365.25
        if pt in ("11", "13") and age < 55:
            cands.append((t + int(rng.exponential(365 / params.HAZARD_JOB_LOSS)), 2, "jobloss"))
        if pt == "21" and 18 <= age <= 45:
            cands.append((t + int(rng.exponential(365 / params.HAZARD_NEW_JOB)), 3, "newjob"))
        if pt == "13":
            cands.append((t + int(rng.exponential(365 / params.HAZARD_SUSPEND)), 4, "suspend"))
        cands.append((t + int(rng.exponential(365 / params.HAZARD_MOVE)), 5, "move"))
        day, _, kind = min(cands)
        if day > d1:
            close(NULL_DAY, "1")
            return
        if day <= state["begin"]:
            t = state["begin"] + 1
            continue
        t = day
        if kind == "death":
            close(day, "4")
            return
        if kind in ("to22", "to21", "to12"):
            close(day - 1, "1")
            new_type = kind[2:]
            if not open_new(day, psn_type=new_type, green=False,
                            emp_no=state["emp_no"] if new_type == "12" else None):
                return
            continue
        if kind == "jobloss":
            close(day, "2")
            if rng.random() < params.GREEN_CHANNEL_SHARE and open_new(
                    day + int(rng.integers(1, 91)), insutype="390", psn_type="21", green=True,
                    emp_no=None):
                t = state["begin"]
                continue
            return
        if kind == "newjob":
            close(day - 1, "4")
            if not open_new(day, insutype="310", psn_type="11", green=False,
                            emp_no=employer(state["county"])):
                return
            continue
        if kind == "suspend":
            close(day, "2")
            if rng.random() < 0.5 and open_new(day + int(rng.integers(60, 301)), green=False):
                t = state["begin"]
                continue
            return
        # move to another county (60 %) or a city district
        close(day - 1, "1")
        pool = list(names.COUNTY_TOWNS) if rng.random() < 0.6 else list(names.DISTRICT_STREETS)
        pool = [c for c in pool if c != state["county"]]
        county = pool[int(rng.integers(len(pool)))]
        if not open_new(day, county=county, home=homes.draw(rng, county)):
            return


def _force_window_events(rng: np.random.Generator, sp: pd.DataFrame, brdy: np.ndarray,
                         death: np.ndarray, d1: int) -> None:
    """Make sure the daily batches carry enrollment corrections.

    A death on the first daily day, a flexible worker suspended on the second, and a resident
    taking a job on the last day: each closes a spell the history batch delivered open, so the
    daily batch re-delivers that spell (same key) with its enddate and status.
    """
    last = ~sp.duplicated("psn", keep="last")
    open_last = last & (sp["enddate"] == NULL_DAY) & (sp["begndate"] <= d1 - 10)
    age = age_on(brdy[sp["psn"].to_numpy()], np.full(len(sp), d1))
    order = rng.permutation(len(sp))
    used: set[int] = set()

    def pick(mask: np.ndarray) -> int | None:
        for k in order:
            if mask[k] and int(sp.at[k, "psn"]) not in used:
                used.add(int(sp.at[k, "psn"]))
                return int(k)
        return None

    ol = open_last.to_numpy()
    k = pick(ol & (sp["insutype"] == "390").to_numpy() & (age >= 70))
    if k is not None:
        sp.at[k, "enddate"], sp.at[k, "psn_insu_stas"] = d1 - 2, "4"
        death[int(sp.at[k, "psn"])] = d1 - 2
    k = pick(ol & sp["psn_type"].isin(["13", "11"]).to_numpy())
    if k is not None:
        sp.at[k, "enddate"], sp.at[k, "psn_insu_stas"] = d1 - 1, "2"
    k = pick(ol & (sp["psn_type"] == "21").to_numpy() & (age >= 20) & (age <= 45))
    if k is not None:
        sp.at[k, "enddate"], sp.at[k, "psn_insu_stas"] = d1 - 1, "4"
        row = sp.loc[k].copy()
        row["insutype"], row["psn_type"], row["spcl_psn_type"] = "310", "11", "0"
        row["psn_insu_stas"], row["begndate"], row["enddate"] = "1", d1, NULL_DAY
        row["emp_no"], row["green"] = f"{row['insu_admdvs']}00001", False
        sp.loc[len(sp)] = row


def _chain_ends(sp: pd.DataFrame, d1: int) -> np.ndarray:
    """End of the run of back-to-back spells of the same scheme each spell belongs to."""
    psn = sp["psn"].to_numpy()
    ins = sp["insutype"].to_numpy()
    beg = sp["begndate"].to_numpy()
    end = np.where(sp["enddate"].to_numpy() == NULL_DAY, d1, sp["enddate"].to_numpy())
    out = end.copy()
    for k in range(len(sp) - 2, -1, -1):
        # spells of one person are sorted by begndate; a same-scheme successor may sit behind
        # a spell of the other scheme only if they overlap, which the simulation never makes
        if psn[k + 1] == psn[k] and ins[k + 1] == ins[k] and beg[k + 1] == end[k] + 1:
            out[k] = out[k + 1]
    return np.minimum(out, d1)

