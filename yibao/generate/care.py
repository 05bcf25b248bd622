"""Visits 就诊: who goes where, when, for what, and for how long.

Visit frequency depends on age (U-shaped), scheme and chronic-disease status; events are drawn
only on days a person may be settled (employee spells; resident spells ∩ paid coverage), plus
a handful on uncovered resident days. The institution follows the care type and where the
person lives: outpatient care mostly at the village clinic, the township centre or the
county hospitals; admissions mostly at the county hospitals, some at the city's tertiary
hospitals (referred up) or outside the province; pharmacy purchases at pharmacies (no HIS
visit). Inpatient stays last 3–20 days, a few long stays get a mid-stay settlement. A share of
county-hospital admissions is treated first and paid later (先诊疗后付费). A small share of
hospital visits is not insured (no ``mdtrt_id``/``psn_no``, no settlement).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from yibao.generate import params
from yibao.generate.catalogue import CONDITIONS
from yibao.generate.contributions import Contributions
from yibao.generate.dates import (
    NULL_TS,
    SECONDS_PER_DAY,
    age_on,
    day_of,
    year_start,
    years_of,
)
from yibao.generate.population import Population
from yibao.generate.region import Region

MED_TYPES = ("11", "13", "14", "21", "41")
RANK = {"三级": 3, "二级": 2, "一级": 1, "未定级": 0}

COUNTY_RURAL = {
    "11": {"village": .30, "township": .36, "county_hosp": .16, "county_tcm": .08,
           "community": .02, "tertiary": .05, "out_city": .02, "out_prov": .01},
    "13": {"county_hosp": .68, "county_tcm": .08, "township": .08, "tertiary": .14,
           "out_city": .01, "out_prov": .01},
    "14": {"county_hosp": .40, "township": .25, "county_tcm": .12, "community": .06,
           "tertiary": .15, "out_prov": .02},
    "21": {"county_hosp": .48, "county_tcm": .12, "township": .14, "tertiary": .20,
           "out_city": .03, "out_prov": .03},
    "41": {"pharmacy": 1.0},
}
COUNTY_TOWN = dict(COUNTY_RURAL, **{
    "11": {"township": .06, "community": .38, "county_hosp": .28, "county_tcm": .14,
           "tertiary": .10, "out_city": .02, "out_prov": .02},
})
DISTRICT = {
    "11": {"community": .45, "district_hosp": .10, "tertiary": .42, "out_prov": .03},
    "13": {"tertiary": .75, "district_hosp": .20, "community": .02, "out_prov": .03},
    "14": {"tertiary": .55, "community": .25, "district_hosp": .15, "out_prov": .05},
    "21": {"tertiary": .70, "district_hosp": .22, "out_prov": .05, "out_city": .03},
    "41": {"pharmacy": 1.0},
}


def _band(age: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(params.AGE_BAND_EDGES), age, side="right")


def build_events(rng: np.random.Generator, region: Region, pop: Population,
                 contrib: Contributions, start_year: int, end_year: int) -> pd.DataFrame:
    """All care events (insured and uninsured) with institution, times and diagnosis."""
    d0, d1 = day_of(start_year), day_of(end_year, 12, 31)
    iv = _intervals(pop, contrib)
    ev = _draw_events(rng, pop, iv)
    ev = _choose_institutions(rng, region, ev)
    ev = _conditions(rng, ev)
    ev = _times(rng, ev, d1)
    ev = _referrals_and_ptfp(rng, region, ev)
    ev = _uninsured(rng, ev, d0, d1)
    return _identify(ev)


def _intervals(pop: Population, contrib: Contributions) -> pd.DataFrame:
    """Eligible (and uncovered) intervals split at year ends, with the person's attributes."""
    parts = []
    for frame, covered in ((contrib.eligible, True), (contrib.uncovered, False)):
        f = frame.copy()
        f["covered"] = covered
        parts.append(f)
    iv = pd.concat(parts, ignore_index=True)
    for col in ("spell", "begin", "end"):
        iv[col] = iv[col].astype(np.int64)
    yb, ye = years_of(iv["begin"].to_numpy()), years_of(iv["end"].to_numpy())
    n = ye - yb + 1
    rep = np.repeat(np.arange(len(iv)), n)
    year = yb[rep] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    out = iv.iloc[rep].reset_index(drop=True)
    out["begin"] = np.maximum(out["begin"].to_numpy(), year_start(year))
    out["end"] = np.minimum(out["end"].to_numpy(), year_start(year + 1) - 1)
    sp = pop.spells
    k = out["spell"].to_numpy()
    for col in ("psn", "insutype", "psn_type", "spcl_psn_type", "insu_admdvs", "town",
                "village", "community", "chain_end"):
        out[col] = sp[col].to_numpy()[k]
    persons = pop.persons
    psn = out["psn"].to_numpy()
    out["age"] = age_on(persons["brdy"].to_numpy()[psn], out["begin"].to_numpy())
    out["gend"] = persons["gend"].to_numpy()[psn]
    out["civil"] = persons["civil"].to_numpy()[psn]
    out["chronic_u"] = persons["chronic_u"].to_numpy()[psn]
    return out


