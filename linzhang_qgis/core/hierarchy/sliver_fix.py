"""The safe fix of the hierarchy check (细碎缝隙修正): slivers move to one area so that children tile their parent.

A sliver is a connected piece of at most the tolerance (m²) that ``check.analyse_family`` finds: two siblings
sharing it (overlap), a child sticking out of its parent by it (outside), or a part of the parent no child covers
(gap). The rules:

- an overlap sliver is cut from the larger of the two siblings (whose area changes least, relatively);
- an outside sliver is cut from the child;
- a gap sliver is added to the child that shares the longest boundary with it (when no child touches it, it stays);
- families are fixed from the top level down, each against its parent as already fixed, so the piece a village
  gains or loses is then given to or cut from its groups in the same run;
- nothing larger than the tolerance moves, and the top-level areas (no parent) never change shape;
- an area whose result would be empty, or whose area would change by more than the slivers moved, keeps its shape
  (and the sliver is counted as skipped);
- invalid polygons come out repaired (the shape the check used).

The input is not changed: ``fix_slivers`` returns new geometries and which rows changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .check import NOISE_M2, Areas, CheckCanceled, Piece, analyse_family, families, polygonal


@dataclass
class FixResult:
    geometries: np.ndarray  # one per input row (None where the row had no geometry)
    changed: np.ndarray  # bool per row: the geometry is not the input's (a sliver moved, or it was repaired)
    gaps_filled: int
    overlaps_cut: int
    outside_cut: int
    skipped: int  # slivers left as they were (no bordering child, or the result was not safe)
    area_moved_m2: float
    repaired: int

    @property
    def areas_changed(self) -> int:
        return int(self.changed.sum())

    def summary_zh(self) -> str:
        return (f"细碎修正：填补缝隙 {self.gaps_filled} 处，去除重叠 {self.overlaps_cut} 处，切除超出上级部分 "
                f"{self.outside_cut} 处，共移动 {self.area_moved_m2:.2f} 平方米；修复无效几何 {self.repaired} 个；"
                f"改动责任区 {self.areas_changed} 个；未能安全修正 {self.skipped} 处。")

    def summary_en(self) -> str:
        return (f"Sliver fix: {self.gaps_filled} gaps filled, {self.overlaps_cut} overlaps cut, {self.outside_cut} "
                f"parts outside the parent cut, {self.area_moved_m2:.2f} m² moved in all; {self.repaired} invalid "
                f"geometries repaired; {self.areas_changed} areas changed; {self.skipped} slivers could not be fixed "
                "safely.")


@dataclass
class _Edits:
    added: dict[int, list[Piece]]
    cut: dict[int, list[Piece]]
    skipped: int = 0


def _plan(slivers: list[Piece], geometries: np.ndarray) -> _Edits:
    import shapely

    edits = _Edits({}, {})
    for piece in slivers:
        if piece.kind == "overlap":
            first, second = piece.rows
            larger = first if shapely.area(geometries[first]) >= shapely.area(geometries[second]) else second
            edits.cut.setdefault(larger, []).append(piece)
        elif piece.kind == "outside_parent":
            edits.cut.setdefault(piece.rows[0], []).append(piece)
        elif piece.rows:
            edits.added.setdefault(piece.rows[0], []).append(piece)
        else:
            edits.skipped += 1
    return edits


def _apply(geometry, added: list[Piece], cut: list[Piece]):
    """The new shape, or None when it is not safe (empty, or its area changed by more than what moved)."""
    import shapely

    result = geometry
    if added:
        result = shapely.union_all([result] + [piece.geometry for piece in added])
    if cut:
        result = shapely.difference(result, shapely.union_all([piece.geometry for piece in cut]))
    if not shapely.is_valid(result):
        result = polygonal(shapely.make_valid(result))
    result = polygonal(result)
    moved = sum(piece.area for piece in added) + sum(piece.area for piece in cut)
    if result is None or shapely.is_empty(result):
        return None
    if abs(shapely.area(result) - shapely.area(geometry)) > moved + max(NOISE_M2, 1e-9 * shapely.area(geometry)):
        return None
    return result


def fix_slivers(areas: Areas, tolerance: float, progress: Optional[Callable[[float], None]] = None,
                is_canceled: Optional[Callable[[], bool]] = None) -> FixResult:
    """Move every sliver (piece of at most ``tolerance`` m²) by the rules of the module docstring."""
    geometries = areas.geometries.copy()
    changed = np.zeros(len(areas), dtype=bool)
    repaired = [row for row, reason in areas.invalid.items() if areas.geometries[row] is not None]
    changed[repaired] = True
    counts = {"gap": 0, "overlap": 0, "outside_parent": 0}
    skipped = 0
    moved = 0.0
    all_families = families(areas)
    for number, family in enumerate(all_families):
        if number % 50 == 0:
            if is_canceled is not None and is_canceled():
                raise CheckCanceled("canceled")
            if progress is not None:
                progress(number / max(len(all_families), 1))
        parent_geometry = geometries[family.parent] if family.parent >= 0 else None
        pieces, _ = analyse_family(parent_geometry, geometries[family.rows], areas.codes[family.rows],
                                   family.rows, family.parent)
        slivers = [piece for piece in pieces if piece.area <= tolerance]
        if not slivers:
            continue
        edits = _plan(slivers, geometries)
        skipped += edits.skipped
        for row in sorted(set(edits.added) | set(edits.cut)):
            added, cut = edits.added.get(row, []), edits.cut.get(row, [])
            result = _apply(geometries[row], added, cut)
            if result is None:
                skipped += len(added) + len(cut)
                continue
            geometries[row] = result
            changed[row] = True
            for piece in added + cut:
                counts[piece.kind] += 1
                moved += piece.area
    if progress is not None:
        progress(1.0)
    return FixResult(geometries, changed, counts["gap"], counts["overlap"], counts["outside_parent"], skipped, moved,
                     len(repaired))
