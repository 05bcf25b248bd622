{#- A table, not a view: person_key calls a UDF only dbt's connections register. -#}
{{ config(materialized='table') }}

{#-
  Net contributions: one row per person x scheme x covered period (begn_ym-end_ym). A reversal
  (revs_flag = 1, negative amounts) carries no pointer to the payment it reverses, so it is
  netted against the payments of the same person, scheme and covered period. The payment date
  of the period is the first payment after its last reversal (a re-payment), else its first
  payment.
-#}

with

contributions as (

    select * from {{ ref('stg_contribution__contribution') }}

),

periods as (

    select
        psn_no,
        insutype,
        begn_ym,
        end_ym,
        min(begn_month) as begn_month,
        min(end_month) as end_month,
        sum(psn_clct_amt) as psn_clct_amt,
        sum(emp_clct_amt) as emp_clct_amt,
        sum(govt_subsidy_amt) as govt_subsidy_amt,
        sum(acct_crdt_amt) as acct_crdt_amt,
        sum(case when is_reversal then 0 else 1 end) as payment_count,
        sum(case when is_reversal then 1 else 0 end) as reversal_count,
        min(case when not is_reversal then clct_time end) as first_payment_time,
        max(case when is_reversal then clct_time end) as last_reversal_time
    from contributions
    group by psn_no, insutype, begn_ym, end_ym

),

repayments as (

    select
        periods.psn_no,
        periods.insutype,
        periods.begn_ym,
        periods.end_ym,
        min(contributions.clct_time) as first_repayment_time
    from periods
    inner join contributions
        on
            periods.psn_no = contributions.psn_no
            and periods.insutype = contributions.insutype
            and periods.begn_ym = contributions.begn_ym
            and periods.end_ym = contributions.end_ym
    where
        not contributions.is_reversal
        and contributions.clct_time > periods.last_reversal_time
    group by periods.psn_no, periods.insutype, periods.begn_ym, periods.end_ym

),

netted as (

    select
        ----------  ids
        {{ person_key('periods.psn_no') }} as person_key,

        ----------  codes and covered period
        periods.insutype,
        periods.begn_ym,
        periods.end_ym,
        periods.begn_month,
        periods.end_month,
        {{ year_of('periods.begn_month') }} as benefit_year,

        ----------  net amounts
        periods.psn_clct_amt,
        periods.emp_clct_amt,
        periods.govt_subsidy_amt,
        periods.acct_crdt_amt,
        periods.psn_clct_amt + periods.emp_clct_amt + periods.govt_subsidy_amt
            as total_clct_amt,

        ----------  payment date of the period
        coalesce(repayments.first_repayment_time, periods.first_payment_time) as clct_time,
        {{ timestamp_to_date(
            'coalesce(repayments.first_repayment_time, periods.first_payment_time)'
        ) }} as clct_date,
        {{ month_start(
            'coalesce(repayments.first_repayment_time, periods.first_payment_time)'
        ) }} as clct_month,

        ----------  counts and flags
        periods.payment_count,
        periods.reversal_count,
        periods.reversal_count > 0 as is_reversed,
        periods.psn_clct_amt + periods.emp_clct_amt + periods.govt_subsidy_amt > 0
            as is_net_positive

    from periods
    left join repayments
        on
            periods.psn_no = repayments.psn_no
            and periods.insutype = repayments.insutype
            and periods.begn_ym = repayments.begn_ym
            and periods.end_ym = repayments.end_ym

)

select * from netted
