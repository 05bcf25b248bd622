with

source as (

    select * from {{ source('raw', 'procurement_agreement') }}

),

latest as (

    {{ latest_version('source', ['agreement_id']) }}

),

renamed as (

    select
        ----------  ids
        agreement_id,
        vbp_batch,
        generic_name,
        med_list_codg,
        fixmedins_code,

        ----------  quantities
        agreed_cnt,

        ----------  dates
        begndate,
        enddate,

        ----------  lineage
        _batch_id,
        _file_name,
        _row_number,
        _loaded_at

    from latest

)

select * from renamed
