"""``generate_extracts``: the whole sample, from region to files.

Files written (deterministic choice, so that every input path of the loader is exercised):

==========================================  =====================================
history ``institution.csv``                 GB18030, CRLF line ends (Chinese names)
history ``alliance_member.parquet``         Parquet, typed columns (date32, int32, string)
history ``procurement_agreement.csv``       UTF-8 with BOM
history ``contribution.csv.gz``             gzip of UTF-8 CSV (mtime 0)
history ``his_fee_detail.parquet``          Parquet (timestamp[s], decimal128, string)
first daily ``institution.csv``             GB18030, CRLF (a newly designated pharmacy)
first daily ``enrollment.csv``              GB18030, CRLF (names; enrollment corrections)
second daily ``settlement.csv``             UTF-8 with BOM
everything else                             UTF-8 CSV, LF line ends
==========================================  =====================================

``generation-manifest.json`` at the root of ``out_dir`` (not in a batch folder) records the
arguments, the files of each batch with format, encoding and row count, and every injected
defect (batch, file, 1-based data-row number without the header, kind, column).
"""

from __future__ import annotations

import json
import shutil
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from yibao.contract import FILES, FILES_BY_NAME
from yibao.generate import defects as defects_mod
from yibao.generate.batches import BatchPlan, split_by_event, split_with_update, ts_day
from yibao.generate.care import build_events
from yibao.generate.catalogue import Catalogue, build_catalogue
from yibao.generate.contributions import build_contributions
from yibao.generate.dates import NULL_DAY, NULL_TS, SECONDS_PER_DAY, day_of
from yibao.generate.fees import build_fee_lines
from yibao.generate.payments import build_payments
from yibao.generate.population import Population, build_population
from yibao.generate.procurement import build_procurement
from yibao.generate.region import build_region
from yibao.generate.settle import build_settlements
from yibao.generate.writer import FileFormat, format_frame, write_file

MANIFEST_NAME = "generation-manifest.json"
GB18030 = FileFormat("csv", "gb18030", crlf=True)
FORMATS: dict[tuple[int, str], FileFormat] = {
    (0, "institution"): GB18030,
    (0, "alliance_member"): FileFormat("parquet", ""),
    (0, "procurement_agreement"): FileFormat("csv", "utf-8-sig"),
    (0, "contribution"): FileFormat("csv.gz", "utf-8"),
    (0, "his_fee_detail"): FileFormat("parquet", ""),
    (1, "institution"): GB18030,
    (1, "enrollment"): GB18030,
    (2, "settlement"): FileFormat("csv", "utf-8-sig"),
}


@dataclass
class GenerationSummary:
    """What ``generate_extracts`` wrote."""

    out_dir: Path
    batches: list[str]
    rows: dict[str, int]
    defects: int
    files: list[Path] = field(default_factory=list)
    manifest: Path | None = None


def _rng(seed: int, label: str) -> np.random.Generator:
    """An independent random stream per part, so parts do not shift each other."""
    return np.random.default_rng([seed, zlib.crc32(label.encode())])


def generate_extracts(out_dir: Path, persons: int = 10_000, seed: int = 20240101,
                      start_year: int = 2020, end_year: int = 2024, defect_share: float = 0.0,
                      progress: Callable[[str], None] | None = None) -> GenerationSummary:
    """Write a deterministic sample of the extract contract into ``out_dir``.

    Same arguments ⇒ byte-identical files. Batch folders this call writes are removed first;
    other content of ``out_dir`` is left alone.
    """
    if persons < 1:
        raise ValueError(f"persons must be at least 1, got {persons}")
    if end_year < start_year:
        raise ValueError(f"end_year {end_year} is before start_year {start_year}")
    if not 0.0 <= defect_share < 1.0:
        raise ValueError(f"defect_share must be in [0, 1), got {defect_share}")
    say = progress or (lambda _msg: None)
    out_dir = Path(out_dir)
    plan = BatchPlan.for_end_year(end_year)
    d1 = day_of(end_year, 12, 31)
    cat = build_catalogue()

    say("building the region: institutions and alliances")
    region = build_region(_rng(seed, "region"), start_year, end_year)
    inst = region.institutions
    say(f"generating enrollment: {persons:,} persons")
    pop = build_population(_rng(seed, "population"), region, persons, start_year, end_year)
    say("generating contributions")
    contrib = build_contributions(_rng(seed, "contributions"), pop, start_year, end_year)
    say("generating visits")
    ev = build_events(_rng(seed, "care"), region, pop, contrib, start_year, end_year)
    say(f"generating fee lines for {len(ev):,} visits")
    lines = build_fee_lines(_rng(seed, "fees"), cat, ev, start_year)
    say(f"settling {int(ev['insured'].sum()):,} insured visits")
    st = build_settlements(_rng(seed, "settle"), cat, ev, lines, pop, inst, plan.cutoff, d1)
    say("generating patient payments")
    pays = build_payments(_rng(seed, "payments"), ev, lines, st, (d1 + 1) * SECONDS_PER_DAY - 1)
    say("generating procurement agreements and purchases")
    proc = build_procurement(_rng(seed, "procurement"), cat, inst, start_year, end_year,
                             plan.cutoff)

    tables = _tables(cat, inst, region.alliance_members, pop, contrib.rows, ev, lines, st,
                     pays, proc.agreements, proc.purchases)
    batches = _split(plan, tables)
    return _write(out_dir, plan, batches, seed, persons, start_year, end_year, defect_share,
                  say)


