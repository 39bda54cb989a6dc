"""Patrol coverage and gridded effort (core.patrols.coverage): exact hand-made cases, then real GPX tracks
against an independent naive computation (buffer every track, union_all, intersection)."""
from __future__ import annotations

import datetime as dt
import glob
import logging
import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, Polygon, box

from linzhang_qgis.core.patrols.coverage import COVERAGE_COLUMNS, QUAD_SEGS, CoverageCanceled, area_coverage, effort_grid

GPX_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "gpx")
CRS = "EPSG:4547"
T0 = dt.datetime(2026, 3, 1, 8, 0)


def make_tracks(rows):
    """rows: (patrol_id, geometry, start or None, hours or None, on_foot)."""
    records = []
    for patrol_id, geometry, start, hours, on_foot in rows:
        end = start + dt.timedelta(hours=hours) if start is not None and hours is not None else None
        records.append({"patrol_id": patrol_id, "start_time": start, "end_time": end,
                        "dated": start is not None, "on_foot": on_foot, "geometry": geometry})
    frame = pd.DataFrame(records, columns=["patrol_id", "start_time", "end_time", "dated", "on_foot", "geometry"])
    frame["start_time"] = pd.to_datetime(frame["start_time"])
    frame["end_time"] = pd.to_datetime(frame["end_time"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)


def make_areas(polygons, codes=None):
    codes = codes or [f"A{i}" for i in range(len(polygons))]
    return gpd.GeoDataFrame({"code": codes, "name": codes}, geometry=list(polygons), crs=CRS)


SQUARE = box(0, 0, 1000, 1000)
ACROSS = LineString([(-200, 600), (1200, 600)])  # 1400 m, 1000 m inside SQUARE


def test_straight_track_across_a_square_covers_swath_times_length():
    tracks = make_tracks([("P1", ACROSS, T0, 1.4, True)])
    result = area_coverage(tracks, make_areas([SQUARE]), swath_m=100)
    row = result.iloc[0]
    assert row["covered_ha"] == pytest.approx(10.0, rel=1e-9)  # 100 m x 1000 m
    assert row["coverage_pct"] == pytest.approx(10.0, rel=1e-9)
    assert row["track_km"] == pytest.approx(1.0)
    assert row["patrols"] == 1 and row["patrol_days"] == 1
    assert row["hours"] == pytest.approx(1.4 * 1000 / 1400)  # proportional to the length inside
    assert row["last_patrol"] == dt.date(2026, 3, 1)
    assert list(result.columns) == list(COVERAGE_COLUMNS)


def test_overlapping_tracks_count_once():
    same = make_tracks([("P1", ACROSS, T0, 1.0, True), ("P2", ACROSS, T0 + dt.timedelta(days=1), 1.0, True)])
    row = area_coverage(same, make_areas([SQUARE]), swath_m=100).iloc[0]
    assert row["covered_ha"] == pytest.approx(10.0)
    assert row["track_km"] == pytest.approx(2.0) and row["patrols"] == 2 and row["patrol_days"] == 2
    shifted = shapely.affinity.translate(ACROSS, yoff=50)  # half overlapping strips: 150 m wide together
    half = make_tracks([("P1", ACROSS, T0, 1.0, True), ("P2", shifted, T0, 1.0, True)])
    row = area_coverage(half, make_areas([SQUARE]), swath_m=100).iloc[0]
    assert row["covered_ha"] == pytest.approx(15.0)
    assert row["patrol_days"] == 1  # the same day twice


def test_track_crossing_two_areas_counts_in_both():
    areas = make_areas([box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(0, 2000, 1000, 3000)])
    tracks = make_tracks([("P1", LineString([(-200, 500), (2200, 500)]), T0, 2.4, True)])
    result = area_coverage(tracks, areas, swath_m=100)
    assert result["covered_ha"].tolist() == pytest.approx([10.0, 10.0, 0.0])
    assert result["track_km"].tolist() == pytest.approx([1.0, 1.0, 0.0])
    assert result["patrols"].tolist() == [1, 1, 0]
    assert result["hours"].tolist() == pytest.approx([1.0, 1.0, 0.0])
    assert result["last_patrol"].iloc[2] is None


def test_index_follows_the_areas():
    areas = make_areas([SQUARE, box(5000, 0, 6000, 1000)]).set_index(pd.Index([10, 20]))
    result = area_coverage(make_tracks([("P1", ACROSS, T0, 1.0, True)]), areas)
    assert list(result.index) == [10, 20] and result.loc[20, "covered_ha"] == 0


def test_track_just_outside_covers_without_entering():
    outside = LineString([(100, -30), (900, -30)])  # 30 m south of the square, swath 100 m: 20 m strip inside
    row = area_coverage(make_tracks([("P1", outside, T0, 1.0, True)]), make_areas([SQUARE]), 100).iloc[0]
    assert row["covered_ha"] == pytest.approx(outside.buffer(50, quad_segs=QUAD_SEGS).intersection(SQUARE).area / 10000, rel=1e-9)
    assert 800 * 20 / 10000 < row["covered_ha"] < 900 * 20 / 10000  # a 20 m strip plus the two round ends
    assert row["track_km"] == 0 and row["patrols"] == 0 and row["hours"] == 0


def dated_and_undated():
    return make_tracks([
        ("MARCH", LineString([(-10, 100), (1010, 100)]), dt.datetime(2026, 3, 10, 9), 2.0, True),
        ("MAY", LineString([(-10, 500), (1010, 500)]), dt.datetime(2026, 5, 2, 9), 2.0, True),
        ("NOTIME", LineString([(-10, 900), (1010, 900)]), None, None, True),
        ("CAR", LineString([(500, -10), (500, 1010)]), dt.datetime(2026, 5, 20, 9), 0.5, False),
    ])


def test_date_filter_keeps_dated_tracks_in_range_only():
    areas = make_areas([SQUARE])
    everything = area_coverage(dated_and_undated(), areas, 100).iloc[0]
    assert everything["patrols"] == 4  # the undated track is a patrol for coverage ...
    assert everything["patrol_days"] == 3  # ... but no dated patrol
    assert everything["track_km"] == pytest.approx(4.0)
    assert everything["covered_ha"] == pytest.approx(40.0 - 3 * 1.0)  # 3 crossings of 100 m x 100 m
    assert everything["hours"] == pytest.approx(2 * 2.0 * 1000 / 1020 + 0.5 * 1000 / 1020)
    assert everything["last_patrol"] == dt.date(2026, 5, 20)
    april_on = area_coverage(dated_and_undated(), areas, 100, date_from=dt.date(2026, 4, 1)).iloc[0]
    assert april_on["patrols"] == 2 and april_on["patrol_days"] == 2
    assert april_on["covered_ha"] == pytest.approx(20.0 - 1.0)
    march = area_coverage(dated_and_undated(), areas, 100, date_to=dt.date(2026, 3, 10)).iloc[0]
    assert march["patrols"] == 1 and march["last_patrol"] == dt.date(2026, 3, 10)
    assert march["covered_ha"] == pytest.approx(10.0)
    none = area_coverage(dated_and_undated(), areas, 100, date_from=dt.date(2027, 1, 1)).iloc[0]
    assert none["covered_ha"] == 0 and none["patrols"] == 0 and none["last_patrol"] is None


def test_on_foot_filter_drops_vehicle_tracks():
    row = area_coverage(dated_and_undated(), make_areas([SQUARE]), 100, on_foot_only=True).iloc[0]
    assert row["patrols"] == 3 and row["covered_ha"] == pytest.approx(30.0)
    assert row["last_patrol"] == dt.date(2026, 5, 2)


def test_multilinestring_tracks():
    parts = MultiLineString([[(-10, 100), (1010, 100)], [(-10, 500), (1010, 500)]])
    row = area_coverage(make_tracks([("P1", parts, T0, 1.0, True)]), make_areas([SQUARE]), 100).iloc[0]
    assert row["covered_ha"] == pytest.approx(20.0) and row["patrols"] == 1 and row["track_km"] == pytest.approx(2.0)


def test_invalid_polygon_is_repaired_and_reported(caplog):
    bow_tie = Polygon([(0, 0), (1000, 1000), (1000, 0), (0, 1000), (0, 0)])  # two triangles of 25 ha
    assert not bow_tie.is_valid
    tracks = make_tracks([("P1", LineString([(-100, 500), (1100, 500)]), T0, 1.0, True)])
    with caplog.at_level(logging.WARNING):
        result = area_coverage(tracks, make_areas([bow_tie]), 100)
    assert result.attrs["repaired"] == [0] and "make_valid" in result.attrs["warnings"][0]
    assert any("repaired" in record.message for record in caplog.records)
    # the strip y 450..550 inside the two triangles: 2 x (area of a triangle tip between 450 and 550)
    expected = shapely.intersection(shapely.make_valid(bow_tie), box(-1, 450, 1001, 550)).area
    assert result.iloc[0]["covered_ha"] == pytest.approx(expected / 10000, rel=1e-6)
    assert result.iloc[0]["coverage_pct"] == pytest.approx(100 * expected / 500_000, rel=1e-6)


def test_empty_inputs_give_zeros():
    areas = make_areas([SQUARE, box(2000, 0, 3000, 1000)])
    no_tracks = make_tracks([])
    result = area_coverage(no_tracks, areas)
    assert len(result) == 2 and (result["covered_ha"] == 0).all() and (result["patrols"] == 0).all()
    assert len(area_coverage(make_tracks([("P1", ACROSS, T0, 1.0, True)]), make_areas([]))) == 0
    null_geometry = gpd.GeoDataFrame({"code": ["X"]}, geometry=[None], crs=CRS)
    assert area_coverage(make_tracks([("P1", ACROSS, T0, 1.0, True)]), null_geometry).iloc[0]["covered_ha"] == 0
    grid = effort_grid(no_tracks, areas, 250)
    assert len(grid) == 32 and not grid["visited"].any()
    assert len(effort_grid(no_tracks, make_areas([]), 250)) == 0


def test_grid_cells_visited_and_never_visited():
    tracks = make_tracks([("P1", ACROSS, T0, 1.0, True), ("P2", ACROSS, T0 + dt.timedelta(days=3), 1.0, True),
                          ("P3", LineString([(100, 100), (200, 100)]), None, None, True)])
    grid = effort_grid(tracks, make_areas([SQUARE], ["G1"]), 250)
    assert len(grid) == 16 and set(grid["area_code"]) == {"G1"}
    assert grid.geometry.area.sum() == pytest.approx(1e6)
    row_two = grid[grid["cell_id"].str.endswith("_2")]  # y = 600 lies in row 2 (500..750)
    assert len(row_two) == 4 and row_two["visited"].all()
    assert row_two["km"].tolist() == pytest.approx([0.5] * 4)  # 250 m twice
    assert row_two["patrols"].tolist() == [2] * 4 and row_two["patrol_days"].tolist() == [2] * 4
    corner = grid[grid["cell_id"] == "0_0"].iloc[0]
    assert corner["visited"] and corner["km"] == pytest.approx(0.1) and corner["patrol_days"] == 0
    never = grid[~grid["visited"]]
    assert len(never) == 11 and (never["km"] == 0).all() and (never["patrols"] == 0).all()


def test_grid_cells_are_clipped_to_each_area_and_keyed():
    areas = make_areas([box(0, 0, 300, 300), box(300, 0, 600, 300)], ["West", "East"])
    tracks = make_tracks([("P1", LineString([(-10, 100), (610, 100)]), T0, 1.0, True)])
    grid = effort_grid(tracks, areas, 250, date_from=dt.date(2026, 1, 1))
    # West: cells 0_0, 1_0, 0_1, 1_1 (clipped at 300); East: 1_0, 2_0, 1_1, 2_1 (clipped at 300 and 600)
    assert sorted(grid[grid["area_code"] == "West"]["cell_id"]) == ["0_0", "0_1", "1_0", "1_1"]
    assert sorted(grid[grid["area_code"] == "East"]["cell_id"]) == ["1_0", "1_1", "2_0", "2_1"]
    assert grid.geometry.area.sum() == pytest.approx(2 * 300 * 300)
    assert grid["km"].sum() == pytest.approx(0.6)
    east_split = grid[(grid["area_code"] == "East") & (grid["cell_id"] == "1_0")].iloc[0]
    assert east_split["km"] == pytest.approx(0.2)


def test_progress_reports_and_can_cancel():
    seen = []
    tracks = make_tracks([("P1", ACROSS, T0, 1.0, True)])
    area_coverage(tracks, make_areas([SQUARE]), progress=lambda pct: seen.append(pct))
    assert seen and seen[-1] == pytest.approx(100) and seen == sorted(seen)
    with pytest.raises(CoverageCanceled):
        area_coverage(tracks, make_areas([SQUARE]), progress=lambda pct: False)


# --- real GPX tracks against a naive computation --------------------------------------------------

def gpx_tracks():
    """The test GPX tracks (one line per segment), projected to UTM 33N with pyproj."""
    gpxpy = pytest.importorskip("gpxpy")
    from pyproj import Transformer

    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32633", always_xy=True)
    rows = []
    for path in sorted(glob.glob(os.path.join(GPX_DIR, "*.gpx"))):
        with open(path, encoding="utf-8") as handle:
            parsed = gpxpy.parse(handle)
        for track_number, track in enumerate(parsed.tracks):
            for number, segment in enumerate(track.segments):
                if len(segment.points) < 2:
                    continue
                lon = np.array([p.longitude for p in segment.points])
                lat = np.array([p.latitude for p in segment.points])
                x, y = to_utm.transform(lon, lat)
                times = [p.time for p in segment.points if p.time is not None]
                start = times[0].replace(tzinfo=None) if times else None
                end = times[-1].replace(tzinfo=None) if times else None
                rows.append({"patrol_id": f"{os.path.basename(path)}#{track_number}.{number}", "start_time": start,
                             "end_time": end, "dated": start is not None, "on_foot": "car" not in path,
                             "geometry": LineString(np.stack([x, y], axis=1))})
    frame = pd.DataFrame(rows)
    frame["start_time"] = pd.to_datetime(frame["start_time"])
    frame["end_time"] = pd.to_datetime(frame["end_time"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:32633")


def test_agrees_with_naive_union_on_real_gpx_tracks():
    tracks = gpx_tracks()
    assert len(tracks) >= 8
    by_file = tracks.groupby(tracks["patrol_id"].str.split("#").str[0])
    polygons = [shapely.union_all(group.geometry.values).convex_hull.buffer(150) for _, group in by_file]
    lake = tracks[tracks["patrol_id"].str.startswith("cerknicko")]
    xmin, ymin, xmax, ymax = lake.total_bounds
    xmid, ymid = (xmin + xmax) / 2 + 137, (ymin + ymax) / 2 - 91  # off-centre quadrants of the lake walk
    polygons += [box(xmin, ymin, xmid, ymid), box(xmid, ymin, xmax, ymid), box(xmin, ymid, xmid, ymax),
                 box(xmid, ymid, xmax, ymax), shapely.Point(xmid, ymid).buffer(min(xmax - xmin, ymax - ymin) / 3)]
    areas = make_areas(polygons)
    for swath in (30.0, 100.0):
        result = area_coverage(tracks, areas, swath_m=swath)
        covered = shapely.union_all(shapely.buffer(tracks.geometry.values, swath / 2))
        naive_m2 = np.array([covered.intersection(p).area for p in polygons])
        naive_km = np.array([tracks.geometry.intersection(p).length.sum() / 1000 for p in polygons])
        assert (naive_m2 > 0).sum() >= 6
        np.testing.assert_allclose(result["covered_ha"].to_numpy() * 10000, naive_m2, rtol=1e-3)
        np.testing.assert_allclose(result["track_km"].to_numpy(), naive_km, rtol=1e-3)
        assert ((result["patrols"] > 0) == (naive_km > 0)).all()
