with

agreements as (

    select * from {{ ref('int_procurement_agreements_conformed') }}

),

purchases as (

    select * from {{ ref('fct_drug_purchase') }}

),

institutions as (

    select * from {{ ref('dim_institution') }}

),

memberships as (

    select * from {{ ref('dim_institution_alliance') }}

),

generic_map as (

    select * from {{ ref('ref_procurement_generic_map') }}

),

-- The data cut-off: the var procurement_cutoff_date if set, else the latest purchase date.
cutoff as (

    {% if var('procurement_cutoff_date', none) is not none %}
        select cast('{{ var("procurement_cutoff_date") }}' as date) as data_cutoff_date
    {% else %}
        select max(purc_date) as data_cutoff_date
        from purchases
    {% endif %}

),

-- Every product code of a generic name: the map seed plus the agreements' selected products.
generic_products as (

    select
        med_list_codg,
        generic_name
    from generic_map

    union

    select
        med_list_codg,
        generic_name
    from agreements

),

-- The alliance each institution belonged to on the first day of the cycle.
agreement_memberships as (

    select
        agreements.agreement_id,
        memberships.alliance_id,
        memberships.is_lead_hospital,
        row_number() over (
            partition by agreements.agreement_id
            order by memberships.alliance_id
        ) as membership_rank
    from agreements
    inner join memberships
        on
            agreements.fixmedins_code = memberships.fixmedins_code
            and agreements.cycle_begndate >= memberships.valid_from
            and agreements.cycle_begndate <= {{ open_end('memberships.valid_to') }}

),

-- The lead hospital of each alliance on the first day of each cycle.
agreement_leads as (

    select
        agreements.agreement_id,
        min(memberships.fixmedins_code) as alliance_lead_fixmedins_code
    from agreements
    inner join agreement_memberships
        on
            agreements.agreement_id = agreement_memberships.agreement_id
            and agreement_memberships.membership_rank = 1
    inner join memberships
        on
            agreement_memberships.alliance_id = memberships.alliance_id
            and memberships.is_lead_hospital
            and agreements.cycle_begndate >= memberships.valid_from
            and agreements.cycle_begndate <= {{ open_end('memberships.valid_to') }}
    group by agreements.agreement_id

),

param_keys as (

    select distinct
        institutions.admdvs,
        'all' as insutype,
        {{ year_of('agreements.cycle_begndate') }} as cycle_start_year
    from agreements
    inner join institutions
        on agreements.fixmedins_code = institutions.fixmedins_code

),

params as (

    {{ resolve_params(
        ref('param_procurement'), ['payment_term_days', 'completion_target'],
        'param_keys', 'admdvs', 'insutype', 'cycle_start_year'
    ) }}

),

agreements_dated as (

    select
        agreements.*,
        cutoff.data_cutoff_date
    from agreements
    cross join cutoff

),

-- Cycle length and days since the cycle started, both ends included.
agreements_timed as (

    select
        *,
        {{ dbt.datediff(
            'cycle_begndate', 'cycle_enddate', 'day'
        ) }} + 1 as cycle_days,
        {{ dbt.datediff(
            'cycle_begndate', 'data_cutoff_date', 'day'
        ) }} + 1 as days_since_cycle_start
    from agreements_dated

),

agreements_placed as (

    select
        agreements.*,
        institutions.fixmedins_name,
        institutions.admdvs,
        institutions.admdvs_name,
        institutions.is_primary_care,
        institutions.is_pharmacy,
        agreement_memberships.alliance_id,
        agreement_leads.alliance_lead_fixmedins_code,
        coalesce(agreement_memberships.is_lead_hospital, false) as is_alliance_lead,
        {{ year_of('agreements.cycle_begndate') }} as cycle_start_year,
        params.payment_term_days,
        params.completion_target
    from agreements_timed as agreements
    left join institutions
        on agreements.fixmedins_code = institutions.fixmedins_code
    left join agreement_memberships
        on
            agreements.agreement_id = agreement_memberships.agreement_id
            and agreement_memberships.membership_rank = 1
    left join agreement_leads
        on agreements.agreement_id = agreement_leads.agreement_id
    left join params
        on
            institutions.admdvs = params.admdvs
            and {{ year_of('agreements.cycle_begndate') }} = params.cycle_start_year

),

-- Purchases of any product of the agreement's generic name by the institution within the
-- cycle and up to the cut-off; payments after the cut-off are not known yet.
cycle_purchases as (

    select
        agreements_placed.agreement_id,
        purchases.med_list_codg = agreements_placed.med_list_codg as is_selected_product,
        purchases.purc_cnt,
        purchases.purc_amt,
        case
            when purchases.pay_date <= agreements_placed.data_cutoff_date
                then purchases.pay_amt
        end as pay_amt,
        case
            when purchases.pay_date <= agreements_placed.data_cutoff_date
                then {{ dbt.datediff('purchases.purc_date', 'purchases.pay_date', 'day') }}
        end as days_to_pay,
        -- due: older than the payment term at the cut-off
        (
            {{ add_days('purchases.purc_date', 'agreements_placed.payment_term_days') }}
            < agreements_placed.data_cutoff_date
        ) as is_due,
        {{ paid_within_terms(
            'purchases.purc_date', 'purchases.pay_date', 'agreements_placed.payment_term_days'
        ) }} as is_paid_on_time
    from agreements_placed
    inner join generic_products
        on agreements_placed.generic_name = generic_products.generic_name
    inner join purchases
        on
            agreements_placed.fixmedins_code = purchases.fixmedins_code
            and generic_products.med_list_codg = purchases.med_list_codg
            and agreements_placed.cycle_begndate <= purchases.purc_date
            and agreements_placed.cycle_enddate >= purchases.purc_date
            and agreements_placed.data_cutoff_date >= purchases.purc_date

),

