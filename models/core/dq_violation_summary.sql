{#-
  Data-quality and monitoring checks of the core layer: one row per check with the number of
  violations and of rows checked. Violations are counted here, never filtered out of the facts.
-#}

with

settlements as (

    select * from {{ ref('fct_settlement') }}

),

visits as (

    select * from {{ ref('fct_visit') }}

),

staged_settlements as (

    select * from {{ ref('stg_settlement__settlement') }}

),

coverage as (

    select * from {{ ref('int_resident_coverage') }}

),

fee_mismatches as (

    select * from {{ ref('dq_fee_vs_settlement') }}

),

checks as (

    select
        'fee_lines_vs_net_settlement' as check_code,
        'HIS fee lines differ from the net medfee_sumamt of the insured visit (± tolerance)'
            as check_name_en,
        '费用明细合计与净结算医疗费总额不符' as check_name_zh,
        (select count(*) from fee_mismatches) as violation_count,
        count(*) as checked_count
    from visits
    where has_his_visit

    union all

    select
        'resident_settlement_outside_coverage' as check_code,
        'Resident (390) settlement on a day outside every coverage period' as check_name_en,
        '城乡居民结算日期不在待遇享受期内' as check_name_zh,
        sum(case when is_outside_resident_coverage then 1 else 0 end) as violation_count,
        count(*) as checked_count
    from settlements
    where insutype = '390' and not is_fully_reversed

    union all

    select
        'settlement_outside_agreement' as check_code,
        'Settlement at an institution outside its agreement dates' as check_name_en,
        '定点协议有效期外的结算' as check_name_zh,
        sum(case when is_within_agreement then 0 else 1 end) as violation_count,
        count(*) as checked_count
    from settlements
    where not is_fully_reversed

    union all

    select
        'reversal_of_unknown_settlement' as check_code,
        'Reversal row whose init_setl_id is no original settlement' as check_name_en,
        '冲销记录指向不存在的原结算' as check_name_zh,
        sum(case when originals.setl_id is null then 1 else 0 end) as violation_count,
        count(*) as checked_count
    from staged_settlements as reversals
    left join staged_settlements as originals
        on
            reversals.init_setl_id = originals.setl_id
            and not originals.is_reversal
    where reversals.is_reversal

    union all

    select
        'reversal_exceeds_original' as check_code,
        'Reversals larger than the settlement they reverse (negative net medfee)'
            as check_name_en,
        '冲销金额大于原结算金额' as check_name_zh,
        sum(
            case when medfee_sumamt < -{{ var('money_tolerance') }} then 1 else 0 end
        ) as violation_count,
        count(*) as checked_count
    from settlements
    where is_reversed

    union all

    select
        'subsidy_after_cut_off' as check_code,
        'Fiscal subsidy on a resident contribution paid after the subsidy cut-off'
            as check_name_en,
        '补助截止日后缴费仍有财政补助' as check_name_zh,
        sum(case when is_subsidy_not_allowed then 1 else 0 end) as violation_count,
        count(*) as checked_count
    from coverage

)

select
    check_code,
    check_name_en,
    check_name_zh,
    checked_count,
    coalesce(violation_count, 0) as violation_count
from checks
