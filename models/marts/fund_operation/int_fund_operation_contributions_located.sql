{#-
  Net contributions (fct_contribution: one row per person x scheme x covered period, reversals
  already netted, dated by the payment after the last reversal) with the enrollee county they
  are income of (domain notes §7). A contribution carries no county: it goes to the insu_admdvs
  of the person's spell of the same scheme active on the payment date, else of the spell active
  on the first covered month (residents pay in autumn for the next year), else of the person's
  latest spell of the scheme. Contributions of persons without any spell of the scheme are
  left out (none in the sample; the count is in the model's docs).
-#}

with

contributions as (

    select * from {{ ref('fct_contribution') }}

),

enrollees as (

    select * from {{ ref('dim_enrollee') }}

),

ranked as (

    select
        contributions.person_key,
        contributions.insutype,
        contributions.begn_ym,
        contributions.end_ym,
        contributions.clct_month,
        contributions.psn_clct_amt,
        contributions.emp_clct_amt,
        contributions.govt_subsidy_amt,
        contributions.acct_crdt_amt,
        contributions.total_clct_amt,
        enrollees.insu_admdvs,
        row_number() over (
            partition by
                contributions.person_key,
                contributions.insutype,
                contributions.begn_ym,
                contributions.end_ym
            order by
                case
                    when
                        enrollees.valid_from <= contributions.clct_date
                        and {{ open_end('enrollees.valid_to') }} >= contributions.clct_date
                        then 0
                    when
                        enrollees.valid_from <= contributions.begn_month
                        and {{ open_end('enrollees.valid_to') }} >= contributions.begn_month
                        then 1
                    else 2
                end,
                enrollees.valid_from desc
        ) as spell_rank
    from contributions
    inner join enrollees
        on
            contributions.person_key = enrollees.person_key
            and contributions.insutype = enrollees.insutype

),

final as (

    select
        ----------  keys
        person_key,
        insutype,
        begn_ym,
        end_ym,

        ----------  where and when the income counts
        insu_admdvs,
        clct_month,

        ----------  net income parts (yuan)
        cast(psn_clct_amt as decimal(18, 2)) as psn_clct_amt,
        cast(emp_clct_amt as decimal(18, 2)) as emp_clct_amt,
        cast(govt_subsidy_amt as decimal(18, 2)) as govt_subsidy_amt,
        cast(acct_crdt_amt as decimal(18, 2)) as acct_crdt_amt,
        cast(total_clct_amt as decimal(18, 2)) as total_clct_amt
    from ranked
    where spell_rank = 1

)

select * from final
