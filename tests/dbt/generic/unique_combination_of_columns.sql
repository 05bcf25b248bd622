{#
  unique_combination_of_columns: no two rows share the same values of the given columns
  (a composite key). The dbt_utils test of the same name, rewritten because the project
  installs no packages.

      data_tests:
        - unique_combination_of_columns:
            arguments:
              combination_of_columns: [fixmedins_code, his_visit_no]

  Fails with one row per duplicated combination and its row count.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{%- set column_list = combination_of_columns | join(', ') %}

select
    {{ column_list }},
    count(*) as duplicate_rows
from {{ model }}
group by {{ column_list }}
having count(*) > 1

{% endtest %}
