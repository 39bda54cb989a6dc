"""The management grid (管护网格) of a set of responsibility areas: one zone per ranger, 包山包人.

``management_grid(areas, forest, rangers, cell_size)`` computes, for every area with rangers:

1. its **forest**: the forest polygons cut to the area (zones never cross an area boundary);
2. its **cells** (``cells.build_cells``): the forest cut by a square grid of side ``cell_size``
   (default: the side that gives ``CELLS_PER_ZONE`` squares' worth of forest per ranger), which tile the
   forest exactly, with which cells share a boundary;
3. the **partition** (``partition.balanced_partition``) of the cells into as many whole zones of
   balanced forest area as the area has rangers;
4. the **zones**: the union of each zone's cells, numbered ``<area_code>-01``… in reading order (north to
   south in bands, then west to east) and given the area's rangers in ranger_id order.

Fields of a zone (schema.GRID_ZONES): ``forest_ha`` and ``forest_mu`` (1 ha = 15 亩) its area,
``perimeter_m`` the length of its whole boundary (holes included), ``compactness`` the Polsby–Popper
score 4πA/P² of its outline (outer rings, holes of non-forest filled: 1 for a disc, 0.785 for a square),
``neighbours`` the ids of the zones whose boundary it shares (within the area: a shared cell boundary;
across areas: at least ``MIN_SHARED_M`` of boundary within ``NEIGHBOUR_TOLERANCE_M``).
The **balance** of an area is max / min of its zones' forest area; the goal is at most ``BALANCE_GOAL``.
Everything is in the areas' projected CRS in metres.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping, Optional

import numpy as np

from .. import schema
from ..errors import InputDataError
from ..values import normalise_code
from .cells import CellGraph, build_cells
from .inputs import Note, Ranger, no_ranger_count_error, rangers_from_target, repair_polygons, shown
from .partition import PartitionError, WeightedGraph, balanced_partition

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

CELLS_PER_ZONE = 64  # default cell size: this many full squares of forest per ranger
BALANCE_GOAL = 1.15
MU_PER_HA = 15.0
MIN_FOREST_PER_RANGER_M2 = 10_000.0 / MU_PER_HA  # 1 亩: fewer forest per ranger is no zone worth drawing
MAX_CELLS_PER_AREA = 400_000  # a finer grid than this is a wrong cell size, not a finer answer
NEIGHBOUR_TOLERANCE_M = 0.05
MIN_SHARED_M = 0.5
AREA_OVERLAP_SHARE = 1e-4  # areas overlapping more than this share of the smaller are not one level
ZONE_COLUMNS = schema.GRID_ZONES.field_names
SUMMARY_COLUMNS = ("area_code", "rangers", "forest_ha", "cell_size_m", "cells", "patches", "balance",
                   "compactness", "zones_whole")

Progress = Callable[[float], Optional[bool]]
"""Called with a percentage (0-100); returning False stops with :class:`GridCanceled`."""


class GridCanceled(Exception):
    """The progress callback asked to stop."""


@dataclass
class GridResult:
    zones: "gpd.GeoDataFrame"  # ZONE_COLUMNS + geometry
    areas: "pd.DataFrame"  # SUMMARY_COLUMNS, one row per area with zones
    notes: list[Note] = field(default_factory=list)

    @property
    def balance(self) -> float:
        """The worst balance (max / min forest per ranger) over the areas; 1.0 without zones."""
        return float(self.areas["balance"].max()) if len(self.areas) else 1.0

    @property
    def compactness(self) -> float:
        """The mean compactness of the zones."""
        return float(self.zones["compactness"].mean()) if len(self.zones) else 0.0


@dataclass
class _AreaForest:
    code: str
    geometry: object
    forest: np.ndarray  # polygons cut to the area
    forest_m2: float  # the sum of their areas (the zones count overlapping forest polygons once)


# --- inputs -------------------------------------------------------------------------------------------

def _area_codes(areas) -> list[str]:
    codes = [normalise_code(value) for value in areas["code"]]
    seen: dict[str, int] = {}
    for code in codes:
        seen[code] = seen.get(code, 0) + 1
    repeated = [code for code, count in seen.items() if count > 1 and code]
    if repeated:
        raise InputDataError(f"责任区编码重复：{shown(repeated)}；每个责任区的编码必须唯一。",
                             f"Area codes appear more than once: {shown(repeated)}; each area needs its own code.")
    return codes


def _check_projected(frame, label_zh: str, label_en: str) -> None:
    crs = getattr(frame, "crs", None)
    if crs is not None and crs.is_geographic:
        raise InputDataError(f"{label_zh}使用地理坐标系（经纬度）：请先投影到以米为单位的坐标系（如 EPSG:4547）。",
                             f"The {label_en} are in a geographic CRS (degrees): reproject them to a CRS in metres "
                             "(for example EPSG:4547) first.")


def _check_no_overlap(codes: list[str], geometries: np.ndarray) -> None:
    """Areas that get zones must not overlap: their zones would."""
    import shapely

    if len(geometries) < 2:
        return
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    if not len(left):
        return
    overlap = shapely.area(shapely.intersection(geometries[left], geometries[right]))
    smaller = np.minimum(shapely.area(geometries[left]), shapely.area(geometries[right]))
    bad = overlap > AREA_OVERLAP_SHARE * smaller
    if bad.any():
        first = np.flatnonzero(bad)[0]
        a, b = codes[left[first]], codes[right[first]]
        raise InputDataError(
            f"责任区 {a} 与 {b} 相互重叠（如镇与其下属村）：网格只能在同一级责任区内划分，请只选一级（如村级）。",
            f"The areas {a} and {b} overlap (a town and its villages, for example): zones are drawn within one "
            "level of areas; select one level (the villages, for example).")


def _forest_by_area(codes: list[str], area_geoms: np.ndarray, forest: np.ndarray) -> list[_AreaForest]:
    """The forest polygons cut to each area."""
    import shapely

    from .cells import _polygons_of

    tree = shapely.STRtree(forest)
    area_index, forest_index = tree.query(area_geoms, predicate="intersects")
    shapely.prepare(area_geoms)
    inside = shapely.contains_properly(area_geoms[area_index], forest[forest_index])
    pieces = forest[forest_index].copy()
    crossing = ~inside
    pieces[crossing] = shapely.intersection(pieces[crossing], area_geoms[area_index[crossing]])
    parts, owner = _polygons_of(pieces)
    owner_area = area_index[owner]
    result = []
    for position, (code, geometry) in enumerate(zip(codes, area_geoms)):
        mine = parts[owner_area == position]
        result.append(_AreaForest(code, geometry, mine, float(shapely.area(mine).sum())))
    return result


def _cell_size(area: _AreaForest, k: int, cell_size: Optional[float]) -> float:
    if area.forest_m2 / k < MIN_FOREST_PER_RANGER_M2:
        raise InputDataError(
            f"责任区 {area.code} 只有 {area.forest_m2 / 10_000:.2f} 公顷林地，不够分给 {k} 名护林员（每人至少 1 亩）。",
            f"Area {area.code} has only {area.forest_m2 / 10_000:.2f} ha of forest, too little for {k} rangers "
            "(at least 1 mu each).")
    size = cell_size if cell_size else math.sqrt(area.forest_m2 / k / CELLS_PER_ZONE)
    if not cell_size:
        size = float(f"{size:.2g}") if size < 10 else float(round(size))
    if area.forest_m2 / (size * size) > MAX_CELLS_PER_AREA:
        raise InputDataError(
            f"网格边长 {size:g} 米对责任区 {area.code} 太小（将超过 {MAX_CELLS_PER_AREA} 个格子）：请加大网格边长或留空。",
            f"The cell size {size:g} m is too small for area {area.code} (more than {MAX_CELLS_PER_AREA} cells): "
            "use a larger cell size, or leave it empty.")
    return size


# --- zones of one area --------------------------------------------------------------------------------

def _reading_order(xy: np.ndarray, band: float) -> np.ndarray:
    """Zone order: bands from north to south, west to east within a band."""
    row = np.floor((xy[:, 1].max() - xy[:, 1]) / max(band, 1e-9)).astype(np.int64)
    return np.lexsort((xy[:, 0], row))


def _outline_compactness(geometries: np.ndarray) -> np.ndarray:
    """Polsby–Popper 4πA/P² of each geometry's outline (outer rings; holes filled)."""
    import shapely

    parts, owner = shapely.get_parts(geometries, return_index=True)
    outlines = shapely.polygons(shapely.get_exterior_ring(parts))
    area = np.bincount(owner, weights=shapely.area(outlines), minlength=len(geometries))
    perimeter = np.bincount(owner, weights=shapely.length(outlines), minlength=len(geometries))
    return np.divide(4 * np.pi * area, perimeter ** 2, out=np.zeros(len(geometries)), where=perimeter > 0)


