"""A balanced, contiguity-preserving partition of a weighted cell graph into k zones.

The graph: nodes (cells) with a weight (forest m²) and a position (centroid); *shared* edges between
cells that share a boundary (with its length), and *link* edges that join separate forest patches.
A zone is **whole** when (1) it is connected through shared and link edges together, and (2) its cells in
each forest patch are connected through shared edges alone: a zone is one piece of forest, or one piece
per patch it reaches, joined by the links (an island is added whole or not split further).

Method:

1. **Recursive bisection.** A connected set of nodes that must hold k zones is split in two holding
   ⌊k/2⌋ and k - ⌊k/2⌋ zones, the first side taking that share of the weight. Each side is grown
   from the extreme node along a direction (the principal axis of the nodes, then x and y), always
   adding the frontier node that lies furthest back along it: every prefix of this *sweep order* is
   connected. The prefix is cut where, once the other side's smaller disconnected pieces (enclaves)
   are added to it, the first side holds its share of the weight most closely (binary search). Of the
   directions, the cut with the shortest shared boundary between the sides among the balanced ones wins.
   Both sides stay connected, so each level splits a connected set again.
2. **Repair.** A zone that is not whole keeps its heaviest piece and what the links join to it; the other
   pieces go to the lightest neighbouring zone they touch.
3. **Smoothing.** A cell that shares more boundary with a neighbouring zone than with its own joins that
   zone (the boundary between zones gets shorter: fewer teeth and thin arms) when both zones stay whole
   and within ``SMOOTHING_SLACK`` of the mean weight.
4. **Balance refinement.** While it helps, a boundary cell moves from a zone to a lighter neighbouring
   zone it shares a boundary with when the move lowers the heavier of the two and both zones stay whole;
   among the candidates, the cell that shares the most boundary with the receiving zone (relative to
   what it shares with its own) goes first, which also keeps zones compact. When no cell can move, a
   patch lying wholly in the zone may move to a lighter zone a link joins it to, on the same terms.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

BALANCED_SHARE = 0.02  # a bisection within this share of one zone's weight counts as balanced
MAX_ROUNDS = 60  # refinement rounds over all zones
SMOOTHING_SLACK = 0.04  # while smoothing, zones may stray this share from the mean weight
SMOOTHING_ROUNDS = 4
Report = Callable[[float], None]


@dataclass
class WeightedGraph:
    """What the partition needs of the cells: weights, positions, shared boundaries, links and patches."""

    weights: np.ndarray
    xy: np.ndarray
    shared: "object"  # csr matrix, symmetric, shared boundary length
    links: np.ndarray  # (m, 2) int
    patches: np.ndarray  # (n,) int
    joined: "object" = field(init=False)  # csr: shared or linked

    def __post_init__(self) -> None:
        from scipy import sparse

        n = len(self.weights)
        linked = sparse.coo_matrix((np.ones(2 * len(self.links)),
                                    (np.r_[self.links[:, 0], self.links[:, 1]],
                                     np.r_[self.links[:, 1], self.links[:, 0]])), shape=(n, n)).tocsr()
        self.joined = ((self.shared > 0).astype(np.int8) + (linked > 0).astype(np.int8)).tocsr()
        self.joined.data[:] = 1


class PartitionError(ValueError):
    """More zones than cells."""


def _components(matrix, nodes: np.ndarray) -> tuple[int, np.ndarray]:
    from scipy.sparse.csgraph import connected_components

    if len(nodes) == 0:
        return 0, np.zeros(0, dtype=np.int64)
    return connected_components(matrix[nodes][:, nodes], directed=False)


def _directions(xy: np.ndarray, weights: np.ndarray) -> list[np.ndarray]:
    """The principal axis of the weighted positions, then the x and y axes."""
    centred = xy - np.average(xy, axis=0, weights=weights)
    covariance = (centred * weights[:, None]).T @ centred
    _, vectors = np.linalg.eigh(covariance)
    major = vectors[:, -1]
    candidates = [major, np.array([1.0, 0.0]), np.array([0.0, 1.0])]
    unique: list[np.ndarray] = []
    for candidate in candidates:
        if all(abs(float(candidate @ other)) < 0.98 for other in unique):
            unique.append(candidate)
    return unique


def _sweep_order(indptr: list, indices: list, projection: np.ndarray) -> np.ndarray:
    """Nodes in the order of a growth from the lowest projection that always adds the lowest frontier node."""
    n = len(projection)
    seen = [False] * n
    values = projection.tolist()
    order: list[int] = []
    for start in np.argsort(projection).tolist():  # one start for a connected set
        if seen[start]:
            continue
        seen[start] = True
        heap = [(values[start], start)]
        while heap:
            _, node = heapq.heappop(heap)
            order.append(node)
            for other in indices[indptr[node]:indptr[node + 1]]:
                if not seen[other]:
                    seen[other] = True
                    heapq.heappush(heap, (values[other], other))
    return np.asarray(order, dtype=np.int64)


def _side_for_prefix(matrix, order: np.ndarray, weights: np.ndarray, count: int) -> np.ndarray:
    """The first side: the first ``count`` nodes of the sweep, plus the other side's pieces but its heaviest."""
    first = np.zeros(len(weights), dtype=bool)
    first[order[:count]] = True
    rest = np.flatnonzero(~first)
    n_parts, labels = _components(matrix, rest)
    if n_parts > 1:
        heaviest = np.argmax(np.bincount(labels, weights=weights[rest]))
        first[rest[labels != heaviest]] = True
    return first


