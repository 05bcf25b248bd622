"""The extract contract (../shared/extract-contract.md) as data.

One place describes every input file: its family, key, columns, types and the row rules
the suppliers promise. Ingestion validates against it, the sample-data generator writes
its column order, and a test checks the dbt sources agree with it.

Column types
------------
``text``       free text (VARCHAR)
``date``       ``YYYY-MM-DD``
``timestamp``  ``YYYY-MM-DD HH:MM:SS`` local time (Asia/Shanghai)
``yearmonth``  ``YYYYMM`` (kept as text, validated)
``amount``     yuan, at most 2 decimals (DECIMAL(18,2))
``count``      quantity, at most 4 decimals (DECIMAL(18,4)); also unit prices
``ratio``      a proportion in [0, 1], at most 4 decimals (DECIMAL(9,4))
``flag``       ``0`` or ``1`` (INTEGER)

Decisions the contract leaves open (documented in docs/ingestion.md):
- ``pric`` is a unit price; Chinese drug catalogues price single tablets to 4 decimals, so
  it is read as ``count`` precision (4 decimals), not ``amount``.
- ``pool_prop_selfpay`` is a ratio: 4 decimals, between 0 and 1.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CODE_SEED_DIR = PROJECT_ROOT / "seeds" / "codes"

SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "yearmonth": "VARCHAR",
    "amount": "DECIMAL(18,2)",
    "count": "DECIMAL(18,4)",
    "ratio": "DECIMAL(9,4)",
    "flag": "INTEGER",
}

FIXMEDINS_CODE_PATTERN = r"[HP][0-9]{11}"
ADMDVS_PATTERN = r"[0-9]{6}"
CERTNO_PATTERN = r"[0-9]{17}[0-9X]"


@dataclass(frozen=True)
class Column:
    """One contract column."""

    name: str
    type: str = "text"
    required: bool = True
    code_table: str | None = None  # name of seeds/codes/code_<table>.csv
    pattern: str | None = None  # full-match regular expression for text columns
    pii: bool = False  # personal information: never leaves staging

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class RowRule:
    """A rule over one typed row, as a SQL boolean that must not be false.

    ``expr`` is DuckDB SQL over the typed columns; NULL counts as passing (missing or
    mistyped values are reported by the column checks already).
    """

    code: str
    expr: str
    columns: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Reference:
    """Rows of this file must find their key in another file (this or an earlier batch)."""

    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class FileSpec:
    """One extract file of the contract."""

    name: str
    family: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    rules: tuple[RowRule, ...] = ()
    references: tuple[Reference, ...] = ()
    description: str = ""
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _amount(name: str, required: bool = True) -> Column:
    return Column(name, "amount", required)


def _not_before(later: str, earlier: str) -> RowRule:
    return RowRule(
        code=f"{later}_before_{earlier}",
        expr=f"{later} is null or {earlier} is null or {later} >= {earlier}",
        columns=(later,),
        reason=f"{later} is before {earlier}",
    )


def _identity(code: str, total: str, parts: list[str], sign: str = "+") -> RowRule:
    rhs = f" {sign} ".join(parts) if sign == "+" else f"{parts[0]} - {parts[1]}"
    return RowRule(
        code=code,
        expr=f"abs({total} - ({rhs})) <= 0.01",
        columns=(total,),
        reason=f"breaks the identity {total} = {rhs} (±0.01)",
    )


SETTLEMENT_MONEY = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "cvlserv_pay",
    "hifob_pay",
    "hifmi_pay",
    "maf_pay",
    "oth_pay",
    "fund_pay_sumamt",
    "psn_part_amt",
    "acct_pay",
    "psn_cash_pay",
)

FILES: tuple[FileSpec, ...] = (
    # ---------------------------------------------------------------- reference family
    FileSpec(
        name="institution",
        family="reference",
        key=("fixmedins_code",),
        description="Designated medical institutions and pharmacies 定点医药机构",
        columns=(
            Column("fixmedins_code", pattern=FIXMEDINS_CODE_PATTERN),
            Column("fixmedins_name"),
            Column("medins_cat", code_table="medins_cat"),
            Column("hosp_lv", code_table="hosp_lv"),
            Column("admdvs", pattern=ADMDVS_PATTERN),
            Column("begndate", "date"),
            Column("enddate", "date", required=False),
        ),
        rules=(
            _not_before("enddate", "begndate"),
            RowRule(
                "pharmacy_code_prefix",
                "(medins_cat = 'pharmacy') = (fixmedins_code like 'P%')",
                ("fixmedins_code",),
                "pharmacies have codes starting with P, medical institutions with H",
            ),
            RowRule(
                "pharmacy_hosp_lv",
                "medins_cat <> 'pharmacy' or hosp_lv = '11'",
                ("hosp_lv",),
                "a pharmacy must have hosp_lv 11 (无等级)",
            ),
        ),
    ),
    FileSpec(
        name="alliance_member",
        family="reference",
        key=("alliance_id", "fixmedins_code", "begndate"),
        description="Members of county medical alliances 医共体成员",
        columns=(
            Column("alliance_id"),
            Column("alliance_name"),
            Column("county_admdvs", pattern=ADMDVS_PATTERN),
            Column("fixmedins_code", pattern=FIXMEDINS_CODE_PATTERN),
            Column("is_lead", "flag"),
            Column("begndate", "date"),
            Column("enddate", "date", required=False),
        ),
        rules=(_not_before("enddate", "begndate"),),
        references=(Reference(("fixmedins_code",), "institution", ("fixmedins_code",)),),
    ),
    FileSpec(
        name="procurement_agreement",
        family="reference",
        key=("agreement_id",),
        description="Volume-based procurement agreements 集中带量采购约定采购量",
        columns=(
            Column("agreement_id"),
            Column("vbp_batch"),
            Column("generic_name"),
            Column("med_list_codg"),
            Column("fixmedins_code", pattern=FIXMEDINS_CODE_PATTERN),
            Column("agreed_cnt", "count"),
            Column("begndate", "date"),
            Column("enddate", "date"),
        ),
        rules=(
            _not_before("enddate", "begndate"),
            RowRule("agreed_cnt_positive", "agreed_cnt > 0", ("agreed_cnt",),
                    "agreed_cnt must be positive"),
        ),
    ),
    # ---------------------------------------------------------------- enrollment family
    FileSpec(
        name="enrollment",
        family="enrollment",
        key=("psn_no", "insutype", "begndate"),
        description="Enrollment spells 参保登记",
        columns=(
            Column("psn_no"),
            Column("certno", pattern=CERTNO_PATTERN, pii=True),
            Column("psn_name", pii=True),
            Column("gend", code_table="gend"),
            Column("brdy", "date"),
            Column("insutype", code_table="insutype"),
            Column("psn_type", code_table="psn_type"),
            Column("spcl_psn_type", code_table="spcl_psn_type"),
            Column("insu_admdvs", pattern=ADMDVS_PATTERN),
            Column("psn_insu_stas", code_table="psn_insu_stas"),
            Column("begndate", "date"),
            Column("enddate", "date", required=False),
            Column("emp_no", required=False),
        ),
        rules=(
            _not_before("enddate", "begndate"),
            RowRule("born_before_spell", "brdy <= begndate", ("brdy",),
                    "brdy is after the spell's begndate"),
            RowRule(
                "psn_type_matches_insutype",
                "(insutype = '310' and psn_type in ('11', '12', '13'))"
                " or (insutype = '390' and psn_type in ('21', '22', '23'))",
                ("psn_type",),
                "psn_type does not belong to the scheme (310: 11/12/13, 390: 21/22/23)",
            ),
        ),
    ),
    # -------------------------------------------------------------- contribution family
    FileSpec(
        name="contribution",
        family="contribution",
        key=("clct_id",),
        description="Contributions collected 缴费/征缴",
        columns=(
            Column("clct_id"),
            Column("psn_no"),
            Column("insutype", code_table="insutype"),
            Column("begn_ym", "yearmonth"),
            Column("end_ym", "yearmonth"),
            _amount("psn_clct_amt"),
            _amount("emp_clct_amt"),
            _amount("govt_subsidy_amt"),
            _amount("acct_crdt_amt"),
            Column("clct_time", "timestamp"),
            Column("revs_flag", "flag"),
        ),
        rules=(
            _not_before("end_ym", "begn_ym"),
            RowRule(
                "reversal_amounts_negative",
                "revs_flag = 0 or (psn_clct_amt <= 0 and emp_clct_amt <= 0"
                " and govt_subsidy_amt <= 0 and acct_crdt_amt <= 0)",
                ("revs_flag",),
                "a reversal (revs_flag 1) must carry negative amounts",
            ),
            RowRule(
                "payment_amounts_not_negative",
                "revs_flag = 1 or (psn_clct_amt >= 0 and emp_clct_amt >= 0"
                " and govt_subsidy_amt >= 0 and acct_crdt_amt >= 0)",
                ("revs_flag",),
                "a payment (revs_flag 0) cannot carry negative amounts",
            ),
            RowRule("resident_no_employer_part", "insutype <> '390' or emp_clct_amt = 0",
                    ("emp_clct_amt",), "emp_clct_amt must be 0 for residents (390)"),
            RowRule("employee_no_subsidy", "insutype <> '310' or govt_subsidy_amt = 0",
                    ("govt_subsidy_amt",), "govt_subsidy_amt must be 0 for employees (310)"),
        ),
    ),
    # ---------------------------------------------------------------------- HIS family
    FileSpec(
        name="his_visit",
        family="his",
        key=("fixmedins_code", "his_visit_no"),
        description="Visits and admissions 就诊 (hospital HIS)",
        columns=(
            Column("fixmedins_code", pattern=FIXMEDINS_CODE_PATTERN),
            Column("his_visit_no"),
            Column("mdtrt_id", required=False),
            Column("psn_no", required=False),
            Column("med_type", code_table="med_type"),
            Column("begntime", "timestamp"),
            Column("endtime", "timestamp", required=False),
            Column("dept_codg"),
            Column("dise_codg"),
            Column("refl_type", required=False, code_table="refl_type"),
            Column("refl_fixmedins_code", required=False, pattern=FIXMEDINS_CODE_PATTERN),
            Column("ptfp_flag", "flag"),
        ),
        rules=(
            _not_before("endtime", "begntime"),
            RowRule(
                "insured_ids_together",
                "(mdtrt_id is null) = (psn_no is null)",
                ("mdtrt_id",),
                "mdtrt_id and psn_no must both be given (insured visit) or both be empty",
            ),
        ),
    ),
    FileSpec(
        name="his_fee_detail",
        family="his",
        key=("fixmedins_code", "his_visit_no", "feedetl_sn"),
        description="Itemised charges 费用明细 (hospital HIS)",
        columns=(
            Column("fixmedins_code", pattern=FIXMEDINS_CODE_PATTERN),
            Column("his_visit_no"),
            Column("feedetl_sn"),
            Column("fee_ocur_time", "timestamp"),
            Column("med_list_codg"),
            Column("list_type", code_table="list_type"),
            Column("chrgitm_lv", code_table="chrgitm_lv"),
            Column("cnt", "count"),
            Column("pric", "count"),
            _amount("det_item_fee_sumamt"),
        ),
        rules=(
            RowRule("price_not_negative", "pric >= 0", ("pric",), "pric must be ≥ 0"),
            RowRule(
                "line_amount",
                "abs(det_item_fee_sumamt - cnt * pric) <= 0.01",
                ("det_item_fee_sumamt",),
                "det_item_fee_sumamt differs from cnt × pric by more than 0.01",
            ),
        ),
        references=(
            Reference(("fixmedins_code", "his_visit_no"), "his_visit",
                      ("fixmedins_code", "his_visit_no")),
        ),
    ),
    FileSpec(
        name="his_drug_purchase",
        family="his",
        key=("fixmedins_code", "purc_id"),
        description="Drug and consumable purchases into stock 采购入库 (hospital HIS)",
        columns=(
            Column("fixmedins_code", pattern=FIXMEDINS_CODE_PATTERN),
            Column("purc_id"),
            Column("med_list_codg"),
            Column("purc_time", "timestamp"),
            Column("purc_cnt", "count"),
            _amount("purc_amt"),
            Column("pay_time", "timestamp", required=False),
            _amount("pay_amt", required=False),
        ),
        rules=(
            RowRule(
                "payment_time_and_amount_together",
                "(pay_time is null) = (pay_amt is null)",
                ("pay_amt",),
                "pay_time and pay_amt must both be given (paid) or both be empty (unpaid)",
            ),
        ),
    ),
    FileSpec(
        name="his_payment",
        family="his",
        key=("fixmedins_code", "pay_id"),
        description="What patients paid the hospital 患者缴款 (hospital HIS)",
        columns=(
            Column("fixmedins_code", pattern=FIXMEDINS_CODE_PATTERN),
            Column("pay_id"),
            Column("his_visit_no"),
            Column("pay_time", "timestamp"),
            Column("pay_type", code_table="pay_type"),
            _amount("pay_amt"),
        ),
        rules=(
            RowRule(
                "refund_sign",
                "(pay_type = 'refund' and pay_amt < 0) or (pay_type <> 'refund' and pay_amt >= 0)",
                ("pay_amt",),
                "pay_amt must be negative for a refund and not negative otherwise",
            ),
        ),
    ),
    # --------------------------------------------------------------- settlement family
    FileSpec(
        name="settlement",
        family="settlement",
        key=("setl_id",),
        description="Settlements 结算 (national medical-insurance platform)",
        columns=(
            Column("setl_id"),
            Column("mdtrt_id"),
            Column("psn_no"),
            Column("insutype", code_table="insutype"),
            Column("psn_type", code_table="psn_type"),
            Column("insu_admdvs", pattern=ADMDVS_PATTERN),
            Column("fixmedins_code", pattern=FIXMEDINS_CODE_PATTERN),
            Column("med_type", code_table="med_type"),
            Column("setl_time", "timestamp"),
            *(_amount(n) for n in SETTLEMENT_MONEY[:12]),
            Column("pool_prop_selfpay", "ratio"),
            *(_amount(n) for n in SETTLEMENT_MONEY[12:]),
            Column("refd_setl_flag", "flag"),
            Column("init_setl_id", required=False),
        ),
        rules=(
            _identity(
                "fund_pay_identity",
                "fund_pay_sumamt",
                ["hifp_pay", "cvlserv_pay", "hifob_pay", "hifmi_pay", "maf_pay", "oth_pay"],
            ),
            _identity("personal_part_identity", "psn_part_amt",
                      ["medfee_sumamt", "fund_pay_sumamt"], sign="-"),
            _identity("personal_payment_identity", "psn_part_amt", ["acct_pay", "psn_cash_pay"]),
            RowRule(
                "policy_scope_identity",
                "abs(inscp_scp_amt - (medfee_sumamt - fulamt_ownpay_amt - overlmt_selfpay"
                " - preselfpay_amt)) <= 0.01",
                ("inscp_scp_amt",),
                "breaks the identity inscp_scp_amt = medfee_sumamt - fulamt_ownpay_amt"
                " - overlmt_selfpay - preselfpay_amt (±0.01)",
            ),
            RowRule("reversal_names_original",
                    "refd_setl_flag = 0 or init_setl_id is not null", ("init_setl_id",),
                    "init_setl_id is required when refd_setl_flag = 1"),
            RowRule("reversal_amounts_negative", "refd_setl_flag = 0 or medfee_sumamt <= 0",
                    ("medfee_sumamt",),
                    "a reversal (refd_setl_flag 1) must carry negative amounts"),
            RowRule("settlement_amounts_not_negative", "refd_setl_flag = 1 or medfee_sumamt >= 0",
                    ("medfee_sumamt",),
                    "a settlement (refd_setl_flag 0) cannot carry a negative medfee_sumamt"),
            RowRule("pool_ratio_range", "pool_prop_selfpay between 0 and 1",
                    ("pool_prop_selfpay",), "pool_prop_selfpay must be between 0 and 1"),
        ),
    ),
)

FILES_BY_NAME: dict[str, FileSpec] = {f.name: f for f in FILES}
FAMILIES: tuple[str, ...] = ("reference", "enrollment", "contribution", "his", "settlement")


def files_of_family(family: str) -> tuple[FileSpec, ...]:
    """The file specs of one extract family, in load order."""
    return tuple(f for f in FILES if f.family == family)


@cache
def code_values(code_table: str) -> frozenset[str]:
    """The valid codes of a code table, read from ``seeds/codes/code_<table>.csv``."""
    path = CODE_SEED_DIR / f"code_{code_table}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return frozenset(row["code"] for row in csv.DictReader(fh))