def _draw_events(rng: np.random.Generator, pop: Population, iv: pd.DataFrame) -> pd.DataFrame:
    """Poisson counts per interval and care type, then a uniform day inside the interval."""
    band = _band(iv["age"].to_numpy())
    years = (iv["end"].to_numpy() - iv["begin"].to_numpy() + 1) / 365.25
    employee = iv["insutype"].to_numpy() == "310"
    special = np.isin(iv["spcl_psn_type"].to_numpy(), ["1", "2"])
    covered = iv["covered"].to_numpy()
    factor = np.where(covered, 1.0, params.OUT_OF_COVERAGE_FACTOR)
    chronic = iv["chronic_u"].to_numpy() < np.array(params.CHRONIC_SHARE)[band]
    rates = {
        "11": np.array(params.RATE_OUTPATIENT)[band]
        * np.where(employee, params.EMPLOYEE_OUTPATIENT_FACTOR, 1.0),
        "13": np.array(params.RATE_EMERGENCY)[band],
        "14": np.where(chronic & covered, params.RATE_CHRONIC, 0.0),
        "21": np.array(params.RATE_INPATIENT)[band] * np.where(special, 1.3, 1.0),
        "41": np.where(employee, np.array(params.RATE_PHARMACY_EMPLOYEE)[band],
                       np.array(params.RATE_PHARMACY_RESIDENT)[band]) * covered,
    }
    frames = []
    for med_type in MED_TYPES:
        counts = rng.poisson(rates[med_type] * years * factor)
        rep = np.repeat(np.arange(len(iv)), counts)
        f = iv.iloc[rep].reset_index(drop=True)
        span = f["end"].to_numpy() - f["begin"].to_numpy() + 1
        f["day"] = f["begin"].to_numpy() + (rng.random(len(f)) * span).astype(np.int64)
        f["med_type"] = med_type
        frames.append(f)
    ev = pd.concat(frames, ignore_index=True)
    ev = ev.sort_values(["psn", "day", "med_type"], kind="stable").reset_index(drop=True)
    ev["age"] = age_on(pop.persons["brdy"].to_numpy()[ev["psn"].to_numpy()], ev["day"].to_numpy())
    ev["band"] = _band(ev["age"].to_numpy())
    return ev


