{#
  Schemas are exactly raw, staging, core, marts (and restricted): a model's custom schema is
  used as it is, not prefixed with the target schema, so analysts query staging.stg_... in
  every environment.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