def _zone_neighbours(cells: CellGraph, labels: np.ndarray) -> list[set[int]]:
    """The zones (by label) each zone shares a cell boundary with."""
    coo = cells.shared.tocoo()
    a, b = labels[coo.row], labels[coo.col]
    different = a != b
    neighbours: list[set[int]] = [set() for _ in range(int(labels.max()) + 1)]
    for left, right in zip(a[different].tolist(), b[different].tolist()):
        neighbours[left].add(right)
    return neighbours


def _partition(area: _AreaForest, k: int, cell_size: Optional[float],
               report: Callable[[float], None]) -> tuple[CellGraph, np.ndarray, float]:
    """The cells of an area, the zone label of each, and the cell size used."""
    size = _cell_size(area, k, cell_size)
    cells = build_cells(area.forest, size, lambda f: report(0.4 * f))
    if cells.size < k:
        raise InputDataError(
            f"责任区 {area.code} 的林地只切出 {cells.size} 个格子，少于 {k} 名护林员：请减小网格边长。",
            f"The forest of area {area.code} gives only {cells.size} cells for {k} rangers: use a smaller cell size.")
    graph = WeightedGraph(cells.weights, cells.xy, cells.shared, cells.links, cells.patches)
    try:
        labels = balanced_partition(graph, k, lambda f: report(0.4 + 0.5 * f))
    except PartitionError:
        raise InputDataError(
            f"责任区 {area.code} 的林地格子不够分给 {k} 名护林员：请减小网格边长。",
            f"The forest cells of area {area.code} are too few for {k} rangers: use a smaller cell size.") from None
    return cells, labels, size