def _choose_institutions(rng: np.random.Generator, region: Region,
                         ev: pd.DataFrame) -> pd.DataFrame:
    inst = region.institutions
    role = inst["role"].to_numpy()
    admdvs = inst["admdvs"].to_numpy()
    n = len(ev)
    county = ev["insu_admdvs"].to_numpy()
    is_county = np.isin(county, np.array(region.counties))
    in_town = ev["town"].to_numpy() == 0
    med = ev["med_type"].to_numpy()
    cat = np.empty(n, dtype=object)
    u = rng.random(n)
    for med_type in MED_TYPES:
        for table, mask in ((COUNTY_RURAL, is_county & ~in_town),
                            (COUNTY_TOWN, is_county & in_town), (DISTRICT, ~is_county)):
            m = mask & (med == med_type)
            probs = table[med_type]
            edges = np.cumsum(list(probs.values()))
            edges /= edges[-1]
            names_ = np.array(list(probs), dtype=object)
            cat[m] = names_[np.minimum(np.searchsorted(edges, u[m], side="right"), len(edges) - 1)]
    chosen = np.full(n, -1, dtype=np.int64)
    by_role_area: dict[tuple[str, str], np.ndarray] = {
        (str(r), str(a)): g.index.to_numpy() for (r, a), g in inst.groupby(["role", "admdvs"])
    }
    first_of = {k: v[0] for k, v in by_role_area.items()}
    township_of = {(str(a), int(t)): i for i, (a, t, r) in
                   enumerate(zip(admdvs, inst["town"], role, strict=True)) if r == "township"}
    u2 = rng.random(n)
    village = ev["village"].to_numpy()
    town = ev["town"].to_numpy()
    community = ev["community"].to_numpy()

    def random_in(role_name: str, mask: np.ndarray) -> None:
        for area in np.unique(county[mask]):
            m = mask & (county == area)
            pool = by_role_area.get((role_name, str(area)))
            if pool is None:
                pool = np.flatnonzero(role == role_name)
            chosen[m] = pool[rng.integers(0, len(pool), m.sum())]

    m = cat == "village"
    ok = m & (village >= 0)
    chosen[ok] = village[ok]
    cat[m & ~ok] = "township"
    m = cat == "township"
    home = np.array([township_of.get((str(a), int(max(t, 0))), -1) for a, t in
                     zip(county[m], town[m], strict=True)], dtype=np.int64)
    chosen[m] = np.where((u2[m] < 0.85) & (home >= 0), home, -1)
    random_in("township", m & (chosen < 0))
    m = cat == "community"
    chosen[m] = np.where(u2[m] < 0.8, community[m], -1)
    random_in("community", m & (chosen < 0))
    for role_name in ("county_hosp", "county_tcm", "district_hosp", "pharmacy"):
        random_in(role_name, cat == role_name)
    for role_name in ("out_city", "out_prov"):
        m = cat == role_name
        pool = np.flatnonzero(role == role_name)
        chosen[m] = pool[rng.integers(0, len(pool), m.sum())]
    m = cat == "tertiary"
    pool = np.flatnonzero(role == "tertiary")
    w = inst["weight"].to_numpy()[pool]
    chosen[m] = pool[rng.choice(len(pool), m.sum(), p=w / w.sum())]
    children = inst.index[inst["fixmedins_name"] == "哈尔滨市儿童医院"].to_numpy()
    kids = m & (ev["age"].to_numpy() < 14) & (u2 < 0.35)
    if len(children):
        chosen[kids] = children[0]

    # Care happens only where the institution is designated on that day.
    day = ev["day"].to_numpy()
    beg = inst["begndate"].to_numpy()[chosen]
    end = inst["enddate"].to_numpy()[chosen]
    active = (beg <= day) & ((end < beg) | (day <= end))
    for k in np.flatnonzero(~active):
        area = str(county[k])
        key = ("pharmacy", area) if cat[k] == "pharmacy" else (
            ("county_hosp", area) if is_county[k] else ("tertiary", "230103"))
        chosen[k] = first_of.get(key, first_of[("tertiary", "230103")])
    ev["inst"] = chosen
    ev["cat"] = cat
    ev["level_group"] = inst["level_group"].to_numpy()[chosen]
    ev["rank"] = np.array([RANK[g] for g in ev["level_group"]], dtype=np.int64)
    ev["inst_role"] = role[chosen]
    ev["inst_cat"] = inst["medins_cat"].to_numpy()[chosen]
    ev["his"] = inst["his"].to_numpy()[chosen]
    ev["out_prov"] = inst["area"].to_numpy()[chosen] == "out_of_province"
    return ev


