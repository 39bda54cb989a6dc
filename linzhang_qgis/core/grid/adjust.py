"""Adjusting the management grid (管护网格) by hand: a piece of forest moved from a zone to a neighbouring one.

The piece is cut from zone A by a **shape**: a forest stand (小班), or a **square cell** of a given side
containing the pressed point, on a grid aligned on multiples of the side (as ``cells`` aligns its grid, so
that a cell of the grid's own size is one of its squares). What moves:

1. the polygons of A ∩ shape of at least ``DUST_M2``;
2. of those, the ones that share a **boundary line** with zone B (at least ``MIN_SHARED_M`` of A's boundary
   within ``NEIGHBOUR_TOLERANCE_M`` of B's; a corner is not a line): a polygon of the stand that does not
   touch B stays in A instead of becoming an island of B;
3. with them the dust (< ``DUST_M2``) that cutting leaves of A between the piece and A's boundary, so that
   A' ∪ B' is exactly A ∪ B: no gap, no overlap.

The move is refused, with one sentence naming the zone, when A and B are the same zone or lie in different
responsibility areas, when the piece has no forest of A or is all of A (every ranger keeps a zone), when it
shares no boundary line with B, or when a connected polygon of A would fall apart (a zone that was one
connected piece stays one; a zone on several forest islands keeps each island whole or gives it away
whole). B cannot fall apart: it only gains polygons that touch it along a line.

Figures of a zone, as ``zones`` defines them: ``forest_ha`` = area / 10,000, ``forest_mu`` = 15 × ha,
``perimeter_m`` the length of the whole boundary (holes included), ``compactness`` the Polsby–Popper score
4πA/P² of the outline (outer rings, holes filled). Two zones are **neighbours** when they share a boundary
line (the rule above, the one ``zones`` uses across areas). The **balance** of an area is max / min of its
zones' forest area (goal: at most ``BALANCE_GOAL``). Lengths and areas in the workspace's projected CRS,
metres. Pure: shapely 2 and numpy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence

import numpy as np

from ..errors import InputDataError
from ..values import normalise_code
from .zones import BALANCE_GOAL, MIN_SHARED_M, MU_PER_HA, NEIGHBOUR_TOLERANCE_M

DUST_M2 = 0.01  # polygons smaller than this are numerical dust from cutting, not forest
INSIDE_SHARE = 1e-6  # a given piece may lie outside its zone by this share of its area (rounding)

__all__ = ["BALANCE_GOAL", "DUST_M2", "Move", "MoveRefused", "Zone", "balance", "best_shape", "cell_square",
           "deviation_from_mean", "neighbour_lists", "plan_move", "shared_length", "zone_figures"]


class MoveRefused(InputDataError):
    """A move that would break a rule of the grid; the message names the zone."""


@dataclass(frozen=True)
class Zone:
    zone_id: str
    area_code: str
    geometry: object  # shapely (Multi)Polygon in the workspace CRS


@dataclass(frozen=True)
class Move:
    """A checked move: the piece, and both zones as they become (MultiPolygons) with their figures."""

    zone_from: str
    zone_to: str
    area_code: str
    piece: object  # MultiPolygon
    new_from: object
    new_to: object

    @property
    def piece_ha(self) -> float:
        return float(self.piece.area) / 10_000.0

    @property
    def figures_from(self) -> dict:
        return zone_figures(self.new_from)

    @property
    def figures_to(self) -> dict:
        return zone_figures(self.new_to)


# --- geometry helpers ---------------------------------------------------------------------------------

def _polygons(geometry) -> np.ndarray:
    """The polygons of any geometry (repaired if invalid; lines and points dropped)."""
    import shapely

    if geometry is None or shapely.is_empty(geometry):
        return np.empty(0, dtype=object)
    if not shapely.is_valid(geometry):
        geometry = shapely.make_valid(geometry)
    parts = shapely.get_parts(geometry)
    while len(parts) and np.isin(shapely.get_type_id(parts), (4, 5, 6, 7)).any():  # multi-part, collections
        parts = shapely.get_parts(parts)
    return parts[shapely.get_type_id(parts) == 3]


def _multi(polygons: Sequence) -> object:
    import shapely

    return shapely.multipolygons(list(polygons)) if len(polygons) else shapely.from_wkt("MULTIPOLYGON EMPTY")


def _splits(before, after: np.ndarray) -> bool:
    """Whether a polygon of ``before`` fell apart into several polygons of ``after`` (a part of before)."""
    import shapely

    old = _polygons(before)
    old = old[_areas(old) >= DUST_M2]
    if len(after) > len(old):
        return True
    new_index, old_index = shapely.STRtree(old).query(shapely.point_on_surface(after), predicate="intersects")
    owner = {}
    for new, owner_index in zip(new_index.tolist(), old_index.tolist()):
        owner.setdefault(new, owner_index)
    owners = list(owner.values())
    return len(owners) != len(set(owners))


def _areas(polygons: np.ndarray) -> np.ndarray:
    import shapely

    return shapely.area(polygons) if len(polygons) else np.empty(0)


def shared_length(a, b) -> float:
    """How much of a's boundary lies within NEIGHBOUR_TOLERANCE_M of b's (m): a line, 0 for a corner."""
    import shapely

    if a is None or b is None or shapely.is_empty(a) or shapely.is_empty(b):
        return 0.0
    if not shapely.dwithin(a, b, NEIGHBOUR_TOLERANCE_M):
        return 0.0
    with np.errstate(invalid="ignore"):  # GEOS leaves a floating-point flag on some empty results
        near = shapely.intersection(shapely.boundary(a), shapely.buffer(shapely.boundary(b), NEIGHBOUR_TOLERANCE_M))
    return float(shapely.length(near))


def cell_square(x: float, y: float, size: float):
    """The square of side ``size`` of the grid aligned on multiples of ``size`` that contains (x, y)."""
    import shapely

    if not size or size <= 0 or not math.isfinite(size):
        raise MoveRefused("网格边长必须大于 0。", "The cell size must be above 0.")
    left, bottom = math.floor(x / size) * size, math.floor(y / size) * size
    return shapely.box(left, bottom, left + size, bottom + size)


# --- figures ------------------------------------------------------------------------------------------

def zone_figures(geometry) -> dict:
    """forest_ha, forest_mu, perimeter_m and compactness (Polsby–Popper of the outline) of one zone."""
    import shapely

    polygons = _polygons(geometry)
    area = float(_areas(polygons).sum())
    perimeter = float(shapely.length(polygons).sum()) if len(polygons) else 0.0
    outlines = shapely.polygons(shapely.get_exterior_ring(polygons)) if len(polygons) else polygons
    outline_area = float(shapely.area(outlines).sum()) if len(polygons) else 0.0
    outline_length = float(shapely.length(outlines).sum()) if len(polygons) else 0.0
    compactness = 4 * math.pi * outline_area / outline_length ** 2 if outline_length > 0 else 0.0
    return {"forest_ha": area / 10_000.0, "forest_mu": area / 10_000.0 * MU_PER_HA, "perimeter_m": perimeter,
            "compactness": compactness}


def balance(areas: Iterable[float]) -> float:
    """max / min of the zones' forest areas (1.0 without zones, infinity when one is empty)."""
    values = [float(value) for value in areas]
    if not values:
        return 1.0
    smallest = min(values)
    return max(values) / smallest if smallest > 0 else math.inf


