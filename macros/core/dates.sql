{#
  make_date_from_parts(year, month, day): a date from integer parts (columns or literals).
  The default is portable (text, then cast); DuckDB has make_date().
#}
{% macro make_date_from_parts(year, month, day) -%}
    {{ return(adapter.dispatch('make_date_from_parts', 'yibao_warehouse')(year, month, day)) }}
{%- endmacro %}

{% macro default__make_date_from_parts(year, month, day) -%}
    cast(
        {{ dbt.concat([
            dbt.cast(year, dbt.type_string()), "'-'",
            dbt.right(dbt.concat(["'0'", dbt.cast(month, dbt.type_string())]), 2), "'-'",
            dbt.right(dbt.concat(["'0'", dbt.cast(day, dbt.type_string())]), 2)
        ]) }}
        as date
    )
{%- endmacro %}

{% macro duckdb__make_date_from_parts(year, month, day) -%}
    make_date(
        cast({{ year }} as integer), cast({{ month }} as integer), cast({{ day }} as integer)
    )
{%- endmacro %}

{#- add_days(date_expr, days_expr): a date plus a number of days, as a date. -#}
{% macro add_days(date_expr, days_expr) -%}
    cast({{ dbt.dateadd('day', days_expr, date_expr) }} as date)
{%- endmacro %}

{#- add_months(date_expr, months_expr): a date plus a number of months, as a date. -#}
{% macro add_months(date_expr, months_expr) -%}
    cast({{ dbt.dateadd('month', months_expr, date_expr) }} as date)
{%- endmacro %}

{#- open_end(date_expr): an open end date (null) as the far future, for range tests. -#}
{% macro open_end(date_expr) -%}
    coalesce({{ date_expr }}, cast('9999-12-31' as date))
{%- endmacro %}
