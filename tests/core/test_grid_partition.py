"""The balanced, contiguity-preserving partition (core.grid.partition) on plain graphs: grids of cells,
awkward shapes, islands, uneven weights; every zone connected (whole) and the weights balanced."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from linzhang_qgis.core.grid.partition import (
    PartitionError,
    WeightedGraph,
    balanced_partition,
    recursive_bisection,
    refine,
)


def grid_graph(mask: np.ndarray, weights=None, links=()) -> WeightedGraph:
    """Cells at the True places of ``mask`` (row, column), 4-neighbours sharing 1 m, patches found."""
    rows, cols = np.nonzero(mask)
    index = -np.ones(mask.shape, dtype=np.int64)
    index[rows, cols] = np.arange(len(rows))
    pairs = []
    for dr, dc in ((0, 1), (1, 0)):
        a = index[:mask.shape[0] - dr, :mask.shape[1] - dc]
        b = index[dr:, dc:]
        both = (a >= 0) & (b >= 0)
        pairs.append(np.stack([a[both], b[both]], axis=1))
    pairs = np.concatenate(pairs)
    n = len(rows)
    shared = sparse.coo_matrix((np.ones(2 * len(pairs)), (np.r_[pairs[:, 0], pairs[:, 1]],
                                                         np.r_[pairs[:, 1], pairs[:, 0]])), shape=(n, n)).tocsr()
    _, patches = connected_components(shared, directed=False)
    link_array = np.array([[index[a], index[b]] for a, b in links], dtype=np.int64).reshape(-1, 2)
    weights = np.ones(n) if weights is None else np.asarray(weights)[rows, cols]
    xy = np.stack([cols + 0.5, -(rows + 0.5)], axis=1).astype(float)
    return WeightedGraph(weights, xy, shared, link_array, patches)


def assert_whole(graph: WeightedGraph, labels: np.ndarray, k: int) -> None:
    assert sorted(set(labels.tolist())) == list(range(k))
    for zone in range(k):
        nodes = np.flatnonzero(labels == zone)
        assert connected_components(graph.joined[nodes][:, nodes], directed=False)[0] == 1
        pieces = connected_components(graph.shared[nodes][:, nodes], directed=False)[0]
        assert pieces == len(np.unique(graph.patches[nodes])), f"zone {zone} splits a patch"


def balance(graph: WeightedGraph, labels: np.ndarray, k: int) -> float:
    weights = np.bincount(labels, weights=graph.weights, minlength=k)
    return weights.max() / weights.min()


@pytest.mark.parametrize("k", [2, 3, 7, 16])
def test_a_rectangle_of_equal_cells_splits_into_equal_connected_zones(k):
    graph = grid_graph(np.ones((24, 40), dtype=bool))
    labels = balanced_partition(graph, k)
    assert_whole(graph, labels, k)
    assert balance(graph, labels, k) <= 1.03


def test_a_u_shape_keeps_every_zone_in_one_piece():
    mask = np.zeros((30, 30), dtype=bool)
    mask[:, :8] = mask[:, 22:] = mask[22:, :] = True  # a U: two arms and a base
    graph = grid_graph(mask)
    labels = balanced_partition(graph, 5)
    assert_whole(graph, labels, 5)
    assert balance(graph, labels, 5) <= 1.05


def test_uneven_weights_are_balanced_by_weight_not_by_count():
    rng = np.random.default_rng(3)
    weights = rng.uniform(0.2, 1.0, (30, 30))  # partial forest squares
    weights[:, 15:] *= 0.3  # a sparser half
    graph = grid_graph(np.ones((30, 30), dtype=bool), weights)
    labels = balanced_partition(graph, 6)
    assert_whole(graph, labels, 6)
    assert balance(graph, labels, 6) <= 1.05
    counts = np.bincount(labels, minlength=6)
    assert counts.max() > 1.5 * counts.min()  # zones in the sparse half hold more cells


def test_islands_join_zones_whole_through_their_links():
    mask = np.zeros((20, 40), dtype=bool)
    mask[:, :20] = True  # the main forest, 400 cells
    mask[2:8, 30:36] = True  # an island of 36 cells
    mask[12:15, 30:33] = True  # a small one of 9 cells
    graph = grid_graph(mask, links=[((4, 19), (4, 30)), ((7, 31), (12, 31))])
    labels = balanced_partition(graph, 4)
    assert_whole(graph, labels, 4)
    assert balance(graph, labels, 4) <= 1.1
    # each island lies in one zone (it is smaller than a zone)
    small = graph.patches != graph.patches[0]
    for patch in np.unique(graph.patches[small]):
        assert len(np.unique(labels[graph.patches == patch])) == 1


def test_refinement_only_moves_cells_that_keep_both_zones_whole():
    graph = grid_graph(np.ones((10, 10), dtype=bool))
    labels = np.where(np.arange(100) < 70, 0, 1)  # 70 / 30 along the rows
    refined = refine(graph, labels, 2)
    assert_whole(graph, refined, 2)
    assert balance(graph, refined, 2) <= 1.05
    assert balance(graph, labels, 2) > 2


def test_more_zones_than_cells_is_refused():
    graph = grid_graph(np.ones((2, 2), dtype=bool))
    with pytest.raises(PartitionError):
        recursive_bisection(graph, 5)


def test_progress_runs_from_zero_to_one():
    graph = grid_graph(np.ones((12, 12), dtype=bool))
    seen = []
    balanced_partition(graph, 4, seen.append)
    assert seen[-1] == 1.0 and all(0 <= value <= 1 for value in seen) and seen == sorted(seen)
