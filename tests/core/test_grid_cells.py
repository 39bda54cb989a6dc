"""Forest cells of the management grid (core.grid.cells): exact tiling of the forest, adjacency only across a
shared stretch of boundary, squares whose forest falls apart, and links that join separate patches."""
from __future__ import annotations

import numpy as np
import pytest
import shapely
import shapely.affinity
from shapely.geometry import Polygon, box

from linzhang_qgis.core.grid.cells import build_cells, cut_by_grid, grid_origin


def adjacent(graph, a_point, b_point) -> bool:
    """Whether the cells containing the two points share a boundary."""
    a = int(np.flatnonzero(shapely.contains_xy(graph.geometries, *a_point))[0])
    b = int(np.flatnonzero(shapely.contains_xy(graph.geometries, *b_point))[0])
    return graph.shared[a, b] > 0


def test_two_stands_sharing_an_edge_tile_the_square_grid_exactly():
    stands = [box(0, 0, 55, 100), box(55, 0, 100, 100)]  # the stand edge at x = 55 is inside the squares
    graph = build_cells(np.array(stands, dtype=object), 20.0)
    assert graph.size == 25  # 5 × 5 squares; the stand edge splits no cell
    assert graph.weights.sum() == pytest.approx(10_000.0, rel=1e-12)
    assert shapely.union_all(graph.geometries).equals(box(0, 0, 100, 100))
    assert graph.n_patches == 1 and len(graph.links) == 0
    # each inner cell shares 20 m with its four neighbours: 2 × (4 × 5) edges of 20 m in total
    assert graph.shared.sum() / 2 == pytest.approx(40 * 20.0)
    assert adjacent(graph, (50, 50), (70, 50)) and not adjacent(graph, (10, 10), (30, 30))  # corner only


def test_overlapping_forest_polygons_count_once():
    graph = build_cells(np.array([box(0, 0, 60, 60), box(30, 30, 90, 90)], dtype=object), 25.0)
    expected = shapely.union_all([box(0, 0, 60, 60), box(30, 30, 90, 90)]).area
    assert graph.weights.sum() == pytest.approx(expected, rel=1e-12)
    pieces = graph.geometries
    first, second = np.triu_indices(len(pieces), 1)
    with np.errstate(invalid="ignore"):
        overlap = shapely.area(shapely.intersection(pieces[first], pieces[second])).sum()
    assert overlap == pytest.approx(0.0, abs=1e-9)


def test_a_square_whose_forest_falls_apart_gives_two_unconnected_cells():
    # one 100 m square holds two strips of forest 40 m apart: two cells, not adjacent, two patches
    forest = np.array([box(0, 0, 30, 100), box(70, 0, 100, 100)], dtype=object)
    graph = build_cells(forest, 100.0)
    assert graph.size == 2 and (graph.squares == graph.squares[0]).all()
    assert graph.shared.nnz == 0 and graph.n_patches == 2
    assert graph.links.tolist() == [[0, 1]] or graph.links.tolist() == [[1, 0]]


def test_touching_at_a_corner_is_not_adjacent_but_linked():
    forest = np.array([box(0, 0, 50, 50), box(50, 50, 100, 100)], dtype=object)
    graph = build_cells(forest, 25.0)
    assert graph.n_patches == 2 and len(graph.links) == 1
    a, b = graph.links[0]
    assert graph.patches[a] != graph.patches[b]
    assert shapely.distance(graph.geometries[a], graph.geometries[b]) == pytest.approx(0.0, abs=1e-9)


def joined_components(graph) -> int:
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    n = graph.size
    links = sparse.coo_matrix((np.ones(len(graph.links)), (graph.links[:, 0], graph.links[:, 1])), shape=(n, n))
    return connected_components(graph.shared + links + links.T, directed=False)[0]


def test_islands_are_joined_into_one_graph_by_links_between_their_nearest_cells():
    islands = [box(0, 0, 100, 100), box(300, 0, 400, 100), box(0, 500, 100, 600), box(1000, 1000, 1050, 1050)]
    graph = build_cells(np.array(islands, dtype=object), 25.0)
    assert graph.n_patches == 4 and len(graph.links) >= 3 and joined_components(graph) == 1
    ends = {tuple(sorted(graph.patches[pair].tolist())) for pair in graph.links}
    assert len(ends) == len(graph.links)  # one link per pair of patches
    gaps = sorted(shapely.distance(graph.geometries[a], graph.geometries[b]) for a, b in graph.links)
    assert gaps[0] == pytest.approx(200.0)  # the closest cells of the two nearest islands


def test_scattered_islands_form_a_mesh_but_a_wide_gap_is_crossed_once():
    rows, cols = np.meshgrid(np.arange(5), np.arange(5))
    cluster = [box(60 * c, 60 * r, 60 * c + 30, 60 * r + 30) for r, c in zip(rows.ravel(), cols.ravel())]
    far = [shapely.affinity.translate(square, 3000, 0) for square in cluster]
    graph = build_cells(np.array(cluster + far, dtype=object), 10.0)
    assert graph.n_patches == 50 and joined_components(graph) == 1
    assert len(graph.links) > 60  # a mesh: more than the 49 links of a tree
    crossing = [pair for pair in graph.links.tolist() if (graph.xy[pair, 0] > 1500).sum() == 1]
    assert len(crossing) == 1


def test_a_large_polygon_with_a_hole_is_cut_exactly_whatever_its_size():
    ring = Polygon(box(-1000, -1000, 2000, 1500).exterior.coords, [box(0, 0, 500, 500).exterior.coords])
    wobbly = shapely.segmentize(ring, 5.0)  # many vertices: it is halved before the squares cut it
    origin = grid_origin(wobbly.bounds, 30.0)
    pieces, squares = cut_by_grid(np.array([wobbly], dtype=object), 30.0, origin)
    assert shapely.area(pieces).sum() == pytest.approx(wobbly.area, rel=1e-9)
    assert len({tuple(s) for s in squares.tolist()}) == len(pieces)  # one piece per square: a ring of squares
    graph = build_cells(np.array([wobbly], dtype=object), 30.0)
    assert graph.n_patches == 1
    assert shapely.union_all(graph.geometries).symmetric_difference(wobbly).area < 1e-6


def test_the_grid_lines_up_on_multiples_of_the_cell_size():
    assert grid_origin((123.0, -57.0, 500.0, 500.0), 50.0) == (100.0, -100.0)
