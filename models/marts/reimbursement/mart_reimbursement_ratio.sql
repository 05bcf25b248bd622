{#-
  Reimbursement ratios (domain notes §2) per settlement month x enrollee county x scheme x
  med_type x institution level group. Money and settlement counts come from the net
  settlements (fct_settlement) by the month of each settlement; visits from fct_visit, counted
  once, in the month of the visit's LAST settlement (fct_visit.setl_month) with the attributes
  of its first settlement, so visit counts add up across months without double counting.
  Pharmacies are included (med_type 41); filter on med_type / care_type_group.
-#}

with

settlements as (

    select * from {{ ref('fct_settlement') }}

),

visits as (

    select * from {{ ref('fct_visit') }}

),

divisions as (

    select * from {{ ref('dim_admdvs') }}

),

schemes as (

    select * from {{ ref('code_insutype') }}

),

medical_types as (

    select * from {{ ref('code_med_type') }}

),

-- Net money and net settlements; a settlement reversed in full adds zero money and no count.
settlement_totals as (

    select
        setl_month,
        insu_admdvs,
        insutype,
        med_type,
        level_group,
        sum(case when is_fully_reversed then 0 else 1 end) as settlement_count,
        sum(medfee_sumamt) as medfee_sumamt,
        sum(inscp_scp_amt) as inscp_scp_amt,
        sum(hifp_pay) as hifp_pay,
        sum(fund_pay_sumamt) as fund_pay_sumamt,
        sum(psn_part_amt) as psn_part_amt,
        sum(psn_cash_pay) as psn_cash_pay
    from settlements
    group by 1, 2, 3, 4, 5

),

-- A visit (人次) is a distinct mdtrt_id with net medfee > 0, in the month of its last settlement.
visit_totals as (

    select
        setl_month,
        insu_admdvs,
        insutype,
        med_type,
        level_group,
        count(distinct mdtrt_id) as visit_count
    from visits
    where medfee_sumamt > 0
    group by 1, 2, 3, 4, 5

),

grain as (

    select
        setl_month,
        insu_admdvs,
        insutype,
        med_type,
        level_group
    from settlement_totals
    union
    select
        setl_month,
        insu_admdvs,
        insutype,
        med_type,
        level_group
    from visit_totals

),

summed as (

    select
        grain.setl_month,
        grain.insu_admdvs,
        grain.insutype,
        grain.med_type,
        grain.level_group,
        coalesce(settlement_totals.settlement_count, 0) as settlement_count,
        coalesce(visit_totals.visit_count, 0) as visit_count,
        coalesce(settlement_totals.medfee_sumamt, 0) as medfee_sumamt,
        coalesce(settlement_totals.inscp_scp_amt, 0) as inscp_scp_amt,
        coalesce(settlement_totals.hifp_pay, 0) as hifp_pay,
        coalesce(settlement_totals.fund_pay_sumamt, 0) as fund_pay_sumamt,
        coalesce(settlement_totals.psn_part_amt, 0) as psn_part_amt,
        coalesce(settlement_totals.psn_cash_pay, 0) as psn_cash_pay
    from grain
    left join settlement_totals
        on
            grain.setl_month = settlement_totals.setl_month
            and grain.insu_admdvs = settlement_totals.insu_admdvs
            and grain.insutype = settlement_totals.insutype
            and grain.med_type = settlement_totals.med_type
            and grain.level_group = settlement_totals.level_group
    left join visit_totals
        on
            grain.setl_month = visit_totals.setl_month
            and grain.insu_admdvs = visit_totals.insu_admdvs
            and grain.insutype = visit_totals.insutype
            and grain.med_type = visit_totals.med_type
            and grain.level_group = visit_totals.level_group

),

final as (

    select
        ----------  grain
        summed.setl_month,
        {{ year_of('summed.setl_month') }} as setl_year,
        summed.insu_admdvs,
        divisions.admdvs_name as insu_admdvs_name,
        summed.insutype,
        schemes.name_zh as insutype_name,
        summed.med_type,
        medical_types.name_zh as med_type_name,
        medical_types.care_type_group,
        summed.level_group,

        ----------  counts
        cast(summed.settlement_count as bigint) as settlement_count,
        cast(summed.visit_count as bigint) as visit_count,

        ----------  net sums (yuan)
        cast(summed.medfee_sumamt as decimal(18, 2)) as medfee_sumamt,
        cast(summed.inscp_scp_amt as decimal(18, 2)) as inscp_scp_amt,
        cast(summed.hifp_pay as decimal(18, 2)) as hifp_pay,
        cast(summed.fund_pay_sumamt as decimal(18, 2)) as fund_pay_sumamt,
        cast(summed.psn_part_amt as decimal(18, 2)) as psn_part_amt,
        cast(summed.psn_cash_pay as decimal(18, 2)) as psn_cash_pay,

        ----------  ratios of the sums (NULL when the denominator is 0)
        {{ safe_divide('summed.hifp_pay', 'summed.inscp_scp_amt') }} as policy_scope_fund_ratio,
        {{ safe_divide('summed.fund_pay_sumamt', 'summed.medfee_sumamt') }}
            as actual_reimbursement_ratio,
        {{ safe_divide('summed.psn_part_amt', 'summed.medfee_sumamt') }} as personal_burden_ratio,
        {{ safe_divide('summed.psn_cash_pay', 'summed.medfee_sumamt') }} as cash_pay_ratio

    from summed
    left join divisions
        on summed.insu_admdvs = divisions.admdvs
    left join schemes
        on summed.insutype = schemes.code
    left join medical_types
        on summed.med_type = medical_types.code

)

select * from final
