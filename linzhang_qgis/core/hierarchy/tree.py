"""The four-level tree of responsibility areas (区 → 镇 → 村 → 组), read from plain rows.

Codes are compared as trimmed text (``values.normalise_code``), so 360799001 stored as a number in one
layer and as text in another still match. Pure Python: no Qt, no QGIS.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Optional

from .. import schema
from ..values import as_float, as_int, as_text, normalise_code

# A change spot still needs work unless it is closed (销号) or was found to be a false detection.
CLOSED_STATUSES = ("closed",)


@dataclass
class AreaNode:
    code: str
    name: str
    level: Optional[int]
    parent_code: str
    chief_name: str = ""
    chief_title: str = ""
    chief_phone: str = ""
    supervisor: str = ""
    area_ha: Optional[float] = None
    fid: Optional[int] = None
    children: list[str] = field(default_factory=list)

    @property
    def level_zh(self) -> str:
        return schema.AREA_LEVELS[self.level][0] if self.level in schema.AREA_LEVELS else ""


@dataclass
class Hierarchy:
    """Areas by code; ``roots`` are areas without a parent in the tree (their own parent code is blank, or
    points nowhere: those are also in ``orphans``); ``duplicates`` are codes met more than once (the first
    row is kept)."""

    nodes: dict[str, AreaNode]
    roots: list[str]
    orphans: list[str]
    duplicates: list[str]

    def __contains__(self, code: Any) -> bool:
        return normalise_code(code) in self.nodes

    def __len__(self) -> int:
        return len(self.nodes)

    def node(self, code: Any) -> AreaNode:
        return self.nodes[normalise_code(code)]

    def children(self, code: Any) -> list[AreaNode]:
        return [self.nodes[child] for child in self.nodes[normalise_code(code)].children]

    def ancestors(self, code: Any) -> list[str]:
        """The codes above ``code``, nearest first (stops at a cycle)."""
        found: list[str] = []
        current = self.nodes.get(normalise_code(code))
        while current is not None and current.parent_code in self.nodes and current.parent_code not in found:
            found.append(current.parent_code)
            current = self.nodes[current.parent_code]
        return found

    def descendants(self, code: Any) -> list[str]:
        """Every code below ``code``, parents before their children."""
        found: list[str] = []
        seen = {normalise_code(code)}
        stack = list(reversed(self.nodes[normalise_code(code)].children))
        while stack:
            child = stack.pop()
            if child in seen:
                continue
            seen.add(child)
            found.append(child)
            stack.extend(reversed(self.nodes[child].children))
        return found

    def walk(self) -> Iterator[AreaNode]:
        """All nodes reachable from the roots, depth first, parents before children."""
        for root in self.roots:
            yield self.nodes[root]
            for code in self.descendants(root):
                yield self.nodes[code]

    def at_level(self, code: Any, level: int) -> Optional[str]:
        """The area of ``level`` that is ``code`` or one of its ancestors (e.g. the town, level 2, of a group)."""
        code = normalise_code(code)
        for candidate in [code] + self.ancestors(code):
            node = self.nodes.get(candidate)
            if node is not None and node.level == level:
                return candidate
        return None

    def roll_up(self, own: Mapping[str, float]) -> dict[str, float]:
        """For every area: its own value plus those of all its descendants (codes not in the tree are ignored)."""
        totals: dict[str, float] = {}
        for code in self.nodes:
            total = float(own.get(code, 0.0))
            for child in self.descendants(code):
                total += float(own.get(child, 0.0))
            totals[code] = total
        return totals


def build_hierarchy(rows: Iterable[Mapping[str, Any]]) -> Hierarchy:
    """The tree from rows with ``code``, ``name``, ``level``, ``parent_code`` and optionally the chief fields,
    ``area_ha`` and ``fid``. Children are sorted by code."""
    nodes: dict[str, AreaNode] = {}
    duplicates: list[str] = []
    for row in rows:
        code = normalise_code(row.get("code"))
        if not code:
            continue
        if code in nodes:
            if code not in duplicates:
                duplicates.append(code)
            continue
        nodes[code] = AreaNode(
            code=code, name=as_text(row.get("name")), level=as_int(row.get("level")),
            parent_code=normalise_code(row.get("parent_code")), chief_name=as_text(row.get("chief_name")),
            chief_title=as_text(row.get("chief_title")), chief_phone=as_text(row.get("chief_phone")),
            supervisor=as_text(row.get("supervisor")), area_ha=as_float(row.get("area_ha")),
            fid=as_int(row.get("fid")))
    roots: list[str] = []
    orphans: list[str] = []
    for code, node in nodes.items():
        if node.parent_code and node.parent_code in nodes and node.parent_code != code:
            nodes[node.parent_code].children.append(code)
        else:
            roots.append(code)
            if node.parent_code:
                orphans.append(code)
    for node in nodes.values():
        node.children.sort()
    roots.sort(key=lambda c: (nodes[c].level or 99, c))
    return Hierarchy(nodes, roots, orphans, duplicates)


def forest_ha_by_area(stands: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Hectares of forest land (the forest land classes of the schema) per stand ``area_code``; a stand
    without a land class counts as forest. Uses ``area_ha`` (or ``area_m2`` / 10,000)."""
    totals: dict[str, float] = {}
    for stand in stands:
        land_class = as_text(stand.get("land_class"))
        if land_class and land_class not in schema.FOREST_LAND_CLASSES:
            continue
        hectares = as_float(stand.get("area_ha"))
        if hectares is None:
            square_metres = as_float(stand.get("area_m2"))
            hectares = square_metres / 10_000.0 if square_metres is not None else 0.0
        code = normalise_code(stand.get("area_code"))
        totals[code] = totals.get(code, 0.0) + hectares
    return totals


def is_open_spot(spot: Mapping[str, Any]) -> bool:
    """A change spot that still needs work: not closed, and not found to be a false detection."""
    return as_text(spot.get("status")) not in CLOSED_STATUSES and as_text(spot.get("determination")) != "false"


def open_spots_by_area(spots: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many open change spots (``is_open_spot``) each ``area_code`` has."""
    counts: dict[str, int] = {}
    for spot in spots:
        if is_open_spot(spot):
            code = normalise_code(spot.get("area_code"))
            counts[code] = counts.get(code, 0) + 1
    return counts
