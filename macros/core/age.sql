{#
  age_on(birth_date, on_date): age in whole years on on_date. The birthday counts as passed on
  the day itself (born 1 January: one year older on 1 January); someone born on 29 February
  turns a year older on 1 March in a common year. Portable: extract() only.
#}
{% macro age_on(birth_date, on_date) -%}
    {{ return(adapter.dispatch('age_on', 'yibao_warehouse')(birth_date, on_date)) }}
{%- endmacro %}

{% macro default__age_on(birth_date, on_date) -%}
    (
        extract(year from {{ on_date }}) - extract(year from {{ birth_date }})
        - case
            when extract(month from {{ on_date }}) < extract(month from {{ birth_date }})
                then 1
            when extract(month from {{ on_date }}) = extract(month from {{ birth_date }})
                and extract(day from {{ on_date }}) < extract(day from {{ birth_date }})
                then 1
            else 0
        end
    )
{%- endmacro %}


{#
  age_band(age_column, attribute='age_band'): the band of an age in whole years, read from the
  seed param_age_band (age_from, age_to inclusive; an empty age_to is open-ended), so the bands
  are changed in the seed, never in SQL. attribute: 'age_band' (label, e.g. '18-44') or
  'band_order' (1 = youngest). A scalar subquery, so it works in any select list.
#}
{% macro age_band(age_column, attribute='age_band') -%}
    (
        select age_bands.{{ attribute }}
        from {{ ref('param_age_band') }} as age_bands
        where
            {{ age_column }} >= age_bands.age_from
            and ({{ age_column }} <= age_bands.age_to or age_bands.age_to is null)
    )
{%- endmacro %}
