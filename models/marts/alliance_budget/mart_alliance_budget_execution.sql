{#-
  Monthly budget execution (预算执行监测), domain notes §4: per alliance x scheme x budget year
  x month with data. Budget to date = AB × m / 12; attributable spending = share_a × the net
  hifp_pay of the county's enrollees at every medical institution; execution rate = spending to
  date / budget to date; naive year-end projection = spending to date × 12 / m; warning when
  the projection exceeds AB × warning_projection_ratio. In-alliance spending (paid monthly) and
  other counties' enrollees at the members (outside the budget) are shown beside it.
-#}

with

budgets as (

    select * from {{ ref('mart_alliance_budget') }}

),

spending as (

    select * from {{ ref('int_alliance_budget_spending_banded') }}

),

member_spending as (

    select * from {{ ref('int_alliance_budget_member_spending_aggregated') }}

),

params as (

    {{ resolve_params(
        ref('param_alliance_budget'), ['warning_projection_ratio'],
        'budgets', 'county_admdvs', 'insutype', 'budget_year'
    ) }}

),

-- Months present in the data (any county), so a month without spending still shows.
data_months as (

    select distinct
        setl_year,
        setl_month
    from spending

),

county_months as (

    select
        county_admdvs,
        insutype,
        setl_month,
        sum(hifp_pay) as hifp_pay
    from spending
    group by county_admdvs, insutype, setl_month

),

member_months as (

    select
        alliance_id,
        insutype,
        setl_month,
        sum(in_alliance_hifp_pay) as in_alliance_hifp_pay,
        sum(other_county_hifp_pay) as other_county_hifp_pay
    from member_spending
    group by alliance_id, insutype, setl_month

),

monthly as (

    select
        budgets.alliance_id,
        budgets.county_admdvs,
        budgets.insutype,
        budgets.budget_year,
        data_months.setl_month,
        cast(extract(month from data_months.setl_month) as integer) as month_no,
        budgets.alliance_budget_amt,
        budgets.alliance_share,
        params.warning_projection_ratio,
        budgets.alliance_share * coalesce(county_months.hifp_pay, 0) as attributable_spending_amt,
        coalesce(member_months.in_alliance_hifp_pay, 0) as in_alliance_spending_amt,
        coalesce(member_months.other_county_hifp_pay, 0) as other_county_spending_amt
    from budgets
    inner join data_months
        on budgets.budget_year = data_months.setl_year
    inner join params
        on
            budgets.county_admdvs = params.county_admdvs
            and budgets.insutype = params.insutype
            and budgets.budget_year = params.budget_year
    left join county_months
        on
            budgets.county_admdvs = county_months.county_admdvs
            and budgets.insutype = county_months.insutype
            and data_months.setl_month = county_months.setl_month
    left join member_months
        on
            budgets.alliance_id = member_months.alliance_id
            and budgets.insutype = member_months.insutype
            and data_months.setl_month = member_months.setl_month

),

to_date as (

    select
        *,
        sum(attributable_spending_amt) over (
            partition by alliance_id, insutype, budget_year
            order by setl_month
            rows between unbounded preceding and current row
        ) as attributable_spending_to_date_amt,
        sum(in_alliance_spending_amt) over (
            partition by alliance_id, insutype, budget_year
            order by setl_month
            rows between unbounded preceding and current row
        ) as in_alliance_spending_to_date_amt,
        sum(other_county_spending_amt) over (
            partition by alliance_id, insutype, budget_year
            order by setl_month
            rows between unbounded preceding and current row
        ) as other_county_spending_to_date_amt,
        alliance_budget_amt * month_no / 12 as budget_to_date_amt
    from monthly

),

projected as (

    select
        *,
        attributable_spending_to_date_amt * 12 / month_no as projected_spending_amt
    from to_date

),

final as (

    select
        ----------  keys
        cast(alliance_id as varchar) as alliance_id,
        cast(county_admdvs as varchar) as county_admdvs,
        cast(insutype as varchar) as insutype,
        cast(budget_year as integer) as budget_year,
        cast(month_no as integer) as month_no,
        cast(setl_month as date) as setl_month,

        ----------  budget (yuan)
        cast(alliance_share as double) as alliance_share,
        cast(alliance_budget_amt as decimal(18, 2)) as alliance_budget_amt,
        cast(alliance_budget_amt / 12 as decimal(18, 2)) as monthly_budget_amt,
        cast(budget_to_date_amt as decimal(18, 2)) as budget_to_date_amt,

        ----------  spending in the month and to date (yuan)
        cast(attributable_spending_amt as decimal(18, 2)) as attributable_spending_amt,
        cast(attributable_spending_to_date_amt as decimal(18, 2))
            as attributable_spending_to_date_amt,
        cast(in_alliance_spending_amt as decimal(18, 2)) as in_alliance_spending_amt,
        cast(in_alliance_spending_to_date_amt as decimal(18, 2))
            as in_alliance_spending_to_date_amt,
        cast(other_county_spending_amt as decimal(18, 2)) as other_county_spending_amt,
        cast(other_county_spending_to_date_amt as decimal(18, 2))
            as other_county_spending_to_date_amt,

        ----------  execution and projection
        cast(
            {{ safe_divide('attributable_spending_to_date_amt', 'budget_to_date_amt') }}
            as double
        ) as execution_rate,
        cast(projected_spending_amt as decimal(18, 2)) as projected_spending_amt,
        cast(warning_projection_ratio as double) as warning_projection_ratio,
        coalesce(projected_spending_amt > alliance_budget_amt * warning_projection_ratio, false)
            as is_projection_warning
    from projected

)

select * from final
