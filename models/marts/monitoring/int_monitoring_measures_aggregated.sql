{#-
  Numerators and denominators of the county monitoring indicators (domain notes §6) per alliance
  county x period. Visits (门急诊+住院人次) come from fct_visit: a distinct mdtrt_id with net
  medfee > 0 and med_type 11/13/14/21 (is_outpatient_visit / is_admission), dated by the
  month of its last settlement. Money comes from the net settlements, dated by the month of
  each settlement. Designated pharmacies are excluded everywhere. Two populations:
  care AT institutions located in C (any enrollee: 07, 09, 12) and C's enrollees wherever they
  were treated (08, 10, 11, x01-x03). Periods: year, quarter and year to date (through the end
  of each quarter) of every year with settlements. Enrollees (x04): distinct persons with an
  enrollment spell of C (any scheme) active on the last day of the period.
-#}

with

settlements as (

    select * from {{ ref('fct_settlement') }}
    where not is_pharmacy

),

visits as (

    select * from {{ ref('fct_visit') }}
    where
        not is_pharmacy
        and (is_outpatient_visit or is_admission)

),

enrollees as (

    select * from {{ ref('dim_enrollee') }}

),

counties as (

    select
        admdvs as county_admdvs,
        admdvs_name as county_name
    from {{ ref('dim_admdvs') }}
    where is_alliance_county

),

population as (

    select * from {{ ref('ref_population') }}

),

----------  periods: year, quarter, year to date, of the quarters with settlements
quarters as (

    select distinct
        cast({{ dbt.date_trunc('quarter', 'setl_month') }} as date) as quarter_start,
        cast({{ dbt.date_trunc('year', 'setl_month') }} as date) as year_start
    from {{ ref('fct_settlement') }}

),

periods as (

    select distinct
        'year' as period_type,
        year_start as period_start,
        {{ add_days(add_months('year_start', 12), -1) }} as period_end
    from quarters

    union all

    select
        'quarter' as period_type,
        quarter_start as period_start,
        {{ add_days(add_months('quarter_start', 3), -1) }} as period_end
    from quarters

    union all

    select
        'ytd' as period_type,
        year_start as period_start,
        {{ add_days(add_months('quarter_start', 3), -1) }} as period_end
    from quarters

),

----------  monthly sums per county, by population
care_in_county_visits as (

    select
        medins_admdvs as county_admdvs,
        setl_month,
        count(distinct mdtrt_id) as visits_at_county,
        count(distinct case when is_primary_care then mdtrt_id end) as primary_visits_at_county,
        count(distinct case when is_tcm then mdtrt_id end) as tcm_visits_at_county
    from visits
    group by 1, 2

),

care_in_county_funds as (

    select
        medins_admdvs as county_admdvs,
        setl_month,
        sum(fund_pay_sumamt) as fund_at_county,
        sum(case when is_primary_care then fund_pay_sumamt else 0 end) as primary_fund_at_county
    from settlements
    group by 1, 2

),

enrollee_visits as (

    select
        insu_admdvs as county_admdvs,
        setl_month,
        count(distinct mdtrt_id) as enrollee_visits,
        count(distinct case when is_in_county then mdtrt_id end) as enrollee_visits_in_county,
        count(distinct case when is_admission then mdtrt_id end) as enrollee_admissions,
        count(distinct case when is_admission and is_in_county then mdtrt_id end)
            as enrollee_admissions_in_county,
        sum(case when is_admission then medfee_sumamt else 0 end) as enrollee_admission_medfee,
        sum(case when is_admission and is_in_county then medfee_sumamt else 0 end)
            as enrollee_admission_medfee_in_county
    from visits
    group by 1, 2

),

enrollee_funds as (

    select
        insu_admdvs as county_admdvs,
        setl_month,
        sum(fund_pay_sumamt) as enrollee_fund,
        sum(case when is_in_county then fund_pay_sumamt else 0 end) as enrollee_fund_in_county,
        sum(case when care_type_group = 'inpatient' then fund_pay_sumamt else 0 end)
            as enrollee_inpatient_fund,
        sum(case when care_type_group = 'inpatient' then medfee_sumamt else 0 end)
            as enrollee_inpatient_medfee
    from settlements
    group by 1, 2

),

----------  sums per county x period (a month belongs to every period it falls in)
care_in_county_visits_by_period as (

    select
        care_in_county_visits.county_admdvs,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        sum(care_in_county_visits.visits_at_county) as visits_at_county,
        sum(care_in_county_visits.primary_visits_at_county) as primary_visits_at_county,
        sum(care_in_county_visits.tcm_visits_at_county) as tcm_visits_at_county
    from care_in_county_visits
    inner join periods
        on care_in_county_visits.setl_month between periods.period_start and periods.period_end
    group by 1, 2, 3, 4

),

care_in_county_funds_by_period as (

    select
        care_in_county_funds.county_admdvs,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        sum(care_in_county_funds.fund_at_county) as fund_at_county,
        sum(care_in_county_funds.primary_fund_at_county) as primary_fund_at_county
    from care_in_county_funds
    inner join periods
        on care_in_county_funds.setl_month between periods.period_start and periods.period_end
    group by 1, 2, 3, 4

),

enrollee_visits_by_period as (

    select
        enrollee_visits.county_admdvs,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        sum(enrollee_visits.enrollee_visits) as enrollee_visits,
        sum(enrollee_visits.enrollee_visits_in_county) as enrollee_visits_in_county,
        sum(enrollee_visits.enrollee_admissions) as enrollee_admissions,
        sum(enrollee_visits.enrollee_admissions_in_county) as enrollee_admissions_in_county,
        sum(enrollee_visits.enrollee_admission_medfee) as enrollee_admission_medfee,
        sum(enrollee_visits.enrollee_admission_medfee_in_county)
            as enrollee_admission_medfee_in_county
    from enrollee_visits
    inner join periods
        on enrollee_visits.setl_month between periods.period_start and periods.period_end
    group by 1, 2, 3, 4

),

enrollee_funds_by_period as (

    select
        enrollee_funds.county_admdvs,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        sum(enrollee_funds.enrollee_fund) as enrollee_fund,
        sum(enrollee_funds.enrollee_fund_in_county) as enrollee_fund_in_county,
        sum(enrollee_funds.enrollee_inpatient_fund) as enrollee_inpatient_fund,
        sum(enrollee_funds.enrollee_inpatient_medfee) as enrollee_inpatient_medfee
    from enrollee_funds
    inner join periods
        on enrollee_funds.setl_month between periods.period_start and periods.period_end
    group by 1, 2, 3, 4

),

-- Persons with a spell of the county (any scheme) active on the last day of the period.
enrollees_by_period as (

    select
        enrollees.insu_admdvs as county_admdvs,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        count(distinct enrollees.person_key) as enrollee_count
    from enrollees
    inner join periods
        on
            enrollees.valid_from <= periods.period_end
            and {{ open_end('enrollees.valid_to') }} >= periods.period_end
    group by 1, 2, 3, 4

),

spine as (

    select
        counties.county_admdvs,
        counties.county_name,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        {{ year_of('periods.period_start') }} as period_year,
        case
            when periods.period_type <> 'year'
                then cast(extract(quarter from periods.period_end) as {{ dbt.type_int() }})
        end as period_quarter
    from counties
    cross join periods

),

measures as (

    select
        ----------  grain
        spine.county_admdvs,
        spine.county_name,
        spine.period_type,
        case spine.period_type
            when 'year' then {{ dbt.cast('spine.period_year', dbt.type_string()) }}
            when 'quarter' then {{ dbt.concat([
                dbt.cast('spine.period_year', dbt.type_string()), "'Q'",
                dbt.cast('spine.period_quarter', dbt.type_string())
            ]) }}
            else {{ dbt.concat([
                dbt.cast('spine.period_year', dbt.type_string()), "'YTD-Q'",
                dbt.cast('spine.period_quarter', dbt.type_string())
            ]) }}
        end as period_label,
        spine.period_year,
        spine.period_quarter,
        spine.period_start,
        spine.period_end,

        ----------  care at institutions located in the county (any enrollee)
        coalesce(care_in_county_visits_by_period.visits_at_county, 0) as visits_at_county,
        coalesce(care_in_county_visits_by_period.primary_visits_at_county, 0)
            as primary_visits_at_county,
        coalesce(care_in_county_visits_by_period.tcm_visits_at_county, 0) as tcm_visits_at_county,
        coalesce(care_in_county_funds_by_period.fund_at_county, 0) as fund_at_county,
        coalesce(care_in_county_funds_by_period.primary_fund_at_county, 0)
            as primary_fund_at_county,

        ----------  the county's enrollees, care anywhere
        coalesce(enrollee_visits_by_period.enrollee_visits, 0) as enrollee_visits,
        coalesce(enrollee_visits_by_period.enrollee_visits_in_county, 0)
            as enrollee_visits_in_county,
        coalesce(enrollee_visits_by_period.enrollee_admissions, 0) as enrollee_admissions,
        coalesce(enrollee_visits_by_period.enrollee_admissions_in_county, 0)
            as enrollee_admissions_in_county,
        coalesce(enrollee_visits_by_period.enrollee_admission_medfee, 0)
            as enrollee_admission_medfee,
        coalesce(enrollee_visits_by_period.enrollee_admission_medfee_in_county, 0)
            as enrollee_admission_medfee_in_county,
        coalesce(enrollee_funds_by_period.enrollee_fund, 0) as enrollee_fund,
        coalesce(enrollee_funds_by_period.enrollee_fund_in_county, 0) as enrollee_fund_in_county,
        coalesce(enrollee_funds_by_period.enrollee_inpatient_fund, 0) as enrollee_inpatient_fund,
        coalesce(enrollee_funds_by_period.enrollee_inpatient_medfee, 0)
            as enrollee_inpatient_medfee,

        ----------  enrollment
        coalesce(enrollees_by_period.enrollee_count, 0) as enrollee_count,
        population.registered_population

    from spine
    left join care_in_county_visits_by_period
        on
            spine.county_admdvs = care_in_county_visits_by_period.county_admdvs
            and spine.period_type = care_in_county_visits_by_period.period_type
            and spine.period_start = care_in_county_visits_by_period.period_start
            and spine.period_end = care_in_county_visits_by_period.period_end
    left join care_in_county_funds_by_period
        on
            spine.county_admdvs = care_in_county_funds_by_period.county_admdvs
            and spine.period_type = care_in_county_funds_by_period.period_type
            and spine.period_start = care_in_county_funds_by_period.period_start
            and spine.period_end = care_in_county_funds_by_period.period_end
    left join enrollee_visits_by_period
        on
            spine.county_admdvs = enrollee_visits_by_period.county_admdvs
            and spine.period_type = enrollee_visits_by_period.period_type
            and spine.period_start = enrollee_visits_by_period.period_start
            and spine.period_end = enrollee_visits_by_period.period_end
    left join enrollee_funds_by_period
        on
            spine.county_admdvs = enrollee_funds_by_period.county_admdvs
            and spine.period_type = enrollee_funds_by_period.period_type
            and spine.period_start = enrollee_funds_by_period.period_start
            and spine.period_end = enrollee_funds_by_period.period_end
    left join enrollees_by_period
        on
            spine.county_admdvs = enrollees_by_period.county_admdvs
            and spine.period_type = enrollees_by_period.period_type
            and spine.period_start = enrollees_by_period.period_start
            and spine.period_end = enrollees_by_period.period_end
    left join population
        on
            spine.county_admdvs = population.admdvs
            and spine.period_year = population.year

),

-- The same period one year earlier, for the growth indicators (10g, x03).
final as (

    select
        measures.county_admdvs,
        measures.county_name,
        measures.period_type,
        measures.period_label,
        cast(measures.period_year as integer) as period_year,
        cast(measures.period_quarter as integer) as period_quarter,
        measures.period_start,
        measures.period_end,
        {%- for column in [
            'visits_at_county', 'primary_visits_at_county', 'tcm_visits_at_county'
        ] %}
            cast(measures.{{ column }} as bigint) as {{ column }},
        {%- endfor %}
        cast(measures.fund_at_county as decimal(18, 2)) as fund_at_county,
        cast(measures.primary_fund_at_county as decimal(18, 2)) as primary_fund_at_county,
        {%- for column in [
            'enrollee_visits', 'enrollee_visits_in_county', 'enrollee_admissions',
            'enrollee_admissions_in_county'
        ] %}
            cast(measures.{{ column }} as bigint) as {{ column }},
        {%- endfor %}
        {%- for column in [
            'enrollee_admission_medfee', 'enrollee_admission_medfee_in_county', 'enrollee_fund',
            'enrollee_fund_in_county', 'enrollee_inpatient_fund', 'enrollee_inpatient_medfee'
        ] %}
            cast(measures.{{ column }} as decimal(18, 2)) as {{ column }},
        {%- endfor %}
        cast(measures.enrollee_count as bigint) as enrollee_count,
        cast(measures.registered_population as bigint) as registered_population,
        cast(prior_year.enrollee_admissions_in_county as bigint)
            as prior_enrollee_admissions_in_county,
        cast(prior_year.enrollee_admission_medfee_in_county as decimal(18, 2))
            as prior_enrollee_admission_medfee_in_county,
        cast(prior_year.enrollee_admissions as bigint) as prior_enrollee_admissions,
        cast(prior_year.enrollee_admission_medfee as decimal(18, 2))
            as prior_enrollee_admission_medfee
    from measures
    left join measures as prior_year
        on
            measures.county_admdvs = prior_year.county_admdvs
            and measures.period_type = prior_year.period_type
            and measures.period_year = prior_year.period_year + 1
            and coalesce(measures.period_quarter, 0) = coalesce(prior_year.period_quarter, 0)

)

select * from final