def _conditions(rng: np.random.Generator, ev: pd.DataFrame) -> pd.DataFrame:
    """Diagnosis and department by care type, age band, sex and institution level."""
    n = len(ev)
    icd = np.empty(n, dtype=object)
    dept = np.empty(n, dtype=object)
    extra = np.empty(n, dtype=object)
    los = np.zeros(n)
    chronic_drugs = np.zeros(n, dtype=bool)
    med = ev["med_type"].to_numpy()
    band = ev["band"].to_numpy()
    female = ev["gend"].to_numpy() == "2"
    rank = ev["rank"].to_numpy()
    keys = pd.DataFrame({"m": med, "b": band, "f": female, "r": rank})
    for (m, b, f, r), idx in keys.groupby(["m", "b", "f", "r"]).indices.items():
        conds = CONDITIONS.get(str(m))
        if conds is None:
            icd[idx], dept[idx], extra[idx] = "", "", ""
            continue
        w = np.array([c.weights[int(b)] * (0 if c.female_only and not f else 1)
                      * (0 if c.min_rank > r else 1)
                      * (c.tertiary_boost if r == 3 else 1) for c in conds])
        if w.sum() <= 0:
            w = np.array([c.weights[int(b)] + 0.01 for c in conds])
        pick = rng.choice(len(conds), len(idx), p=w / w.sum())
        icd[idx] = [conds[p].icd for p in pick]
        dept[idx] = [conds[p].dept for p in pick]
        extra[idx] = [conds[p].extra for p in pick]
        los[idx] = [conds[p].los for p in pick]
        chronic_drugs[idx] = [conds[p].chronic_drugs for p in pick]
    tcm = ev["inst_cat"].to_numpy() == "tcm_hospital"
    internal = dept == "A03"
    dept = np.where(internal & (ev["age"].to_numpy() < 14), "A07", dept)
    dept = np.where(internal & tcm, "A50", dept)
    ev["dise_codg"] = icd
    ev["dept_codg"] = dept
    ev["extra"] = extra
    ev["los_median"] = los
    ev["chronic_drugs"] = chronic_drugs
    return ev


