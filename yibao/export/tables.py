"""The indicator tables, one query each: marts → DataFrames with Chinese headers and units.

Every query orders its rows completely, so the same warehouse gives the same files. Ratios
are computed from summed numerators and denominators (never averaged), percentages are shown
×100 and rounded to 2 decimals, money in 元 to 2 decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from yibao.export.period import Period

# Columns that identify a person; never exported, whatever a mart holds.
PII_COLUMNS = frozenset({"psn_no", "certno", "psn_name"})

CARE_TYPE_ZH = {"inpatient": "住院", "outpatient": "门诊", "pharmacy": "药店购药"}


@dataclass(frozen=True)
class Table:
    """One exported table: a sheet of the workbook and one CSV file."""

    key: str            # ASCII stem of the CSV file, e.g. monitoring_indicator
    sheet: str          # Chinese sheet name
    title_en: str       # English subtitle
    frame: pd.DataFrame


@dataclass(frozen=True)
class Provenance:
    """Where the data came from: the data cut-off and the batches loaded."""

    cutoff: datetime | None
    batches: list[dict]


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """True when ``schema.name`` is a table or view of the warehouse."""
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name]).fetchone()
    return bool(row and row[0])


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[str]:
    """Column names of ``schema.name`` in their declared order."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and "
        "table_name = ? order by ordinal_position", [schema, name]).fetchall()
    return [r[0] for r in rows]


def provenance(con: duckdb.DuckDBPyConnection) -> Provenance:
    """The data cut-off (latest batch load time) and every batch in ``raw.load_batch``."""
    rows = con.execute(
        "select batch_id, status, rows_loaded, rows_quarantined, loaded_at "
        "from raw.load_batch order by batch_id, loaded_at").fetchall()
    batches = [{"batch_id": b, "status": s, "rows_loaded": int(n), "rows_quarantined": int(q),
                "loaded_at": t.isoformat(sep=" ")} for b, s, n, q, t in rows]
    loaded = [t for _, s, _, _, t in rows if s == "loaded"]
    return Provenance(cutoff=max(loaded) if loaded else None, batches=batches)


def _county_names(alias: str, column: str) -> str:
    return (f"left join core.dim_admdvs as {alias} on {alias}.admdvs = {column}")


