"""Does every responsibility area tile its parent? The hierarchy check (责任区层级检查) of linzhang:checkhierarchy.

Input: one row per area with a code, a parent code, a level (1 district … 4 group), optionally a name, and a
polygon in a projected CRS in metres. Codes are compared as trimmed text (``values.normalise_code``).

What is a problem (one row of the result each):

- ``invalid_geometry``: a polygon GEOS calls invalid (self-intersection, a spike, a hole outside its shell, …) or
  no polygon at all. The rest of the check uses the repaired polygon (``make_valid``, polygonal part only).
- ``duplicate_code``: a code used by more than one area (one problem per code, its polygon the union of them).
  As in ``tree.build_hierarchy`` the first of them is the parent of the areas that name that code; all of them
  count as children of their parent, and copies of one code are not reported as overlapping each other.
- ``orphan``: an area that cannot take its place in the tree: no code; a parent code that is not in the layer or is
  its own code; no parent code below the top level of the layer (the smallest level present); parent codes that
  run in a circle. An orphan that lies (90 % or more) inside an area one level up is named with it ("by location it
  belongs to …") and counts as that area's child for the spatial checks, so that one wrong parent code gives one
  problem, not also a gap in the true parent.
- ``level_mismatch``: an area whose level is not its parent's level + 1, or that has no level.
- ``gap``: a connected part of a parent that none of its children covers, of more than the tolerance.
- ``overlap``: the part two children of the same parent (siblings) share, when a connected piece of it is larger
  than the tolerance (one problem per pair: the pieces above the tolerance). Areas without a parent are compared
  with each other as siblings too.
- ``outside_parent``: the part of a child that lies outside its parent (its pieces above the tolerance).

Pieces of ``tolerance`` m² or less are slivers: not problems, but what ``sliver_fix`` may repair. Pieces below
``NOISE_M2`` are floating-point dust and ignored. An area without children has nothing to tile: a village with no
groups is not a gap.

How it stays fast (50,000 areas in a few seconds): a family (a parent and its children) is first unioned with
``shapely.coverage_union_all``, which only accepts children that share their boundaries exactly and do not overlap;
when that union is valid and as large as the children together, no two siblings overlap and the family needs no
pairwise work. When the union also equals the parent vertex for vertex, there is no gap and nothing outside. Only
the other families pay for the overlay: ``union_all``, sibling pairs from an ``STRtree`` and their intersections,
the part of the children outside the parent, and the parent minus the children only when the area balance leaves
room for a gap.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional, Sequence

import numpy as np

from .. import schema
from ..errors import InputDataError
from ..values import as_int, as_text, normalise_code
from .tree import Hierarchy, build_hierarchy

PROBLEM_TYPES = ("gap", "overlap", "outside_parent", "orphan", "duplicate_code", "level_mismatch",
                 "invalid_geometry")
PROBLEM_ZH = {"gap": "缝隙", "overlap": "重叠", "outside_parent": "超出上级", "orphan": "孤立",
              "duplicate_code": "编码重复", "level_mismatch": "级别跳跃", "invalid_geometry": "几何无效"}
PROBLEM_COLUMNS = ("problem", "problem_zh", "description", "description_en", "code", "other_code", "level",
                   "area_m2")
NOISE_M2 = 1e-6  # pieces smaller than a square millimetre are floating-point dust
# The check's overlays snap to a micrometre grid (GEOS snap-rounding): on boundaries that coincide but for their
# vertices it is robust and about five times faster than floating overlay with its fallbacks. The fix works exact.
CHECK_GRID_M = 1e-6
SQM_PER_MU = 10_000.0 / 15.0  # 1 ha = 15 亩
SUGGEST_SHARE = 0.9  # an orphan belongs by location to the area one level up holding this share of it
GEOS_REASONS_ZH = {
    "Self-intersection": "自相交", "Ring Self-intersection": "环自相交", "Too few points": "点数过少",
    "Hole lies outside shell": "内环位于外环之外", "Nested holes": "内环嵌套", "Interior is disconnected": "内部不连通",
    "Nested shells": "外环嵌套", "Duplicate Rings": "重复的环", "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环未闭合", "no geometry": "没有几何图形", "not a polygon": "不是面",
}


class CheckCanceled(Exception):
    """The caller's ``is_canceled`` said stop."""


