with

divisions as (

    select * from {{ ref('ref_admdvs') }}

),

alliance_members as (

    select * from {{ ref('stg_reference__alliance_member') }}

),

-- A county runs an alliance when the seed marks it a pilot or an alliance serves it; every
-- alliance mart selects its counties by this one flag.
alliance_counties as (

    select distinct county_admdvs
    from alliance_members

),

final as (

    select
        divisions.admdvs,
        divisions.admdvs_name,
        divisions.city_admdvs,
        divisions.city_name,
        divisions.prov_admdvs,
        divisions.prov_name,
        divisions.area_type,
        (
            {{ flag_to_boolean('divisions.is_alliance_county') }}
            or alliance_counties.county_admdvs is not null
        ) as is_alliance_county
    from divisions
    left join alliance_counties
        on divisions.admdvs = alliance_counties.county_admdvs

)

select * from final
