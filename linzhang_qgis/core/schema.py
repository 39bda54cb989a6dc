"""The one-map workspace (一张图工作空间) schema, declared once.

Everything that writes, reads, styles or migrates a workspace reads its layers, fields,
Chinese aliases and code lists from here. Pure Python: no Qt, no QGIS, no GDAL.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

SCHEMA_VERSION = 2  # 2: area_history (changes of chief details), grid_history (zone adjustments)
DEFAULT_EPSG = 4547  # CGCS2000 / 3-degree Gauss-Kruger CM 114E (Ganzhou)
META_TABLE = "linzhang_meta"

# --- code lists (value -> (zh, en)) --------------------------------------------------------

AREA_LEVELS: dict[int, tuple[str, str]] = {
    1: ("区级", "district"),
    2: ("镇级", "town"),
    3: ("村级", "village"),
    4: ("组级", "group"),
}

SUSPECTED_CAUSES: dict[int, tuple[str, str]] = {
    1: ("采伐", "logging"),
    2: ("占地", "land occupation"),
    3: ("毁林开垦", "forest clearing for cultivation"),
    4: ("灾害", "disaster"),
    5: ("造林", "afforestation"),
    6: ("其他减少", "other decrease"),
    7: ("其他增加", "other increase"),
}

VERIFIED_CAUSES: dict[int, tuple[str, str]] = {
    10: ("造林更新", "afforestation or regeneration"),
    11: ("人工造林或飞播", "planting or aerial seeding"),
    12: ("人工更新", "artificial regeneration"),
    20: ("森林采伐", "forest harvest"),
    30: ("规划调整", "planning adjustment"),
    41: ("经审批使用林地", "approved use of forest land"),
    42: ("未审批使用林地", "unapproved use of forest land"),
    50: ("毁林开垦", "forest clearing for cultivation"),
    71: ("火灾", "fire"),
    72: ("地质灾害", "geological disaster"),
    73: ("其它灾害", "other disaster"),
    81: ("封山育林", "closed-forest regeneration"),
    82: ("其他自然更新", "other natural regeneration"),
    91: ("漏划", "omitted in survey"),
    92: ("错划", "wrongly mapped"),
    93: ("其它调查因素", "other survey factor"),
    96: ("行政界线调整", "administrative boundary change"),
    97: ("边界引起的细碎合并", "sliver merge from boundaries"),
    98: ("新增管理界线", "new management boundary"),
    99: ("管理因子变化", "management attribute change"),
}

# The 森林督查 workflow, in order. Keys are stored; the Chinese is shown.
SPOT_STATUSES: dict[str, tuple[str, str]] = {
    "issued": ("下发", "issued"),
    "interpreted": ("判读审核", "interpretation checked"),
    "field_verified": ("现地核实", "field-verified"),
    "determined": ("认定", "determined"),
    "case_filed": ("立案", "case filed"),
    "rectifying": ("整改", "rectification"),
    "rechecked": ("复核", "re-checked"),
    "closed": ("销号", "closed"),
}

DETERMINATIONS: dict[str, tuple[str, str]] = {
    "legal": ("合法", "legal"),
    "illegal": ("违法", "illegal"),
    "false": ("伪变化", "false detection"),
}

CONFIDENCE_LEVELS: dict[str, tuple[str, str]] = {
    "low": ("低", "low"),
    "high": ("高", "high"),
    "highest": ("最高", "highest"),
}

LAND_CLASSES: dict[str, tuple[str, str]] = {
    "0111": ("乔木林地", "tree forest land"),
    "0131": ("竹林地", "bamboo forest land"),
    "0301": ("灌木林地", "shrub land"),
    "0302": ("疏林地", "sparse forest land"),
    "0305": ("未成林造林地", "young plantation"),
    "0307": ("宜林地", "land suitable for forest"),
    "0100": ("耕地", "cropland"),
    "0700": ("建设用地", "built-up land"),
    "1100": ("水域", "water"),
}
FOREST_LAND_CLASSES = ("0111", "0131", "0301", "0302", "0305", "0307")

ORIGINS: dict[str, tuple[str, str]] = {
    "natural": ("天然", "natural"),
    "planted": ("人工", "planted"),
}

FOREST_CATEGORIES: dict[str, tuple[str, str]] = {
    "public": ("公益林", "public-welfare forest"),
    "commercial": ("商品林", "commercial forest"),
}

FOREST_USES: dict[str, tuple[str, str]] = {
    "protection": ("防护林", "protection forest"),
    "special": ("特用林", "special-use forest"),
    "timber": ("用材林", "timber forest"),
    "economic": ("经济林", "economic forest"),
    "energy": ("能源林", "energy forest"),
}

SPECIES: dict[str, tuple[str, str]] = {
    "masson_pine": ("马尾松", "Masson pine"),
    "chinese_fir": ("杉木", "Chinese fir"),
    "slash_pine": ("湿地松", "slash pine"),
    "broadleaf_mix": ("阔叶混", "mixed broadleaf"),
    "camphor": ("樟树", "camphor tree"),
    "moso_bamboo": ("毛竹", "moso bamboo"),
    "oil_tea": ("油茶", "oil-tea camellia"),
    "eucalyptus": ("桉树", "eucalyptus"),
    "navel_orange": ("脐橙", "navel orange"),
}

PATROL_PERIODS: dict[str, tuple[str, str]] = {
    "week": ("周", "week"),
    "month": ("月", "month"),
    "quarter": ("季度", "quarter"),
    "year": ("年", "year"),
}

PERSON_ROLES: dict[str, tuple[str, str]] = {
    "ranger": ("护林员", "ranger"),
    "supervisor": ("基层监管员", "grassroots supervisor"),
}

# The seed (章贡区): district chiefs at least once a quarter, town level and below once a month.
DEFAULT_PATROL_RULES: tuple[tuple[int, str, int], ...] = (
    (1, "quarter", 1),
    (2, "month", 1),
    (3, "month", 1),
    (4, "month", 1),
)

CODE_LISTS: dict[str, dict] = {
    "area_level": AREA_LEVELS,
    "suspected_cause": SUSPECTED_CAUSES,
    "verified_cause": VERIFIED_CAUSES,
    "spot_status": SPOT_STATUSES,
    "determination": DETERMINATIONS,
    "confidence": CONFIDENCE_LEVELS,
    "land_class": LAND_CLASSES,
    "origin": ORIGINS,
    "forest_category": FOREST_CATEGORIES,
    "forest_use": FOREST_USES,
    "species": SPECIES,
    "patrol_period": PATROL_PERIODS,
    "person_role": PERSON_ROLES,
}

# --- layer and field declarations ----------------------------------------------------------

FIELD_TYPES = ("str", "int", "real", "date", "datetime", "bool")


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str  # one of FIELD_TYPES
    alias_zh: str
    alias_en: str
    width: int = 0
    codes: Optional[str] = None  # key into CODE_LISTS
    required: bool = False

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type {self.type!r} for {self.name}")
        if self.codes is not None and self.codes not in CODE_LISTS:
            raise ValueError(f"unknown code list {self.codes!r} for {self.name}")


@dataclass(frozen=True)
class LayerDef:
    name: str
    title_zh: str
    title_en: str
    geometry: Optional[str]  # "MultiPolygon", "MultiLineString", "Point" or None (a table)
    fields: tuple[FieldDef, ...]
    # how the default style colours the layer: (field, code list) or None for a single symbol
    style_field: Optional[str] = None
    label_field: Optional[str] = None
    fill: str = "#4daf4a"
    outline: str = "#1b5e20"
    extra: dict = field(default_factory=dict)

    def field(self, name: str) -> FieldDef:
        for fld in self.fields:
            if fld.name == name:
                return fld
        raise KeyError(f"{self.name} has no field {name}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


F = FieldDef

RESP_AREAS = LayerDef(
    "resp_areas", "林长责任区", "chief responsibility areas", "MultiPolygon",
    (
        F("code", "str", "责任区编码", "area code", 32, required=True),
        F("name", "str", "责任区名称", "area name", 64, required=True),
        F("level", "int", "林长级别", "chief level", codes="area_level", required=True),
        F("parent_code", "str", "上级编码", "parent code", 32),
        F("chief_name", "str", "林长姓名", "chief name", 32),
        F("chief_title", "str", "林长职务", "chief title", 64),
        F("chief_phone", "str", "联系电话", "chief phone", 20),
        F("supervisor", "str", "基层监管员", "grassroots supervisor", 32),
        F("area_ha", "real", "面积(公顷)", "area (ha)"),
    ),
    style_field="level", label_field="name", fill="#00000000", outline="#b2182b",
)

FOREST_STANDS = LayerDef(
    "forest_stands", "森林资源小班", "forest stands", "MultiPolygon",
    (
        F("county", "str", "县(区)", "county", 32),
        F("town", "str", "乡镇(街道)", "town", 32),
        F("village", "str", "村", "village", 32),
        F("lin_ban", "str", "林班号", "compartment", 8),
        F("xiao_ban", "str", "小班号", "sub-compartment", 8),
        F("land_class", "str", "地类", "land class", 8, codes="land_class"),
        F("origin", "str", "起源", "origin", 16, codes="origin"),
        F("forest_cat", "str", "森林类别", "forest category", 16, codes="forest_category"),
        F("forest_use", "str", "林种", "forest use", 16, codes="forest_use"),
        F("species", "str", "优势树种", "dominant species", 16, codes="species"),
        F("age", "int", "平均年龄", "mean age (years)"),
        F("canopy", "real", "郁闭度", "canopy closure"),
        F("area_code", "str", "责任区编码", "area code", 32),
        F("area_ha", "real", "面积(公顷)", "area (ha)"),
        F("area_mu", "real", "面积(亩)", "area (mu)"),
    ),
    style_field="forest_cat", label_field=None, fill="#66bd63", outline="#1a9850",
)

PATROL_TRACKS = LayerDef(
    "patrol_tracks", "巡林轨迹", "patrol tracks", "MultiLineString",
    (
        F("patrol_id", "str", "巡林编号", "patrol id", 64, required=True),
        F("patroller", "str", "巡林人", "patroller", 32),
        F("area_code", "str", "责任区编码", "area code", 32),
        F("start_time", "datetime", "开始时间", "start time"),
        F("end_time", "datetime", "结束时间", "end time"),
        F("duration_h", "real", "时长(小时)", "duration (h)"),
        F("length_km", "real", "里程(公里)", "length (km)"),
        F("n_points", "int", "轨迹点数", "points"),
        F("on_foot", "bool", "步行巡林", "on foot"),
        F("dated", "bool", "时间有效", "dated"),
        F("qa_note", "str", "质检说明", "QA note", 254),
        F("source_file", "str", "来源文件", "source file", 254),
    ),
    fill="#2166ac", outline="#2166ac",
)

CHANGE_SPOTS = LayerDef(
    "change_spots", "森林督查变化图斑", "forest-inspection change spots", "MultiPolygon",
    (
        F("spot_no", "str", "监测编号", "spot number", 40, required=True),
        F("county", "str", "县(区)", "county", 32),
        F("town", "str", "乡镇(街道)", "town", 32),
        F("village", "str", "村", "village", 32),
        F("lin_ban", "str", "林班号", "compartment", 8),
        F("xiao_ban", "str", "小班号", "sub-compartment", 8),
        F("area_code", "str", "责任区编码", "area code", 32),
        F("chief_name", "str", "责任林长", "responsible chief", 32),
        F("before_date", "date", "前时相", "before date"),
        F("after_date", "date", "后时相", "after date"),
        F("data_source", "str", "数据源", "data source", 64),
        F("area_m2", "real", "面积(平方米)", "area (m²)"),
        F("area_mu", "real", "面积(亩)", "area (mu)"),
        F("mean_dindex", "real", "指数平均降幅", "mean index drop"),
        F("max_dindex", "real", "指数最大降幅", "max index drop"),
        F("confidence", "str", "置信度", "confidence", 8, codes="confidence"),
        F("suspected_cause", "int", "疑似变化原因", "suspected cause", codes="suspected_cause"),
        F("verified_cause", "int", "核实变化原因", "verified cause", codes="verified_cause"),
        F("determination", "str", "认定结果", "determination", 8, codes="determination"),
        F("false_reason", "str", "伪变化原因", "false-detection reason", 254),
        F("permit_no", "str", "批准文号", "permit number", 64),
        F("round_id", "str", "核查轮次", "detection round", 32),
        F("repeat_of", "str", "重复图斑", "repeat of", 40),
        F("status", "str", "核查状态", "status", 16, codes="spot_status", required=True),
        F("inspector", "str", "核查人", "inspector", 32),
        F("verify_date", "date", "核查日期", "verification date"),
        F("patrol_missed", "bool", "巡林未发现", "missed by patrol"),
        F("photos", "str", "现场照片", "photos", 1024),
        F("notes", "str", "备注", "notes", 1024),
    ),
    style_field="status", label_field="spot_no", fill="#d73027", outline="#a50026",
)

SPOT_HISTORY = LayerDef(
    "spot_history", "图斑核查记录", "change-spot history", None,
    (
        F("spot_no", "str", "监测编号", "spot number", 40, required=True),
        F("changed_at", "datetime", "修改时间", "changed at", required=True),
        F("changed_by", "str", "修改人", "changed by", 32),
        F("old_status", "str", "原状态", "old status", 16, codes="spot_status"),
        F("new_status", "str", "新状态", "new status", 16, codes="spot_status"),
        F("changes", "str", "修改内容", "changes", 2048),
        F("note", "str", "说明", "note", 1024),
    ),
)

AREA_HISTORY = LayerDef(
    "area_history", "林长信息变更记录", "chief-detail history", None,
    (
        F("code", "str", "责任区编码", "area code", 32, required=True),
        F("changed_at", "datetime", "修改时间", "changed at", required=True),
        F("changed_by", "str", "修改人", "changed by", 32),
        F("changes", "str", "修改内容", "changes", 2048),
        F("note", "str", "说明", "note", 1024),
    ),
)

GRID_ZONES = LayerDef(
    "grid_zones", "管护网格", "management-grid zones", "MultiPolygon",
    (
        F("zone_id", "str", "网格编号", "zone id", 40, required=True),
        F("area_code", "str", "责任区编码", "area code", 32),
        F("ranger_id", "str", "护林员编号", "ranger id", 32),
        F("ranger", "str", "护林员", "ranger", 32),
        F("forest_ha", "real", "林地面积(公顷)", "forest area (ha)"),
        F("forest_mu", "real", "林地面积(亩)", "forest area (mu)"),
        F("perimeter_m", "real", "周长(米)", "perimeter (m)"),
        F("compactness", "real", "紧凑度", "compactness"),
        F("neighbours", "str", "相邻网格", "neighbouring zones", 254),
    ),
    label_field="zone_id", fill="#00000000", outline="#f46d43",
)

GRID_HISTORY = LayerDef(
    "grid_history", "管护网格调整记录", "management-grid adjustments", None,
    (
        F("area_code", "str", "责任区编码", "area code", 32, required=True),
        F("zone_from", "str", "调出网格", "zone given from", 40, required=True),
        F("zone_to", "str", "调入网格", "zone given to", 40, required=True),
        F("piece_wkb", "str", "调整地块(WKB)", "moved piece (WKB hex)"),
        F("piece_ha", "real", "调整面积(公顷)", "moved area (ha)"),
        F("changed_at", "datetime", "修改时间", "changed at", required=True),
        F("changed_by", "str", "修改人", "changed by", 32),
        F("note", "str", "说明", "note", 1024),
    ),
)

RANGERS = LayerDef(
    "rangers", "护林员与监管员", "rangers and supervisors", None,
    (
        F("ranger_id", "str", "人员编号", "person id", 32, required=True),
        F("name", "str", "姓名", "name", 32, required=True),
        F("role", "str", "岗位", "role", 16, codes="person_role"),
        F("phone", "str", "联系电话", "phone", 20),
        F("area_code", "str", "责任区编码", "area code", 32),
        F("birth_year", "int", "出生年份", "birth year"),
    ),
)

PATROL_RULES = LayerDef(
    "patrol_rules", "巡林规则", "patrol rules", None,
    (
        F("level", "int", "林长级别", "chief level", codes="area_level", required=True),
        F("period", "str", "周期", "period", 8, codes="patrol_period", required=True),
        F("min_count", "int", "最少次数", "minimum patrols", required=True),
        F("note", "str", "说明", "note", 254),
    ),
)

WORKSPACE_LAYERS: tuple[LayerDef, ...] = (
    RESP_AREAS, FOREST_STANDS, PATROL_TRACKS, CHANGE_SPOTS, GRID_ZONES,
    SPOT_HISTORY, RANGERS, PATROL_RULES, AREA_HISTORY, GRID_HISTORY,
)


def layer_def(name: str) -> LayerDef:
    for layer in WORKSPACE_LAYERS:
        if layer.name == name:
            return layer
    raise KeyError(f"no workspace layer named {name}")


def code_label(code_list: str, value, lang: str = "zh") -> str:
    """The display text of a coded value, or the value itself when it is not in the list."""
    entry = CODE_LISTS[code_list].get(value)
    if entry is None:
        return "" if value is None else str(value)
    return entry[0] if lang == "zh" else entry[1]
