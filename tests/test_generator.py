"""Tests of the sample-data generator (yibao.generate): the files it writes obey the extract
contract, the money adds up, the batches and corrections look like real deliveries, and the
output is deterministic."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from yibao.contract import FILES, FILES_BY_NAME, FileSpec, code_values
from yibao.generate import generate_extracts
from yibao.generate.pipeline import MANIFEST_NAME
from yibao.generate.policy import POLICY_SEED

PERSONS = 400
SEED = 7
TEXT_CHECKS = {
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "timestamp": r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}",
    "yearmonth": r"[0-9]{4}(0[1-9]|1[0-2])",
    "amount": r"-?[0-9]+(\.[0-9]{1,2})?",
    "count": r"-?[0-9]+(\.[0-9]{1,4})?",
    "ratio": r"[0-9]+(\.[0-9]{1,4})?",
    "flag": r"[01]",
}
REGION_AREAS = ("city_district", "county")


# ----------------------------------------------------------------------------- helpers
class Extracts:
    """Reads a generated extracts root back as text, as a loader would."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
        self.batches = sorted(self.manifest["batches"])
        self._cache: dict[tuple[str, str], pd.DataFrame] = {}

    def entry(self, batch: str, spec: str) -> tuple[str, dict] | None:
        for name, info in self.manifest["batches"][batch].items():
            if info["file_spec"] == spec:
                return name, info
        return None

    def read(self, batch: str, spec: str) -> pd.DataFrame:
        """One file as strings (None = empty), with ``_row`` = 1-based data-row number."""
        key = (batch, spec)
        if key not in self._cache:
            found = self.entry(batch, spec)
            if found is None:
                df = pd.DataFrame(columns=[*FILES_BY_NAME[spec].column_names, "_row"])
            else:
                name, info = found
                path = self.root / batch / name
                if info["format"] == "parquet":
                    con = duckdb.connect()
                    cols = ", ".join(f'cast("{c}" as varchar) as "{c}"'
                                     for c in FILES_BY_NAME[spec].column_names)
                    df = con.execute(f"select {cols} from read_parquet('{path}')").df()
                else:
                    df = pd.read_csv(path, dtype=str, keep_default_na=False,
                                     encoding=info["encoding"])
                df = df.astype(object).where(df.astype(str) != "", None)
                df["_row"] = range(1, len(df) + 1)
            self._cache[key] = df
        return self._cache[key]

    def union(self, spec: str) -> pd.DataFrame:
        """All batches in delivery order, the latest version of each key kept."""
        parts = []
        for k, b in enumerate(self.batches):
            df = self.read(b, spec).copy()
            df["_batch"] = k
            parts.append(df)
        all_ = pd.concat(parts, ignore_index=True)
        key = list(FILES_BY_NAME[spec].key)
        return all_.sort_values("_batch", kind="stable").drop_duplicates(key, keep="last")


def contract_violations(df: pd.DataFrame, spec: FileSpec) -> pd.DataFrame:
    """Rows of a text frame that break a column check or a row rule: (_row, check)."""
    con = duckdb.connect()
    con.register("raw_in", df[[*spec.column_names, "_row"]])
    checks: list[tuple[str, str]] = []
    for c in spec.columns:
        col = f'"{c.name}"'
        if c.required:
            checks.append((f"{c.name}:required", f"{col} is null"))
        if c.type in TEXT_CHECKS:
            cast = {"date": "date", "timestamp": "timestamp"}.get(c.type)
            bad = f"not regexp_full_match({col}, '{TEXT_CHECKS[c.type]}')"
            if cast:
                bad += f" or try_cast({col} as {cast}) is null"
            checks.append((f"{c.name}:type", f"{col} is not null and ({bad})"))
        if c.pattern:
            checks.append((f"{c.name}:pattern",
                           f"{col} is not null and not regexp_full_match({col}, '{c.pattern}')"))
        if c.code_table:
            codes = ", ".join(f"'{v}'" for v in sorted(code_values(c.code_table)))
            checks.append((f"{c.name}:code", f"{col} is not null and {col} not in ({codes})"))
    typed = ", ".join(f'try_cast("{c.name}" as {c.sql_type}) as "{c.name}"'
                      for c in spec.columns)
    con.execute(f"create table typed as select {typed}, _row from raw_in")
    rows = []
    for code, cond in checks:
        for (r,) in con.execute(f"select _row from raw_in where {cond}").fetchall():
            rows.append((r, code))
    for rule in spec.rules:
        q = f"select _row from typed where not coalesce(({rule.expr}), true)"
        for (r,) in con.execute(q).fetchall():
            rows.append((r, rule.code))
    return pd.DataFrame(rows, columns=["_row", "check"])


