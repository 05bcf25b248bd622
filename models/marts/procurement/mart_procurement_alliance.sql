-- The lead hospital answers for its members (Harbin plan): one row per alliance, procurement
-- batch and cycle, every ratio from the summed numerators and denominators of its agreements.
with

agreements as (

    select * from {{ ref('mart_procurement_volume') }}

),

alliances as (

    select * from {{ ref('dim_alliance') }}

),

institutions as (

    select * from {{ ref('dim_institution') }}

),

-- Members at the start of the cycle; pharmacies stay out of alliance indicators.
alliance_agreements as (

    select * from agreements
    where alliance_id is not null and not is_pharmacy

),

rolled_up as (

    select
        alliance_id,
        vbp_batch,
        cycle_begndate,
        cycle_enddate,
        max(alliance_lead_fixmedins_code) as lead_fixmedins_code,
        max(data_cutoff_date) as data_cutoff_date,
        count(distinct fixmedins_code) as member_count,
        count(*) as agreement_count,
        sum(case when is_cycle_finished then 1 else 0 end) as finished_agreement_count,
        sum(case when is_below_target_at_cycle_end then 1 else 0 end)
            as agreements_below_target_count,
        sum(agreed_cnt) as agreed_cnt,
        sum(expected_cnt_to_date) as expected_cnt_to_date,
        sum(purchased_cnt) as purchased_cnt,
        sum(generic_purchased_cnt) as generic_purchased_cnt,
        sum(purchase_count) as purchase_count,
        sum(purchased_amt) as purchased_amt,
        sum(due_amt) as due_amt,
        sum(on_time_paid_amt) as on_time_paid_amt,
        sum(late_paid_amt) as late_paid_amt,
        sum(unpaid_overdue_amt) as unpaid_overdue_amt,
        sum(paid_amt) as paid_amt,
        sum(paid_amt_days) as paid_amt_days
    from alliance_agreements
    group by alliance_id, vbp_batch, cycle_begndate, cycle_enddate

),

final as (

    select
        ----------  ids
        rolled_up.alliance_id,
        alliances.alliance_name,
        alliances.county_admdvs,
        rolled_up.lead_fixmedins_code,
        leads.fixmedins_name as lead_fixmedins_name,
        rolled_up.vbp_batch,

        ----------  cycle and cut-off
        rolled_up.cycle_begndate,
        rolled_up.cycle_enddate,
        rolled_up.data_cutoff_date,
        rolled_up.cycle_enddate <= rolled_up.data_cutoff_date as is_cycle_finished,

        ----------  counts
        cast(rolled_up.member_count as integer) as member_count,
        cast(rolled_up.agreement_count as integer) as agreement_count,
        cast(rolled_up.finished_agreement_count as integer) as finished_agreement_count,
        cast(rolled_up.agreements_below_target_count as integer)
            as agreements_below_target_count,

        ----------  volume
        cast(rolled_up.agreed_cnt as decimal(18, 4)) as agreed_cnt,
        cast(rolled_up.expected_cnt_to_date as double) as expected_cnt_to_date,
        cast(rolled_up.purchased_cnt as decimal(18, 4)) as purchased_cnt,
        {{ safe_divide('rolled_up.purchased_cnt', 'rolled_up.agreed_cnt') }} as completion_rate,
        {{ safe_divide('rolled_up.purchased_cnt', 'rolled_up.expected_cnt_to_date') }}
            as progress_adjusted_completion_rate,
        cast(rolled_up.generic_purchased_cnt as decimal(18, 4)) as generic_purchased_cnt,
        {{ safe_divide('rolled_up.purchased_cnt', 'rolled_up.generic_purchased_cnt') }}
            as substitution_share,

        ----------  amounts and supplier payment
        cast(rolled_up.purchase_count as integer) as purchase_count,
        cast(rolled_up.purchased_amt as decimal(18, 2)) as purchased_amt,
        cast(rolled_up.due_amt as decimal(18, 2)) as due_amt,
        cast(rolled_up.on_time_paid_amt as decimal(18, 2)) as on_time_paid_amt,
        cast(rolled_up.late_paid_amt as decimal(18, 2)) as late_paid_amt,
        cast(rolled_up.unpaid_overdue_amt as decimal(18, 2)) as unpaid_overdue_amt,
        {{ safe_divide('rolled_up.on_time_paid_amt', 'rolled_up.due_amt') }}
            as on_time_payment_rate,
        cast(rolled_up.paid_amt as decimal(18, 2)) as paid_amt,
        cast(rolled_up.paid_amt_days as decimal(18, 2)) as paid_amt_days,
        {{ safe_divide('rolled_up.paid_amt_days', 'rolled_up.paid_amt') }} as avg_days_to_pay

    from rolled_up
    left join alliances
        on rolled_up.alliance_id = alliances.alliance_id
    left join institutions as leads
        on rolled_up.lead_fixmedins_code = leads.fixmedins_code

)

select * from final
