with

members as (

    select * from {{ ref('stg_reference__alliance_member') }}

),

-- The latest lead hospital of each alliance (exactly one at a time, tested in staging).
leads as (

    select
        alliance_id,
        fixmedins_code,
        row_number() over (
            partition by alliance_id
            order by begndate desc, fixmedins_code asc
        ) as lead_rank
    from members
    where is_lead_hospital

),

alliances as (

    select
        alliance_id,
        max(alliance_name) as alliance_name,
        max(county_admdvs) as county_admdvs,
        count(distinct fixmedins_code) as member_count,
        min(begndate) as valid_from
    from members
    group by alliance_id

),

final as (

    select
        alliances.alliance_id,
        alliances.alliance_name,
        alliances.county_admdvs,
        leads.fixmedins_code as lead_fixmedins_code,
        alliances.member_count,
        alliances.valid_from
    from alliances
    left join leads
        on
            alliances.alliance_id = leads.alliance_id
            and leads.lead_rank = 1

)

select * from final
