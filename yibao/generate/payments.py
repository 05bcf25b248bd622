"""What patients pay the hospital 患者缴款 (HIS visits only).

Outpatient and emergency visits pay their cash share at settlement. An admission pays a
deposit 预交金 at admission (sometimes a second one during a long stay), then at each
settlement the balance, or gets a refund at discharge when the deposits were more than the
cash share; so Σ payments of a visit = Σ its net ``psn_cash_pay``. Admissions treated first and
paid later (``ptfp_flag`` 1) pay no deposit: most pay in full at discharge, some pay part and
the rest in later ``arrears_repay`` instalments, some never pay it all (arrears). Uninsured
visits pay the whole cost. When a settlement is reversed and settled again with a smaller cash
share, the hospital refunds the difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from yibao.generate.dates import SECONDS_PER_DAY

DEPOSITS = {3: (3000, 5000, 10000), 2: (1000, 2000, 3000), 1: (500, 1000), 0: (500, 1000)}


def build_payments(rng: np.random.Generator, ev: pd.DataFrame, lines: pd.DataFrame,
                   settlements: pd.DataFrame, last_ts: int) -> pd.DataFrame:
    """Payment rows: ``ev``, ``pay_ts``, ``pay_type``, ``amount`` (cents), ordered, with ids."""
    his = ev["his"].to_numpy()
    # cash due per (event, settlement part): insured → psn_cash_pay, uninsured → all of it
    orig = settlements[settlements["refd_setl_flag"] == 0]
    orig = orig.drop_duplicates(["ev", "part"], keep="first")
    due = {(int(e), int(p)): (int(c), int(t)) for e, p, c, t in
           zip(orig["ev"], orig["part"], orig["psn_cash_pay"], orig["setl_ts"], strict=True)}
    unins = ~ev["insured"].to_numpy()
    un_lines = lines[unins[lines["ev"].to_numpy()]]
    un_sum = un_lines.groupby("ev")["amount"].sum()
    setl_ts = ev["setl_ts"].to_numpy()
    for e, amt in un_sum.items():
        due[(int(e), 0)] = (int(amt), int(setl_ts[int(e)]))

    out_ev: list[int] = []
    out_ts: list[int] = []
    out_type: list[str] = []
    out_amt: list[int] = []

    def pay(e: int, ts: int, kind: str, amount: int) -> None:
        if ts <= last_ts and amount != 0:
            out_ev.append(e)
            out_ts.append(ts)
            out_type.append(kind)
            out_amt.append(amount)

    med = ev["med_type"].to_numpy()
    begin = ev["begin_ts"].to_numpy()
    rank = ev["rank"].to_numpy()
    los = ev["los"].to_numpy()
    ptfp = ev["ptfp"].to_numpy()
    # outpatient-type visits: one payment at settlement (vectorised)
    op = np.flatnonzero(his & (med != "21"))
    op_cash = np.array([due.get((int(e), 0), (0, 0))[0] for e in op], dtype=np.int64)
    op_ts = np.array([due.get((int(e), 0), (0, 0))[1] for e in op], dtype=np.int64)
    ok = op_cash > 0
    op_ev, op_cash, op_ts = op[ok], op_cash[ok], op_ts[ok] + rng.integers(5, 240, ok.sum())
    keep = op_ts <= last_ts
    frames = [pd.DataFrame({"ev": op_ev[keep], "pay_ts": op_ts[keep], "pay_type": "settle",
                            "amount": op_cash[keep]})]

    ip = np.flatnonzero(his & (med == "21"))
    draws = rng.random((len(ip), 6))
    for k, e in enumerate(ip):
        e = int(e)
        u = draws[k]
        parts = [due[(e, p)] for p in (0, 1) if (e, p) in due]
        if not parts:
            continue
        paid = 0
        if not ptfp[e]:
            options = DEPOSITS[int(rank[e])]
            deposit = options[int(u[0] * len(options))] * 100
            pay(e, int(begin[e]) + 300 + int(u[1] * 3000), "deposit", deposit)
            paid += deposit
            if los[e] >= 10 and u[2] < 0.3:
                pay(e, int(begin[e]) + 5 * SECONDS_PER_DAY + int(u[3] * 30000), "deposit",
                    deposit)
                paid += deposit
            cum = 0
            for j, (cash, ts) in enumerate(parts):
                cum += cash
                balance = cum - paid
                final = j == len(parts) - 1
                if balance > 0:
                    pay(e, ts + 60 + int(u[4] * 600), "settle", balance)
                    paid += balance
                elif final and balance < 0:
                    pay(e, ts + 120 + int(u[4] * 600), "refund", balance)
                    paid += balance
            continue
        total = sum(c for c, _ in parts)
        ts = parts[-1][1]
        if total <= 0:
            continue
        if u[0] < 0.6:  # pays in full at discharge
            pay(e, ts + 60 + int(u[4] * 600), "settle", total)
        elif u[0] < 0.85:  # pays part now, the rest in instalments
            now = int(total * (0.2 + 0.6 * u[1])) // 100 * 100
            pay(e, ts + 60 + int(u[4] * 600), "settle", now)
            rest = total - now
            n_inst = 1 + int(u[2] * 3)
            when = ts
            for i in range(n_inst):
                amount = rest if i == n_inst - 1 else rest // n_inst
                when += (3 + int(u[3] * 40 * (i + 1))) * SECONDS_PER_DAY
                pay(e, when, "arrears_repay", amount)
                rest -= amount
        else:  # pays part or nothing: arrears remain
            now = int(total * 0.5 * u[1]) // 100 * 100
            pay(e, ts + 60 + int(u[4] * 600), "settle", now)
    frames.append(pd.DataFrame({"ev": out_ev, "pay_ts": out_ts, "pay_type": out_type,
                                "amount": out_amt}))
    frames.append(_correction_refunds(rng, settlements, his, last_ts))
    pays = pd.concat(frames, ignore_index=True)
    pays["ev"] = pays["ev"].astype(np.int64)
    pays["pay_ts"] = pays["pay_ts"].astype(np.int64)
    pays["amount"] = pays["amount"].astype(np.int64)
    pays = pays.sort_values(["pay_ts", "ev", "pay_type"], kind="stable").reset_index(drop=True)
    days = (pays["pay_ts"].to_numpy() // SECONDS_PER_DAY).astype("datetime64[D]").astype(str)
    pays["pay_id"] = [f"JK{d.replace('-', '')}{k:08d}" for k, d in enumerate(days, start=1)]
    return pays


def _correction_refunds(rng: np.random.Generator, settlements: pd.DataFrame, his: np.ndarray,
                        last_ts: int) -> pd.DataFrame:
    """A corrected re-settlement that lowers the cash share is followed by a refund."""
    reversed_ev = settlements.loc[settlements["refd_setl_flag"] == 1, ["ev", "part"]]
    keys = set(zip(reversed_ev["ev"], reversed_ev["part"], strict=True))
    s = settlements[(settlements["refd_setl_flag"] == 0)
                    & pd.Series(list(zip(settlements["ev"], settlements["part"], strict=True)),
                                index=settlements.index).isin(keys)]
    s = s.sort_values(["ev", "part", "setl_ts"], kind="stable")
    first = s.groupby(["ev", "part"]).head(1).set_index(["ev", "part"])
    last = s.groupby(["ev", "part"]).tail(1).set_index(["ev", "part"])
    delta = (first["psn_cash_pay"] - last["psn_cash_pay"]).to_numpy()
    ev = np.array([k[0] for k in last.index], dtype=np.int64)
    ts = last["setl_ts"].to_numpy() + rng.integers(60, 600, len(last))
    keep = (delta > 0) & his[ev] & (ts <= last_ts)
    return pd.DataFrame({"ev": ev[keep], "pay_ts": ts[keep], "pay_type": "refund",
                         "amount": -delta[keep]})
