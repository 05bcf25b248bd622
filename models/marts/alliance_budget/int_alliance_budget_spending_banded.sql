{#-
  E(y) by month: net pooled-fund spending (hifp_pay) of the enrollees of each alliance county
  (settlement insu_admdvs) per scheme (settlement insutype) at every medical institution
  anywhere — inside or outside the alliance, the county or the province — outpatient and
  inpatient (domain notes §4). Designated pharmacies are left out (§1: pharmacies are excluded
  from every alliance and county indicator; §4's "every medical institution" reads the same).
  The age band is the person's age on 1 January of the settlement year (birth date from
  dim_enrollee); a person without a birth date falls in band 'unknown'.
-#}

with

settlements as (

    select * from {{ ref('fct_settlement') }}

),

enrollees as (

    select * from {{ ref('dim_enrollee') }}

),

divisions as (

    select * from {{ ref('dim_admdvs') }}

),

-- Counties that run an alliance (dim_admdvs: a pilot, or served by an alliance).
alliance_counties as (

    select admdvs as county_admdvs
    from divisions
    where is_alliance_county

),

birth_dates as (

    select
        person_key,
        min(birth_date) as birth_date
    from enrollees
    group by person_key

),

medical_settlements as (

    select
        settlements.insu_admdvs as county_admdvs,
        settlements.insutype,
        settlements.setl_year,
        settlements.setl_month,
        settlements.hifp_pay,
        {{ age_on(
            'birth_dates.birth_date',
            make_date_from_parts('settlements.setl_year', 1, 1)
        ) }} as age_on_january_first
    from settlements
    inner join alliance_counties
        on settlements.insu_admdvs = alliance_counties.county_admdvs
    left join birth_dates
        on settlements.person_key = birth_dates.person_key
    where not coalesce(settlements.is_pharmacy, false)

),

banded as (

    select
        county_admdvs,
        insutype,
        setl_year,
        setl_month,
        hifp_pay,
        coalesce({{ age_band('age_on_january_first') }}, 'unknown') as age_band,
        {{ age_band('age_on_january_first', 'band_order') }} as band_order
    from medical_settlements

),

final as (

    select
        ----------  keys
        county_admdvs,
        insutype,
        setl_year,
        setl_month,
        age_band,
        max(band_order) as band_order,

        ----------  spending (yuan)
        sum(hifp_pay) as hifp_pay,
        count(*) as settlement_count
    from banded
    group by county_admdvs, insutype, setl_year, setl_month, age_band

)

select * from final
