{#- A table, not a view: person_key calls a UDF only dbt's connections register. -#}
{{ config(materialized='table') }}

with

enrollment as (

    select * from {{ ref('stg_enrollment__enrollment') }}

),

special_person_types as (

    select * from {{ ref('code_spcl_psn_type') }}

),

spells as (

    select
        ----------  ids (pseudonymous: no psn_no, certno or psn_name beyond this point)
        {{ person_key('enrollment.psn_no') }} as person_key,
        enrollment.emp_no,

        ----------  codes
        enrollment.gend,
        enrollment.insutype,
        enrollment.psn_type,
        enrollment.spcl_psn_type,
        enrollment.psn_insu_stas,
        enrollment.insu_admdvs,

        ----------  dates
        enrollment.brdy as birth_date,
        enrollment.begndate,
        enrollment.enddate,

        ----------  flags for the coverage rules (domain notes §3)
        enrollment.psn_type = '23' as is_newborn,
        coalesce(
            {{ flag_to_boolean('special_person_types.is_green_channel') }}, false
        ) as is_green_channel_population

    from enrollment
    left join special_person_types
        on enrollment.spcl_psn_type = special_person_types.code

)

select * from spells
