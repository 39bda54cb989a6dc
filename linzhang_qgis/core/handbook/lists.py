"""The three lists of a chief's patrol handbook (巡林手册), derived from the workspace's data.

A chief's **area** is the responsibility area and all its descendants (core/hierarchy/tree.py); stands,
change spots, rangers and grid zones belong to it when their ``area_code`` is one of these codes (in the
demo stands carry the code of their group, level 4). Areas are in hectares and 亩 (1 ha = 15 亩).

**Target tasks (目标任务清单)**, for the calendar year of ``as_of``, each with its target and its state as
of ``as_of``:

1. 林长巡林: the rule of the chief's level (workspace table ``patrol_rules``) gives the patrols required in
   the year (periods in the year × minimum count); done = the patrols counted for the chief from 1 January
   to ``as_of`` (core/patrols/compliance.py: the chief's own tracks, mostly inside the area, dated, on
   foot); met when every period due by ``as_of`` was met.
2. 督导下级林长 (when the area has child areas): the direct children's chiefs and how many of them met
   their rule; met when no chief below (any level) is overdue.
3. 森林资源保护: the forest land to protect (forest land classes only; public-welfare and natural forest
   within it) and the change spots detected in the area.
4. 图斑核实整改: every change spot verified, rectified and closed (销号); met when none is open
   (open = not closed and not a false detection, ``tree.is_open_spot``).
5. 两长两员与网格: supervisors and rangers of the area (table ``rangers``; an area without its own,
   such as a group patrolled by its village's rangers, shows its nearest ancestor's) and its
   management-grid zones; met when the area has rangers and zones.

**Forest resources (森林资源清单)**: stands, hectares, 亩 and share of the forest land by 林种
(``forest_use``), 起源 (``origin``) and 优势树种 (``species``), in code-list order with Chinese labels;
only forest land classes (a stand without a land class counts as forest). A stand's area is ``area_ha``,
else ``area_mu`` / 15, else its polygon's area.

**Key problems (重点问题清单)**: the open change spots (number, village, 亩, status); the chiefs of the
area (the chief first, then those below, longest overdue first) whose patrols are overdue
(``days_overdue`` > 0 in the compliance of the year as of ``as_of``); the spots missed by patrol
(``patrol_missed``, from linzhang:linkspotspatrols).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from .. import schema
from ..errors import InputDataError
from ..hierarchy.tree import Hierarchy, build_hierarchy, is_open_spot
from ..patrols.compliance import patrol_compliance, patrol_day, periods_between
from ..patrols.rules import PatrolRule
from ..values import as_float, as_int, as_text, is_blank, normalise_code

MU_PER_HA = 15.0
M2_PER_MU = 10_000.0 / MU_PER_HA
UNFILLED = "未填"
AREA_FIELDS = ("code", "name", "level", "parent_code", "chief_name", "chief_title", "chief_phone", "supervisor",
               "area_ha")
STAND_FIELDS = ("land_class", "origin", "forest_cat", "forest_use", "species", "area_code", "area_ha", "area_mu")
TRACK_FIELDS = ("patrol_id", "patroller", "area_code", "start_time", "dated", "on_foot")
SPOT_FIELDS = ("spot_no", "town", "village", "area_code", "chief_name", "area_mu", "status", "determination",
               "patrol_missed")
RANGER_FIELDS = ("ranger_id", "name", "role", "area_code")
ZONE_FIELDS = ("zone_id", "area_code", "ranger")
RULE_FIELDS = ("level", "period", "min_count")
UNVERIFIED_STATUSES = ("issued", "interpreted")  # not yet checked on the ground
CODE_SEPARATORS = re.compile(r"[,，、;；\s]+")


# --- what the lists hold ---------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskItem:
    task: str  # 林长巡林, 督导下级林长 …
    target: str  # the target of the year
    progress: str  # the state as of the date
    met: Optional[bool] = None  # None: no pass/fail (a figure to keep in mind)

    @property
    def state_zh(self) -> str:
        return "—" if self.met is None else ("达标" if self.met else "未达标")


@dataclass(frozen=True)
class ResourceRow:
    code: str  # the stored code ("" for unfilled)
    label: str  # its Chinese label
    stands: int
    ha: float
    share: float  # of the forest land, 0-1

    @property
    def mu(self) -> float:
        return self.ha * MU_PER_HA


@dataclass
class ResourceSummary:
    by_use: list[ResourceRow]
    by_origin: list[ResourceRow]
    by_species: list[ResourceRow]
    stands: int  # forest-land stands
    ha: float  # forest land
    public_ha: float  # 公益林 within it
    natural_ha: float  # 天然 within it

    @property
    def mu(self) -> float:
        return self.ha * MU_PER_HA


@dataclass(frozen=True)
class SpotProblem:
    spot_no: str
    town: str
    village: str
    mu: Optional[float]
    status_zh: str
    chief_name: str


@dataclass(frozen=True)
class OverdueChief:
    code: str
    place: str  # the area's name, with its village for a group (第一组 alone says little)
    level_zh: str
    chief_name: str
    last_patrol: Optional[dt.date]
    days_overdue: int
    own: bool  # the handbook's own chief


@dataclass
class KeyProblems:
    open_spots: list[SpotProblem]
    overdue: list[OverdueChief]
    missed: list[SpotProblem]

    @property
    def open_mu(self) -> float:
        return sum(spot.mu or 0.0 for spot in self.open_spots)


@dataclass
class Handbook:
    code: str
    name: str
    level: Optional[int]
    chief_name: str
    chief_title: str
    area_ha: Optional[float]
    as_of: dt.date
    codes: list[str]  # the area and its descendants
    tasks: list[TaskItem]
    resources: ResourceSummary
    problems: KeyProblems
    rule: Optional[PatrolRule] = None
    parent_name: str = ""

    @property
    def level_zh(self) -> str:
        return schema.AREA_LEVELS[self.level][0] if self.level in schema.AREA_LEVELS else ""

    @property
    def year(self) -> int:
        return self.as_of.year


@dataclass
class WorkspaceData:
    """The workspace's layers as frames, with at least the columns of the ``*_FIELDS`` above (areas and
    tracks with their geometry, in one projected CRS)."""

    areas: Any
    stands: Any
    tracks: Any
    spots: Any
    rangers: Any
    zones: Any
    rules: tuple[PatrolRule, ...]
    hierarchy: Optional[Hierarchy] = field(default=None, repr=False)

    def tree(self) -> Hierarchy:
        if self.hierarchy is None:
            self.hierarchy = build_hierarchy(records(self.areas, AREA_FIELDS))
        return self.hierarchy


# --- small helpers ---------------------------------------------------------------------------------


def _flag(value: Any) -> bool:
    if is_blank(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "t", "yes", "y", "是")
    return bool(value.item() if hasattr(value, "item") else value)


def records(frame, columns: Sequence[str], optional: Sequence[str] = ()) -> list[dict]:
    """The rows of ``frame`` as dicts of ``columns``, those of ``optional`` it has, and ``geometry`` when it
    has one."""
    present = set(getattr(frame, "columns", ()))
    names = list(columns) + [name for name in (*optional, "geometry") if name in present and name not in columns]
    return frame[names].to_dict("records") if len(frame) else []


def require_columns(frame, names: Sequence[str], layer: schema.LayerDef) -> None:
    """InputDataError naming the workspace layer and the fields it lacks."""
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise InputDataError(
            "工作空间图层 {}（{}）缺少字段：{}。".format(layer.name, layer.title_zh, "、".join(missing)),
            "The workspace layer {} ({}) lacks the fields: {}.".format(layer.name, layer.title_en, ", ".join(missing)))


def check_data(data: WorkspaceData) -> None:
    """Every frame has the columns the lists need."""
    for frame, names, layer in ((data.areas, AREA_FIELDS, schema.RESP_AREAS),
                                (data.stands, STAND_FIELDS, schema.FOREST_STANDS),
                                (data.tracks, TRACK_FIELDS[:4], schema.PATROL_TRACKS),
                                (data.spots, SPOT_FIELDS, schema.CHANGE_SPOTS),
                                (data.rangers, RANGER_FIELDS, schema.RANGERS),
                                (data.zones, ZONE_FIELDS[:2], schema.GRID_ZONES)):
        require_columns(frame, names, layer)


def stand_hectares(stand: Mapping[str, Any]) -> float:
    """``area_ha``, else ``area_mu`` / 15, else the polygon's area / 10,000 (0 when none is known)."""
    hectares = as_float(stand.get("area_ha"))
    if hectares is not None:
        return hectares
    mu = as_float(stand.get("area_mu"))
    if mu is not None:
        return mu / MU_PER_HA
    geometry = stand.get("geometry")
    area = getattr(geometry, "area", None) if geometry is not None else None
    return float(area) / 10_000.0 if area else 0.0


