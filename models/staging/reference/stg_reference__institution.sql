with

source as (

    select * from {{ source('raw', 'institution') }}

),

institution_categories as (

    select * from {{ ref('code_medins_cat') }}

),

hospital_levels as (

    select * from {{ ref('code_hosp_lv') }}

),

latest as (

    {{ latest_version('source', ['fixmedins_code']) }}

),

renamed as (

    select
        ----------  ids
        latest.fixmedins_code,
        latest.fixmedins_name,

        ----------  codes (with their names and attributes from the code seeds)
        latest.medins_cat,
        institution_categories.name_zh as medins_cat_name,
        latest.hosp_lv,
        hospital_levels.name_zh as hosp_lv_name,
        hospital_levels.level_group,
        hospital_levels.level_rank,
        latest.admdvs,

        ----------  dates
        latest.begndate,
        latest.enddate,

        ----------  flags (from the institution category)
        {{ flag_to_boolean('institution_categories.is_primary_care') }} as is_primary_care,
        {{ flag_to_boolean('institution_categories.is_pharmacy') }} as is_pharmacy,
        {{ flag_to_boolean('institution_categories.is_tcm') }} as is_tcm,

        ----------  lineage
        latest._batch_id,
        latest._file_name,
        latest._row_number,
        latest._loaded_at

    from latest
    left join institution_categories
        on latest.medins_cat = institution_categories.code
    left join hospital_levels
        on latest.hosp_lv = hospital_levels.code

)

select * from renamed
