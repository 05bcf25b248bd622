{#-
  County monitoring indicators in long format (domain notes §6): one row per indicator x
  alliance county x period, with numerator, denominator, value, target and meets-target flag.
  The formula of each indicator (which numerator over which denominator) is the select of its
  code below; metadata (names, unit, direction) comes from ref_monitoring_indicator, targets
  from param_monitoring_target (resolve_params: the county's own row, else 'default').
  Ratios are fractions (unit '%': 0.65 = 65%). Growth rows (10g, x03): numerator = this
  period's spending per admission, denominator = the same period last year's, value =
  numerator / denominator - 1.
-#}

with

measures as (

    select * from {{ ref('int_monitoring_measures_aggregated') }}

),

indicators as (

    select * from {{ ref('ref_monitoring_indicator') }}

),

target_keys as (

    select distinct
        county_admdvs,
        'all' as insutype,
        period_year
    from measures

),

targets as (

    {{ resolve_params(
        ref('param_monitoring_target'),
        ['target_07', 'target_08', 'target_09', 'target_10', 'target_10g', 'target_11',
         'target_12', 'target_x01', 'target_x02', 'target_x03', 'target_x04'],
        'target_keys', 'county_admdvs', 'insutype', 'period_year'
    ) }}

),

measured as (

    select
        measures.*,
        {{ safe_divide(
            'measures.enrollee_admission_medfee_in_county', 'measures.enrollee_admissions_in_county'
        ) }} as spending_per_admission_in_county,
        {{ safe_divide(
            'measures.prior_enrollee_admission_medfee_in_county',
            'measures.prior_enrollee_admissions_in_county'
        ) }} as prior_spending_per_admission_in_county,
        {{ safe_divide('measures.enrollee_admission_medfee', 'measures.enrollee_admissions') }}
            as spending_per_admission,
        {{ safe_divide(
            'measures.prior_enrollee_admission_medfee', 'measures.prior_enrollee_admissions'
        ) }} as prior_spending_per_admission,
        targets.target_07,
        targets.target_08,
        targets.target_09,
        targets.target_10,
        targets.target_10g,
        targets.target_11,
        targets.target_12,
        targets.target_x01,
        targets.target_x02,
        targets.target_x03,
        targets.target_x04
    from measures
    left join targets
        on
            measures.county_admdvs = targets.county_admdvs
            and measures.period_year = targets.period_year

),

-- One select per indicator: its numerator and denominator columns and its target. This list
-- IS the formula table of domain notes §6 (growth codes divide this period's spending per
-- admission by last year's; see valued).
{%- set formulas = [
    ('07', 'primary_visits_at_county', 'visits_at_county'),
    ('08', 'enrollee_fund_in_county', 'enrollee_fund'),
    ('09', 'primary_fund_at_county', 'fund_at_county'),
    ('10', 'enrollee_admission_medfee_in_county', 'enrollee_admissions_in_county'),
    ('10g', 'spending_per_admission_in_county', 'prior_spending_per_admission_in_county'),
    ('11', 'enrollee_admissions_in_county', 'enrollee_admissions'),
    ('12', 'tcm_visits_at_county', 'visits_at_county'),
    ('x01', 'enrollee_visits_in_county', 'enrollee_visits'),
    ('x02', 'enrollee_inpatient_fund', 'enrollee_inpatient_medfee'),
    ('x03', 'spending_per_admission', 'prior_spending_per_admission'),
    ('x04', 'enrollee_count', 'registered_population'),
] %}
unpivoted as (

    {%- for code, numerator, denominator in formulas %}

        select
            county_admdvs,
            county_name,
            period_type,
            period_label,
            period_year,
            period_quarter,
            period_start,
            period_end,
            '{{ code }}' as indicator_code,
            cast({{ numerator }} as double) as numerator,
            cast({{ denominator }} as double) as denominator,
            target_{{ code }} as target_value
        from measured
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}

),

valued as (

    select
        unpivoted.*,
        case
            when unpivoted.indicator_code in ('10g', 'x03')
                then {{ safe_divide('unpivoted.numerator', 'unpivoted.denominator') }} - 1
            else {{ safe_divide('unpivoted.numerator', 'unpivoted.denominator') }}
        end as indicator_value
    from unpivoted

),

final as (

    select
        ----------  grain
        valued.indicator_code,
        valued.county_admdvs,
        valued.period_type,
        valued.period_label,

        ----------  indicator metadata
        indicators.sort_order,
        indicators.name_zh as indicator_name_zh,
        indicators.name_en as indicator_name_en,
        indicators.unit,
        indicators.direction,
        indicators.population,

        ----------  county and period
        valued.county_name,
        cast(valued.period_year as integer) as period_year,
        cast(valued.period_quarter as integer) as period_quarter,
        valued.period_start,
        valued.period_end,

        ----------  numbers
        valued.numerator,
        valued.denominator,
        valued.indicator_value,
        valued.target_value,
        case
            when valued.indicator_value is null or valued.target_value is null then null
            when indicators.direction = '>=' then valued.indicator_value >= valued.target_value
            when indicators.direction = '<=' then valued.indicator_value <= valued.target_value
        end as meets_target

    from valued
    left join indicators
        on valued.indicator_code = indicators.indicator_code

)

select * from final