def spot_mu(spot: Mapping[str, Any]) -> Optional[float]:
    mu = as_float(spot.get("area_mu"))
    if mu is None and as_float(spot.get("area_m2")) is not None:
        mu = as_float(spot.get("area_m2")) / M2_PER_MU
    return mu


def is_forest_land(stand: Mapping[str, Any]) -> bool:
    land_class = as_text(stand.get("land_class"))
    return not land_class or land_class in schema.FOREST_LAND_CLASSES


def parse_codes(text: str) -> list[str]:
    """Area codes from a list separated by commas (also Chinese ones), semicolons or spaces, in order, once."""
    return list(dict.fromkeys(normalise_code(part) for part in CODE_SEPARATORS.split(text or "") if part.strip()))


def default_as_of(tracks, today: Optional[dt.date] = None) -> dt.date:
    """The day of the latest patrol of the workspace, else ``today``."""
    days = [day for day in (patrol_day(value) for value in tracks["start_time"]) if day is not None] \
        if len(tracks) and "start_time" in tracks.columns else []
    return max(days) if days else (today or dt.date.today())


# --- choosing the chiefs ---------------------------------------------------------------------------

def select_codes(tree: Hierarchy, level: int, codes: Sequence[str] = ()) -> list[str]:
    """The areas to make handbooks for: ``codes`` (any level) when given, else every area of ``level``, in
    hierarchy order. InputDataError for codes that match nothing or a level without areas."""
    wanted = [normalise_code(code) for code in codes if normalise_code(code)]
    if wanted:
        unknown = [code for code in wanted if code not in tree]
        if unknown:
            raise InputDataError("工作空间中没有编码为 {} 的责任区。".format("、".join(unknown)),
                                 "The workspace has no responsibility area with the code {}.".format(
                                     ", ".join(unknown)))
        return list(dict.fromkeys(wanted))
    selected = [node.code for node in tree.walk() if node.level == level]
    if not selected:
        zh, en = schema.AREA_LEVELS.get(level, (str(level), str(level)))
        raise InputDataError("工作空间中没有{}责任区。".format(zh),
                             "The workspace has no {} responsibility areas.".format(en))
    return selected


