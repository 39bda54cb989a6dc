"""The 包山包人 responsibility list (护林员“包山包人”责任清单) of a management grid: one row per zone.

``responsibility_entries(zones, areas, rangers, stands)`` describes every zone of the grid (the workspace's
``grid_zones``); ``write_responsibility_list`` writes the list as an Excel workbook. What each column holds:

- **乡镇 / 村**: the names of the zone's responsibility area at level 2 (town) and 3 (village) of the area tree;
  the zone of a group (level 4) shows "village group" as its 村. **责任区林长**: the chief of the zone's area.
- **护林员 / 联系电话**: the zone's ranger (by ``ranger_id`` in the rangers table, else the zone's ``ranger``
  field) and the phone of the table (blank when there is none). A zone without a ranger is an input error.
- **林地面积**: the zone's ``forest_ha`` and ``forest_mu`` (1 ha = 15 亩); the area of its polygon when blank.
- **主要树种 / 林种**: the forest stands (forest land classes, or no land class) are cut with the zone and the
  areas of the pieces summed by species (by 林种): the largest, and the second when it holds at least
  ``SECOND_SHARE`` of the zone's stand area, each with its share of that area ("杉木 62%、马尾松 25%").
  Stands with a blank species count in the area, never as a species.
- **四至** (what lies beyond the zone's boundary, by direction), computed as follows:

  1. the zone's outline (the outer rings of its polygons: holes inside the zone are not part of its 四至) is
     cut into segments no longer than a tenth of the side of a square of the zone's area;
  2. each segment gets the direction of its midpoint seen from the zone's centroid: 东 within 45° of east,
     北 within 45° of north, 西 and 南 likewise (angles counted exactly on a diagonal go to 东 or 西);
  3. what lies beyond a segment is read at a point ``PROBE_M`` outside its midpoint: another zone
     ("02号网格（李四）", or "田坪村01号网格（钟金峰）" for a zone of another area), else another area of the
     zone's level (the village "田坪村", with its town when that differs), else, inside the zone's own area,
     non-forest ("非林地", with the land classes of the non-forest stands found there: "非林地（耕地）") or
     forest left out of every zone ("未划网格林地"), else the outer boundary ("区界");
  4. per direction, the lengths are summed by what lies beyond; everything holding at least ``NAMED_SHARE``
     of that direction's outline is named, longest first, at most ``MAX_NAMED`` (the longest always).

  Written "东至…；南至…；西至…；北至…" (in the workbook one direction per line).

Rows are sorted by town code, village code and zone id. Everything is in one projected CRS in metres.
Pure Python: numpy, pandas, shapely 2, openpyxl; no Qt, no QGIS.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence

import numpy as np

from .. import excel, schema
from ..errors import InputDataError
from ..hierarchy.tree import Hierarchy, build_hierarchy
from ..values import as_float, as_text, normalise_code

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

MU_PER_HA = 15.0
DIRECTIONS = ("东", "南", "西", "北")
SECOND_SHARE = 0.10
NAMED_SHARE = 0.15
MAX_NAMED = 3
PROBE_M = 0.5
SEGMENTS_PER_SIDE = 10
MIN_SEGMENT_M = 2.0
EDGE_TEXT = {1: "区界", 2: "乡镇界", 3: "村界", 4: "组界"}
NON_FOREST = "非林地"
UNZONED_FOREST = "未划网格林地"
RUN_GRID_FIRST_ZH = "请先运行“管护网格划分”（linzhang:managementgrid）"
RUN_GRID_FIRST_EN = "run the management grid (linzhang:managementgrid) first"

LIST_SHEET, SUMMARY_SHEET = "责任清单", "按村汇总"
DEFAULT_TITLE = "护林员“包山包人”责任清单"
TOTAL_LABEL = "合计"
LIST_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 6), ("乡镇", 12), ("村", 12), ("网格编号", 17), ("护林员", 9), ("联系电话", 14),
    ("林地面积(公顷)", 12), ("林地面积(亩)", 12), ("主要树种", 22), ("林种", 20), ("四至", 56), ("责任区林长", 11),
)
LIST_HEADERS = tuple(header for header, _width in LIST_COLUMNS)
SUMMARY_COLUMNS: tuple[tuple[str, float], ...] = (
    ("乡镇", 12), ("村", 12), ("网格数", 8), ("护林员数", 9), ("林地面积(公顷)", 13), ("林地面积(亩)", 13),
    ("最大网格(公顷)", 13), ("最小网格(公顷)", 13), ("均衡度(最大/最小)", 15),
)
SUMMARY_HEADERS = tuple(header for header, _width in SUMMARY_COLUMNS)
FOUR_SIDES_COLUMN = LIST_HEADERS.index("四至") + 1
NOTE = ("说明：四至按网格形心看各段边界的方位（东、南、西、北各 90°）划分，每个方位列出边界外所占长度不少于该方位 15% 的"
        "相邻网格（护林员）、相邻村、非林地（地类）或区界，按长度排序；主要树种、林种按网格内小班面积计，列出最大者及"
        "占比不少于 10% 的第二位。")


@dataclass(frozen=True)
class SideItem:
    """What lies beyond part of a zone's outline in one direction."""

    kind: str  # "zone", "area", "edge", "nonforest", "forest"
    key: str  # the zone id, the area code, the land class ("" when unknown) or ""
    text: str  # as written in the 四至
    length_m: float


