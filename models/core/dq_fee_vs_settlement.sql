{#-
  Insured HIS visits whose fee lines do not add up to the net medfee_sumamt of their
  settlements (± var money_tolerance): one row per mismatching visit. Only visits the hospital
  delivered (present in his_visit) that have settlements are compared (extract contract).
-#}

with

his_visits as (

    select * from {{ ref('stg_his__visit') }}
    where mdtrt_id is not null

),

fee_totals as (

    select
        fixmedins_code,
        his_visit_no,
        count(*) as fee_line_count,
        sum(det_item_fee_sumamt) as fee_line_sumamt
    from {{ ref('stg_his__fee_detail') }}
    group by fixmedins_code, his_visit_no

),

visits as (

    select * from {{ ref('fct_visit') }}

),

compared as (

    select
        his_visits.fixmedins_code,
        his_visits.his_visit_no,
        visits.mdtrt_id,
        visits.person_key,
        visits.med_type,
        visits.setl_month,
        visits.medfee_sumamt as net_medfee_sumamt,
        coalesce(fee_totals.fee_line_count, 0) as fee_line_count,
        coalesce(fee_totals.fee_line_sumamt, 0) as fee_line_sumamt,
        coalesce(fee_totals.fee_line_sumamt, 0) - visits.medfee_sumamt as difference_amt
    from his_visits
    inner join visits
        on his_visits.mdtrt_id = visits.mdtrt_id
    left join fee_totals
        on
            his_visits.fixmedins_code = fee_totals.fixmedins_code
            and his_visits.his_visit_no = fee_totals.his_visit_no

)

select * from compared
where abs(difference_amt) > {{ var('money_tolerance') }}
