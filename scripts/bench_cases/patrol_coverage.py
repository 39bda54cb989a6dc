"""Patrol coverage per responsibility area: `linzhang:patrolcoverage` vs. the native chain a technician builds.

Synthetic walking tracks (correlated random walks, 1.4 m/s, a fix every 10 s, kept inside the district)
over a grid-like tiling of areas (squares of about 1 km² with jittered corners). This module is the
100,000-point case with a baseline; ``patrol_coverage_large`` reuses its generator for 2,000,000 points.
"""
from __future__ import annotations

import datetime as dt
import json
import os

NAME = "patrol_coverage"
DESCRIPTION = ("`linzhang:patrolcoverage` (swath 100 m): 100,000 GPS fixes in 100 walking tracks × 500 "
               "responsibility areas, GeoPackage inputs (EPSG:4547); coverage %, km, patrols, patrol-days, hours. "
               "The baseline run checks that both give the same coverage within 0.1 % of each area "
               "(the figures: agreement.json in the baseline run's folder, kept with --keep).")
BASELINE = ("`native:pointstopath` (fixes → one line per patrol, ordered by time) → `native:buffer` (50 m, "
            "8 segments, DISSOLVE) → `native:calculatevectoroverlaps` (areas × dissolved buffer): coverage % "
            "only, without km, patrols, days or hours, so the baseline does less than ours.")

SWATH_M = 100.0
AREA_SIZE_M = 1000.0
ORIGIN = (500000.0, 2800000.0)  # inside EPSG:4547's zone, near Ganzhou
START_DAY = dt.date(2026, 1, 1)


def make_areas(n_areas: int, seed: int = 7):
    """A tiling of about ``n_areas`` squares (1 km) with jittered shared corners: (GeoDataFrame, extent)."""
    import geopandas as gpd
    import numpy as np
    import shapely

    rng = np.random.default_rng(seed)
    ncols = int(np.ceil(np.sqrt(n_areas * 2)))  # 2:1 district
    nrows = int(np.ceil(n_areas / ncols))
    corners = np.stack(np.meshgrid(np.arange(ncols + 1), np.arange(nrows + 1)), axis=-1).astype(float) * AREA_SIZE_M
    jitter = rng.uniform(-0.2, 0.2, corners.shape) * AREA_SIZE_M
    jitter[0, :, 1] = jitter[-1, :, 1] = 0
    jitter[:, 0, 0] = jitter[:, -1, 0] = 0
    corners += jitter + np.array(ORIGIN)
    rings, codes = [], []
    for r in range(nrows):
        for c in range(ncols):
            if len(rings) == n_areas:
                break
            rings.append([corners[r, c], corners[r, c + 1], corners[r + 1, c + 1], corners[r + 1, c], corners[r, c]])
            codes.append(f"A{r:03d}{c:03d}")
    polygons = shapely.polygons(np.array(rings))
    frame = gpd.GeoDataFrame({"code": codes, "name": [f"责任区{i}" for i in range(len(codes))]},
                             geometry=polygons, crs="EPSG:4547")
    return frame, tuple(frame.total_bounds)


def walks(n_points: int, n_tracks: int, extent, seed: int = 11):
    """Walking tracks: (point arrays per track, start times). Correlated random walk, reflected at the extent."""
    import numpy as np

    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = extent
    per_track = n_points // n_tracks
    tracks, starts = [], []
    for index in range(n_tracks):
        heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.35, per_track))
        step = rng.normal(14.0, 3.0, per_track).clip(2, 30)  # 1.4 m/s, a fix every 10 s
        x = rng.uniform(xmin, xmax) + np.cumsum(step * np.cos(heading))
        y = rng.uniform(ymin, ymax) + np.cumsum(step * np.sin(heading))
        x = _reflect(x, xmin, xmax)
        y = _reflect(y, ymin, ymax)
        tracks.append(np.stack([x, y], axis=1))
        day = START_DAY + dt.timedelta(days=int(rng.integers(0, 365)))
        starts.append(dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=int(rng.integers(0, 180))))
    return tracks, starts


def _reflect(values, low, high):
    import numpy as np

    span = high - low
    folded = np.mod(values - low, 2 * span)
    return low + np.where(folded > span, 2 * span - folded, folded)


