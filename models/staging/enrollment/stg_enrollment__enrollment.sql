with

source as (

    select * from {{ source('raw', 'enrollment') }}

),

genders as (

    select * from {{ ref('code_gend') }}

),

insurance_types as (

    select * from {{ ref('code_insutype') }}

),

person_types as (

    select * from {{ ref('code_psn_type') }}

),

special_person_types as (

    select * from {{ ref('code_spcl_psn_type') }}

),

enrollment_statuses as (

    select * from {{ ref('code_psn_insu_stas') }}

),

latest as (

    {{ latest_version('source', ['psn_no', 'insutype', 'begndate']) }}

),

renamed as (

    select
        ----------  ids
        latest.psn_no,
        latest.emp_no,

        ----------  personal information (pii: never leaves staging)
        latest.certno,
        latest.psn_name,

        ----------  codes (with their names from the code seeds)
        latest.gend,
        genders.name_zh as gend_name,
        latest.insutype,
        insurance_types.name_zh as insutype_name,
        latest.psn_type,
        person_types.name_zh as psn_type_name,
        latest.spcl_psn_type,
        special_person_types.name_zh as spcl_psn_type_name,
        latest.psn_insu_stas,
        enrollment_statuses.name_zh as psn_insu_stas_name,
        latest.insu_admdvs,

        ----------  dates
        latest.brdy,
        latest.begndate,
        latest.enddate,

        ----------  lineage
        latest._batch_id,
        latest._file_name,
        latest._row_number,
        latest._loaded_at

    from latest
    left join genders
        on latest.gend = genders.code
    left join insurance_types
        on latest.insutype = insurance_types.code
    left join person_types
        on latest.psn_type = person_types.code
    left join special_person_types
        on latest.spcl_psn_type = special_person_types.code
    left join enrollment_statuses
        on latest.psn_insu_stas = enrollment_statuses.code

)

select * from renamed