def monitoring_indicator(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """National monitoring indicators of every county for the period, against their targets."""
    sql = """
        select
            county_admdvs as "县区划代码",
            county_name as "县(市)",
            indicator_code as "指标编码",
            indicator_name_zh as "指标名称",
            indicator_name_en as "指标名称(英文)",
            round(numerator, 2) as "分子",
            round(denominator, 2) as "分母",
            round(case when unit = '%' then indicator_value * 100 else indicator_value end, 2)
                as "指标值",
            unit as "单位",
            direction as "方向",
            round(case when unit = '%' then target_value * 100 else target_value end, 2)
                as "目标值",
            case when meets_target then '是' when not meets_target then '否' end as "是否达标"
        from marts.mart_monitoring_indicator
        where period_type = ? and period_label = ?
        order by county_admdvs, sort_order, indicator_code
    """
    return con.execute(sql, [period.period_type, period.label]).df()


def reimbursement_rollup(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Reimbursement ratios by county × scheme × care type over the period's months.

    The mart's grain is finer (month × level group × med_type): its sums are added up and
    the ratios recomputed from them, since an average of ratios would weight a small
    month like a large one.
    """
    sql = f"""
        select
            r.insu_admdvs as "县区划代码",
            coalesce(max(d.admdvs_name), max(r.insu_admdvs_name)) as "县(市)",
            r.insutype as "险种编码",
            max(r.insutype_name) as "险种",
            r.care_type_group as "就医类型编码",
            case r.care_type_group {' '.join(f"when '{k}' then '{v}'"
                                             for k, v in CARE_TYPE_ZH.items())}
                else r.care_type_group end as "就医类型",
            cast(sum(r.settlement_count) as bigint) as "结算笔数",
            cast(sum(r.visit_count) as bigint) as "就诊人次",
            sum(r.medfee_sumamt) as "医疗总费用(元)",
            sum(r.inscp_scp_amt) as "政策范围内费用(元)",
            sum(r.hifp_pay) as "统筹基金支付(元)",
            sum(r.fund_pay_sumamt) as "基金支付合计(元)",
            sum(r.psn_part_amt) as "个人负担(元)",
            sum(r.psn_cash_pay) as "个人现金支付(元)",
            round(100 * sum(r.hifp_pay) / nullif(sum(r.inscp_scp_amt), 0), 2)
                as "政策范围内基金支付比例(%)",
            round(100 * sum(r.fund_pay_sumamt) / nullif(sum(r.medfee_sumamt), 0), 2)
                as "实际报销比例(%)",
            round(100 * sum(r.psn_part_amt) / nullif(sum(r.medfee_sumamt), 0), 2)
                as "个人负担比例(%)",
            round(100 * sum(r.psn_cash_pay) / nullif(sum(r.medfee_sumamt), 0), 2)
                as "个人现金支付比例(%)"
        from marts.mart_reimbursement_ratio as r
        {_county_names('d', 'r.insu_admdvs')}
        where r.setl_month between ? and ?
        group by r.insu_admdvs, r.insutype, r.care_type_group
        order by r.insu_admdvs, r.insutype, r.care_type_group
    """
    return con.execute(sql, [period.start, period.end]).df()


def alliance_budget(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Each alliance's budget for the period's year and its execution to the last month."""
    sql = f"""
        select
            b.alliance_id as "医共体编码",
            b.alliance_name as "医共体名称",
            b.county_admdvs as "县区划代码",
            d.admdvs_name as "县(市)",
            b.insutype as "险种编码",
            i.name_zh as "险种",
            b.budget_year as "预算年度",
            b.alliance_budget_amt as "医共体年度预算(元)",
            b.working_capital_amt as "预拨周转金(元)",
            ? as "截至月份",
            e.budget_to_date_amt as "截至本期预算(元)",
            e.attributable_spending_to_date_amt as "截至本期归属支出(元)",
            e.in_alliance_spending_to_date_amt as "其中医共体内支出(元)",
            round(100 * e.execution_rate, 2) as "预算执行率(%)",
            e.projected_spending_amt as "预计全年支出(元)",
            case when e.is_projection_warning then '是' when not e.is_projection_warning
                then '否' end as "超支预警",
            case when b.is_year_complete then '是' else '否' end as "年度已结束",
            b.settled_budget_amt as "清算预算(元)",
            b.balance_amt as "结余(+)/超支(-)(元)",
            b.surplus_retained_amt as "结余留用(元)",
            b.overspend_alliance_borne_amt as "超支医共体承担(元)",
            b.year_end_payment_amt as "年终清算拨付(元)"
        from marts.mart_alliance_budget as b
        left join marts.mart_alliance_budget_execution as e
            on e.alliance_id = b.alliance_id and e.insutype = b.insutype
            and e.budget_year = b.budget_year and e.month_no = ?
        {_county_names('d', 'b.county_admdvs')}
        left join staging.code_insutype as i on i.code = b.insutype
        where b.budget_year = ?
        order by b.county_admdvs, b.alliance_id, b.insutype
    """
    return con.execute(sql, [period.last_month, period.last_month, period.year]).df()


def procurement_alliance(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Volume-based procurement by alliance × VBP batch for cycles overlapping the period."""
    sql = f"""
        select
            p.alliance_id as "医共体编码",
            p.alliance_name as "医共体名称",
            p.county_admdvs as "县区划代码",
            d.admdvs_name as "县(市)",
            p.lead_fixmedins_name as "牵头医院",
            p.vbp_batch as "集采批次",
            p.cycle_begndate as "周期开始",
            p.cycle_enddate as "周期结束",
            p.data_cutoff_date as "数据截止日",
            case when p.is_cycle_finished then '是' else '否' end as "周期已结束",
            p.agreement_count as "协议数",
            p.agreements_below_target_count as "未达标协议数",
            p.agreed_cnt as "约定采购量",
            round(p.expected_cnt_to_date, 4) as "截至目前应完成量",
            p.purchased_cnt as "实际采购量",
            round(100 * p.completion_rate, 2) as "完成率(%)",
            round(100 * p.progress_adjusted_completion_rate, 2) as "进度调整完成率(%)",
            round(100 * p.substitution_share, 2) as "中选产品替代率(%)",
            p.purchased_amt as "采购金额(元)",
            p.due_amt as "应回款金额(元)",
            p.on_time_paid_amt as "按时回款金额(元)",
            p.unpaid_overdue_amt as "逾期未回款金额(元)",
            round(100 * p.on_time_payment_rate, 2) as "按时回款率(%)",
            round(p.avg_days_to_pay, 1) as "平均回款天数"
        from marts.mart_procurement_alliance as p
        {_county_names('d', 'p.county_admdvs')}
        where p.cycle_begndate <= ? and p.cycle_enddate >= ?
        order by p.county_admdvs, p.alliance_id, p.vbp_batch, p.cycle_begndate
    """
    return con.execute(sql, [period.end, period.start]).df()


# The fund-operation marts are newer than this module; their columns are read from the
# warehouse and labelled from this list, so a column added later is exported under its name.
FUND_HEADERS = {
    "level": "层级", "admdvs": "区划代码", "admdvs_name": "区划名称",
    "county_admdvs": "县区划代码", "county_name": "县(市)",
    "pooling_area_admdvs": "统筹区代码", "is_alliance_county": "医共体县",
    "insutype": "险种编码", "insutype_name": "险种",
    "period_year": "年度", "period_quarter": "季度", "period_month": "月份",
    "first_month": "季度首月", "quarter_end_month": "季度末月", "month_count": "月数",
    "psn_clct_amt": "个人缴费(元)", "emp_clct_amt": "单位缴费(元)",
    "govt_subsidy_amt": "财政补助(元)", "income_amt": "基金收入(元)",
    "acct_crdt_amt": "划入个人账户(元)", "spending_amt": "基金支出(元)",
    "inpatient_spending_amt": "住院支出(元)", "outpatient_spending_amt": "门诊支出(元)",
    "pharmacy_spending_amt": "药店支出(元)", "admission_count": "住院人次",
    "spending_per_admission_amt": "次均住院支出(元)",
    "current_balance_amt": "当期结余(元)", "opening_balance_year": "期初结余年度",
    "opening_balance_amt": "期初累计结余(元)", "cumulative_balance_amt": "累计结余(元)",
    "rolling_spending_amt": "近12个月支出(元)", "rolling_month_count": "滚动月数",
    "avg_monthly_spending_amt": "月均支出(元)", "months_of_reserve": "累计结余可支付月数",
    "warn_reserve_months": "预警线(月)", "target_reserve_months_max": "合理上限(月)",
    "is_reserve_low": "结余偏低", "is_reserve_high": "结余过多",
    "is_current_deficit": "当期收不抵支",
}
_YEAR_COLUMNS = ("period_year", "fund_year", "year", "setl_year")
_QUARTER_COLUMNS = ("period_quarter", "quarter", "quarter_no", "fund_quarter")
_MONTH_COLUMNS = ("month_no", "fund_month", "month")


def fund_operation(con: duckdb.DuckDBPyConnection, period: Period,
                   name: str) -> pd.DataFrame | None:
    """Fund operation of ``marts.<name>`` from January to the period's end, or None if absent.

    Rows are those of the period's year up to its last quarter or month: the year-to-date
    view a fund manager reads, with the cumulative balance and months of reserve.
    """
    if not table_exists(con, "marts", name):
        return None
    columns = [c for c in table_columns(con, "marts", name) if c not in PII_COLUMNS]
    where, params = [], []
    year = next((c for c in _YEAR_COLUMNS if c in columns), None)
    if year:
        where.append(f'"{year}" = ?')
        params.append(period.year)
    quarter = next((c for c in _QUARTER_COLUMNS if c in columns), None)
    month = next((c for c in _MONTH_COLUMNS if c in columns), None)
    if quarter:
        where.append(f'"{quarter}" <= ?')
        params.append((period.last_month + 2) // 3)
    elif month:
        where.append(f'"{month}" <= ?')
        params.append(period.last_month)
    elif year is None and "setl_month" in columns:
        where.append('"setl_month" between ? and ?')
        params += [period.start.replace(month=1), period.end]
    select = ", ".join(f'"{c}"' for c in columns)
    order = ", ".join(f'"{c}"' for c in columns)  # every column: a total, stable order
    sql = f"select {select} from marts.{name}"
    if where:
        sql += " where " + " and ".join(where)
    frame = con.execute(f"{sql} order by {order}", params).df()
    seen: dict[str, int] = {}
    headers = []
    for column in frame.columns:
        header = FUND_HEADERS.get(column, column)
        if header in seen:  # two source columns mapping to one label: keep both, distinctly
            header = f"{header}[{column}]"
        seen[header] = 1
        headers.append(header)
    frame.columns = headers
    for column in frame.columns:
        if frame[column].dtype == bool or str(frame[column].dtype) == "boolean":
            frame[column] = frame[column].map({True: "是", False: "否"})
    return frame


def build_tables(con: duckdb.DuckDBPyConnection, period: Period) -> list[Table]:
    """Every table of the export, in sheet order; fund operation only where its mart exists."""
    tables = [
        Table("monitoring_indicator", "监测指标", "Monitoring indicators",
              monitoring_indicator(con, period)),
        Table("reimbursement_ratio", "报销比例", "Reimbursement ratios",
              reimbursement_rollup(con, period)),
        Table("alliance_budget", "医共体预算", "County alliance budget and execution",
              alliance_budget(con, period)),
        Table("procurement_alliance", "集采", "Volume-based procurement",
              procurement_alliance(con, period)),
    ]
    for name, key, sheet, title in (
            ("mart_fund_operation_quarterly", "fund_operation_quarterly", "基金运行",
             "Fund operation by quarter"),
            ("mart_fund_operation", "fund_operation_monthly", "基金运行(月度)",
             "Fund operation by month")):
        frame = fund_operation(con, period, name)
        if frame is not None:
            tables.append(Table(key, sheet, title, frame))
    return tables
