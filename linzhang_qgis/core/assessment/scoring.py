"""林长制考核: every chief's indicators, total and grade for a year or a quarter; yellow cards; the negative list.

Definitions (what each figure means; indicators.py gives the weights and how a value becomes a score):

- **Period** (考核期): a calendar year or quarter. **As of** (考核日): the day the assessment is made;
  by default the end of the period, or today when that is earlier; a later date is cut to the period end.
  Only what happened by the as-of date counts: patrols up to it, spot states reached by it.
- **Patrol compliance** (巡林达标率): core/patrols/compliance.patrol_compliance over the period with the
  workspace's patrol rules: ``100 × periods met / periods due`` (periods ended by the as-of date). Not
  applicable (不适用) when the area's level has no rule or no period is due yet. A chief is **compliant**
  (达标) in the assessment when this rate reaches ``compliance_min`` (default 80 %; 100 asks for every period).
- **Patrol coverage** (巡林覆盖率): core/patrols/coverage.area_coverage of the dated tracks from the period
  start to the as-of date (on foot only by default, as compliance counts), swath ``swath_m``.
- **Change spots of an area**: those whose ``area_code`` is the area or any area below it (core/hierarchy).
- **Spot dates**, read from the spot_history table (rows undone by an undo, and the undo rows, are left out)
  and the spot's own fields:
  issued (下发) = the time of a history row that set the status ``issued`` from nothing, else the spot's
  ``after_date`` (the image date: a spot is never issued before its after image, so this deadline is the
  strictest), else its first history row; verified (现地核实) = the spot's ``verify_date``, else the first
  history row that moved it to ``field_verified`` or beyond; determined (认定) = the first history row that
  moved it to ``determined`` or beyond, else ``verify_date``; rectified (整改) = the first history row that
  moved it to ``rechecked`` (复核) or ``closed`` (销号). The spot's current status decides whether a state was
  reached at all; a state reached without any recorded date counts as reached by the as-of date, but cannot
  be judged on time (it is left out of the on-time rates and counted in the warnings).
- **Verified on time** (图斑按期核实率): verification deadline = issued + ``verify_days``. The spots counted are
  those whose deadline falls in [period start, as-of], plus those verified in that span before a deadline
  still to come; on time = verified on or before the deadline. **Past the verification deadline**: the
  deadline is before the as-of date and the spot is not verified.
- **Rectified on time** (违法图斑按期整改率): for spots determined illegal (违法), deadline = determined +
  ``rectify_days``; counted and on time as for verification, rectified = re-checked or closed. **Past the
  rectification deadline**: the deadline is before the as-of date and the spot is not rectified.
- **Sub-area chiefs compliant** (下级林长巡林达标率): ``100 × direct child areas whose chief is compliant /
  child areas with a compliance rate``.
- **Spots reached by patrol** (图斑巡林到位率): of the spots issued in the period whose ``patrol_missed`` is
  known (linzhang:linkspotspatrols), the share with ``patrol_missed`` false (a dated patrol passed within the
  link distance between the two image dates).
- **Total** (总分): the mean of the indicator scores weighted by the weights, over the indicators that apply
  to the area (a value of None, e.g. no spots due, is 不适用 and left out of the weighting). **Grade**:
  优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else 不合格 (``grades``); 不适用 when no indicator applies.
- **Yellow cards** (黄牌警告), one card per chief with one reason per rule: compliance below
  ``compliance_min``; spots of the chief's own area past the verification deadline; illegal spots of the
  chief's own area past the rectification deadline.
- **Negative list** (负面清单), one row per item under each town (level 2), covering the town and every area
  below it: chiefs not compliant; spots past the verification deadline; illegal spots past the rectification
  deadline; illegal spots not yet rectified (deadline still to come, or no determination date); spots issued
  in the period missed by patrol.

Codes compare as trimmed text (360702 and "360702" match); a code column stored as numbers in one layer and
as text in another, a parent code pointing nowhere and spots of unknown areas are reported in ``warnings``
(Chinese, English). Pure Python: pandas, shapely, geopandas through the patrol modules; no Qt, no QGIS.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Optional, Sequence

from .. import schema
from ..errors import InputDataError
from ..hierarchy.tree import Hierarchy, build_hierarchy
from ..gpkg_sqlite import UNDO_NOTE
from ..inspection.workflow import STATUS_ORDER
from ..patrols.compliance import patrol_day
from ..patrols.rules import PatrolRule
from ..values import as_date, as_int, as_text, is_blank, normalise_code
from .indicators import Indicator, default_indicators

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

log = logging.getLogger(__name__)

AREA_COLUMNS = ("code", "name", "level", "parent_code", "chief_name")
TRACK_COLUMNS = ("patrol_id", "patroller", "area_code", "start_time")
SPOT_COLUMNS = ("spot_no", "area_code", "status", "after_date")
OPTIONAL_SPOT_COLUMNS = ("determination", "verify_date", "patrol_missed", "before_date")
HISTORY_COLUMNS = ("spot_no", "changed_at", "new_status")
OPTIONAL_HISTORY_COLUMNS = ("old_status", "changes", "note", "fid")

DEFAULT_GRADES: tuple[tuple[float, str], ...] = ((90.0, "优秀"), (80.0, "良好"), (60.0, "合格"))
FAIL_GRADE = "不合格"
NOT_APPLICABLE = "不适用"
GRADES_EN = {"优秀": "excellent", "良好": "good", "合格": "pass", "不合格": "fail", NOT_APPLICABLE: "not applicable"}
QUARTERS_ZH = ("第一季度", "第二季度", "第三季度", "第四季度")

# yellow-card rules, in the order the reasons are given: key -> (zh, en)
CARD_RULES: dict[str, tuple[str, str]] = {
    "compliance": ("巡林不达标", "patrol compliance below the minimum"),
    "verification": ("超期未核实", "spots past the verification deadline"),
    "rectification": ("超期未整改", "illegal spots past the rectification deadline"),
}
# kinds of negative-list items, in their order: key -> (zh, en)
NEGATIVE_KINDS: dict[str, tuple[str, str]] = {
    "noncompliant": ("巡林不达标", "chief not compliant"),
    "verify_overdue": ("超期未核实", "past the verification deadline"),
    "rectify_overdue": ("超期未整改", "past the rectification deadline"),
    "unrectified": ("违法图斑未整改", "illegal spot not yet rectified"),
    "missed": ("巡林未发现", "missed by patrol"),
}
LISTED_SPOTS = 10  # spots named in one card reason; more are counted
_TOLERANCE = 1e-9

Progress = Callable[[float], Optional[bool]]
"""Called with a percentage (0-100); returning False stops the assessment with AssessmentCanceled."""


class AssessmentCanceled(Exception):
    """The progress callback asked to stop."""


# --- the period and the settings ---------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    year: int
    quarter: Optional[int]  # None: the whole year
    first: dt.date
    last: dt.date

    @property
    def label_zh(self) -> str:
        return f"{self.year}年" + (QUARTERS_ZH[self.quarter - 1] if self.quarter else "")

    @property
    def label_en(self) -> str:
        return f"{self.year}" + (f" Q{self.quarter}" if self.quarter else "")


def assessment_period(year: Any, quarter: Any = None) -> Period:
    """The calendar year, or its quarter 1-4 (None or 0: the whole year)."""
    number = as_int(year)
    if number is None or not 1900 <= number <= 2999:
        raise InputDataError(f"考核年度“{year}”无效，应为四位年份（如 2026）。",
                             f"The assessment year '{year}' is not valid; give a four-digit year (e.g. 2026).")
    part = as_int(quarter) if not is_blank(quarter) else None
    if part in (None, 0):
        return Period(number, None, dt.date(number, 1, 1), dt.date(number, 12, 31))
    if not 1 <= part <= 4:
        raise InputDataError(f"季度“{quarter}”无效，应为1至4（或不填表示全年）。",
                             f"The quarter '{quarter}' is not valid; use 1 to 4 (or none for the whole year).")
    first = dt.date(number, 3 * part - 2, 1)
    following = dt.date(number + 1, 1, 1) if part == 4 else dt.date(number, 3 * part + 1, 1)
    return Period(number, part, first, following - dt.timedelta(days=1))


@dataclass(frozen=True)
class Settings:
    compliance_min: float = 80.0  # % of due periods met for a chief to be compliant
    verify_days: int = 30  # days from issue to field verification
    rectify_days: int = 90  # days from the determination (illegal) to rectification
    swath_m: float = 100.0  # patrol swath width for coverage (m)
    min_inside: float = 0.5  # share of a track inside an area for it to count as the area's patrol
    on_foot_only: bool = True  # only foot patrols count, for compliance and coverage
    grades: tuple[tuple[float, str], ...] = DEFAULT_GRADES

    def check(self) -> None:
        if not 0.0 <= float(self.compliance_min) <= 100.0:
            raise InputDataError(f"巡林达标线应在0到100（%）之间，现为 {self.compliance_min:g}。",
                                 f"The patrol compliance minimum must lie between 0 and 100 (%), not "
                                 f"{self.compliance_min:g}.")
        for value, zh, en in ((self.verify_days, "核实期限", "verification deadline"),
                              (self.rectify_days, "整改期限", "rectification deadline")):
            if as_int(value) is None or int(value) < 0:
                raise InputDataError(f"{zh}应为不小于0的整数天数，现为 {value}。",
                                     f"The {en} must be a whole number of days, 0 or more, not {value}.")
        if not float(self.swath_m) > 0:
            raise InputDataError(f"巡林带宽应大于0米，现为 {self.swath_m:g}。",
                                 f"The patrol swath width must be above 0 m, not {self.swath_m:g}.")

    def grade(self, total: Optional[float]) -> str:
        if total is None:
            return NOT_APPLICABLE
        for threshold, name in sorted(self.grades, key=lambda item: -item[0]):
            if total >= threshold - _TOLERANCE:
                return name
        return FAIL_GRADE


def resolve_as_of(period: Period, as_of: Optional[dt.date] = None, today: Optional[dt.date] = None,
                  warnings: Optional[list] = None) -> dt.date:
    """The assessment day: ``as_of`` cut to the period end, or by default the period end or today if earlier.
    InputDataError when it lies before the period starts."""
    today = today or dt.date.today()
    if as_of is None:
        as_of = min(period.last, today)
    elif as_of > period.last:
        if warnings is not None:
            warnings.append((f"考核截止日期 {as_of} 晚于考核期末，按 {period.last} 计算。",
                             f"The as-of date {as_of} is after the end of the period; {period.last} is used."))
        as_of = period.last
    if as_of < period.first:
        raise InputDataError(
            f"{period.label_zh}考核期从 {period.first} 开始，截止日期 {as_of} 早于考核期开始，无法考核。",
            f"The period {period.label_en} starts on {period.first}; the as-of date {as_of} is before it, so "
            "there is nothing to assess yet.")
    return as_of


# --- spots and their dates -------------------------------------------------------------------------

_STATUS_INDEX = {status: index for index, status in enumerate(STATUS_ORDER)}
_VERIFIED = _STATUS_INDEX["field_verified"]
_DETERMINED = _STATUS_INDEX["determined"]
_RECTIFIED = _STATUS_INDEX["rechecked"]


@dataclass
class SpotTimeline:
    """One change spot as the assessment sees it, as of the assessment day."""

    spot_no: str
    area_code: str
    status: str
    determination: str
    before_date: Optional[dt.date]
    after_date: Optional[dt.date]
    issued_on: Optional[dt.date]
    issued_from: str  # "history", "after_date", "first change" or "" (unknown)
    verified: bool  # verified by the as-of date
    verified_on: Optional[dt.date]
    determined: bool
    determined_on: Optional[dt.date]
    rectified: bool
    rectified_on: Optional[dt.date]
    patrol_missed: Optional[bool]
    verify_deadline: Optional[dt.date] = None
    rectify_deadline: Optional[dt.date] = None

    @property
    def illegal(self) -> bool:
        return self.determined and self.determination == "illegal"


def _flag(value: Any) -> Optional[bool]:
    if is_blank(value) or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "t", "yes", "y", "是"):
            return True
        if lowered in ("0", "false", "f", "no", "n", "否"):
            return False
        return None
    if hasattr(value, "item"):
        value = value.item()
    return bool(value)


def _day(value: Any) -> Optional[dt.date]:
    """The calendar day of a stored time (text, datetime or date), as stored (no time-zone shift)."""
    if isinstance(value, str):
        return as_date(value.strip().replace(" ", "T", 1))
    return as_date(value)


def _history_status(row: Mapping[str, Any]) -> str:
    """The status a history row moved the spot to: new_status, else the status pair in ``changes``."""
    status = as_text(row.get("new_status"))
    if status:
        return status
    changes = row.get("changes")
    if isinstance(changes, str) and changes.strip():
        try:
            changes = json.loads(changes)
        except ValueError:
            return ""
    if isinstance(changes, dict) and isinstance(changes.get("status"), (list, tuple)) and len(changes["status"]) == 2:
        return as_text(changes["status"][1])
    return ""


def _effective_history(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """History rows in time order without the undo rows and the rows they undid."""
    undone = set()
    for row in rows:
        match = UNDO_NOTE.match(as_text(row.get("note")))
        if match:
            undone.add(int(match.group(1)))

    def order(row):
        return (as_text(row.get("changed_at")).replace(" ", "T", 1), as_int(row.get("fid")) or 0)

    kept = []
    for row in sorted(rows, key=order):
        if UNDO_NOTE.match(as_text(row.get("note"))) or as_int(row.get("fid")) in undone:
            continue
        kept.append(row)
    return kept


def spot_timeline(spot: Mapping[str, Any], history_rows: Sequence[Mapping[str, Any]], as_of: dt.date,
                  settings: Settings) -> SpotTimeline:
    """When the spot was issued, verified, determined and rectified (see the module help), as of ``as_of``."""
    status = as_text(spot.get("status"))
    index = _STATUS_INDEX.get(status, -1)
    rows = _effective_history(history_rows)
    first_reached: dict[int, dt.date] = {}
    issued_history = None
    for row in rows:
        day = _day(row.get("changed_at"))
        if day is None:
            continue
        moved_to = _history_status(row)
        if moved_to == "issued" and not as_text(row.get("old_status")) and issued_history is None:
            issued_history = day
        if moved_to in _STATUS_INDEX:
            reached = _STATUS_INDEX[moved_to]
            if reached not in first_reached or day < first_reached[reached]:
                first_reached[reached] = day

    def reached_on(level: int) -> Optional[dt.date]:
        days = [day for reached, day in first_reached.items() if reached >= level]
        return min(days) if days else None

    after_date = as_date(spot.get("after_date"))
    if issued_history is not None:
        issued_on, issued_from = issued_history, "history"
    elif after_date is not None:
        issued_on, issued_from = after_date, "after_date"
    else:
        changes = [_day(row.get("changed_at")) for row in rows if _day(row.get("changed_at"))]
        issued_on, issued_from = (min(changes), "first change") if changes else (None, "")
    verify_date = as_date(spot.get("verify_date"))
    verified_on = (verify_date or reached_on(_VERIFIED)) if index >= _VERIFIED else None
    determined_on = (reached_on(_DETERMINED) or verify_date) if index >= _DETERMINED else None
    rectified_on = reached_on(_RECTIFIED) if index >= _RECTIFIED else None

    def by_as_of(reached: bool, day: Optional[dt.date]) -> bool:
        return reached and (day is None or day <= as_of)

    timeline = SpotTimeline(
        spot_no=as_text(spot.get("spot_no")), area_code=normalise_code(spot.get("area_code")), status=status,
        determination=as_text(spot.get("determination")), before_date=as_date(spot.get("before_date")),
        after_date=after_date, issued_on=issued_on, issued_from=issued_from,
        verified=by_as_of(index >= _VERIFIED, verified_on), verified_on=verified_on,
        determined=by_as_of(index >= _DETERMINED, determined_on), determined_on=determined_on,
        rectified=by_as_of(index >= _RECTIFIED, rectified_on), rectified_on=rectified_on,
        patrol_missed=_flag(spot.get("patrol_missed")))
    if issued_on is not None:
        timeline.verify_deadline = issued_on + dt.timedelta(days=int(settings.verify_days))
    if timeline.illegal and determined_on is not None:
        timeline.rectify_deadline = determined_on + dt.timedelta(days=int(settings.rectify_days))
    return timeline


def _on_time_status(deadline: Optional[dt.date], done: bool, done_on: Optional[dt.date], first: dt.date,
                    as_of: dt.date) -> Optional[str]:
    """How a deadline counts in an on-time rate: None (not this period's), "unknown" (done, date not recorded),
    "on_time" or "late" (also: not done by a deadline that has passed)."""
    if deadline is None:
        return None
    in_window = first <= deadline <= as_of
    early = (done and done_on is not None and deadline > as_of and first <= done_on <= as_of
             and done_on <= deadline)
    if not (in_window or early):
        return None
    if done and done_on is None:
        return "unknown"
    return "on_time" if done and done_on <= deadline else "late"


def _count_deadline(counts: Counter, kind: str, deadline: Optional[dt.date], done: bool,
                    done_on: Optional[dt.date], first: dt.date, as_of: dt.date) -> None:
    """Add one deadline (verification or rectification) to ``<kind>_unknown`` / ``_due`` / ``_on_time`` and
    ``_overdue`` (past the deadline and not done)."""
    status = _on_time_status(deadline, done, done_on, first, as_of)
    if status == "unknown":
        counts[f"{kind}_unknown"] += 1
    elif status is not None:
        counts[f"{kind}_due"] += 1
        counts[f"{kind}_on_time"] += status == "on_time"
    if deadline is not None and deadline < as_of and not done:
        counts[f"{kind}_overdue"] += 1


def spot_counts(spot: SpotTimeline, first: dt.date, as_of: dt.date) -> Counter:
    """The figures a spot adds to its area and every area above it."""
    counts: Counter = Counter()
    if spot.issued_on is None or spot.issued_on > as_of:
        return counts
    _count_deadline(counts, "verify", spot.verify_deadline, spot.verified, spot.verified_on, first, as_of)
    if spot.illegal:
        _count_deadline(counts, "rectify", spot.rectify_deadline, spot.rectified, spot.rectified_on, first, as_of)
        if not spot.rectified:
            counts["unrectified"] += 1
    if first <= spot.issued_on <= as_of and spot.patrol_missed is not None:
        counts["linked"] += 1
        counts["patrolled"] += not spot.patrol_missed
    return counts


# --- results -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class YellowCard:
    area_code: str
    rule: str  # a key of CARD_RULES
    reason_zh: str
    reason_en: str
    spots: tuple[str, ...] = ()


@dataclass(frozen=True)
class NegativeItem:
    town_code: str
    town_name: str
    kind: str  # a key of NEGATIVE_KINDS
    area_code: str
    area_name: str
    chief_name: str
    subject: str  # the chief's name or the spot number
    sentence_zh: str
    sentence_en: str


FIGURE_COLUMNS = ("periods_required", "periods_met", "compliance_pct", "coverage_pct", "verify_due",
                  "verify_on_time", "verify_overdue", "verified_pct", "rectify_due", "rectify_on_time",
                  "rectify_overdue", "unrectified", "rectified_pct", "children_assessed", "children_met",
                  "children_pct", "linked", "patrolled", "patrolled_pct")
# the figure (a %) each indicator scores
INDICATOR_VALUES: dict[str, str] = {
    "patrol_compliance": "compliance_pct", "patrol_coverage": "coverage_pct", "spots_verified": "verified_pct",
    "illegal_rectified": "rectified_pct", "children_compliant": "children_pct", "spots_patrolled": "patrolled_pct",
}


@dataclass
class AssessmentResult:
    period: Period
    as_of: dt.date
    settings: Settings
    indicators: tuple[Indicator, ...]
    table: "pd.DataFrame"  # one row per area, index aligned with the areas given; see TABLE_COLUMNS
    cards: list[YellowCard]
    negative_list: list[NegativeItem]
    spots: list[SpotTimeline]
    order: list[int]  # positions of the areas, parents before children (the report's order)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    patrols: int = 0  # dated patrols in the period up to the as-of date

    @property
    def chiefs_assessed(self) -> int:
        return int(self.table["total"].notna().sum())

    @property
    def carded(self) -> int:
        return int(self.table["yellow_card"].sum())


TABLE_COLUMNS = (("code", "name", "level", "parent_code", "chief_name", "period_kind") + FIGURE_COLUMNS
                 + tuple(INDICATOR_VALUES) + ("total", "grade", "not_applicable", "yellow_card", "card_reasons",
                                              "negative_items"))


# --- checks of the input -----------------------------------------------------------------------------

def _require(frame, names: Sequence[str], label_zh: str, label_en: str) -> None:
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise InputDataError("{}缺少字段：{}。".format(label_zh, "、".join(missing)),
                             "The {} lack the fields: {}.".format(label_en, ", ".join(missing)))


def _code_kind(values: Iterable[Any]) -> Optional[str]:
    """"number" when every filled value is a number, "text" when every one is text, else None."""
    kinds = set()
    for value in values:
        if is_blank(value) or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, bool):
            continue
        if isinstance(value, str):
            kinds.add("text")
        elif isinstance(value, (int, float)) or hasattr(value, "dtype"):
            kinds.add("number")
        if len(kinds) > 1:
            return None
    return kinds.pop() if kinds else None


def code_type_warnings(columns: Mapping[tuple[str, str], Iterable[Any]]) -> list[tuple[str, str]]:
    """A warning (Chinese, English) when some code columns hold numbers and others text; keys are the
    columns' (zh, en) labels."""
    kinds = {label: _code_kind(values) for label, values in columns.items()}
    numbers = [label for label, kind in kinds.items() if kind == "number"]
    texts = [label for label, kind in kinds.items() if kind == "text"]
    if not numbers or not texts:
        return []
    return [("{}中的编码存为数字，{}中的编码存为文本：已统一按文本比较（如 360702 与 \"360702\" 视为相同）。".format(
        "、".join(zh for zh, _ in numbers), "、".join(zh for zh, _ in texts)),
        "The codes are stored as numbers in {} and as text in {}: they are compared as text (360702 and "
        "\"360702\" match).".format(", ".join(en for _, en in numbers), ", ".join(en for _, en in texts)))]


def _listed(codes: Sequence[str], limit: int = 10) -> tuple[str, str]:
    shown = list(codes[:limit])
    more = len(codes) - len(shown)
    return ("、".join(shown) + (f" 等{len(codes)}个" if more > 0 else ""),
            ", ".join(shown) + (f" and {more} more" if more > 0 else ""))


def _hierarchy(areas, warnings: list) -> Hierarchy:
    rows = [{"code": code, "name": name, "level": level, "parent_code": parent, "chief_name": chief}
            for code, name, level, parent, chief in zip(areas["code"], areas["name"], areas["level"],
                                                        areas["parent_code"], areas["chief_name"])]
    blank = sum(1 for row in rows if not normalise_code(row["code"]))
    if blank:
        raise InputDataError(f"责任区图层中有 {blank} 个责任区没有编码（code）。",
                             f"{blank} responsibility areas have no code.")
    tree = build_hierarchy(rows)
    if tree.duplicates:
        zh, en = _listed(tree.duplicates)
        raise InputDataError(f"责任区编码重复：{zh}。每个责任区的编码必须唯一。",
                             f"Responsibility area codes occur more than once: {en}. Each area needs its own code.")
    for code in tree.orphans:
        node = tree.nodes[code]
        warnings.append((f"责任区 {code}（{node.name}）的上级编码 {node.parent_code} 在责任区图层中不存在，"
                         "按最上级责任区考核。",
                         f"The parent code {node.parent_code} of area {code} ({node.name}) matches no area; the "
                         "area is assessed as a top-level one."))
    return tree


def _check_patrols(tracks, period: Period, as_of: dt.date) -> int:
    """The dated patrols (patrol ids) from the period start to ``as_of``; InputDataError when there are none."""
    dated_column = tracks["dated"] if "dated" in tracks.columns else [None] * len(tracks)
    days: list[dt.date] = []
    inside: set[str] = set()
    for index, (patrol_id, start, dated) in enumerate(zip(tracks["patrol_id"], tracks["start_time"], dated_column)):
        day = patrol_day(start)
        if day is None or _flag(dated) is False:
            continue
        days.append(day)
        if period.first <= day <= as_of:
            inside.add(as_text(patrol_id) or f"\x00row{index}")
    if inside:
        return len(inside)
    if days:
        span_zh = f"已有巡林轨迹的日期为 {min(days)} 至 {max(days)}"
        span_en = f"the tracks there are dated {min(days)} to {max(days)}"
    else:
        span_zh, span_en = "没有任何带时间的巡林轨迹", "no track has a valid date"
    raise InputDataError(
        f"{period.label_zh}（{period.first} 至 {as_of}）没有巡林轨迹（{span_zh}），无法考核；请检查考核年度、季度，"
        "或先导入巡林轨迹。",
        f"There are no patrol tracks in {period.label_en} ({period.first} to {as_of}); {span_en}. Check the year "
        "and quarter, or import the tracks first.")


# --- the assessment ------------------------------------------------------------------------------------

def _reporter(progress: Optional[Progress], start: float, end: float) -> Callable[[float], Optional[bool]]:
    def report(percent: float) -> Optional[bool]:
        if progress is not None and progress(start + (end - start) * percent / 100.0) is False:
            raise AssessmentCanceled("canceled")
        return True
    return report


def _empty_if_none(frame, columns: Sequence[str]):
    import pandas as pd

    return pd.DataFrame({name: [] for name in columns}) if frame is None else frame


def _percent(part: int, whole: int) -> Optional[float]:
    return 100.0 * part / whole if whole else None


def assess(areas: "gpd.GeoDataFrame", tracks: "gpd.GeoDataFrame", spots: Optional["pd.DataFrame"],
           history: Optional["pd.DataFrame"],
           rules: Sequence[PatrolRule], period: Period, as_of: Optional[dt.date] = None,
           indicators: Optional[Sequence[Indicator]] = None, settings: Optional[Settings] = None,
           today: Optional[dt.date] = None, progress: Optional[Progress] = None) -> AssessmentResult:
    """Assess every responsibility area's chief for ``period`` (see the module help).

    ``areas``: code, name, level, parent_code, chief_name and polygons; ``tracks``: patrol_id, patroller,
    area_code, start_time (dated, on_foot, end_time when present) and lines, in the same projected CRS in
    metres; ``spots``: spot_no, area_code, status, after_date (determination, verify_date, patrol_missed,
    before_date when present); ``history``: the spot_history rows (spot_no, changed_at, new_status; old_status,
    changes, note and fid when present). None for spots or history: there are none. Raises InputDataError (Chinese and English) for missing fields, no
    areas, duplicate area codes, no dated patrol in the period, a bad setting; AssessmentCanceled when
    ``progress`` returns False.
    """
    from ..patrols.compliance import patrol_compliance
    from ..patrols.coverage import CoverageCanceled, area_coverage

    settings = settings or Settings()
    settings.check()
    indicators = tuple(indicators) if indicators is not None else default_indicators()
    if sum(indicator.weight for indicator in indicators) <= 0:
        raise InputDataError("各指标的权重之和为0，至少要有一个指标的权重大于0。",
                             "The indicator weights add up to 0; at least one needs a weight above 0.")
    spots = _empty_if_none(spots, SPOT_COLUMNS)
    history = _empty_if_none(history, HISTORY_COLUMNS)
    _require(areas, AREA_COLUMNS, "责任区图层", "responsibility areas")
    _require(tracks, TRACK_COLUMNS, "巡林轨迹图层", "patrol tracks")
    _require(spots, SPOT_COLUMNS, "变化图斑图层", "change spots")
    _require(history, HISTORY_COLUMNS, "图斑核查记录表", "change-spot history")
    if len(areas) == 0:
        raise InputDataError("责任区图层没有要素，无法考核。", "The responsibility areas layer has no features.")
    report = _reporter(progress, 0, 100)
    warnings: list[tuple[str, str]] = []
    as_of = resolve_as_of(period, as_of, today, warnings)
    if as_of > (today or dt.date.today()):
        warnings.append((f"考核截止日期 {as_of} 晚于今天，之后的巡林与核查尚未发生。",
                         f"The as-of date {as_of} is after today: later patrols and reviews have not happened yet."))
    tree = _hierarchy(areas, warnings)
    warnings += code_type_warnings({
        ("责任区编码（resp_areas.code）", "the area codes (resp_areas.code)"): areas["code"],
        ("上级编码（resp_areas.parent_code）", "the parent codes (resp_areas.parent_code)"): areas["parent_code"],
        ("巡林轨迹的责任区编码", "the tracks' area codes"): tracks["area_code"],
        ("变化图斑的责任区编码", "the spots' area codes"): spots["area_code"],
    })
    patrols = _check_patrols(tracks, period, as_of)
    report(5)

    compliance = patrol_compliance(areas, tracks, rules, period.first, period.last, as_of=as_of,
                                   min_inside=settings.min_inside, on_foot_only=settings.on_foot_only).summary
    report(20)
    try:
        coverage = area_coverage(tracks, areas, float(settings.swath_m), date_from=period.first, date_to=as_of,
                                 on_foot_only=settings.on_foot_only, progress=_reporter(progress, 20, 80))
    except CoverageCanceled:
        raise AssessmentCanceled("canceled") from None
    for message in coverage.attrs.get("warnings", []):
        warnings.append((f"责任区图形有误，已自动修复：{message}", message))

    timelines = _timelines(spots, history, as_of, settings, tree, warnings)
    report(90)
    table = _table(areas, tree, compliance, coverage, timelines, period, as_of, settings, indicators)
    cards = _yellow_cards(table, tree, timelines, as_of, settings)
    _apply_cards(table, cards)
    negative = _negative_list(table, tree, timelines, period, as_of, settings, warnings)
    town_counts = Counter(item.town_code for item in negative)
    table["negative_items"] = [town_counts.get(code, 0) if tree.nodes[code].level == 2 else None
                               for code in table["code"]]
    report(100)
    for zh, en in warnings:
        log.warning(en)
    order = _order(table, tree)
    return AssessmentResult(period, as_of, settings, indicators, table, cards, negative, timelines, order, warnings,
                            patrols)


def _timelines(spots, history, as_of: dt.date, settings: Settings, tree: Hierarchy,
               warnings: list) -> list[SpotTimeline]:
    by_spot: dict[str, list[dict]] = {}
    history_columns = [name for name in HISTORY_COLUMNS + OPTIONAL_HISTORY_COLUMNS if name in history.columns]
    for row in history[history_columns].to_dict("records"):
        by_spot.setdefault(normalise_code(row.get("spot_no")), []).append(row)
    spot_columns = [name for name in SPOT_COLUMNS + OPTIONAL_SPOT_COLUMNS if name in spots.columns]
    timelines = [spot_timeline(row, by_spot.get(normalise_code(row.get("spot_no")), []), as_of, settings)
                 for row in spots[spot_columns].to_dict("records")]
    unknown = sorted({spot.area_code or "（空）" for spot in timelines if spot.area_code not in tree.nodes})
    if unknown:
        count = sum(1 for spot in timelines if spot.area_code not in tree.nodes)
        zh, en = _listed(unknown)
        warnings.append((f"{count} 个变化图斑的责任区编码（{zh}）在责任区图层中不存在，未计入任何林长的考核。",
                         f"{count} change spots have area codes that match no area ({en}); they count for no chief."))
    undated = [spot.spot_no for spot in timelines if spot.issued_on is None]
    if undated:
        zh, en = _listed(undated)
        warnings.append((f"{len(undated)} 个图斑既无后时相也无核查记录，无法确定下发日期，未计入考核：{zh}。",
                         f"{len(undated)} spots have neither an after date nor any history, so their issue date "
                         f"is unknown; they are left out: {en}."))
    unjudged = [spot.spot_no for spot in timelines
                if (spot.verified and spot.verified_on is None) or (spot.rectified and spot.rectified_on is None)]
    if unjudged:
        zh, en = _listed(unjudged)
        warnings.append((f"{len(unjudged)} 个图斑的核实或整改没有记录日期（无核查记录、无核查日期）：算作已完成，但不计入"
                         f"按期率：{zh}。",
                         f"{len(unjudged)} spots were verified or rectified on no recorded date (no history, no "
                         f"verification date): counted as done, but left out of the on-time rates: {en}."))
    no_date = [spot.spot_no for spot in timelines if spot.illegal and spot.determined_on is None]
    if no_date:
        zh, en = _listed(no_date)
        warnings.append((f"{len(no_date)} 个违法图斑没有认定日期（无核查记录、无核查日期），不计整改期限：{zh}。",
                         f"{len(no_date)} illegal spots have no determination date (no history, no verification "
                         f"date), so no rectification deadline: {en}."))
    if "patrol_missed" in spots.columns and not any(spot.patrol_missed is not None for spot in timelines) and timelines:
        warnings.append(("变化图斑尚未与巡林轨迹关联（巡林未发现均为空），“图斑巡林到位率”不适用；可先运行“图斑关联巡林”。",
                         "The change spots are not linked to the patrols yet (patrol_missed is empty): 'spots "
                         "reached by patrol' does not apply; run Link change spots to patrols first."))
    return timelines


def _table(areas, tree: Hierarchy, compliance, coverage, timelines: list[SpotTimeline], period: Period,
           as_of: dt.date, settings: Settings, indicators: Sequence[Indicator]):
    import pandas as pd

    codes = [normalise_code(code) for code in areas["code"]]
    counts: dict[str, Counter] = {code: Counter() for code in codes}
    for spot in timelines:
        if spot.area_code not in tree.nodes:
            continue
        added = spot_counts(spot, period.first, as_of)
        if not added:
            continue
        for code in [spot.area_code] + tree.ancestors(spot.area_code):
            counts[code].update(added)

    compliance_pct: dict[str, Optional[float]] = {}
    rows: dict[str, list] = {name: [] for name in TABLE_COLUMNS}
    for position, code in enumerate(codes):
        required = int(compliance["periods_required"].iloc[position] or 0)
        met = int(compliance["periods_met"].iloc[position] or 0)
        assessed = compliance["compliant"].iloc[position] is not None and required > 0
        compliance_pct[code] = _percent(met, required) if assessed else None
    for position, code in enumerate(codes):
        node = tree.nodes[code]
        figures = counts[code]
        children = [child.code for child in tree.children(code)]
        rated = [compliance_pct[child] for child in children if compliance_pct.get(child) is not None]
        good = sum(1 for pct in rated if pct >= settings.compliance_min - _TOLERANCE)
        covered = coverage["coverage_pct"].iloc[position]
        kind = compliance["period_kind"].iloc[position]
        values = {
            "code": code, "name": node.name, "level": node.level, "parent_code": node.parent_code,
            "chief_name": node.chief_name, "period_kind": kind if isinstance(kind, str) else None,
            "periods_required": int(compliance["periods_required"].iloc[position] or 0),
            "periods_met": int(compliance["periods_met"].iloc[position] or 0),
            "compliance_pct": compliance_pct[code],
            "coverage_pct": None if is_blank(covered) or _zero_area(areas.geometry.iloc[position]) else float(covered),
            "verify_due": figures["verify_due"], "verify_on_time": figures["verify_on_time"],
            "verify_overdue": figures["verify_overdue"],
            "verified_pct": _percent(figures["verify_on_time"], figures["verify_due"]),
            "rectify_due": figures["rectify_due"], "rectify_on_time": figures["rectify_on_time"],
            "rectify_overdue": figures["rectify_overdue"], "unrectified": figures["unrectified"],
            "rectified_pct": _percent(figures["rectify_on_time"], figures["rectify_due"]),
            "children_assessed": len(rated), "children_met": good,
            "children_pct": _percent(good, len(rated)),
            "linked": figures["linked"], "patrolled": figures["patrolled"],
            "patrolled_pct": _percent(figures["patrolled"], figures["linked"]),
        }
        scores, weighted, weights, not_applicable = {}, 0.0, 0.0, []
        for indicator in indicators:
            score = indicator.score(values[INDICATOR_VALUES[indicator.key]])
            scores[indicator.key] = score
            if score is None:
                not_applicable.append(indicator.name_zh)
            elif indicator.weight > 0:
                weighted += indicator.weight * score
                weights += indicator.weight
        total = weighted / weights if weights > 0 else None
        values.update(scores)
        values.update({"total": total, "grade": settings.grade(total), "not_applicable": "、".join(not_applicable),
                       "yellow_card": False, "card_reasons": "", "negative_items": None})
        for name in TABLE_COLUMNS:
            rows[name].append(values.get(name))
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS), index=areas.index)
    for name in ("compliance_pct", "coverage_pct", "verified_pct", "rectified_pct", "children_pct", "patrolled_pct",
                 "total") + tuple(INDICATOR_VALUES):
        table[name] = table[name].astype(float)
    table["level"] = table["level"].astype("Int64")
    return table