@dataclass
class ZoneEntry:
    """One zone of the responsibility list, with what its map page needs."""

    zone_id: str
    area_code: str
    town_code: str
    town: str
    village_code: str
    village: str
    ranger_id: str
    ranger: str
    phone: str
    forest_ha: float
    forest_mu: float
    species: list[tuple[str, float]]  # (species code, share of the zone's stand area), largest first
    forest_uses: list[tuple[str, float]]  # (forest use code, share)
    sides: dict[str, list[SideItem]]  # direction -> everything beyond, longest first
    chief: str = ""
    chief_title: str = ""
    chief_phone: str = ""
    supervisor: str = ""
    neighbours: list[str] = field(default_factory=list)
    geometry: Any = None

    @property
    def number(self) -> str:
        """The zone's number within its area ("02" of "<area code>-02"); "" for an id of another form."""
        prefix = self.area_code + "-"
        return self.zone_id[len(prefix):] if self.area_code and self.zone_id.startswith(prefix) else ""

    def short_name(self, from_area_code: str = "") -> str:
        """"02号网格" seen from its own area, "田坪村01号网格" from another; "<zone id>网格" for an id that is
        not <area code>-NN."""
        if not self.number:
            return f"{self.zone_id}网格"
        return f"{self.number}号网格" if from_area_code == self.area_code else f"{self.village}{self.number}号网格"

    @property
    def species_text(self) -> str:
        return shares_text("species", self.species)

    @property
    def forest_use_text(self) -> str:
        return shares_text("forest_use", self.forest_uses)

    def named_sides(self) -> dict[str, list[SideItem]]:
        """Per direction, the items the 四至 names (see the module docstring)."""
        named: dict[str, list[SideItem]] = {}
        for direction in DIRECTIONS:
            items = self.sides.get(direction) or []
            total = sum(item.length_m for item in items)
            if total <= 0:
                continue
            kept = [item for item in items if item.length_m >= NAMED_SHARE * total][:MAX_NAMED]
            named[direction] = kept or items[:1]
        return named

    def four_sides_lines(self) -> list[str]:
        """"东至…", "南至…", … (directions without an outline left out)."""
        return [f"{direction}至" + "、".join(item.text for item in items)
                for direction, items in self.named_sides().items()]

    @property
    def four_sides(self) -> str:
        return "；".join(self.four_sides_lines())


def shares_text(code_list: str, shares: Sequence[tuple[str, float]]) -> str:
    """"杉木 62%、马尾松 25%" from (code, share) pairs; a single value at 100 % without its share."""
    if len(shares) == 1 and shares[0][1] >= 0.995:
        return schema.code_label(code_list, shares[0][0])
    return "、".join(f"{schema.code_label(code_list, code)} {share * 100:.0f}%" for code, share in shares)


def _shown(items: Sequence[str], limit: int = 5) -> str:
    items = list(items)
    return "、".join(items[:limit]) + (f" 等 {len(items)} 个" if len(items) > limit else "")


def _shown_en(items: Sequence[str], limit: int = 5) -> str:
    items = list(items)
    return ", ".join(items[:limit]) + (f" … ({len(items)})" if len(items) > limit else "")


# --- checking the input ----------------------------------------------------------------------------

def _check_columns(frame, names: Sequence[str], layer_def: schema.LayerDef) -> None:
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise InputDataError(f"图层 {layer_def.name}（{layer_def.title_zh}）缺少字段：{'、'.join(missing)}。",
                             f"The layer {layer_def.name} ({layer_def.title_en}) lacks the fields: "
                             f"{', '.join(missing)}.")