purchase_sums as (

    select
        agreement_id,
        count(case when is_selected_product then 1 end) as purchase_count,
        sum(case when is_selected_product then purc_cnt else 0 end) as purchased_cnt,
        sum(purc_cnt) as generic_purchased_cnt,
        sum(case when is_selected_product then purc_amt else 0 end) as purchased_amt,
        sum(case when is_selected_product and is_due then purc_amt else 0 end) as due_amt,
        sum(
            case
                when is_selected_product and is_due and pay_amt is not null and is_paid_on_time
                    then pay_amt
                else 0
            end
        ) as on_time_paid_amt,
        sum(
            case
                when
                    is_selected_product and is_due and pay_amt is not null
                    and not is_paid_on_time
                    then pay_amt
                else 0
            end
        ) as late_paid_amt,
        sum(
            case
                when is_selected_product and is_due and pay_amt is null then purc_amt
                else 0
            end
        ) as unpaid_overdue_amt,
        sum(case when is_selected_product then coalesce(pay_amt, 0) else 0 end) as paid_amt,
        sum(
            case
                when is_selected_product then coalesce(pay_amt * days_to_pay, 0)
                else 0
            end
        ) as paid_amt_days
    from cycle_purchases
    group by agreement_id

),

measured as (

    select
        agreements_placed.*,
        case
            when agreements_placed.days_since_cycle_start < 0 then 0
            when agreements_placed.days_since_cycle_start > agreements_placed.cycle_days
                then agreements_placed.cycle_days
            else agreements_placed.days_since_cycle_start
        end as elapsed_days,
        agreements_placed.cycle_enddate <= agreements_placed.data_cutoff_date
            as is_cycle_finished,
        coalesce(purchase_sums.purchase_count, 0) as purchase_count,
        coalesce(purchase_sums.purchased_cnt, 0) as purchased_cnt,
        coalesce(purchase_sums.generic_purchased_cnt, 0) as generic_purchased_cnt,
        coalesce(purchase_sums.purchased_amt, 0) as purchased_amt,
        coalesce(purchase_sums.due_amt, 0) as due_amt,
        coalesce(purchase_sums.on_time_paid_amt, 0) as on_time_paid_amt,
        coalesce(purchase_sums.late_paid_amt, 0) as late_paid_amt,
        coalesce(purchase_sums.unpaid_overdue_amt, 0) as unpaid_overdue_amt,
        coalesce(purchase_sums.paid_amt, 0) as paid_amt,
        coalesce(purchase_sums.paid_amt_days, 0) as paid_amt_days
    from agreements_placed
    left join purchase_sums
        on agreements_placed.agreement_id = purchase_sums.agreement_id

),

final as (

    select
        ----------  ids
        agreement_id,
        vbp_batch,
        generic_name,
        med_list_codg,
        fixmedins_code,
        fixmedins_name,
        admdvs,
        admdvs_name,
        is_primary_care,
        is_pharmacy,
        alliance_id,
        alliance_lead_fixmedins_code,
        is_alliance_lead,

        ----------  cycle and cut-off
        cycle_begndate,
        cycle_enddate,
        cast(cycle_start_year as integer) as cycle_start_year,
        cast(cycle_days as integer) as cycle_days,
        data_cutoff_date,
        cast(elapsed_days as integer) as elapsed_days,
        is_cycle_finished,

        ----------  parameters
        cast(payment_term_days as integer) as payment_term_days,
        cast(completion_target as decimal(9, 4)) as completion_target,

        ----------  volume
        agreed_cnt,
        cast(purchased_cnt as decimal(18, 4)) as purchased_cnt,
        {{ safe_divide('agreed_cnt * elapsed_days', 'cycle_days') }} as expected_cnt_to_date,
        {{ safe_divide('purchased_cnt', 'agreed_cnt') }} as completion_rate,
        {{ safe_divide('purchased_cnt', safe_divide('agreed_cnt * elapsed_days', 'cycle_days')) }}
            as progress_adjusted_completion_rate,
        case
            when is_cycle_finished
                then {{ safe_divide('purchased_cnt', 'agreed_cnt') }} < completion_target
        end as is_below_target_at_cycle_end,
        cast(generic_purchased_cnt as decimal(18, 4)) as generic_purchased_cnt,
        {{ safe_divide('purchased_cnt', 'generic_purchased_cnt') }} as substitution_share,

        ----------  amounts and supplier payment
        cast(purchase_count as integer) as purchase_count,
        cast(purchased_amt as decimal(18, 2)) as purchased_amt,
        cast(due_amt as decimal(18, 2)) as due_amt,
        cast(on_time_paid_amt as decimal(18, 2)) as on_time_paid_amt,
        cast(late_paid_amt as decimal(18, 2)) as late_paid_amt,
        cast(unpaid_overdue_amt as decimal(18, 2)) as unpaid_overdue_amt,
        {{ safe_divide('on_time_paid_amt', 'due_amt') }} as on_time_payment_rate,
        cast(paid_amt as decimal(18, 2)) as paid_amt,
        cast(paid_amt_days as decimal(18, 2)) as paid_amt_days,
        {{ safe_divide('paid_amt_days', 'paid_amt') }} as avg_days_to_pay

    from measured

)

select * from final