def money(series: pd.Series) -> pd.Series:
    return series.map(lambda v: Decimal(v) if v is not None else Decimal(0))


def file_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Extracts:
    root = tmp_path_factory.mktemp("clean")
    messages: list[str] = []
    summary = generate_extracts(root, persons=PERSONS, seed=SEED, progress=messages.append)
    extracts = Extracts(root)
    extracts.messages = messages  # type: ignore[attr-defined]
    extracts.summary = summary  # type: ignore[attr-defined]
    return extracts


@pytest.fixture(scope="module")
def defective(tmp_path_factory: pytest.TempPathFactory) -> Extracts:
    root = tmp_path_factory.mktemp("defective")
    generate_extracts(root, persons=300, seed=11, defect_share=0.05)
    return Extracts(root)


@pytest.fixture(scope="module")
def institutions(clean: Extracts) -> pd.DataFrame:
    return clean.union("institution")


# ------------------------------------------------------------------ layout and formats
def test_history_batch_and_three_daily_batches_are_written(clean: Extracts) -> None:
    assert clean.batches == ["2024-12-29", "2024-12-30", "2024-12-31", "2025-01-01"]
    history = clean.manifest["batches"]["2024-12-29"]
    assert sorted(i["file_spec"] for i in history.values()) == sorted(f.name for f in FILES)
    for batch in clean.batches:
        on_disk = sorted(p.name for p in (clean.root / batch).iterdir())
        assert on_disk == sorted(clean.manifest["batches"][batch])
    assert not any(p.name == MANIFEST_NAME for p in clean.root.rglob("*/" + MANIFEST_NAME))


