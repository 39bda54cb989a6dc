"""The forest of one responsibility area cut into grid cells, and which cells touch.

Definitions (all lengths in metres, in one projected CRS):

- A **square** is one square of side ``cell_size`` of a grid aligned on multiples of the side, so
  that the grids of neighbouring areas line up. Its index is (row, column).
- A **cell** is one connected polygon of (forest ∩ square): a square whose forest falls apart into two
  pieces gives two cells. The cells of an area therefore tile its forest exactly: their union is the
  forest, and they never overlap (the forest polygons are unioned square by square, so overlapping
  forest polygons count once). Pieces under ``MIN_CELL_M2`` (numerical dust) are dropped.
- Two cells are **adjacent** when they share a stretch of boundary of positive length. Cells meet only
  across the grid lines between their squares, so the shared stretch is found by matching, line by line,
  the boundary segments of the cells that lie on a grid line (one-dimensional intervals); its length is
  the cells' **shared boundary**.
- A **patch** is a connected group of adjacent cells: a piece of forest separated from the rest by
  non-forest. Patches are joined by **links**, each between the nearest two cells of two patches (among
  the Delaunay neighbours of the cell centroids): the edges of a minimum spanning tree over the patches,
  so that the whole forest of an area is one graph for the partition, and besides them every pair of
  neighbouring patches at most ``LINK_REACH`` cell sides apart or at most ``LINK_SPACING`` times as far
  apart as either is from its own nearest patch, so that scattered small patches form a mesh rather than a
  chain (a chain would break into many pieces at every cut), while a wide gap is crossed only by the tree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

MIN_CELL_M2 = 0.01  # smaller pieces of forest ∩ square are numerical dust
ON_LINE_M = 1e-4  # a boundary vertex this close to a grid line lies on it
MIN_SHARED_M = 1e-3  # shorter common stretches of boundary are a touch, not a shared edge
MAX_SPAN = 8  # forest polygons spanning more squares are halved first (bounded cost per intersection)
LINK_REACH = 5.0  # neighbouring patches this many cell sides apart (or closer) are linked besides the tree
LINK_SPACING = 3.0  # ... and those at most this many times as far apart as either is from its nearest patch

Report = Callable[[float], None]


@dataclass
class CellGraph:
    """The cells of one area and their adjacency."""

    geometries: np.ndarray  # shapely Polygons
    weights: np.ndarray  # forest area of each cell (m²)
    xy: np.ndarray  # (n, 2) centroids
    squares: np.ndarray  # (n, 2) int row, column of the cell's square
    shared: "object"  # scipy.sparse csr (n × n): shared boundary length (m), symmetric
    links: np.ndarray  # (m, 2) int: cell pairs joining patches
    patches: np.ndarray  # (n,) int: the patch of each cell
    cell_size: float

    @property
    def size(self) -> int:
        return len(self.weights)

    @property
    def n_patches(self) -> int:
        return int(self.patches.max()) + 1 if self.size else 0


def grid_origin(bounds: tuple[float, float, float, float], cell_size: float) -> tuple[float, float]:
    """The grid corner at or below the lower left of ``bounds``, on a multiple of the cell size."""
    return (float(np.floor(bounds[0] / cell_size) * cell_size), float(np.floor(bounds[1] / cell_size) * cell_size))


def _spans(geoms: np.ndarray, cell_size: float, origin: tuple[float, float]) -> tuple[np.ndarray, ...]:
    """First and last column and row of the squares each geometry's bounding box covers."""
    import shapely

    bounds = shapely.bounds(geoms)
    col0 = np.floor((bounds[:, 0] - origin[0]) / cell_size).astype(np.int64)
    row0 = np.floor((bounds[:, 1] - origin[1]) / cell_size).astype(np.int64)
    col1 = np.maximum(np.ceil((bounds[:, 2] - origin[0]) / cell_size).astype(np.int64) - 1, col0)
    row1 = np.maximum(np.ceil((bounds[:, 3] - origin[1]) / cell_size).astype(np.int64) - 1, row0)
    return col0, row0, col1, row1


