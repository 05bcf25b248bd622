with

source as (

    select * from {{ source('raw', 'his_visit') }}

),

medical_types as (

    select * from {{ ref('code_med_type') }}

),

referral_types as (

    select * from {{ ref('code_refl_type') }}

),

latest as (

    {{ latest_version('source', ['fixmedins_code', 'his_visit_no']) }}

),

renamed as (

    select
        ----------  ids
        latest.fixmedins_code,
        latest.his_visit_no,
        latest.mdtrt_id,
        latest.psn_no,
        latest.refl_fixmedins_code,

        ----------  codes (with their names and attributes from the code seeds)
        latest.med_type,
        medical_types.name_zh as med_type_name,
        medical_types.care_type_group,
        latest.refl_type,
        referral_types.name_zh as refl_type_name,
        latest.dept_codg,
        latest.dise_codg,

        ----------  timestamps
        latest.begntime,
        latest.endtime,

        ----------  flags
        latest.ptfp_flag,
        {{ flag_to_boolean('latest.ptfp_flag') }} as is_ptfp,
        {{ flag_to_boolean('medical_types.is_visit_count') }} as is_visit_count,

        ----------  lineage
        latest._batch_id,
        latest._file_name,
        latest._row_number,
        latest._loaded_at

    from latest
    left join medical_types
        on latest.med_type = medical_types.code
    left join referral_types
        on latest.refl_type = referral_types.code

)

select * from renamed