def _check_projected(*frames) -> None:
    for frame in frames:
        crs = getattr(frame, "crs", None)
        if crs is not None and crs.is_geographic:
            raise InputDataError("图层使用地理坐标系（经纬度）：请在以米为单位的投影坐标系（如 EPSG:4547）中计算责任清单。",
                                 "The layers are in a geographic CRS (degrees): compute the responsibility list in "
                                 "a projected CRS in metres (for example EPSG:4547).")


def _check_zones(zones, rangers_by_id: Mapping[str, Mapping[str, Any]]) -> None:
    if len(zones) == 0:
        raise InputDataError(f"工作空间中没有管护网格：{RUN_GRID_FIRST_ZH}，再导出责任清单和责任图。",
                             f"The workspace holds no management-grid zones: {RUN_GRID_FIRST_EN}, then export the "
                             "responsibility list and maps.")
    ids = [as_text(value) for value in zones["zone_id"]]
    if not all(ids):
        raise InputDataError(f"有 {ids.count('')} 个管护网格没有网格编号：{RUN_GRID_FIRST_ZH}重新划分，或补填编号。",
                             f"{ids.count('')} management-grid zones have no zone id: {RUN_GRID_FIRST_EN} again, "
                             "or fill in the ids.")
    repeated = sorted({zone_id for zone_id in ids if ids.count(zone_id) > 1})
    if repeated:
        raise InputDataError(f"网格编号重复：{_shown(repeated)}；每个网格的编号必须唯一。",
                             f"Zone ids appear more than once: {_shown_en(repeated)}; each zone needs its own id.")
    unstaffed = [zone_id for zone_id, ranger_id, name in zip(ids, zones["ranger_id"], zones["ranger"])
                 if not as_text(name) and not as_text((rangers_by_id.get(normalise_code(ranger_id)) or {}).get("name"))]
    if unstaffed:
        raise InputDataError(f"管护网格 {_shown(unstaffed)} 没有护林员：请在护林员表中为其责任区登记护林员，再运行"
                             "“管护网格划分”（linzhang:managementgrid）；或在网格图层中填写护林员。",
                             f"The zones {_shown_en(unstaffed)} have no ranger: register the rangers of their areas "
                             "in the rangers table and run the management grid (linzhang:managementgrid) again, or "
                             "fill in the ranger of these zones.")


# --- main species and forest use ---------------------------------------------------------------------

def _forest_stands(stands):
    """The stands of the forest land classes (a stand without a land class counts as forest)."""
    if "land_class" not in stands.columns:
        return stands
    classes = stands["land_class"].map(as_text)
    return stands[(classes == "") | classes.isin(schema.FOREST_LAND_CLASSES)]


def _stand_pieces(zone_geoms: np.ndarray, stands) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(zone index, stand position, area m²) of every stand cut with every zone it overlaps."""
    import shapely

    stand_geoms = np.asarray(stands.geometry.values, dtype=object)
    usable = ~(shapely.is_missing(stand_geoms) | shapely.is_empty(stand_geoms))
    positions = np.flatnonzero(usable)
    if not len(positions) or not len(zone_geoms):
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([])
    tree = shapely.STRtree(zone_geoms)
    stand_index, zone_index = tree.query(stand_geoms[positions], predicate="intersects")
    with np.errstate(invalid="ignore"):
        pieces = shapely.intersection(zone_geoms[zone_index], shapely.make_valid(stand_geoms[positions][stand_index]))
    return zone_index, positions[stand_index], shapely.area(pieces)


def _top_shares(zone_index: np.ndarray, codes: np.ndarray, areas: np.ndarray, n_zones: int) -> list[list]:
    """Per zone: the largest code and the second when it holds at least SECOND_SHARE, with their shares of
    the zone's total (blank codes in the total only)."""
    import pandas as pd

    result: list[list] = [[] for _ in range(n_zones)]
    if not len(zone_index):
        return result
    frame = pd.DataFrame({"zone": zone_index, "code": codes, "area": areas})
    totals = frame.groupby("zone")["area"].sum()
    named = frame[frame["code"] != ""].groupby(["zone", "code"], as_index=False)["area"].sum()
    named = named.sort_values(["zone", "area", "code"], ascending=[True, False, True])
    for zone, group in named.groupby("zone", sort=False):
        total = float(totals.loc[zone])
        if total <= 0:
            continue
        shares = [(code, float(area) / total) for code, area in zip(group["code"], group["area"])]
        result[int(zone)] = shares[:1] + [pair for pair in shares[1:2] if pair[1] >= SECOND_SHARE]
    return result