def _polygons_of(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Polygon parts of ``geoms`` (collections and multi-polygons taken apart) and the index of
    the geometry each came from; lines and points left by intersections are dropped."""
    import shapely

    parts, index = shapely.get_parts(geoms, return_index=True)
    nested = np.isin(shapely.get_type_id(parts), (6, 7))
    if nested.any():
        inner, inner_index = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], inner])
        index = np.concatenate([index[~nested], index[nested][inner_index]])
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) >= MIN_CELL_M2)
    return parts[keep], index[keep]


def _halve_large(geoms: np.ndarray, cell_size: float, origin: tuple[float, float]) -> np.ndarray:
    """Polygons spanning more than MAX_SPAN squares, cut in two along a grid line until none does: the
    intersection with one square then costs little even for a forest polygon with many vertices."""
    import shapely

    while len(geoms):
        col0, row0, col1, row1 = _spans(geoms, cell_size, origin)
        wide, tall = col1 - col0 + 1, row1 - row0 + 1
        large = np.flatnonzero(np.maximum(wide, tall) > MAX_SPAN)
        if not len(large):
            break
        bounds = shapely.bounds(geoms[large])
        vertical = wide[large] >= tall[large]
        cut_x = origin[0] + cell_size * ((col0[large] + col1[large] + 1) // 2)
        cut_y = origin[1] + cell_size * ((row0[large] + row1[large] + 1) // 2)
        pad = cell_size
        low = shapely.box(bounds[:, 0] - pad, bounds[:, 1] - pad,
                          np.where(vertical, cut_x, bounds[:, 2] + pad), np.where(vertical, bounds[:, 3] + pad, cut_y))
        high = shapely.box(np.where(vertical, cut_x, bounds[:, 0] - pad), np.where(vertical, bounds[:, 1] - pad, cut_y),
                           bounds[:, 2] + pad, bounds[:, 3] + pad)
        halves = np.concatenate([shapely.intersection(geoms[large], low), shapely.intersection(geoms[large], high)])
        pieces, _ = _polygons_of(halves)
        geoms = np.concatenate([np.delete(geoms, large), pieces])
    return geoms


def cut_by_grid(forest: np.ndarray, cell_size: float, origin: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """The pieces of each forest polygon in each square: (polygons, their (row, column) squares)."""
    import shapely

    geoms = _halve_large(np.asarray(forest, dtype=object), cell_size, origin)
    if not len(geoms):
        return np.array([], dtype=object), np.zeros((0, 2), dtype=np.int64)
    col0, row0, col1, row1 = _spans(geoms, cell_size, origin)
    wide, tall = col1 - col0 + 1, row1 - row0 + 1
    counts = wide * tall
    owner = np.repeat(np.arange(len(geoms)), counts)
    local = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    cols = col0[owner] + local % wide[owner]
    rows = row0[owner] + local // wide[owner]
    pieces = geoms[owner].copy()
    split = counts[owner] > 1  # a polygon inside one square is its own piece
    if split.any():
        boxes = shapely.box(origin[0] + cols[split] * cell_size, origin[1] + rows[split] * cell_size,
                            origin[0] + (cols[split] + 1) * cell_size, origin[1] + (rows[split] + 1) * cell_size)
        pieces[split] = shapely.intersection(pieces[split], boxes)
    parts, index = _polygons_of(pieces)
    return parts, np.stack([rows[index], cols[index]], axis=1)


def union_by_square(pieces: np.ndarray, squares: np.ndarray, report: Optional[Report] = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The cells: the pieces of each square unioned and taken apart into connected polygons."""
    import shapely

    if not len(pieces):
        return pieces, squares
    key = squares[:, 0] * (int(squares[:, 1].max()) + 2) + squares[:, 1]
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    starts = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]])
    ends = np.r_[starts[1:], len(order)]
    lone = ends - starts == 1
    unions = np.empty(len(starts), dtype=object)
    unions[lone] = pieces[order[starts[lone]]]
    several = np.flatnonzero(~lone)
    for number, group in enumerate(several):
        unions[group] = shapely.union_all(pieces[order[starts[group]:ends[group]]])
        if report is not None and number % 500 == 499:
            report(number / len(several))
    cells, index = _polygons_of(unions)
    return cells, squares[order[starts]][index]


