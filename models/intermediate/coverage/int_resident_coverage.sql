{#-
  Coverage periods of residents (scheme 390) from their net contributions, by the Qinghai 2022
  rules (domain notes §3). One row per person x benefit year. Every number (windows, cut-off
  days, waiting days, the job-loss window) comes from the seed param_resident_coverage: the
  county's row for the year when there is one, else the default row.
-#}

with

contributions as (

    select * from {{ ref('int_contribution_netted') }}

),

spells as (

    select * from {{ ref('int_enrollment_spells') }}

),

parameters as (

    select * from {{ ref('param_resident_coverage') }}

),

resident_payments as (

    select
        person_key,
        benefit_year,
        clct_date as payment_date,
        govt_subsidy_amt,
        row_number() over (
            partition by person_key, benefit_year
            order by clct_time, begn_ym
        ) as payment_rank
    from contributions
    where insutype = '390' and is_net_positive

),

first_payments as (

    select
        person_key,
        benefit_year,
        payment_date,
        govt_subsidy_amt,
        {{ make_date_from_parts('benefit_year', 1, 1) }} as year_start,
        {{ make_date_from_parts('benefit_year', 12, 31) }} as year_end
    from resident_payments
    where payment_rank = 1

),

-- The resident spells in force between the payment (or 1 January) and the year's end.
resident_status as (

    select
        first_payments.person_key,
        first_payments.benefit_year,
        min(spells.insu_admdvs) as insu_admdvs,
        max(case when spells.is_newborn then 1 else 0 end) as is_newborn,
        max(case when spells.is_green_channel_population then 1 else 0 end)
            as is_green_channel_population
    from first_payments
    inner join spells
        on
            first_payments.person_key = spells.person_key
            and spells.insutype = '390'
            and first_payments.year_end >= spells.begndate
            and {{ open_end('spells.enddate') }} >= case
                when first_payments.payment_date < first_payments.year_start
                    then first_payments.payment_date
                else first_payments.year_start
            end
    group by first_payments.person_key, first_payments.benefit_year

),

with_parameters as (

    select
        first_payments.*,
        resident_status.insu_admdvs,
        {%- for parameter in [
            'window_start_month', 'window_start_day', 'no_wait_end_month', 'no_wait_end_day',
            'subsidy_end_month', 'subsidy_end_day', 'waiting_days', 'job_loss_window_months'
        ] %}
            coalesce(county_parameters.{{ parameter }}, default_parameters.{{ parameter }})
                as {{ parameter }},
        {%- endfor %}
        coalesce(resident_status.is_newborn, 0) = 1 as is_newborn,
        coalesce(resident_status.is_green_channel_population, 0) = 1
            as is_green_channel_population
    from first_payments
    left join resident_status
        on
            first_payments.person_key = resident_status.person_key
            and first_payments.benefit_year = resident_status.benefit_year
    left join parameters as county_parameters
        on
            resident_status.insu_admdvs = county_parameters.admdvs
            and first_payments.benefit_year
            between county_parameters.year_from and county_parameters.year_to
    left join parameters as default_parameters
        on
            default_parameters.admdvs = 'default'
            and first_payments.benefit_year
            between default_parameters.year_from and default_parameters.year_to

),

-- People who join within the job-loss window after their employee (310) spell ended.
job_loss as (

    select distinct
        with_parameters.person_key,
        with_parameters.benefit_year
    from with_parameters
    inner join spells
        on
            with_parameters.person_key = spells.person_key
            and spells.insutype = '310'
            and spells.enddate is not null
            and with_parameters.payment_date >= spells.enddate
            and with_parameters.payment_date
            <= {{ add_months('spells.enddate', 'with_parameters.job_loss_window_months') }}

),

cut_offs as (

    select
        with_parameters.*,
        job_loss.person_key is not null as is_job_loss,
        {{ make_date_from_parts(
            'with_parameters.benefit_year - 1',
            'with_parameters.window_start_month',
            'with_parameters.window_start_day'
        ) }} as window_start,
        {{ make_date_from_parts(
            'with_parameters.benefit_year',
            'with_parameters.no_wait_end_month',
            'with_parameters.no_wait_end_day'
        ) }} as no_wait_end,
        {{ make_date_from_parts(
            'with_parameters.benefit_year',
            'with_parameters.subsidy_end_month',
            'with_parameters.subsidy_end_day'
        ) }} as subsidy_end
    from with_parameters
    left join job_loss
        on
            with_parameters.person_key = job_loss.person_key
            and with_parameters.benefit_year = job_loss.benefit_year

),

ruled as (

    select
        person_key,
        benefit_year,
        insu_admdvs,
        payment_date,
        govt_subsidy_amt,
        year_end as coverage_end,
        case
            when is_newborn then 'green_channel_newborn'
            when is_green_channel_population then 'green_channel_special_population'
            when is_job_loss then 'green_channel_job_loss'
            when payment_date < window_start then 'paid_before_collection_window'
            when payment_date < year_start then 'paid_before_benefit_year'
            when payment_date <= no_wait_end then 'paid_in_first_quarter'
            when payment_date <= subsidy_end then 'paid_in_second_quarter_waits'
            else 'paid_from_july_waits_without_subsidy'
        end as rule,  -- noqa: RF04
        is_newborn or is_green_channel_population or is_job_loss as is_green_channel,
        case
            when payment_date < year_start then year_start
            when is_newborn or is_green_channel_population or is_job_loss then payment_date
            when payment_date <= no_wait_end then payment_date
            else {{ add_days('payment_date', 'waiting_days') }}
        end as coverage_start,
        is_newborn or is_green_channel_population or is_job_loss
        or payment_date <= subsidy_end as subsidy_eligible
    from cut_offs

),

final as (

    select
        ----------  ids
        person_key,
        benefit_year,
        insu_admdvs,

        ----------  the rule applied and its result
        rule,
        is_green_channel,
        payment_date,
        coverage_start,
        coverage_end,
        subsidy_eligible,
        govt_subsidy_amt,
        coverage_start <= coverage_end as has_coverage,
        not subsidy_eligible and govt_subsidy_amt > 0 as is_subsidy_not_allowed
    from ruled

)

select * from final
