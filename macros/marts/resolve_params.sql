{#-
  Policy parameters live in seeds with one row per (admdvs, insutype, year_from..year_to):
  `admdvs` is a county code or 'default', `insutype` a scheme code or 'all'. For every
  distinct (county, scheme, year) of `keys_relation` this returns the most specific row that
  applies: a county's own row beats 'default', a scheme's own row beats 'all', and among
  those the latest year_from wins. Use it as a CTE body:

      budget_params as (
          {{ resolve_params(ref('param_alliance_budget'), ['risk_reserve_rate', 'k'],
                            'budget_keys', 'county_admdvs', 'insutype', 'budget_year') }}
      )
-#}
{% macro resolve_params(
    param_relation, param_columns, keys_relation,
    county_column='admdvs', insutype_column='insutype', year_column='year'
) -%}
    select
        {{ county_column }},
        {{ insutype_column }},
        {{ year_column }},
        {%- for column in param_columns %}
            {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            keys.{{ county_column }},
            keys.{{ insutype_column }},
            keys.{{ year_column }},
            {%- for column in param_columns %}
                params.{{ column }},
            {%- endfor %}
            row_number() over (
                partition by
                    keys.{{ county_column }},
                    keys.{{ insutype_column }},
                    keys.{{ year_column }}
                order by
                    case when params.admdvs = 'default' then 1 else 0 end,
                    case when params.insutype = 'all' then 1 else 0 end,
                    params.year_from desc
            ) as specificity_rank
        from (
            select distinct
                {{ county_column }},
                {{ insutype_column }},
                {{ year_column }}
            from {{ keys_relation }}
        ) as keys
        inner join {{ param_relation }} as params
            on
                (params.admdvs = keys.{{ county_column }} or params.admdvs = 'default')
                and (params.insutype = keys.{{ insutype_column }} or params.insutype = 'all')
                and keys.{{ year_column }} >= params.year_from
                and keys.{{ year_column }} <= params.year_to
    ) as ranked
    where specificity_rank = 1
{%- endmacro %}