def _known(value: Any) -> bool:
    return value is not None and not is_blank(value)


def _zero_area(geometry) -> bool:
    import shapely

    return geometry is None or shapely.is_empty(geometry) or shapely.area(geometry) <= 0


def _spot_list(spots: list[tuple[SpotTimeline, dt.date, int]]) -> tuple[str, str]:
    shown = spots[:LISTED_SPOTS]
    zh = "、".join(f"{spot.spot_no}（{deadline}到期，超期{days}天）" for spot, deadline, days in shown)
    en = ", ".join(f"{spot.spot_no} (due {deadline}, {days} days overdue)" for spot, deadline, days in shown)
    if len(spots) > len(shown):
        zh += f" 等{len(spots)}个"
        en += f" and {len(spots) - len(shown)} more"
    return zh, en


def _overdue_spots(timelines: list[SpotTimeline], as_of: dt.date, kind: str) -> dict[str, list]:
    """Per area code: (spot, deadline, days overdue) of its own spots past the verification or rectification
    deadline, most overdue first."""
    found: dict[str, list] = {}
    for spot in timelines:
        if spot.issued_on is None or spot.issued_on > as_of:
            continue
        if kind == "verification":
            deadline, done = spot.verify_deadline, spot.verified
        else:
            deadline, done = (spot.rectify_deadline, spot.rectified) if spot.illegal else (None, True)
        if deadline is not None and deadline < as_of and not done:
            found.setdefault(spot.area_code, []).append((spot, deadline, (as_of - deadline).days))
    for items in found.values():
        items.sort(key=lambda item: (-item[2], item[0].spot_no))
    return found


