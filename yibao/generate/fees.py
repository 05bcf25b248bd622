"""Fee lines 费用明细 of every care event.

Lines are drawn per care type from catalogue pools: a visit fee, examinations, drugs
(western, Chinese patent, decoction pieces at TCM hospitals), consumables; inpatient stays add
a bed and a nursing line per day and, by diagnosis, surgery, delivery, chemotherapy, dialysis
or intensive care. After a VBP batch starts, most prescriptions of its generic names use the
selected product. A few drug lines are returned (negative quantity, same item and price, after
the original line). Amounts are ``round(cnt × pric, 2)``; all money is integer cents.

Lines are generated for every event, also those without HIS data (pharmacies, hospitals
outside the region), because the settlement amounts are their sums; only HIS visits' lines are
written.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from yibao.generate import params
from yibao.generate.catalogue import (
    LEVEL_PRICE_FACTOR,
    OUT_OF_PROVINCE_PRICE_FACTOR,
    VBP_BATCHES,
    Catalogue,
    vbp_start_day,
)
from yibao.generate.dates import NULL_TS, SECONDS_PER_DAY

PRIMARY = ("township", "community", "village")


class _Lines:
    """Accumulates line blocks (event row, item, quantity in 1/10,000, time)."""

    def __init__(self, rng: np.random.Generator, cat: Catalogue, ev: pd.DataFrame,
                 start_year: int) -> None:
        self.rng, self.cat, self.ev = rng, cat, ev
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.begin = ev["begin_ts"].to_numpy()
        self.setl = ev["setl_ts"].to_numpy()
        self.los = ev["los"].to_numpy()
        self._pools: dict[str, np.ndarray] = {}
        generic = np.array([i.generic for i in cat.items], dtype=object)
        selected = np.array([i.selected for i in cat.items])
        self.sibling = np.arange(len(cat.items))
        self.vbp_start = np.full(len(cat.items), np.iinfo(np.int64).max // 4, dtype=np.int64)
        starts = {g: vbp_start_day(b, start_year) for b in VBP_BATCHES for g in b.generics}
        for g in set(generic[generic != ""]):
            sel = int(np.flatnonzero((generic == g) & selected)[0])
            non = int(np.flatnonzero((generic == g) & ~selected)[0])
            self.sibling[sel], self.sibling[non] = non, sel
            self.vbp_start[sel] = self.vbp_start[non] = starts[g]
        self.selected = selected

    def pool(self, name: str) -> np.ndarray:
        if name not in self._pools:
            self._pools[name] = self.cat.pool(name)
        return self._pools[name]

    def draw(self, rows: np.ndarray, pool: str) -> np.ndarray:
        """One item per row from a pool (uniform)."""
        items = self.pool(pool)
        return items[self.rng.integers(0, len(items), len(rows))]

    def quantity(self, items: np.ndarray, scale: np.ndarray | float = 1.0) -> np.ndarray:
        lo, hi = self.cat.cnt_lo[items], self.cat.cnt_hi[items]
        x = (lo + self.rng.random(len(items)) * (hi - lo + 1)) * scale
        dec = self.cat.decimals[items]
        x = np.where(dec > 0, np.round(x, 1), np.floor(x))
        return (np.maximum(x, np.where(dec > 0, 0.1, 1)) * 10_000).round().astype(np.int64)

    def outpatient_time(self, rows: np.ndarray) -> np.ndarray:
        span = np.maximum(self.setl[rows] - self.begin[rows], 1)
        return self.begin[rows] + (self.rng.random(len(rows)) * span).astype(np.int64)

    def stay_time(self, rows: np.ndarray, day_index: np.ndarray | None = None) -> np.ndarray:
        los = np.maximum(self.los[rows], 1)
        if day_index is None:
            day_index = (self.rng.random(len(rows)) * los).astype(np.int64)
        adm_day = self.begin[rows] // SECONDS_PER_DAY
        t = (adm_day + day_index) * SECONDS_PER_DAY + self.rng.integers(8 * 3600, 20 * 3600,
                                                                      len(rows))
        return np.clip(t, self.begin[rows] + 60, np.maximum(self.setl[rows] - 60,
                                                            self.begin[rows] + 60))

    def add(self, rows: np.ndarray, items: np.ndarray, cnt4: np.ndarray, ts: np.ndarray) -> None:
        if len(rows):
            self.blocks.append((rows, items, cnt4, ts))

    def add_pool(self, rows: np.ndarray, pool: str, inpatient: bool,
                 scale: np.ndarray | float = 1.0) -> None:
        """One line per row from ``pool`` with a quantity from the item's range."""
        items = self.draw(rows, pool)
        ts = self.stay_time(rows) if inpatient else self.outpatient_time(rows)
        self.add(rows, items, self.quantity(items, scale), ts)

    def add_all_of(self, rows: np.ndarray, pool: str, inpatient: bool) -> None:
        """Every item of a pool once per row (a surgery with its implant, a dialysis session)."""
        for item in self.pool(pool):
            items = np.full(len(rows), item)
            day = np.minimum(1, np.maximum(self.los[rows] - 1, 0))
            ts = self.stay_time(rows, day) if inpatient else self.outpatient_time(rows)
            self.add(rows, items, self.quantity(items), ts)


