with

institutions as (

    select * from {{ ref('stg_reference__institution') }}

),

divisions as (

    select * from {{ ref('dim_admdvs') }}

),

final as (

    select
        ----------  ids
        institutions.fixmedins_code,
        institutions.fixmedins_name,

        ----------  category and level
        institutions.medins_cat,
        institutions.medins_cat_name,
        institutions.hosp_lv,
        institutions.hosp_lv_name,
        coalesce(institutions.level_group, '未定级') as level_group,
        coalesce(institutions.level_rank, 0) as level_rank,
        coalesce(institutions.is_primary_care, false) as is_primary_care,
        coalesce(institutions.is_pharmacy, false) as is_pharmacy,
        coalesce(institutions.is_tcm, false) as is_tcm,

        ----------  location (divisions outside the seed fall back on the code's structure)
        institutions.admdvs,
        divisions.admdvs_name,
        coalesce(divisions.city_admdvs, {{ city_of('institutions.admdvs') }}) as city_admdvs,
        divisions.city_name,
        coalesce(divisions.prov_admdvs, {{ province_of('institutions.admdvs') }})
            as prov_admdvs,
        divisions.area_type,

        ----------  agreement validity
        institutions.begndate as agreement_begndate,
        institutions.enddate as agreement_enddate

    from institutions
    left join divisions
        on institutions.admdvs = divisions.admdvs

)

select * from final
