{#
  sums_to_total: on every row, the parts add up to the total within a tolerance — the idea of
  PUDL's expect_subcomponents_sum_to_total, for the money identities of the extract contract.

      data_tests:
        - sums_to_total:
            arguments:
              total: fund_pay_sumamt
              parts: [hifp_pay, cvlserv_pay, hifob_pay, hifmi_pay, maf_pay, oth_pay]

  `tolerance` defaults to var('money_tolerance') (yuan). A null part counts as 0; a null total
  is left to not_null tests. Fails with one row per offending row, carrying the total, the
  sum of the parts and their difference.
#}
{% test sums_to_total(model, total, parts, tolerance=none) %}

{%- set tolerance = tolerance if tolerance is not none else var('money_tolerance') %}

with

checked as (

    select
        *,
        {{ total }} as checked_total,
        (
            {%- for part in parts %}
            coalesce({{ part }}, 0){{ ' +' if not loop.last }}
            {%- endfor %}
        ) as checked_sum_of_parts
    from {{ model }}

)

select
    *,
    checked_total - checked_sum_of_parts as checked_difference
from checked
where abs(checked_total - checked_sum_of_parts) > {{ tolerance }}

{% endtest %}
