{#
  person_key(column): the pseudonymous person key of a psn_no — hex HMAC-SHA256 under the
  warehouse's secret key (yibao/pii.py). Core and every later layer identify a person only by
  this key; psn_no stays in staging and restricted.person_key_map.

  duckdb: the scalar UDF yibao_person_key(varchar) -> varchar, registered on every connection
  by the dbt-duckdb plugin yibao.dbt_plugin (profiles.yml `plugins:`).
  Other engines: register a UDF of the same name and semantics (HMAC-SHA256 of the UTF-8
  psn_no, hex, lowercase, with the same key) or override this macro for the adapter
  (e.g. spark__person_key with the engine's own hmac function).

  Models calling it are materialised as tables: a view would call the UDF at query time, on
  connections (BI tools, `yibao sql`) that have not registered it.
#}
{% macro person_key(column) -%}
    {{ return(adapter.dispatch('person_key', 'yibao_warehouse')(column)) }}
{%- endmacro %}

{% macro default__person_key(column) -%}
    yibao_person_key({{ column }})
{%- endmacro %}

{% macro duckdb__person_key(column) -%}
    yibao_person_key(cast({{ column }} as varchar))
{%- endmacro %}
