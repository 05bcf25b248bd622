{#-
  Alliance global budget and year-end settlement (医共体总额预算与年终清算), domain notes §4:
  per alliance x scheme x budget year.
  - Budget: CB = Σ_b cap_b × N_b × k (cap_b from mart_alliance_capitation, in fen); the
    alliance's share share_a = its members' base spending of the county's enrollees (weighted
    like the base) / that of all the county's alliances (one alliance: 1); AB = CB × share_a;
    working-capital advance WC = AB / 12.
  - Year-end, only for budget years whose data year is complete (Y ≤ the last complete
    settlement year, i.e. the data reach December of Y): AB' = Σ_b cap_b × N'_b × k × share_a;
    A = share_a × E(Y); I = in-alliance spending; balance = AB' − A; retained surplus and
    fund-shared overspend capped at a rate of AB'; revenue = I + retained − alliance-borne;
    year-end payment = revenue − I − WC. Other counties' enrollees at the members are paid
    fee-for-service, outside the budget, and reported separately.
-#}

with

capitation as (

    select * from {{ ref('mart_alliance_capitation') }}

),

spending as (

    select * from {{ ref('int_alliance_budget_spending_banded') }}

),

member_spending as (

    select * from {{ ref('int_alliance_budget_member_spending_aggregated') }}

),

alliances as (

    select * from {{ ref('dim_alliance') }}

),

county_budgets as (

    select
        county_admdvs,
        insutype,
        budget_year,
        max(case when is_first_budget_year then 1 else 0 end) = 1 as is_first_budget_year,
        max(w1) as w1,
        max(w2) as w2,
        max(w3) as w3,
        sum(spending_y3_amt) as spending_y3_amt,
        sum(spending_y2_amt) as spending_y2_amt,
        sum(spending_y1_amt) as spending_y1_amt,
        sum(base_spending_amt) as base_spending_amt,
        max(risk_reserve_rate) as risk_reserve_rate,
        max(regional_budget_amt) as regional_budget_amt,
        sum(case when capitation_amt is null then band_regional_budget_amt else 0 end)
            as unallocated_budget_amt,
        sum(budget_headcount) as budget_headcount,
        sum(coalesce(capitation_amt * budget_headcount, 0)) as capitation_budget_amt,
        sum(case when capitation_amt is not null then actual_headcount else 0 end)
            as actual_headcount,
        sum(coalesce(capitation_amt * actual_headcount, 0)) as capitation_actual_amt
    from capitation
    group by county_admdvs, insutype, budget_year

),

params as (

    {{ resolve_params(
        ref('param_alliance_budget'),
        ['first_budget_year', 'w1', 'w2', 'w3', 'adjustment_k', 'surplus_retain_cap_rate',
         'overspend_share_cap_rate', 'overspend_fund_share_ratio'],
        'county_budgets', 'county_admdvs', 'insutype', 'budget_year'
    ) }}

),

-- The last year whose December is in the data: year-end settlement only up to it.
data_extent as (

    select
        {{ year_of(add_months('max(setl_month)', 1)) }} - 1 as last_complete_year
    from spending

),

county_spending as (

    select
        county_admdvs,
        insutype,
        setl_year,
        sum(hifp_pay) as hifp_pay
    from spending
    group by county_admdvs, insutype, setl_year

),

member_years as (

    select
        alliance_id,
        insutype,
        setl_year,
        sum(in_alliance_hifp_pay) as in_alliance_hifp_pay,
        sum(other_county_hifp_pay) as other_county_hifp_pay
    from member_spending
    group by alliance_id, insutype, setl_year

),

alliance_years as (

    select
        county_budgets.*,
        alliances.alliance_id,
        alliances.alliance_name,
        params.adjustment_k,
        params.surplus_retain_cap_rate,
        params.overspend_share_cap_rate,
        params.overspend_fund_share_ratio,
        count(*) over (
            partition by
                county_budgets.county_admdvs, county_budgets.insutype,
                county_budgets.budget_year
        ) as county_alliance_count,
        county_budgets.budget_year <= data_extent.last_complete_year as is_year_complete
    from county_budgets
    inner join alliances
        on
            county_budgets.county_admdvs = alliances.county_admdvs
            and {{ year_of('alliances.valid_from') }} <= county_budgets.budget_year
    inner join params
        on
            county_budgets.county_admdvs = params.county_admdvs
            and county_budgets.insutype = params.insutype
            and county_budgets.budget_year = params.budget_year
    cross join data_extent

),

