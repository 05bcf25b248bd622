{#
  The one place where "where care happened" is compared with "where the enrollee belongs"
  (domain notes §1). Every model and mart uses these instead of re-typing the comparison.

  is_in_county(care_admdvs, enrollee_admdvs): the institution's county equals the enrollee's
  county (县域内); false, not null, when either is unknown.
#}
{% macro is_in_county(care_admdvs, enrollee_admdvs) -%}
    coalesce({{ care_admdvs }} = {{ enrollee_admdvs }}, false)
{%- endmacro %}

{#- province_of(admdvs): the province code of a 6-digit division: first 2 digits + '0000'. -#}
{% macro province_of(admdvs) -%}
    {{ dbt.concat(['substring(' ~ admdvs ~ ', 1, 2)', "'0000'"]) }}
{%- endmacro %}

{#- city_of(admdvs): the city (pooling area) of a 6-digit division: first 4 digits + '00'. -#}
{% macro city_of(admdvs) -%}
    {{ dbt.concat(['substring(' ~ admdvs ~ ', 1, 4)', "'00'"]) }}
{%- endmacro %}

{#- is_out_of_province(care_admdvs, enrollee_admdvs): care in another province (跨省). -#}
{% macro is_out_of_province(care_admdvs, enrollee_admdvs) -%}
    coalesce({{ province_of(care_admdvs) }} <> {{ province_of(enrollee_admdvs) }}, false)
{%- endmacro %}