# --- the forest-resource summary -------------------------------------------------------------------

def _group(stands: list[Mapping[str, Any]], hectares: list[float], column: str, codes: Mapping[str, tuple],
           total: float) -> list[ResourceRow]:
    sums: dict[str, list] = {}
    for stand, area in zip(stands, hectares):
        key = as_text(stand.get(column))
        entry = sums.setdefault(key, [0, 0.0])
        entry[0] += 1
        entry[1] += area
    order = [code for code in codes if code in sums] + sorted(code for code in sums if code not in codes and code) \
        + ([""] if "" in sums else [])
    return [ResourceRow(code, codes[code][0] if code in codes else (code or UNFILLED), sums[code][0], sums[code][1],
                        sums[code][1] / total if total > 0 else 0.0) for code in order]


def resource_summary(stands: Iterable[Mapping[str, Any]]) -> ResourceSummary:
    """Stands, ha and share of the forest land by 林种, 起源 and 优势树种 (forest land classes only)."""
    forest = [stand for stand in stands if is_forest_land(stand)]
    hectares = [stand_hectares(stand) for stand in forest]
    total = float(sum(hectares))
    public = sum(area for stand, area in zip(forest, hectares) if as_text(stand.get("forest_cat")) == "public")
    natural = sum(area for stand, area in zip(forest, hectares) if as_text(stand.get("origin")) == "natural")
    return ResourceSummary(
        by_use=_group(forest, hectares, "forest_use", schema.FOREST_USES, total),
        by_origin=_group(forest, hectares, "origin", schema.ORIGINS, total),
        by_species=_group(forest, hectares, "species", schema.SPECIES, total),
        stands=len(forest), ha=total, public_ha=float(public), natural_ha=float(natural))


# --- patrol compliance of the year -----------------------------------------------------------------

def year_compliance(data: WorkspaceData, as_of: dt.date) -> dict[str, dict]:
    """Compliance of every area for the calendar year of ``as_of`` (patrols up to ``as_of``), by code."""
    year_start, year_end = dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31)
    result = patrol_compliance(data.areas, data.tracks, data.rules, year_start, year_end, as_of=as_of)
    summary = {}
    for row in result.summary.to_dict("records"):
        summary.setdefault(normalise_code(row["area_code"]), row)
    return summary


def patrols_per_year(rule: PatrolRule, year: int) -> int:
    return len(periods_between(rule.period, dt.date(year, 1, 1), dt.date(year, 12, 31))) * rule.min_count


# --- the target tasks ------------------------------------------------------------------------------