def _tables(cat: Catalogue, inst: pd.DataFrame, members: pd.DataFrame, pop: Population,
            contrib_rows: pd.DataFrame, ev: pd.DataFrame, lines: pd.DataFrame,
            st: pd.DataFrame, pays: pd.DataFrame, agreements: pd.DataFrame,
            purchases: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The final state of every contract file as typed frames."""
    code = inst["fixmedins_code"].to_numpy()
    persons = pop.persons
    sp = pop.spells
    p = sp["psn"].to_numpy()
    enrollment = pd.DataFrame({
        "psn_no": persons["psn_no"].to_numpy()[p], "certno": persons["certno"].to_numpy()[p],
        "psn_name": persons["psn_name"].to_numpy()[p], "gend": persons["gend"].to_numpy()[p],
        "brdy": persons["brdy"].to_numpy()[p], "insutype": sp["insutype"].to_numpy(),
        "psn_type": sp["psn_type"].to_numpy(), "spcl_psn_type": sp["spcl_psn_type"].to_numpy(),
        "insu_admdvs": sp["insu_admdvs"].to_numpy(),
        "psn_insu_stas": sp["psn_insu_stas"].to_numpy(), "begndate": sp["begndate"].to_numpy(),
        "enddate": sp["enddate"].to_numpy(), "emp_no": sp["emp_no"].to_numpy(),
    })
    his = ev[ev["his"]]
    psn_no = persons["psn_no"].to_numpy()
    his_psn = his["psn"].to_numpy()
    refl_inst = his["refl_inst"].to_numpy()
    visit = pd.DataFrame({
        "fixmedins_code": code[his["inst"].to_numpy()],
        "his_visit_no": his["his_visit_no"].to_numpy(),
        "mdtrt_id": his["mdtrt_id"].to_numpy(),
        "psn_no": np.where(his_psn >= 0, psn_no[np.maximum(his_psn, 0)], None),
        "med_type": his["med_type"].to_numpy(), "begntime": his["begin_ts"].to_numpy(),
        "endtime": his["end_ts"].to_numpy(), "dept_codg": his["dept_codg"].to_numpy(),
        "dise_codg": his["dise_codg"].to_numpy(), "refl_type": his["refl_type"].to_numpy(),
        "refl_fixmedins_code": np.where(refl_inst >= 0, code[np.maximum(refl_inst, 0)], None),
        "ptfp_flag": his["ptfp"].to_numpy(),
    })
    ev_his = ev["his"].to_numpy()
    hl = lines[ev_his[lines["ev"].to_numpy()]]
    e = hl["ev"].to_numpy()
    item = hl["item"].to_numpy()
    fee = pd.DataFrame({
        "fixmedins_code": code[ev["inst"].to_numpy()[e]],
        "his_visit_no": ev["his_visit_no"].to_numpy()[e],
        "feedetl_sn": [f"{s:04d}" for s in hl["sn"].to_numpy()],
        "fee_ocur_time": hl["ts"].to_numpy(), "med_list_codg": cat.code[item],
        "list_type": cat.list_type[item], "chrgitm_lv": cat.lv[item],
        "cnt": hl["cnt4"].to_numpy(), "pric": hl["pric4"].to_numpy(),
        "det_item_fee_sumamt": hl["amount"].to_numpy(),
    })
    pe = pays["ev"].to_numpy()
    payment = pd.DataFrame({
        "fixmedins_code": code[ev["inst"].to_numpy()[pe]], "pay_id": pays["pay_id"].to_numpy(),
        "his_visit_no": ev["his_visit_no"].to_numpy()[pe], "pay_time": pays["pay_ts"].to_numpy(),
        "pay_type": pays["pay_type"].to_numpy(), "pay_amt": pays["amount"].to_numpy(),
    })
    settlement = st.copy()
    settlement["psn_no"] = psn_no[st["psn"].to_numpy()]
    tables = {
        "institution": inst,
        "alliance_member": members,
        "procurement_agreement": agreements,
        "enrollment": enrollment,
        "contribution": contrib_rows,
        "his_visit": visit,
        "his_fee_detail": fee,
        "his_drug_purchase": purchases,
        "his_payment": payment,
        "settlement": settlement,
    }
    return {name: df[list(FILES_BY_NAME[name].column_names)] for name, df in tables.items()}


def _split(plan: BatchPlan, t: dict[str, pd.DataFrame]) -> list[dict[str, pd.DataFrame]]:
    """Per batch, the typed frames it delivers (files without rows are left out)."""
    parts: dict[str, list[pd.DataFrame]] = {}
    for name in ("alliance_member", "procurement_agreement"):  # planned ahead: all history
        df = t[name]
        parts[name] = split_by_event(plan, df, np.full(len(df), plan.cutoff))
    parts["institution"] = split_by_event(plan, t["institution"],
                                          t["institution"]["begndate"].to_numpy())
    enr = t["enrollment"]
    parts["enrollment"] = split_with_update(plan, enr, enr["begndate"].to_numpy(),
                                            enr["enddate"].to_numpy(),
                                            {"enddate": NULL_DAY, "psn_insu_stas": "1"})
    for name, col in (("contribution", "clct_time"), ("his_fee_detail", "fee_ocur_time"),
                      ("his_payment", "pay_time"), ("settlement", "setl_time")):
        parts[name] = split_by_event(plan, t[name], ts_day(t[name][col].to_numpy()))
    vis = t["his_visit"]
    parts["his_visit"] = split_with_update(plan, vis, ts_day(vis["begntime"].to_numpy()),
                                           ts_day(vis["endtime"].to_numpy()),
                                           {"endtime": NULL_TS})
    pur = t["his_drug_purchase"]
    parts["his_drug_purchase"] = split_with_update(plan, pur, ts_day(pur["purc_time"].to_numpy()),
                                                   ts_day(pur["pay_time"].to_numpy()),
                                                   {"pay_time": NULL_TS, "pay_amt": None})
    out: list[dict[str, pd.DataFrame]] = []
    for k in range(len(plan.names)):
        batch: dict[str, pd.DataFrame] = {}
        for spec in FILES:
            df = parts[spec.name][k]
            if k == 0 or len(df):
                batch[spec.name] = df.sort_values(list(spec.key), kind="stable").reset_index(
                    drop=True)
        out.append(batch)
    return out


def _write(out_dir: Path, plan: BatchPlan, batches: list[dict[str, pd.DataFrame]], seed: int,
           persons: int, start_year: int, end_year: int, defect_share: float,
           say: Callable[[str], None]) -> GenerationSummary:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in plan.names:
        if (out_dir / name).exists():
            shutil.rmtree(out_dir / name)
    texts: list[dict[str, pd.DataFrame | None]] = []
    for k, batch in enumerate(batches):
        texts.append({
            name: None if FORMATS.get((k, name), FileFormat()).kind == "parquet"
            else format_frame(FILES_BY_NAME[name], df)
            for name, df in batch.items()
        })
    ragged: dict[tuple[str, str], dict[int, list]] = {}
    found: list[tuple[str, str, int, str, str]] = []
    if defect_share > 0:
        daily = {plan.names[k]: {n: df for n, df in texts[k].items() if df is not None}
                 for k in range(1, len(plan.names))}
        def history(name: str) -> pd.DataFrame:
            return format_frame(FILES_BY_NAME[name], batches[0][name].head(200))

        new_daily, ragged, found = defects_mod.inject(_rng(seed, "defects"), daily, defect_share,
                                                      history)
        for k in range(1, len(plan.names)):
            texts[k].update(new_daily[plan.names[k]])

    files: list[Path] = []
    rows: dict[str, int] = {spec.name: 0 for spec in FILES}
    manifest_batches: dict[str, dict[str, dict]] = {}
    file_names: dict[tuple[str, str], str] = {}
    for k, batch in enumerate(batches):
        name = plan.names[k]
        folder = out_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        manifest_batches[name] = {}
        for spec in FILES:
            spec_name = spec.name
            if spec_name not in texts[k]:
                continue
            typed = batch.get(spec_name)
            fmt = FORMATS.get((k, spec_name), FileFormat())
            text = texts[k][spec_name]
            path = write_file(folder / spec_name, FILES_BY_NAME[spec_name], fmt, typed, text,
                              ragged.get((name, spec_name)))
            n_rows = len(typed) if text is None and typed is not None else len(text)
            files.append(path)
            rows[spec_name] += n_rows
            file_names[(name, spec_name)] = path.name
            manifest_batches[name][path.name] = {
                "file_spec": spec_name, "format": fmt.kind,
                "encoding": None if fmt.kind == "parquet" else fmt.encoding, "rows": n_rows,
            }
            say(f"wrote {name}/{path.name} ({n_rows:,} rows)")
    defect_list = [
        {"batch": b, "file": file_names[(b, f)], "file_spec": f, "row": r, "kind": kind,
         "column": col}
        for b, f, r, kind, col in found
    ]
    manifest = {
        "generator": "yibao.generate",
        "arguments": {"persons": persons, "seed": seed, "start_year": start_year,
                      "end_year": end_year, "defect_share": defect_share},
        "batches": manifest_batches,
        "rows": rows,
        "defects": defect_list,
    }
    manifest_path = out_dir / MANIFEST_NAME
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
                             + "\n", encoding="utf-8")
    return GenerationSummary(out_dir=out_dir, batches=list(plan.names), rows=rows,
                             defects=len(defect_list), files=files, manifest=manifest_path)