def _cut_sweep(matrix, order: np.ndarray, weights: np.ndarray, target: float) -> np.ndarray:
    """The first side closest to ``target`` weight among the prefixes of the sweep (binary search)."""
    cumulative = np.cumsum(weights[order])
    high = int(min(np.searchsorted(cumulative, target) + 1, len(order) - 1))
    low = 1
    while low < high:
        middle = (low + high) // 2
        if weights[_side_for_prefix(matrix, order, weights, middle)].sum() >= target:
            high = middle
        else:
            low = middle + 1
    best, best_error = None, np.inf
    for count in range(max(1, low - 2), min(low + 2, len(order) - 1) + 1):
        side = _side_for_prefix(matrix, order, weights, count)
        error = abs(weights[side].sum() - target)
        if error < best_error and 0 < side.sum() < len(order):
            best, best_error = side, error
    if best is None:  # two nodes or so: split off the first one
        best = np.zeros(len(order), dtype=bool)
        best[order[0]] = True
    return best


def _bisect(graph: WeightedGraph, nodes: np.ndarray, share: float, zone_weight: float) -> np.ndarray:
    """Split the connected ``nodes``: a mask of the side that takes ``share`` of their weight."""
    joined = graph.joined[nodes][:, nodes]
    shared = graph.shared[nodes][:, nodes]
    weights = graph.weights[nodes]
    target = weights.sum() * share
    indptr, indices = joined.indptr.tolist(), joined.indices.tolist()
    best, best_key = None, None
    for direction in _directions(graph.xy[nodes], weights):
        order = _sweep_order(indptr, indices, graph.xy[nodes] @ direction)
        side = _cut_sweep(joined, order, weights, target)
        error = abs(weights[side].sum() - target) / max(zone_weight, 1e-12)
        cut = float(shared[side][:, ~side].sum())
        key = (max(error, BALANCED_SHARE), cut)
        if best_key is None or key < best_key:
            best, best_key = side, key
    return best


def recursive_bisection(graph: WeightedGraph, k: int, report: Optional[Report] = None) -> np.ndarray:
    """Labels 0..k-1: the nodes split into k connected parts of (nearly) equal weight."""
    n = len(graph.weights)
    if k > n:
        raise PartitionError(f"{k} zones for {n} cells")
    labels = np.zeros(n, dtype=np.int64)
    stack = [(np.arange(n), k, 0)]
    done = 0
    while stack:
        nodes, parts, first_label = stack.pop()
        if parts == 1 or len(nodes) <= 1:
            labels[nodes] = first_label
            done += 1
            if report is not None:
                report(done / k)
            continue
        low_parts = parts // 2
        if len(nodes) < parts:
            raise PartitionError(f"{parts} zones for {len(nodes)} cells")
        zone_weight = graph.weights[nodes].sum() / parts
        side = _bisect(graph, nodes, low_parts / parts, zone_weight)
        stack.append((nodes[side], low_parts, first_label))
        stack.append((nodes[~side], parts - low_parts, first_label + low_parts))
    return labels


# --- whole zones and refinement ----------------------------------------------------------------------

