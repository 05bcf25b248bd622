{#-
  Headcounts per alliance county, scheme, budget year Y and age band (domain notes §4):
  - budget headcount N_b: persons with a net-positive contribution in the scheme whose covered
    months (begn_ym–end_ym) include any month of Y−1 (the previous year's contributors);
  - actual headcount N'_b (year-end settlement): the same rule with the months of Y itself.
  Both are banded by age on 1 January of Y; a person's county is the insu_admdvs of their
  scheme spell active on 1 January of Y, else of the first such spell starting in Y (a person
  with neither is not counted). The covered calendar years are taken from the years in which
  contributions start or end.
-#}

with

contributions as (

    select * from {{ ref('fct_contribution') }}

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

calendar_years as (

    select {{ year_of('begn_month') }} as calendar_year
    from contributions

    union

    select {{ year_of('end_month') }} as calendar_year
    from contributions

),

-- Each person x scheme x calendar year covered by a net-positive contribution.
covered_years as (

    select distinct
        contributions.person_key,
        contributions.insutype,
        calendar_years.calendar_year as covered_year
    from contributions
    inner join calendar_years
        on
            calendar_years.calendar_year >= {{ year_of('contributions.begn_month') }}
            and calendar_years.calendar_year <= {{ year_of('contributions.end_month') }}
    where contributions.is_net_positive

),

-- Budget headcount of Y counts Y−1's contributors, actual headcount Y's own.
counted as (

    select
        person_key,
        insutype,
        covered_year + 1 as budget_year,
        true as is_budget_basis
    from covered_years

    union all

    select
        person_key,
        insutype,
        covered_year as budget_year,
        false as is_budget_basis
    from covered_years

),

person_years as (

    select distinct
        person_key,
        insutype,
        budget_year,
        {{ make_date_from_parts('budget_year', 1, 1) }} as january_first
    from counted

),

-- The scheme spell active on 1 January of Y, else the first one starting in Y.
spell_candidates as (

    select
        person_years.person_key,
        person_years.insutype,
        person_years.budget_year,
        enrollees.insu_admdvs as county_admdvs,
        {{ age_on('enrollees.birth_date', 'person_years.january_first') }} as age_on_january_first,
        row_number() over (
            partition by person_years.person_key, person_years.insutype, person_years.budget_year
            order by
                case when enrollees.valid_from <= person_years.january_first then 0 else 1 end,
                enrollees.valid_from asc
        ) as spell_rank
    from person_years
    inner join enrollees
        on
            person_years.person_key = enrollees.person_key
            and person_years.insutype = enrollees.insutype
    where
        (
            enrollees.valid_from <= person_years.january_first
            and {{ open_end('enrollees.valid_to') }} >= person_years.january_first
        )
        or {{ year_of('enrollees.valid_from') }} = person_years.budget_year

),

located as (

    select
        person_key,
        insutype,
        budget_year,
        county_admdvs,
        coalesce({{ age_band('age_on_january_first') }}, 'unknown') as age_band,
        {{ age_band('age_on_january_first', 'band_order') }} as band_order
    from spell_candidates
    where spell_rank = 1

),

final as (

    select
        ----------  keys
        located.county_admdvs,
        located.insutype,
        located.budget_year,
        located.age_band,
        max(located.band_order) as band_order,

        ----------  headcounts (persons)
        count(distinct case when counted.is_budget_basis then counted.person_key end)
            as budget_headcount,
        count(distinct case when not counted.is_budget_basis then counted.person_key end)
            as actual_headcount
    from counted
    inner join located
        on
            counted.person_key = located.person_key
            and counted.insutype = located.insutype
            and counted.budget_year = located.budget_year
    inner join alliance_counties
        on located.county_admdvs = alliance_counties.county_admdvs
    group by located.county_admdvs, located.insutype, located.budget_year, located.age_band

)

select * from final
