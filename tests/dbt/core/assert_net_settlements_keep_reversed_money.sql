{#-
  Netting loses no money: the sum of fct_settlement equals the sum of every staged settlement
  row (originals and reversals) whose reversal points to a known original.
-#}
with

staged as (

    select sum(settlements.medfee_sumamt) as medfee_sumamt
    from {{ ref('stg_settlement__settlement') }} as settlements
    where
        not settlements.is_reversal
        or settlements.init_setl_id in (
            select originals.setl_id
            from {{ ref('stg_settlement__settlement') }} as originals
            where not originals.is_reversal
        )

),

netted as (

    select sum(medfee_sumamt) as medfee_sumamt
    from {{ ref('fct_settlement') }}

)

select
    staged.medfee_sumamt as staged_medfee_sumamt,
    netted.medfee_sumamt as netted_medfee_sumamt
from staged
cross join netted
where abs(staged.medfee_sumamt - netted.medfee_sumamt) > {{ var('money_tolerance') }}