def _yellow_cards(table, tree: Hierarchy, timelines: list[SpotTimeline], as_of: dt.date,
                  settings: Settings) -> list[YellowCard]:
    cards: list[YellowCard] = []
    minimum = settings.compliance_min
    verification = _overdue_spots(timelines, as_of, "verification")
    rectification = _overdue_spots(timelines, as_of, "rectification")
    for code, pct, required, met in zip(table["code"], table["compliance_pct"], table["periods_required"],
                                        table["periods_met"]):
        if _known(pct) and pct < minimum - _TOLERANCE:
            cards.append(YellowCard(
                code, "compliance",
                f"巡林达标率{pct:.1f}%（{required}个巡林周期中达标{met}个），低于达标线{minimum:g}%。",
                f"Patrol compliance {pct:.1f}% ({met} of {required} patrol periods met), below the minimum of "
                f"{minimum:g}%."))
        if code in verification:
            items = verification[code]
            zh, en = _spot_list(items)
            cards.append(YellowCard(
                code, "verification",
                f"{len(items)}个图斑超过核实期限（下发后{settings.verify_days}天）仍未现地核实：{zh}。",
                f"{len(items)} change spot(s) not field-verified past the deadline ({settings.verify_days} days "
                f"after being issued): {en}.", tuple(spot.spot_no for spot, _, _ in items)))
        if code in rectification:
            items = rectification[code]
            zh, en = _spot_list(items)
            cards.append(YellowCard(
                code, "rectification",
                f"{len(items)}个违法图斑超过整改期限（认定后{settings.rectify_days}天）仍未整改：{zh}。",
                f"{len(items)} illegal spot(s) not rectified past the deadline ({settings.rectify_days} days "
                f"after the determination): {en}.", tuple(spot.spot_no for spot, _, _ in items)))
    return cards