def _date_text(day: Optional[dt.date]) -> str:
    return day.isoformat() if isinstance(day, dt.date) else "—"


def _patrol_task(row: Mapping[str, Any], rule: Optional[PatrolRule], as_of: dt.date) -> TaskItem:
    done = as_int(row.get("patrols")) or 0
    if rule is None:
        return TaskItem("林长巡林", "本级未设巡林规则", "截至{}已巡林{}次".format(as_of.isoformat(), done))
    period = schema.PATROL_PERIODS[rule.period][0]
    target = "按{}的要求巡林，{}年不少于{}次".format(rule.describe_zh(), as_of.year,
                                              patrols_per_year(rule, as_of.year))
    parts = ["已巡林{}次".format(done),
             "已到期{}个{}中{}个达标".format(as_int(row.get("periods_required")) or 0, period,
                                        as_int(row.get("periods_met")) or 0)]
    overdue = as_int(row.get("days_overdue")) or 0
    if overdue > 0:
        parts.append("已超期{}天".format(overdue))
    parts.append("下次巡林截止{}".format(_date_text(row.get("next_due"))))
    compliant = row.get("compliant")
    return TaskItem("林长巡林", target, "；".join(parts), None if compliant is None else bool(compliant))


def _supervision_task(tree: Hierarchy, code: str, compliance: Mapping[str, dict],
                      overdue_below: int) -> Optional[TaskItem]:
    children = tree.children(code)
    if not children:
        return None
    levels = sorted({child.level_zh for child in children if child.level_zh})
    assessed = [compliance.get(child.code, {}).get("compliant") for child in children]
    assessed = [value for value in assessed if value is not None]
    below = len(tree.descendants(code))
    target = "督促下级{}林长{}名按期巡林、履职尽责".format("、".join(levels), len(children))
    progress = "下级林长到期达标{}/{}名；各级下级林长{}名中巡林超期{}名".format(
        sum(1 for value in assessed if value), len(assessed), below, overdue_below)
    return TaskItem("督导下级林长", target, progress, overdue_below == 0)


def _forest_task(resources: ResourceSummary, spots: list[Mapping[str, Any]]) -> TaskItem:
    target = "管护林地{:,.1f}公顷（{:,.0f}亩），其中公益林{:,.1f}公顷、天然林{:,.1f}公顷".format(
        resources.ha, resources.mu, resources.public_ha, resources.natural_ha)
    mu = sum(spot_mu(spot) or 0.0 for spot in spots)
    progress = "监测发现变化图斑{}个，共{:,.1f}亩".format(len(spots), mu) if spots else "未监测到变化图斑"
    return TaskItem("森林资源保护", target, progress)


def _spot_task(spots: list[Mapping[str, Any]]) -> TaskItem:
    if not spots:
        return TaskItem("图斑核实整改", "及时核实新下发的变化图斑", "暂无变化图斑", True)
    open_spots = [spot for spot in spots if is_open_spot(spot)]
    unverified = sum(1 for spot in open_spots if as_text(spot.get("status")) in UNVERIFIED_STATUSES)
    target = "变化图斑{}个全部现地核实、整改到位并销号".format(len(spots))
    progress = "已销号或排除{}个；未销号{}个（{:,.1f}亩），其中未现地核实{}个".format(
        len(spots) - len(open_spots), len(open_spots), sum(spot_mu(spot) or 0.0 for spot in open_spots), unverified)
    return TaskItem("图斑核实整改", target, progress, not open_spots)


def _team_task(rangers: list[Mapping[str, Any]], lent_by: str, zones: list[Mapping[str, Any]]) -> TaskItem:
    supervisors = sum(1 for person in rangers if as_text(person.get("role")) == "supervisor")
    keepers = sum(1 for person in rangers if as_text(person.get("role")) != "supervisor")
    progress = "{}基层监管员{}名、护林员{}名；{}".format(
        lent_by, supervisors, keepers,
        "管护网格{}个".format(len(zones)) if zones else "尚未划定管护网格")
    return TaskItem("两长两员与网格", "落实护林员“包山包人”，管护网格覆盖责任区域", progress,
                    keepers > 0 and bool(zones))


def area_rangers(tree: Hierarchy, code: str, rangers: list[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], str]:
    """The supervisors and rangers of the area of ``code`` (its own and those below); when it has none, those
    of its nearest ancestor that has some (a group patrolled by its village's rangers), with that ancestor's
    name ("" when they are the area's own)."""
    for candidate in [code] + tree.ancestors(code):
        wanted = {candidate} | (set(tree.descendants(candidate)) if candidate == code else set())
        found = [person for person in rangers if normalise_code(person.get("area_code")) in wanted]
        if found:
            return found, "" if candidate == code else tree.node(candidate).name
    return [], ""


