{#-
  Cross-file check of the extract contract: the fee lines of an insured visit present in
  his_visit add up to the net medfee_sumamt of its settlements (± money_tolerance). A warning,
  not an error: the mismatches are counted in dq_violation_summary and listed in
  dq_fee_vs_settlement.
-#}
{{ config(severity='warn') }}

select
    fixmedins_code,
    his_visit_no,
    mdtrt_id,
    difference_amt
from {{ ref('dq_fee_vs_settlement') }}
