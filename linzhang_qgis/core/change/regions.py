"""Connected regions of a raster mask that arrives strip by strip, top to bottom, in bounded memory.

Each strip is labelled with scipy (8-connectivity). Regions that touch neither edge row of the strip
are complete at once; the others stay open, are joined with the regions of the next strip that touch
them, and are closed when the next strip no longer continues them. A region keeps only its own
bitmap pieces, so memory grows with the size of the regions, not of the raster. A closed region
large enough becomes polygons (rasterio ``features.shapes``) in pixel coordinates: column, row.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy import ndimage

EIGHT_CONNECTED = np.ones((3, 3), dtype=bool)


@dataclass
class Region:
    """One connected region: its pixel count, area, per-measure sums and maxima, and its bitmap pieces
    as (first row, first column, boolean array) in pixel coordinates of the whole raster."""

    pixels: int
    area: float
    sums: np.ndarray
    maxima: np.ndarray
    pieces: list[tuple[int, int, np.ndarray]] = field(default_factory=list)

    def absorb(self, other: "Region") -> None:
        self.pixels += other.pixels
        self.area += other.area
        self.sums = self.sums + other.sums
        self.maxima = np.maximum(self.maxima, other.maxima)
        self.pieces.extend(other.pieces)

    def means(self) -> np.ndarray:
        return self.sums / max(self.pixels, 1)

    def bounds(self) -> tuple[int, int, int, int]:
        """(first row, first column, end row, end column) in pixels."""
        rows = [r for r, _, a in self.pieces] + [r + a.shape[0] for r, _, a in self.pieces]
        cols = [c for _, c, a in self.pieces] + [c + a.shape[1] for _, c, a in self.pieces]
        return min(rows), min(cols), max(rows), max(cols)

    def bitmap(self) -> tuple[int, int, np.ndarray]:
        """The region's pixels as one boolean array with its first row and column."""
        row0, col0, row1, col1 = self.bounds()
        canvas = np.zeros((row1 - row0, col1 - col0), dtype=bool)
        for row, col, piece in self.pieces:
            canvas[row - row0:row - row0 + piece.shape[0], col - col0:col - col0 + piece.shape[1]] |= piece
        return row0, col0, canvas


def fill_small_holes(bitmap: np.ndarray, max_hole_pixels: int) -> np.ndarray:
    """``bitmap`` with the holes (background enclosed by the region) of fewer than ``max_hole_pixels``
    pixels filled in."""
    if max_hole_pixels <= 0:
        return bitmap
    padded = np.pad(bitmap, 1)
    background, count = ndimage.label(~padded)  # 4-connected: the holes of an 8-connected region
    if count <= 1:
        return bitmap
    sizes = np.bincount(background.ravel(), minlength=count + 1)
    outside = background[0, 0]
    small = sizes < max_hole_pixels
    small[0] = False
    small[outside] = False
    padded = padded | small[background]
    return padded[1:-1, 1:-1]


def polygonize(bitmap: np.ndarray, row0: int, col0: int):
    """The bitmap's pixels as a (Multi)Polygon in pixel coordinates (x = column, y = row); 4-connected
    parts become separate polygons, so the result is always valid."""
    from rasterio import features
    from rasterio.transform import Affine

    transform = Affine(1.0, 0.0, float(col0), 0.0, 1.0, float(row0))
    parts = [shapely.geometry.shape(geometry) for geometry, _ in
             features.shapes(bitmap.astype(np.uint8), mask=bitmap, connectivity=4, transform=transform)]
    if len(parts) == 1:
        return parts[0]
    return shapely.MultiPolygon(parts)


