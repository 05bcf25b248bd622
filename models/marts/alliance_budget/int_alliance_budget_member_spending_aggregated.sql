{#-
  Spending at each alliance's members by month: the net hifp_pay of the alliance county's own
  enrollees at the members (in-alliance spending I, paid monthly against the budget) and of
  other counties' enrollees at the members (fee-for-service, outside the budget). Membership is
  the one valid on the settlement date (dim_institution_alliance); pharmacies are left out.
-#}

with

settlements as (

    select * from {{ ref('fct_settlement') }}

),

memberships as (

    select * from {{ ref('dim_institution_alliance') }}

),

member_settlements as (

    select
        memberships.alliance_id,
        memberships.county_admdvs,
        settlements.insutype,
        settlements.setl_year,
        settlements.setl_month,
        settlements.hifp_pay,
        {{ is_in_county('memberships.county_admdvs', 'settlements.insu_admdvs') }}
            as is_county_enrollee
    from settlements
    inner join memberships
        on
            settlements.fixmedins_code = memberships.fixmedins_code
            and settlements.setl_date >= memberships.valid_from
            and settlements.setl_date <= {{ open_end('memberships.valid_to') }}
    where not coalesce(settlements.is_pharmacy, false)

),

final as (

    select
        ----------  keys
        alliance_id,
        county_admdvs,
        insutype,
        setl_year,
        setl_month,

        ----------  spending (yuan)
        sum(case when is_county_enrollee then hifp_pay else 0 end) as in_alliance_hifp_pay,
        sum(case when is_county_enrollee then 0 else hifp_pay end) as other_county_hifp_pay
    from member_settlements
    group by alliance_id, county_admdvs, insutype, setl_year, setl_month

)

select * from final