@dataclass
class Areas:
    """The input rows, normalised; index = row number of the input."""

    codes: np.ndarray  # str, "" when blank
    parents: np.ndarray  # str, "" when blank
    levels: list  # int or None
    names: np.ndarray  # str
    geometries: np.ndarray  # polygonal (repaired) shapely geometries, None without geometry
    invalid: dict[int, str]  # row -> GEOS's reason (or "no geometry")
    hierarchy: Hierarchy
    parent_row: np.ndarray  # row of the parent named by the parent code, -1 when none
    suggested_row: np.ndarray  # for orphans: the area one level up holding most of it, -1 when none
    orphan_reason: dict[int, str]  # row -> "no_code" | "self" | "missing" | "no_parent" | "cycle"
    top_level: Optional[int]

    def __len__(self) -> int:
        return len(self.codes)

    def effective_parent(self) -> np.ndarray:
        """The parent each row is checked against: for an orphan the area its location suggests, if any; else
        the one its parent code names."""
        return np.where(self.suggested_row >= 0, self.suggested_row, self.parent_row)


@dataclass
class Piece:
    """A connected part found by the spatial checks, of any size above ``NOISE_M2``."""

    kind: str  # "gap", "overlap" or "outside_parent"
    geometry: Any
    area: float
    parent: int  # row of the parent, -1 for the siblings without one
    rows: tuple[int, ...]  # overlap: the two rows; outside_parent: the child; gap: the child bordering it most


@dataclass
class CheckResult:
    problems: Any  # GeoDataFrame with PROBLEM_COLUMNS and the geometry
    slivers: list[Piece]  # the pieces of ``tolerance`` m² or less
    areas: Areas
    tolerance: float
    families: int  # parents with children whose tiling was checked
    overlay_families: int  # of which needed the overlay path (not exact coverages)

    def counts(self) -> dict[str, int]:
        found = self.problems["problem"].value_counts().to_dict() if len(self.problems) else {}
        return {kind: int(found.get(kind, 0)) for kind in PROBLEM_TYPES}

    def summary_zh(self) -> str:
        counts = self.counts()
        found = "；".join(f"{PROBLEM_ZH[kind]} {counts[kind]} 处" for kind in PROBLEM_TYPES if counts[kind])
        text = (f"检查了 {len(self.areas)} 个责任区、{self.families} 个上级的下级拼接（容差 {self.tolerance:g} 平方米）："
                f"发现问题 {len(self.problems)} 处")
        return text + (f"（{found}）" if found else "，层级完整") + f"；容差以内的细碎缝隙/重叠 {len(self.slivers)} 处。"

    def summary_en(self) -> str:
        counts = self.counts()
        found = ", ".join(f"{kind} {counts[kind]}" for kind in PROBLEM_TYPES if counts[kind])
        text = (f"Checked {len(self.areas)} areas and how the children tile {self.families} parents (tolerance "
                f"{self.tolerance:g} m²): {len(self.problems)} problems")
        return text + (f" ({found})" if found else ", the hierarchy is complete") + (
            f"; {len(self.slivers)} slivers within the tolerance.")


# --- reading the rows ---------------------------------------------------------------------------------------


def polygonal(geometry: Any):
    """The polygonal part of ``geometry`` as one geometry (empty Polygon when there is none)."""
    import shapely

    if geometry is None:
        return None
    type_id = shapely.get_type_id(geometry)
    if type_id in (3, 6):
        return geometry
    if type_id == 7:
        parts = [part for part in shapely.get_parts(geometry) if shapely.get_type_id(part) in (3, 6)]
        if parts:
            return shapely.union_all(parts)
    return shapely.Polygon()


def repair(geometries: np.ndarray) -> tuple[np.ndarray, dict[int, str]]:
    """2-D polygonal geometries (invalid ones repaired) and, per invalid row, GEOS's reason."""
    import shapely

    geometries = np.asarray(geometries, dtype=object)
    present = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
    result = np.empty(len(geometries), dtype=object)
    result[:] = None
    invalid: dict[int, str] = {int(i): "no geometry" for i in np.flatnonzero(~present)}
    if present.any():
        flat = shapely.force_2d(geometries[present])
        valid = shapely.is_valid(flat)
        rows = np.flatnonzero(present)
        for index in np.flatnonzero(~valid):
            invalid[int(rows[index])] = shapely.is_valid_reason(flat[index])
            flat[index] = _make_valid(flat[index])
        wrong_type = ~np.isin(shapely.get_type_id(flat), (3, 6))
        for index in np.flatnonzero(wrong_type):
            invalid.setdefault(int(rows[index]), "not a polygon")
            flat[index] = polygonal(flat[index])
        result[present] = flat
    return result, invalid


def _make_valid(geometry):
    import shapely

    try:
        repaired = shapely.make_valid(geometry, method="structure", keep_collapsed=False)
    except (TypeError, ValueError, shapely.errors.GEOSException):  # older GEOS: the linework method
        repaired = shapely.make_valid(geometry)
    return polygonal(repaired)


