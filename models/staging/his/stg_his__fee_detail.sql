with

source as (

    select * from {{ source('raw', 'his_fee_detail') }}

),

list_types as (

    select * from {{ ref('code_list_type') }}

),

charge_item_levels as (

    select * from {{ ref('code_chrgitm_lv') }}

),

latest as (

    {{ latest_version('source', ['fixmedins_code', 'his_visit_no', 'feedetl_sn']) }}

),

renamed as (

    select
        ----------  ids
        latest.fixmedins_code,
        latest.his_visit_no,
        latest.feedetl_sn,
        latest.med_list_codg,

        ----------  codes (with their names and attributes from the code seeds)
        latest.list_type,
        list_types.name_zh as list_type_name,
        list_types.list_group,
        latest.chrgitm_lv,
        charge_item_levels.name_zh as chrgitm_lv_name,

        ----------  quantities and amounts (negative cnt and amount for a returned item)
        latest.cnt,
        latest.pric,
        latest.det_item_fee_sumamt,

        ----------  timestamps
        latest.fee_ocur_time,

        ----------  lineage
        latest._batch_id,
        latest._file_name,
        latest._row_number,
        latest._loaded_at

    from latest
    left join list_types
        on latest.list_type = list_types.code
    left join charge_item_levels
        on latest.chrgitm_lv = charge_item_levels.code

)

select * from renamed
