"""Row-level validation of one file's text table, in DuckDB SQL generated from the contract.

The result is a temp table with the typed contract columns, the row number and ``_errors``:
a list of ``{column, rule, message}`` structs, empty for a row that may be loaded. Checks, in
order: malformed CSV row; required value missing; value not of the column's type, pattern or
code table; the file's row rules (on typed values); duplicate key within the file;
references to other files (this batch or earlier ones).
"""

from __future__ import annotations

from yibao.contract import Column, FileSpec, RowRule, code_values

# DuckDB regular expressions (full match) per contract type.
TYPE_PATTERNS: dict[str, tuple[str, str]] = {
    "date": (r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "a date (YYYY-MM-DD)"),
    "timestamp": (r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}",
                  "a timestamp (YYYY-MM-DD HH:MM:SS)"),
    "yearmonth": (r"[0-9]{4}(0[1-9]|1[0-2])", "a year-month (YYYYMM)"),
    "amount": (r"-?[0-9]{1,15}(\.[0-9]{1,2})?", "an amount (yuan, at most 2 decimals)"),
    "count": (r"-?[0-9]{1,13}(\.[0-9]{1,4})?", "a number with at most 4 decimals"),
    "ratio": (r"-?[0-9]{1,4}(\.[0-9]{1,4})?", "a ratio with at most 4 decimals"),
    "flag": (r"[01]", "0 or 1"),
}


def _q(text: str) -> str:
    """SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _raw(col: str) -> str:
    return f'nullif(trim("{col}"), \'\')'


def _valid_expr(col: Column) -> tuple[str, str] | None:
    """(SQL that is true when the non-null text value is valid, description) or None."""
    v = _raw(col.name)
    if col.type in TYPE_PATTERNS:
        pattern, what = TYPE_PATTERNS[col.type]
        expr = f"regexp_full_match({v}, {_q(pattern)})"
        if col.type == "date":
            expr += f" and try_cast({v} as date) is not null"
        elif col.type == "timestamp":
            expr += f" and try_strptime({v}, '%Y-%m-%d %H:%M:%S') is not null"
        return expr, what
    if col.code_table:
        codes = sorted(code_values(col.code_table))
        return f"{v} in ({', '.join(_q(c) for c in codes)})", (
            f"a code of {col.code_table} ({', '.join(codes)})"
        )
    if col.pattern:
        return f"regexp_full_match({v}, {_q(col.pattern)})", f"of the form {col.pattern}"
    return None


def _typed_expr(col: Column) -> str:
    v = _raw(col.name)
    valid = _valid_expr(col)
    if col.type == "timestamp":
        cast = f"strptime({v}, '%Y-%m-%d %H:%M:%S')"
    elif col.type == "text" or col.type == "yearmonth":
        cast = v if col.type == "yearmonth" else f'"{col.name}"'
        if col.type == "text" and valid is None:
            return f'nullif("{col.name}", \'\') as "{col.name}"'
    else:
        cast = f"cast({v} as {col.sql_type})"
    if valid is None:
        return f'{cast} as "{col.name}"'
    return f'case when {valid[0]} then {cast} end as "{col.name}"'


def _error(column: str, rule: str, message_sql: str) -> str:
    return f"{{'column': {_q(column)}, 'rule': {_q(rule)}, 'message': {message_sql}}}"


def _column_errors(col: Column) -> list[str]:
    v = _raw(col.name)
    errors = []
    if col.required:
        errors.append(
            f"case when {v} is null then "
            f"{_error(col.name, 'required', _q(f'{col.name}: required value missing'))} end"
        )
    valid = _valid_expr(col)
    if valid is not None:
        expr, what = valid
        message = f"{_q(f'{col.name}: ')} || {v} || {_q(f' is not {what}')}"
        errors.append(
            f"case when {v} is not null and not coalesce({expr}, false) then "
            f"{_error(col.name, 'type', message)} end"
        )
    return errors


def _rule_error(rule: RowRule) -> str:
    message = _q(f"{rule.reason} [{rule.code}]")
    return (f"case when not coalesce(({rule.expr}), true) then "
            f"{_error(rule.columns[0], rule.code, message)} end")


def build_checked_table(spec: FileSpec, text_table: str, checked_table: str,
                        reference_sql: dict[str, str]) -> list[str]:
    """SQL statements that turn ``text_table`` into ``checked_table``.

    ``reference_sql`` maps a referenced file name to a SQL relation holding the keys that
    exist (earlier batches plus this batch's valid rows).
    """
    names = spec.column_names
    raw_cols = ", ".join(f'"{c}" as "r__{c}"' for c in names)
    typed_cols = ",\n  ".join(_typed_expr(c) for c in spec.columns)
    column_errors = [e for c in spec.columns for e in _column_errors(c)]
    malformed = _error(
        "*", "malformed_row",
        "'row has ' || json_extract(_bad_fields, '$.found')::varchar || ' fields, the header has '"
        " || json_extract(_bad_fields, '$.expected')::varchar",
    )
    stage1 = f"""
create or replace temp table {checked_table}__s1 as
select
  _row_number,
  _bad_fields,
  {raw_cols},
  {typed_cols},
  case when _bad_fields is not null then [{malformed}]
       else list_filter([{', '.join(column_errors)}], lambda e: e is not null) end as _errors
from {text_table}
"""
    rule_errors = [_rule_error(r) for r in spec.rules]
    key_cols = ", ".join(f'"{k}"' for k in spec.key)
    key_not_null = " and ".join(f'"{k}" is not null' for k in spec.key)
    key_text = " || ', ' || ".join(f's."{k}"::varchar' for k in spec.key)
    dup_message = (f"'duplicate key ({', '.join(spec.key)}) = (' || {key_text} "
                   f"|| ') first at row ' || s._first_row::varchar")
    dup_error = _error(spec.key[0], "duplicate_key", dup_message)
    ref_joins = []
    ref_errors = []
    for i, ref in enumerate(spec.references):
        alias = f"_ref{i}"
        on = " and ".join(f'{alias}."{t}" = s."{c}"'
                          for c, t in zip(ref.columns, ref.target_columns, strict=True))
        targets = ", ".join(f'"{t}"' for t in ref.target_columns)
        ref_joins.append(
            f"left join (select distinct {targets} from {reference_sql[ref.target]})"
            f" as {alias} on {on}"
        )
        cols_text = ", ".join(ref.columns)
        message = _q(f"({cols_text}) not found in {ref.target} (this or an earlier batch)")
        all_present = " and ".join(f's."{c}" is not null' for c in ref.columns)
        ref_errors.append(
            f"case when {all_present} and {alias}.\"{ref.target_columns[0]}\" is null "
            f"then {_error(ref.columns[0], 'reference_' + ref.target, message)} end"
        )
    extra = [f"case when s._dup_rank > 1 then {dup_error} end", *ref_errors]
    stage2 = f"""
create or replace temp table {checked_table} as
with ruled as (
  select *,
    list_concat(_errors, list_filter([{', '.join(rule_errors) or 'null'}], lambda e: e is not null))
      as _errors2,
    case when {key_not_null} then row_number() over (partition by {key_cols}
      order by _row_number) end as _dup_rank,
    case when {key_not_null} then min(_row_number) over (partition by {key_cols}) end
      as _first_row
  from {checked_table}__s1
)
select s.* exclude (_errors, _errors2, _dup_rank, _first_row),
  list_concat(s._errors2, list_filter([{', '.join(extra)}], lambda e: e is not null)) as _errors
from ruled as s
{' '.join(ref_joins)}
"""
    return [stage1, stage2, f"drop table {checked_table}__s1"]
