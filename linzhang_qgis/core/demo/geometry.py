"""Planar geometry of the demo district: the outline, the stand faces, and the nested partition.

The stands are the faces of one noded, snap-rounded line arrangement (a Voronoi diagram of seed
points plus the district outline), so neighbouring stands share identical edges. Every
responsibility area is a union of whole stands, which makes the four levels tile each other exactly:
a group is the union of its stands, a village the union of its groups, and so on.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import Polygon

from .fields import WaveField

GRID = 0.01  # metres: every vertex lies on this grid


def blob(rng: np.random.Generator, center: tuple[float, float], radius: float, roughness: float,
         n: int = 96, stretch: float = 1.0) -> Polygon:
    """A smooth irregular closed shape: a circle whose radius is modulated by a few harmonics."""
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 7):
        r += rng.uniform(0.3, 1.0) * roughness / k * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    rotation = rng.uniform(0, np.pi)
    x = radius * stretch * r * np.cos(theta)
    y = radius / stretch * r * np.sin(theta)
    xr = x * np.cos(rotation) - y * np.sin(rotation)
    yr = x * np.sin(rotation) + y * np.cos(rotation)
    shape = Polygon(np.column_stack([xr + center[0], yr + center[1]]))
    return shapely.make_valid(shape) if not shape.is_valid else shape


def district_outline(rng: np.random.Generator, center: tuple[float, float]) -> Polygon:
    """A smooth outline of 12 km x 10 km (its bounding box) around ``center``, on the 1 cm grid."""
    shape = blob(rng, (0.0, 0.0), 5000.0, 0.3, n=480)
    minx, miny, maxx, maxy = shape.bounds
    shape = shapely.affinity.scale(shape, 12000.0 / (maxx - minx), 10000.0 / (maxy - miny), origin=(0, 0))
    minx, miny, maxx, maxy = shape.bounds
    shape = shapely.affinity.translate(shape, center[0] - (minx + maxx) / 2, center[1] - (miny + maxy) / 2)
    return shapely.set_precision(shape, GRID)


def _seed_points(rng: np.random.Generator, outline: Polygon, n_target: int,
                 density: WaveField) -> np.ndarray:
    """Jittered-grid seeds, thinned by a smooth density so that stand sizes vary across the land."""
    spacing = np.sqrt(outline.area / (n_target / 0.68))
    minx, miny, maxx, maxy = outline.bounds
    xs = np.arange(minx, maxx, spacing)
    ys = np.arange(miny, maxy, spacing)
    gx, gy = np.meshgrid(xs, ys)
    gx = gx.ravel() + rng.uniform(-0.42, 0.42, gx.size) * spacing
    gy = gy.ravel() + rng.uniform(-0.42, 0.42, gy.size) * spacing
    keep_prob = 0.68 + 0.3 * np.clip(density(gx, gy), -1, 1)
    keep = (rng.random(gx.size) < keep_prob) & shapely.contains_xy(outline, gx, gy)
    return np.column_stack([gx[keep], gy[keep]])


def stand_faces(rng: np.random.Generator, outline: Polygon, n_target: int, density: WaveField,
                min_area: float = 5000.0) -> np.ndarray:
    """Polygons tiling ``outline`` exactly (shared edges identical), none smaller than ``min_area`` m²."""
    seeds = _seed_points(rng, outline, n_target, density)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds),
                                                       extend_to=outline.buffer(1000.0)))
    lines = np.concatenate([[outline.exterior], shapely.boundary(cells)])
    noded = shapely.union_all(lines, grid_size=GRID)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    inner = shapely.get_coordinates(shapely.point_on_surface(faces))
    inside = shapely.contains_xy(outline, inner[:, 0], inner[:, 1])
    return merge_small_faces(faces[inside], min_area)


def _shared_lengths(faces: np.ndarray, index: int, candidates: np.ndarray) -> np.ndarray:
    edges = shapely.intersection(shapely.boundary(faces[index]), shapely.boundary(faces[candidates]))
    return shapely.length(edges)


def merge_small_faces(faces: np.ndarray, min_area: float) -> np.ndarray:
    """Merge each face under ``min_area`` into the neighbour it shares the longest edge with."""
    faces = list(faces)
    while True:
        areas = shapely.area(np.array(faces, dtype=object))
        small = [i for i in np.argsort(areas, kind="stable") if areas[i] < min_area]
        if not small:
            return np.array(faces, dtype=object)
        array = np.array(faces, dtype=object)
        tree = shapely.STRtree(array)
        index = int(small[0])
        candidates = np.array([c for c in tree.query(array[index], predicate="intersects") if c != index])
        shared = _shared_lengths(array, index, candidates)
        target = int(candidates[int(np.argmax(shared))])
        faces[target] = shapely.union(faces[target], faces[index], grid_size=GRID)
        del faces[index]


@dataclass(frozen=True)
class Adjacency:
    """Pairs of stands sharing an edge longer than 1 m, with the shared length."""

    first: np.ndarray
    second: np.ndarray
    length: np.ndarray

    def neighbours(self, n: int) -> list[list[tuple[int, float]]]:
        result: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        for a, b, length in zip(self.first, self.second, self.length):
            result[a].append((int(b), float(length)))
            result[b].append((int(a), float(length)))
        return result


def adjacency(faces: np.ndarray) -> Adjacency:
    tree = shapely.STRtree(faces)
    first, second = tree.query(faces, predicate="intersects")
    keep = first < second
    first, second = first[keep], second[keep]
    length = shapely.length(shapely.intersection(shapely.boundary(faces[first]),
                                                 shapely.boundary(faces[second])))
    keep = length > 1.0
    return Adjacency(first[keep], second[keep], length[keep])


def kmeans(rng: np.random.Generator, points: np.ndarray, weights: np.ndarray, k: int,
           iterations: int = 15) -> np.ndarray:
    """Weighted k-means labels (k-means++ start): compact clusters of similar total weight."""
    centres = [points[rng.choice(len(points), p=weights / weights.sum())]]
    for _ in range(1, k):
        d2 = np.min([((points - c) ** 2).sum(axis=1) for c in centres], axis=0) * weights
        centres.append(points[rng.choice(len(points), p=d2 / d2.sum())])
    centres = np.array(centres)
    labels = np.zeros(len(points), dtype=int)
    for _ in range(iterations):
        d2 = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        labels = np.argmin(d2, axis=1)
        for j in range(k):
            mine = labels == j
            if mine.any():
                centres[j] = np.average(points[mine], axis=0, weights=weights[mine])
    return labels


def make_contiguous(labels: np.ndarray, members: np.ndarray, neighbours: list[list[tuple[int, float]]],
                    rounds: int = 10) -> np.ndarray:
    """Reassign stands so that each label is one connected patch within ``members`` (stand indices).

    Every piece but the largest of a label moves to the label it shares the longest border with.
    """
    labels = labels.copy()
    position = {int(m): i for i, m in enumerate(members)}
    for _ in range(rounds):
        changed = False
        for label in np.unique(labels):
            pieces = _pieces([int(m) for m, lab in zip(members, labels) if lab == label], neighbours)
            for piece in sorted(pieces, key=len)[:-1]:
                new = _best_neighbour_label(piece, neighbours, labels, position, label)
                if new is not None:
                    for stand in piece:
                        labels[position[stand]] = new
                    changed = True
        if not changed:
            break
    return labels


def _pieces(stands: list[int], neighbours: list[list[tuple[int, float]]]) -> list[list[int]]:
    """The connected pieces of a set of stands."""
    remaining = set(stands)
    pieces = []
    while remaining:
        start = min(remaining)
        stack, piece = [start], []
        remaining.discard(start)
        while stack:
            s = stack.pop()
            piece.append(s)
            for other, _ in neighbours[s]:
                if other in remaining:
                    remaining.discard(other)
                    stack.append(other)
        pieces.append(sorted(piece))
    return pieces


def _best_neighbour_label(piece: list[int], neighbours: list[list[tuple[int, float]]], labels: np.ndarray,
                          position: dict[int, int], own_label: int) -> int | None:
    shared: dict[int, float] = {}
    piece_set = set(piece)
    for s in piece:
        for other, length in neighbours[s]:
            if other in piece_set or other not in position:
                continue
            label = int(labels[position[other]])
            if label != own_label:
                shared[label] = shared.get(label, 0.0) + length
    if not shared:
        return None
    return max(sorted(shared), key=lambda lab: shared[lab])


def warp(points: np.ndarray, fx: WaveField, fy: WaveField, amplitude: float) -> np.ndarray:
    """Displace points by a smooth vector field, so that nearest-centre boundaries wiggle."""
    return points + amplitude * np.column_stack([fx(points[:, 0], points[:, 1]),
                                                 fy(points[:, 0], points[:, 1])])
