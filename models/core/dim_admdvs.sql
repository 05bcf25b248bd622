with

divisions as (

    select * from {{ ref('ref_admdvs') }}

),

final as (

    select
        admdvs,
        admdvs_name,
        city_admdvs,
        city_name,
        prov_admdvs,
        prov_name,
        area_type,
        {{ flag_to_boolean('is_alliance_county') }} as is_alliance_county
    from divisions

)

select * from final