def prepare_areas(codes: Sequence, parents: Sequence, levels: Sequence, geometries: Sequence,
                  names: Optional[Sequence] = None) -> Areas:
    """Normalise the rows and link them: parent rows, orphans (with the area their location suggests)."""
    count = len(codes)
    names = [""] * count if names is None else list(names)
    code_text = np.array([normalise_code(value) for value in codes], dtype=object)
    parent_text = np.array([normalise_code(value) for value in parents], dtype=object)
    level_values = [as_int(value) for value in levels]
    name_text = np.array([as_text(value) for value in names], dtype=object)
    repaired, invalid = repair(np.asarray(list(geometries), dtype=object))
    hierarchy = build_hierarchy({"code": code, "parent_code": parent, "level": level, "name": name, "fid": row}
                                for row, (code, parent, level, name)
                                in enumerate(zip(code_text, parent_text, level_values, name_text)))
    first_row = {code: node.fid for code, node in hierarchy.nodes.items()}
    parent_row = np.array([first_row.get(parent, -1) if parent and parent != code else -1
                           for code, parent in zip(code_text, parent_text)], dtype=np.int64)
    known = [level for level in level_values if level is not None]
    top_level = min(known) if known else None
    reasons = _orphan_reasons(code_text, parent_text, level_values, parent_row, first_row, top_level)
    areas = Areas(code_text, parent_text, level_values, name_text, repaired, invalid, hierarchy, parent_row,
                  np.full(count, -1, dtype=np.int64), reasons, top_level)
    areas.suggested_row = _suggest_parents(areas)
    return areas


def _orphan_reasons(codes: np.ndarray, parents: np.ndarray, levels: list, parent_row: np.ndarray,
                    first_row: dict[str, int], top_level: Optional[int]) -> dict[int, str]:
    reasons: dict[int, str] = {}
    for row, (code, parent, level) in enumerate(zip(codes, parents, levels)):
        if not code:
            reasons[row] = "no_code"
        elif parent and parent == code:
            reasons[row] = "self"
        elif parent and parent not in first_row:
            reasons[row] = "missing"
        elif not parent and level is not None and top_level is not None and level > top_level:
            reasons[row] = "no_parent"
    if (_depths(parent_row) >= len(parent_row)).any():  # some chain of parents never ends
        for row in _rows_in_cycles(parent_row):
            reasons.setdefault(row, "cycle")
    return reasons


def _rows_in_cycles(parent_row: np.ndarray) -> list[int]:
    """Rows whose chain of parents loops (colouring walk, O(n))."""
    state = np.zeros(len(parent_row), dtype=np.int8)  # 0 unseen, 1 on the current path, 2 done
    in_cycle: list[int] = []
    for start in range(len(parent_row)):
        path = []
        row = start
        while row >= 0 and state[row] == 0:
            state[row] = 1
            path.append(row)
            row = int(parent_row[row])
        if row >= 0 and state[row] == 1:  # came back to the current path: a circle from ``row`` on
            in_cycle.extend(path[path.index(row):])
        state[path] = 2
    return sorted(in_cycle)


def _suggest_parents(areas: Areas) -> np.ndarray:
    """For each orphan with a level: the area one level up (not itself an orphan) that holds most of it (≥ 90 %)."""
    import shapely

    suggested = np.full(len(areas), -1, dtype=np.int64)
    rows = [row for row in areas.orphan_reason if areas.levels[row] is not None
            and areas.geometries[row] is not None and not shapely.is_empty(areas.geometries[row])]
    for level in sorted({areas.levels[row] for row in rows}):
        orphans = np.array([row for row in rows if areas.levels[row] == level])
        candidates = np.array([row for row, value in enumerate(areas.levels) if value == level - 1
                               and row not in areas.orphan_reason and areas.geometries[row] is not None], dtype=int)
        if len(candidates) == 0:
            continue
        tree = shapely.STRtree(areas.geometries[candidates])
        which, hit = tree.query(areas.geometries[orphans], predicate="intersects")
        shared = shapely.area(shapely.intersection(areas.geometries[orphans[which]],
                                                   areas.geometries[candidates[hit]]))
        for position, row in enumerate(orphans):
            mine = np.flatnonzero(which == position)
            if len(mine) == 0:
                continue
            best = mine[np.argmax(shared[mine])]
            if shared[best] >= SUGGEST_SHARE * shapely.area(areas.geometries[row]):
                suggested[row] = candidates[hit[best]]
    return suggested


# --- the families -------------------------------------------------------------------------------------------

@dataclass
class Family:
    parent: int  # row of the parent; -1 for siblings without one (then ``key`` is their common parent code)
    rows: np.ndarray
    key: str = ""
    depth: int = 0