# --- 四至 ---------------------------------------------------------------------------------------------

@dataclass
class _Segments:
    zone: np.ndarray  # the zone each segment is of
    mid_x: np.ndarray
    mid_y: np.ndarray
    length: np.ndarray
    direction: np.ndarray  # index into DIRECTIONS
    probe_x: np.ndarray  # a point just outside the zone
    probe_y: np.ndarray


def _direction_of(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """0 东, 1 南, 2 西, 3 北 by the quadrant centred on each cardinal direction."""
    angle = np.degrees(np.arctan2(dy, dx))
    direction = np.full(len(angle), 2, dtype=np.int64)  # 西
    direction[(angle >= -45) & (angle <= 45)] = 0
    direction[(angle > 45) & (angle < 135)] = 3
    direction[(angle < -45) & (angle > -135)] = 1
    return direction


def _segments(zone_geoms: np.ndarray) -> _Segments:
    """The outline segments of every zone with their direction and a probe point outside."""
    import shapely

    parts, owner = shapely.get_parts(zone_geoms, return_index=True)
    rings = shapely.get_exterior_ring(parts)
    side = np.sqrt(np.maximum(shapely.area(zone_geoms), 0.0))
    rings = shapely.segmentize(rings, np.maximum(side[owner] / SEGMENTS_PER_SIDE, MIN_SEGMENT_M))
    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    same = ring_index[:-1] == ring_index[1:]
    start, end = coords[:-1][same], coords[1:][same]
    zone = owner[ring_index[:-1][same]]
    delta = end - start
    length = np.hypot(delta[:, 0], delta[:, 1])
    keep = length > 0
    start, delta, length, zone = start[keep], delta[keep], length[keep], zone[keep]
    mid = start + delta / 2
    centre = shapely.get_coordinates(shapely.centroid(zone_geoms))
    direction = _direction_of(mid[:, 0] - centre[zone, 0], mid[:, 1] - centre[zone, 1])
    normal = np.column_stack([delta[:, 1], -delta[:, 0]]) / length[:, None] * PROBE_M
    probe_x, probe_y = mid[:, 0] + normal[:, 0], mid[:, 1] + normal[:, 1]
    inside = np.zeros(len(zone), dtype=bool)
    for index in np.unique(zone):
        mine = zone == index
        shapely.prepare(zone_geoms[index])
        inside[mine] = shapely.contains_xy(zone_geoms[index], probe_x[mine], probe_y[mine])
    probe_x[inside] = mid[inside, 0] - normal[inside, 0]  # the other side is the outside
    probe_y[inside] = mid[inside, 1] - normal[inside, 1]
    return _Segments(zone, mid[:, 0], mid[:, 1], length, direction, probe_x, probe_y)


def _first_container(geoms: np.ndarray, x: np.ndarray, y: np.ndarray, exclude: Optional[np.ndarray] = None
                     ) -> np.ndarray:
    """For every point, the position of a geometry holding it (-1 when none); ``exclude[i]`` is a position
    point i must not get."""
    import shapely

    found = np.full(len(x), -1, dtype=np.int64)
    usable = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms))) if len(geoms) else []
    if not len(x) or not len(usable):
        return found
    tree = shapely.STRtree(geoms[usable])
    point_index, geom_index = tree.query(shapely.points(x, y), predicate="intersects")
    geom_index = usable[geom_index]
    if exclude is not None:
        keep = geom_index != exclude[point_index]
        point_index, geom_index = point_index[keep], geom_index[keep]
    points, first = np.unique(point_index, return_index=True)  # the first match wins
    found[points] = geom_index[first]
    return found


