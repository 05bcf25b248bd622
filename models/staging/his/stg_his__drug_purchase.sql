with

source as (

    select * from {{ source('raw', 'his_drug_purchase') }}

),

latest as (

    {{ latest_version('source', ['fixmedins_code', 'purc_id']) }}

),

renamed as (

    select
        ----------  ids
        fixmedins_code,
        purc_id,
        med_list_codg,

        ----------  quantities and amounts
        purc_cnt,
        purc_amt,
        pay_amt,

        ----------  timestamps
        purc_time,
        pay_time,

        ----------  lineage
        _batch_id,
        _file_name,
        _row_number,
        _loaded_at

    from latest

)

select * from renamed
