{#-
  Net settlements: one row per original settlement (refd_setl_flag = 0) with its reversals
  netted in (int_settlement_netted). Reversal rows do not appear: their money is in the row
  they reverse, so sums over this table are net and a fully reversed settlement adds zero.
-#}

with

settlements as (

    select * from {{ ref('int_settlement_netted') }}

),

institutions as (

    select * from {{ ref('dim_institution') }}

),

memberships as (

    select * from {{ ref('dim_institution_alliance') }}

),

coverage as (

    select * from {{ ref('int_resident_coverage') }}

),

-- Settlements at a member, on the settlement date, of an alliance of the enrollee's county.
in_alliance as (

    select distinct settlements.setl_id
    from settlements
    inner join memberships
        on
            settlements.fixmedins_code = memberships.fixmedins_code
            and settlements.insu_admdvs = memberships.county_admdvs
            and settlements.setl_date >= memberships.valid_from
            and settlements.setl_date <= {{ open_end('memberships.valid_to') }}

),

covered as (

    select distinct settlements.setl_id
    from settlements
    inner join coverage
        on
            settlements.person_key = coverage.person_key
            and settlements.setl_date >= coverage.coverage_start
            and settlements.setl_date <= coverage.coverage_end

),

final as (

    select
        ----------  ids
        settlements.setl_id,
        settlements.mdtrt_id,
        settlements.person_key,
        settlements.fixmedins_code,

        ----------  where the enrollee belongs
        settlements.insu_admdvs,
        settlements.insutype,
        settlements.psn_type,

        ----------  where care happened
        institutions.admdvs as medins_admdvs,
        institutions.city_admdvs as medins_city_admdvs,
        institutions.prov_admdvs as medins_prov_admdvs,
        {{ is_in_county('institutions.admdvs', 'settlements.insu_admdvs') }} as is_in_county,
        not {{ is_in_county('institutions.admdvs', 'settlements.insu_admdvs') }}
            as is_out_of_county,
        {{ is_out_of_province('institutions.admdvs', 'settlements.insu_admdvs') }}
            as is_out_of_province,
        in_alliance.setl_id is not null as is_in_alliance,

        ----------  care and institution type
        settlements.med_type,
        settlements.care_type_group,
        institutions.medins_cat,
        institutions.level_group,
        institutions.is_primary_care,
        institutions.is_pharmacy,
        institutions.is_tcm,

        ----------  net amounts (yuan)
        {%- for money in settlement_money_columns() %}
            settlements.{{ money }},
        {%- endfor %}
        settlements.gross_medfee_sumamt,
        settlements.pool_prop_selfpay,

        ----------  timestamps and period
        settlements.setl_time,
        settlements.setl_date,
        settlements.setl_month,
        settlements.setl_year,

        ----------  reversal status
        settlements.reversal_count,
        settlements.is_reversed,
        settlements.is_fully_reversed,
        settlements.is_reversed and not settlements.is_fully_reversed as is_partially_reversed,

        ----------  monitoring flags (findings, not data errors)
        coalesce(
            settlements.setl_date >= institutions.agreement_begndate
            and settlements.setl_date <= {{ open_end('institutions.agreement_enddate') }},
            false
        ) as is_within_agreement,
        settlements.insutype = '390' and covered.setl_id is null as is_outside_resident_coverage

    from settlements
    left join institutions
        on settlements.fixmedins_code = institutions.fixmedins_code
    left join in_alliance
        on settlements.setl_id = in_alliance.setl_id
    left join covered
        on settlements.setl_id = covered.setl_id

)

select * from final
