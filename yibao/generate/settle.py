"""Settlements 结算: the money of every insured event, computed from its fee lines and the
benefit policy seed, plus reversals and re-settlements.

Per settlement (a long stay has two: a mid-stay one and the final one, each covering its own
fee lines): ``medfee_sumamt`` = Σ lines; ``fulamt_ownpay_amt`` = Σ 丙类 lines;
``preselfpay_amt`` = 10 % of 乙类 drugs + 20 % of 乙类 consumables; ``overlmt_selfpay`` small and
occasional; ``inscp_scp_amt`` = the rest. The deductible applies once per person, scheme, year
and care group (a downward referral inside the alliance waives it, an upward referral pays only
the difference to the secondary level); ``hifp_pay`` = (in-scope − deductible) × ratio, capped by
what is left of the annual cap; out of province the ratio is cut. Residents get critical-illness
insurance above 15,000 yuan of yearly personal in-scope spending, special populations (1, 2)
medical assistance, employees the large-amount subsidy above the cap and civil servants their
subsidy. Employees pay part of their share from the personal account. Everything is integer
cents, so the contract identities hold exactly. A reversal row negates every amount (the ratio
stays), names the original in ``init_setl_id`` and is followed by a re-settlement that corrects
it (the original applied a pooled-fund ratio 5 points too low; the hospital refunds the
difference).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from yibao.generate import params
from yibao.generate.catalogue import Catalogue
from yibao.generate.dates import SECONDS_PER_DAY, years_of
from yibao.generate.policy import care_group_of, lookup
from yibao.generate.population import Population

MONEY = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt",
         "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "cvlserv_pay", "hifob_pay", "hifmi_pay",
         "maf_pay", "oth_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay")


def _share(cents: np.ndarray, ratio: np.ndarray | int) -> np.ndarray:
    """cents × ratio / 10,000 rounded half up, for non-negative cents."""
    return (np.asarray(cents, dtype=np.int64) * np.asarray(ratio, dtype=np.int64) + 5000) // 10_000


def build_settlements(rng: np.random.Generator, cat: Catalogue, ev: pd.DataFrame,
                      lines: pd.DataFrame, pop: Population, region_institutions: pd.DataFrame,
                      cutoff_day: int, last_day: int) -> pd.DataFrame:
    """Settlement rows (internal typed frame with contract columns, ``ev`` and ``part``)."""
    st = _parts(cat, ev, lines)
    st = _enrollee_at_settlement(st, pop)
    st = _money(rng, st)
    st = _reversals(rng, st, cutoff_day, last_day)
    return _identify(st, region_institutions)


def _parts(cat: Catalogue, ev: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """One row per (insured event, part) with the sums the money needs."""
    insured = ev["insured"].to_numpy()
    ln = lines[insured[lines["ev"].to_numpy()]]
    item = ln["item"].to_numpy()
    amt = ln["amount"].to_numpy()
    lv = cat.lv[item]
    lt = cat.list_type[item]
    df = pd.DataFrame({
        "ev": ln["ev"].to_numpy(), "part": ln["part"].to_numpy(),
        "medfee": amt,
        "fulamt": np.where(lv == "03", amt, 0),
        "yi_drug": np.where((lv == "02") & np.isin(lt, ["101", "102", "103"]), amt, 0),
        "yi_cons": np.where((lv == "02") & (lt == "301"), amt, 0),
        "cons": np.where(lt == "301", amt, 0),
    })
    st = df.groupby(["ev", "part"], sort=True).sum().reset_index()
    e = st["ev"].to_numpy()
    for col in ("psn", "insutype", "med_type", "inst", "level_group", "out_prov", "refl_type",
                "spcl_psn_type", "civil", "mdtrt_id", "setl_ts", "mid_ts", "ptfp"):
        st[col] = ev[col].to_numpy()[e]
    parts = st.groupby("ev")["part"].transform("max").to_numpy()
    is_mid = (st["part"].to_numpy() == 0) & (parts == 1)
    st["setl_ts"] = np.where(is_mid, st["mid_ts"].to_numpy(), st["setl_ts"].to_numpy())
    st["last_part"] = ~is_mid
    return st.drop(columns=["mid_ts"])


def _enrollee_at_settlement(st: pd.DataFrame, pop: Population) -> pd.DataFrame:
    """psn_type and insu_admdvs of the person's spell of that scheme at settlement time."""
    sp = pop.spells[["psn", "insutype", "begndate", "psn_type", "insu_admdvs"]].copy()
    sp["psn"] = sp["psn"].astype(np.int64)
    sp["begndate"] = sp["begndate"].astype(np.int64)
    st = st.copy()
    st["setl_day"] = (st["setl_ts"].to_numpy() // SECONDS_PER_DAY).astype(np.int64)
    st["_order"] = np.arange(len(st))
    left = st.sort_values("setl_day", kind="stable")
    merged = pd.merge_asof(left, sp.sort_values("begndate", kind="stable"),
                           left_on="setl_day", right_on="begndate", by=["psn", "insutype"],
                           direction="backward")
    missing = merged["psn_type"].isna()
    if missing.any():  # settled before the spell began (cannot happen, but stay safe)
        fwd = pd.merge_asof(left, sp.sort_values("begndate", kind="stable"),
                            left_on="setl_day", right_on="begndate", by=["psn", "insutype"],
                            direction="forward")
        merged.loc[missing, ["psn_type", "insu_admdvs"]] = fwd.loc[
            missing, ["psn_type", "insu_admdvs"]].to_numpy()
    merged = merged.sort_values("_order", kind="stable").reset_index(drop=True)
    return merged.drop(columns=["_order", "begndate"])


def _money(rng: np.random.Generator, st: pd.DataFrame) -> pd.DataFrame:
    n = len(st)
    year = years_of(st["setl_day"].to_numpy())
    care = care_group_of(st["med_type"].to_numpy())
    keys = pd.DataFrame({"a": st["insu_admdvs"], "i": st["insutype"], "c": care,
                         "l": st["level_group"], "y": year})
    ded = np.zeros(n, dtype=np.int64)
    ded2 = np.zeros(n, dtype=np.int64)
    ratio = np.zeros(n, dtype=np.int64)
    cap = np.zeros(n, dtype=np.int64)
    cut = np.zeros(n, dtype=np.int64)
    for (a, i, c, lvl, y), idx in keys.groupby(["a", "i", "c", "l", "y"]).indices.items():
        row = lookup(str(a), str(i), str(c), str(lvl), int(y))
        secondary = lookup(str(a), str(i), str(c), "二级", int(y)) if c == "inpatient" else row
        ded[idx], ratio[idx], cap[idx] = row.deductible, row.ratio, row.cap
        ded2[idx], cut[idx] = secondary.deductible, row.out_of_province_cut
    ratio = np.where(st["out_prov"].to_numpy(), np.maximum(ratio - cut, 0), ratio)

    medfee = st["medfee"].to_numpy()
    fulamt = st["fulamt"].to_numpy()
    pre = _share(np.maximum(st["yi_drug"].to_numpy(), 0), params.PRESELFPAY_DRUG) + _share(
        np.maximum(st["yi_cons"].to_numpy(), 0), params.PRESELFPAY_CONSUMABLE)
    room = np.maximum(medfee - fulamt - pre, 0)
    pre = np.minimum(pre, np.maximum(medfee - fulamt, 0))
    over_pick = (st["cons"].to_numpy() > 0) & (rng.random(n) < 0.03)
    over = np.where(over_pick, np.minimum(_share(st["cons"].to_numpy(), 1500), room), 0)
    inscp = medfee - fulamt - over - pre

    # Deductible: once per person, scheme, year and care group, on the first settlement that
    # is not a downward referral and not the second part of a stay.
    refl = st["refl_type"].to_numpy()
    first_part = ~(st.groupby("ev").cumcount().to_numpy() > 0)
    eligible = first_part & (refl != "down")
    order = np.lexsort((st["setl_ts"].to_numpy(), care, year, st["insutype"].to_numpy(),
                        st["psn"].to_numpy()))
    grp = pd.DataFrame({"p": st["psn"].to_numpy()[order], "i": st["insutype"].to_numpy()[order],
                        "y": year[order], "c": care[order]})
    elig_sorted = eligible[order].astype(np.int64)
    cum_elig = pd.Series(elig_sorted).groupby([grp["p"], grp["i"], grp["y"], grp["c"]]).cumsum()
    first = np.zeros(n, dtype=bool)
    first[order] = (cum_elig.to_numpy() == 1) & (elig_sorted == 1)
    due = np.where(refl == "up", np.maximum(ded - ded2, 0), ded)
    dedc = np.where(first, np.minimum(due, inscp), 0)

    uncapped = _share(np.maximum(inscp - dedc, 0), ratio)
    u_sorted = pd.Series(uncapped[order])
    cum = u_sorted.groupby([grp["p"], grp["i"], grp["y"], grp["c"]]).cumsum().to_numpy()
    cap_s = cap[order]
    paid_sorted = np.minimum(cum, cap_s) - np.minimum(cum - uncapped[order], cap_s)
    hifp = np.zeros(n, dtype=np.int64)
    hifp[order] = np.maximum(paid_sorted, 0)

    employee = st["insutype"].to_numpy() == "310"
    med = st["med_type"].to_numpy()
    lost = uncapped - hifp
    hifob = np.where(employee & (lost > 0),
                     np.minimum(_share(lost * 10_000 // np.maximum(ratio, 1),
                                       params.LARGE_AMOUNT_RATIO), inscp - dedc - hifp), 0)
    hifob = np.maximum(hifob, 0)

    # Critical illness (residents): yearly personal in-scope spending above the threshold.
    personal = np.maximum(inscp - hifp, 0)
    ci_rows = (~employee) & np.isin(med, ["21", "14"])
    p_sorted = pd.Series(np.where(ci_rows, personal, 0)[order])
    cum_p = p_sorted.groupby([grp["p"], grp["y"]]).cumsum().to_numpy()
    thr = params.CRITICAL_ILLNESS_THRESHOLD
    excess = np.maximum(cum_p - thr, 0) - np.maximum(cum_p - p_sorted.to_numpy() - thr, 0)
    hifmi = np.zeros(n, dtype=np.int64)
    hifmi[order] = _share(excess, params.CRITICAL_ILLNESS_RATIO)

    civil = st["civil"].to_numpy() & employee & (med != "41")
    cvl = np.where(civil, _share(inscp - hifp - hifob, params.CIVIL_SERVANT_RATIO), 0)
    spcl = st["spcl_psn_type"].to_numpy()
    assisted = np.isin(spcl, ["1", "2"]) & np.isin(med, ["21", "14", "13"]) & ~employee
    maf = np.where(assisted, _share(np.maximum(inscp - hifp - hifmi, 0),
                                    params.MEDICAL_ASSISTANCE_RATIO), 0)
    remaining = np.maximum(inscp - hifp - hifob - cvl - hifmi - maf, 0)
    oth = np.where((med == "21") & (rng.random(n) < 0.002),
                   _share(remaining, params.OTHER_FUND_RATIO), 0)
    fund = hifp + cvl + hifob + hifmi + maf + oth
    part = medfee - fund
    u = rng.random(n)
    outpatient = np.isin(med, ["11", "13", "41"])
    acct_share = np.where(outpatient, np.where(u < 0.8, 10_000, (u * 10_000).astype(np.int64)),
                          (rng.random(n) * 5000).astype(np.int64))
    acct = np.where(employee, np.minimum(_share(np.maximum(part, 0), acct_share), part), 0)
    cash = part - acct

    money = {
        "medfee_sumamt": medfee, "fulamt_ownpay_amt": fulamt, "overlmt_selfpay": over,
        "preselfpay_amt": pre, "inscp_scp_amt": inscp, "act_pay_dedc": dedc, "hifp_pay": hifp,
        "cvlserv_pay": cvl, "hifob_pay": hifob, "hifmi_pay": hifmi, "maf_pay": maf,
        "oth_pay": oth, "fund_pay_sumamt": fund, "psn_part_amt": part, "acct_pay": acct,
        "psn_cash_pay": cash,
    }
    for k, v in money.items():
        st[k] = np.asarray(v, dtype=np.int64)
    st["pool_prop_selfpay"] = ratio
    st["refd_setl_flag"] = 0
    st["init_ref"] = -1
    return st.drop(columns=["medfee", "fulamt", "yi_drug", "yi_cons", "cons"])


def _reversals(rng: np.random.Generator, st: pd.DataFrame, cutoff_day: int,
               last_day: int) -> pd.DataFrame:
    """Full reversals followed by a corrected re-settlement.

    In the history a small share; on each daily day a few settlements from the history are
    reversed and settled again (a correction delivered by a daily batch).
    """
    st = st.copy()
    st["ref"] = np.arange(len(st))
    ts = st["setl_ts"].to_numpy()
    day = ts // SECONDS_PER_DAY
    hist = np.flatnonzero(st["last_part"].to_numpy() & (day <= cutoff_day - 3))
    k = int(round(len(st) * params.REVERSAL_SHARE))
    pick_hist = rng.choice(hist, size=min(k, len(hist)), replace=False) if k else np.array([], int)
    rev_ts = ts[pick_hist] + rng.integers(3600, 2 * SECONDS_PER_DAY, len(pick_hist))
    ok = rev_ts // SECONDS_PER_DAY <= cutoff_day
    pick_hist, rev_ts = pick_hist[ok], rev_ts[ok]
    recent = np.flatnonzero(st["last_part"].to_numpy() & (day <= cutoff_day)
                            & (day > cutoff_day - 60))
    recent = np.setdiff1d(recent, pick_hist)
    per_day = 2
    n_daily = min(len(recent), per_day * (last_day - cutoff_day))
    pick_daily = np.sort(rng.choice(recent, size=n_daily, replace=False)) if n_daily else recent[:0]
    daily_day = cutoff_day + 1 + np.arange(n_daily) // per_day
    daily_ts = daily_day * SECONDS_PER_DAY + rng.integers(9 * 3600, 17 * 3600, n_daily)
    picks = np.concatenate([pick_hist, pick_daily]).astype(np.int64)
    times = np.concatenate([rev_ts, daily_ts]).astype(np.int64)
    if len(picks) == 0:
        return st
    orig = st.iloc[picks].copy()
    again = orig.copy()
    again["setl_ts"] = times + rng.integers(120, 1800, len(times))
    # The original was settled with a pooled-fund ratio 5 points too low; the re-settlement
    # corrects it and the hospital refunds the difference (not for treat-first-pay-later
    # stays, whose payments are still open).
    ratio = orig["pool_prop_selfpay"].to_numpy()
    wrong = _share(np.maximum(orig["inscp_scp_amt"].to_numpy() - orig["act_pay_dedc"].to_numpy(),
                              0), np.maximum(ratio - 500, 0))
    fixable = (orig["ptfp"].to_numpy() == 0) & (ratio >= 1000)
    less = np.where(fixable, np.maximum(orig["hifp_pay"].to_numpy() - wrong, 0), 0)
    for col, sign in (("hifp_pay", -1), ("fund_pay_sumamt", -1), ("psn_part_amt", 1),
                      ("psn_cash_pay", 1)):
        orig[col] = orig[col].to_numpy() + sign * less
    orig["pool_prop_selfpay"] = np.where(less > 0, ratio - 500, ratio)
    st.iloc[picks, [st.columns.get_loc(c) for c in orig.columns]] = orig.to_numpy()
    rev = orig.copy()
    for col in MONEY:
        rev[col] = -rev[col].to_numpy()
    rev["refd_setl_flag"] = 1
    rev["init_ref"] = orig["ref"].to_numpy()
    rev["setl_ts"] = times
    return pd.concat([st, rev, again], ignore_index=True)


def _identify(st: pd.DataFrame, inst: pd.DataFrame) -> pd.DataFrame:
    """``setl_id`` in settlement-time order; ``init_setl_id`` of reversals."""
    st = st.sort_values(["setl_ts", "ev", "part", "refd_setl_flag"], kind="stable")
    st = st.reset_index(drop=True)
    days = (st["setl_ts"].to_numpy() // SECONDS_PER_DAY).astype("datetime64[D]").astype(str)
    ids = np.array([f"S{d.replace('-', '')}{k:09d}" for k, d in enumerate(days, start=1)],
                   dtype=object)
    st["setl_id"] = ids
    originals = st["refd_setl_flag"].to_numpy() == 0
    # the reference number of an original is its position in the pre-reversal frame; a
    # re-settlement copies it, so map from the first (original) occurrence only
    ref_to_id: dict[int, str] = {}
    for ref, sid in zip(st["ref"].to_numpy()[originals], ids[originals], strict=True):
        ref_to_id.setdefault(int(ref), str(sid))
    st["init_setl_id"] = [ref_to_id[int(r)] if r >= 0 else None for r in st["init_ref"]]
    st["fixmedins_code"] = inst["fixmedins_code"].to_numpy()[st["inst"].to_numpy()]
    st["setl_time"] = st["setl_ts"]
    return st