def families(areas: Areas) -> list[Family]:
    """Parents with their children (rows with a polygon), parents before their children; then the groups of
    siblings without a parent in the layer (areas with the same missing or blank parent code)."""
    import shapely

    effective = areas.effective_parent()
    has_shape = ~shapely.is_missing(areas.geometries) & ~shapely.is_empty(areas.geometries)
    depth = _depths(effective)
    grouped: dict[int, list[int]] = {}
    loose: dict[str, list[int]] = {}
    for row in np.flatnonzero(has_shape):
        parent = int(effective[row])
        if parent >= 0 and has_shape[parent]:
            grouped.setdefault(parent, []).append(int(row))
        elif parent < 0:
            loose.setdefault(str(areas.parents[row]), []).append(int(row))
    result = [Family(parent, np.array(rows), areas.codes[parent], int(depth[parent]))
              for parent, rows in grouped.items()]
    result.sort(key=lambda family: (family.depth, family.parent))
    result += [Family(-1, np.array(rows), key, -1) for key, rows in sorted(loose.items()) if len(rows) > 1]
    return result


def _depths(parent: np.ndarray) -> np.ndarray:
    """Steps from each row up to a row without a parent (rows in a circle, and below one, count from len)."""
    count = len(parent)
    depth = np.full(count, -1, dtype=np.int64)
    for start in range(count):
        path: list[int] = []
        on_path: set[int] = set()
        row = start
        while row >= 0 and depth[row] < 0 and row not in on_path:
            path.append(row)
            on_path.add(row)
            row = int(parent[row])
        base = 0 if row < 0 else (depth[row] + 1 if depth[row] >= 0 else count)
        for offset, member in enumerate(reversed(path)):
            depth[member] = base + offset
    return depth


# --- one family: the union of the children, overlaps, outside parts, gaps ----------------------------------

