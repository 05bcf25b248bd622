{#-
  Capitation per age band (人头付费标准), domain notes §4: per alliance county x scheme x budget
  year Y x age band. Budget years run from the county's first_budget_year (parameter) to the
  year after the last settlement year (a year needs settlement data for Y−1). Base spending of the band E_b: in the first budget year
  w1·E_b(Y−3) + w2·E_b(Y−2) + w3·E_b(Y−1), later E_b(Y−1); E = Σ_b E_b; RB = E × (1 − risk
  reserve); cap_b = (E_b / E × RB) / N_b, rounded to the fen. A band with spending but no budget
  headcount has no capitation (NULL, flagged): its part of RB is left out of the county budget.
-#}

with

spending as (

    select * from {{ ref('int_alliance_budget_spending_banded') }}

),

headcounts as (

    select * from {{ ref('int_alliance_budget_headcount_counted') }}

),

band_years as (

    select
        county_admdvs,
        insutype,
        setl_year as data_year,
        age_band,
        max(band_order) as band_order,
        sum(hifp_pay) as hifp_pay
    from spending
    group by county_admdvs, insutype, setl_year, age_band

),

candidate_years as (

    select distinct
        county_admdvs,
        insutype,
        data_year + 1 as budget_year
    from band_years

),

params as (

    {{ resolve_params(
        ref('param_alliance_budget'),
        ['first_budget_year', 'w1', 'w2', 'w3', 'risk_reserve_rate'],
        'candidate_years', 'county_admdvs', 'insutype', 'budget_year'
    ) }}

),

budget_years as (

    select
        params.county_admdvs,
        params.insutype,
        params.budget_year,
        params.w1,
        params.w2,
        params.w3,
        params.risk_reserve_rate,
        params.budget_year = params.first_budget_year as is_first_budget_year,
        -- the base reaches back 3 years in the first budget year, 1 year later
        params.budget_year
        - case when params.budget_year = params.first_budget_year then 3 else 1 end
            as base_from_year
    from params
    where params.budget_year >= params.first_budget_year

),

-- Bands with spending in the base years or with a headcount in the budget year.
bands as (

    select distinct
        budget_years.county_admdvs,
        budget_years.insutype,
        budget_years.budget_year,
        band_years.age_band
    from budget_years
    inner join band_years
        on
            budget_years.county_admdvs = band_years.county_admdvs
            and budget_years.insutype = band_years.insutype
            and budget_years.base_from_year <= band_years.data_year
            and band_years.data_year <= budget_years.budget_year - 1

    union

    select distinct
        budget_years.county_admdvs,
        budget_years.insutype,
        budget_years.budget_year,
        headcounts.age_band
    from budget_years
    inner join headcounts
        on
            budget_years.county_admdvs = headcounts.county_admdvs
            and budget_years.insutype = headcounts.insutype
            and budget_years.budget_year = headcounts.budget_year
    where headcounts.budget_headcount > 0 or headcounts.actual_headcount > 0

),

band_spending as (

    select
        bands.county_admdvs,
        bands.insutype,
        bands.budget_year,
        bands.age_band,
        max(band_years.band_order) as band_order,
        coalesce(sum(
            case when band_years.data_year = bands.budget_year - 3 then band_years.hifp_pay end
        ), 0) as spending_y3_amt,
        coalesce(sum(
            case when band_years.data_year = bands.budget_year - 2 then band_years.hifp_pay end
        ), 0) as spending_y2_amt,
        coalesce(sum(
            case when band_years.data_year = bands.budget_year - 1 then band_years.hifp_pay end
        ), 0) as spending_y1_amt
    from bands
    inner join budget_years
        on
            bands.county_admdvs = budget_years.county_admdvs
            and bands.insutype = budget_years.insutype
            and bands.budget_year = budget_years.budget_year
    left join band_years
        on
            bands.county_admdvs = band_years.county_admdvs
            and bands.insutype = band_years.insutype
            and bands.age_band = band_years.age_band
            and budget_years.base_from_year <= band_years.data_year
            and band_years.data_year <= bands.budget_year - 1
    group by bands.county_admdvs, bands.insutype, bands.budget_year, bands.age_band

),

weighted as (

    select
        band_spending.county_admdvs,
        band_spending.insutype,
        band_spending.budget_year,
        band_spending.age_band,
        budget_years.is_first_budget_year,
        budget_years.risk_reserve_rate,
        band_spending.spending_y3_amt,
        band_spending.spending_y2_amt,
        band_spending.spending_y1_amt,
        coalesce(band_spending.band_order, headcounts.band_order) as band_order,
        case when budget_years.is_first_budget_year then budget_years.w1 end as w1,
        case when budget_years.is_first_budget_year then budget_years.w2 end as w2,
        case when budget_years.is_first_budget_year then budget_years.w3 end as w3,
        case
            when budget_years.is_first_budget_year
                then
                    budget_years.w1 * band_spending.spending_y3_amt
                    + budget_years.w2 * band_spending.spending_y2_amt
                    + budget_years.w3 * band_spending.spending_y1_amt
            else band_spending.spending_y1_amt
        end as base_spending_amt,
        coalesce(headcounts.budget_headcount, 0) as budget_headcount,
        coalesce(headcounts.actual_headcount, 0) as actual_headcount
    from band_spending
    inner join budget_years
        on
            band_spending.county_admdvs = budget_years.county_admdvs
            and band_spending.insutype = budget_years.insutype
            and band_spending.budget_year = budget_years.budget_year
    left join headcounts
        on
            band_spending.county_admdvs = headcounts.county_admdvs
            and band_spending.insutype = headcounts.insutype
            and band_spending.budget_year = headcounts.budget_year
            and band_spending.age_band = headcounts.age_band

),

county_totals as (

    select
        *,
        sum(base_spending_amt) over (
            partition by county_admdvs, insutype, budget_year
        ) as total_base_spending_amt
    from weighted

),

capitation as (

    select
        *,
        total_base_spending_amt * (1 - risk_reserve_rate) as regional_budget_amt,
        {{ safe_divide('base_spending_amt', 'total_base_spending_amt') }} as band_spending_share,
        {{ safe_divide('base_spending_amt', 'total_base_spending_amt') }}
        * total_base_spending_amt * (1 - risk_reserve_rate) as band_regional_budget_amt
    from county_totals

),

final as (

    select
        ----------  keys
        cast(county_admdvs as varchar) as county_admdvs,
        cast(insutype as varchar) as insutype,
        cast(budget_year as integer) as budget_year,
        cast(age_band as varchar) as age_band,
        cast(band_order as integer) as band_order,

        ----------  base spending of the band (yuan) and weights
        is_first_budget_year,
        cast(w1 as double) as w1,
        cast(w2 as double) as w2,
        cast(w3 as double) as w3,
        cast(spending_y3_amt as decimal(18, 2)) as spending_y3_amt,
        cast(spending_y2_amt as decimal(18, 2)) as spending_y2_amt,
        cast(spending_y1_amt as decimal(18, 2)) as spending_y1_amt,
        cast(base_spending_amt as decimal(18, 2)) as base_spending_amt,
        cast(total_base_spending_amt as decimal(18, 2)) as total_base_spending_amt,
        cast(band_spending_share as double) as band_spending_share,

        ----------  regional budget and its band part (yuan)
        cast(risk_reserve_rate as double) as risk_reserve_rate,
        cast(regional_budget_amt as decimal(18, 2)) as regional_budget_amt,
        cast(band_regional_budget_amt as decimal(18, 2)) as band_regional_budget_amt,

        ----------  headcounts (persons) and capitation (yuan per person)
        cast(budget_headcount as bigint) as budget_headcount,
        cast(actual_headcount as bigint) as actual_headcount,
        cast(
            case when budget_headcount > 0 then band_regional_budget_amt / budget_headcount end
            as decimal(18, 2)
        ) as capitation_amt,
        budget_headcount = 0 and base_spending_amt <> 0 as is_spending_without_headcount
    from capitation

)

select * from final