@dataclass
class _Places:
    """The responsibility areas as the list needs them."""

    tree: Hierarchy
    codes: list[str]
    geoms: np.ndarray

    def level(self, code: str) -> Optional[int]:
        return self.tree.node(code).level if code in self.tree else None

    def name(self, code: str) -> str:
        return self.tree.node(code).name if code in self.tree else code

    def town(self, code: str) -> str:
        return self.tree.at_level(code, 2) or "" if code in self.tree else ""

    def village(self, code: str) -> str:
        return self.tree.at_level(code, 3) or "" if code in self.tree else ""

    def edge_text(self, code: str) -> str:
        chain = [code] + self.tree.ancestors(code) if code in self.tree else []
        top = self.level(chain[-1]) if chain else None
        return EDGE_TEXT.get(top or 1, EDGE_TEXT[1])

    def place_text(self, code: str, from_code: str) -> str:
        """The name of area ``code`` as seen from ``from_code``: its village (and group), with the town when
        the town differs."""
        own = self.name(code)
        village = self.village(code)
        if village and village != code:
            own = self.name(village) + own
        town = self.town(code)
        if town and town != self.town(from_code) and town != code:
            own = self.name(town) + own
        return own


def _zone_text(zone_id: str, area_code: str, ranger: str, from_code: str, places: _Places) -> str:
    suffix = zone_id[len(area_code) + 1:] if area_code and zone_id.startswith(area_code + "-") else ""
    if suffix:
        name = f"{suffix}号网格" if area_code == from_code else f"{places.place_text(area_code, from_code)}{suffix}号网格"
    else:
        name = f"{zone_id}网格"
    return f"{name}（{ranger}）" if ranger else name


def _non_forest_text(classes: Sequence[str]) -> str:
    labels = [schema.code_label("land_class", code) for code in classes if code]
    return f"{NON_FOREST}（{'、'.join(labels)}）" if labels else NON_FOREST


def _side_item(kind: str, key: int, length: float, zone: int, zone_ids: list[str], zone_codes: list[str],
               rangers: list[str], places: _Places) -> SideItem:
    own = zone_codes[zone]
    if kind == "zone":
        return SideItem(kind, zone_ids[key], _zone_text(zone_ids[key], zone_codes[key], rangers[key], own, places),
                        length)
    if kind == "area":
        return SideItem(kind, places.codes[key], places.place_text(places.codes[key], own), length)
    if kind == "edge":
        return SideItem(kind, "", places.edge_text(own), length)
    return SideItem(kind, "", UNZONED_FOREST, length)