def _times(rng: np.random.Generator, ev: pd.DataFrame, d1: int) -> pd.DataFrame:
    """Begin, end and settlement times; length of stay and mid-stay settlements."""
    n = len(ev)
    med = ev["med_type"].to_numpy()
    day = ev["day"].to_numpy().astype(np.int64)
    morning = rng.random(n) < 0.6
    clinic_tod = np.where(morning, rng.integers(8 * 3600, 11 * 3600, n),
                          rng.integers(13 * 3600, 16 * 3600 + 1800, n))
    begin = day * SECONDS_PER_DAY + clinic_tod
    dur = np.where(med == "14", rng.integers(600, 2400, n), rng.integers(600, 5400, n))
    er = med == "13"
    begin[er] = day[er] * SECONDS_PER_DAY + rng.integers(0, 86400, er.sum())
    dur[er] = rng.integers(3600, 6 * 3600, er.sum())
    ph = med == "41"
    begin[ph] = day[ph] * SECONDS_PER_DAY + rng.integers(8 * 3600, 21 * 3600, ph.sum())
    dur[ph] = 0
    end = begin + dur
    setl = np.where(ph, begin, end - rng.integers(0, 180, n))
    setl = np.maximum(setl, begin)
    mid = np.full(n, NULL_TS, dtype=np.int64)
    los = np.zeros(n, dtype=np.int64)

    ip = med == "21"
    k = ip.sum()
    level = np.select([ev["rank"].to_numpy()[ip] >= 3, ev["rank"].to_numpy()[ip] == 2],
                      [1.15, 1.0], 0.8)
    stay = np.rint(ev["los_median"].to_numpy()[ip] * level * rng.lognormal(0, 0.35, k))
    stay = np.clip(stay, 3, 20).astype(np.int64)
    long_stay = rng.random(k) < params.LONG_STAY_SHARE
    stay[long_stay] = rng.integers(25, 61, long_stay.sum())
    adm_day = day[ip]
    hard_end = np.minimum(ev["chain_end"].to_numpy()[ip], d1)
    stay = np.minimum(stay, np.maximum(hard_end - adm_day, 0))
    adm_tod = np.where(rng.random(k) < 0.8, rng.integers(8 * 3600, 18 * 3600, k),
                       rng.integers(0, 86400, k))
    adm = adm_day * SECONDS_PER_DAY + adm_tod
    dis = (adm_day + stay) * SECONDS_PER_DAY + rng.integers(9 * 3600, 15 * 3600, k)
    same_day = stay == 0
    dis[same_day] = adm[same_day] + rng.integers(2 * 3600, 6 * 3600, same_day.sum())
    split = np.minimum(30, stay // 2)
    has_mid = stay >= 25
    mid_ip = np.where(has_mid, (adm_day + split) * SECONDS_PER_DAY + 7 * 3600 + 1800, NULL_TS)
    begin[ip], setl[ip], mid[ip], los[ip] = adm, dis, mid_ip, stay
    end[ip] = dis + rng.integers(60, 900, k)

    # Nothing may happen after the last second of the data.
    last = (d1 + 1) * SECONDS_PER_DAY - 1
    over = np.maximum(np.maximum(end, setl) - last, 0)
    begin, end, setl = begin - over, end - over, setl - over
    mid = np.where(mid == NULL_TS, NULL_TS, mid - over)
    ev["begin_ts"], ev["end_ts"], ev["setl_ts"] = begin, end, setl
    ev["mid_ts"], ev["los"] = mid, los
    return _drop_overlapping_admissions(ev)


def _drop_overlapping_admissions(ev: pd.DataFrame) -> pd.DataFrame:
    """A person is in one hospital at a time: drop an admission that starts inside another."""
    ip = ev[ev["med_type"] == "21"].sort_values(["psn", "begin_ts"], kind="stable")
    psn = ip["psn"].to_numpy()
    b = ip["begin_ts"].to_numpy()
    e = ip["end_ts"].to_numpy()
    drop: list[int] = []
    last_psn, last_end = -1, -1
    for k, (p, bb, ee) in enumerate(zip(psn, b, e, strict=True)):
        if p == last_psn and bb <= last_end:
            drop.append(int(ip.index[k]))
            continue
        last_psn, last_end = p, ee
    return ev.drop(index=drop).reset_index(drop=True)


def _referrals_and_ptfp(rng: np.random.Generator, region: Region,
                        ev: pd.DataFrame) -> pd.DataFrame:
    inst = region.institutions
    hosp_of = {a: i for i, (a, r) in enumerate(zip(inst["admdvs"], inst["role"], strict=True))
               if r == "county_hosp"}
    n = len(ev)
    ip = ev["med_type"].to_numpy() == "21"
    role = ev["inst_role"].to_numpy()
    county = ev["insu_admdvs"].to_numpy()
    inst_area = inst["admdvs"].to_numpy()[ev["inst"].to_numpy()]
    u = rng.random(n)
    refl = np.full(n, None, dtype=object)
    refl_inst = np.full(n, -1, dtype=np.int64)
    home_hosp = np.array([hosp_of.get(c, -1) for c in county], dtype=np.int64)
    up = ip & (role == "tertiary") & (home_hosp >= 0) & (u < params.REFERRAL_UP_SHARE)
    refl[up], refl_inst[up] = "up", home_hosp[up]
    area_hosp = np.array([hosp_of.get(a, -1) for a in inst_area], dtype=np.int64)
    down = ip & (role == "township") & (area_hosp >= 0) & (u < params.REFERRAL_DOWN_SHARE)
    refl[down], refl_inst[down] = "down", area_hosp[down]
    special = ev["spcl_psn_type"].to_numpy() != "0"
    share = np.where(special, params.PTFP_SHARE_SPECIAL, params.PTFP_SHARE)
    ptfp = ip & np.isin(role, ["county_hosp", "county_tcm"]) & (rng.random(n) < share)
    ev["refl_type"], ev["refl_inst"], ev["ptfp"] = refl, refl_inst, ptfp.astype(np.int64)
    return ev


def _uninsured(rng: np.random.Generator, ev: pd.DataFrame, d0: int, d1: int) -> pd.DataFrame:
    """Visits of people who are not insured (or do not use their insurance): HIS only."""
    ev["insured"] = True
    pool = np.flatnonzero(ev["his"].to_numpy() & np.isin(ev["med_type"].to_numpy(),
                                                         ["11", "13", "21"])
                          & (ev["mid_ts"].to_numpy() == NULL_TS))
    k = int(round(params.UNINSURED_SHARE * len(pool)))
    if k == 0:
        return ev
    tpl = ev.iloc[np.sort(rng.choice(pool, k, replace=False))].copy()
    shift = rng.integers(-60, 61, k)
    lo = d0 - tpl["day"].to_numpy()
    hi = (d1 - 1) * SECONDS_PER_DAY - tpl["end_ts"].to_numpy()
    shift = np.clip(shift, lo, np.floor_divide(hi, SECONDS_PER_DAY))
    for col in ("begin_ts", "end_ts", "setl_ts"):
        tpl[col] = tpl[col].to_numpy() + shift * SECONDS_PER_DAY
    tpl["day"] = tpl["day"].to_numpy() + shift
    tpl["psn"] = -1
    tpl["insured"] = False
    tpl["insutype"] = None
    tpl["ptfp"] = 0
    tpl["refl_type"] = None
    tpl["refl_inst"] = -1
    return pd.concat([ev, tpl], ignore_index=True)


def _identify(ev: pd.DataFrame) -> pd.DataFrame:
    """Stable ordering, ``mdtrt_id`` for insured events, ``his_visit_no`` for HIS visits."""
    ev = ev.sort_values(["begin_ts", "psn", "med_type", "inst"], kind="stable")
    ev = ev.reset_index(drop=True)
    ev["ev"] = np.arange(len(ev))
    insured = ev["insured"].to_numpy()
    days = (ev["begin_ts"].to_numpy() // SECONDS_PER_DAY).astype("datetime64[D]").astype(str)
    seq = np.cumsum(insured)
    ev["mdtrt_id"] = [f"M{d.replace('-', '')}{s:09d}" if ok else None
                      for d, s, ok in zip(days, seq, insured, strict=True)]
    his = ev["his"].to_numpy() & (ev["med_type"].to_numpy() != "41")
    ev["his"] = his
    h = ev[his].sort_values(["inst", "begin_ts", "ev"], kind="stable")
    n_in_inst = h.groupby("inst").cumcount().to_numpy() + 1
    prefix = np.where(h["med_type"].to_numpy() == "21", "ZY", "MZ")
    year = years_of(h["begin_ts"].to_numpy() // SECONDS_PER_DAY)
    visit_no = np.full(len(ev), None, dtype=object)
    visit_no[h["ev"].to_numpy()] = [f"{p}{y}{s:07d}" for p, y, s in
                                    zip(prefix, year, n_in_inst, strict=True)]
    ev["his_visit_no"] = visit_no
    return ev
