"""Change spots linked to patrol effort: was the place of a spot patrolled between its two image dates?

A spot whose forest disappeared between the before and the after image while no dated patrol came near it in
that time was "missed by patrol" (巡林未发现: ``patrol_missed`` true) — the check the Forest Chief System's
inspection asks of the patrols; a spot that patrols did pass has ``patrol_missed`` false and its count of
patrols (whether they reported the change is for the inspector to find out). A patrol counts for a spot when its track is dated (a track without
valid times gives coverage, never a dated patrol), it started on a day from the spot's before date to its
after date (both included), and its line comes within the distance of the spot's polygon (distance 0:
the track touches or crosses the spot).
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import shapely

from ..values import as_date, is_blank


def _usable(geometry) -> bool:
    return geometry is not None and not is_blank(geometry) and not shapely.is_empty(geometry)


def missed_by_patrol(spots: Sequence[tuple], tracks: Sequence[tuple], distance: float) -> list[tuple[Optional[bool], int]]:
    """For each spot: (missed, patrols) where patrols = dated tracks that passed within ``distance`` (CRS units,
    metres) of the spot with start_time between the spot's before and after dates (inclusive); missed = patrols == 0;
    (None, 0) when a spot lacks a date or a geometry. Vectorised with shapely.STRtree.query(predicate='dwithin').

    ``spots``: (polygon, before date, after date); ``tracks``: (line, start time, dated). The start time's
    calendar day is compared with the dates, as stored (local time). Undated tracks (dated false or
    missing, or no start time) never count.
    """
    if distance is None or distance < 0 or distance != distance:
        raise ValueError(f"distance must be a number >= 0, not {distance!r}")
    n_spots = len(spots)
    result: list[tuple[Optional[bool], int]] = [(None, 0)] * n_spots
    spot_ok = np.zeros(n_spots, dtype=bool)
    spot_geoms = np.empty(n_spots, dtype=object)
    before = np.zeros(n_spots, dtype="datetime64[D]")
    after = np.zeros(n_spots, dtype="datetime64[D]")
    for i, (geometry, first, last) in enumerate(spots):
        first, last = as_date(first), as_date(last)
        if not _usable(geometry) or first is None or last is None:
            continue
        spot_ok[i] = True
        spot_geoms[i] = geometry
        before[i], after[i] = np.datetime64(first, "D"), np.datetime64(last, "D")

    track_geoms, track_days = [], []
    for geometry, start, dated in tracks:
        day = as_date(start)
        if is_blank(dated) or not bool(dated) or day is None or not _usable(geometry):
            continue
        track_geoms.append(geometry)
        track_days.append(np.datetime64(day, "D"))

    counts = np.zeros(n_spots, dtype=np.int64)
    usable = np.flatnonzero(spot_ok)
    if len(usable) and track_geoms:
        tree = shapely.STRtree(np.array(track_geoms, dtype=object))
        spot_index, track_index = tree.query(spot_geoms[usable], predicate="dwithin", distance=float(distance))
        spot_index = usable[spot_index]
        days = np.array(track_days, dtype="datetime64[D]")[track_index]
        in_window = (days >= before[spot_index]) & (days <= after[spot_index])
        counts = np.bincount(spot_index[in_window], minlength=n_spots)
    for i in usable.tolist():
        patrols = int(counts[i])
        result[i] = (patrols == 0, patrols)
    return result
