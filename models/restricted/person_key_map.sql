{#-
  Authorised re-identification: every psn_no the warehouse has seen and its person_key. The
  only place outside staging where psn_no and person_key meet; the restricted schema is granted
  to named people only.
-#}

with

person_numbers as (

    select psn_no from {{ ref('stg_enrollment__enrollment') }}
    union
    select psn_no from {{ ref('stg_settlement__settlement') }}
    union
    select psn_no from {{ ref('stg_contribution__contribution') }}
    union
    select psn_no from {{ ref('stg_his__visit') }}

),

final as (

    select
        psn_no,
        {{ person_key('psn_no') }} as person_key
    from person_numbers
    where psn_no is not null

)

select * from final
