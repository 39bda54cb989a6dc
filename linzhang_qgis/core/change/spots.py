"""From detected loss polygons to change-spot records (变化图斑): responsible area, number, repeats.

- Responsible area: of the responsibility areas a spot overlaps, the one of the deepest level (group
  before village before town before district) with the largest overlap; its code and chief go on the spot.
- Location (县/乡/村/林班/小班): from the forest stand the spot overlaps most, when the stands have them.
- Number (监测编号): the area code (or, without areas, the round id), a dash and a four-digit sequence
  that continues after the numbers already used with that prefix, so numbers stay unique in a workspace.
- Repeat: a spot that overlaps a spot already in the workspace by at least REPEAT_OVERLAP of its own
  area is a repeat of it (``repeat_of`` = that spot's number) and is not added again.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import numpy as np
import shapely

from .. import schema
from .detect import LossSpot

REPEAT_OVERLAP = 0.1


@dataclass(frozen=True)
class AreaRecord:
    code: str
    chief: str
    level: int  # 1 district .. 4 group; 0 when unknown
    geometry: object  # in the spots' CRS


@dataclass(frozen=True)
class StandRecord:
    """A forest stand (小班) and where it lies: county, town, village, compartment, sub-compartment."""

    location: dict  # LOCATION_FIELDS -> value
    geometry: object  # in the spots' CRS


LOCATION_FIELDS = ("county", "town", "village", "lin_ban", "xiao_ban")


@dataclass(frozen=True)
class ExistingSpot:
    spot_no: str
    round_id: str
    geometry: object  # in the spots' CRS


@dataclass
class SpotRecord:
    """One change spot with the fields of the workspace's change_spots layer."""

    geometry: object
    values: dict

    @property
    def repeat_of(self) -> Optional[str]:
        return self.values.get("repeat_of")


def default_round_id(after_date: Optional[dt.date], today: Optional[dt.date] = None) -> str:
    """The after date as YYYYMMDD (one round per image pair), else today's date."""
    return (after_date or today or dt.date.today()).strftime("%Y%m%d")


def responsible_areas(geometries: Sequence, areas: Sequence[AreaRecord]) -> list[Optional[AreaRecord]]:
    if not areas:
        return [None] * len(geometries)
    area_geometries = np.array([a.geometry for a in areas], dtype=object)
    tree = shapely.STRtree(area_geometries)
    result: list[Optional[AreaRecord]] = []
    for geometry in geometries:
        hits = tree.query(geometry, predicate="intersects")
        best, best_key = None, None
        for hit in hits.tolist():
            overlap = float(shapely.area(shapely.intersection(geometry, area_geometries[hit])))
            key = (areas[hit].level, overlap)
            if overlap > 0 and (best_key is None or key > best_key):
                best, best_key = areas[hit], key
        result.append(best)
    return result


def _most_overlapped(geometry, candidates: np.ndarray, tree) -> tuple[Optional[int], float]:
    """(index of the candidate ``geometry`` overlaps most, that overlap's area); (None, 0) when none."""
    best, best_overlap = None, 0.0
    for hit in tree.query(geometry, predicate="intersects").tolist():
        overlap = float(shapely.area(shapely.intersection(geometry, candidates[hit])))
        if overlap > best_overlap:
            best, best_overlap = hit, overlap
    return best, best_overlap


def stand_locations(geometries: Sequence, stands: Sequence[StandRecord]) -> list[dict]:
    """For each spot, the location fields of the stand it overlaps most (empty when none)."""
    if not stands:
        return [{} for _ in geometries]
    stand_geometries = np.array([stand.geometry for stand in stands], dtype=object)
    tree = shapely.STRtree(stand_geometries)
    found = (_most_overlapped(geometry, stand_geometries, tree)[0] for geometry in geometries)
    return [dict(stands[index].location) if index is not None else {} for index in found]


_SEQUENCE = re.compile(r"^(.*)-(\d+)$")


def next_numbers(prefixes: Sequence[str], used: Iterable[str]) -> list[str]:
    """A new number for each prefix, after the highest already used with that prefix."""
    highest: dict[str, int] = {}
    for number in used:
        match = _SEQUENCE.match(number or "")
        if match:
            highest[match.group(1)] = max(highest.get(match.group(1), 0), int(match.group(2)))
    numbers = []
    for prefix in prefixes:
        highest[prefix] = highest.get(prefix, 0) + 1
        numbers.append(f"{prefix}-{highest[prefix]:04d}")
    return numbers


def repeats_of(geometries: Sequence, existing: Sequence[ExistingSpot]) -> list[Optional[ExistingSpot]]:
    """For each new spot, the existing spot it overlaps most, when that is at least REPEAT_OVERLAP of
    the new spot's area."""
    if not existing:
        return [None] * len(geometries)
    old = np.array([spot.geometry for spot in existing], dtype=object)
    tree = shapely.STRtree(old)
    result: list[Optional[ExistingSpot]] = []
    for geometry in geometries:
        index, overlap = _most_overlapped(geometry, old, tree)
        enough = index is not None and overlap >= REPEAT_OVERLAP * float(shapely.area(geometry))
        result.append(existing[index] if enough else None)
    return result


def spot_records(spots: Sequence[LossSpot], before_date: Optional[dt.date], after_date: Optional[dt.date],
                 round_id: str, data_source: str, areas: Sequence[AreaRecord] = (),
                 existing: Sequence[ExistingSpot] = (), stands: Sequence[StandRecord] = ()) -> list[SpotRecord]:
    """The change-spot records of ``spots``, all in one CRS with ``areas``, ``existing`` and ``stands``."""
    geometries = [spot.geometry for spot in spots]
    owners = responsible_areas(geometries, areas)
    locations = stand_locations(geometries, stands)
    repeats = repeats_of(geometries, existing)
    prefixes = [owner.code if owner else round_id for owner in owners]
    numbers = next_numbers(prefixes, (spot.spot_no for spot in existing))
    records = []
    for spot, owner, repeat, number, location in zip(spots, owners, repeats, numbers, locations):
        values = dict.fromkeys(schema.CHANGE_SPOTS.field_names)
        values.update(location)
        values.update(
            spot_no=number, area_code=owner.code if owner else None, chief_name=owner.chief if owner else None,
            before_date=before_date, after_date=after_date, data_source=data_source[:64],
            area_m2=round(spot.area_m2, 1), area_mu=round(spot.area_mu, 2), mean_dindex=round(spot.mean_dindex, 4),
            max_dindex=round(spot.max_dindex, 4), confidence=spot.confidence,
            suspected_cause=spot.suspected_cause, round_id=round_id,
            repeat_of=repeat.spot_no if repeat else None, status="issued")
        records.append(SpotRecord(spot.geometry, values))
    return records