def _zone_geometries(cells: CellGraph, labels: np.ndarray, k: int) -> np.ndarray:
    """Each zone's cells unioned, as MultiPolygons."""
    import shapely

    unions = np.array([shapely.union_all(cells.geometries[labels == zone]) for zone in range(k)], dtype=object)
    parts, owner = shapely.get_parts(unions, return_index=True)
    return shapely.multipolygons(parts, indices=owner)


def _area_notes(code: str, k: int, whole: int, balance: float) -> list[Note]:
    notes: list[Note] = []
    if whole < k:
        notes.append((f"责任区 {code} 有 {k - whole} 个网格分成了多块（多于其所含的林地块数）。",
                      f"In area {code}, {k - whole} zones are in more pieces than the pieces of forest they hold."))
    if balance > BALANCE_GOAL:
        notes.append((f"责任区 {code} 的均衡度为 {balance:.3f}（最大/最小林地面积），超过 {BALANCE_GOAL}："
                      "林地形状不允许更均衡，可减小网格边长再试。",
                      f"Area {code} reached a balance of {balance:.3f} (max/min forest area), above "
                      f"{BALANCE_GOAL}: the shape of its forest allows no better at this cell size; a smaller cell "
                      "size may help."))
    return notes


def _zones_of_area(area: _AreaForest, rangers: list[Ranger], cell_size: Optional[float],
                   report: Callable[[float], None]) -> tuple[dict, dict, list[Note]]:
    """The zones of one area as columns (geometry included), its summary row and its notes."""
    import shapely

    k = len(rangers)
    cells, labels, size = _partition(area, k, cell_size, report)
    geometries = _zone_geometries(cells, labels, k)
    forest_m2 = np.bincount(labels, weights=cells.weights, minlength=k)
    order = _reading_order(shapely.get_coordinates(shapely.centroid(geometries)), math.sqrt(forest_m2.sum() / k))
    number = np.empty(k, dtype=np.int64)
    number[order] = np.arange(k)
    width = max(2, len(str(k)))
    ids = [f"{area.code}-{n + 1:0{width}d}" for n in number.tolist()]
    neighbours = _zone_neighbours(cells, labels)
    compactness = _outline_compactness(geometries)
    columns = {
        "zone_id": ids, "area_code": [area.code] * k,
        "ranger_id": [rangers[n].ranger_id for n in number.tolist()],
        "ranger": [rangers[n].name for n in number.tolist()],
        "forest_ha": forest_m2 / 10_000.0, "forest_mu": forest_m2 / 10_000.0 * MU_PER_HA,
        "perimeter_m": shapely.length(geometries), "compactness": compactness,
        "neighbours": [sorted(ids[other] for other in neighbours[zone]) for zone in range(k)],
        "geometry": geometries,
    }
    whole = sum(1 for zone in range(k) if shapely.get_num_geometries(geometries[zone]) <= max(
        1, len(np.unique(cells.patches[labels == zone]))))
    balance = float(forest_m2.max() / forest_m2.min()) if forest_m2.min() > 0 else math.inf
    summary = {"area_code": area.code, "rangers": k, "forest_ha": forest_m2.sum() / 10_000.0, "cell_size_m": size,
               "cells": cells.size, "patches": cells.n_patches, "balance": balance,
               "compactness": float(compactness.mean()), "zones_whole": whole}
    return columns, summary, _area_notes(area.code, k, whole, balance)


