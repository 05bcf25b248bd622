"""The catalogue: drugs, services and consumables that fee lines draw from, the volume-based
procurement (VBP) products, and the diagnoses behind visits.

Codes follow the national catalogue styles: western drugs ``X`` + ATC (5) + ``A`` + 3 digits
+ ``A`` + 3 + 4 + 5 digits (23 characters, e.g. ``XC10AAA001A0010001000001``); Chinese patent
drugs ``Z`` + 19 characters; decoction pieces ``T`` + 9 digits; medical service items 15 digits;
consumables ``C`` + 19 digits. Prices are per minimum unit (tablet, capsule, gram, bottle,
day, session) as of a secondary hospital; services cost more at higher levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from yibao.generate.dates import day_of

# Service price factor by level group (drugs and consumables are sold at cost: 零差率).
LEVEL_PRICE_FACTOR = {"三级": 1.30, "二级": 1.00, "一级": 0.85, "未定级": 0.70}
OUT_OF_PROVINCE_PRICE_FACTOR = 1.15


@dataclass(frozen=True)
class VbpBatch:
    """A procurement batch: name, first cycle start (years after start_year, month), generics."""

    name: str
    year_offset: int
    month: int
    generics: tuple[str, ...]


VBP_BATCHES: tuple[VbpBatch, ...] = (
    VbpBatch("省际联盟第三批", 0, 7, ("阿托伐他汀钙片", "苯磺酸氨氯地平片", "二甲双胍片",
                                    "氯吡格雷片", "厄贝沙坦片", "阿卡波糖片")),
    VbpBatch("国采第五批", 1, 10, ("奥美拉唑肠溶胶囊", "头孢呋辛酯片", "替格瑞洛片",
                                 "硝苯地平控释片", "美托洛尔缓释片", "阿莫西林胶囊")),
    VbpBatch("国采第七批", 2, 11, ("瑞舒伐他汀钙片", "格列美脲片", "左氧氟沙星片",
                                 "恩替卡韦分散片", "布洛芬缓释胶囊")),
    VbpBatch("国采第八批", 3, 7, ("缬沙坦胶囊", "奥司他韦胶囊", "蒙脱石散", "坎地沙坦酯片",
                                "氨溴索片")),
)

# generic -> (ATC, class 甲01/乙02, selected price, non-selected price, pool, primary care)
VBP_GENERICS: dict[str, tuple[str, str, float, float, str, bool]] = {
    "阿托伐他汀钙片": ("C10AA", "02", 0.12, 3.55, "chronic", True),
    "苯磺酸氨氯地平片": ("C08CA", "01", 0.06, 2.95, "chronic", True),
    "二甲双胍片": ("A10BA", "01", 0.04, 0.45, "chronic", True),
    "氯吡格雷片": ("B01AC", "02", 0.55, 7.35, "chronic", True),
    "厄贝沙坦片": ("C09CA", "02", 0.20, 2.30, "chronic", True),
    "阿卡波糖片": ("A10BF", "02", 0.25, 1.65, "chronic", False),
    "奥美拉唑肠溶胶囊": ("A02BC", "02", 0.18, 2.20, "acute", True),
    "头孢呋辛酯片": ("J01DC", "02", 0.38, 2.60, "acute", True),
    "替格瑞洛片": ("B01AC", "02", 1.85, 6.50, "chronic", False),
    "硝苯地平控释片": ("C08CA", "02", 0.68, 3.30, "chronic", True),
    "美托洛尔缓释片": ("C07AB", "02", 0.45, 2.10, "chronic", False),
    "阿莫西林胶囊": ("J01CA", "01", 0.08, 0.35, "acute", True),
    "瑞舒伐他汀钙片": ("C10AA", "02", 0.20, 4.50, "chronic", True),
    "格列美脲片": ("A10BB", "02", 0.15, 1.90, "chronic", False),
    "左氧氟沙星片": ("J01MA", "02", 0.52, 3.80, "acute", False),
    "恩替卡韦分散片": ("J05AF", "02", 0.18, 10.50, "chronic", False),
    "布洛芬缓释胶囊": ("M01AE", "01", 0.09, 0.60, "acute", True),
    "缬沙坦胶囊": ("C09CA", "02", 0.30, 2.95, "chronic", False),
    "奥司他韦胶囊": ("J05AH", "02", 2.10, 6.20, "acute", False),
    "蒙脱石散": ("A07BC", "02", 0.45, 1.60, "acute", True),
    "坎地沙坦酯片": ("C09CA", "02", 0.35, 2.50, "chronic", False),
    "氨溴索片": ("R05CB", "02", 0.06, 0.80, "acute", False),
}


@dataclass(frozen=True)
class Item:
    """One catalogue entry."""

    code: str
    name: str
    list_type: str
    lv: str
    price: float  # yuan per minimum unit
    cnt: tuple[float, float]  # quantity range per line
    pools: tuple[str, ...]
    generic: str = ""
    selected: bool = False  # the VBP selected product of its generic
    decimals: int = 0  # decimals of the quantity (decoction pieces are weighed)


# (name, ATC/category, list_type, lv, price, cnt range, pools)
_OTHER_DRUGS: tuple[tuple[str, str, str, str, float, tuple[float, float], tuple[str, ...]], ...] = (
    ("0.9%氯化钠注射液", "B05BB", "101", "01", 3.50, (1, 14), ("ip_drug", "er_drug")),
    ("5%葡萄糖注射液", "B05BA", "101", "01", 3.80, (1, 10), ("ip_drug", "er_drug")),
    ("注射用头孢曲松钠", "J01DD", "101", "02", 4.50, (2, 14), ("ip_drug", "er_drug")),
    ("注射用头孢呋辛钠", "J01DC", "101", "02", 5.20, (2, 14), ("ip_drug",)),
    ("注射用奥美拉唑钠", "A02BC", "101", "02", 8.60, (2, 14), ("ip_drug", "er_drug")),
    ("低分子量肝素钙注射液", "B01AB", "101", "02", 28.00, (3, 14), ("ip_drug",)),
    ("人血白蛋白", "B05AA", "101", "02", 368.00, (1, 6), ("ip_drug_costly",)),
    ("甘精胰岛素注射液", "A10AE", "101", "02", 78.50, (1, 3), ("chronic",)),
    ("阿司匹林肠溶片", "B01AC", "101", "01", 0.15, (30, 90), ("chronic", "pharmacy")),
    ("复方甘草片", "R05DA", "101", "01", 0.05, (20, 60), ("acute", "pharmacy")),
    ("地塞米松磷酸钠注射液", "H02AB", "101", "01", 0.80, (1, 3), ("er_drug",)),
    ("硝酸甘油片", "C01DA", "101", "01", 0.12, (10, 30), ("er_drug", "chronic")),
    ("注射用紫杉醇(白蛋白结合型)", "L01CD", "101", "02", 785.00, (1, 3), ("chemo",)),
    ("吉非替尼片", "L01EB", "101", "02", 54.70, (28, 30), ("chemo_oral",)),
    ("头孢克洛胶囊", "J01DC", "101", "02", 1.20, (12, 24), ("acute", "pharmacy")),
    ("注射用青霉素钠", "J01CE", "101", "01", 0.55, (2, 12), ("er_drug", "ip_drug", "acute")),
    ("盐酸左氧氟沙星注射液", "J01MA", "101", "02", 12.00, (2, 10), ("ip_drug",)),
    ("呋塞米注射液", "C03CA", "101", "01", 0.45, (1, 10), ("ip_drug",)),
    ("氯化钾缓释片", "A12BA", "101", "01", 0.10, (20, 60), ("ip_drug",)),
    ("丙泊酚注射液", "N01AX", "101", "01", 28.00, (1, 3), ("anesthesia_drug",)),
    ("脂溶性维生素注射液", "B05XC", "101", "03", 15.00, (2, 10), ("ip_drug",)),
    ("注射用七叶皂苷钠", "C05CX", "101", "03", 22.00, (3, 10), ("ip_drug",)),
    ("连花清瘟胶囊", "A01AA", "102", "02", 0.55, (24, 48), ("acute", "pharmacy", "tcm_drug")),
    ("复方丹参滴丸", "A03AA", "102", "01", 0.12, (90, 270), ("chronic", "tcm_drug")),
    ("银杏叶片", "A06AA", "102", "02", 0.45, (30, 90), ("chronic", "pharmacy", "tcm_drug")),
    ("板蓝根颗粒", "A01BA", "102", "01", 1.20, (10, 20), ("acute", "pharmacy", "tcm_drug")),
    ("血塞通注射液", "A06AB", "102", "02", 18.50, (5, 14), ("ip_drug", "tcm_drug")),
    ("丹红注射液", "A06AC", "102", "02", 32.00, (5, 14), ("ip_drug",)),
    ("六味地黄丸", "A12AA", "102", "01", 0.08, (120, 360), ("pharmacy", "tcm_drug")),
    ("安宫牛黄丸", "A04AA", "102", "03", 398.00, (1, 3), ("ip_drug_costly",)),
    ("感冒灵颗粒", "A01AC", "102", "01", 0.95, (9, 27), ("pharmacy", "acute")),
    ("麝香保心丸", "A06AD", "102", "01", 0.75, (42, 126), ("chronic", "tcm_drug")),
)

_HERBS: tuple[tuple[str, str, float], ...] = (
    ("黄芪", "01", 0.085), ("当归", "01", 0.32), ("党参", "01", 0.28), ("甘草", "01", 0.06),
    ("茯苓", "01", 0.07), ("白术", "02", 0.15), ("川芎", "01", 0.12), ("丹参", "01", 0.09),
    ("熟地黄", "02", 0.10), ("陈皮", "01", 0.05), ("法半夏", "02", 0.30), ("枸杞子", "02", 0.20),
    ("西洋参", "03", 1.80), ("红花", "02", 0.45),
)

# (name, list_type, lv, base price, cnt range, pools)
_SERVICES: tuple[tuple[str, str, str, float, tuple[float, float], tuple[str, ...]], ...] = (
    ("一般诊疗费", "201", "01", 10.00, (1, 1), ("visit_primary",)),
    ("普通门诊诊查费", "201", "01", 8.00, (1, 1), ("visit",)),
    ("急诊诊查费", "201", "01", 12.00, (1, 1), ("er_visit",)),
    ("住院诊查费", "201", "01", 10.00, (1, 1), ("ip_visit",)),
    ("床位费(三人间)", "201", "01", 26.00, (1, 1), ("bed",)),
    ("二级护理", "201", "01", 22.00, (1, 1), ("nursing",)),
    ("血常规", "201", "01", 20.00, (1, 1), ("exam", "exam_primary")),
    ("尿常规", "201", "01", 8.00, (1, 1), ("exam", "exam_primary")),
    ("生化全项", "201", "01", 130.00, (1, 1), ("exam",)),
    ("血糖测定", "201", "01", 6.00, (1, 4), ("exam", "exam_primary")),
    ("心电图", "201", "01", 20.00, (1, 1), ("exam", "exam_primary")),
    ("胸部X线摄影(DR)", "201", "01", 65.00, (1, 1), ("exam",)),
    ("彩色多普勒超声", "201", "01", 110.00, (1, 1), ("exam",)),
    ("CT平扫", "201", "01", 230.00, (1, 1), ("exam_imaging",)),
    ("磁共振平扫", "201", "01", 480.00, (1, 1), ("exam_imaging",)),
    ("静脉输液", "201", "01", 6.00, (1, 10), ("infusion",)),
    ("肌肉注射", "201", "01", 2.00, (1, 6), ("infusion", "exam_primary")),
    ("针刺", "201", "01", 25.00, (1, 10), ("tcm_service",)),
    ("推拿治疗", "201", "01", 35.00, (1, 10), ("tcm_service",)),
    ("血液透析", "201", "01", 420.00, (1, 1), ("dialysis",)),
    ("重症监护", "201", "01", 180.00, (1, 1), ("icu",)),
    ("阑尾切除术", "201", "01", 850.00, (1, 1), ("surgery_appendix",)),
    ("腹腔镜下胆囊切除术", "201", "01", 2200.00, (1, 1), ("surgery_gallbladder",)),
    ("人工髋关节置换术", "201", "01", 3600.00, (1, 1), ("surgery_hip",)),
    ("经皮冠状动脉支架置入术", "201", "01", 3200.00, (1, 1), ("surgery_pci",)),
    ("子宫下段剖宫产术", "201", "01", 1500.00, (1, 1), ("surgery_cs",)),
    ("单胎顺产接生", "201", "01", 600.00, (1, 1), ("delivery",)),
    ("全身麻醉", "201", "01", 900.00, (1, 1), ("anesthesia",)),
    ("静脉注射化疗", "201", "01", 50.00, (1, 3), ("chemo",)),
    ("健康体检套餐", "201", "03", 150.00, (1, 1), ("checkup",)),
    ("特需病房床位费", "201", "03", 120.00, (1, 1), ("bed_vip",)),
)

_CONSUMABLES: tuple[tuple[str, str, float, tuple[float, float], tuple[str, ...]], ...] = (
    ("一次性使用输液器", "01", 2.50, (1, 10), ("consumable", "infusion")),
    ("静脉留置针", "02", 18.00, (1, 3), ("consumable",)),
    ("医用敷料", "01", 5.00, (1, 10), ("consumable",)),
    ("一次性使用无菌注射器", "01", 0.60, (1, 20), ("consumable", "infusion")),
    ("一次性导尿包", "02", 35.00, (1, 2), ("consumable",)),
    ("心电电极", "01", 3.00, (1, 10), ("consumable",)),
    ("医用外科手套", "03", 4.50, (1, 6), ("consumable",)),
    ("冠脉药物洗脱支架", "02", 700.00, (1, 2), ("surgery_pci",)),
    ("人工髋关节假体", "02", 7200.00, (1, 1), ("surgery_hip",)),
    ("一次性使用吻合器", "03", 1800.00, (1, 1), ("surgery_gallbladder",)),
    ("血液透析器", "02", 120.00, (1, 1), ("dialysis",)),
)


@dataclass(frozen=True)
class Catalogue:
    """All items as parallel arrays plus pool membership."""

    items: tuple[Item, ...]
    code: np.ndarray = field(init=False)
    list_type: np.ndarray = field(init=False)
    lv: np.ndarray = field(init=False)
    price4: np.ndarray = field(init=False)  # ten-thousandths of a yuan
    cnt_lo: np.ndarray = field(init=False)
    cnt_hi: np.ndarray = field(init=False)
    decimals: np.ndarray = field(init=False)
    is_service: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        it = self.items
        set_ = object.__setattr__
        set_(self, "code", np.array([i.code for i in it], dtype=object))
        set_(self, "list_type", np.array([i.list_type for i in it], dtype=object))
        set_(self, "lv", np.array([i.lv for i in it], dtype=object))
        set_(self, "price4", np.array([round(i.price * 10_000) for i in it], dtype=np.int64))
        set_(self, "cnt_lo", np.array([i.cnt[0] for i in it], dtype=float))
        set_(self, "cnt_hi", np.array([i.cnt[1] for i in it], dtype=float))
        set_(self, "decimals", np.array([i.decimals for i in it], dtype=np.int64))
        set_(self, "is_service", np.array([i.list_type == "201" for i in it]))

    def pool(self, name: str) -> np.ndarray:
        """Row numbers of the items in a pool."""
        return np.array([k for k, i in enumerate(self.items) if name in i.pools], dtype=np.int64)

    def by_name(self, name: str) -> int:
        """Row number of the item with this name."""
        for k, i in enumerate(self.items):
            if i.name == name:
                return k
        raise KeyError(name)


def _drug_code(atc: str, generic_no: int, form: int, firm: int) -> str:
    return f"X{atc}A{generic_no:03d}A{form:03d}{1 + generic_no % 7:04d}{firm:05d}"


def build_catalogue() -> Catalogue:
    """The fixed catalogue (no randomness: codes and prices are part of the sample's design)."""
    items: list[Item] = []
    for g, (generic, (atc, lv, sel, non, pool, _primary)) in enumerate(VBP_GENERICS.items(), 1):
        pools = (pool, "pharmacy") if pool == "acute" else (pool, "pharmacy", "ip_chronic")
        items.append(Item(_drug_code(atc, g, 1, 100 + 37 * g), generic, "101", lv, sel,
                          (28, 90) if pool == "chronic" else (12, 36), pools, generic, True))
        items.append(Item(_drug_code(atc, g, 1, 20_000 + 53 * g), generic, "101", lv, non,
                          (28, 90) if pool == "chronic" else (12, 36), pools, generic, False))
    for k, (name, atc, lt, lv, price, cnt, pools) in enumerate(_OTHER_DRUGS, start=len(items)):
        if lt == "101":
            code = _drug_code(atc, 100 + k, 2, 300 + 11 * k)
        else:
            code = f"Z{atc}{chr(65 + k % 26)}{k:04d}0101{400 + k:05d}"
        items.append(Item(code, name, lt, lv, price, cnt, pools))
    for k, (name, lv, price) in enumerate(_HERBS, start=1):
        items.append(Item(f"T{700000000 + 101 * k:09d}", name, "103", lv, price, (30, 180),
                          ("herb",), decimals=1))
    for k, (name, lt, lv, price, cnt, pools) in enumerate(_SERVICES, start=1):
        items.append(Item(f"00{1100 + k:04d}{k * 7919 % 100000:05d}0000", name, lt, lv, price,
                          cnt, pools))
    for k, (name, lv, price, cnt, pools) in enumerate(_CONSUMABLES, start=1):
        items.append(Item(f"C{14000000 + 913 * k:08d}{k:05d}{3000 + k:06d}", name, "301", lv,
                          price, cnt, pools))
    return Catalogue(items=tuple(items))


@dataclass(frozen=True)
class Condition:
    """A diagnosis: ICD-10 (national insurance version), department, age-band weights."""

    icd: str
    dept: str
    weights: tuple[float, ...]  # age bands 0-6, 7-17, 18-44, 45-59, 60-74, 75+
    extra: str = ""  # extra pool of fee lines (surgery, dialysis, chemotherapy …)
    female_only: bool = False
    min_rank: int = 0  # lowest level rank that treats it (3 tertiary, 2 secondary, 1 primary)
    tertiary_boost: float = 1.0
    los: float = 8.0  # median length of stay at a secondary hospital (inpatient)
    chronic_drugs: bool = False


CONDITIONS: dict[str, tuple[Condition, ...]] = {
    "11": (
        Condition("J06.900", "A03", (6, 4, 3, 2, 2, 2)),
        Condition("J20.900", "A03", (3, 2, 2, 2, 3, 3)),
        Condition("K29.700", "A03", (0.2, 0.5, 2, 2.5, 2, 1.5)),
        Condition("I10.x00", "A03", (0, 0, 0.5, 3, 5, 5), chronic_drugs=True),
        Condition("E11.900", "A03", (0, 0, 0.3, 2, 3, 2.5), chronic_drugs=True),
        Condition("M54.500", "A04", (0, 0.2, 1.5, 2.5, 2, 1.5)),
        Condition("K02.900", "A12", (1, 1.5, 1, 0.8, 0.5, 0.3)),
        Condition("H10.900", "A10", (0.8, 0.5, 0.6, 0.5, 0.4, 0.3)),
        Condition("N39.000", "A03", (0.2, 0.2, 1, 1, 1.2, 1.2)),
        Condition("L30.900", "A13", (0.5, 0.5, 0.8, 0.8, 0.8, 0.7)),
        Condition("Z00.000", "A01", (0.2, 0.3, 0.5, 0.6, 0.6, 0.3), extra="checkup"),
    ),
    "13": (
        Condition("R50.900", "A20", (5, 2, 1, 1, 1.5, 2)),
        Condition("R10.400", "A20", (0.5, 1, 2, 2, 2, 2)),
        Condition("T14.900", "A20", (1.5, 2, 2, 1.5, 1.5, 1.5)),
        Condition("S52.500", "A04", (0.3, 0.6, 0.4, 0.5, 0.8, 1)),
        Condition("I63.900", "A20", (0, 0, 0.1, 0.8, 2, 3), extra="exam_imaging"),
        Condition("J18.900", "A20", (2, 0.5, 0.5, 0.8, 1.5, 2.5)),
        Condition("K92.200", "A20", (0, 0, 0.2, 0.5, 0.8, 1)),
    ),
    "14": (
        Condition("I10.x00", "A03", (0, 0, 1, 5, 6, 6), chronic_drugs=True),
        Condition("E11.900", "A03", (0, 0, 1, 4, 5, 4), chronic_drugs=True),
        Condition("I25.103", "A03", (0, 0, 0.2, 2, 4, 5), chronic_drugs=True),
        Condition("I69.300", "A03", (0, 0, 0.1, 1, 2.5, 3.5), chronic_drugs=True),
        Condition("J44.900", "A03", (0, 0, 0.1, 0.6, 1.5, 2), chronic_drugs=True),
        Condition("N18.500", "A03", (0, 0, 0.1, 0.25, 0.3, 0.2), extra="dialysis", min_rank=2),
        Condition("C34.900", "A19", (0, 0, 0.05, 0.2, 0.35, 0.25), extra="chemo_oral",
                  min_rank=2, tertiary_boost=4.0),
        Condition("F20.900", "A15", (0, 0.02, 0.3, 0.3, 0.2, 0.1), chronic_drugs=True),
    ),
    "21": (
        Condition("J18.900", "A03", (6, 1.5, 1, 1.5, 3, 4.5), los=8),
        Condition("I63.900", "A03", (0, 0, 0.3, 2, 4, 5), los=12, extra="exam_imaging"),
        Condition("I25.103", "A03", (0, 0, 0.2, 1.5, 3, 3.5), los=9, tertiary_boost=2.0,
                  extra="pci"),
        Condition("I50.900", "A03", (0, 0, 0.05, 0.4, 1.2, 2.5), los=10),
        Condition("J44.100", "A03", (0, 0, 0.05, 0.5, 1.5, 2.5), los=10),
        Condition("E11.900", "A03", (0, 0.05, 0.3, 1, 1.5, 1.2), los=9, chronic_drugs=True),
        Condition("I10.x00", "A03", (0, 0, 0.3, 1, 1.5, 1.5), los=7, chronic_drugs=True),
        Condition("K35.800", "A04", (0.3, 1.5, 1.5, 0.6, 0.3, 0.2), los=6,
                  extra="surgery_appendix", min_rank=2),
        Condition("K80.100", "A04", (0, 0, 0.8, 1.2, 1, 0.6), los=6, extra="surgery_gallbladder",
                  min_rank=2),
        Condition("S72.000", "A04", (0, 0, 0.05, 0.2, 0.6, 1.5), los=14, extra="surgery_hip",
                  min_rank=2, tertiary_boost=1.5),
        Condition("O80.000", "A05", (0, 0, 2.5, 0.05, 0, 0), los=3, extra="delivery",
                  female_only=True),
        Condition("O82.000", "A05", (0, 0, 2, 0.05, 0, 0), los=6, extra="surgery_cs",
                  female_only=True, min_rank=2),
        Condition("C34.900", "A19", (0, 0, 0.1, 0.6, 1, 0.7), los=9, extra="chemo", min_rank=2,
                  tertiary_boost=6.0),
        Condition("M51.202", "A04", (0, 0, 0.8, 1.2, 1, 0.6), los=10, extra="tcm_service"),
        Condition("N18.500", "A03", (0, 0, 0.05, 0.2, 0.3, 0.2), los=10, extra="dialysis",
                  min_rank=2),
        Condition("A09.900", "A03", (2.5, 0.8, 0.5, 0.4, 0.5, 0.8), los=5),
    ),
}


def vbp_start_day(batch: VbpBatch, start_year: int) -> int:
    """First day of the first procurement cycle of a batch for a period starting in start_year."""
    return day_of(start_year + batch.year_offset, batch.month, 1)