class _Zones:
    """The zone of every node, the nodes and weight of every zone, and the checks on them."""

    def __init__(self, graph: WeightedGraph, labels: np.ndarray, k: int) -> None:
        self.graph = graph
        self.labels = labels.copy()
        self.k = k
        self.members: list[set[int]] = [set() for _ in range(k)]
        for node, zone in enumerate(self.labels.tolist()):
            self.members[zone].add(node)
        self.weight = np.bincount(self.labels, weights=graph.weights, minlength=k)
        self.shared_indptr = graph.shared.indptr.tolist()
        self.shared_indices = graph.shared.indices.tolist()
        self.shared_data = graph.shared.data.tolist()
        self.patch_size = np.bincount(graph.patches).tolist()
        self.linked: dict[int, list[int]] = {}
        for a, b in graph.links.tolist():
            self.linked.setdefault(a, []).append(b)
            self.linked.setdefault(b, []).append(a)

    def neighbours(self, node: int) -> list[tuple[int, float]]:
        start, end = self.shared_indptr[node], self.shared_indptr[node + 1]
        return list(zip(self.shared_indices[start:end], self.shared_data[start:end]))

    def is_whole(self, nodes: np.ndarray) -> bool:
        if len(nodes) == 0:
            return False
        n_joined, _ = _components(self.graph.joined, nodes)
        if n_joined != 1:
            return False
        n_pieces, _ = _components(self.graph.shared, nodes)
        return n_pieces == len(np.unique(self.graph.patches[nodes]))

    def move(self, node: int, zone: int) -> None:
        old = int(self.labels[node])
        self.members[old].discard(node)
        self.members[zone].add(node)
        self.labels[node] = zone
        weight = self.graph.weights[node]
        self.weight[old] -= weight
        self.weight[zone] += weight

    def ratio(self) -> float:
        lightest = self.weight.min()
        return float(self.weight.max() / lightest) if lightest > 0 else np.inf


def _pieces(zones: _Zones, zone: int) -> list[np.ndarray]:
    """The pieces of a zone that are not part of it when it should be whole: all but its heaviest piece
    (shared edges) and the pieces of other patches the links join to it."""
    graph = zones.graph
    nodes = np.fromiter(zones.members[zone], dtype=np.int64)
    if zones.is_whole(nodes):
        return []
    _, piece = _components(graph.shared, nodes)
    n_pieces = int(piece.max()) + 1
    heaviest = int(np.argmax(np.bincount(piece, weights=graph.weights[nodes], minlength=n_pieces)))
    kept, patches_kept = {heaviest}, {int(graph.patches[nodes[piece == heaviest][0]])}
    position = {int(node): index for index, node in enumerate(nodes.tolist())}
    changed = True
    while changed:  # pieces of other patches reached through a link from what is kept
        changed = False
        for a, b in graph.links.tolist():
            for here, there in ((a, b), (b, a)):
                if here in position and there in position and piece[position[here]] in kept:
                    other = int(piece[position[there]])
                    patch = int(graph.patches[there])
                    if other not in kept and patch not in patches_kept:
                        kept.add(other)
                        patches_kept.add(patch)
                        changed = True
    return [nodes[piece == index] for index in range(n_pieces) if index not in kept]


def _adopter(zones: _Zones, piece: np.ndarray, zone: int) -> Optional[int]:
    """The lightest other zone the piece shares a boundary with, else one a link joins it to."""
    graph = zones.graph
    touching = {int(zones.labels[other]) for node in piece.tolist() for other, _ in zones.neighbours(node)}
    touching.discard(zone)
    if not touching:
        members = set(piece.tolist())
        for a, b in graph.links.tolist():
            if a in members and b not in members:
                touching.add(int(zones.labels[b]))
            elif b in members and a not in members:
                touching.add(int(zones.labels[a]))
        touching.discard(zone)
    if not touching:
        return None
    return min(touching, key=lambda other: zones.weight[other])


def repair(graph: WeightedGraph, labels: np.ndarray, k: int) -> np.ndarray:
    """Labels where every zone is whole, as far as moving stray pieces to neighbouring zones achieves it."""
    zones = _Zones(graph, labels, k)
    for _ in range(10):
        moved = False
        for zone in range(k):
            for piece in _pieces(zones, zone):
                adopter = _adopter(zones, piece, zone)
                if adopter is None:
                    continue
                for node in piece.tolist():
                    zones.move(node, adopter)
                moved = True
        if not moved:
            break
    return zones.labels


def _island_move(zones: _Zones, zone: int) -> Optional[tuple[list[int], int]]:
    """A patch wholly in ``zone`` to give to a lighter zone a link joins it to: (its cells, receiving zone)."""
    graph = zones.graph
    by_patch: dict[int, list[int]] = {}
    for node in zones.members[zone]:
        by_patch.setdefault(int(graph.patches[node]), []).append(node)
    candidates = []
    for patch, nodes in by_patch.items():
        if len(nodes) != zones.patch_size[patch] or len(by_patch) == 1:
            continue
        weight = graph.weights[nodes].sum()
        receivers = {int(zones.labels[other]) for node in nodes for other in zones.linked.get(node, ())}
        receivers.discard(zone)
        for receiver in receivers:
            gap = zones.weight[zone] - zones.weight[receiver]
            if weight < gap:
                candidates.append((abs(gap / 2 - weight), patch, receiver))
    candidates.sort()
    for _, patch, receiver in candidates[:20]:
        moving = set(by_patch[patch])
        rest = np.fromiter((member for member in zones.members[zone] if member not in moving), dtype=np.int64)
        if zones.is_whole(rest):
            return by_patch[patch], receiver
    return None