def _cross_area_neighbours(zones) -> None:
    """Add to ``neighbours`` the zones of other areas whose boundary a zone shares."""
    import shapely

    geometries = np.asarray(zones.geometry.values, dtype=object)
    codes = zones["area_code"].to_numpy()
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="dwithin", distance=NEIGHBOUR_TOLERANCE_M)
    keep = (left < right) & (codes[left] != codes[right])
    left, right = left[keep], right[keep]
    if not len(left):
        return
    near = shapely.intersection(shapely.boundary(geometries[left]),
                                shapely.buffer(shapely.boundary(geometries[right]), NEIGHBOUR_TOLERANCE_M))
    ids = zones["zone_id"].tolist()
    lists = zones["neighbours"].tolist()
    sharing = shapely.length(near) >= MIN_SHARED_M
    for a, b in zip(left[sharing].tolist(), right[sharing].tolist()):
        lists[a] = sorted(set(lists[a]) | {ids[b]})
        lists[b] = sorted(set(lists[b]) | {ids[a]})
    zones["neighbours"] = lists


# --- the whole grid -----------------------------------------------------------------------------------

def _staffing(areas: list[_AreaForest], rangers: Optional[Mapping[str, list[Ranger]]],
              target_ha: Optional[float]) -> tuple[dict[str, list[Ranger]], list[Note]]:
    notes: list[Note] = []
    if rangers is None:
        if target_ha is None:
            raise no_ranger_count_error()
        return rangers_from_target({area.code: area.forest_m2 for area in areas}, target_ha), notes
    codes = {area.code for area in areas}
    staffed = {code: list(people) for code, people in rangers.items() if code in codes and people}
    elsewhere = sorted(code for code, people in rangers.items() if code not in codes and people)
    if not staffed:
        raise InputDataError("没有一个责任区有护林员：护林员的责任区编码与责任区图层的编码都对不上（或人数为 0）。",
                             "No area has a ranger: the area codes of the rangers match no code of the areas "
                             "(or every number of rangers is 0).")
    if elsewhere:
        notes.append((f"{len(elsewhere)} 个编码的护林员不在所选责任区内，未分配：{shown(elsewhere)}。",
                      f"Rangers of {len(elsewhere)} codes are not in the areas given and were not assigned: "
                      f"{shown(elsewhere)}."))
    return staffed, notes


def _usable_inputs(areas, forest, rangers) -> tuple[list[str], np.ndarray, np.ndarray, list[int], list[Note]]:
    """Area codes, repaired area and forest polygons, the positions of the areas that may get zones, notes."""
    import shapely

    _check_projected(areas, "责任区", "areas")
    codes = _area_codes(areas)
    area_geoms, _, notes = repair_polygons(areas.geometry.values, "责任区", "areas")
    forest_geoms, _, forest_notes = repair_polygons(forest, "林地", "forest polygons")
    notes += forest_notes
    forest_geoms = forest_geoms[~shapely.is_empty(forest_geoms)]
    if not len(forest_geoms):
        raise InputDataError("林地图层中没有可用的林地多边形。", "The forest layer holds no usable forest polygon.")
    candidates = [index for index, code in enumerate(codes) if code and (rangers is None or rangers.get(code))]
    unusable = [codes[index] for index in candidates if shapely.is_empty(area_geoms[index])]
    if unusable:
        raise InputDataError(f"责任区 {shown(unusable)} 的多边形无法使用（为空或修复后不是面）。",
                             f"The polygon of area {shown(unusable)} cannot be used (empty, or not an area once "
                             "repaired).")
    return codes, area_geoms, forest_geoms, candidates, notes


