{{ config(severity='warn') }}

{#
  Each county medical alliance (医共体) has exactly one lead hospital (牵头医院), as the
  extract contract promises. An alliance whose lead changed over time lists two lead
  institutions and shows up here, which is why the test only warns: look at the members'
  begndate / enddate before treating it as an error in the data.
#}

with

members as (

    select * from {{ ref('stg_reference__alliance_member') }}

),

leads_per_alliance as (

    select
        alliance_id,
        count(distinct case when is_lead = 1 then fixmedins_code end) as lead_count
    from members
    group by alliance_id

)

select
    alliance_id,
    lead_count
from leads_per_alliance
where lead_count <> 1