def _apply_cards(table, cards: list[YellowCard]) -> None:
    reasons: dict[str, list[str]] = {}
    for card in cards:
        reasons.setdefault(card.area_code, []).append(card.reason_zh)
    table["yellow_card"] = [code in reasons for code in table["code"]]
    table["card_reasons"] = ["".join(reasons.get(code, [])) for code in table["code"]]


def _negative_list(table, tree: Hierarchy, timelines: list[SpotTimeline], period: Period, as_of: dt.date,
                   settings: Settings, warnings: list) -> list[NegativeItem]:
    items: list[NegativeItem] = []
    minimum = settings.compliance_min
    outside: list[str] = []

    def item(kind: str, area_code: str, subject: str, zh: str, en: str) -> None:
        town = tree.at_level(area_code, 2)
        if town is None:
            outside.append(subject)
            return
        node = tree.nodes[area_code]
        items.append(NegativeItem(town, tree.nodes[town].name, kind, area_code, node.name, node.chief_name,
                                  subject, zh, en))

    for code, pct in zip(table["code"], table["compliance_pct"]):
        if _known(pct) and pct < minimum - _TOLERANCE:
            node = tree.nodes[code]
            level_zh, level_en = schema.AREA_LEVELS.get(node.level, ("", ""))
            chief = node.chief_name or "（未填）"
            item("noncompliant", code, node.chief_name or code,
                 f"{node.name}（{level_zh}）林长{chief}巡林达标率{pct:.1f}%，低于达标线{minimum:g}%。",
                 f"The {level_en} chief {node.chief_name or '(not named)'} of {node.name}: patrol compliance "
                 f"{pct:.1f}%, below the minimum of {minimum:g}%.".replace("The  chief", "The chief"))
    for spot in timelines:
        if spot.area_code not in tree.nodes or spot.issued_on is None or spot.issued_on > as_of:
            continue
        name = tree.nodes[spot.area_code].name
        if spot.verify_deadline is not None and spot.verify_deadline < as_of and not spot.verified:
            days = (as_of - spot.verify_deadline).days
            item("verify_overdue", spot.area_code, spot.spot_no,
                 f"图斑{spot.spot_no}（{name}）{spot.issued_on}下发，核实期限{spot.verify_deadline}，截至{as_of}"
                 f"仍未现地核实，超期{days}天。",
                 f"Spot {spot.spot_no} ({name}) issued {spot.issued_on}, verification due {spot.verify_deadline}, "
                 f"not field-verified by {as_of}: {days} days overdue.")
        if spot.illegal and not spot.rectified:
            when = str(spot.determined_on) if spot.determined_on else "日期不详"
            when_en = str(spot.determined_on) if spot.determined_on else "on an unrecorded date"
            if spot.rectify_deadline is not None and spot.rectify_deadline < as_of:
                days = (as_of - spot.rectify_deadline).days
                item("rectify_overdue", spot.area_code, spot.spot_no,
                     f"违法图斑{spot.spot_no}（{name}）{when}认定，整改期限{spot.rectify_deadline}，截至{as_of}"
                     f"仍未整改，超期{days}天。",
                     f"Illegal spot {spot.spot_no} ({name}) determined {when_en}, rectification due "
                     f"{spot.rectify_deadline}, not rectified by {as_of}: {days} days overdue.")
            else:
                due_zh = f"整改期限{spot.rectify_deadline}" if spot.rectify_deadline else "无整改期限"
                due_en = f"due {spot.rectify_deadline}" if spot.rectify_deadline else "no deadline known"
                item("unrectified", spot.area_code, spot.spot_no,
                     f"违法图斑{spot.spot_no}（{name}）{when}认定，截至{as_of}尚未整改（{due_zh}）。",
                     f"Illegal spot {spot.spot_no} ({name}) determined {when_en}, not yet rectified by {as_of} "
                     f"({due_en}).")
        if spot.patrol_missed and period.first <= spot.issued_on <= as_of:
            span = f"{spot.before_date or '前时相'}至{spot.after_date or '后时相'}"
            span_en = f"{spot.before_date or 'the before date'} to {spot.after_date or 'the after date'}"
            item("missed", spot.area_code, spot.spot_no,
                 f"图斑{spot.spot_no}（{name}）在{span}之间无巡林轨迹经过（巡林未发现）。",
                 f"Spot {spot.spot_no} ({name}): no patrol passed it between {span_en} (missed by patrol).")
    kinds = list(NEGATIVE_KINDS)
    items.sort(key=lambda entry: (entry.town_code, kinds.index(entry.kind), entry.area_code, entry.subject))
    if outside:
        zh, en = _listed(outside)
        warnings.append((f"{len(outside)} 项问题不属于任何镇（街）级责任区（如区级责任区自身的图斑），未列入负面清单：{zh}。",
                         f"{len(outside)} problems belong to no town-level area (e.g. spots of the district area "
                         f"itself) and are not on the negative list: {en}."))
    return items