def _beyond(segments: _Segments, zone_geoms: np.ndarray, zone_codes: list[str], places: _Places, stands
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What lies beyond each segment: its kind ("zone", "area", "edge", "forest", "nonforest"), the position of
    the zone or area (-1 for the others) and the land class of a non-forest stand ("" when none)."""
    x, y = segments.probe_x, segments.probe_y
    beyond_zone = _first_container(zone_geoms, x, y, exclude=segments.zone)
    levels = np.array([places.level(code) or 0 for code in places.codes])
    zone_levels = np.array([places.level(code) or 0 for code in zone_codes])
    beyond_area = np.full(len(x), -1, dtype=np.int64)
    for level in np.unique(zone_levels[segments.zone]):
        at_level = np.flatnonzero(levels == level) if level else np.arange(len(places.codes))
        mine = np.flatnonzero((zone_levels[segments.zone] == level) & (beyond_zone < 0))
        found = _first_container(places.geoms[at_level], x[mine], y[mine])
        beyond_area[mine[found >= 0]] = at_level[found[found >= 0]]
    classes = stands["land_class"].map(as_text).to_numpy() if "land_class" in stands.columns else np.array(
        [""] * len(stands), dtype=object)
    stand_geoms = np.asarray(stands.geometry.values, dtype=object)
    beyond_stand = _first_container(stand_geoms, x, y)

    own = np.array(zone_codes, dtype=object)[segments.zone]
    area_codes = np.array(places.codes + [""], dtype=object)[beyond_area]  # -1 picks the ""
    found_stand = beyond_stand >= 0
    stand_class = np.where(found_stand, classes[np.maximum(beyond_stand, 0)] if len(classes) else "", "")
    in_tree = np.array([code in places.tree for code in zone_codes], dtype=bool)[segments.zone]
    is_zone = beyond_zone >= 0
    is_area = ~is_zone & (beyond_area >= 0) & (area_codes != own)
    is_edge = ~is_zone & (beyond_area < 0) & in_tree
    rest = ~(is_zone | is_area | is_edge)
    is_forest = rest & found_stand & ((stand_class == "") | np.isin(stand_class, schema.FOREST_LAND_CLASSES))
    kind = np.select([is_zone, is_area, is_edge, is_forest], ["zone", "area", "edge", "forest"], "nonforest")
    key = np.where(is_zone, beyond_zone, -1)  # zone position, or area position, or -1
    key = np.where(is_area, beyond_area, key)
    return kind, key, np.where(kind == "nonforest", stand_class, "")


def _sides(zone_geoms: np.ndarray, zone_ids: list[str], zone_codes: list[str], rangers: list[str],
           places: _Places, stands) -> list[dict[str, list[SideItem]]]:
    """Everything beyond each zone's outline, by direction (see the module docstring)."""
    import pandas as pd

    segments = _segments(zone_geoms)
    kind, key, land = _beyond(segments, zone_geoms, zone_codes, places, stands)
    frame = pd.DataFrame({"zone": segments.zone, "direction": segments.direction, "kind": kind, "key": key,
                          "land": land, "length": segments.length})
    result: list[dict[str, list[SideItem]]] = [{} for _ in zone_ids]
    if not len(frame):
        return result
    totals = frame.groupby(["zone", "direction", "kind", "key", "land"], as_index=False)["length"].sum()
    grouped: dict[tuple[int, int], list[tuple]] = {}
    for zone, direction, kind, key, land, length in totals.itertuples(index=False, name=None):
        grouped.setdefault((int(zone), int(direction)), []).append((kind, int(key), land, float(length)))
    for (zone, direction), rows in grouped.items():
        items = [_side_item(kind, key, length, zone, zone_ids, zone_codes, rangers, places)
                 for kind, key, _land, length in rows if kind != "nonforest"]
        non_forest = sorted(((length, land) for kind, _key, land, length in rows if kind == "nonforest"),
                            key=lambda pair: (-pair[0], pair[1]))
        if non_forest:
            total = sum(length for length, _land in non_forest)
            kept = [land for length, land in non_forest if land and length >= NAMED_SHARE * total][:MAX_NAMED]
            items.append(SideItem("nonforest", ",".join(kept), _non_forest_text(kept), total))
        items.sort(key=lambda item: (-item.length_m, item.text))
        result[zone][DIRECTIONS[direction]] = items
    return result


# --- the entries ------------------------------------------------------------------------------------

def _places(areas) -> _Places:
    _check_columns(areas, ("code", "name", "level", "parent_code"), schema.RESP_AREAS)
    columns = [name for name in ("code", "name", "level", "parent_code", "chief_name", "chief_title", "chief_phone",
                                 "supervisor") if name in areas.columns]
    tree = build_hierarchy(areas[columns].to_dict("records"))
    codes = [normalise_code(code) for code in areas["code"]]
    return _Places(tree, codes, np.asarray(areas.geometry.values, dtype=object))


def responsibility_entries(zones: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame",
                           rangers: Iterable[Mapping[str, Any]], stands: "gpd.GeoDataFrame") -> list[ZoneEntry]:
    """One entry per zone (see the module docstring), sorted by town code, village code and zone id.

    ``zones``: the fields of schema.GRID_ZONES and the geometry; ``areas``: code, name, level, parent_code
    (and the chief fields) with their polygons; ``rangers``: rows with ranger_id, name and phone;
    ``stands``: land_class, species, forest_use and the geometry. All in one projected CRS in metres.
    """
    import shapely

    _check_columns(zones, ("zone_id", "area_code", "ranger_id", "ranger"), schema.GRID_ZONES)
    _check_columns(stands, ("species", "forest_use"), schema.FOREST_STANDS)
    _check_projected(zones, areas, stands)
    rangers_by_id: dict[str, Mapping[str, Any]] = {}
    for row in rangers:
        rangers_by_id.setdefault(normalise_code(row.get("ranger_id")), row)
    rangers_by_id.pop("", None)
    _check_zones(zones, rangers_by_id)
    places = _places(areas)

    zone_geoms = np.asarray(zones.geometry.values, dtype=object).copy()
    missing = shapely.is_missing(zone_geoms)
    zone_geoms[missing] = shapely.Polygon()
    invalid = ~shapely.is_valid(zone_geoms)
    if invalid.any():
        zone_geoms[invalid] = shapely.make_valid(zone_geoms[invalid])
    ids = [as_text(value) for value in zones["zone_id"]]
    codes = [normalise_code(value) for value in zones["area_code"]]
    people = []
    for ranger_id, name in zip(zones["ranger_id"], zones["ranger"]):
        row = rangers_by_id.get(normalise_code(ranger_id)) or {}
        people.append((normalise_code(ranger_id), as_text(row.get("name")) or as_text(name), as_text(row.get("phone"))))

    forest = _forest_stands(stands)
    zone_index, stand_pos, piece_area = _stand_pieces(zone_geoms, forest)
    species = _top_shares(zone_index, forest["species"].map(as_text).to_numpy()[stand_pos], piece_area, len(ids))
    uses = _top_shares(zone_index, forest["forest_use"].map(as_text).to_numpy()[stand_pos], piece_area, len(ids))
    sides = _sides(zone_geoms, ids, codes, [person[1] for person in people], places, stands)

    entries = []
    polygon_ha = shapely.area(zone_geoms) / 10_000.0
    forest_ha = zones["forest_ha"] if "forest_ha" in zones.columns else [None] * len(ids)
    forest_mu = zones["forest_mu"] if "forest_mu" in zones.columns else [None] * len(ids)
    neighbours = zones["neighbours"] if "neighbours" in zones.columns else [None] * len(ids)
    for index, zone_id in enumerate(ids):
        code = codes[index]
        ha = as_float(forest_ha[index])
        ha = float(polygon_ha[index]) if ha is None else ha
        mu = as_float(forest_mu[index])
        town, village = places.town(code), places.village(code)
        node = places.tree.nodes.get(code)
        entries.append(ZoneEntry(
            zone_id=zone_id, area_code=code, town_code=town, town=places.name(town) if town else "",
            village_code=village or code, village=places.place_text(code, code) if village else places.name(code),
            ranger_id=people[index][0], ranger=people[index][1], phone=people[index][2],
            forest_ha=ha, forest_mu=ha * MU_PER_HA if mu is None else mu, species=species[index],
            forest_uses=uses[index], sides=sides[index],
            chief=node.chief_name if node else "", chief_title=node.chief_title if node else "",
            chief_phone=node.chief_phone if node else "", supervisor=node.supervisor if node else "",
            neighbours=[item for item in re.split(r"[,，\s]+", as_text(neighbours[index])) if item],
            geometry=zone_geoms[index]))
    entries.sort(key=lambda entry: (entry.town_code, entry.village_code, entry.zone_id))
    return entries


def select_entries(entries: Sequence[ZoneEntry], areas, codes: Sequence[str]) -> list[ZoneEntry]:
    """The entries of the zones of ``codes`` or of the areas below them (a town: its villages' zones). All when
    ``codes`` is empty. InputDataError for a code that is not an area, or areas without zones."""
    if not codes:
        return list(entries)
    tree = build_hierarchy(areas[[name for name in ("code", "name", "level", "parent_code")
                                  if name in areas.columns]].to_dict("records"))
    wanted = [normalise_code(code) for code in codes]
    known = {entry.area_code for entry in entries}
    unknown = [code for code in wanted if code not in tree and code not in known]
    if unknown:
        raise InputDataError(f"责任区图层中没有编码为 {_shown(unknown)} 的责任区。",
                             f"The responsibility areas hold no area coded {_shown_en(unknown)}.")
    chosen = set(wanted)
    for code in wanted:
        if code in tree:
            chosen.update(tree.descendants(code))
    selected = [entry for entry in entries if entry.area_code in chosen]
    if not selected:
        raise InputDataError(f"责任区 {_shown(wanted)} 内没有管护网格：{RUN_GRID_FIRST_ZH}。",
                             f"The areas {_shown_en(wanted)} hold no management-grid zones: {RUN_GRID_FIRST_EN}.")
    return selected


# --- rows and the workbook ----------------------------------------------------------------------------

def list_row(number: int, entry: ZoneEntry) -> list:
    """The values of one zone in the order of LIST_HEADERS (四至 one direction per line)."""
    return [number, entry.town, entry.village, entry.zone_id, entry.ranger, entry.phone or None,
            round(entry.forest_ha, 2), round(entry.forest_mu, 1), entry.species_text, entry.forest_use_text,
            "\n".join(entry.four_sides_lines()), entry.chief]


def village_summary(entries: Sequence[ZoneEntry]) -> list[list]:
    """Per village (in list order): town, village, zones, rangers, forest ha and 亩, the largest and the
    smallest zone (ha) and the balance max/min; then the total (the balance of the total: the worst)."""
    groups: dict[str, list[ZoneEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.village_code, []).append(entry)
    rows = []
    for members in groups.values():
        sizes = [entry.forest_ha for entry in members]
        rangers = {entry.ranger_id or entry.ranger for entry in members}
        balance = max(sizes) / min(sizes) if min(sizes) > 0 else None
        rows.append([members[0].town, members[0].village, len(members), len(rangers), round(sum(sizes), 2),
                     round(sum(entry.forest_mu for entry in members), 1), round(max(sizes), 2), round(min(sizes), 2),
                     None if balance is None else round(balance, 3)])
    balances = [row[8] for row in rows if row[8] is not None]
    rangers = {entry.ranger_id or entry.ranger for entry in entries}
    sizes = [entry.forest_ha for entry in entries]
    rows.append([TOTAL_LABEL, "", len(entries), len(rangers), round(sum(sizes), 2),
                 round(sum(entry.forest_mu for entry in entries), 1), round(max(sizes), 2) if sizes else None,
                 round(min(sizes), 2) if sizes else None, max(balances) if balances else None])
    return rows


def _line_count(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapped Excel column of ``width`` characters (a CJK character counts two)."""
    lines = 0
    for line in (text or "").split("\n"):
        units = sum(2 if ord(char) > 0x2E80 else 1 for char in line)
        lines += max(1, math.ceil(units / max(width - 1, 1)))
    return max(lines, 1)


def _list_sheet(workbook, title: str, entries: Sequence[ZoneEntry], generated: dt.date):
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(LIST_SHEET)
    rows = [list_row(number, entry) for number, entry in enumerate(entries, start=1)]
    total = [TOTAL_LABEL, "", "", f"{len(entries)} 个网格", f"{len({e.ranger_id or e.ranger for e in entries})} 人",
             None, round(sum(e.forest_ha for e in entries), 2), round(sum(e.forest_mu for e in entries), 1),
             None, None, None, None]
    header_row = excel.write_table(sheet, 1, title, LIST_HEADERS, rows + [total],
                                   number_formats={7: "#,##0.00", 8: "#,##0.0"},
                                   total_rows=[False] * len(rows) + [True])
    excel.set_widths(sheet, [width for _header, width in LIST_COLUMNS])
    sides_width = LIST_COLUMNS[FOUR_SIDES_COLUMN - 1][1]
    for offset, row in enumerate(rows, start=1):
        number = header_row + offset
        for column in range(1, len(LIST_HEADERS) + 1):
            sheet.cell(row=number, column=column).alignment = Alignment(vertical="center", wrap_text=True)
        sheet.row_dimensions[number].height = 15 * max(_line_count(row[FOUR_SIDES_COLUMN - 1], sides_width),
                                                       _line_count(row[8], LIST_COLUMNS[8][1]))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if rows:
        sheet.auto_filter.ref = "A{}:{}{}".format(header_row, get_column_letter(len(LIST_HEADERS)),
                                                  header_row + len(rows))
    note_row = header_row + len(rows) + 2
    for text in (NOTE, f"生成日期：{generated.isoformat()}　林长制一张图（linzhang_qgis）"):
        sheet.cell(row=note_row, column=1, value=text).font = Font(color="595959", size=9)
        sheet.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=len(LIST_HEADERS))
        sheet.cell(row=note_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[note_row].height = 15 * _line_count(text, sum(w for _h, w in LIST_COLUMNS))
        note_row += 1
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    return sheet


def write_responsibility_list(path: str, entries: Sequence[ZoneEntry], title: str = DEFAULT_TITLE,
                              generated: Optional[dt.date] = None) -> None:
    """The workbook: sheet 责任清单 (title row, one row per zone, a total row and the note on the rules) and
    sheet 按村汇总 (per village: zones, rangers, forest, largest and smallest zone, balance). Saved
    atomically: a failed run leaves no file."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    _list_sheet(workbook, title, entries, generated or dt.date.today())
    summary = village_summary(entries)
    sheet = workbook.create_sheet(SUMMARY_SHEET)
    excel.write_table(sheet, 1, f"{title}：按村汇总", SUMMARY_HEADERS, summary,
                      number_formats={5: "#,##0.00", 6: "#,##0.0", 7: "#,##0.00", 8: "#,##0.00", 9: "0.000"},
                      total_rows=[False] * (len(summary) - 1) + [True])
    excel.set_widths(sheet, [width for _header, width in SUMMARY_COLUMNS])
    sheet.freeze_panes = "A3"
    excel.save_atomically(workbook, path, prefix=".responsibility-")
