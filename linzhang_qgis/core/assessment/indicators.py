"""The indicators of the forest chief assessment (林长制考核指标), their weights, and a user's weight table.

The seed (章贡区林长制提升年) asks for protective (保护性), constructive (建设性) and influence (影响度)
indicators. Each indicator is a percentage ``value`` (0-100) computed per responsibility area (see
scoring.py) and scored 0-100 as ``score = min(100, 100 × value / target)``: reaching the target gives full
marks (the target is 100 for rates; coverage has a lower target because a swath never covers every
hectare). An area's total is the mean of its indicator scores weighted by ``weight``; only the share of
each weight matters, so weights need not add up to 100.

A user's table (a layer, a CSV or rows of dicts) has the columns ``indicator`` and ``weight``, and
optionally ``category`` and ``target``; Chinese headers (指标, 权重, 类别, 目标值) work too, and an
indicator may be named by its key or its Chinese or English name. The table replaces the default
weights: an indicator it does not list gets weight 0 (it is still computed and shown, but does not count).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Optional

from ..errors import InputDataError
from ..values import is_blank

CATEGORIES: dict[str, tuple[str, str]] = {
    "protective": ("保护性", "protective"),
    "constructive": ("建设性", "constructive"),
    "influence": ("影响度", "influence"),
}

# column names of a user table: English key -> accepted spellings
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator", "指标", "指标代码", "指标名称"),
    "weight": ("weight", "权重"),
    "category": ("category", "类别", "指标类别"),
    "target": ("target", "目标值", "目标值(%)"),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    category: str  # a key of CATEGORIES
    name_zh: str
    name_en: str
    weight: float
    target: float  # the value (in %) that scores 100
    method_zh: str
    method_en: str

    @property
    def category_zh(self) -> str:
        return CATEGORIES[self.category][0]

    def score(self, value: Optional[float]) -> Optional[float]:
        """0-100: ``min(100, 100 × value / target)``; None when the indicator does not apply (value None)."""
        if value is None:
            return None
        return max(0.0, min(100.0, 100.0 * float(value) / self.target))


DEFAULT_INDICATORS: tuple[Indicator, ...] = (
    Indicator("patrol_compliance", "protective", "巡林达标率", "patrol compliance", 30.0, 100.0,
              "达标周期数 ÷ 应巡周期数 × 100（按巡林规则，截至考核日已结束的周期）",
              "periods met ÷ periods due × 100 (by the patrol rules, periods ended by the as-of date)"),
    Indicator("patrol_coverage", "protective", "巡林覆盖率", "patrol coverage", 10.0, 80.0,
              "考核期内巡林轨迹按带宽缓冲、合并后覆盖责任区面积的百分比；达到目标值得满分",
              "share of the area covered by the period's tracks buffered by half the swath; the target scores 100"),
    Indicator("spots_verified", "protective", "图斑按期核实率", "change spots verified on time", 15.0, 100.0,
              "核实期限在考核期内的图斑（含下级责任区）中，下发后规定天数内现地核实的比例",
              "of the spots (own and sub-areas) whose verification deadline falls in the period, the share "
              "field-verified within the days allowed after being issued"),
    Indicator("illegal_rectified", "protective", "违法图斑按期整改率", "illegal spots rectified on time", 15.0, 100.0,
              "整改期限在考核期内的违法图斑（含下级责任区）中，认定后规定天数内整改到复核或销号的比例",
              "of the illegal spots (own and sub-areas) whose rectification deadline falls in the period, the "
              "share re-checked or closed within the days allowed after the determination"),
    Indicator("children_compliant", "constructive", "下级林长巡林达标率", "sub-area chiefs compliant", 15.0, 100.0,
              "直属下级责任区中，巡林达标率不低于达标线的林长所占比例",
              "share of the chiefs of the direct sub-areas whose patrol compliance reaches the minimum"),
    Indicator("spots_patrolled", "influence", "图斑巡林到位率", "spots reached by patrol", 15.0, 100.0,
              "考核期内下发且已关联巡林轨迹的图斑（含下级责任区）中，前后时相之间有巡林经过（非“巡林未发现”）的比例",
              "of the spots (own and sub-areas) issued in the period and linked to the patrols, the share a dated "
              "patrol passed between the two image dates (not missed by patrol)"),
)
INDICATOR_KEYS: tuple[str, ...] = tuple(indicator.key for indicator in DEFAULT_INDICATORS)


def default_indicators() -> tuple[Indicator, ...]:
    return DEFAULT_INDICATORS


def weight_shares(indicators: Iterable[Indicator]) -> dict[str, float]:
    """Each indicator's share of the total weight, in % (0 when the weights add up to 0)."""
    indicators = list(indicators)
    total = sum(indicator.weight for indicator in indicators)
    return {indicator.key: (100.0 * indicator.weight / total if total > 0 else 0.0) for indicator in indicators}


def known_indicators_text() -> tuple[str, str]:
    """The indicator keys with their names, for messages (Chinese, English)."""
    return ("、".join(f"{i.key}（{i.name_zh}）" for i in DEFAULT_INDICATORS),
            ", ".join(f"{i.key} ({i.name_en})" for i in DEFAULT_INDICATORS))


# --- reading a user table -------------------------------------------------------------------------