def write_inputs(workdir: str, n_points: int, n_tracks: int, n_areas: int, points: bool) -> dict:
    """Areas and track lines (and, when asked, the fixes as points) in GeoPackages under ``workdir``."""
    import geopandas as gpd
    import numpy as np
    import shapely

    areas, extent = make_areas(n_areas)
    xy, starts = walks(n_points, n_tracks, extent)
    ends = [start + dt.timedelta(seconds=10 * (len(track) - 1)) for start, track in zip(starts, xy)]
    ids = [f"P{i:05d}" for i in range(n_tracks)]
    lines = gpd.GeoDataFrame({"patrol_id": ids, "start_time": starts, "end_time": ends,
                              "dated": [True] * n_tracks, "on_foot": [True] * n_tracks},
                             geometry=[shapely.LineString(t) for t in xy],
                             crs="EPSG:4547")
    paths = {"areas": os.path.join(workdir, "areas.gpkg"), "tracks": os.path.join(workdir, "tracks.gpkg")}
    areas.to_file(paths["areas"], layer="areas", driver="GPKG")
    lines.to_file(paths["tracks"], layer="tracks", driver="GPKG")
    if points:
        all_xy = np.concatenate(xy)
        owner = np.repeat(np.arange(n_tracks), [len(t) for t in xy])
        offset = np.concatenate([np.arange(len(t)) for t in xy])
        times = [starts[o] + dt.timedelta(seconds=10 * int(k)) for o, k in zip(owner, offset)]
        fixes = gpd.GeoDataFrame({"patrol_id": np.array(ids)[owner], "time": times},
                                 geometry=shapely.points(all_xy), crs="EPSG:4547")
        paths["points"] = os.path.join(workdir, "fixes.gpkg")
        fixes.to_file(paths["points"], layer="fixes", driver="GPKG")
    return paths


def run_ours(workdir: str, prepared: dict, grid: float = 0.0) -> dict:
    import processing

    params = {"TRACKS": prepared["tracks"], "AREAS": prepared["areas"], "SWATH_WIDTH": SWATH_M,
              "OUTPUT": os.path.join(workdir, "coverage.gpkg")}
    if grid:
        params["GRID_SIZE"] = grid
        params["GRID"] = os.path.join(workdir, "grid.gpkg")
    return processing.run("linzhang:patrolcoverage", params)


def prepare(workdir: str) -> dict:
    paths = write_inputs(workdir, 100_000, 100, 500, points=True)
    # the reference for the agreement check: the pure core on the same lines (what ours computes)
    import geopandas as gpd
    from linzhang_qgis.core.patrols.coverage import area_coverage

    areas = gpd.read_file(paths["areas"])
    reference = area_coverage(gpd.read_file(paths["tracks"]), areas, SWATH_M)
    paths["reference"] = os.path.join(workdir, "reference.json")
    with open(paths["reference"], "w", encoding="utf-8") as handle:
        json.dump({code: pct for code, pct in zip(areas["code"], reference["coverage_pct"])}, handle)
    return paths


def ours(workdir: str, prepared: dict) -> None:
    run_ours(workdir, prepared)


def baseline(workdir: str, prepared: dict) -> None:
    import processing
    from qgis.core import QgsVectorLayer

    path = processing.run("native:pointstopath", {
        "INPUT": prepared["points"], "ORDER_EXPRESSION": '"time"', "GROUP_EXPRESSION": '"patrol_id"',
        "CLOSE_PATH": False, "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"]
    buffered = processing.run("native:buffer", {
        "INPUT": path, "DISTANCE": SWATH_M / 2, "SEGMENTS": 8, "END_CAP_STYLE": 0, "JOIN_STYLE": 0,
        "MITER_LIMIT": 2, "DISSOLVE": True, "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"]
    overlaps = processing.run("native:calculatevectoroverlaps", {
        "INPUT": prepared["areas"], "LAYERS": [buffered], "OUTPUT": os.path.join(workdir, "overlaps.gpkg")})["OUTPUT"]
    check_agreement(QgsVectorLayer(overlaps, "overlaps", "ogr"), prepared["reference"], workdir)


def check_agreement(layer, reference_path: str, workdir: str) -> None:
    """Assert the native chain's coverage % equals ours within 0.1 %; print the figures, save agreement.json."""
    with open(reference_path, encoding="utf-8") as handle:
        reference = json.load(handle)
    pc_field = next(name for name in layer.fields().names() if name.endswith("_pc"))
    worst, total_ours, total_native = 0.0, 0.0, 0.0
    for feature in layer.getFeatures():
        native_pct = float(feature[pc_field] or 0.0)
        ours_pct = reference[feature["code"]]
        worst = max(worst, abs(native_pct - ours_pct))
        total_ours += ours_pct
        total_native += native_pct
    relative = abs(total_native - total_ours) / max(total_ours, 1e-9) * 100
    print(f"agreement: largest difference {worst:.4f} percentage points of an area; "
          f"total covered differs by {relative:.4f} %")
    with open(os.path.join(workdir, "agreement.json"), "w", encoding="utf-8") as handle:
        json.dump({"largest_difference_points": worst, "total_relative_percent": relative}, handle)
    assert worst <= 0.1 and relative <= 0.1, f"coverage differs by {worst:.4f} points, {relative:.4f} % in total"
