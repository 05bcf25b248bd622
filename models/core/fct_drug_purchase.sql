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

-- The payment term of the institution's county in the purchase year (param_procurement).
term_keys as (

    select distinct
        institutions.admdvs,
        'all' as insutype,
        {{ year_of('purchases.purc_time') }} as purc_year
    from purchases
    inner join institutions
        on purchases.fixmedins_code = institutions.fixmedins_code

),

terms as (

    {{ resolve_params(
        ref('param_procurement'), ['payment_term_days'],
        'term_keys', 'admdvs', 'insutype', 'purc_year'
    ) }}

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
        terms.payment_term_days as supplier_pay_days
    from purchases
    left join institutions
        on purchases.fixmedins_code = institutions.fixmedins_code
    left join purchase_agreements
        on
            purchases.fixmedins_code = purchase_agreements.fixmedins_code
            and purchases.purc_id = purchase_agreements.purc_id
    left join terms
        on
            institutions.admdvs = terms.admdvs
            and {{ year_of('purchases.purc_time') }} = terms.purc_year

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
            {{ paid_within_terms(
                timestamp_to_date('purc_time'), timestamp_to_date('pay_time'), 'supplier_pay_days'
            ) }},
            false
        ) as is_paid_within_terms,
        agreement_id is not null as is_procurement_product
    from joined

)

select * from final
