{#-
  Volume-based procurement: a purchase is paid on time when the supplier was paid no later
  than `term_days` after acceptance (domain notes §5; the term lives in param_procurement).
  Core's per-purchase flag and the procurement mart's agreement measures both use this.
-#}
{% macro paid_within_terms(purc_date, pay_date, term_days) -%}
    ({{ pay_date }} <= {{ add_days(purc_date, term_days) }})
{%- endmacro %}