-- The members' base spending, weighted like the county base (first year: 3 years).
alliance_base as (

    select
        alliance_years.alliance_id,
        alliance_years.insutype,
        alliance_years.budget_year,
        coalesce(sum(
            case
                when alliance_years.is_first_budget_year
                    then
                        case member_years.setl_year
                            when alliance_years.budget_year - 3 then params.w1
                            when alliance_years.budget_year - 2 then params.w2
                            when alliance_years.budget_year - 1 then params.w3
                            else 0
                        end
                when member_years.setl_year = alliance_years.budget_year - 1 then 1
                else 0
            end * member_years.in_alliance_hifp_pay
        ), 0) as alliance_base_spending_amt
    from alliance_years
    inner join params
        on
            alliance_years.county_admdvs = params.county_admdvs
            and alliance_years.insutype = params.insutype
            and alliance_years.budget_year = params.budget_year
    left join member_years
        on
            alliance_years.alliance_id = member_years.alliance_id
            and alliance_years.insutype = member_years.insutype
            and member_years.setl_year >= alliance_years.budget_year - 3
            and member_years.setl_year <= alliance_years.budget_year - 1
    group by alliance_years.alliance_id, alliance_years.insutype, alliance_years.budget_year

),

shares as (

    select
        alliance_years.*,
        alliance_base.alliance_base_spending_amt,
        sum(alliance_base.alliance_base_spending_amt) over (
            partition by
                alliance_years.county_admdvs, alliance_years.insutype,
                alliance_years.budget_year
        ) as county_alliances_base_spending_amt
    from alliance_years
    inner join alliance_base
        on
            alliance_years.alliance_id = alliance_base.alliance_id
            and alliance_years.insutype = alliance_base.insutype
            and alliance_years.budget_year = alliance_base.budget_year

),

budgets as (

    select
        shares.*,
        case
            when shares.county_alliance_count = 1 then 1.0
            else {{ safe_divide(
                'shares.alliance_base_spending_amt', 'shares.county_alliances_base_spending_amt'
            ) }}
        end as alliance_share,
        shares.capitation_budget_amt * shares.adjustment_k as county_budget_amt
    from shares

),

-- Year-end inputs, NULL while the budget year is not complete in the data.
year_end_inputs as (

    select
        budgets.*,
        budgets.county_budget_amt * budgets.alliance_share as alliance_budget_amt,
        budgets.county_budget_amt * budgets.alliance_share / 12 as working_capital_amt,
        case
            when budgets.is_year_complete
                then budgets.capitation_actual_amt * budgets.adjustment_k * budgets.alliance_share
        end as settled_budget_amt,
        case
            when budgets.is_year_complete then coalesce(county_spending.hifp_pay, 0)
        end as county_spending_amt,
        case
            when budgets.is_year_complete
                then budgets.alliance_share * coalesce(county_spending.hifp_pay, 0)
        end as attributable_spending_amt,
        case
            when budgets.is_year_complete then coalesce(member_years.in_alliance_hifp_pay, 0)
        end as in_alliance_spending_amt,
        case
            when budgets.is_year_complete then coalesce(member_years.other_county_hifp_pay, 0)
        end as other_county_spending_amt
    from budgets
    left join county_spending
        on
            budgets.county_admdvs = county_spending.county_admdvs
            and budgets.insutype = county_spending.insutype
            and budgets.budget_year = county_spending.setl_year
    left join member_years
        on
            budgets.alliance_id = member_years.alliance_id
            and budgets.insutype = member_years.insutype
            and budgets.budget_year = member_years.setl_year

),

balances as (

    select
        *,
        settled_budget_amt - attributable_spending_amt as balance_amt,
        settled_budget_amt * surplus_retain_cap_rate as surplus_retain_cap_amt,
        settled_budget_amt * overspend_share_cap_rate as overspend_share_cap_amt
    from year_end_inputs

),

settlement as (

    select
        *,
        case
            when balance_amt >= 0
                then case
                        when balance_amt < surplus_retain_cap_amt then balance_amt
                        else surplus_retain_cap_amt
                    end
            when balance_amt < 0 then 0
        end as surplus_retained_amt,
        case when balance_amt < 0 then -balance_amt when balance_amt >= 0 then 0 end
            as overspend_amt
    from balances

),