class RegionFinder:
    """Feed strips of a mask from the top of the raster down; get back the closed regions of at least
    ``min_area`` (in the unit of the per-row pixel areas given with each strip)."""

    def __init__(self, width: int, n_measures: int, min_area: float) -> None:
        self.width = width
        self.n_measures = n_measures
        self.min_area = min_area
        self._open: dict[int, Region] = {}  # root id -> region still touching the last row seen
        self._parent: dict[int, int] = {}
        self._previous_bottom = np.zeros(width, dtype=np.int64)  # ids of the last row seen (0 = none)
        self._next_id = 1
        self.row = 0  # the next row expected

    # --- union-find over region ids ----------------------------------------------------------

    def _find(self, region_id: int) -> int:
        root = region_id
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[region_id] != root:
            self._parent[region_id], region_id = root, self._parent[region_id]
        return root

    def _union(self, a: int, b: int) -> None:
        root_a, root_b = self._find(a), self._find(b)
        if root_a == root_b:
            return
        if self._open[root_a].pixels < self._open[root_b].pixels:
            root_a, root_b = root_b, root_a
        self._open[root_a].absorb(self._open.pop(root_b))
        self._parent[root_b] = root_a

    # --- strips --------------------------------------------------------------------------------

    def add_strip(self, mask: np.ndarray, measures: np.ndarray, row_areas: np.ndarray,
                  last: bool = False) -> list[Region]:
        """Add the next ``mask`` rows (bool, rows x width). ``measures`` (k x rows x width) are summed and
        maximised per region; ``row_areas`` is the area of one pixel in each row. Returns the regions
        closed by this strip (all remaining ones when ``last``)."""
        height = mask.shape[0]
        labels, count = ndimage.label(mask, structure=EIGHT_CONNECTED)
        row_offset, self.row = self.row, self.row + height
        if count == 0:
            self._previous_bottom = np.zeros(self.width, dtype=np.int64)
            return self._close(set())
        stats = self._label_stats(labels, count, measures, row_areas)
        edge_labels = np.union1d(labels[0], labels[-1])
        edge_labels = edge_labels[edge_labels > 0]
        slices = ndimage.find_objects(labels)
        finished = self._inner_regions(labels, slices, edge_labels, stats, row_offset)
        base = self._next_id - 1
        self._next_id += count
        for label in edge_labels.tolist():
            region_id = base + label
            self._open[region_id] = self._region(label, stats, labels, slices[label - 1], row_offset)
            self._parent[region_id] = region_id
        self._join_with_previous(labels[0], base)
        bottom = np.where(labels[-1] > 0, labels[-1].astype(np.int64) + base, 0)
        alive = set() if last else {self._find(int(i)) for i in np.unique(bottom[bottom > 0])}
        finished.extend(self._close(alive))
        self._previous_bottom = bottom if not last else np.zeros(self.width, dtype=np.int64)
        self._parent = {int(i): self._find(int(i)) for i in np.unique(self._previous_bottom)
                        if i > 0} | {root: root for root in alive}
        return finished

    def finish(self) -> list[Region]:
        """Close every region still open (the raster has no more rows)."""
        self._previous_bottom = np.zeros(self.width, dtype=np.int64)
        return self._close(set())

    def _label_stats(self, labels, count, measures, row_areas):
        flat = np.flatnonzero(labels)
        label_of = labels.ravel()[flat]
        pixels = np.bincount(label_of, minlength=count + 1)
        areas = np.bincount(label_of, weights=row_areas[flat // labels.shape[1]], minlength=count + 1)
        index = np.arange(1, count + 1)
        sums, maxima = [], []
        for measure in measures:
            values = measure.ravel()[flat].astype(np.float64)
            sums.append(np.bincount(label_of, weights=values, minlength=count + 1))
            maxima.append(np.concatenate(([0.0], ndimage.maximum(values, label_of, index))))
        shape = (len(measures), count + 1)  # explicit: reshape(0, -1) fails when there is no measure
        return pixels, areas, np.array(sums).reshape(shape), np.array(maxima).reshape(shape)

    def _region(self, label, stats, labels, slice_, row_offset) -> Region:
        pixels, areas, sums, maxima = stats
        piece = labels[slice_] == label
        return Region(int(pixels[label]), float(areas[label]), sums[:, label].copy(), maxima[:, label].copy(),
                      [(row_offset + slice_[0].start, slice_[1].start, piece)])

    def _inner_regions(self, labels, slices, edge_labels, stats, row_offset) -> list[Region]:
        big = np.flatnonzero(stats[1] >= self.min_area)
        big = big[(big > 0) & ~np.isin(big, edge_labels)]
        return [self._region(int(label), stats, labels, slices[label - 1], row_offset) for label in big]

    def _join_with_previous(self, top_labels: np.ndarray, base: int) -> None:
        previous = self._previous_bottom
        top = np.where(top_labels > 0, top_labels.astype(np.int64) + base, 0)
        pairs = set()
        for shift in (-1, 0, 1):  # 8-connectivity across the strip border
            if shift < 0:
                a, b = previous[:shift], top[-shift:]
            elif shift > 0:
                a, b = previous[shift:], top[:-shift]
            else:
                a, b = previous, top
            both = (a > 0) & (b > 0)
            if both.any():
                pairs.update(zip(a[both].tolist(), b[both].tolist()))
        for a, b in pairs:
            self._union(a, b)

    def _close(self, alive: set[int]) -> list[Region]:
        closed = [root for root in self._open if root not in alive]
        finished = []
        for root in closed:
            region = self._open.pop(root)
            if region.area >= self.min_area:
                finished.append(region)
        return finished