def _best_move(zones: _Zones, zone: int) -> Optional[tuple[list[int], int]]:
    """Cells of ``zone`` to give to a lighter neighbouring zone, (cells, receiving zone), or None: a boundary
    cell across a shared boundary, else a whole patch across a link."""
    weights = zones.graph.weights
    candidates = []
    for node in zones.members[zone]:
        towards: dict[int, float] = {}
        own = 0.0
        for other, length in zones.neighbours(node):
            other_zone = int(zones.labels[other])
            if other_zone == zone:
                own += length
            else:
                towards[other_zone] = towards.get(other_zone, 0.0) + length
        for receiver, length in towards.items():
            gap = zones.weight[zone] - zones.weight[receiver]
            if weights[node] < gap:  # the heavier of the two gets lighter
                candidates.append((own - length, -gap, node, receiver))
    candidates.sort()
    for _, _, node, receiver in candidates[:40]:
        rest = np.fromiter((member for member in zones.members[zone] if member != node), dtype=np.int64)
        if zones.is_whole(rest):
            return [node], receiver
    return _island_move(zones, zone)


def refine(graph: WeightedGraph, labels: np.ndarray, k: int, goal: float = 1.0,
           report: Optional[Report] = None) -> np.ndarray:
    """Labels after moving boundary cells from heavier to lighter neighbouring zones while it lowers the
    heavier zone of a pair and keeps both whole, heaviest zones first, until the max/min ratio of the zone
    weights reaches ``goal`` or no move helps."""
    zones = _Zones(graph, labels, k)
    for round_number in range(MAX_ROUNDS):
        if zones.ratio() <= goal:
            break
        moved = 0
        for zone in np.argsort(-zones.weight).tolist():
            if zones.weight[zone] <= zones.weight.min() * goal:
                break
            move = _best_move(zones, zone)
            if move is not None:
                nodes, receiver = move
                for node in nodes:
                    zones.move(node, receiver)
                moved += 1
        if report is not None:
            report((round_number + 1) / MAX_ROUNDS)
        if not moved:
            break
    return zones.labels


def _boundary_ties(zones: _Zones, node: int) -> tuple[float, dict[int, float]]:
    """The boundary a cell shares with its own zone, and with each other zone."""
    zone = int(zones.labels[node])
    own, towards = 0.0, {}
    for other, length in zones.neighbours(node):
        other_zone = int(zones.labels[other])
        if other_zone == zone:
            own += length
        else:
            towards[other_zone] = towards.get(other_zone, 0.0) + length
    return own, towards


def smooth(graph: WeightedGraph, labels: np.ndarray, k: int, slack: float = SMOOTHING_SLACK) -> np.ndarray:
    """Labels after moving cells that share more boundary with a neighbouring zone than with their own to
    that zone (each move shortens the boundary between zones), as long as both zones stay whole and within
    ``slack`` of the mean weight (or no further from it than they were)."""
    zones = _Zones(graph, labels, k)
    weights = graph.weights
    mean = weights.sum() / k
    for _ in range(SMOOTHING_ROUNDS):
        moved = 0
        for node in range(len(weights)):
            own, towards = _boundary_ties(zones, node)
            if not towards:
                continue
            receiver, length = max(towards.items(), key=lambda item: item[1])
            if length <= own:
                continue
            zone = int(zones.labels[node])
            low = min(mean * (1 - slack), zones.weight[zone])
            high = max(mean * (1 + slack), zones.weight[receiver])
            if zones.weight[zone] - weights[node] < low or zones.weight[receiver] + weights[node] > high:
                continue
            rest = np.fromiter((member for member in zones.members[zone] if member != node), dtype=np.int64)
            if zones.is_whole(rest):
                zones.move(node, receiver)
                moved += 1
        if not moved:
            break
    return zones.labels


def balanced_partition(graph: WeightedGraph, k: int, report: Optional[Report] = None) -> np.ndarray:
    """Labels 0..k-1 of k whole zones of balanced weight (bisection, repair, smoothing, refinement)."""
    labels = recursive_bisection(graph, k, None if report is None else (lambda f: report(0.5 * f)))
    labels = repair(graph, labels, k)
    if k > 1:
        labels = smooth(graph, labels, k)
    if report is not None:
        report(0.7)
    labels = refine(graph, labels, k, report=None if report is None else (lambda f: report(0.7 + 0.3 * f)))
    if report is not None:
        report(1.0)
    return labels
