{#- A table, not a view: person_key calls a UDF only dbt's connections register. -#}
{{ config(materialized='table') }}

with

settlements as (

    select * from {{ ref('stg_settlement__settlement') }}

),

originals as (

    select * from settlements
    where not is_reversal

),

reversals as (

    select * from settlements
    where is_reversal

),

reversal_totals as (

    select
        init_setl_id,
        {%- for money in settlement_money_columns() %}
            sum({{ money }}) as reversed_{{ money }},
        {%- endfor %}
        count(*) as reversal_count,
        max(setl_time) as last_reversal_time
    from reversals
    group by init_setl_id

),

netted as (

    select
        ----------  ids
        originals.setl_id,
        originals.mdtrt_id,
        {{ person_key('originals.psn_no') }} as person_key,
        originals.fixmedins_code,

        ----------  codes
        originals.insutype,
        originals.psn_type,
        originals.med_type,
        originals.care_type_group,
        originals.insu_admdvs,

        ----------  net amounts: the original plus its (negative) reversals
        {%- for money in settlement_money_columns() %}
            originals.{{ money }} + coalesce(reversal_totals.reversed_{{ money }}, 0)
                as {{ money }},
        {%- endfor %}
        originals.medfee_sumamt as gross_medfee_sumamt,
        originals.pool_prop_selfpay,

        ----------  timestamps and the settlement's period
        originals.setl_time,
        originals.setl_date,
        originals.setl_month,
        originals.setl_year,
        reversal_totals.last_reversal_time,

        ----------  reversal status
        coalesce(reversal_totals.reversal_count, 0) as reversal_count,
        coalesce(reversal_totals.reversal_count, 0) > 0 as is_reversed,
        coalesce(
            reversal_totals.reversal_count > 0
            {%- for money in ['medfee_sumamt', 'fund_pay_sumamt', 'psn_part_amt'] %}
                and abs(originals.{{ money }} + reversal_totals.reversed_{{ money }})
                <= {{ var('money_tolerance') }}
            {%- endfor %},
            false
        ) as is_fully_reversed,
        originals.is_visit_count

    from originals
    left join reversal_totals
        on originals.setl_id = reversal_totals.init_setl_id

)

select * from netted
