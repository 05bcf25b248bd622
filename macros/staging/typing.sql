{#
  Typing helpers of the staging layer. Each dispatches through adapter.dispatch so that a
  warehouse on another engine (dbt-spark, ...) can override one without touching the models;
  the default__ implementations are portable SQL that DuckDB and Spark SQL both accept.
#}

{#- flag_to_boolean(column): a contract flag (integer 0/1) as a boolean; NULL stays NULL. -#}
{% macro flag_to_boolean(column) -%}
    {{ return(adapter.dispatch('flag_to_boolean', 'yibao_warehouse')(column)) }}
{%- endmacro %}

{% macro default__flag_to_boolean(column) -%}
    ({{ column }} = 1)
{%- endmacro %}


{#- yearmonth_to_date(column): a contract year-month 'YYYYMM' (text) as the date of the first
    day of that month. -#}
{% macro yearmonth_to_date(column) -%}
    {{ return(adapter.dispatch('yearmonth_to_date', 'yibao_warehouse')(column)) }}
{%- endmacro %}

{% macro default__yearmonth_to_date(column) -%}
    cast(
        {{ dbt.concat(['substring(' ~ column ~ ', 1, 4)', "'-'",
                       'substring(' ~ column ~ ', 5, 2)', "'-01'"]) }}
        as date
    )
{%- endmacro %}


{#- timestamp_to_date(column): the calendar date of a timestamp (local time). -#}
{% macro timestamp_to_date(column) -%}
    {{ return(adapter.dispatch('timestamp_to_date', 'yibao_warehouse')(column)) }}
{%- endmacro %}

{% macro default__timestamp_to_date(column) -%}
    cast({{ column }} as date)
{%- endmacro %}


{#- month_start(column): the first day of the month of a date or timestamp, as a date. -#}
{% macro month_start(column) -%}
    {{ return(adapter.dispatch('month_start', 'yibao_warehouse')(column)) }}
{%- endmacro %}

{% macro default__month_start(column) -%}
    cast({{ dbt.date_trunc('month', column) }} as date)
{%- endmacro %}


{#- year_of(column): the calendar year of a date or timestamp, as an integer. -#}
{% macro year_of(column) -%}
    {{ return(adapter.dispatch('year_of', 'yibao_warehouse')(column)) }}
{%- endmacro %}

{% macro default__year_of(column) -%}
    cast(extract(year from {{ column }}) as {{ dbt.type_int() }})
{%- endmacro %}