def _order(table, tree: Hierarchy) -> list[int]:
    """Positions of the table's rows, parents before children (areas in a cycle of parent codes last)."""
    position = {code: index for index, code in enumerate(table["code"])}
    ordered = [position[node.code] for node in tree.walk() if node.code in position]
    seen = set(ordered)
    return ordered + [index for index in range(len(table)) if index not in seen]


def summary_lines(result: AssessmentResult) -> list[tuple[str, str]]:
    """The key figures of an assessment, each as a Chinese and an English sentence (for the log)."""
    table = result.table
    grades = Counter(table["grade"])
    names = [name for _threshold, name in sorted(result.settings.grades, key=lambda g: -g[0])]
    names += [FAIL_GRADE, NOT_APPLICABLE]
    period = result.period
    towns = len({item.town_code for item in result.negative_list})
    return [
        (f"考核期：{period.label_zh}（{period.first} 至 {result.as_of}）。",
         f"Period: {period.label_en} ({period.first} to {result.as_of})."),
        (f"考核林长 {result.chiefs_assessed} 名（责任区 {len(table)} 个）；考核期内巡林 {result.patrols} 次；"
         f"变化图斑 {len(result.spots)} 个。",
         f"{result.chiefs_assessed} chiefs assessed ({len(table)} areas); {result.patrols} patrols in the period; "
         f"{len(result.spots)} change spots."),
        ("等级：" + "、".join(f"{name} {grades.get(name, 0)} 名" for name in names) + "。",
         "Grades: " + ", ".join(f"{GRADES_EN.get(name, name)} {grades.get(name, 0)}" for name in names) + "."),
        (f"黄牌警告 {result.carded} 名林长（{len(result.cards)} 条原因）；负面清单 {len(result.negative_list)} 项，"
         f"涉及 {towns} 个镇（街）。",
         f"Yellow cards: {result.carded} chiefs ({len(result.cards)} reasons); negative list: "
         f"{len(result.negative_list)} items in {towns} towns."),
    ]
