"""Defective rows for the daily batches (``defect_share`` > 0).

Each defect is an extra row — a copy of a real row of the same file and batch with a fresh key
and one thing wrong — so nothing valid is lost and the invariants of the other rows hold. The
exception is ``duplicate_key``, an exact copy of a row (the key then appears twice). Every
kind the contract forbids appears at least once; each is recorded with its batch, file, 1-based
data-row number (header excluded), kind and column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

Row = dict[str, str | None]


@dataclass(frozen=True)
class DefectKind:
    """One kind of defect: the file it goes into, the column it breaks, how to make it."""

    kind: str
    file: str
    column: str
    make: Callable[[Row], Row]
    needs: Callable[[Row], bool] | None = None


def _set(**values: str | None) -> Callable[[Row], Row]:
    def make(row: Row) -> Row:
        return {**row, **values}
    return make


def _amount(row: Row, col: str, delta: float) -> str:
    return f"{float(row[col] or 0) + delta:.2f}"


def _neg(value: str | None) -> str | None:
    if value is None or value == "":
        return value
    return value[1:] if value.startswith("-") else ("0.00" if float(value) == 0 else "-" + value)


SETTLEMENT_MONEY = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt",
                    "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "cvlserv_pay", "hifob_pay",
                    "hifmi_pay", "maf_pay", "oth_pay", "fund_pay_sumamt", "psn_part_amt",
                    "acct_pay", "psn_cash_pay")


def _negate_settlement(row: Row) -> Row:
    out = dict(row)
    for c in SETTLEMENT_MONEY:
        out[c] = _neg(row[c])
    return out


def _shift_day(value: str | None, days: int) -> str:
    return str(np.datetime64((value or "2024-01-01")[:10]) + np.timedelta64(days, "D"))


def _personal_part(row: Row) -> Row:
    return {**row, "psn_part_amt": _amount(row, "psn_part_amt", 5),
            "psn_cash_pay": _amount(row, "psn_cash_pay", 5)}


def _line_mismatch(row: Row) -> Row:
    return {**row, "det_item_fee_sumamt": _amount(row, "det_item_fee_sumamt", 1)}


def _negative_price(row: Row) -> Row:
    cnt = float(row["cnt"] or 1)
    pric = float(row["pric"] or 0) or 1.5
    return {**row, "pric": f"{-pric:.4f}", "det_item_fee_sumamt": f"{-pric * cnt:.2f}"}


def _reversal_positive(row: Row) -> Row:
    return {**row, "revs_flag": "1"}


def _enrollment_end_before(row: Row) -> Row:
    return {**row, "enddate": _shift_day(row["begndate"], -30)}


def _born_after(row: Row) -> Row:
    return {**row, "brdy": _shift_day(row["begndate"], 400)}


def _endtime_before(row: Row) -> Row:
    begin = np.datetime64(str(row["begntime"]).replace(" ", "T")) - np.timedelta64(3600, "s")
    return {**row, "endtime": str(begin).replace("T", " ")}


def _settlement_negative(row: Row) -> Row:
    return {**_negate_settlement(row), "refd_setl_flag": "0", "init_setl_id": None}


def _reversal_no_init(row: Row) -> Row:
    return {**_negate_settlement(row), "refd_setl_flag": "1", "init_setl_id": None}


def _reversal_positive_settlement(row: Row) -> Row:
    return {**row, "refd_setl_flag": "1", "init_setl_id": row["setl_id"]}


def _positive(col: str) -> Callable[[Row], bool]:
    return lambda r: r.get(col) not in (None, "") and float(r[col]) > 0  # type: ignore[arg-type]


KINDS: tuple[DefectKind, ...] = (
    DefectKind("required_empty", "settlement", "psn_no", _set(psn_no=None)),
    DefectKind("bad_date", "enrollment", "brdy", _set(brdy="1985-02-30")),
    DefectKind("bad_timestamp", "his_visit", "begntime", _set(begntime="2024-12-30 25:61:00")),
    DefectKind("bad_yearmonth", "contribution", "begn_ym", _set(begn_ym="202413")),
    DefectKind("bad_flag", "his_visit", "ptfp_flag", _set(ptfp_flag="2")),
    DefectKind("amount_three_decimals", "his_payment", "pay_amt", _set(pay_amt="123.456")),
    DefectKind("amount_not_numeric", "contribution", "psn_clct_amt", _set(psn_clct_amt="4OO.00")),
    DefectKind("unknown_code", "settlement", "insutype", _set(insutype="999")),
    DefectKind("unknown_code", "his_visit", "med_type", _set(med_type="99")),
    DefectKind("unknown_code", "enrollment", "gend", _set(gend="3")),
    DefectKind("malformed_fixmedins_code", "settlement", "fixmedins_code",
               _set(fixmedins_code="H2301230001")),
    DefectKind("malformed_admdvs", "enrollment", "insu_admdvs", _set(insu_admdvs="23012")),
    DefectKind("malformed_certno", "enrollment", "certno", _set(certno="23012319800101123")),
    DefectKind("fund_identity_broken", "settlement", "fund_pay_sumamt",
               lambda r: {**r, "fund_pay_sumamt": _amount(r, "fund_pay_sumamt", 10),
                          "psn_part_amt": _amount(r, "psn_part_amt", -10),
                          "psn_cash_pay": _amount(r, "psn_cash_pay", -10)},
               _positive("psn_cash_pay")),
    DefectKind("personal_part_identity_broken", "settlement", "psn_part_amt", _personal_part),
    DefectKind("personal_payment_identity_broken", "settlement", "psn_cash_pay",
               lambda r: {**r, "psn_cash_pay": _amount(r, "psn_cash_pay", 3)}),
    DefectKind("policy_scope_identity_broken", "settlement", "inscp_scp_amt",
               lambda r: {**r, "inscp_scp_amt": _amount(r, "inscp_scp_amt", 7)}),
    DefectKind("reversal_without_init_setl_id", "settlement", "init_setl_id", _reversal_no_init),
    DefectKind("reversal_amounts_positive", "settlement", "medfee_sumamt",
               _reversal_positive_settlement, _positive("medfee_sumamt")),
    DefectKind("settlement_amounts_negative", "settlement", "medfee_sumamt",
               _settlement_negative, _positive("medfee_sumamt")),
    DefectKind("pool_ratio_out_of_range", "settlement", "pool_prop_selfpay",
               _set(pool_prop_selfpay="1.2000")),
    DefectKind("line_amount_mismatch", "his_fee_detail", "det_item_fee_sumamt", _line_mismatch),
    DefectKind("negative_price", "his_fee_detail", "pric", _negative_price, _positive("cnt")),
    DefectKind("orphan_fee_line", "his_fee_detail", "his_visit_no",
               _set(his_visit_no="MZ20249999999")),
    DefectKind("refund_positive", "his_payment", "pay_amt",
               lambda r: {**r, "pay_type": "refund",
                          "pay_amt": f"{abs(float(r['pay_amt'] or 1)):.2f}"}),
    DefectKind("payment_negative", "his_payment", "pay_amt",
               lambda r: {**r, "pay_type": "settle", "pay_amt": "-50.00"}),
    DefectKind("contribution_reversal_positive", "contribution", "revs_flag", _reversal_positive,
               _positive("psn_clct_amt")),
    DefectKind("contribution_payment_negative", "contribution", "psn_clct_amt",
               lambda r: {**r, "revs_flag": "0", "psn_clct_amt": "-100.00"}),
    DefectKind("resident_employer_part", "contribution", "emp_clct_amt",
               _set(insutype="390", emp_clct_amt="120.00", govt_subsidy_amt="0.00")),
    DefectKind("employee_subsidy", "contribution", "govt_subsidy_amt",
               _set(insutype="310", govt_subsidy_amt="670.00", emp_clct_amt="0.00")),
    DefectKind("end_ym_before_begn_ym", "contribution", "end_ym",
               _set(begn_ym="202412", end_ym="202401")),
    DefectKind("enddate_before_begndate", "enrollment", "enddate", _enrollment_end_before),
    DefectKind("born_after_spell_start", "enrollment", "brdy", _born_after),
    DefectKind("psn_type_not_of_scheme", "enrollment", "psn_type",
               _set(insutype="310", psn_type="21")),
    DefectKind("endtime_before_begntime", "his_visit", "endtime", _endtime_before),
    DefectKind("insured_ids_not_together", "his_visit", "psn_no", _set(psn_no=None),
               lambda r: r.get("mdtrt_id") not in (None, "")),
    DefectKind("payment_time_without_amount", "his_drug_purchase", "pay_amt",
               lambda r: {**r, "pay_time": r["pay_time"] or r["purc_time"], "pay_amt": None}),
    DefectKind("pharmacy_code_prefix", "institution", "fixmedins_code",
               _set(medins_cat="pharmacy")),
    DefectKind("pharmacy_hosp_lv", "institution", "hosp_lv", _set(hosp_lv="05")),
    DefectKind("duplicate_key", "his_drug_purchase", "fixmedins_code,purc_id", lambda r: dict(r)),
    DefectKind("wrong_field_count", "contribution", "*", lambda r: dict(r)),
)

# Fresh keys for the added rows: which column gets a suffix (institution codes get a new code).
FRESH_KEY = {"settlement": "setl_id", "enrollment": "psn_no", "contribution": "clct_id",
             "his_visit": "his_visit_no", "his_fee_detail": "feedetl_sn",
             "his_payment": "pay_id", "his_drug_purchase": "purc_id",
             "institution": "fixmedins_code"}


@dataclass
class Defect:
    """A defect placed in a file: batch, file name, data-row number, kind, column."""

    batch: str
    file: str
    row: int
    kind: str
    column: str


def inject(rng: np.random.Generator, daily: dict[str, dict[str, pd.DataFrame]], share: float,
           history: Callable[[str], pd.DataFrame],
           ) -> tuple[dict[str, dict[str, pd.DataFrame]], dict[tuple[str, str], dict[int, list]],
                      list[tuple[str, str, int, str, str]]]:
    """Add defective rows to the text frames of the daily batches.

    ``daily``: batch name → file name → text frame. ``history(file)`` gives text rows of the
    history batch, used as templates when no daily batch carries that file (the defect then
    goes into the first daily batch, in a file of its own). Returns the new frames, ragged rows
    per (batch, file) keyed by 0-based row position, and the defects as (batch, file, row
    number, kind, column), row numbers 1-based without the header.
    """
    daily = {b: dict(files) for b, files in daily.items()}
    first_daily = next(iter(daily))
    for kind in KINDS:
        if not any(len(files.get(kind.file, ())) for files in daily.values()):
            daily[first_daily][kind.file] = history(kind.file).iloc[0:0]
    templates = {k.file: history(k.file) for k in KINDS
                 if not any(len(f.get(k.file, ())) for f in daily.values())}
    total = sum(len(df) for files in daily.values() for df in files.values())
    n = max(len(KINDS), int(round(share * total)))
    placed: dict[tuple[str, str], list[tuple[int, int, list, str, str, bool]]] = {}
    seq = 0
    for j in range(n):
        kind = KINDS[j % len(KINDS)]
        batches = [b for b, files in daily.items() if len(files.get(kind.file, ())) > 0]
        if kind.file in templates:
            batches = [first_daily]
            records = templates[kind.file].to_dict("records")
            if not records:
                continue
        batch = batches[(j // len(KINDS) + j) % len(batches)]
        df = daily[batch][kind.file]
        if kind.file not in templates:
            records = df.to_dict("records")
        order = rng.permutation(len(records))
        pick = next((int(k) for k in order if kind.needs is None or kind.needs(records[k])),
                    int(order[0]))
        template: Row = records[pick]
        seq += 1
        row = kind.make(dict(template))
        if kind.kind != "duplicate_key":
            row = _fresh_key(kind, row, seq)
        values = [row[c] for c in df.columns]
        ragged = kind.kind == "wrong_field_count"
        if ragged:
            values = ["" if v is None else str(v) for v in values][:-2]
        # a duplicate comes after its original: the loader keeps the first occurrence
        if kind.file in templates:
            if kind.kind == "duplicate_key":  # the original goes in first
                placed.setdefault((batch, kind.file), []).append(
                    (0, seq - 1, [template[c] for c in df.columns], "", "", False))
            pos = 0
        else:
            lowest = pick + 1 if kind.kind == "duplicate_key" else 0
            pos = int(rng.integers(lowest, len(records) + 1))
        placed.setdefault((batch, kind.file), []).append((pos, seq, values, kind.kind,
                                                          kind.column, ragged))
    out = {b: {f: df for f, df in files.items() if len(df) or (b, f) in placed}
           for b, files in daily.items()}
    raw: dict[tuple[str, str], dict[int, list]] = {}
    defects: list[tuple[str, str, int, str, str]] = []
    for (batch, file), adds in placed.items():
        df = daily[batch][file]
        adds.sort(key=lambda a: (a[0], a[1]))
        rows = df.to_dict("records")
        result: list[list] = []
        k = 0
        raw_rows: dict[int, list] = {}
        for pos, _seq, values, kind, column, ragged in adds:
            while k < pos:
                result.append([rows[k][c] for c in df.columns])
                k += 1
            if ragged:
                raw_rows[len(result)] = values
                result.append([None] * len(df.columns))
            else:
                result.append(values)
            if kind:  # an empty kind is the original of a duplicate, not a defect
                defects.append((batch, file, len(result), kind, column))
        while k < len(rows):
            result.append([rows[k][c] for c in df.columns])
            k += 1
        out[batch][file] = pd.DataFrame(result, columns=df.columns, dtype=object)
        if raw_rows:
            raw[(batch, file)] = raw_rows
    defects.sort()
    return out, raw, defects


def _fresh_key(kind: DefectKind, row: Row, seq: int) -> Row:
    col = FRESH_KEY[kind.file]
    if kind.file == "institution":
        # a well-formed new code whose prefix fits the category, except where the prefix
        # itself is the defect
        pharmacy = row.get("medins_cat") == "pharmacy"
        prefix = "P" if pharmacy != (kind.kind == "pharmacy_code_prefix") else "H"
        return {**row, col: f"{prefix}{str(row.get('admdvs') or '230123')[:6]}9{seq:04d}"}
    return {**row, col: f"{row.get(col) or ''}D{seq:03d}"}
