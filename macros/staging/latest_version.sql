{#
  latest_version(relation, key_columns, version_columns)

  The latest delivered version of each key of a raw table. Raw keeps every version a batch
  delivered; a later batch carrying the same key is a correction that replaces the earlier
  row (extract contract). The latest version is the row of the greatest `_batch_id` (batch
  folders are named YYYY-MM-DD, so they sort in delivery order), tie-broken by the greatest
  `_row_number`. Duplicates inside one file were already quarantined by ingestion.

  Returns a select statement to put inside a CTE:

      latest as (
          {{ latest_version('source', ['fixmedins_code', 'his_visit_no']) }}
      ),

  - relation: a CTE name, a ref() or a source().
  - key_columns: the contract key, a list of column names (or one name as a string).
  - version_columns: the columns whose greatest values make a version the latest.

  The result carries every column of the relation plus `_version_rank` (always 1), which
  staging models leave out by listing their columns. Portable SQL: a window function in a
  subquery, no QUALIFY.
#}
{% macro latest_version(relation, key_columns, version_columns=['_batch_id', '_row_number']) -%}
    {%- if key_columns is string -%}
        {%- set key_columns = [key_columns] -%}
    {%- endif -%}
    select ranked_versions.*
    from (
        select
            versions.*,
            row_number() over (
                partition by
                    {%- for key_column in key_columns %}
                    versions.{{ key_column }}{{ ',' if not loop.last }}
                    {%- endfor %}
                order by
                    {%- for version_column in version_columns %}
                    versions.{{ version_column }} desc{{ ',' if not loop.last }}
                    {%- endfor %}
            ) as _version_rank
        from {{ relation }} as versions
    ) as ranked_versions
    where ranked_versions._version_rank = 1
{%- endmacro %}
