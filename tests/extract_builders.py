"""Small hand-made extract files for ingestion tests: valid rows per contract file."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from yibao.contract import FILES_BY_NAME


def institution(code: str = "H23012300001", **over: str) -> dict[str, str]:
    row = {"fixmedins_code": code, "fixmedins_name": "依兰县人民医院",
           "medins_cat": "general_hospital", "hosp_lv": "05", "admdvs": "230123",
           "begndate": "2019-01-01", "enddate": ""}
    row.update(over)
    return row


def enrollment(psn_no: str = "2300000000000001", **over: str) -> dict[str, str]:
    row = {"psn_no": psn_no, "certno": "230123198001010011", "psn_name": "张三", "gend": "1",
           "brdy": "1980-01-01", "insutype": "390", "psn_type": "21", "spcl_psn_type": "0",
           "insu_admdvs": "230123", "psn_insu_stas": "1", "begndate": "2020-01-01",
           "enddate": "", "emp_no": ""}
    row.update(over)
    return row


def his_visit(visit_no: str = "V001", **over: str) -> dict[str, str]:
    row = {"fixmedins_code": "H23012300001", "his_visit_no": visit_no, "mdtrt_id": "M001",
           "psn_no": "2300000000000001", "med_type": "21", "begntime": "2024-01-01 08:00:00",
           "endtime": "2024-01-05 10:00:00", "dept_codg": "A03", "dise_codg": "I10.x00",
           "refl_type": "", "refl_fixmedins_code": "", "ptfp_flag": "0"}
    row.update(over)
    return row


def fee_line(visit_no: str = "V001", sn: str = "1", **over: str) -> dict[str, str]:
    row = {"fixmedins_code": "H23012300001", "his_visit_no": visit_no, "feedetl_sn": sn,
           "fee_ocur_time": "2024-01-02 09:00:00", "med_list_codg": "XC10AAA001",
           "list_type": "101", "chrgitm_lv": "01", "cnt": "2", "pric": "12.5",
           "det_item_fee_sumamt": "25.00"}
    row.update(over)
    return row


def settlement(setl_id: str = "S001", **over: str) -> dict[str, str]:
    # 1000 total: 100 self-paid, 0 over limit, 50 paid first → 850 in scope;
    # hifp 500 + hifmi 50 = 550 funds; personal 450 = acct 0 + cash 450.
    row = {"setl_id": setl_id, "mdtrt_id": "M001", "psn_no": "2300000000000001",
           "insutype": "390", "psn_type": "21", "insu_admdvs": "230123",
           "fixmedins_code": "H23012300001", "med_type": "21",
           "setl_time": "2024-01-05 10:00:00", "medfee_sumamt": "1000.00",
           "fulamt_ownpay_amt": "100.00", "overlmt_selfpay": "0.00", "preselfpay_amt": "50.00",
           "inscp_scp_amt": "850.00", "act_pay_dedc": "200.00", "hifp_pay": "500.00",
           "pool_prop_selfpay": "0.75", "cvlserv_pay": "0.00", "hifob_pay": "0.00",
           "hifmi_pay": "50.00", "maf_pay": "0.00", "oth_pay": "0.00",
           "fund_pay_sumamt": "550.00", "psn_part_amt": "450.00", "acct_pay": "0.00",
           "psn_cash_pay": "450.00", "refd_setl_flag": "0", "init_setl_id": ""}
    row.update(over)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8",
              header: list[str] | None = None, gz: bool = False) -> Path:
    """Write rows as a contract CSV (all contract columns unless ``header`` says otherwise)."""
    name = path.name.split(".")[0]
    columns = header or list(FILES_BY_NAME[name].column_names)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c.strip().lower(), "") for c in columns])
    data = buf.getvalue().encode(encoding)
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path
