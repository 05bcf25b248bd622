"""Volume-based procurement 集中带量采购: agreements and the hospitals' purchases.

Every hospital connected to the warehouse (and, for the chronic-disease generics, every
township and community health centre) has one agreement per generic name and one-year cycle
of each batch, from the batch's start until the data ends (the last cycle is usually still
running). Purchases of the selected product arrive monthly (primary care every two months) and
add up to a completion rate spread around 60–130 %; hospitals keep buying some non-selected
products of the same generic name, and bought only those before the batch started. Suppliers
are paid mostly within 30 days, some late (31–120 days), a few not at all; a payment that falls
after the data's end is still empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from yibao.generate.catalogue import VBP_BATCHES, VBP_GENERICS, Catalogue, vbp_start_day
from yibao.generate.dates import NULL_DAY, NULL_TS, SECONDS_PER_DAY, day_of, month_start, months_of

HOSPITAL_ROLES = ("tertiary", "county_hosp", "county_tcm", "district_hosp")
PRIMARY_ROLES = ("township", "community")
BASE_VOLUME = {"tertiary": (150_000, 600_000), "county_hosp": (60_000, 200_000),
               "county_tcm": (30_000, 100_000), "district_hosp": (30_000, 100_000),
               "township": (3_000, 20_000), "community": (3_000, 15_000)}


@dataclass(frozen=True)
class Procurement:
    """Agreements and purchases (internal typed frames with contract columns)."""

    agreements: pd.DataFrame
    purchases: pd.DataFrame


def build_procurement(rng: np.random.Generator, cat: Catalogue, inst: pd.DataFrame,
                      start_year: int, end_year: int, cutoff_day: int) -> Procurement:
    """Agreements per institution × generic × cycle and the purchases that fill them."""
    d0, d1 = day_of(start_year), day_of(end_year, 12, 31)
    code_of = {}
    price_of = {}
    for k, item in enumerate(cat.items):
        if item.generic:
            code_of[(item.generic, item.selected)] = item.code
            price_of[(item.generic, item.selected)] = int(cat.price4[k])
    buyers = inst[inst["his"] & inst["role"].isin(HOSPITAL_ROLES + PRIMARY_ROLES)]
    agreements: list[dict] = []
    purchases: list[tuple[str, str, int, int, int]] = []  # inst, item code, day, cnt, price4
    generic_no = {g: k for k, g in enumerate(VBP_GENERICS, start=1)}
    for b_no, batch in enumerate(VBP_BATCHES, start=1):
        first = vbp_start_day(batch, start_year)
        if first > d1:
            continue
        y0 = start_year + batch.year_offset
        cycles = []
        y = y0
        while day_of(y, batch.month, 1) <= d1:
            cycles.append((day_of(y, batch.month, 1), day_of(y + 1, batch.month, 1) - 1))
            y += 1
        for _, b in buyers.iterrows():
            primary = b["role"] in PRIMARY_ROLES
            lo, hi = BASE_VOLUME[str(b["role"])]
            for generic in batch.generics:
                _atc, _lv, _sel, _non, pool, for_primary = VBP_GENERICS[generic]
                if primary and not for_primary:
                    continue
                base = rng.integers(lo, hi) * (1.0 if pool == "chronic" else 0.4)
                step = 2 if primary else 1
                keeps_brand = (not primary) and rng.random() < 0.6
                # before the batch starts: the non-selected product only
                _monthly(rng, purchases, b["fixmedins_code"], code_of[(generic, False)],
                         price_of[(generic, False)], max(d0, int(b["begndate"])), first - 1,
                         base / 12, step)
                for c_no, (cb, ce) in enumerate(cycles, start=1):
                    if int(b["begndate"]) > cb or (
                            int(b["enddate"]) != NULL_DAY and int(b["enddate"]) < cb):
                        continue
                    agreed = int(round(base * rng.uniform(0.9, 1.1), -2))
                    agreements.append({
                        "agreement_id": f"VBP{b_no:02d}-{b['fixmedins_code']}-"
                                        f"{generic_no[generic]:02d}-{c_no}",
                        "vbp_batch": batch.name, "generic_name": generic,
                        "med_list_codg": code_of[(generic, True)],
                        "fixmedins_code": b["fixmedins_code"], "agreed_cnt": agreed * 10_000,
                        "begndate": cb, "enddate": ce,
                    })
                    rate = float(np.clip(rng.normal(0.97, 0.17), 0.55, 1.35))
                    _monthly(rng, purchases, b["fixmedins_code"], code_of[(generic, True)],
                             price_of[(generic, True)], cb, min(ce, d1), agreed * rate / 12, step)
                    if keeps_brand:
                        _monthly(rng, purchases, b["fixmedins_code"], code_of[(generic, False)],
                                 price_of[(generic, False)], cb, min(ce, d1),
                                 agreed * rng.uniform(0.1, 0.35) / 12, 2)
    agr = pd.DataFrame(agreements).sort_values("agreement_id", kind="stable")
    return Procurement(agreements=agr.reset_index(drop=True),
                       purchases=_purchase_frame(rng, purchases, cutoff_day, d1))


def _monthly(rng: np.random.Generator, out: list[tuple[str, str, int, int, int]], inst: str,
             code: str, price4: int, first: int, last: int, per_month: float, step: int) -> None:
    """Purchases every ``step`` months between two days, ~``per_month`` units a month."""
    if last < first or per_month <= 0:
        return
    months = np.arange(months_of(np.array([first]))[0], months_of(np.array([last]))[0] + 1, step)
    for m in months:
        day = int(month_start(np.array([m]))[0]) + int(rng.integers(0, 28))
        if not first <= day <= last:
            continue
        cnt = int(round(per_month * step * rng.uniform(0.8, 1.2), -1))
        if cnt > 0:
            out.append((inst, code, day, cnt, price4))


def _purchase_frame(rng: np.random.Generator, rows: list[tuple[str, str, int, int, int]],
                    cutoff_day: int, d1: int) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["fixmedins_code", "med_list_codg", "day", "cnt", "price4"])
    n = len(df)
    df["purc_time"] = (df["day"].to_numpy() * SECONDS_PER_DAY
                       + rng.integers(int(8.5 * 3600), 16 * 3600, n))
    df["purc_cnt"] = df["cnt"].to_numpy() * 10_000
    prod = df["cnt"].to_numpy() * df["price4"].to_numpy()  # 1e-4 yuan
    df["purc_amt"] = (prod + 50) // 100
    # per institution a tendency to pay late
    insts = sorted(df["fixmedins_code"].unique())
    late_share = dict(zip(insts, 0.1 + 0.3 * rng.random(len(insts)), strict=True))
    p_late = df["fixmedins_code"].map(late_share).to_numpy()
    u = rng.random(n)
    delay = np.where(u < 0.04, -1, np.where(u < 0.04 + p_late, rng.integers(31, 121, n),
                                            rng.integers(5, 31, n)))
    pay_day = np.where(delay < 0, NULL_DAY, df["day"].to_numpy() + delay)
    # make sure some purchases of the history get paid on each daily day (a re-delivery)
    older = np.flatnonzero((df["day"].to_numpy() <= cutoff_day - 31)
                           & (df["day"].to_numpy() >= cutoff_day - 100))
    for k, idx in enumerate(rng.choice(older, size=min(len(older), 3 * (d1 - cutoff_day)),
                                       replace=False)):
        pay_day[idx] = cutoff_day + 1 + k % (d1 - cutoff_day)
    paid = (pay_day != NULL_DAY) & (pay_day <= d1)
    tod = rng.integers(9 * 3600, 17 * 3600, n)
    df["pay_time"] = np.where(paid, pay_day * SECONDS_PER_DAY + tod, NULL_TS)
    df["pay_amt"] = pd.array(np.where(paid, df["purc_amt"].to_numpy(), 0), dtype="Int64")
    df.loc[~paid, "pay_amt"] = pd.NA
    df = df.sort_values(["purc_time", "fixmedins_code", "med_list_codg"], kind="stable")
    df = df.reset_index(drop=True)
    months = (df["day"].to_numpy()).astype("datetime64[D]").astype("datetime64[M]").astype(str)
    df["purc_id"] = [f"CG{m.replace('-', '')}{k:08d}" for k, m in enumerate(months, start=1)]
    return df.drop(columns=["day", "cnt", "price4"])
