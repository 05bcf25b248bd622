{#
  settlement_money_columns(): the additive money columns of a settlement (extract contract),
  the ones netted against reversals and summed into visits. pool_prop_selfpay is a ratio and
  is not among them.
#}
{% macro settlement_money_columns() -%}
    {{ return([
        'medfee_sumamt', 'fulamt_ownpay_amt', 'overlmt_selfpay', 'preselfpay_amt',
        'inscp_scp_amt', 'act_pay_dedc', 'hifp_pay', 'cvlserv_pay', 'hifob_pay', 'hifmi_pay',
        'maf_pay', 'oth_pay', 'fund_pay_sumamt', 'psn_part_amt', 'acct_pay', 'psn_cash_pay'
    ]) }}
{%- endmacro %}
