with

contributions as (

    select * from {{ ref('int_contribution_netted') }}

),

final as (

    select
        ----------  ids
        person_key,
        insutype,

        ----------  covered period
        begn_ym,
        end_ym,
        begn_month,
        end_month,
        benefit_year,

        ----------  net income parts (yuan)
        psn_clct_amt,
        emp_clct_amt,
        govt_subsidy_amt,
        acct_crdt_amt,
        total_clct_amt,

        ----------  payment date
        clct_time,
        clct_date,
        clct_month,
        {{ year_of('clct_date') }} as clct_year,

        ----------  counts and flags
        payment_count,
        reversal_count,
        is_reversed,
        is_net_positive
    from contributions

)

select * from final
