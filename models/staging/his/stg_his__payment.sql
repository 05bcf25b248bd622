with

source as (

    select * from {{ source('raw', 'his_payment') }}

),

payment_types as (

    select * from {{ ref('code_pay_type') }}

),

latest as (

    {{ latest_version('source', ['fixmedins_code', 'pay_id']) }}

),

renamed as (

    select
        ----------  ids
        latest.fixmedins_code,
        latest.pay_id,
        latest.his_visit_no,

        ----------  codes (with their names from the code seeds)
        latest.pay_type,
        payment_types.name_zh as pay_type_name,

        ----------  amounts (negative only for a refund)
        latest.pay_amt,

        ----------  timestamps
        latest.pay_time,

        ----------  lineage
        latest._batch_id,
        latest._file_name,
        latest._row_number,
        latest._loaded_at

    from latest
    left join payment_types
        on latest.pay_type = payment_types.code

)

select * from renamed
