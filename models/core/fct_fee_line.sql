{#- A table: person_key calls a UDF only dbt's connections register. -#}
with

fee_lines as (

    select * from {{ ref('stg_his__fee_detail') }}

),

his_visits as (

    select * from {{ ref('stg_his__visit') }}

),

procurement_products as (

    select distinct med_list_codg
    from {{ ref('stg_reference__procurement_agreement') }}

),

final as (

    select
        ----------  ids
        fee_lines.fixmedins_code,
        fee_lines.his_visit_no,
        fee_lines.feedetl_sn,
        his_visits.mdtrt_id,
        {{ person_key('his_visits.psn_no') }} as person_key,
        fee_lines.med_list_codg,

        ----------  catalogue class
        fee_lines.list_type,
        fee_lines.list_type_name,
        fee_lines.list_group,
        fee_lines.chrgitm_lv,
        fee_lines.chrgitm_lv_name,
        his_visits.med_type,

        ----------  quantities and amounts
        fee_lines.cnt,
        fee_lines.pric,
        fee_lines.det_item_fee_sumamt,

        ----------  timestamps
        fee_lines.fee_ocur_time,
        {{ timestamp_to_date('fee_lines.fee_ocur_time') }} as fee_ocur_date,

        ----------  flags
        his_visits.mdtrt_id is not null as is_insured_visit,
        procurement_products.med_list_codg is not null as is_procurement_product

    from fee_lines
    left join his_visits
        on
            fee_lines.fixmedins_code = his_visits.fixmedins_code
            and fee_lines.his_visit_no = his_visits.his_visit_no
    left join procurement_products
        on fee_lines.med_list_codg = procurement_products.med_list_codg

)

select * from final
