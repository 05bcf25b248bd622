{#-
  Fund operation and risk warning (domain notes §7, 宁医保〔2019〕128号) per level ('county': the
  enrollee county insu_admdvs; 'pooling_area': its city in dim_admdvs) x scheme x month.
  - income = Σ net individual + employer + fiscal subsidy contributions by payment month
    (clct_month); spending = Σ net hifp_pay by settlement month, every institution including
    designated pharmacies (it is all the pooling fund paid);
  - current balance = income − spending; cumulative balance = opening balance of the parameter
    row that applies to the month's year (the balance on 1 January of its year_from) + Σ current
    balances from that January up to the month;
  - months of reserve = cumulative balance / average monthly spending of the last 12 months,
    fewer when the settlement history (from the first settlement month in the warehouse) is
    shorter; the sums of that average are carried next to it;
  - deficit explanation: admissions (fct_visit.is_admission, by the visit's settlement month),
    inpatient spending per admission, spending split inpatient / outpatient / pharmacy.
  Every series is dense: every month from the first to the last month with income or spending.
-#}

with

contributions as (

    select * from {{ ref('int_fund_operation_contributions_located') }}

),

settlements as (

    select * from {{ ref('fct_settlement') }}

),

visits as (

    select * from {{ ref('fct_visit') }}

),

divisions as (

    select * from {{ ref('dim_admdvs') }}

),

pooling_areas as (

    select distinct
        city_admdvs,
        city_name
    from divisions
    where city_admdvs is not null

),

----------  monthly flows per county (income, spending, admissions as one long list)
county_flow_lines as (

    select
        insu_admdvs as admdvs,
        insutype,
        clct_month as period_month,
        psn_clct_amt,
        emp_clct_amt,
        govt_subsidy_amt,
        acct_crdt_amt,
        0 as spending_amt,
        0 as inpatient_spending_amt,
        0 as outpatient_spending_amt,
        0 as pharmacy_spending_amt,
        0 as admission_count
    from contributions

    union all

    select
        insu_admdvs as admdvs,
        insutype,
        setl_month as period_month,
        0 as psn_clct_amt,
        0 as emp_clct_amt,
        0 as govt_subsidy_amt,
        0 as acct_crdt_amt,
        hifp_pay as spending_amt,
        case when care_type_group = 'inpatient' then hifp_pay else 0 end
            as inpatient_spending_amt,
        case when care_type_group = 'outpatient' then hifp_pay else 0 end
            as outpatient_spending_amt,
        case when care_type_group = 'pharmacy' then hifp_pay else 0 end
            as pharmacy_spending_amt,
        0 as admission_count
    from settlements

    union all

    select
        insu_admdvs as admdvs,
        insutype,
        setl_month as period_month,
        0 as psn_clct_amt,
        0 as emp_clct_amt,
        0 as govt_subsidy_amt,
        0 as acct_crdt_amt,
        0 as spending_amt,
        0 as inpatient_spending_amt,
        0 as outpatient_spending_amt,
        0 as pharmacy_spending_amt,
        1 as admission_count
    from visits
    where is_admission

),

county_flows as (

    select
        'county' as level,  -- noqa: RF04
        admdvs,
        insutype,
        period_month,
        sum(psn_clct_amt) as psn_clct_amt,
        sum(emp_clct_amt) as emp_clct_amt,
        sum(govt_subsidy_amt) as govt_subsidy_amt,
        sum(acct_crdt_amt) as acct_crdt_amt,
        sum(spending_amt) as spending_amt,
        sum(inpatient_spending_amt) as inpatient_spending_amt,
        sum(outpatient_spending_amt) as outpatient_spending_amt,
        sum(pharmacy_spending_amt) as pharmacy_spending_amt,
        sum(admission_count) as admission_count
    from county_flow_lines
    group by admdvs, insutype, period_month

),

-- A county's city is its pooling area 统筹区 (counties unknown to dim_admdvs have none).
pooling_area_flows as (

    select
        'pooling_area' as level,  -- noqa: RF04
        divisions.city_admdvs as admdvs,
        county_flows.insutype,
        county_flows.period_month,
        sum(county_flows.psn_clct_amt) as psn_clct_amt,
        sum(county_flows.emp_clct_amt) as emp_clct_amt,
        sum(county_flows.govt_subsidy_amt) as govt_subsidy_amt,
        sum(county_flows.acct_crdt_amt) as acct_crdt_amt,
        sum(county_flows.spending_amt) as spending_amt,
        sum(county_flows.inpatient_spending_amt) as inpatient_spending_amt,
        sum(county_flows.outpatient_spending_amt) as outpatient_spending_amt,
        sum(county_flows.pharmacy_spending_amt) as pharmacy_spending_amt,
        sum(county_flows.admission_count) as admission_count
    from county_flows
    inner join divisions
        on county_flows.admdvs = divisions.admdvs
    where divisions.city_admdvs is not null
    group by divisions.city_admdvs, county_flows.insutype, county_flows.period_month

),

flows as (

    select * from county_flows

    union all

    select * from pooling_area_flows

),

----------  a dense month series from the first to the last month with any flow
digits as (

    select 0 as digit
    union all
    select 1
    union all
    select 2
    union all
    select 3
    union all
    select 4
    union all
    select 5
    union all
    select 6
    union all
    select 7
    union all
    select 8
    union all
    select 9

),

month_offsets as (

    select hundreds.digit * 100 + tens.digit * 10 + units.digit as month_offset
    from digits as hundreds
    cross join digits as tens
    cross join digits as units

),

flow_bounds as (

    select
        min(period_month) as first_month,
        max(period_month) as last_month
    from flows

),

months as (

    select {{ add_months('flow_bounds.first_month', 'month_offsets.month_offset') }} as period_month
    from flow_bounds
    cross join month_offsets
    where
        {{ add_months('flow_bounds.first_month', 'month_offsets.month_offset') }}
        <= flow_bounds.last_month

),

-- Settlement history starts with the first settlement month of the warehouse: the average
-- monthly spending only counts months from then on.
spending_history as (

    select min(setl_month) as first_spending_month
    from settlements

),

series as (

    select distinct
        level,
        admdvs,
        insutype
    from flows

),

spine as (

    select
        series.level,
        series.admdvs,
        series.insutype,
        months.period_month,
        {{ year_of('months.period_month') }} as period_year
    from series
    cross join months

),

monthly as (

    select
        spine.level,
        spine.admdvs,
        spine.insutype,
        spine.period_month,
        spine.period_year,
        coalesce(flows.psn_clct_amt, 0) as psn_clct_amt,
        coalesce(flows.emp_clct_amt, 0) as emp_clct_amt,
        coalesce(flows.govt_subsidy_amt, 0) as govt_subsidy_amt,
        coalesce(flows.psn_clct_amt, 0)
        + coalesce(flows.emp_clct_amt, 0)
        + coalesce(flows.govt_subsidy_amt, 0) as income_amt,
        coalesce(flows.acct_crdt_amt, 0) as acct_crdt_amt,
        coalesce(flows.spending_amt, 0) as spending_amt,
        coalesce(flows.inpatient_spending_amt, 0) as inpatient_spending_amt,
        coalesce(flows.outpatient_spending_amt, 0) as outpatient_spending_amt,
        coalesce(flows.pharmacy_spending_amt, 0) as pharmacy_spending_amt,
        coalesce(flows.admission_count, 0) as admission_count,
        coalesce(flows.psn_clct_amt, 0)
        + coalesce(flows.emp_clct_amt, 0)
        + coalesce(flows.govt_subsidy_amt, 0)
        - coalesce(flows.spending_amt, 0) as current_balance_amt
    from spine
    left join flows
        on
            spine.level = flows.level
            and spine.admdvs = flows.admdvs
            and spine.insutype = flows.insutype
            and spine.period_month = flows.period_month

),

----------  parameters: opening balance (anchor) and thresholds per area x scheme x year
fund_params as (

    {{ resolve_params(
        ref('param_fund_operation'),
        ['year_from', 'opening_balance_amt', 'warn_reserve_months', 'target_reserve_months_max'],
        'spine', 'admdvs', 'insutype', 'period_year'
    ) }}

),

anchored as (

    select
        monthly.*,
        fund_params.opening_balance_amt,
        fund_params.warn_reserve_months,
        fund_params.target_reserve_months_max,
        fund_params.year_from as opening_balance_year,
        {{ make_date_from_parts('fund_params.year_from', 1, 1) }} as opening_balance_date
    from monthly
    left join fund_params
        on
            monthly.admdvs = fund_params.admdvs
            and monthly.insutype = fund_params.insutype
            and monthly.period_year = fund_params.period_year

),

-- Σ current balances from the opening-balance date up to the month.
balances_to_date as (

    select
        anchored.level,
        anchored.admdvs,
        anchored.insutype,
        anchored.period_month,
        sum(history.current_balance_amt) as balance_since_opening_amt
    from anchored
    inner join monthly as history
        on
            anchored.level = history.level
            and anchored.admdvs = history.admdvs
            and anchored.insutype = history.insutype
            and anchored.opening_balance_date <= history.period_month
            and anchored.period_month >= history.period_month
    group by anchored.level, anchored.admdvs, anchored.insutype, anchored.period_month

),

-- Spending of the 12 months ending with the month (fewer at the start of the history).
rolling_spending as (

    select
        monthly.level,
        monthly.admdvs,
        monthly.insutype,
        monthly.period_month,
        sum(history.spending_amt) as rolling_spending_amt,
        count(*) as rolling_month_count
    from monthly
    cross join spending_history
    inner join monthly as history
        on
            monthly.level = history.level
            and monthly.admdvs = history.admdvs
            and monthly.insutype = history.insutype
            and {{ add_months('monthly.period_month', -12) }} < history.period_month
            and monthly.period_month >= history.period_month
            and spending_history.first_spending_month <= history.period_month
    group by monthly.level, monthly.admdvs, monthly.insutype, monthly.period_month

),

measured as (

    select
        anchored.*,
        anchored.opening_balance_amt
        + balances_to_date.balance_since_opening_amt as cumulative_balance_amt,
        coalesce(rolling_spending.rolling_spending_amt, 0) as rolling_spending_amt,
        coalesce(rolling_spending.rolling_month_count, 0) as rolling_month_count,
        {{ safe_divide(
            'rolling_spending.rolling_spending_amt', 'rolling_spending.rolling_month_count'
        ) }} as avg_monthly_spending_amt
    from anchored
    left join balances_to_date
        on
            anchored.level = balances_to_date.level
            and anchored.admdvs = balances_to_date.admdvs
            and anchored.insutype = balances_to_date.insutype
            and anchored.period_month = balances_to_date.period_month
    left join rolling_spending
        on
            anchored.level = rolling_spending.level
            and anchored.admdvs = rolling_spending.admdvs
            and anchored.insutype = rolling_spending.insutype
            and anchored.period_month = rolling_spending.period_month

),

with_reserve as (

    select
        measured.*,
        {{ safe_divide('measured.cumulative_balance_amt', 'measured.avg_monthly_spending_amt') }}
            as months_of_reserve
    from measured

),

final as (

    select
        ----------  grain
        with_reserve.level,
        with_reserve.admdvs,
        coalesce(counties.admdvs_name, pooling_areas.city_name) as admdvs_name,
        coalesce(counties.city_admdvs, pooling_areas.city_admdvs) as pooling_area_admdvs,
        coalesce(counties.is_alliance_county, false) as is_alliance_county,
        with_reserve.insutype,
        with_reserve.period_month,
        cast(with_reserve.period_year as integer) as period_year,
        cast(extract(quarter from with_reserve.period_month) as integer) as period_quarter,

        ----------  income (net, by payment month)
        cast(with_reserve.psn_clct_amt as decimal(18, 2)) as psn_clct_amt,
        cast(with_reserve.emp_clct_amt as decimal(18, 2)) as emp_clct_amt,
        cast(with_reserve.govt_subsidy_amt as decimal(18, 2)) as govt_subsidy_amt,
        cast(with_reserve.income_amt as decimal(18, 2)) as income_amt,
        cast(with_reserve.acct_crdt_amt as decimal(18, 2)) as acct_crdt_amt,

        ----------  spending (net hifp_pay, by settlement month) and its split
        cast(with_reserve.spending_amt as decimal(18, 2)) as spending_amt,
        cast(with_reserve.inpatient_spending_amt as decimal(18, 2)) as inpatient_spending_amt,
        cast(with_reserve.outpatient_spending_amt as decimal(18, 2)) as outpatient_spending_amt,
        cast(with_reserve.pharmacy_spending_amt as decimal(18, 2)) as pharmacy_spending_amt,
        cast(with_reserve.admission_count as bigint) as admission_count,
        {{ safe_divide('with_reserve.inpatient_spending_amt', 'with_reserve.admission_count') }}
            as spending_per_admission_amt,

        ----------  balances
        cast(with_reserve.current_balance_amt as decimal(18, 2)) as current_balance_amt,
        cast(with_reserve.opening_balance_year as integer) as opening_balance_year,
        cast(with_reserve.opening_balance_amt as decimal(18, 2)) as opening_balance_amt,
        cast(with_reserve.cumulative_balance_amt as decimal(18, 2)) as cumulative_balance_amt,

        ----------  months of reserve 累计结余可支付月数
        cast(with_reserve.rolling_spending_amt as decimal(18, 2)) as rolling_spending_amt,
        cast(with_reserve.rolling_month_count as integer) as rolling_month_count,
        cast(with_reserve.avg_monthly_spending_amt as double) as avg_monthly_spending_amt,
        cast(with_reserve.months_of_reserve as double) as months_of_reserve,
        cast(with_reserve.warn_reserve_months as double) as warn_reserve_months,
        cast(with_reserve.target_reserve_months_max as double) as target_reserve_months_max,

        ----------  warnings (no average spending: low only when the balance is negative)
        coalesce(
            with_reserve.months_of_reserve < with_reserve.warn_reserve_months,
            with_reserve.cumulative_balance_amt < 0,
            false
        ) as is_reserve_low,
        coalesce(
            with_reserve.months_of_reserve > with_reserve.target_reserve_months_max, false
        ) as is_reserve_high,
        with_reserve.current_balance_amt < 0 as is_current_deficit
    from with_reserve
    left join divisions as counties
        on
            with_reserve.level = 'county'
            and with_reserve.admdvs = counties.admdvs
    left join pooling_areas
        on
            with_reserve.level = 'pooling_area'
            and with_reserve.admdvs = pooling_areas.city_admdvs

)

select * from final
