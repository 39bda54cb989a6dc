"""missed_by_patrol: the dated tracks near a spot between its two image dates, on synthetic spots and tracks
with known distances and dates, and on the demo district's tracks against a direct computation."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely

from linzhang_qgis.core.inspection.patrol_link import missed_by_patrol

BEFORE, AFTER = dt.date(2025, 10, 20), dt.date(2026, 10, 18)
SPOT = shapely.box(0, 0, 100, 100)  # a 1 ha spot
MID = dt.datetime(2026, 3, 1, 8, 0)


def line_at(y: float, x0: float = -50.0, x1: float = 150.0):
    """A horizontal track at height ``y``: ``y - 100`` metres north of the spot."""
    return shapely.LineString([(x0, y), (x1, y)])


def test_distance_boundary_is_inclusive():
    tracks = [(line_at(300.0), MID, True)]  # exactly 200 m north
    assert missed_by_patrol([(SPOT, BEFORE, AFTER)], tracks, 200.0) == [(False, 1)]
    assert missed_by_patrol([(SPOT, BEFORE, AFTER)], [(line_at(300.5), MID, True)], 200.0) == [(True, 0)]
    assert missed_by_patrol([(SPOT, BEFORE, AFTER)], tracks, 199.9) == [(True, 0)]
    # distance 0: the track must touch or cross the spot
    crossing = [(line_at(50.0), MID, True), (line_at(100.0), MID, True), (line_at(100.01), MID, True)]
    assert missed_by_patrol([(SPOT, BEFORE, AFTER)], crossing, 0.0) == [(False, 2)]


def test_only_tracks_started_between_the_dates_count_both_days_included():
    tracks = [
        (line_at(150.0), dt.datetime(2025, 10, 20, 6, 0), True),    # the before day: counts
        (line_at(150.0), dt.datetime(2026, 10, 18, 23, 59), True),  # the after day: counts
        (line_at(150.0), dt.datetime(2025, 10, 19, 23, 59), True),  # the day before: no
        (line_at(150.0), dt.datetime(2026, 10, 19, 0, 0), True),    # the day after: no
        (line_at(150.0), MID, True),                                 # in between: counts
    ]
    assert missed_by_patrol([(SPOT, BEFORE, AFTER)], tracks, 200.0) == [(False, 3)]


def test_undated_tracks_never_count():
    tracks = [(line_at(50.0), MID, False),      # crosses the spot, but its time is not trusted
              (line_at(50.0), None, True),      # no start time
              (line_at(50.0), MID, None),       # dated unknown
              (line_at(50.0), MID, np.nan)]
    assert missed_by_patrol([(SPOT, BEFORE, AFTER)], tracks, 200.0) == [(True, 0)]


def test_spots_without_dates_or_geometry_are_not_checked():
    tracks = [(line_at(50.0), MID, True)]
    spots = [(SPOT, None, AFTER), (SPOT, BEFORE, None), (None, BEFORE, AFTER), (shapely.Polygon(), BEFORE, AFTER),
             (SPOT, BEFORE, AFTER)]
    assert missed_by_patrol(spots, tracks, 200.0) == [(None, 0), (None, 0), (None, 0), (None, 0), (False, 1)]


def test_several_spots_and_tracks_and_value_forms():
    import pandas as pd

    far = shapely.box(5000, 0, 5100, 100)
    spots = [(SPOT, "2025-10-20", pd.Timestamp("2026-10-18")), (far, BEFORE, AFTER),
             (shapely.box(0, 400, 100, 500), dt.datetime(2026, 1, 1), dt.date(2026, 12, 31))]
    tracks = [(line_at(300.0), pd.Timestamp("2026-03-01 08:00"), 1),   # 200 m from SPOT, 100 m from the third
              (line_at(700.0), dt.datetime(2026, 2, 1), True),          # 200 m from the third only
              (shapely.MultiLineString([[(0, -150), (100, -150)], [(9000, 0), (9100, 0)]]), MID, True),
              (line_at(300.0), pd.NaT, True)]
    assert missed_by_patrol(spots, tracks, 200.0) == [(False, 2), (True, 0), (False, 2)]
    assert missed_by_patrol(spots, [], 200.0) == [(True, 0), (True, 0), (True, 0)]
    assert missed_by_patrol([], tracks, 200.0) == []
    with pytest.raises(ValueError):
        missed_by_patrol(spots, tracks, -1.0)


def test_demo_district_tracks_against_a_direct_computation(tmp_path):
    """The demo's year of true patrol lines and its planted clearings (as spots): the vectorised result
    equals a plain loop of shapely.distance over every pair."""
    import geopandas as gpd

    from linzhang_qgis.core.demo import generate_demo

    demo = generate_demo(str(tmp_path / "demo"))
    clearings = gpd.read_file(demo.gpkg_path, layer="demo_truth_clearings")
    truth = gpd.read_file(demo.gpkg_path, layer="demo_truth_patrols")
    assert len(clearings) >= 10 and len(truth) >= 100
    starts = [None if pd_missing(value) else value.to_pydatetime().replace(tzinfo=None)
              for value in truth["start_time"]]
    dated = [bool(c) for c in truth["counts"]] if "counts" in truth.columns else [True] * len(truth)
    spots = [(geometry, BEFORE, AFTER) for geometry in clearings.geometry.values]
    tracks = list(zip(truth.geometry.values, starts, dated))
    for distance in (0.0, 200.0, 1000.0):
        result = missed_by_patrol(spots, tracks, distance)
        expected = []
        for geometry, first, last in spots:
            patrols = sum(1 for line, start, ok in tracks
                          if ok and start is not None and first <= start.date() <= last
                          and shapely.distance(geometry, line) <= distance)
            expected.append((patrols == 0, patrols))
        assert result == expected, distance
    # the demo has both: clearings a patrol crossed in their time and clearings no patrol touched
    touched = missed_by_patrol(spots, tracks, 0.0)
    assert any(flag for flag, _ in touched) and not all(flag for flag, _ in touched)
    # and a wider distance never finds fewer patrols
    wide = missed_by_patrol(spots, tracks, 200.0)
    assert all(w >= t for (_, w), (_, t) in zip(wide, touched))
    assert sum(w for _, w in wide) > sum(t for _, t in touched)


def pd_missing(value) -> bool:
    return value is None or value != value