def polygon_parts(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The polygons inside ``geometries`` (collections opened) and, for each, the index of its geometry."""
    import shapely

    parts, index = shapely.get_parts(np.asarray(geometries, dtype=object), return_index=True)
    while len(parts) and np.isin(shapely.get_type_id(parts), (4, 5, 6, 7)).any():
        nested = np.isin(shapely.get_type_id(parts), (4, 5, 6, 7))
        inner, inner_index = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], inner])
        index = np.concatenate([index[~nested], index[nested][inner_index]])
    keep = shapely.get_type_id(parts) == 3 if len(parts) else np.zeros(0, dtype=bool)
    return parts[keep], index[keep]


def union_children(geometries: np.ndarray, grid_size: Optional[float] = None) -> tuple[Any, bool]:
    """(union, exact): the coverage union when the children form an exact coverage (shared vertices, no
    overlaps; then ``exact`` is True), else ``union_all`` (on ``grid_size`` when given)."""
    import shapely

    if len(geometries) == 1:
        return geometries[0], True
    total = float(shapely.area(geometries).sum())
    try:
        union = shapely.coverage_union_all(geometries)
        if shapely.is_valid(union) and abs(shapely.area(union) - total) <= 1e-9 * total + NOISE_M2:
            return union, True
    except shapely.errors.GEOSException:
        pass
    return shapely.union_all(geometries, grid_size=grid_size), False


def _same_shape(first, second) -> bool:
    """The same polygons vertex for vertex, whatever the ring order, start vertex or Polygon/MultiPolygon type."""
    import shapely

    def normal(geometry):
        return shapely.normalize(shapely.multipolygons(shapely.get_parts(geometry)))

    return bool(shapely.equals_exact(normal(first), normal(second), 0.0))


def _overlap_pieces(geometries: np.ndarray, codes: np.ndarray, rows: np.ndarray, parent: int,
                    grid_size: Optional[float]) -> list[Piece]:
    import shapely

    tree = shapely.STRtree(geometries)
    first, second = tree.query(geometries)
    pair = (first < second) & ((codes[first] != codes[second]) | (codes[first] == ""))
    first, second = first[pair], second[pair]
    if len(first) == 0:
        return []
    shared = shapely.intersection(geometries[first], geometries[second], grid_size=grid_size)
    parts, owner = polygon_parts(shared)
    areas = shapely.area(parts)
    keep = areas > NOISE_M2
    return [Piece("overlap", part, float(area), parent, (int(rows[first[k]]), int(rows[second[k]])))
            for part, area, k in zip(parts[keep], areas[keep], owner[keep])]


def _outside_pieces(parent_geometry, geometries: np.ndarray, rows: np.ndarray, parent: int,
                    grid_size: Optional[float]) -> list[Piece]:
    import shapely

    outside = np.flatnonzero(~shapely.covered_by(geometries, parent_geometry))
    if len(outside) == 0:
        return []
    parts, owner = polygon_parts(shapely.difference(geometries[outside], parent_geometry, grid_size=grid_size))
    areas = shapely.area(parts)
    keep = areas > NOISE_M2
    return [Piece("outside_parent", part, float(area), parent, (int(rows[outside[k]]),))
            for part, area, k in zip(parts[keep], areas[keep], owner[keep])]


def _gap_pieces(parent_geometry, union, geometries: np.ndarray, rows: np.ndarray, parent: int,
                grid_size: Optional[float]) -> list[Piece]:
    import shapely

    parts, _ = polygon_parts(np.array([shapely.difference(parent_geometry, union, grid_size=grid_size)],
                                      dtype=object))
    areas = shapely.area(parts)
    pieces = []
    for part, area in zip(parts[areas > NOISE_M2], areas[areas > NOISE_M2]):
        near = np.flatnonzero(shapely.intersects(geometries, part))
        bordering: tuple[int, ...] = ()
        if len(near):
            shared = shapely.length(shapely.intersection(geometries[near], shapely.boundary(part)))
            if shared.max() > 0:
                bordering = (int(rows[near[int(np.argmax(shared))]]),)
        pieces.append(Piece("gap", part, float(area), parent, bordering))
    return pieces


def analyse_family(parent_geometry, geometries: np.ndarray, codes: np.ndarray, rows: np.ndarray, parent: int,
                   grid_size: Optional[float] = None) -> tuple[list[Piece], bool]:
    """Every overlap, outside and gap piece (above ``NOISE_M2``) of one family; and whether the fast path
    (an exact coverage equal to the parent) sufficed. Overlays snap to ``grid_size`` when given; the area
    balances then allow for what snapping may move (``grid_size`` × the length of the boundaries)."""
    import shapely

    union, exact = union_children(geometries, grid_size)
    slack = NOISE_M2 + (grid_size or 0.0) * float(shapely.length(geometries).sum())
    overlapped = float(shapely.area(geometries).sum()) - float(shapely.area(union))  # shared land, counted twice
    pieces = [] if exact or overlapped <= slack else _overlap_pieces(geometries, codes, rows, parent, grid_size)
    if parent_geometry is None:
        return pieces, exact
    if exact and _same_shape(parent_geometry, union):
        return pieces, True
    outside_area = float(shapely.area(shapely.difference(union, parent_geometry, grid_size=grid_size)))
    if outside_area > NOISE_M2:
        pieces += _outside_pieces(parent_geometry, geometries, rows, parent, grid_size)
    gap_area = float(shapely.area(parent_geometry)) - (float(shapely.area(union)) - outside_area)
    if gap_area > slack:
        pieces += _gap_pieces(parent_geometry, union, geometries, rows, parent, grid_size)
    return pieces, False


# --- the check ----------------------------------------------------------------------------------------------

FIELD_ROLES = {"code": ("编码", "code"), "parent": ("上级编码", "parent code"), "level": ("级别", "level")}


def field_notes(layer: str, kinds: dict[str, str], code: str, parent: str, level: str) -> list[tuple[str, str]]:
    """Check the chosen fields against the layer's (``kinds``: field name -> "number", "text" or "other").

    Raises ``InputDataError`` naming every missing field; returns notes (Chinese, English) for the log, e.g. that
    codes stored as numbers in one field and as text in the other are compared as text."""
    chosen = {"code": code, "parent": parent, "level": level}
    missing = [(role, name) for role, name in chosen.items() if not name or name not in kinds]
    if missing:
        listed_zh = "、".join(f"“{name or '（未选择）'}”（{FIELD_ROLES[role][0]}）" for role, name in missing)
        listed_en = ", ".join(f"'{name or '(none chosen)'}' ({FIELD_ROLES[role][1]})" for role, name in missing)
        raise InputDataError(
            f"图层“{layer}”中没有字段 {listed_zh}：请在参数中选择保存编码、上级编码和级别的字段"
            "（默认为 code、parent_code、level）。",
            f"The layer '{layer}' has no field {listed_en}: choose the fields that hold the code, the parent code "
            "and the level (by default code, parent_code and level).")
    notes = []
    if {kinds[code], kinds[parent]} == {"number", "text"}:
        number, text = (code, parent) if kinds[code] == "number" else (parent, code)
        notes.append((f"字段“{number}”存的是数值、字段“{text}”存的是文本：编码一律按去掉首尾空格的文本比较"
                      "（360799001 与 \"360799001\" 视为相同）。",
                      f"The field '{number}' holds numbers and the field '{text}' text: codes are compared as "
                      "trimmed text (360799001 and \"360799001\" match)."))
    return notes


def check_frame(frame, tolerance: float = 1.0, progress: Optional[Callable[[float], None]] = None,
                is_canceled: Optional[Callable[[], bool]] = None) -> CheckResult:
    """The check on a GeoDataFrame with the columns ``code``, ``parent_code``, ``level`` (and ``name`` if
    present), its geometry in a projected CRS in metres."""
    missing = [name for name in ("code", "parent_code", "level") if name not in frame.columns]
    if missing:
        raise InputDataError("责任区数据缺少字段：{}。".format("、".join(missing)),
                             "The responsibility areas lack the fields: {}.".format(", ".join(missing)))
    names = frame["name"].tolist() if "name" in frame.columns else None
    return check_hierarchy(frame["code"].tolist(), frame["parent_code"].tolist(), frame["level"].tolist(),
                           frame.geometry.values, names, tolerance, progress, is_canceled)


def check_hierarchy(codes: Sequence, parents: Sequence, levels: Sequence, geometries: Sequence,
                    names: Optional[Sequence] = None, tolerance: float = 1.0,
                    progress: Optional[Callable[[float], None]] = None,
                    is_canceled: Optional[Callable[[], bool]] = None) -> CheckResult:
    """Every problem of the hierarchy (see the module docstring); geometries in metres."""
    if len(codes) == 0:
        raise InputDataError("责任区图层没有要素，无法检查。", "The responsibility area layer has no features to check.")
    if all(as_int(value) is None for value in levels):
        raise InputDataError("责任区的级别字段全部为空，无法判断上下级（级别应为 1 区级 至 4 组级）。",
                             "The level field of the responsibility areas is empty in every feature, so parents "
                             "and children cannot be told apart (levels are 1 district to 4 group).")
    if tolerance < 0:
        raise InputDataError("容差不能为负数。", "The tolerance cannot be negative.")
    report = progress or (lambda fraction: None)
    stop = is_canceled or (lambda: False)
    areas = prepare_areas(codes, parents, levels, geometries, names)
    report(0.1)
    pieces, checked, overlay = _spatial_pieces(areas, report, stop)
    problems, slivers = _problem_rows(areas, pieces, tolerance)
    report(1.0)
    return CheckResult(problems, slivers, areas, tolerance, checked, overlay)


def _spatial_pieces(areas: Areas, report: Callable[[float], None], stop: Callable[[], bool]):
    all_families = families(areas)
    pieces: list[Piece] = []
    checked = overlay = 0
    for number, family in enumerate(all_families):
        if number % 50 == 0:
            if stop():
                raise CheckCanceled("canceled")
            report(0.1 + 0.85 * number / max(len(all_families), 1))
        parent_geometry = areas.geometries[family.parent] if family.parent >= 0 else None
        found, fast = analyse_family(parent_geometry, areas.geometries[family.rows], areas.codes[family.rows],
                                     family.rows, family.parent, CHECK_GRID_M)
        pieces += found
        checked += family.parent >= 0
        overlay += not fast
    return pieces, checked, overlay


# --- the problem table --------------------------------------------------------------------------------------

def _label_zh(areas: Areas, row: int) -> str:
    code = areas.codes[row] or "无编码"
    return f"“{areas.names[row]}”（{code}）" if areas.names[row] else f"（{code}）"


def _label_en(areas: Areas, row: int) -> str:
    code = areas.codes[row] or "no code"
    return f"'{areas.names[row]}' ({code})" if areas.names[row] else f"({code})"


def _area_zh(square_metres: float) -> str:
    return f"{square_metres:.1f} 平方米（{square_metres / SQM_PER_MU:.2f} 亩）"


def _area_en(square_metres: float) -> str:
    return f"{square_metres:.1f} m² ({square_metres / SQM_PER_MU:.2f} mu)"


def _level_zh(level: Optional[int]) -> str:
    if level is None:
        return "无级别"
    return f"{schema.AREA_LEVELS[level][0]}（{level}）" if level in schema.AREA_LEVELS else f"{level} 级"


def _level_en(level: Optional[int]) -> str:
    if level is None:
        return "no level"
    return f"level {level} ({schema.AREA_LEVELS[level][1]})" if level in schema.AREA_LEVELS else f"level {level}"


@dataclass
class _Rows:
    records: list[dict] = field(default_factory=list)
    geometries: list = field(default_factory=list)

    def add(self, problem: str, zh: str, en: str, code: str, other_code: str, level: Optional[int], area: float,
            geometry) -> None:
        self.records.append({"problem": problem, "problem_zh": PROBLEM_ZH[problem], "description": zh,
                             "description_en": en, "code": code, "other_code": other_code, "level": level,
                             "area_m2": round(float(area), 3)})
        self.geometries.append(_multi(geometry))


def _multi(geometry):
    import shapely

    if geometry is None or shapely.is_empty(geometry):
        return None
    parts, _ = polygon_parts(np.array([geometry], dtype=object))
    return shapely.multipolygons(parts) if len(parts) else None


def _problem_rows(areas: Areas, pieces: list[Piece], tolerance: float):
    import geopandas as gpd

    table = _Rows()
    _invalid_rows(areas, table)
    _duplicate_rows(areas, table)
    _orphan_rows(areas, table)
    _level_rows(areas, table)
    problems = [piece for piece in pieces if piece.area > tolerance]
    slivers = [piece for piece in pieces if piece.area <= tolerance]
    _overlap_rows(areas, [p for p in problems if p.kind == "overlap"], table)
    _outside_rows(areas, [p for p in problems if p.kind == "outside_parent"], table)
    _gap_rows(areas, [p for p in problems if p.kind == "gap"], table)
    frame = gpd.GeoDataFrame(table.records, columns=list(PROBLEM_COLUMNS), geometry=table.geometries)
    order = {kind: rank for rank, kind in enumerate(PROBLEM_TYPES)}
    frame = frame.iloc[sorted(range(len(frame)), key=lambda i: (order[frame["problem"].iat[i]],
                                                                 str(frame["code"].iat[i])))].reset_index(drop=True)
    frame["level"] = frame["level"].astype("Int64")
    return frame, slivers


def _invalid_rows(areas: Areas, table: _Rows) -> None:
    for row, reason in sorted(areas.invalid.items()):
        short, where = _reason_parts(reason)
        reason_zh = GEOS_REASONS_ZH.get(short, short) + (f"，位置 {where}" if where else "")
        if reason == "no geometry":
            zh = f"{_label_zh(areas, row)}没有几何图形，未参与空间检查。"
            en = f"{_label_en(areas, row)} has no geometry; it was left out of the spatial checks."
        else:
            zh = f"{_label_zh(areas, row)}的几何无效（{reason_zh}），检查时按修复后的图形计算。"
            at = f" at {where}" if where else ""
            en = f"The geometry of {_label_en(areas, row)} is invalid ({short}{at}); it was checked as repaired."
        geometry = areas.geometries[row]
        table.add("invalid_geometry", zh, en, areas.codes[row], "", areas.levels[row],
                  0.0 if geometry is None else geometry.area, geometry)


def _reason_parts(reason: str) -> tuple[str, str]:
    """GEOS's "Self-intersection[515217.254083209 2779316.74894944]" as
    ("Self-intersection", "(515217.25, 2779316.75)")."""
    short, _, rest = reason.partition("[")
    numbers = rest.rstrip("]").split()
    try:
        where = "({})".format(", ".join(f"{float(number):.2f}" for number in numbers)) if numbers else ""
    except ValueError:
        where = rest.rstrip("]")
    return short.strip(), where


def _duplicate_rows(areas: Areas, table: _Rows) -> None:
    import shapely

    for code in areas.hierarchy.duplicates:
        rows = np.flatnonzero(areas.codes == code)
        names = [areas.names[row] for row in rows if areas.names[row]]
        shapes = [areas.geometries[row] for row in rows if areas.geometries[row] is not None]
        geometry = shapely.union_all(shapes) if shapes else None
        listed_zh = f"（{'、'.join(names)}）" if names else ""
        listed_en = f" ({', '.join(names)})" if names else ""
        table.add("duplicate_code", f"编码 {code} 被 {len(rows)} 个责任区使用{listed_zh}，编码应唯一。",
                  f"The code {code} is used by {len(rows)} areas{listed_en}; a code must be unique.",
                  code, "", areas.levels[rows[0]], 0.0 if geometry is None else geometry.area, geometry)


def _orphan_rows(areas: Areas, table: _Rows) -> None:
    for row, reason in sorted(areas.orphan_reason.items()):
        label_zh, label_en = _label_zh(areas, row), _label_en(areas, row)
        parent = areas.parents[row]
        suggestion = int(areas.suggested_row[row])
        hint_zh = f"；按位置它应属于{_label_zh(areas, suggestion)}" if suggestion >= 0 else ""
        hint_en = f"; by location it belongs to {_label_en(areas, suggestion)}" if suggestion >= 0 else ""
        if reason == "no_code":
            zh = f"{label_zh}没有编码，无法挂接到层级中，其下级也无法指向它{hint_zh}。"
            en = f"{label_en} has no code, so it cannot take its place in the hierarchy{hint_en}."
        elif reason == "self":
            zh = f"{label_zh}的上级编码就是它自己的编码{hint_zh}。"
            en = f"{label_en} names itself as its parent{hint_en}."
        elif reason == "missing":
            zh = f"{label_zh}的上级编码 {parent} 在图层中不存在{hint_zh}。"
            en = f"The parent code {parent} of {label_en} is not in the layer{hint_en}."
        elif reason == "no_parent":
            zh = (f"{label_zh}为{_level_zh(areas.levels[row])}，却没有上级编码（图层最高级为"
                  f"{_level_zh(areas.top_level)}）{hint_zh}。")
            en = (f"{label_en} is {_level_en(areas.levels[row])} but has no parent code (the top level of the "
                  f"layer is {_level_en(areas.top_level)}){hint_en}.")
        else:
            chain = _cycle_text(areas, row)
            zh = f"{label_zh}的上级编码形成循环（{chain}），追溯不到最高级。"
            en = f"The parent codes of {label_en} run in a circle ({chain}) and never reach the top level."
        geometry = areas.geometries[row]
        table.add("orphan", zh, en, areas.codes[row], parent, areas.levels[row],
                  0.0 if geometry is None else geometry.area, geometry)


def _cycle_text(areas: Areas, row: int) -> str:
    chain = [areas.codes[row]]
    current = int(areas.parent_row[row])
    while current >= 0 and areas.codes[current] not in chain:
        chain.append(areas.codes[current])
        current = int(areas.parent_row[current])
    return " → ".join(chain + [chain[0]])


def _level_rows(areas: Areas, table: _Rows) -> None:
    def area(row: int) -> float:
        return 0.0 if areas.geometries[row] is None else areas.geometries[row].area

    for row, level in enumerate(areas.levels):
        parent = int(areas.parent_row[row])
        if level is None:
            table.add("level_mismatch", f"{_label_zh(areas, row)}没有级别（应为 1 区级至 4 组级）。",
                      f"{_label_en(areas, row)} has no level (1 district to 4 group).", areas.codes[row],
                      areas.codes[parent] if parent >= 0 else "", None, area(row), areas.geometries[row])
        elif parent >= 0 and row not in areas.orphan_reason and areas.levels[parent] is not None \
                and level != areas.levels[parent] + 1:
            table.add("level_mismatch",
                      f"{_label_zh(areas, row)}为{_level_zh(level)}，其上级{_label_zh(areas, parent)}为"
                      f"{_level_zh(areas.levels[parent])}，下级应比上级低一级。",
                      f"{_label_en(areas, row)} is {_level_en(level)} but its parent {_label_en(areas, parent)} is "
                      f"{_level_en(areas.levels[parent])}: a child must be one level below its parent.",
                      areas.codes[row], areas.codes[parent], level, area(row), areas.geometries[row])


def _grouped(pieces: Iterable[Piece], key: Callable[[Piece], tuple]) -> dict[tuple, list[Piece]]:
    groups: dict[tuple, list[Piece]] = {}
    for piece in pieces:
        groups.setdefault(key(piece), []).append(piece)
    return groups


def _overlap_rows(areas: Areas, pieces: list[Piece], table: _Rows) -> None:
    import shapely

    for (first, second, parent), found in sorted(_grouped(pieces, lambda p: (*p.rows, p.parent)).items()):
        area = sum(piece.area for piece in found)
        under_zh = f"（同属上级{_label_zh(areas, parent)}）" if parent >= 0 else ""
        under_en = f", both under {_label_en(areas, parent)}," if parent >= 0 else ""
        table.add("overlap",
                  f"同级责任区{_label_zh(areas, first)}与{_label_zh(areas, second)}{under_zh}重叠 {_area_zh(area)}。",
                  f"The sibling areas {_label_en(areas, first)} and {_label_en(areas, second)}{under_en} overlap by "
                  f"{_area_en(area)}.", areas.codes[first], areas.codes[second], areas.levels[first], area,
                  shapely.multipolygons([piece.geometry for piece in found]))


def _outside_rows(areas: Areas, pieces: list[Piece], table: _Rows) -> None:
    import shapely

    for (child, parent), found in sorted(_grouped(pieces, lambda p: (p.rows[0], p.parent)).items()):
        area = sum(piece.area for piece in found)
        table.add("outside_parent",
                  f"{_label_zh(areas, child)}有 {_area_zh(area)}超出其上级{_label_zh(areas, parent)}的范围。",
                  f"{_area_en(area)} of {_label_en(areas, child)} lies outside its parent {_label_en(areas, parent)}.",
                  areas.codes[child], areas.codes[parent], areas.levels[child], area,
                  shapely.multipolygons([piece.geometry for piece in found]))


def _gap_rows(areas: Areas, pieces: list[Piece], table: _Rows) -> None:
    for piece in pieces:
        parent = piece.parent
        child = piece.rows[0] if piece.rows else -1
        near_zh = f"，与{_label_zh(areas, child)}相邻" if child >= 0 else ""
        near_en = f"; it borders {_label_en(areas, child)}" if child >= 0 else ""
        parent_level = areas.levels[parent]
        level = areas.levels[child] if child >= 0 else (None if parent_level is None else parent_level + 1)
        table.add("gap",
                  f"上级{_label_zh(areas, parent)}内有 {_area_zh(piece.area)}未被任何下级责任区覆盖（缝隙）{near_zh}。",
                  f"{_area_en(piece.area)} inside {_label_en(areas, parent)} is covered by none of its child areas "
                  f"(a gap){near_en}.", areas.codes[child] if child >= 0 else "", areas.codes[parent], level,
                  piece.area, piece.geometry)