def test_daily_batches_carry_only_the_events_of_the_previous_day(clean: Extracts) -> None:
    event_column = {"settlement": "setl_time", "his_fee_detail": "fee_ocur_time",
                    "his_payment": "pay_time", "contribution": "clct_time"}
    for k, batch in enumerate(clean.batches[1:], start=1):
        day = (pd.Timestamp(batch) - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
        for spec, col in event_column.items():
            df = clean.read(batch, spec)
            assert (df[col].str[:10] == day).all(), (batch, spec)
        assert len(clean.read(batch, "settlement")) > 0, k
    history = clean.read(clean.batches[0], "settlement")
    assert history["setl_time"].max()[:10] <= "2024-12-28"


def test_every_history_row_obeys_the_contract(clean: Extracts) -> None:
    for spec in FILES:
        for batch in clean.batches:
            df = clean.read(batch, spec.name)
            bad = contract_violations(df, spec)
            assert bad.empty, (batch, spec.name, bad.head(10).to_dict("records"))


def test_columns_are_in_contract_order_with_a_header(clean: Extracts) -> None:
    for batch in clean.batches:
        for name, info in clean.manifest["batches"][batch].items():
            if info["format"] == "parquet":
                cols = duckdb.connect().execute(
                    f"select * from read_parquet('{clean.root / batch / name}') limit 0"
                ).description
                header = [c[0] for c in cols]
            else:
                opener = gzip.open if name.endswith(".gz") else open
                with opener(clean.root / batch / name, "rt", encoding=info["encoding"],
                            newline="") as fh:
                    header = next(csv.reader(fh))
            assert header == list(FILES_BY_NAME[info["file_spec"]].column_names), name


def test_some_file_is_gb18030_and_not_valid_utf8(clean: Extracts) -> None:
    gb = [(b, n) for b in clean.batches for n, i in clean.manifest["batches"][b].items()
          if i["encoding"] == "gb18030"]
    assert gb
    raw = (clean.root / gb[0][0] / gb[0][1]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "人民医院" in raw.decode("gb18030")


def test_formats_include_bom_gzip_and_typed_parquet(clean: Extracts) -> None:
    kinds = {(i["format"], i["encoding"]) for b in clean.batches
             for i in clean.manifest["batches"][b].values()}
    assert ("csv", "utf-8-sig") in kinds and ("csv.gz", "utf-8") in kinds
    assert ("parquet", None) in kinds
    bom = next(clean.root / b / n for b in clean.batches
               for n, i in clean.manifest["batches"][b].items() if i["encoding"] == "utf-8-sig")
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    parquet = next(clean.root / b / n for b in clean.batches
                   for n, i in clean.manifest["batches"][b].items() if i["format"] == "parquet")
    types: dict[str, str] = {}
    for b in clean.batches:
        for n, i in clean.manifest["batches"][b].items():
            if i["format"] == "parquet":
                types |= {c[0]: c[1] for c in duckdb.connect().execute(
                    f"describe select * from read_parquet('{clean.root / b / n}')").fetchall()}
    assert types["fee_ocur_time"].startswith("TIMESTAMP")
    assert types["det_item_fee_sumamt"] == "DECIMAL(18,2)"
    assert types["cnt"] == "DECIMAL(18,4)"
    assert types["begndate"] == "DATE" and types["is_lead"] == "INTEGER"
    del parquet


def test_summary_and_progress_report_what_was_written(clean: Extracts) -> None:
    summary = clean.summary  # type: ignore[attr-defined]
    assert summary.batches == clean.batches and summary.defects == 0
    assert summary.rows == clean.manifest["rows"]
    assert set(summary.rows) == {f.name for f in FILES}
    messages = clean.messages  # type: ignore[attr-defined]
    assert f"generating enrollment: {PERSONS:,} persons" in messages
    assert any(m.startswith("wrote 2024-12-29/settlement.csv (") for m in messages)


def test_manifest_counts_match_the_files(clean: Extracts) -> None:
    for batch in clean.batches:
        for name, info in clean.manifest["batches"][batch].items():
            assert len(clean.read(batch, info["file_spec"])) == info["rows"], (batch, name)
    assert clean.manifest["defects"] == []


# ---------------------------------------------------------------------- determinism
def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_extracts(a, persons=120, seed=3, start_year=2023, end_year=2024)
    generate_extracts(b, persons=120, seed=3, start_year=2023, end_year=2024)
    generate_extracts(c, persons=120, seed=4, start_year=2023, end_year=2024)
    ha, hb, hc = file_hashes(a), file_hashes(b), file_hashes(c)
    assert ha == hb
    assert ha != hc
    # writing again into a used folder replaces the batches deterministically
    generate_extracts(a, persons=120, seed=3, start_year=2023, end_year=2024)
    assert file_hashes(a) == hb


# ------------------------------------------------------------------------ settlement money
def test_settlement_identities_hold_to_the_cent(clean: Extracts) -> None:
    s = clean.union("settlement")
    m = {c: money(s[c]) for c in FILES_BY_NAME["settlement"].column_names
         if FILES_BY_NAME["settlement"].column(c).type == "amount"}
    funds = m["hifp_pay"] + m["cvlserv_pay"] + m["hifob_pay"] + m["hifmi_pay"] + m["maf_pay"] \
        + m["oth_pay"]
    assert (m["fund_pay_sumamt"] == funds).all()
    assert (m["psn_part_amt"] == m["medfee_sumamt"] - m["fund_pay_sumamt"]).all()
    assert (m["psn_part_amt"] == m["acct_pay"] + m["psn_cash_pay"]).all()
    scope = m["medfee_sumamt"] - m["fulamt_ownpay_amt"] - m["overlmt_selfpay"] - m[
        "preselfpay_amt"]
    assert (m["inscp_scp_amt"] == scope).all()


def test_settlement_money_follows_the_policy_seed(clean: Extracts) -> None:
    seed = pd.read_csv(POLICY_SEED, dtype=str)
    allowed = {Decimal(r) for r in seed["pool_ratio"]} | {
        Decimal(r) - Decimal(c) for r, c in zip(seed["pool_ratio"],
                                                seed["out_of_province_ratio_cut"], strict=True)}
    s = clean.union("settlement")
    corrected = set(s["init_setl_id"].dropna())
    s = s[(s["refd_setl_flag"] == "0") & ~s["setl_id"].isin(corrected)]
    ratio = money(s["pool_prop_selfpay"])
    assert set(ratio) <= allowed
    hifp = money(s["hifp_pay"])
    base = (money(s["inscp_scp_amt"]) - money(s["act_pay_dedc"])) * ratio
    assert (hifp <= base + Decimal("0.01")).all()
    resident = s["insutype"] == "390"
    assert (money(s.loc[resident, "acct_pay"]) == 0).all()
    assert (money(s.loc[resident, "hifob_pay"]) == 0).all()
    assert (money(s.loc[~resident, "hifmi_pay"]) == 0).all()


def test_reversals_negate_an_existing_settlement_and_are_resettled(clean: Extracts) -> None:
    s = clean.union("settlement").set_index("setl_id")
    rev = s[s["refd_setl_flag"] == "1"]
    assert len(rev) > 0
    assert rev["init_setl_id"].isin(s.index).all()
    for setl_id, row in rev.iterrows():
        orig = s.loc[row["init_setl_id"]]
        assert orig["refd_setl_flag"] == "0"
        assert Decimal(row["medfee_sumamt"]) == -Decimal(orig["medfee_sumamt"])
        assert row["pool_prop_selfpay"] == orig["pool_prop_selfpay"]
        assert row["setl_time"] > orig["setl_time"], setl_id
        again = s[(s["mdtrt_id"] == orig["mdtrt_id"]) & (s["refd_setl_flag"] == "0")
                  & (s["setl_time"] > row["setl_time"])]
        assert len(again) >= 1
    daily = clean.read(clean.batches[1], "settlement")
    older = clean.read(clean.batches[0], "settlement")["setl_id"]
    corrections = daily[daily["refd_setl_flag"] == "1"]
    assert corrections["init_setl_id"].isin(older).any()


def test_fee_lines_equal_net_settlements_per_insured_his_visit(clean: Extracts) -> None:
    visits = clean.union("his_visit")
    fees = clean.union("his_fee_detail")
    s = clean.union("settlement")
    fee_sum = fees.assign(a=money(fees["det_item_fee_sumamt"])).groupby(
        ["fixmedins_code", "his_visit_no"])["a"].sum()
    net = s.assign(a=money(s["medfee_sumamt"])).groupby("mdtrt_id")["a"].sum()
    insured = visits[visits["mdtrt_id"].notna()]
    assert len(insured) > 100
    for _, v in insured.iterrows():
        lines = fee_sum.get((v["fixmedins_code"], v["his_visit_no"]), Decimal(0))
        assert abs(lines - net.get(v["mdtrt_id"], Decimal(0))) <= Decimal("0.01"), v.to_dict()
    assert (visits["mdtrt_id"].isna() == visits["psn_no"].isna()).all()
    uninsured = visits[visits["mdtrt_id"].isna()]
    assert len(uninsured) > 0


def test_patient_payments_add_up_to_the_cash_share(clean: Extracts) -> None:
    visits = clean.union("his_visit")
    pays = clean.union("his_payment")
    s = clean.union("settlement")
    paid = pays.assign(a=money(pays["pay_amt"])).groupby(
        ["fixmedins_code", "his_visit_no"])["a"].sum()
    cash = s.assign(a=money(s["psn_cash_pay"])).groupby("mdtrt_id")["a"].sum()
    insured = visits[visits["mdtrt_id"].notna()]
    arrears = 0
    for _, v in insured.iterrows():
        due = cash.get(v["mdtrt_id"], Decimal(0))
        got = paid.get((v["fixmedins_code"], v["his_visit_no"]), Decimal(0))
        if v["ptfp_flag"] == "1":
            assert got <= due
            arrears += got < due
        else:
            assert got == due, v.to_dict()
    assert set(pays["pay_type"]) == {"deposit", "settle", "arrears_repay", "refund"}


def test_deductible_is_paid_once_a_year_per_person_for_inpatient_care(clean: Extracts) -> None:
    s = clean.union("settlement")
    ip = s[s["med_type"] == "21"].assign(year=s["setl_time"].str[:4],
                                          d=lambda x: money(x["act_pay_dedc"]))
    net = ip.groupby(["psn_no", "insutype", "year"])["d"].sum()
    assert (net <= Decimal("1000.00")).all()
    assert (net > 0).any()


def test_settlements_happen_inside_an_enrollment_spell_of_their_scheme(clean: Extracts) -> None:
    s = clean.union("settlement")
    e = clean.union("enrollment")
    s = s.assign(day=s["setl_time"].str[:10], _i=range(len(s)))
    m = s.merge(e[["psn_no", "insutype", "begndate", "enddate", "psn_type", "insu_admdvs"]],
                on=["psn_no", "insutype"], suffixes=("", "_spell"))
    inside = m[(m["begndate"] <= m["day"]) & (m["enddate"].isna() | (m["day"] <= m["enddate"]))]
    assert inside["_i"].nunique() >= 0.99 * len(s)
    assert (inside["psn_type"] == inside["psn_type_spell"]).all()
    assert (inside["insu_admdvs"] == inside["insu_admdvs_spell"]).all()


def test_fee_lines_fall_inside_their_visit(clean: Extracts) -> None:
    v = clean.union("his_visit")
    f = clean.union("his_fee_detail").merge(v, on=["fixmedins_code", "his_visit_no"])
    assert (f["fee_ocur_time"] >= f["begntime"]).all()
    assert (f["fee_ocur_time"] <= f["endtime"]).all()
    assert (pd.to_numeric(f["cnt"]) < 0).any()  # returned items exist
    assert (v["endtime"] <= "2024-12-31 23:59:59").all()


# ------------------------------------------------------------------ enrollment and money in
def test_resident_payments_from_july_carry_no_subsidy(clean: Extracts) -> None:
    c = clean.union("contribution")
    e = clean.union("enrollment")
    green = set(e.loc[e["spcl_psn_type"].isin(["1", "2", "4"]) | (e["psn_type"] == "23"),
                      "psn_no"])
    # employees who lost their job and joined the resident scheme within three months
    emp_end = e[e["insutype"] == "310"].dropna(subset=["enddate"])
    res = e[e["insutype"] == "390"]
    joined = res.merge(emp_end[["psn_no", "enddate"]], on="psn_no", suffixes=("", "_emp"))
    gap = pd.to_datetime(joined["begndate"]) - pd.to_datetime(joined["enddate_emp"])
    green |= set(joined.loc[(gap.dt.days > 0) & (gap.dt.days <= 92), "psn_no"])
    r = c[(c["insutype"] == "390") & (c["revs_flag"] == "0")]
    late = r[(r["clct_time"].str[5:7] >= "07") & (r["clct_time"].str[:4] == r["begn_ym"].str[:4])]
    ordinary = late[~late["psn_no"].isin(green)]
    assert len(ordinary) > 0
    assert (money(ordinary["govt_subsidy_amt"]) == 0).all()
    assert (money(r["govt_subsidy_amt"]) > 0).mean() > 0.9
    assert ((r["begn_ym"].str[4:] == "01") & (r["end_ym"].str[4:] == "12")).all()


def test_employees_pay_monthly_and_retirees_not_at_all(clean: Extracts) -> None:
    c = clean.union("contribution")
    e = clean.union("enrollment")
    emp = c[(c["insutype"] == "310") & (c["revs_flag"] == "0")]
    assert (emp["begn_ym"] == emp["end_ym"]).all()
    assert (money(emp["govt_subsidy_amt"]) == 0).all()
    only_retired = set(e.loc[e["psn_type"] == "12", "psn_no"]) - set(
        e.loc[e["psn_type"].isin(["11", "13"]), "psn_no"])
    assert not set(emp["psn_no"]) & only_retired
    assert (c["revs_flag"] == "1").sum() >= 1


def test_enrollment_correction_redelivers_the_same_key(clean: Extracts) -> None:
    key = ["psn_no", "insutype", "begndate"]
    history = clean.read(clean.batches[0], "enrollment")
    daily = pd.concat([clean.read(b, "enrollment") for b in clean.batches[1:]])
    both = daily.merge(history, on=key, suffixes=("", "_old"))
    assert len(both) >= 1
    changed = both[(both["enddate"] != both["enddate_old"])
                   | (both["psn_insu_stas"] != both["psn_insu_stas_old"])]
    assert len(changed) >= 1
    assert changed["enddate_old"].isna().all()


def test_certno_has_a_valid_check_digit(clean: Extracts) -> None:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for certno, brdy in clean.union("enrollment")[["certno", "brdy"]].itertuples(index=False):
        total = sum(int(ch) * w for ch, w in zip(certno[:17], weights, strict=True))
        assert certno[17] == "10X98765432"[total % 11]
        assert certno[6:14] == brdy.replace("-", "")


def test_age_structure_and_schemes_look_like_heilongjiang(clean: Extracts) -> None:
    e = clean.union("enrollment").drop_duplicates("psn_no")
    age = 2020 - pd.to_numeric(e["brdy"].str[:4])
    assert 0.12 <= (age >= 60).mean() <= 0.32
    assert (age < 18).mean() <= 0.2
    spells = clean.union("enrollment")
    assert 0.15 <= (spells["insutype"] == "310").mean() <= 0.35
    counties = {"230123", "230124", "230125", "230126", "230127", "230128", "230129", "230183",
                "230184"}
    assert e["insu_admdvs"].isin(counties).mean() > 0.7


# ----------------------------------------------------------------------- region and HIS
def test_each_alliance_has_exactly_one_lead(clean: Extracts, institutions: pd.DataFrame) -> None:
    m = clean.union("alliance_member")
    leads = m[m["is_lead"] == "1"].groupby("alliance_id").size()
    assert set(leads.index) == set(m["alliance_id"])
    assert (leads == 1).all()
    assert m["fixmedins_code"].isin(institutions["fixmedins_code"]).all()
    per_county = m.groupby("county_admdvs")["alliance_id"].nunique()
    assert (per_county >= 2).sum() >= 2
    moved = m.groupby("fixmedins_code")["alliance_id"].nunique()
    assert (moved > 1).any()


def test_hospital_visits_happen_in_the_region_and_not_at_pharmacies(
        clean: Extracts, institutions: pd.DataFrame) -> None:
    inst = institutions.set_index("fixmedins_code")
    in_region = set(pd.read_csv(Path(__file__).resolve().parent.parent / "seeds" / "reference"
                                / "ref_admdvs.csv", dtype=str)
                    .query("area_type in @REGION_AREAS")["admdvs"])
    for spec in ("his_visit", "his_fee_detail", "his_payment", "his_drug_purchase"):
        codes = set(clean.union(spec)["fixmedins_code"])
        assert codes <= set(inst.index), spec
        assert inst.loc[sorted(codes), "admdvs"].isin(in_region).all(), spec
        assert (inst.loc[sorted(codes), "medins_cat"] != "pharmacy").all(), spec
    s = clean.union("settlement")
    pharmacy = s["fixmedins_code"].str.startswith("P")
    assert (s.loc[pharmacy, "med_type"] == "41").all()
    assert (~inst.loc[s["fixmedins_code"], "admdvs"].isin(in_region)).any()


def test_procurement_completion_spreads_and_suppliers_pay_late_sometimes(clean: Extracts) -> None:
    agr = clean.union("procurement_agreement")
    pur = clean.union("his_drug_purchase")
    assert agr["vbp_batch"].nunique() >= 3
    done = agr[agr["enddate"] <= "2024-12-28"]
    merged = done.merge(pur, on=["fixmedins_code", "med_list_codg"])
    merged = merged[(merged["purc_time"].str[:10] >= merged["begndate"])
                    & (merged["purc_time"].str[:10] <= merged["enddate"])]
    rate = (merged.assign(c=pd.to_numeric(merged["purc_cnt"]))
            .groupby("agreement_id")["c"].sum() / pd.to_numeric(
                done.set_index("agreement_id")["agreed_cnt"]))
    rate = rate.dropna()
    assert rate.quantile(0.05) >= 0.5 and rate.quantile(0.95) <= 1.45
    days = (pd.to_datetime(pur["pay_time"]) - pd.to_datetime(pur["purc_time"])).dt.days
    assert (days > 30).any() and (days <= 30).mean() > 0.5 and pur["pay_time"].isna().any()
    redelivered = pd.concat([clean.read(b, "his_drug_purchase") for b in clean.batches[1:]])
    history = clean.read(clean.batches[0], "his_drug_purchase")
    late = redelivered.merge(history, on=["fixmedins_code", "purc_id"], suffixes=("", "_old"))
    assert (late["pay_time"].notna() & late["pay_time_old"].isna()).any()


# --------------------------------------------------------------------------- defects
def test_defects_cover_every_kind_and_are_really_defective(defective: Extracts) -> None:
    from yibao.generate.defects import KINDS

    found = defective.manifest["defects"]
    assert {d["kind"] for d in found} == {k.kind for k in KINDS}
    assert all(d["batch"] != defective.batches[0] for d in found)
    visit_numbers = set()
    for b in defective.batches:
        visit_numbers |= set(defective.read(b, "his_visit")["his_visit_no"])
    for d in found:
        spec = FILES_BY_NAME[d["file_spec"]]
        path = defective.root / d["batch"] / d["file"]
        if d["kind"] == "wrong_field_count":
            info = defective.manifest["batches"][d["batch"]][d["file"]]
            with path.open(encoding=info["encoding"], newline="") as fh:
                rows = list(csv.reader(fh))
            assert len(rows[d["row"]]) != len(spec.column_names)
            continue
        df = defective.read(d["batch"], d["file_spec"])
        row = df[df["_row"] == d["row"]]
        assert len(row) == 1
        if d["kind"] == "duplicate_key":
            key = list(spec.key)
            same = df[(df[key] == row[key].iloc[0]).all(axis=1)]
            assert len(same) == 2 and same["_row"].min() < d["row"]  # the copy comes second
        elif d["kind"] == "orphan_fee_line":
            assert row["his_visit_no"].iloc[0] not in visit_numbers
        else:
            bad = contract_violations(df, spec)
            assert d["row"] in set(bad["_row"]), d
    # the rest of the rows stay clean
    for b in defective.batches:
        for spec in FILES:
            df = defective.read(b, spec.name)
            marked = {d["row"] for d in found if d["batch"] == b and d["file_spec"] == spec.name}
            bad = contract_violations(df, spec)
            assert set(bad["_row"]) <= marked, (b, spec.name)
