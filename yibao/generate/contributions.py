"""Contributions 缴费 and the coverage periods they buy.

Residents (390) pay once per benefit year B. The payment date decides when benefits start and
whether the fiscal subsidy is paid (Qinghai 2022 rules, domain notes §3): Sep–Dec of B−1 →
covered from 1 Jan B; Jan–Mar B → from the payment day; Apr–Jun → 60 days later; from July →
60 days later and no subsidy. Newborns, medical-assistance recipients (spcl 1, 2), people
lifted out of poverty (4) and employees who lost their job less than three months earlier
(green channel) are covered from the payment day, with subsidy. Some residents skip a year.
Payments for the first benefit year made in the autumn before the period are included (they
are what covers the first year), and so are autumn payments for the year after the period.

Employees (310) pay monthly on a wage base: employer ~8 %, employee ~2 % (flexible workers pay
10 % themselves); part goes to the personal account. Retirees pay nothing. A few mistaken
double payments are reversed (``revs_flag`` 1, negative amounts, their own ``clct_id``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from yibao.generate import params
from yibao.generate.dates import (
    NULL_DAY,
    SECONDS_PER_DAY,
    day_of,
    month_start,
    months_of,
    years_of,
)
from yibao.generate.population import Population

GREEN_SPCL = ("1", "2", "4")


@dataclass(frozen=True)
class Contributions:
    """Contribution rows (typed, contract columns + ``psn``) and eligibility intervals.

    ``eligible``: one row per (person, scheme, spell, covered span) — the days on which the
    person may be settled in that scheme. ``uncovered``: resident spell days without coverage.
    """

    rows: pd.DataFrame
    eligible: pd.DataFrame
    uncovered: pd.DataFrame


def build_contributions(rng: np.random.Generator, pop: Population, start_year: int,
                        end_year: int) -> Contributions:
    """Contribution rows and the coverage they give."""
    d0, d1 = day_of(start_year), day_of(end_year, 12, 31)
    sp = pop.spells
    persons = pop.persons
    death = persons["death"].to_numpy()
    spcl = persons["spcl"].to_numpy()
    res_rows, res_cover = _resident_payments(rng, sp, death, spcl, start_year, end_year, d1)
    emp_rows = _employee_payments(rng, sp, persons["wage"].to_numpy(), start_year, d0, d1)
    cols = ["psn", "insutype", "begn_ym", "end_ym", "psn_clct_amt", "emp_clct_amt",
            "govt_subsidy_amt", "acct_crdt_amt", "clct_time", "revs_flag"]
    rows = pd.concat([pd.DataFrame(res_rows, columns=cols), emp_rows[cols]], ignore_index=True)
    rows = _reversals(rng, rows, d1)
    rows = rows.sort_values(["clct_time", "psn", "insutype", "begn_ym", "revs_flag"],
                            kind="stable").reset_index(drop=True)
    days = (rows["clct_time"].to_numpy() // SECONDS_PER_DAY).astype("datetime64[D]").astype(str)
    rows["clct_id"] = [f"JF{d.replace('-', '')}{k:08d}" for k, d in enumerate(days, start=1)]
    rows["psn_no"] = persons["psn_no"].to_numpy()[rows["psn"].to_numpy()]
    eligible, uncovered = _eligibility(sp, res_cover, d0, d1)
    return Contributions(rows=rows, eligible=eligible, uncovered=uncovered)


def _resident_payments(rng: np.random.Generator, sp: pd.DataFrame, death: np.ndarray,
                       spcl: np.ndarray, start_year: int, end_year: int,
                       d1: int) -> tuple[list[list], list[tuple[int, int, int]]]:
    """Yearly resident payments and the coverage period (psn, first day, last day) of each."""
    rows: list[list] = []
    cover: list[tuple[int, int, int]] = []
    res = sp[sp["insutype"] == "390"]
    cats = list(params.PAY_WINDOW_SHARES)
    cum = np.cumsum(list(params.PAY_WINDOW_SHARES.values()))
    cum /= cum[-1]
    n_years = end_year - start_year + 2
    draws = rng.random((len(death), n_years, 3))  # category, day, time of day
    r_psn = res["psn"].to_numpy()
    r_beg = res["begndate"].to_numpy()
    r_end = res["enddate"].to_numpy()
    r_green = res["green"].to_numpy()
    r_type = res["psn_type"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, r_psn[1:] != r_psn[:-1], True])
    for g0, g1 in zip(bounds[:-1], bounds[1:], strict=True):
        psn = int(r_psn[g0])
        spans = [(int(r_beg[k]), int(d1 if r_end[k] == NULL_DAY else r_end[k]),
                  bool(r_end[k] == NULL_DAY), bool(r_green[k]), str(r_type[k]))
                 for k in range(g0, g1)]
        dead = int(death[psn])
        green_person = spcl[psn] in GREEN_SPCL
        for year in range(start_year, end_year + 2):
            u_cat, u_day, u_tod = draws[psn, year - start_year]
            jan, dec = day_of(year), day_of(year, 12, 31)
            last_year = year == end_year + 1
            if last_year:  # autumn payments for the year after the data: open spells only
                active = [s for s in spans if s[2]]
            else:
                active = [s for s in spans if s[0] <= dec and s[1] >= jan]
            if not active:
                continue
            prev = [s for s in spans if s[0] <= jan - 1 <= s[1]]
            first = active[0]
            subsidy = True
            if first[0] > jan and not prev:
                if last_year:
                    continue
                # a new joiner: newborn, green channel after job loss, or an ordinary joiner
                day = min(first[0] + int(u_day * 21), dec, first[1])
                if first[4] == "23" or first[3] or green_person or day < day_of(year, 4, 1):
                    cover_from = day
                else:
                    cover_from = day + params.WAITING_DAYS
                    subsidy = day < day_of(year, 7, 1)
            else:
                cat = "window" if green_person else cats[int(np.searchsorted(cum, u_cat))]
                if cat == "skip" or (last_year and cat != "window"):
                    continue
                lo, hi = {
                    "window": (day_of(year - 1, 9, 1), day_of(year - 1, 12, 31)),
                    "jan_mar": (jan, day_of(year, 3, 31)),
                    "apr_jun": (day_of(year, 4, 1), day_of(year, 6, 30)),
                    "from_jul": (day_of(year, 7, 1), day_of(year, 11, 30)),
                }[cat]
                day = lo + int(u_day * (hi - lo + 1))
                if cat == "window":
                    day = max(day, (prev[0] if prev else first)[0])
                if not any(s[0] <= day <= s[1] for s in spans):
                    continue
                cover_from = {"window": jan, "jan_mar": day}.get(cat, day + params.WAITING_DAYS)
                subsidy = cat != "from_jul"
            if day > d1 or (dead != NULL_DAY and day > dead):
                continue
            ts = day * SECONDS_PER_DAY + int(8 * 3600 + u_tod * 13.5 * 3600)
            indiv = params.resident_individual(year) * 100
            govt = params.resident_subsidy(year) * 100 if subsidy else 0
            rows.append([psn, "390", year * 100 + 1, year * 100 + 12, indiv, 0, govt, 0, ts, 0])
            last_day = dec if dead == NULL_DAY else min(dec, dead)
            if cover_from <= last_day:
                cover.append((int(psn), cover_from, last_day))
    return rows, cover


def _employee_payments(rng: np.random.Generator, sp: pd.DataFrame, wage: np.ndarray,
                       start_year: int, d0: int, d1: int) -> pd.DataFrame:
    """Monthly employer and employee contributions of working employees (11, 13)."""
    emp = sp[(sp["insutype"] == "310") & sp["psn_type"].isin(["11", "13"])]
    b = np.maximum(emp["begndate"].to_numpy(), d0)
    e = np.where(emp["enddate"].to_numpy() == NULL_DAY, d1, emp["enddate"].to_numpy())
    e = np.minimum(e, d1)
    keep = e >= b
    b, e = b[keep], e[keep]
    psn = emp["psn"].to_numpy()[keep]
    flexible = (emp["psn_type"].to_numpy() == "13")[keep]
    m0, m1 = months_of(b), months_of(e)
    n = (m1 - m0 + 1).astype(np.int64)
    idx = np.repeat(np.arange(len(b)), n)
    month = m0[idx] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    day = month_start(month) + rng.integers(4, 25, len(month))
    day = np.clip(day, b[idx], e[idx])
    ts = day * SECONDS_PER_DAY + rng.integers(9 * 3600, 17 * 3600, len(day))
    year = years_of(month_start(month))
    growth = (1 + params.WAGE_GROWTH) ** (year - start_year)
    base = (np.round(wage[psn[idx]] * growth, -1) * 100).astype(np.int64)
    flex = flexible[idx]
    flex_base = (np.round(np.minimum(base, 450_000) * 0.8, -3)).astype(np.int64)
    personal = np.where(flex, _pct(flex_base, params.FLEXIBLE_RATE),
                        _pct(base, params.EMPLOYEE_RATE))
    employer = np.where(flex, 0, _pct(base, params.EMPLOYER_RATE))
    acct = np.where(flex, _pct(personal, params.FLEXIBLE_ACCOUNT_SHARE),
                    personal + _pct(employer, params.ACCOUNT_SHARE_OF_EMPLOYER))
    ym = (month // 12) * 100 + month % 12 + 1
    return pd.DataFrame({
        "psn": psn[idx], "insutype": "310", "begn_ym": ym, "end_ym": ym,
        "psn_clct_amt": personal, "emp_clct_amt": employer, "govt_subsidy_amt": 0,
        "acct_crdt_amt": acct, "clct_time": ts, "revs_flag": 0,
    })


def _pct(cents: np.ndarray, ratio: int) -> np.ndarray:
    """cents × ratio / 10,000, rounded half up (non-negative input)."""
    return (np.asarray(cents, dtype=np.int64) * ratio + 5000) // 10_000


def _reversals(rng: np.random.Generator, rows: pd.DataFrame, d1: int) -> pd.DataFrame:
    """A few payments were made twice by mistake; the duplicate is reversed weeks later."""
    ok = np.flatnonzero(rows["clct_time"].to_numpy() < (d1 - 40) * SECONDS_PER_DAY)
    if len(ok) == 0:
        return rows
    k = max(2, int(round(len(rows) * 0.001)))
    pick = np.sort(rng.choice(ok, size=min(k, len(ok)), replace=False))
    dup = rows.iloc[pick].copy()
    dup["clct_time"] = dup["clct_time"].to_numpy() + rng.integers(300, 7200, len(dup))
    rev = dup.copy()
    rev["clct_time"] = dup["clct_time"].to_numpy() + rng.integers(3, 31, len(dup)) * SECONDS_PER_DAY
    for c in ("psn_clct_amt", "emp_clct_amt", "govt_subsidy_amt", "acct_crdt_amt"):
        rev[c] = -rev[c]
    rev["revs_flag"] = 1
    return pd.concat([rows, dup, rev], ignore_index=True)


def _eligibility(sp: pd.DataFrame, res_cover: list[tuple[int, int, int]], d0: int,
                 d1: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Days each person may be settled: employee spells, resident spells ∩ paid coverage."""
    cols = ["spell", "begin", "end"]
    ends = np.where(sp["enddate"].to_numpy() == NULL_DAY, d1, sp["enddate"].to_numpy())
    emp = sp["insutype"].to_numpy() == "310"
    eb = np.maximum(sp["begndate"].to_numpy()[emp], d0)
    ee = np.minimum(ends[emp], d1)
    ok = ee >= eb
    eligible = [pd.DataFrame({"spell": np.flatnonzero(emp)[ok], "begin": eb[ok], "end": ee[ok]})]
    cover: dict[int, list[tuple[int, int]]] = {}
    for psn, b, e in res_cover:
        cover.setdefault(psn, []).append((b, e))
    covered: list[tuple[int, int, int]] = []
    uncovered: list[tuple[int, int, int]] = []
    res_idx = np.flatnonzero(~emp)
    psns = sp["psn"].to_numpy()
    begins = sp["begndate"].to_numpy()
    for k in res_idx:
        sb, se = max(int(begins[k]), d0), min(int(ends[k]), d1)
        if se < sb:
            continue
        cursor = sb
        for cb, ce in sorted(cover.get(int(psns[k]), [])):
            lo, hi = max(cb, sb), min(ce, se)
            if lo > hi:
                continue
            if lo > cursor:
                uncovered.append((int(k), cursor, lo - 1))
            covered.append((int(k), lo, hi))
            cursor = max(cursor, hi + 1)
        if cursor <= se:
            uncovered.append((int(k), cursor, se))
    eligible.append(pd.DataFrame(covered, columns=cols))
    out = pd.concat(eligible, ignore_index=True).sort_values(["spell", "begin"], kind="stable")
    return out.reset_index(drop=True), pd.DataFrame(uncovered, columns=cols)
