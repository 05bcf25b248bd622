-- The procurement agreements (institution x product x cycle) at the mart's door, typed as the
-- mart's contract wants them.
with

agreements as (

    select * from {{ ref('dim_procurement_agreement') }}

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
        cast(agreed_cnt as decimal(18, 4)) as agreed_cnt,

        ----------  cycle
        cycle_begndate,
        cycle_enddate

    from agreements

)

select * from final
