{#-
  The monitoring indicators of mart_monitoring_indicator pivoted for BI: one row per alliance
  county x period, one column per indicator value, plus the numerators and denominators of
  the main ones and the meets-target flags of the indicators with a default target. No
  formula is repeated here: every number is read from the long mart.
-#}

with

indicators as (

    select * from {{ ref('mart_monitoring_indicator') }}

),

final as (

    select
        ----------  grain
        county_admdvs,
        period_type,
        period_label,

        ----------  values (ratios as fractions, 10 in yuan)
        {%- for code, column in [
            ('07', 'primary_visit_share'),
            ('08', 'fund_in_county_share'),
            ('09', 'primary_fund_share'),
            ('10', 'spending_per_admission_in_county'),
            ('10g', 'spending_per_admission_in_county_growth'),
            ('11', 'admission_in_county_share'),
            ('12', 'tcm_visit_share'),
            ('x01', 'in_county_visit_rate'),
            ('x02', 'inpatient_actual_reimbursement_ratio'),
            ('x03', 'spending_per_admission_growth'),
            ('x04', 'enrollment_rate'),
        ] %}
            max(case when indicator_code = '{{ code }}' then indicator_value end)
                as ind_{{ code }}_{{ column }},
        {%- endfor %}

        ----------  numerators and denominators of the main indicators
        {%- for code, part, column, type in [
            ('07', 'numerator', 'primary_visits_at_county', 'bigint'),
            ('07', 'denominator', 'visits_at_county', 'bigint'),
            ('08', 'numerator', 'enrollee_fund_in_county', 'decimal(18, 2)'),
            ('08', 'denominator', 'enrollee_fund', 'decimal(18, 2)'),
            ('10', 'numerator', 'enrollee_admission_medfee_in_county', 'decimal(18, 2)'),
            ('10', 'denominator', 'enrollee_admissions_in_county', 'bigint'),
            ('11', 'denominator', 'enrollee_admissions', 'bigint'),
            ('x01', 'numerator', 'enrollee_visits_in_county', 'bigint'),
            ('x01', 'denominator', 'enrollee_visits', 'bigint'),
            ('x04', 'numerator', 'enrollee_count', 'bigint'),
            ('x04', 'denominator', 'registered_population', 'bigint'),
        ] %}
            cast(max(case when indicator_code = '{{ code }}' then {{ part }} end) as {{ type }})
                as {{ column }},
        {%- endfor %}

        ----------  meets target (NULL when no target is set)
        {%- for code in ['07', 'x01', 'x04'] %}
            max(case when indicator_code = '{{ code }}' then target_value end)
                as target_{{ code }},
            max(
                case
                    when indicator_code = '{{ code }}' and meets_target then 1
                    when indicator_code = '{{ code }}' and not meets_target then 0
                end
            ) = 1 as meets_target_{{ code }},
        {%- endfor %}

        ----------  county and period
        max(county_name) as county_name,
        max(period_year) as period_year,
        max(period_quarter) as period_quarter,
        max(period_start) as period_start,
        max(period_end) as period_end

    from indicators
    group by county_admdvs, period_type, period_label

)

select * from final
