with

purchases as (

    select * from {{ ref('stg_his__drug_purchase') }}

),

institutions as (

    select * from {{ ref('dim_institution') }}

),

agreements as (

    select * from {{ ref('stg_reference__procurement_agreement') }}

),

terms as (

    select * from {{ ref('param_payment_terms') }}

),

-- The procurement agreement (institution x product x cycle) a purchase counts towards.
purchase_agreements as (

    select
        purchases.fixmedins_code,
        purchases.purc_id,
        min(agreements.agreement_id) as agreement_id
    from purchases
    inner join agreements
        on
            purchases.fixmedins_code = agreements.fixmedins_code
            and purchases.med_list_codg = agreements.med_list_codg
            and {{ timestamp_to_date('purchases.purc_time') }} >= agreements.begndate
            and {{ timestamp_to_date('purchases.purc_time') }} <= agreements.enddate
    group by purchases.fixmedins_code, purchases.purc_id

),

joined as (

    select
        purchases.*,
        institutions.admdvs,
        purchase_agreements.agreement_id,
        coalesce(county_terms.supplier_pay_days, default_terms.supplier_pay_days)
            as supplier_pay_days
    from purchases
    left join institutions
        on purchases.fixmedins_code = institutions.fixmedins_code
    left join purchase_agreements
        on
            purchases.fixmedins_code = purchase_agreements.fixmedins_code
            and purchases.purc_id = purchase_agreements.purc_id
    left join terms as county_terms
        on
            institutions.admdvs = county_terms.admdvs
            and {{ year_of('purchases.purc_time') }}
            between county_terms.year_from and county_terms.year_to
    left join terms as default_terms
        on
            default_terms.admdvs = 'default'
            and {{ year_of('purchases.purc_time') }}
            between default_terms.year_from and default_terms.year_to

),

final as (

    select
        ----------  ids
        fixmedins_code,
        purc_id,
        med_list_codg,
        agreement_id,
        admdvs as medins_admdvs,

        ----------  quantities and amounts
        purc_cnt,
        purc_amt,
        pay_amt,

        ----------  timestamps
        purc_time,
        {{ timestamp_to_date('purc_time') }} as purc_date,
        {{ month_start('purc_time') }} as purc_month,
        pay_time,
        {{ timestamp_to_date('pay_time') }} as pay_date,
        {{ add_days(timestamp_to_date('purc_time'), 'supplier_pay_days') }} as pay_due_date,
        supplier_pay_days,

        ----------  payment status
        {{ dbt.datediff(timestamp_to_date('purc_time'), timestamp_to_date('pay_time'), 'day') }}
            as days_to_pay,
        pay_time is not null as is_paid,
        coalesce(
            {{ timestamp_to_date('pay_time') }}
            <= {{ add_days(timestamp_to_date('purc_time'), 'supplier_pay_days') }},
            false
        ) as is_paid_within_terms,
        agreement_id is not null as is_procurement_product
    from joined

)

select * from final