def _grid_segments(cells: np.ndarray, squares: np.ndarray, cell_size: float, origin: tuple[float, float]):
    """The boundary segments of the cells that lie on a grid line, as a frame: cell, the edge key (direction,
    line, position along it), the side of the line the cell lies on, and the interval covered."""
    import pandas as pd
    import shapely

    rings, ring_cell = shapely.get_rings(cells, return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    start, end = coords[:-1][same], coords[1:][same]
    cell = ring_cell[ring[:-1][same]]
    frames = []
    for axis in (0, 1):  # 0: vertical lines x = const, 1: horizontal lines y = const
        along = 1 - axis
        position = (start[:, axis] - origin[axis]) / cell_size
        line = np.round(position).astype(np.int64)
        on_line = ((np.abs(start[:, axis] - end[:, axis]) < ON_LINE_M)
                   & (np.abs(position - line) * cell_size < ON_LINE_M))
        own = squares[cell, 1 - axis]  # the column (vertical lines) or row (horizontal lines) of the cell
        line, own, cell_on = line[on_line], own[on_line], cell[on_line]
        side = np.where(line == own, 1, 0)  # 1: the line is the cell's low edge, the cell lies above it
        valid = (line == own) | (line == own + 1)
        low = np.minimum(start[on_line, along], end[on_line, along])
        high = np.maximum(start[on_line, along], end[on_line, along])
        frames.append(pd.DataFrame({
            "cell": cell_on[valid], "axis": axis, "line": line[valid],
            "slot": squares[cell_on[valid], axis], "side": side[valid], "low": low[valid], "high": high[valid]}))
    return pd.concat(frames, ignore_index=True)


def shared_boundaries(cells: np.ndarray, squares: np.ndarray, cell_size: float, origin: tuple[float, float]):
    """The n × n symmetric sparse matrix of the boundary length (m) each pair of cells shares."""
    from scipy import sparse

    n = len(cells)
    if n == 0:
        return sparse.csr_matrix((0, 0))
    segments = _grid_segments(cells, squares, cell_size, origin)
    keys = ["axis", "line", "slot"]
    pairs = segments[segments.side == 0].merge(segments[segments.side == 1], on=keys, suffixes=("_a", "_b"))
    overlap = (np.minimum(pairs.high_a.to_numpy(), pairs.high_b.to_numpy())
               - np.maximum(pairs.low_a.to_numpy(), pairs.low_b.to_numpy()))
    touching = overlap > 0
    a, b, length = pairs.cell_a.to_numpy()[touching], pairs.cell_b.to_numpy()[touching], overlap[touching]
    matrix = sparse.coo_matrix((np.r_[length, length], (np.r_[a, b], np.r_[b, a])), shape=(n, n)).tocsr()
    matrix.sum_duplicates()
    matrix.data[matrix.data < MIN_SHARED_M] = 0.0
    matrix.eliminate_zeros()
    return matrix


def _candidate_links(xy: np.ndarray, patches: np.ndarray) -> np.ndarray:
    """Pairs of cells of different patches that are Delaunay neighbours (all pairs for tiny inputs)."""
    n = len(xy)
    if n <= 3:
        a, b = np.triu_indices(n, 1)
        pairs = np.stack([a, b], axis=1)
    else:
        from scipy.spatial import Delaunay

        simplices = Delaunay(xy, qhull_options="QJ").simplices
        pairs = np.concatenate([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]])
        pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    return pairs[patches[pairs[:, 0]] != patches[pairs[:, 1]]]


def island_links(cells: np.ndarray, xy: np.ndarray, patches: np.ndarray, reach: float = 0.0) -> np.ndarray:
    """The cell pairs that join the patches: a minimum spanning tree over the patches, plus every pair of
    neighbouring patches at most ``reach`` apart or at most LINK_SPACING times as far apart as either is from
    its nearest other patch; each link the closest candidate pair of its two patches."""
    import shapely
    from scipy import sparse
    from scipy.sparse.csgraph import minimum_spanning_tree

    n_patches = int(patches.max()) + 1 if len(patches) else 0
    if n_patches <= 1:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = _candidate_links(xy, patches)
    distance = shapely.distance(cells[pairs[:, 0]], cells[pairs[:, 1]]) + 1e-6  # 0 would mean "no edge"
    ends = np.sort(patches[pairs], axis=1)
    order = np.lexsort((distance, ends[:, 1], ends[:, 0]))
    first = order[np.r_[True, (np.diff(ends[order], axis=0) != 0).any(axis=1)]]  # the closest per patch pair
    tree = minimum_spanning_tree(sparse.coo_matrix(
        (distance[first], (ends[first, 0], ends[first, 1])), shape=(n_patches, n_patches))).tocoo()
    chosen = {(int(min(a, b)), int(max(a, b))) for a, b in zip(tree.row, tree.col)}
    nearest = np.full(n_patches, np.inf)  # how far each patch is from its nearest other patch
    np.minimum.at(nearest, ends[first, 0], distance[first])
    np.minimum.at(nearest, ends[first, 1], distance[first])
    local = LINK_SPACING * np.maximum(nearest[ends[first, 0]], nearest[ends[first, 1]])
    near = distance[first] <= np.maximum(reach, local)
    keep = [index for index, close in zip(first.tolist(), near.tolist())
            if close or (int(ends[index, 0]), int(ends[index, 1])) in chosen]
    return pairs[keep]


def build_cells(forest: np.ndarray, cell_size: float, report: Optional[Report] = None) -> CellGraph:
    """The cell graph of an area's forest (valid polygons already cut to the area)."""
    import shapely
    from scipy.sparse.csgraph import connected_components

    forest = np.asarray(forest, dtype=object)
    forest = forest[~shapely.is_empty(forest)] if len(forest) else forest
    if not len(forest):
        raise ValueError("no forest")
    bounds = shapely.total_bounds(forest)
    origin = grid_origin(tuple(bounds), cell_size)
    pieces, squares = cut_by_grid(forest, cell_size, origin)
    if report is not None:
        report(0.4)
    cells, squares = union_by_square(pieces, squares,
                                     None if report is None else (lambda f: report(0.4 + 0.4 * f)))
    shared = shared_boundaries(cells, squares, cell_size, origin)
    centroids = shapely.get_coordinates(shapely.centroid(cells)) if len(cells) else np.zeros((0, 2))
    _, patches = connected_components(shared, directed=False) if len(cells) else (0, np.zeros(0, dtype=np.int64))
    links = island_links(cells, centroids, patches, LINK_REACH * cell_size)
    if report is not None:
        report(1.0)
    return CellGraph(cells, shapely.area(cells), centroids, squares, shared, links, patches.astype(np.int64),
                     cell_size)
