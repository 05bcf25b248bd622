"""The HTML report: per county, indicators against targets over time, alliance budget
execution, fund operation and procurement completion — one self-contained file.

Charts are inline SVG drawn in Python; the page has no script and references no URL, so it
opens offline and prints as it shows.
"""

from __future__ import annotations

from html import escape

import duckdb
import pandas as pd

from yibao.export import svg
from yibao.export.period import Period
from yibao.export.tables import Provenance, Table, table_columns, table_exists

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
margin:24px;color:#1f2328;background:#f6f8fa}
h1{margin:0 0 4px}h2{border-bottom:2px solid #1f77b4;padding-bottom:4px;margin-top:36px}
h3{margin:18px 0 6px}.en{color:#57606a;font-weight:normal;font-size:.8em}
.meta{color:#57606a;font-size:13px}.grid{display:flex;flex-wrap:wrap;gap:10px}
.card{width:min-content;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:6px}
.ok{color:#1a7f37;font-weight:bold}.bad{color:#cf222e;font-weight:bold}
table{border-collapse:collapse;font-size:12px;background:#fff}
td,th{border:1px solid #d0d7de;padding:3px 6px;text-align:right}th{background:#ddebf7}
td.l,th.l{text-align:left}.legend{font-size:12px;margin:4px 0}
.key{margin-right:14px}.key i{display:inline-block;width:22px;margin-right:4px;
vertical-align:middle}.note{font-size:12px;color:#57606a}
"""


SCHEME_ZH = {"310": "职工医保", "390": "居民医保"}


def _h(zh: str, en: str, level: int = 2) -> str:
    return f'<h{level}>{escape(zh)} <span class="en">{escape(en)}</span></h{level}>'


def _num(value: object, digits: int = 1) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):,.{digits}f}"


def _monitoring_history(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Indicator values (×100 for %) for every period of the same type up to ``period``."""
    upto = period.year * 10 + (period.quarter or 0)
    return con.execute("""
        select county_admdvs, county_name, indicator_code, indicator_name_zh,
               indicator_name_en, unit, direction, sort_order, period_label,
               case when unit = '%' then indicator_value * 100 else indicator_value end as value,
               case when unit = '%' then target_value * 100 else target_value end as target,
               meets_target
        from marts.mart_monitoring_indicator
        where period_type = ? and period_year * 10 + coalesce(period_quarter, 0) <= ?
        order by county_admdvs, sort_order, indicator_code, period_year, period_quarter
    """, [period.period_type, upto]).df()


def _execution(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    return con.execute("""
        select e.county_admdvs, b.alliance_name, e.alliance_id, e.insutype, i.name_zh as scheme,
               e.month_no, e.alliance_budget_amt, e.budget_to_date_amt,
               e.attributable_spending_to_date_amt, e.projected_spending_amt,
               e.is_projection_warning
        from marts.mart_alliance_budget_execution as e
        join marts.mart_alliance_budget as b
            on b.alliance_id = e.alliance_id and b.insutype = e.insutype
            and b.budget_year = e.budget_year
        left join staging.code_insutype as i on i.code = e.insutype
        where e.budget_year = ?
        order by e.county_admdvs, e.alliance_id, e.insutype, e.month_no
    """, [period.year]).df()


def _procurement(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Per county × VBP batch, the cycle running at the period's end (else the last one
    before it): completion = Σ purchased / Σ agreed, progress-adjusted = Σ purchased /
    Σ expected to date."""
    return con.execute("""
        with cycles as (
            select county_admdvs, vbp_batch, max(cycle_begndate) as cycle_begndate
            from marts.mart_procurement_alliance
            where cycle_begndate <= ? and cycle_enddate >= ?
            group by county_admdvs, vbp_batch
        )
        select p.county_admdvs, p.vbp_batch, min(p.cycle_begndate) as cycle_begndate,
               min(p.cycle_enddate) as cycle_enddate,
               100 * sum(p.purchased_cnt) / nullif(sum(p.agreed_cnt), 0) as completion,
               100 * sum(p.purchased_cnt) / nullif(sum(p.expected_cnt_to_date), 0) as adjusted
        from marts.mart_procurement_alliance as p
        join cycles as c on c.county_admdvs = p.county_admdvs and c.vbp_batch = p.vbp_batch
            and c.cycle_begndate = p.cycle_begndate
        group by p.county_admdvs, p.vbp_batch
        order by p.county_admdvs, p.vbp_batch
    """, [period.end, period.start]).df()


def _fund(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame | None:
    """Months of reserve by county × scheme × quarter up to the period, if the mart exists
    and has recognisable columns; else None."""
    name = "mart_fund_operation_quarterly"
    if not table_exists(con, "marts", name):
        return None
    cols = table_columns(con, "marts", name)

    def pick(*names: str) -> str | None:
        return next((n for n in names if n in cols), None)

    county = pick("admdvs", "county_admdvs", "insu_admdvs")
    year = pick("period_year", "fund_year", "year")
    quarter = pick("period_quarter", "quarter", "quarter_no")
    reserve = pick("months_of_reserve", "reserve_months")
    if not (county and year and quarter and reserve and "insutype" in cols):
        return None
    # The mart holds counties and pooling areas (level); the report is per county.
    level = "and level = 'county'" if "level" in cols else ""
    warn = "warn_reserve_months" if "warn_reserve_months" in cols else "null"
    upto = period.year * 10 + (period.last_month + 2) // 3
    return con.execute(f"""
        select "{county}" as county_admdvs, insutype,
               cast("{year}" as varchar) || 'Q' || cast("{quarter}" as varchar) as label,
               "{reserve}" as reserve_months, {warn} as warn_months
        from marts.{name}
        where "{year}" * 10 + "{quarter}" <= ? {level}
        order by 1, 2, "{year}", "{quarter}"
    """, [upto]).df()


def _indicator_cards(history: pd.DataFrame, period: Period) -> str:
    cards = []
    for _, rows in history.groupby(["sort_order", "indicator_code"], sort=True):
        rows = rows.reset_index(drop=True)
        current = rows[rows.period_label == period.label]
        head = rows.iloc[0]
        unit = head.unit
        target = current.target.iloc[0] if len(current) else None
        target = None if target is None or pd.isna(target) else float(target)
        values = [None if pd.isna(v) else float(v) for v in rows.value]
        title = f"{head.indicator_code} {head.indicator_name_zh}"
        if len(title) > 22:
            title = title[:21] + "…"
        chart = svg.line_chart(title + f" ({unit})", list(rows.period_label),
                               [svg.Series(head.indicator_name_en, values)], target=target)
        status = ""
        if len(current) and not pd.isna(current.meets_target.iloc[0]):
            ok = bool(current.meets_target.iloc[0])
            status = ('<span class="ok">达标 met</span>' if ok
                      else '<span class="bad">未达标 not met</span>')
        value = current.value.iloc[0] if len(current) else None
        goal = (f" · 目标 target {escape(head.direction)} {_num(target, 2)}"
                if target is not None else "")
        cards.append(
            f'<div class="card">{chart}<div class="note">{escape(head.indicator_name_en)}<br>'
            f'{period.label}: <b>{_num(value, 2)}</b> {escape(unit)}'
            f'{goal} {status}</div></div>')
    return '<div class="grid">' + "".join(cards) + "</div>"


def _execution_cards(rows: pd.DataFrame, period: Period) -> str:
    cards = []
    months = [str(m) for m in range(1, 13)]
    for (alliance_id, insutype), g in rows.groupby(["alliance_id", "insutype"], sort=True):
        g = g.set_index("month_no")
        budget = [None if m not in g.index else float(g.budget_to_date_amt[m])
                  for m in range(1, 13)]
        spent = [float(g.attributable_spending_to_date_amt[m])
                 if m in g.index and m <= period.last_month else None for m in range(1, 13)]
        projection: list[float | None] = [None] * 12
        last = period.last_month if period.last_month in g.index else None
        note = ""
        if last is not None and spent[last - 1] is not None:
            projection[last - 1] = spent[last - 1]
            projection[11] = float(g.projected_spending_amt[last])
            warn = bool(g.is_projection_warning[last])
            note = (f'截至{last}月支出 {_num(spent[last - 1], 0)} 元 / 预算 '
                    f'{_num(budget[last - 1], 0)} 元；预计全年 '
                    f'{_num(g.projected_spending_amt[last], 0)} 元 / 年度预算 '
                    f'{_num(g.alliance_budget_amt[last], 0)} 元 '
                    + ('<span class="bad">超支预警 overspend warning</span>' if warn
                       else '<span class="ok">正常 on track</span>'))
        name = g.alliance_name.iloc[0]
        chart = svg.line_chart(f"{name} · {g.scheme.iloc[0]}", months, [
            svg.Series("预算进度 budget to date", budget, svg.PALETTE[0]),
            svg.Series("累计支出 cumulative spending", spent, svg.PALETTE[1]),
            svg.Series("预计 projection", projection, svg.PALETTE[3], dashed=True),
        ], width=360, height=190, floor_zero=True)
        cards.append(f'<div class="card">{chart}<div class="note">{alliance_id} {insutype}<br>'
                     f'{note}</div></div>')
    legend = svg.legend([("预算进度 budget to date", svg.PALETTE[0], False),
                         ("累计支出 cumulative spending", svg.PALETTE[1], False),
                         ("全年预计 full-year projection", svg.PALETTE[3], True)])
    return legend + '<div class="grid">' + "".join(cards) + "</div>"


def _fund_cards(rows: pd.DataFrame) -> str:
    cards = []
    for insutype, g in rows.groupby("insutype", sort=True):
        values = [None if pd.isna(v) else float(v) for v in g.reserve_months]
        warn = g.warn_months.dropna()
        line = float(warn.iloc[-1]) if len(warn) else None
        cards.append('<div class="card">' + svg.line_chart(
            f"{SCHEME_ZH.get(insutype, insutype)} 可支付月数 (月)", list(g.label),
            [svg.Series("months of reserve", values, svg.PALETTE[4])], target=line,
            width=360, floor_zero=True) + "</div>")
    return ('<p class="note">累计结余可支付月数；绿色虚线为预警线 · months of reserve; green '
            'dashes: warning line</p><div class="grid">' + "".join(cards) + "</div>")


def _procurement_chart(rows: pd.DataFrame) -> str:
    categories = list(rows.vbp_batch)
    chart = svg.bar_chart("集采完成率 (%) completion by VBP batch", categories, [
        svg.Series("完成率 completion", [None if pd.isna(v) else float(v)
                                          for v in rows.completion], svg.PALETTE[0]),
        svg.Series("进度调整 progress-adjusted", [None if pd.isna(v) else float(v)
                                                   for v in rows.adjusted], svg.PALETTE[3]),
    ], reference=100.0, width=max(420, 110 * len(categories)))
    cycles = "；".join(f"{b}: {pd.Timestamp(s):%Y-%m-%d}–{pd.Timestamp(e):%Y-%m-%d}" for b, s, e in
                      zip(rows.vbp_batch, rows.cycle_begndate, rows.cycle_enddate, strict=True))
    return (f'<div class="card">{chart}<div class="note">采购周期 cycles: {escape(cycles)}'
            '</div></div>')


def render_report(con: duckdb.DuckDBPyConnection, period: Period, provenance: Provenance,
                  tables: list[Table]) -> str:
    """The whole HTML page for ``period`` as a string."""
    history = _monitoring_history(con, period)
    execution = _execution(con, period)
    procurement = _procurement(con, period)
    fund = _fund(con, period)
    cutoff = provenance.cutoff.isoformat(sep=" ") if provenance.cutoff else "–"
    out = ['<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
           f"<title>医保基金运行报告 {period.label}</title><style>{_CSS}</style></head><body>",
           f'<h1>医保基金监测报告 {escape(period.label)}</h1>',
           '<div class="en">Medical-insurance fund monitoring report</div>',
           f'<p class="meta">数据截止 data cut-off: {escape(cutoff)} · 批次 batches: '
           f'{escape(", ".join(b["batch_id"] for b in provenance.batches))} · '
           '比例由分子分母汇总后计算 ratios from summed numerators and denominators · '
           '不含个人信息 no personal information</p>']
    out.append(_h("目录", "Contents"))
    counties = history[["county_admdvs", "county_name"]].drop_duplicates() \
        .sort_values("county_admdvs")
    out.append("<p>" + " · ".join(f'<a href="#c{c}">{escape(n)}</a>'
                                  for c, n in counties.itertuples(index=False)) + "</p>")
    if len(history):
        current = history[history.period_label == period.label]
        met = current.meets_target.dropna()
        out.append(f'<p>本期有目标的指标 {len(met)} 项，达标 {int(met.sum())} 项。'
                   f'<span class="en"> {len(met)} indicator values have a target; '
                   f'{int(met.sum())} meet it.</span></p>')
    for county, name in counties.itertuples(index=False):
        out.append(f'<section id="c{county}">' + _h(f"{name}（{county}）", "County", 2))
        out.append(_h("监测指标与目标", "Monitoring indicators against targets", 3))
        out.append('<p class="note">实线为指标值，绿色虚线为目标值 · line: indicator value; '
                   'green dashes: target</p>')
        out.append(_indicator_cards(history[history.county_admdvs == county], period))
        rows = execution[execution.county_admdvs == county]
        if len(rows):
            out.append(_h("医共体预算执行", "Alliance budget execution", 3))
            out.append(_execution_cards(rows, period))
        if fund is not None and len(fund[fund.county_admdvs == county]):
            out.append(_h("基金运行：累计结余可支付月数", "Fund operation: months of reserve", 3))
            out.append(_fund_cards(fund[fund.county_admdvs == county]))
        rows = procurement[procurement.county_admdvs == county]
        if len(rows):
            out.append(_h("集采完成情况", "Volume-based procurement completion", 3))
            out.append(_procurement_chart(rows))
        out.append("</section>")
    if fund is None:
        out.append('<p class="note">基金运行数据表尚未建立，本报告未含基金运行部分。'
                   'The fund-operation marts are not in this warehouse yet.</p>')
    out.append(_h("附：导出文件", "Exported tables", 2))
    out.append("<table><tr><th class='l'>工作表 sheet</th><th>行数 rows</th></tr>"
               + "".join(f"<tr><td class='l'>{escape(t.sheet)} {escape(t.title_en)}</td>"
                         f"<td>{len(t.frame)}</td></tr>" for t in tables) + "</table>")
    out.append("</body></html>\n")
    return "\n".join(out)