def _areas_to_divide(by_area: list[_AreaForest], rangers, target_ha: Optional[float], cell_size: Optional[float]
                     ) -> tuple[list[_AreaForest], dict[str, list[Ranger]], list[Note]]:
    """The areas that get zones and their rangers, every input problem reported before the long work."""
    staffing, notes = _staffing(by_area, rangers, target_ha)
    chosen = [area for area in by_area if area.code in staffing]
    if not chosen:
        raise InputDataError("所有责任区内都没有林地，无法划分管护网格。",
                             "None of the areas holds forest, so no zones can be drawn.")
    _check_no_overlap([area.code for area in chosen], np.array([area.geometry for area in chosen], dtype=object))
    bare = [area.code for area in chosen if area.forest_m2 <= 0]
    if bare:
        raise InputDataError(f"责任区 {shown(bare)} 内没有林地，无法划分管护网格：请检查林地图层或这些区的护林员。",
                             f"Area {shown(bare)} holds no forest, so no zones can be drawn there: check the forest "
                             "layer or the rangers of these areas.")
    skipped = [area.code for area in by_area if area.code not in staffing]
    if rangers is None and skipped:
        notes.append((f"{len(skipped)} 个责任区内没有林地，未划网格：{shown(skipped)}。",
                      f"{len(skipped)} areas hold no forest and got no zones: {shown(skipped)}."))
    for area in chosen:
        _cell_size(area, len(staffing[area.code]), cell_size)
    return chosen, staffing, notes


def management_grid(areas: "gpd.GeoDataFrame", forest, rangers: Optional[Mapping[str, list[Ranger]]] = None,
                    target_ha: Optional[float] = None, cell_size: Optional[float] = None,
                    progress: Optional[Progress] = None) -> GridResult:
    """The zones of every area with rangers (see the module docstring).

    ``areas``: polygons with a ``code`` column; ``forest``: forest polygons (any iterable of shapely
    geometries), both in one projected CRS in metres. ``rangers``: the rangers of each area code
    (``inputs.rangers_from_rows`` / ``rangers_from_counts``); without it, ``target_ha`` forest per ranger.
    ``cell_size``: the side of the grid squares (m); empty for the default.
    """
    import pandas as pd

    def report(value: float) -> None:
        if progress is not None and progress(value) is False:
            raise GridCanceled("canceled")

    if cell_size is not None and cell_size <= 0:
        raise InputDataError("网格边长必须大于 0。", "The cell size must be above 0.")
    codes, area_geoms, forest_geoms, candidates, notes = _usable_inputs(areas, forest, rangers)
    report(2)
    by_area = _forest_by_area([codes[i] for i in candidates], area_geoms[candidates], forest_geoms)
    chosen, staffing, more_notes = _areas_to_divide(by_area, rangers, target_ha, cell_size)
    notes += more_notes
    report(5)
    total = sum(area.forest_m2 for area in chosen)
    done = 0.0
    columns: list[dict] = []
    summaries: list[dict] = []
    for area in chosen:
        share = area.forest_m2 / total
        start = 5 + 90 * done
        area_columns, summary, area_notes = _zones_of_area(
            area, staffing[area.code], cell_size, lambda f, s=start, w=share: report(s + 90 * w * f))
        columns.append(area_columns)
        summaries.append(summary)
        notes += area_notes
        done += share
    zones = _frame(columns, getattr(areas, "crs", None))
    _cross_area_neighbours(zones)
    zones["neighbours"] = [",".join(items) for items in zones["neighbours"]]
    report(100)
    return GridResult(zones, pd.DataFrame(summaries, columns=list(SUMMARY_COLUMNS)), notes)


def _frame(columns: list[dict], crs):
    import geopandas as gpd

    merged = {name: [value for part in columns for value in part[name]] for name in (*ZONE_COLUMNS, "geometry")}
    geometry = merged.pop("geometry")
    frame = gpd.GeoDataFrame(merged, geometry=gpd.GeoSeries(geometry, crs=crs), crs=crs)
    return frame.sort_values("zone_id", kind="stable").reset_index(drop=True)