def deviation_from_mean(areas: Sequence[float]) -> list[float]:
    """Each zone's forest area above (+) or below (-) the area's mean, in per cent of the mean."""
    values = [float(value) for value in areas]
    mean = sum(values) / len(values) if values else 0.0
    return [100.0 * (value - mean) / mean if mean > 0 else 0.0 for value in values]


def neighbour_lists(geometries: Mapping[str, object], lists: Mapping[str, Sequence[str]],
                    changed: Sequence[str]) -> dict[str, list[str]]:
    """The neighbours of every zone of ``geometries`` once the zones ``changed`` have their new geometry:
    a changed zone's list is found anew (zones sharing a boundary line with it); another zone keeps its list
    (``lists``) with the changed zones added or removed. Lists sorted; ids not in ``geometries`` are kept."""
    import shapely

    ids = list(geometries)
    shapes = np.array([geometries[zone_id] for zone_id in ids], dtype=object)
    tree = shapely.STRtree(shapes)
    found: dict[str, set[str]] = {}
    for zone_id in changed:
        near = tree.query(geometries[zone_id], predicate="dwithin", distance=NEIGHBOUR_TOLERANCE_M)
        found[zone_id] = {ids[i] for i in near.tolist() if ids[i] != zone_id
                          and shared_length(geometries[zone_id], shapes[i]) >= MIN_SHARED_M}
    result: dict[str, list[str]] = {}
    for zone_id in ids:
        if zone_id in found:
            kept = {other for other in lists.get(zone_id, ()) if other not in geometries}
            result[zone_id] = sorted(kept | found[zone_id])
            continue
        current = set(lists.get(zone_id, ())) - set(changed)
        current |= {other for other in changed if zone_id in found[other]}
        result[zone_id] = sorted(current)
    return result


# --- the move -----------------------------------------------------------------------------------------

