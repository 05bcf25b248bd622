with

members as (

    select * from {{ ref('stg_reference__alliance_member') }}

),

final as (

    select
        alliance_id,
        fixmedins_code,
        county_admdvs,
        is_lead_hospital,
        begndate as valid_from,
        enddate as valid_to
    from members

)

select * from final
