-- Volume-based procurement agreements: one row per agreement (institution x selected product
-- x cycle), the conformed door through which marts read them.
with

agreements as (

    select * from {{ ref('stg_reference__procurement_agreement') }}

),

final as (

    select
        ----------  ids
        agreement_id,
        vbp_batch,
        generic_name,
        med_list_codg,
        fixmedins_code,

        ----------  quantities
        agreed_cnt,

        ----------  cycle
        begndate as cycle_begndate,
        enddate as cycle_enddate,
        {{ dbt.datediff(
            'begndate', 'enddate', 'day'
        ) }} + 1 as cycle_days

    from agreements

)

select * from final
