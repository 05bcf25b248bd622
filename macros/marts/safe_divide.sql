{#
  safe_divide(numerator, denominator): numerator / denominator as a double, NULL when the
  denominator is 0 or NULL. The one safe division of the marts: ratios are computed from summed
  numerators and denominators at the grain of the mart, never averaged.
  (dbt.type_float() is single precision on DuckDB, hence double precision / double here.)
#}
{% macro safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('safe_divide', 'yibao_warehouse')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    (
        cast({{ numerator }} as double precision)
        / nullif(cast({{ denominator }} as double precision), 0)
    )
{%- endmacro %}

{% macro spark__safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}