def _repeat(rows: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return np.repeat(rows, np.asarray(counts, dtype=np.int64))


def build_fee_lines(rng: np.random.Generator, cat: Catalogue, ev: pd.DataFrame,
                    start_year: int) -> pd.DataFrame:
    """Fee lines of all events: ``ev``, item, ``cnt4``, ``pric4``, ``amount`` (cents), time."""
    lines = _Lines(rng, cat, ev, start_year)
    med = ev["med_type"].to_numpy()
    rank = ev["rank"].to_numpy()
    role = ev["inst_role"].to_numpy()
    primary = np.isin(role, PRIMARY)
    tcm = ev["inst_cat"].to_numpy() == "tcm_hospital"
    extra = ev["extra"].to_numpy()
    chronic = ev["chronic_drugs"].to_numpy()
    los = ev["los"].to_numpy()
    rows_all = np.arange(len(ev))
    n = len(ev)
    u = rng.random(n)

    # ------------------------------------------------------------ ordinary outpatient 11
    r = rows_all[med == "11"]
    lines.add_pool(r[primary[r]], "visit_primary", False)
    lines.add_pool(r[~primary[r]], "visit", False)
    lam = np.select([rank[r] >= 3, rank[r] == 2, rank[r] == 1], [1.6, 1.0, 0.3], 0.15)
    ex = _repeat(r, rng.poisson(lam))
    lines.add_pool(ex[rank[ex] >= 2], "exam", False)
    lines.add_pool(ex[rank[ex] < 2], "exam_primary", False)
    herbs = r[tcm[r] & (u[r] < 0.5)]
    lines.add_pool(_repeat(herbs, rng.integers(6, 13, len(herbs))), "herb", False)
    lines.add_pool(herbs, "tcm_drug", False)
    d = _repeat(r[~np.isin(r, herbs)], 1 + rng.poisson(0.9, len(r) - len(herbs)))
    lines.add_pool(d[chronic[d]], "chronic", False)
    lines.add_pool(d[~chronic[d]], "acute", False)
    inf = r[(u[r] > 0.9) | (primary[r] & (u[r] > 0.8))]
    lines.add_pool(inf, "infusion", False)
    lines.add_pool(inf, "er_drug", False)
    ch = r[extra[r] == "checkup"]
    lines.add_pool(ch, "checkup", False)
    lines.add_pool(_repeat(ch, np.full(len(ch), 3)), "exam_primary", False)

    # ------------------------------------------------------------------ emergency 13
    r = rows_all[med == "13"]
    lines.add_pool(r, "er_visit", False)
    ex = _repeat(r, 1 + rng.poisson(1.5, len(r)))
    lines.add_pool(ex[rank[ex] >= 2], "exam", False)
    lines.add_pool(ex[rank[ex] < 2], "exam_primary", False)
    img = r[(extra[r] == "exam_imaging") | ((rank[r] >= 2) & (u[r] < 0.3))]
    lines.add_pool(img, "exam_imaging", False)
    lines.add_pool(_repeat(r, 1 + rng.poisson(1.5, len(r))), "er_drug", False)
    lines.add_pool(_repeat(r, 1 + rng.poisson(0.7, len(r))), "consumable", False)
    lines.add_pool(r[u[r] < 0.4], "infusion", False)

    # -------------------------------------------------------- chronic outpatient 14
    r = rows_all[med == "14"]
    lines.add_pool(r[(u[r] < 0.6) & primary[r]], "visit_primary", False)
    lines.add_pool(r[(u[r] < 0.6) & ~primary[r]], "visit", False)
    plain = r[~np.isin(extra[r], ["dialysis", "chemo_oral"])]
    d = _repeat(plain, 1 + rng.poisson(1.2, len(plain)))
    lines.add_pool(d, "chronic", False, scale=rng.integers(1, 4, len(d)))
    ex = _repeat(r, rng.poisson(0.4, len(r)))
    lines.add_pool(ex, "exam_primary", False)
    dia = r[extra[r] == "dialysis"]
    sessions = rng.integers(8, 14, len(dia)) * 10_000
    for pool_item in lines.pool("dialysis"):
        lines.add(dia, np.full(len(dia), pool_item), sessions, lines.outpatient_time(dia))
    chemo = r[extra[r] == "chemo_oral"]
    lines.add_pool(chemo, "chemo_oral", False)
    lines.add_pool(chemo, "exam_imaging", False)

    # ---------------------------------------------------------------- pharmacy 41
    r = rows_all[med == "41"]
    lines.add_pool(_repeat(r, 1 + rng.poisson(0.8, len(r))), "pharmacy", False)

    # ---------------------------------------------------------------- inpatient 21
    r = rows_all[med == "21"]
    days = np.maximum(los[r], 1)
    daily = _repeat(r, days)
    day_index = np.arange(len(daily)) - np.repeat(np.cumsum(days) - days, days)
    for pool in ("bed", "nursing"):
        items = lines.draw(daily, pool)
        lines.add(daily, items, np.full(len(daily), 10_000), lines.stay_time(daily, day_index))
    visit_item = lines.draw(r, "ip_visit")
    lines.add(r, visit_item, days * 10_000, lines.stay_time(r, days - 1))
    ex = _repeat(r, 3 + rng.poisson(2 + 0.3 * los[r] + np.where(rank[r] >= 3, 3, 0)))
    lines.add_pool(ex[rank[ex] >= 2], "exam", True)
    lines.add_pool(ex[rank[ex] < 2], "exam_primary", True)
    img = r[(extra[r] == "exam_imaging") | ((rank[r] >= 2) & (u[r] < 0.5))]
    lines.add_pool(img, "exam_imaging", True)
    nd = np.minimum(3 + rng.poisson(0.8 * los[r] * np.where(rank[r] >= 3, 1.4, 1.0)), 40)
    d = _repeat(r, nd)
    scale = np.maximum(los[d], 3) / 4 * np.where(rank[d] >= 3, 1.6, 1.0)
    older = (ev["age"].to_numpy()[d] >= 60) | chronic[d]
    to_chronic = older & (rng.random(len(d)) < 0.3)
    lines.add_pool(d[to_chronic], "ip_chronic", True)
    lines.add_pool(d[~to_chronic], "ip_drug", True, scale=scale[~to_chronic])
    costly = r[rng.random(len(r)) < np.select([rank[r] >= 3, rank[r] == 2], [0.25, 0.08], 0.02)]
    lines.add_pool(costly, "ip_drug_costly", True)
    lines.add_pool(_repeat(r, 1 + rng.poisson(1 + 0.2 * los[r])), "consumable", True)
    inf_items = lines.draw(r, "infusion")
    lines.add(r, inf_items, days * 10_000, lines.stay_time(r))
    for name in ("surgery_appendix", "surgery_gallbladder", "surgery_hip", "surgery_cs"):
        s = r[extra[r] == name]
        lines.add_all_of(s, name, True)
        lines.add_all_of(s, "anesthesia", True)
        lines.add_all_of(s, "anesthesia_drug", True)
    pci = r[(extra[r] == "pci") & (rank[r] >= 3) & (u[r] < 0.5)]
    lines.add_all_of(pci, "surgery_pci", True)
    lines.add_all_of(r[extra[r] == "delivery"], "delivery", True)
    chemo = r[extra[r] == "chemo"]
    lines.add_all_of(chemo, "chemo", True)
    dia = r[extra[r] == "dialysis"]
    lines.add_pool(_repeat(dia, rng.integers(2, 5, len(dia))), "dialysis", True)
    tcm_s = r[extra[r] == "tcm_service"]
    lines.add_pool(_repeat(tcm_s, rng.integers(1, 3, len(tcm_s))), "tcm_service", True)
    herbs = r[tcm[r] & (u[r] < 0.4)]
    h = _repeat(herbs, rng.integers(8, 15, len(herbs)))
    lines.add_pool(h, "herb", True, scale=np.maximum(los[h], 3) / 7)
    critical = r[rng.random(len(r)) < np.select([rank[r] >= 3, rank[r] == 2], [0.04, 0.01], 0)]
    icu_days = np.minimum(np.maximum(los[critical], 1), rng.integers(2, 8, len(critical)))
    icu = _repeat(critical, icu_days)
    icu_index = np.arange(len(icu)) - np.repeat(np.cumsum(icu_days) - icu_days, icu_days)
    lines.add(icu, lines.draw(icu, "icu"), np.full(len(icu), 10_000),
              lines.stay_time(icu, icu_index))
    vip = r[(rank[r] >= 3) & (rng.random(len(r)) < 0.03)]
    lines.add(vip, lines.draw(vip, "bed_vip"), np.maximum(los[vip], 1) * 10_000,
              lines.stay_time(vip, np.maximum(los[vip] - 1, 0)))

    return _finish(rng, lines, ev)


def _finish(rng: np.random.Generator, lines: _Lines, ev: pd.DataFrame) -> pd.DataFrame:
    cat = lines.cat
    empty = np.zeros(0, dtype=np.int64)
    lines.blocks.append((empty, empty, empty, empty))  # so that no events still concatenates
    rows = np.concatenate([b[0] for b in lines.blocks])
    item = np.concatenate([b[1] for b in lines.blocks])
    cnt4 = np.concatenate([b[2] for b in lines.blocks])
    ts = np.concatenate([b[3] for b in lines.blocks])
    # VBP substitution: before the batch starts only the non-selected product is bought;
    # afterwards prescriptions switch mostly to the selected product (less at pharmacies).
    day = ts // SECONDS_PER_DAY
    has_generic = lines.sibling[item] != item
    pharmacy = ev["med_type"].to_numpy()[rows] == "41"
    want_selected = (day >= lines.vbp_start[item]) & (
        rng.random(len(item)) < np.where(pharmacy, 0.5, 0.85))
    swap = has_generic & (lines.selected[item] != want_selected)
    item = np.where(swap, lines.sibling[item], item)

    level = ev["level_group"].to_numpy()[rows]
    factor = np.array([LEVEL_PRICE_FACTOR[g] for g in level])
    factor = np.where(ev["out_prov"].to_numpy()[rows], factor * OUT_OF_PROVINCE_PRICE_FACTOR,
                      factor)
    base = cat.price4[item]
    service_price = np.round(base * factor / 100).astype(np.int64) * 100  # whole cents
    pric4 = np.where(cat.is_service[item], service_price, base)
    out = pd.DataFrame({"ev": rows, "item": item, "cnt4": cnt4, "pric4": pric4, "ts": ts})
    out = _returns(rng, out, ev, cat)
    out["amount"] = _line_amount(out["cnt4"].to_numpy(), out["pric4"].to_numpy())
    out = out.sort_values(["ev", "ts", "item", "cnt4"], kind="stable").reset_index(drop=True)
    out["sn"] = out.groupby("ev").cumcount().to_numpy() + 1
    mid = ev["mid_ts"].to_numpy()[out["ev"].to_numpy()]
    out["part"] = ((mid != NULL_TS) & (out["ts"].to_numpy() > mid)).astype(np.int64)
    return out


def _line_amount(cnt4: np.ndarray, pric4: np.ndarray) -> np.ndarray:
    """round(cnt × pric, 2) in cents, half away from zero."""
    prod = cnt4.astype(np.int64) * pric4.astype(np.int64)  # 1e-8 yuan
    return np.sign(prod) * ((np.abs(prod) + 500_000) // 1_000_000)


def _returns(rng: np.random.Generator, lines: pd.DataFrame, ev: pd.DataFrame,
             cat: Catalogue) -> pd.DataFrame:
    """A few drug lines of inpatient stays are partly returned before discharge."""
    med = ev["med_type"].to_numpy()[lines["ev"].to_numpy()]
    no_mid = ev["mid_ts"].to_numpy()[lines["ev"].to_numpy()] == NULL_TS
    drug = np.isin(cat.list_type[lines["item"].to_numpy()], ["101", "102"])
    cand = np.flatnonzero((med == "21") & no_mid & drug & (lines["cnt4"].to_numpy() >= 20_000))
    if len(cand) == 0:
        return lines
    cand_ev = lines["ev"].to_numpy()[cand]
    first = cand[np.unique(cand_ev, return_index=True)[1]]
    pick = first[rng.random(len(first)) < params.RETURN_SHARE]
    ret = lines.iloc[pick].copy()
    whole = ret["cnt4"].to_numpy() // 10_000
    back = 1 + (rng.random(len(ret)) * whole).astype(np.int64)
    ret["cnt4"] = -np.minimum(back, whole) * 10_000
    setl = ev["setl_ts"].to_numpy()[ret["ev"].to_numpy()]
    t = ret["ts"].to_numpy() + rng.integers(3600, 86400, len(ret))
    ret["ts"] = np.maximum(np.minimum(t, setl - 30), ret["ts"].to_numpy() + 1)
    return pd.concat([lines, ret], ignore_index=True)