def _cell(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip()


def _column_lookup(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The rows' column names for indicator, weight, category and target (case-insensitive)."""
    by_lower = {str(name).strip().lower(): name for row in rows for name in row}
    found = {}
    for key, spellings in TABLE_COLUMNS.items():
        for spelling in spellings:
            if spelling.lower() in by_lower:
                found[key] = by_lower[spelling.lower()]
                break
    return found


def _find_indicator(text: str) -> Optional[Indicator]:
    lowered = text.strip().lower()
    for indicator in DEFAULT_INDICATORS:
        if lowered in (indicator.key, indicator.name_zh, indicator.name_en.lower()):
            return indicator
    return None


def _number(text: str, row_number: int, what_zh: str, what_en: str) -> float:
    try:
        value = float(text.replace("%", "").replace("％", "").strip())
    except ValueError:
        raise InputDataError(f"指标权重表第{row_number}行：{what_zh}“{text}”不是数字。",
                             f"Indicator table row {row_number}: the {what_en} '{text}' is not a number.") from None
    if value != value:  # NaN
        raise InputDataError(f"指标权重表第{row_number}行：{what_zh}不是数字。",
                             f"Indicator table row {row_number}: the {what_en} is not a number.")
    return value


def _category(text: str, row_number: int) -> str:
    lowered = text.strip().lower()
    for key, (zh, en) in CATEGORIES.items():
        if lowered in (key, zh, en, zh.rstrip("性度")) or lowered == zh + "指标":
            return key
    raise InputDataError(
        f"指标权重表第{row_number}行：类别“{text}”无效，应为保护性、建设性或影响度。",
        f"Indicator table row {row_number}: the category '{text}' is not known; use protective, "
        "constructive or influence.")


def indicators_from_rows(rows: Iterable[Mapping[str, Any]]) -> tuple[Indicator, ...]:
    """The indicators with the weights (and categories, targets) of a user table; see the module help.

    Every known indicator is returned, in the default order; those the table does not list get weight 0.
    Raises InputDataError (Chinese and English) for a missing indicator or weight column, an unknown
    indicator, an indicator listed twice, a weight that is not a number or is negative, a target that is
    not above 0 or above 100, an unknown category, or weights that add up to 0.
    """
    rows = [row for row in rows if any(_cell(value) for value in row.values())]
    if not rows:
        raise InputDataError("指标权重表是空的。", "The indicator table is empty.")
    columns = _column_lookup(rows)
    missing = [name for name in ("indicator", "weight") if name not in columns]
    if missing:
        raise InputDataError(
            "指标权重表缺少列：{}（应有 indicator 指标、weight 权重，可选 category 类别、target 目标值）。".format(
                "、".join(missing)),
            "The indicator table lacks the columns: {} (it needs indicator and weight, and may have category "
            "and target).".format(", ".join(missing)))
    chosen: dict[str, Indicator] = {}
    for number, row in enumerate(rows, start=1):
        name = _cell(row.get(columns["indicator"]))
        indicator = _find_indicator(name) if name else None
        if indicator is None:
            known_zh, known_en = known_indicators_text()
            raise InputDataError(f"指标权重表第{number}行：不认识指标“{name}”。可用的指标：{known_zh}。",
                                 f"Indicator table row {number}: the indicator '{name}' is not known. Known "
                                 f"indicators: {known_en}.")
        if indicator.key in chosen:
            raise InputDataError(f"指标权重表中指标“{indicator.name_zh}”（{indicator.key}）出现了不止一次。",
                                 f"The indicator table lists '{indicator.name_en}' ({indicator.key}) more than once.")
        weight_text = _cell(row.get(columns["weight"]))
        if not weight_text:
            raise InputDataError(f"指标权重表第{number}行：指标“{indicator.name_zh}”没有权重。",
                                 f"Indicator table row {number}: '{indicator.name_en}' has no weight.")
        weight = _number(weight_text, number, "权重", "weight")
        if weight < 0:
            raise InputDataError(f"指标权重表第{number}行：权重 {weight:g} 为负数，权重不能小于0。",
                                 f"Indicator table row {number}: the weight {weight:g} is negative; weights "
                                 "cannot be below 0.")
        changes: dict[str, Any] = {"weight": weight}
        if "category" in columns and _cell(row.get(columns["category"])):
            changes["category"] = _category(_cell(row.get(columns["category"])), number)
        if "target" in columns and _cell(row.get(columns["target"])):
            target = _number(_cell(row.get(columns["target"])), number, "目标值", "target")
            if not 0 < target <= 100:
                raise InputDataError(f"指标权重表第{number}行：目标值 {target:g} 应大于0且不超过100（%）。",
                                     f"Indicator table row {number}: the target {target:g} must be above 0 and "
                                     "at most 100 (%).")
            changes["target"] = target
        chosen[indicator.key] = replace(indicator, **changes)
    result = tuple(chosen.get(indicator.key, replace(indicator, weight=0.0)) for indicator in DEFAULT_INDICATORS)
    if sum(indicator.weight for indicator in result) <= 0:
        raise InputDataError("指标权重表中各指标的权重之和为0，至少要有一个指标的权重大于0。",
                             "The weights of the indicator table add up to 0; at least one indicator needs a "
                             "weight above 0.")
    return result
