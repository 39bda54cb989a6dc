"""What the management grid needs to know before it cuts anything: usable polygons and rangers per area.

- **Polygons** that are invalid (self-intersecting rings, bow-ties) are repaired with ``make_valid``
  and only their polygonal parts kept; each repair is reported as a note (Chinese, English).
- **Rangers per area** come from one of three sources, in this order of precedence: a ranger table
  (rows with ``ranger_id``, ``name``, ``area_code`` and optionally ``role``: only rangers count, not
  the supervisors; a blank role counts as a ranger), a number per area, or a target forest area per
  ranger (then each area with forest gets round(forest / target), at least one). Codes are compared
  as trimmed text, so 360799 and "360799" match.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

import numpy as np

from ..errors import InputDataError
from ..values import as_int, is_blank, normalise_code

Note = tuple[str, str]  # (Chinese, English)
RANGER_ROLES = ("ranger", "护林员")


@dataclass(frozen=True)
class Ranger:
    ranger_id: Optional[str]
    name: Optional[str]


def _text(value: Any) -> Optional[str]:
    return None if is_blank(value) or str(value).strip() == "" else str(value).strip()


def polygonal(geometry):
    """The polygonal parts of a geometry as one (Multi)Polygon; an empty Polygon when there are none."""
    import shapely

    if geometry is None:
        return shapely.Polygon()
    parts = shapely.get_parts(geometry)
    nested = np.isin(shapely.get_type_id(parts), (6, 7))
    if nested.any():
        parts = np.concatenate([parts[~nested], shapely.get_parts(parts[nested])])
    parts = parts[shapely.get_type_id(parts) == 3]
    if len(parts) == 0:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.multipolygons(parts)


def repair_polygons(geometries: Iterable, label_zh: str, label_en: str) -> tuple[np.ndarray, list[int], list[Note]]:
    """The geometries with invalid ones repaired (polygonal parts kept, missing ones empty); the positions
    of those that were repaired, and a note saying how many."""
    import shapely

    geoms = np.asarray(list(geometries), dtype=object)
    if not len(geoms):
        return geoms, [], []
    missing = shapely.is_missing(geoms)
    geoms[missing] = shapely.Polygon()
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    notes: list[Note] = []
    if len(invalid):
        for position, geometry in zip(invalid, shapely.make_valid(geoms[invalid])):
            geoms[position] = polygonal(geometry)
        notes.append((f"{label_zh}中 {len(invalid)} 个无效多边形已用 make_valid 修复。",
                      f"{len(invalid)} invalid polygon(s) of the {label_en} were repaired with make_valid."))
    not_polygonal = ~np.isin(shapely.get_type_id(geoms), (3, 6))
    geoms[not_polygonal] = shapely.Polygon()
    return geoms, [int(i) for i in invalid], notes


def rangers_from_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[Ranger]]:
    """The rangers of each area code from ranger-table rows, supervisors left out, sorted by ranger_id."""
    by_area: dict[str, list[Ranger]] = {}
    for row in rows:
        role = _text(row.get("role"))
        if role is not None and role.lower() not in RANGER_ROLES:
            continue
        code = normalise_code(row.get("area_code"))
        if not code:
            continue
        by_area.setdefault(code, []).append(Ranger(_text(normalise_code(row.get("ranger_id"))), _text(row.get("name"))))
    for rangers in by_area.values():
        rangers.sort(key=lambda ranger: (ranger.ranger_id is None, ranger.ranger_id or "", ranger.name or ""))
    return by_area


def rangers_from_counts(counts: Mapping[str, Any]) -> dict[str, list[Ranger]]:
    """As many unnamed rangers as the count of each area (blank, zero or negative counts: none)."""
    by_area: dict[str, list[Ranger]] = {}
    for code, value in counts.items():
        number = as_int(value)
        if number is None and not is_blank(value):
            try:
                number = int(round(float(value)))
            except (TypeError, ValueError):
                raise InputDataError(f"护林员人数“{value}”不是数字（责任区 {code}）。",
                                     f"The number of rangers '{value}' of area {code} is not a number.") from None
        if number and number > 0:
            by_area[normalise_code(code)] = [Ranger(None, None)] * number
    return by_area


def rangers_from_target(forest_m2: Mapping[str, float], target_ha: float) -> dict[str, list[Ranger]]:
    """round(forest / target) unnamed rangers for each area with forest, at least one."""
    if not target_ha or target_ha <= 0:
        raise InputDataError("每名护林员的目标林地面积必须大于 0。", "The target forest area per ranger must be above 0.")
    return {code: [Ranger(None, None)] * max(1, int(round(area / 10_000.0 / target_ha)))
            for code, area in forest_m2.items() if area > 0}


def no_ranger_count_error() -> InputDataError:
    return InputDataError("没有护林员人数：请给出护林员表、责任区的护林员人数字段，或每名护林员的目标林地面积。",
                          "There is no number of rangers: give a ranger table, a field of the areas with the number "
                          "of rangers, or a target forest area per ranger.")


def shown(codes: Iterable[str], limit: int = 5) -> str:
    """A few codes for a message: 'a, b, c' or 'a, b, c … (12)'."""
    codes = list(codes)
    text = ", ".join(codes[:limit])
    return text + (f" … ({len(codes)})" if len(codes) > limit else "")
