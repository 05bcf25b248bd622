{#
  composite_relationships: every non-null combination of `columns` in the model exists as a
  combination of `to_columns` in `to` — the dbt `relationships` test for a composite key.

      data_tests:
        - composite_relationships:
            arguments:
              columns: [fixmedins_code, his_visit_no]
              to: ref('stg_his__visit')
              to_columns: [fixmedins_code, his_visit_no]

  Rows with any of `columns` null are not checked (like `relationships`). Fails with one row
  per orphan combination. `to_columns` defaults to `columns`.
#}
{% test composite_relationships(model, columns, to, to_columns=none) %}

{%- set to_columns = to_columns or columns %}

with

child as (

    select distinct
        {%- for column in columns %}
        {{ column }} as key_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    where
        {%- for column in columns %}
        {{ 'and ' if not loop.first }}{{ column }} is not null
        {%- endfor %}

),

parent as (

    select distinct
        {%- for column in to_columns %}
        {{ column }} as key_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ to }}

)

select child.*
from child
left join parent
    on
    {%- for column in columns %}
    {{ 'and ' if not loop.first }}child.key_{{ loop.index }} = parent.key_{{ loop.index }}
    {%- endfor %}
where parent.key_1 is null

{% endtest %}
