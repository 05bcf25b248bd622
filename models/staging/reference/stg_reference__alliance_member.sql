with

source as (

    select * from {{ source('raw', 'alliance_member') }}

),

latest as (

    {{ latest_version('source', ['alliance_id', 'fixmedins_code', 'begndate']) }}

),

renamed as (

    select
        ----------  ids
        alliance_id,
        alliance_name,
        fixmedins_code,

        ----------  codes
        county_admdvs,

        ----------  dates
        begndate,
        enddate,

        ----------  flags
        is_lead,
        {{ flag_to_boolean('is_lead') }} as is_lead_hospital,

        ----------  lineage
        _batch_id,
        _file_name,
        _row_number,
        _loaded_at

    from latest

)

select * from renamed
