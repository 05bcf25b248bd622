{#-
  Insured visits: one row per mdtrt_id seen in settlements, with the net amounts of all its
  settlements (a mid-stay settlement and the final one make one visit). Attributes come from
  the visit's first settlement; admission and discharge from his_visit when the hospital
  delivered the visit, else the first and last settlement times.
-#}

with

settlements as (

    select * from {{ ref('fct_settlement') }}

),

his_visits as (

    select
        mdtrt_id,
        fixmedins_code,
        his_visit_no,
        begntime,
        endtime,
        dept_codg,
        dise_codg,
        refl_type,
        refl_fixmedins_code,
        is_ptfp,
        row_number() over (partition by mdtrt_id order by begntime, his_visit_no) as visit_rank
    from {{ ref('stg_his__visit') }}
    where mdtrt_id is not null

),

first_settlements as (

    select
        settlements.*,
        row_number() over (
            partition by settlements.mdtrt_id
            order by settlements.setl_time, settlements.setl_id
        ) as settlement_rank
    from settlements

),

totals as (

    select
        mdtrt_id,
        {%- for money in settlement_money_columns() %}
            sum({{ money }}) as {{ money }},
        {%- endfor %}
        count(*) as settlement_count,
        sum(case when is_fully_reversed then 0 else 1 end) as net_settlement_count,
        min(setl_time) as first_setl_time,
        max(setl_time) as last_setl_time
    from settlements
    group by mdtrt_id

),

joined as (

    select
        ----------  ids
        totals.mdtrt_id,
        first_settlements.person_key,
        first_settlements.fixmedins_code,
        his_visits.his_visit_no,

        ----------  enrollee and care location (of the first settlement)
        first_settlements.insu_admdvs,
        first_settlements.insutype,
        first_settlements.psn_type,
        first_settlements.medins_admdvs,
        first_settlements.is_in_county,
        first_settlements.is_out_of_county,
        first_settlements.is_out_of_province,
        first_settlements.is_in_alliance,
        first_settlements.med_type,
        first_settlements.care_type_group,
        first_settlements.medins_cat,
        first_settlements.level_group,
        first_settlements.is_primary_care,
        first_settlements.is_pharmacy,
        first_settlements.is_tcm,

        ----------  clinical (from the HIS when delivered)
        his_visits.dept_codg,
        his_visits.dise_codg,
        his_visits.refl_type,
        his_visits.refl_fixmedins_code,
        coalesce(his_visits.is_ptfp, false) as is_ptfp,
        his_visits.his_visit_no is not null as has_his_visit,

        ----------  dates
        case
            when his_visits.his_visit_no is not null then his_visits.begntime
            else totals.first_setl_time
        end as admission_time,
        case
            when his_visits.his_visit_no is not null then his_visits.endtime
            else totals.last_setl_time
        end as discharge_time,
        totals.first_setl_time,
        totals.last_setl_time,

        ----------  net amounts over the visit's settlements
        {%- for money in settlement_money_columns() %}
            totals.{{ money }},
        {%- endfor %}

        ----------  counts
        totals.settlement_count,
        totals.net_settlement_count

    from totals
    inner join first_settlements
        on
            totals.mdtrt_id = first_settlements.mdtrt_id
            and first_settlements.settlement_rank = 1
    left join his_visits
        on
            totals.mdtrt_id = his_visits.mdtrt_id
            and his_visits.visit_rank = 1

),

final as (

    select
        joined.*,
        {{ timestamp_to_date('admission_time') }} as admission_date,
        {{ timestamp_to_date('discharge_time') }} as discharge_date,
        {{ month_start('last_setl_time') }} as setl_month,
        {{ year_of('last_setl_time') }} as setl_year,
        case
            when joined.care_type_group = 'inpatient'
                then {{ dbt.datediff(
                    timestamp_to_date('admission_time'),
                    timestamp_to_date('discharge_time'),
                    'day'
                ) }}
        end as length_of_stay_days,
        joined.net_settlement_count = 0 as is_fully_reversed,
        joined.care_type_group = 'inpatient' and joined.medfee_sumamt > 0 as is_admission,
        joined.care_type_group = 'outpatient' and joined.medfee_sumamt > 0 as is_outpatient_visit
    from joined

)

select * from final