shared as (

    select
        *,
        case
            when balance_amt >= 0 then balance_amt - surplus_retained_amt
            when balance_amt < 0 then 0
        end as surplus_returned_amt,
        case
            when overspend_amt < overspend_share_cap_amt then overspend_amt
            else overspend_share_cap_amt
        end * overspend_fund_share_ratio as overspend_fund_shared_amt
    from settlement

),

revenue as (

    select
        *,
        overspend_amt - overspend_fund_shared_amt as overspend_alliance_borne_amt,
        in_alliance_spending_amt + surplus_retained_amt
        - (overspend_amt - overspend_fund_shared_amt) as alliance_revenue_amt
    from shared

),

final as (

    select
        ----------  keys
        cast(alliance_id as varchar) as alliance_id,
        cast(alliance_name as varchar) as alliance_name,
        cast(county_admdvs as varchar) as county_admdvs,
        cast(insutype as varchar) as insutype,
        cast(budget_year as integer) as budget_year,

        ----------  base spending of the county's enrollees (yuan) and weights
        is_first_budget_year,
        cast(spending_y3_amt as decimal(18, 2)) as spending_y3_amt,
        cast(spending_y2_amt as decimal(18, 2)) as spending_y2_amt,
        cast(spending_y1_amt as decimal(18, 2)) as spending_y1_amt,
        cast(w1 as double) as w1,
        cast(w2 as double) as w2,
        cast(w3 as double) as w3,
        cast(base_spending_amt as decimal(18, 2)) as base_spending_amt,

        ----------  regional and county budget (yuan)
        cast(risk_reserve_rate as double) as risk_reserve_rate,
        cast(base_spending_amt - regional_budget_amt as decimal(18, 2)) as risk_reserve_amt,
        cast(regional_budget_amt as decimal(18, 2)) as regional_budget_amt,
        cast(unallocated_budget_amt as decimal(18, 2)) as unallocated_budget_amt,
        cast(budget_headcount as bigint) as budget_headcount,
        cast(adjustment_k as double) as adjustment_k,
        cast(county_budget_amt as decimal(18, 2)) as county_budget_amt,

        ----------  the alliance's share and budget (yuan)
        cast(county_alliance_count as integer) as county_alliance_count,
        cast(alliance_base_spending_amt as decimal(18, 2)) as alliance_base_spending_amt,
        cast(county_alliances_base_spending_amt as decimal(18, 2))
            as county_alliances_base_spending_amt,
        cast(alliance_share as double) as alliance_share,
        cast(alliance_budget_amt as decimal(18, 2)) as alliance_budget_amt,
        cast(working_capital_amt as decimal(18, 2)) as working_capital_amt,

        ----------  year-end settlement (NULL until the year is complete in the data)
        is_year_complete,
        cast(case when is_year_complete then actual_headcount end as bigint) as actual_headcount,
        cast(settled_budget_amt as decimal(18, 2)) as settled_budget_amt,
        cast(county_spending_amt as decimal(18, 2)) as county_spending_amt,
        cast(attributable_spending_amt as decimal(18, 2)) as attributable_spending_amt,
        cast(in_alliance_spending_amt as decimal(18, 2)) as in_alliance_spending_amt,
        cast(balance_amt as decimal(18, 2)) as balance_amt,
        cast(surplus_retain_cap_rate as double) as surplus_retain_cap_rate,
        cast(surplus_retained_amt as decimal(18, 2)) as surplus_retained_amt,
        cast(surplus_returned_amt as decimal(18, 2)) as surplus_returned_amt,
        cast(overspend_amt as decimal(18, 2)) as overspend_amt,
        cast(overspend_share_cap_rate as double) as overspend_share_cap_rate,
        cast(overspend_fund_share_ratio as double) as overspend_fund_share_ratio,
        cast(overspend_fund_shared_amt as decimal(18, 2)) as overspend_fund_shared_amt,
        cast(overspend_alliance_borne_amt as decimal(18, 2)) as overspend_alliance_borne_amt,
        cast(alliance_revenue_amt as decimal(18, 2)) as alliance_revenue_amt,
        cast(
            alliance_revenue_amt - in_alliance_spending_amt - working_capital_amt
            as decimal(18, 2)
        ) as year_end_payment_amt,

        ----------  outside the budget (fee-for-service)
        cast(other_county_spending_amt as decimal(18, 2)) as other_county_spending_amt
    from revenue

)

select * from final
