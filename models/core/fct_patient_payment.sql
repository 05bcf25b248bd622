{#- A table: person_key calls a UDF only dbt's connections register. -#}
with

payments as (

    select * from {{ ref('stg_his__payment') }}

),

his_visits as (

    select * from {{ ref('stg_his__visit') }}

),

final as (

    select
        ----------  ids
        payments.fixmedins_code,
        payments.pay_id,
        payments.his_visit_no,
        his_visits.mdtrt_id,
        {{ person_key('his_visits.psn_no') }} as person_key,

        ----------  codes
        payments.pay_type,
        payments.pay_type_name,

        ----------  amounts: money received is positive, a refund negative
        payments.pay_amt,
        case
            when payments.pay_type = 'refund' then -abs(payments.pay_amt)
            else payments.pay_amt
        end as signed_pay_amt,

        ----------  timestamps
        payments.pay_time,
        {{ timestamp_to_date('payments.pay_time') }} as pay_date,
        {{ month_start('payments.pay_time') }} as pay_month,

        ----------  flags
        payments.pay_type = 'refund' as is_refund,
        his_visits.is_ptfp

    from payments
    left join his_visits
        on
            payments.fixmedins_code = his_visits.fixmedins_code
            and payments.his_visit_no = his_visits.his_visit_no

)

select * from final
