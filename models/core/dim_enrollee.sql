with

spells as (

    select * from {{ ref('int_enrollment_spells') }}

),

ranked as (

    select
        spells.*,
        row_number() over (
            partition by spells.person_key
            order by spells.begndate desc, spells.insutype desc
        ) as recency_rank
    from spells

),

final as (

    select
        ----------  ids
        {{ dbt.hash(dbt.concat([
            'person_key', "'|'", 'insutype', "'|'", dbt.cast('begndate', dbt.type_string())
        ])) }} as enrollee_key,
        person_key,
        emp_no,

        ----------  attributes of the spell
        gend,
        insutype,
        psn_type,
        spcl_psn_type,
        psn_insu_stas,
        insu_admdvs,
        is_newborn,
        is_green_channel_population,

        ----------  age
        birth_date,
        {{ age_on('birth_date', 'begndate') }} as age_at_valid_from,
        {{ age_band(age_on('birth_date', 'begndate')) }} as age_band_at_valid_from,

        ----------  validity (SCD type 2 from the spells)
        begndate as valid_from,
        enddate as valid_to,
        recency_rank = 1 as is_current

    from ranked

)

select * from final
