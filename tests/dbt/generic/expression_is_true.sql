{#
  expression_is_true: a boolean SQL expression holds on every row (NULL counts as passing,
  like the contract's row rules). The dbt_utils test of the same name, without packages.

      data_tests:
        - expression_is_true:
            arguments:
              expression: "enddate >= begndate"

  Fails with the rows where the expression is false.
#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
