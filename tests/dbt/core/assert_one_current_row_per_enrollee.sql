{#- SCD type 2: every person has exactly one current enrollment row in dim_enrollee. -#}
select
    person_key,
    sum(case when is_current then 1 else 0 end) as current_rows
from {{ ref('dim_enrollee') }}
group by person_key
having sum(case when is_current then 1 else 0 end) <> 1