def _check_zones(zone_from: Zone, zone_to: Zone) -> None:
    if zone_from.zone_id == zone_to.zone_id:
        raise MoveRefused(f"地块仍在网格 {zone_from.zone_id} 内：请拖到相邻的另一个网格上再松开。",
                      f"The piece is still in zone {zone_from.zone_id}: drag it onto a neighbouring zone before "
                      "releasing.")
    if normalise_code(zone_from.area_code) != normalise_code(zone_to.area_code):
        raise MoveRefused(
            f"网格 {zone_to.zone_id} 属于责任区 {zone_to.area_code}，网格 {zone_from.zone_id} 属于 {zone_from.area_code}："
            "网格不能跨责任区调整。",
            f"Zone {zone_to.zone_id} is in area {zone_to.area_code} and zone {zone_from.zone_id} in "
            f"{zone_from.area_code}: zones are adjusted within one responsibility area.")


def _piece_polygons(zone_from: Zone, zone_to: Zone, shape, given: bool) -> np.ndarray:
    """The polygons of A ∩ shape that share a boundary line with B (see the module docstring)."""
    import shapely

    a = zone_from.geometry
    cut = shapely.intersection(a, shape)
    polygons = _polygons(cut)
    polygons = polygons[_areas(polygons) >= DUST_M2]
    if given:
        outside = float(shapely.area(shape)) - float(_areas(polygons).sum())
        if not len(polygons) or outside > max(DUST_M2, INSIDE_SHARE * float(shapely.area(shape))):
            raise MoveRefused(f"这块地已不在网格 {zone_from.zone_id} 内（网格在别处被修改过），不能移回。",
                          f"The piece no longer lies in zone {zone_from.zone_id} (the zone was changed "
                          "elsewhere): it cannot be moved back.")
        return polygons  # an undo puts back what moved, as it was
    if not len(polygons):
        raise MoveRefused(f"这里没有网格 {zone_from.zone_id} 的林地：请在网格内的林地上按下。",
                      f"There is no forest of zone {zone_from.zone_id} here: press on forest inside the zone.")
    touching = np.array([shared_length(polygon, zone_to.geometry) >= MIN_SHARED_M for polygon in polygons],
                        dtype=bool)
    if not touching.any():
        raise MoveRefused(f"这块地与网格 {zone_to.zone_id} 没有共同边界（只相接于一点或不相邻），不能调入：只能调给相邻的网格。",
                      f"This piece shares no boundary line with zone {zone_to.zone_id} (it touches it at a "
                      "point or not at all): a piece moves only to a neighbouring zone.")
    return polygons[touching]


def plan_move(zone_from: Zone, zone_to: Zone, shape, given_piece: bool = False) -> Move:
    """Check the move of the piece of ``zone_from`` cut by ``shape`` (a stand, a cell square) to ``zone_to``
    and return both zones as they become; MoveRefused (Chinese and English, naming the zone) when a rule of
    the grid forbids it. ``given_piece``: ``shape`` is a piece that lies inside zone_from and moves whole (an
    undo: it restores a grid that was valid, so a piece that had joined two islands of B goes back too)."""
    import shapely

    _check_zones(zone_from, zone_to)
    chosen = _piece_polygons(zone_from, zone_to, shape, given_piece)
    rest = _polygons(shapely.difference(zone_from.geometry, shapely.union_all(chosen)))
    kept = rest[_areas(rest) >= DUST_M2]
    if not len(kept):
        raise MoveRefused(f"这块地就是整个网格 {zone_from.zone_id}：网格不能调空（每名护林员都要有网格），请调出一部分。",
                      f"The piece is all of zone {zone_from.zone_id}: a zone cannot be emptied (every ranger keeps "
                      "a zone); move a part of it.")
    new_from = _multi(kept)
    piece = _multi(_polygons(shapely.difference(zone_from.geometry, new_from)))
    if not given_piece and _splits(zone_from.geometry, kept):
        raise MoveRefused(f"调出这块地会把网格 {zone_from.zone_id} 分成不相连的几块：请先调出其他地块，或选另一块。",
                      f"Moving this piece would split zone {zone_from.zone_id} into separate parts: move another "
                      "piece, or the pieces around it first.")
    joined = _polygons(shapely.union(zone_to.geometry, piece))
    new_to = _multi(joined)
    return Move(zone_from.zone_id, zone_to.zone_id, normalise_code(zone_from.area_code), piece, new_from, new_to)


def best_shape(zone_from: Zone, shapes: Sequence) -> Optional[object]:
    """Of several candidate shapes (the stands under a point), the one holding the most forest of the zone."""
    import shapely

    if not len(shapes):
        return None
    overlap = [float(shapely.area(shapely.intersection(zone_from.geometry, shape))) for shape in shapes]
    best = int(np.argmax(overlap))
    return shapes[best] if overlap[best] > 0 else None
