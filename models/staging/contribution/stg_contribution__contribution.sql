with

source as (

    select * from {{ source('raw', 'contribution') }}

),

insurance_types as (

    select * from {{ ref('code_insutype') }}

),

latest as (

    {{ latest_version('source', ['clct_id']) }}

),

renamed as (

    select
        ----------  ids
        latest.clct_id,
        latest.psn_no,

        ----------  codes (with their names from the code seeds)
        latest.insutype,
        insurance_types.name_zh as insutype_name,

        ----------  amounts (yuan; negative on a reversal)
        latest.psn_clct_amt,
        latest.emp_clct_amt,
        latest.govt_subsidy_amt,
        latest.acct_crdt_amt,

        ----------  periods covered (YYYYMM text, and as the first day of the month)
        latest.begn_ym,
        latest.end_ym,
        {{ yearmonth_to_date('latest.begn_ym') }} as begn_month,
        {{ yearmonth_to_date('latest.end_ym') }} as end_month,

        ----------  timestamps
        latest.clct_time,
        {{ timestamp_to_date('latest.clct_time') }} as clct_date,

        ----------  flags
        latest.revs_flag,
        {{ flag_to_boolean('latest.revs_flag') }} as is_reversal,

        ----------  lineage
        latest._batch_id,
        latest._file_name,
        latest._row_number,
        latest._loaded_at

    from latest
    left join insurance_types
        on latest.insutype = insurance_types.code

)

select * from renamed
