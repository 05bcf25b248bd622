{#-
  Quarterly fund operation (domain notes §7); at alliance-county level it is the
  县域紧密型医共体基金运行情况表. Flows are sums of the months of the quarter; the balance and the
  months of reserve are those at the end of the quarter (its last month in the data), recomputed
  from the carried sums (cumulative balance, 12-month spending and its month count), never
  averaged from monthly ratios.
-#}

with

monthly as (

    select * from {{ ref('mart_fund_operation') }}

),

quarters as (

    select
        level,
        admdvs,
        insutype,
        period_year,
        period_quarter,
        min(period_month) as first_month,
        max(period_month) as quarter_end_month,
        count(*) as month_count,
        sum(psn_clct_amt) as psn_clct_amt,
        sum(emp_clct_amt) as emp_clct_amt,
        sum(govt_subsidy_amt) as govt_subsidy_amt,
        sum(income_amt) as income_amt,
        sum(acct_crdt_amt) as acct_crdt_amt,
        sum(spending_amt) as spending_amt,
        sum(inpatient_spending_amt) as inpatient_spending_amt,
        sum(outpatient_spending_amt) as outpatient_spending_amt,
        sum(pharmacy_spending_amt) as pharmacy_spending_amt,
        sum(admission_count) as admission_count,
        sum(current_balance_amt) as current_balance_amt
    from monthly
    group by level, admdvs, insutype, period_year, period_quarter

),

final as (

    select
        ----------  grain
        quarters.level,
        quarters.admdvs,
        quarter_end.admdvs_name,
        quarter_end.pooling_area_admdvs,
        quarter_end.is_alliance_county,
        quarters.insutype,
        quarters.period_year,
        quarters.period_quarter,
        quarters.first_month,
        quarters.quarter_end_month,
        cast(quarters.month_count as integer) as month_count,

        ----------  flows of the quarter (sums of the months)
        cast(quarters.psn_clct_amt as decimal(18, 2)) as psn_clct_amt,
        cast(quarters.emp_clct_amt as decimal(18, 2)) as emp_clct_amt,
        cast(quarters.govt_subsidy_amt as decimal(18, 2)) as govt_subsidy_amt,
        cast(quarters.income_amt as decimal(18, 2)) as income_amt,
        cast(quarters.acct_crdt_amt as decimal(18, 2)) as acct_crdt_amt,
        cast(quarters.spending_amt as decimal(18, 2)) as spending_amt,
        cast(quarters.inpatient_spending_amt as decimal(18, 2)) as inpatient_spending_amt,
        cast(quarters.outpatient_spending_amt as decimal(18, 2)) as outpatient_spending_amt,
        cast(quarters.pharmacy_spending_amt as decimal(18, 2)) as pharmacy_spending_amt,
        cast(quarters.admission_count as bigint) as admission_count,
        {{ safe_divide('quarters.inpatient_spending_amt', 'quarters.admission_count') }}
            as spending_per_admission_amt,
        cast(quarters.current_balance_amt as decimal(18, 2)) as current_balance_amt,

        ----------  position at the end of the quarter
        quarter_end.cumulative_balance_amt,
        quarter_end.rolling_spending_amt,
        quarter_end.rolling_month_count,
        {{ safe_divide(
            'quarter_end.cumulative_balance_amt',
            safe_divide('quarter_end.rolling_spending_amt', 'quarter_end.rolling_month_count')
        ) }} as months_of_reserve,
        quarter_end.warn_reserve_months,
        quarter_end.target_reserve_months_max,
        quarter_end.is_reserve_low,
        quarter_end.is_reserve_high,
        quarters.current_balance_amt < 0 as is_current_deficit
    from quarters
    inner join monthly as quarter_end
        on
            quarters.level = quarter_end.level
            and quarters.admdvs = quarter_end.admdvs
            and quarters.insutype = quarter_end.insutype
            and quarters.quarter_end_month = quarter_end.period_month

)

select * from final