# --- the key problems ------------------------------------------------------------------------------

def _spot_problem(spot: Mapping[str, Any]) -> SpotProblem:
    status = as_text(spot.get("status"))
    return SpotProblem(as_text(spot.get("spot_no")), as_text(spot.get("town")), as_text(spot.get("village")),
                       spot_mu(spot), schema.code_label("spot_status", status) or UNFILLED,
                       as_text(spot.get("chief_name")))


def _place(tree: Hierarchy, code: str) -> str:
    node = tree.node(code)
    if node.level == 4 and node.parent_code in tree:
        return tree.node(node.parent_code).name + node.name
    return node.name


def overdue_chiefs(tree: Hierarchy, code: str, compliance: Mapping[str, dict]) -> list[OverdueChief]:
    """The chiefs of the area (its own first, then those below, longest overdue first) with days overdue."""
    found = []
    for candidate in [code] + tree.descendants(code):
        row = compliance.get(candidate, {})
        days = as_int(row.get("days_overdue")) or 0
        if days <= 0:
            continue
        node = tree.node(candidate)
        last = row.get("last_patrol")
        found.append(OverdueChief(candidate, _place(tree, candidate), node.level_zh, node.chief_name,
                                  last if isinstance(last, dt.date) else None, days, candidate == code))
    return sorted(found, key=lambda chief: (not chief.own, -chief.days_overdue, chief.code))


# --- one handbook ----------------------------------------------------------------------------------

def _in_area(rows: list[dict], codes: set[str]) -> list[dict]:
    return [row for row in rows if normalise_code(row.get("area_code")) in codes]


def build_handbook(data: WorkspaceData, code: str, as_of: dt.date,
                   compliance: Optional[Mapping[str, dict]] = None,
                   stand_rows: Optional[list[dict]] = None) -> Handbook:
    """The three lists of the chief of ``code`` as of ``as_of``. InputDataError when the area has no stands."""
    tree = data.tree()
    code = normalise_code(code)
    node = tree.node(code)
    codes = [code] + tree.descendants(code)
    wanted = set(codes)
    stands = _in_area(stand_rows if stand_rows is not None else records(data.stands, STAND_FIELDS), wanted)
    if not stands:
        raise InputDataError(
            "责任区 {}（{}）及其下级区域中没有森林资源小班（小班的责任区编码 area_code 无一属于该区域）。".format(
                node.name, code),
            "The responsibility area {} ({}) and the areas below it have no forest stands (no stand's area_code "
            "belongs to it).".format(node.name, code))
    compliance = year_compliance(data, as_of) if compliance is None else compliance
    spots = sorted(_in_area(records(data.spots, SPOT_FIELDS, ("area_m2",)), wanted),
                   key=lambda spot: as_text(spot.get("spot_no")))
    rangers, lent_by = area_rangers(tree, code, records(data.rangers, RANGER_FIELDS))
    zones = _in_area(records(data.zones, ZONE_FIELDS[:2]), wanted)
    rule = {rule.level: rule for rule in data.rules}.get(node.level)
    resources = resource_summary(stands)
    overdue = overdue_chiefs(tree, code, compliance)
    tasks = [_patrol_task(compliance.get(code, {}), rule, as_of)]
    supervision = _supervision_task(tree, code, compliance, sum(1 for chief in overdue if not chief.own))
    if supervision is not None:
        tasks.append(supervision)
    tasks += [_forest_task(resources, spots), _spot_task(spots), _team_task(rangers, lent_by, zones)]
    problems = KeyProblems(open_spots=[_spot_problem(spot) for spot in spots if is_open_spot(spot)],
                           overdue=overdue,
                           missed=[_spot_problem(spot) for spot in spots if _flag(spot.get("patrol_missed"))])
    parent = tree.nodes.get(node.parent_code)
    return Handbook(code, node.name, node.level, node.chief_name, node.chief_title, node.area_ha, as_of, codes,
                    tasks, resources, problems, rule, parent.name if parent is not None else "")


def build_handbooks(data: WorkspaceData, codes: Sequence[str], as_of: dt.date) -> list[Handbook]:
    """The handbooks of ``codes`` (compliance computed once for all)."""
    check_data(data)
    compliance = year_compliance(data, as_of)
    stand_rows = records(data.stands, STAND_FIELDS)
    return [build_handbook(data, code, as_of, compliance, stand_rows) for code in codes]
