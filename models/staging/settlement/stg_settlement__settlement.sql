with

source as (

    select * from {{ source('raw', 'settlement') }}

),

insurance_types as (

    select * from {{ ref('code_insutype') }}

),

person_types as (

    select * from {{ ref('code_psn_type') }}

),

medical_types as (

    select * from {{ ref('code_med_type') }}

),

latest as (

    {{ latest_version('source', ['setl_id']) }}

),

renamed as (

    select
        ----------  ids
        latest.setl_id,
        latest.mdtrt_id,
        latest.psn_no,
        latest.fixmedins_code,
        latest.init_setl_id,

        ----------  codes (with their names and attributes from the code seeds)
        latest.insutype,
        insurance_types.name_zh as insutype_name,
        latest.psn_type,
        person_types.name_zh as psn_type_name,
        latest.med_type,
        medical_types.name_zh as med_type_name,
        medical_types.care_type_group,
        latest.insu_admdvs,

        ----------  amounts (yuan; all negative on a reversal row)
        latest.medfee_sumamt,
        latest.fulamt_ownpay_amt,
        latest.overlmt_selfpay,
        latest.preselfpay_amt,
        latest.inscp_scp_amt,
        latest.act_pay_dedc,
        latest.hifp_pay,
        latest.pool_prop_selfpay,
        latest.cvlserv_pay,
        latest.hifob_pay,
        latest.hifmi_pay,
        latest.maf_pay,
        latest.oth_pay,
        latest.fund_pay_sumamt,
        latest.psn_part_amt,
        latest.acct_pay,
        latest.psn_cash_pay,

        ----------  timestamps and the settlement's period
        latest.setl_time,
        {{ timestamp_to_date('latest.setl_time') }} as setl_date,
        {{ year_of('latest.setl_time') }} as setl_year,
        {{ month_start('latest.setl_time') }} as setl_month,

        ----------  flags
        latest.refd_setl_flag,
        {{ flag_to_boolean('latest.refd_setl_flag') }} as is_reversal,
        {{ flag_to_boolean('medical_types.is_visit_count') }} as is_visit_count,

        ----------  lineage
        latest._batch_id,
        latest._file_name,
        latest._row_number,
        latest._loaded_at

    from latest
    left join insurance_types
        on latest.insutype = insurance_types.code
    left join person_types
        on latest.psn_type = person_types.code
    left join medical_types
        on latest.med_type = medical_types.code

)

select * from renamed
