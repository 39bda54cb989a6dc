"""Patrol coverage and effort per area and per grid cell (SMART's "area covered" and gridded effort).

Pure: numpy, pandas, shapely 2 and geopandas; no Qt, no QGIS. Both inputs must be in the same
projected CRS in metres (the Processing glue reprojects).

Definitions (the same in both functions):

- **Tracks** are the rows of ``tracks`` with a non-empty LineString/MultiLineString geometry and the
  columns ``patrol_id``, ``start_time``, ``end_time``, ``dated``, ``on_foot``. A track is *dated* when
  ``dated`` is true and ``start_time`` is set; its *day* is the calendar date of ``start_time``.
  Missing columns take neutral defaults: ``patrol_id`` the row number, times NaT, ``dated`` "start_time is
  set", ``on_foot`` true.
- **Date filter**: with ``date_from`` and/or ``date_to`` (inclusive), only dated tracks whose day lies in
  the range count; undated tracks then count for nothing. Without a date filter undated tracks count for
  coverage and length (``covered_ha``, ``track_km``, ``patrols``, grid ``km``) but never for the dated
  figures (``patrol_days``, ``hours``, ``last_patrol``): a track without times is no dated patrol.
- **On foot only**: only tracks whose ``on_foot`` is true count (unknown counts as not on foot).
- **Covered area** (SMART): each track buffered by half the swath width (round ends and joins,
  ``QUAD_SEGS`` = 8 segments per quarter circle), the buffers unioned (overlaps count once) and clipped to the area; ``coverage_pct`` = covered area / area of the polygon x 100. A track
  crossing two areas counts in both; a track passing within half a swath of an area covers part of it
  without entering it.
- **Effort** inside an area or a cell: ``track_km`` (``km``) = length of the tracks inside; ``patrols`` =
  distinct ``patrol_id`` with some length inside; ``patrol_days`` = distinct days of the dated ones;
  ``hours`` = for each dated track with valid start and end times, its duration times the share of its
  length lying inside (time is assumed proportional to distance along the track); ``last_patrol`` = the
  latest day of a dated track with length inside.

Invalid area polygons are repaired with ``shapely.make_valid`` (polygonal parts kept) and reported: a
logging warning, plus ``result.attrs["warnings"]`` (English sentences) and ``result.attrs["repaired"]``
(row positions) on the returned frame. Empty inputs give zeros, never an error.
"""
from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

log = logging.getLogger(__name__)

COVERAGE_COLUMNS = ("covered_ha", "coverage_pct", "track_km", "patrols", "patrol_days", "hours", "last_patrol")
GRID_COLUMNS = ("cell_id", "area_code", "km", "patrols", "patrol_days", "visited")
EPOCH = datetime.date(1970, 1, 1)
_SEGMENT_CHUNK = 250_000  # segments per batch in effort_grid: bounds memory on very large inputs
QUAD_SEGS = 8  # segments per quarter circle of the round buffer ends and joins (GEOS's default)
_PAIR_CHUNK = 2_000  # (track, area) pairs or tracks per vectorised batch between progress reports

Progress = Callable[[float], Optional[bool]]
"""Called with a percentage (0-100); returning False stops the computation with :class:`CoverageCanceled`."""


class CoverageCanceled(Exception):
    """The progress callback asked to stop."""


def _reporter(progress: Optional[Progress], start: float, end: float) -> Callable[[float], None]:
    def report(fraction: float) -> None:
        if progress is not None and progress(start + (end - start) * fraction) is False:
            raise CoverageCanceled("canceled")
    return report


def _chunked(function: Callable[[slice], np.ndarray], count: int, report: Callable[[float], None],
             step: int = _PAIR_CHUNK) -> np.ndarray:
    """``function`` over slices of 0..count, concatenated, reporting progress after each slice."""
    parts = []
    for first in range(0, count, step):
        parts.append(function(slice(first, min(first + step, count))))
        report(min(first + step, count) / max(count, 1))
    return np.concatenate(parts) if parts else np.array([])


@dataclass
class _Tracks:
    geoms: np.ndarray        # shapely lines, one per counted track
    patrol: np.ndarray       # int code of patrol_id
    day: np.ndarray          # int days since 1970-01-01, -1 when undated
    hours: np.ndarray        # duration in hours, NaN when unknown or undated
    length: np.ndarray       # total length (m)

    def __len__(self) -> int:
        return len(self.geoms)


# --- inputs -------------------------------------------------------------------------------------

def _column(frame, name: str, default):
    import pandas as pd

    if name in frame.columns:
        return frame[name]
    return pd.Series([default] * len(frame), index=frame.index, dtype=object)


def _bools(series) -> np.ndarray:
    values = series.to_numpy(dtype=object)
    return np.array([bool(v) if v is not None and v == v else False for v in values], dtype=bool)


def _datetimes(series):
    import pandas as pd

    values = pd.to_datetime(series, errors="coerce")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values


def _select_tracks(tracks, date_from: Optional[datetime.date], date_to: Optional[datetime.date],
                   on_foot_only: bool) -> _Tracks:
    import pandas as pd
    import shapely

    if tracks is None or len(tracks) == 0:
        empty = np.array([], dtype=object)
        return _Tracks(empty, np.array([], int), np.array([], int), np.array([], float), np.array([], float))
    geoms = np.asarray(tracks.geometry.values, dtype=object)
    kind = shapely.get_type_id(geoms)
    keep = np.isin(kind, (1, 5)) & ~shapely.is_empty(geoms)  # LineString, MultiLineString
    if (~keep).any():
        log.warning("%d track(s) without a line geometry were ignored.", int((~keep).sum()))
    start = _datetimes(_column(tracks, "start_time", None))
    end = _datetimes(_column(tracks, "end_time", None))
    has_start = start.notna().to_numpy()
    dated_column = _column(tracks, "dated", None)
    dated = (_bools(dated_column) if "dated" in tracks.columns else np.ones(len(tracks), bool)) & has_start
    day = np.full(len(tracks), -1, dtype=np.int64)
    day[dated] = start[dated].to_numpy().astype("datetime64[D]").astype(np.int64)
    if date_from is not None or date_to is not None:
        in_range = dated.copy()
        if date_from is not None:
            in_range &= day >= (date_from - EPOCH).days
        if date_to is not None:
            in_range &= day <= (date_to - EPOCH).days
        keep &= in_range
    if on_foot_only:
        keep &= _bools(_column(tracks, "on_foot", True)) if "on_foot" in tracks.columns else True
    seconds = (end - start).dt.total_seconds().to_numpy(dtype=float)
    hours = np.where(dated & np.isfinite(seconds) & (seconds >= 0), seconds / 3600.0, np.nan)
    if "patrol_id" in tracks.columns:
        ids = tracks["patrol_id"].astype(object).where(tracks["patrol_id"].notna(), None).to_numpy()
        ids = np.array([f"\x00row{i}" if v is None else str(v) for i, v in enumerate(ids)], dtype=object)
    else:
        ids = np.array([f"\x00row{i}" for i in range(len(tracks))], dtype=object)
    patrol = pd.factorize(ids)[0]
    selected = np.flatnonzero(keep)
    lines = geoms[selected]
    return _Tracks(lines, patrol[selected], day[selected], hours[selected], shapely.length(lines))


def _polygonal(geometry):
    """The polygonal part of a (repaired) geometry; an empty polygon when there is none."""
    import shapely

    parts = shapely.get_parts(geometry)
    parts = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
    if len(parts) == 0:
        return shapely.Polygon()
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _area_geometries(areas) -> tuple[np.ndarray, list[int], list[str]]:
    """Area geometries as an array (None → empty), invalid ones repaired; the repaired rows and warnings."""
    import shapely

    if areas is None or len(areas) == 0:
        return np.array([], dtype=object), [], []
    geoms = np.asarray(areas.geometry.values, dtype=object).copy()
    missing = shapely.is_missing(geoms)
    geoms[missing] = shapely.Polygon()
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    warnings: list[str] = []
    if len(invalid):
        repaired = shapely.make_valid(geoms[invalid])
        for position, geometry in zip(invalid, repaired):
            geoms[position] = _polygonal(geometry)
        shown = ", ".join(str(int(i)) for i in invalid[:20]) + (" ..." if len(invalid) > 20 else "")
        warnings.append(f"{len(invalid)} invalid area polygon(s) repaired with make_valid (rows {shown}).")
        log.warning(warnings[-1])
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    geoms[~polygonal] = shapely.Polygon()
    shapely.prepare(geoms)
    return geoms, [int(i) for i in invalid], warnings


def _distinct_count(group: np.ndarray, value: np.ndarray, size: int) -> np.ndarray:
    """How many distinct ``value`` each ``group`` (0..size-1) has."""
    if len(group) == 0:
        return np.zeros(size, dtype=np.int64)
    pairs = np.unique(np.stack([group, value], axis=1), axis=0)
    return np.bincount(pairs[:, 0], minlength=size).astype(np.int64)


def _effort(group: np.ndarray, track: np.ndarray, inside_m: np.ndarray, tracks: _Tracks, size: int) -> dict:
    """Per-group km, patrols, patrol-days, hours and last day from (group, track, length inside) rows."""
    hit = inside_m > 1e-9
    group, track, inside_m = group[hit], track[hit], inside_m[hit]
    km = np.bincount(group, weights=inside_m, minlength=size) / 1000.0
    patrols = _distinct_count(group, tracks.patrol[track], size)
    day = tracks.day[track]
    dated = day >= 0
    patrol_days = _distinct_count(group[dated], day[dated], size)
    share = np.divide(inside_m, tracks.length[track], out=np.zeros_like(inside_m), where=tracks.length[track] > 0)
    track_hours = np.nan_to_num(tracks.hours[track] * np.minimum(share, 1.0))
    hours = np.bincount(group, weights=track_hours, minlength=size)
    last = np.full(size, -1, dtype=np.int64)
    np.maximum.at(last, group[dated], day[dated])
    return {"km": km, "patrols": patrols, "patrol_days": patrol_days, "hours": hours, "last_day": last}


def _union_area_by_group(group: np.ndarray, pieces: np.ndarray, size: int,
                         report: Callable[[float], None]) -> np.ndarray:
    """Area of the union of the pieces of each group (0..size-1); a lone piece needs no union."""
    import shapely

    counts = np.bincount(group, minlength=size)
    area = np.zeros(size)
    single = counts[group] == 1
    area[group[single]] = shapely.area(pieces[single])
    several = np.flatnonzero(~single)
    if len(several):
        order = several[np.argsort(group[several], kind="stable")]
        sorted_group = group[order]
        starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
        ends = np.r_[starts[1:], len(order)]
        unions = np.empty(len(starts), dtype=object)
        for k, (first, last) in enumerate(zip(starts, ends)):
            unions[k] = shapely.union_all(pieces[order[first:last]])
            if k % 200 == 199:
                report(k / len(starts))
        area[sorted_group[starts]] = shapely.area(unions)
    report(1.0)
    return area


def _as_date(days: int) -> Optional[datetime.date]:
    return EPOCH + datetime.timedelta(days=int(days)) if days >= 0 else None


# --- coverage per area --------------------------------------------------------------------------

def area_coverage(tracks: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame", swath_m: float = 100.0,
                  date_from: datetime.date | None = None, date_to: datetime.date | None = None,
                  on_foot_only: bool = False, progress: Optional[Progress] = None) -> "pd.DataFrame":
    """Row i describes areas.iloc[i]: covered_ha, coverage_pct (0-100), track_km, patrols, patrol_days, hours, last_patrol.

    The index is ``areas.index``; ``last_patrol`` is a ``datetime.date`` or None. See the module
    docstring for the definitions (date filter, undated tracks, hours). How: the tracks within half a
    swath of each area are found with an STRtree; each such track is cut to the area's bounding box
    grown by half a swath (nothing outside can reach the area), buffered, the buffers touching one area
    unioned, and the union clipped to the area: every step vectorised over (track, area) pairs.
    """
    import pandas as pd
    import shapely

    if swath_m <= 0:
        raise ValueError("swath_m must be positive")
    geoms, repaired, warnings = _area_geometries(areas)
    size = len(geoms)
    index = areas.index if areas is not None else pd.RangeIndex(0)
    area_m2 = shapely.area(geoms) if size else np.array([], float)
    covered = np.zeros(size)
    result = {"km": np.zeros(size), "patrols": np.zeros(size, np.int64), "patrol_days": np.zeros(size, np.int64),
              "hours": np.zeros(size), "last_day": np.full(size, -1, np.int64)}
    selected = _select_tracks(tracks, date_from, date_to, on_foot_only)
    radius = swath_m / 2.0
    if size and len(selected):
        tree = shapely.STRtree(geoms)
        track, area = tree.query(selected.geoms, predicate="dwithin", distance=radius)
        _reporter(progress, 0, 5)(1.0)
        if len(track):
            lines, polygons = selected.geoms[track], geoms[area]
            inside_m = _chunked(lambda part: shapely.length(shapely.intersection(lines[part], polygons[part])),
                                len(track), _reporter(progress, 5, 30))
            result = _effort(area, track, inside_m, selected, size)
            # whole tracks buffer much faster than the many-part pieces a clip would leave
            buffers = _chunked(lambda part: shapely.buffer(selected.geoms[part], radius, quad_segs=QUAD_SEGS), len(selected),
                               _reporter(progress, 30, 60), step=200)
            pieces = _chunked(lambda part: shapely.intersection(buffers[track[part]], polygons[part]),
                              len(track), _reporter(progress, 60, 85))
            covered = _union_area_by_group(area, pieces, size, _reporter(progress, 85, 100))
    covered = np.minimum(covered, area_m2) if size else covered
    pct = np.divide(100.0 * covered, area_m2, out=np.zeros(size), where=area_m2 > 0)
    frame = pd.DataFrame({
        "covered_ha": covered / 10000.0,
        "coverage_pct": np.minimum(pct, 100.0),
        "track_km": result["km"],
        "patrols": result["patrols"].astype(np.int64),
        "patrol_days": result["patrol_days"].astype(np.int64),
        "hours": result["hours"],
        "last_patrol": pd.Series([_as_date(d) for d in result["last_day"]], dtype=object),
    })
    frame.index = index
    frame.attrs["warnings"] = warnings
    frame.attrs["repaired"] = repaired
    return frame


# --- gridded effort -----------------------------------------------------------------------------

def _cells(geoms: np.ndarray, cell_size_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Square cells of the global grid (corners at multiples of the size) clipped to each area.

    Returns (area position, column, row, clipped cell geometry) for every non-empty piece.
    """
    import shapely

    bounds = shapely.bounds(geoms)
    usable = ~np.isnan(bounds).any(axis=1)
    area_list, col_list, row_list = [], [], []
    for position in np.flatnonzero(usable):
        xmin, ymin, xmax, ymax = bounds[position]
        cols = np.arange(np.floor(xmin / cell_size_m), max(np.ceil(xmax / cell_size_m), np.floor(xmin / cell_size_m) + 1))
        rows = np.arange(np.floor(ymin / cell_size_m), max(np.ceil(ymax / cell_size_m), np.floor(ymin / cell_size_m) + 1))
        grid_c, grid_r = np.meshgrid(cols, rows)
        col_list.append(grid_c.ravel())
        row_list.append(grid_r.ravel())
        area_list.append(np.full(grid_c.size, position, dtype=np.int64))
    if not area_list:
        empty = np.array([], dtype=np.int64)
        return empty, empty, empty, np.array([], dtype=object)
    area = np.concatenate(area_list)
    col = np.concatenate(col_list).astype(np.int64)
    row = np.concatenate(row_list).astype(np.int64)
    boxes = shapely.box(col * cell_size_m, row * cell_size_m, (col + 1) * cell_size_m, (row + 1) * cell_size_m)
    cells = boxes.copy()
    inside = shapely.contains(geoms[area], boxes)
    edge = np.flatnonzero(~inside)
    if len(edge):
        cells[edge] = shapely.intersection(boxes[edge], geoms[area[edge]])
    keep = ~shapely.is_empty(cells) & (shapely.area(cells) > 0)
    cells = cells[keep]
    cells = np.array([_polygonal(c) if shapely.get_type_id(c) == 7 else c for c in cells], dtype=object)
    return area[keep], col[keep], row[keep], cells


def _segments(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two-point segments of every line: (start/end coordinates (n, 2, 2), the line each belongs to)."""
    import shapely

    parts, part_line = shapely.get_parts(lines, return_index=True)
    coords, coord_part = shapely.get_coordinates(parts, return_index=True)
    same = coord_part[1:] == coord_part[:-1]
    pairs = np.stack([coords[:-1][same], coords[1:][same]], axis=1)
    return pairs, part_line[coord_part[:-1][same]]


def effort_grid(tracks: "gpd.GeoDataFrame", areas: "gpd.GeoDataFrame", cell_size_m: float, area_key: str = "code",
                date_from: datetime.date | None = None, date_to: datetime.date | None = None,
                on_foot_only: bool = False, progress: Optional[Progress] = None) -> "gpd.GeoDataFrame":
    """Square cells clipped to each area: cell_id, area_code, km, patrols, patrol_days, visited (bool).

    The grid is global: cell ``"{col}_{row}"`` has its lower-left corner at (col x size, row x size), so
    grids of different runs line up; a cell cut by an area boundary gives one row per area it touches
    (``area_code`` = ``areas[area_key]``, or the row number when the column is missing). ``km``,
    ``patrols`` and ``patrol_days`` follow the module's definitions; ``visited`` = some track length in
    the cell. Tracks are split into their segments and each segment clipped to the cells it crosses.
    The frame has the areas' CRS; ``attrs["warnings"]`` and ``progress`` as in :func:`area_coverage`.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    if cell_size_m <= 0:
        raise ValueError("cell_size_m must be positive")
    geoms, repaired, warnings = _area_geometries(areas)
    crs = getattr(areas, "crs", None)
    area, col, row, cells = _cells(geoms, cell_size_m) if len(geoms) else (
        np.array([], np.int64), np.array([], np.int64), np.array([], np.int64), np.array([], dtype=object))
    size = len(cells)
    _reporter(progress, 0, 30)(1.0)
    if areas is not None and area_key in areas.columns:
        codes = areas[area_key].to_numpy(dtype=object)
    else:
        codes = np.array([str(i) for i in range(len(geoms))], dtype=object)
        if len(geoms):
            warnings.append(f"The areas have no column '{area_key}': cells carry the area's row number.")
            log.warning(warnings[-1])
    effort = {"km": np.zeros(size), "patrols": np.zeros(size, np.int64), "patrol_days": np.zeros(size, np.int64)}
    selected = _select_tracks(tracks, date_from, date_to, on_foot_only)
    if size and len(selected):
        tree = shapely.STRtree(cells)
        segments, segment_track = _segments(selected.geoms)
        groups, tracks_hit, lengths = [], [], []
        report = _reporter(progress, 30, 100)
        for first in range(0, len(segments), _SEGMENT_CHUNK):
            chunk = shapely.linestrings(segments[first:first + _SEGMENT_CHUNK])
            seg, cell = tree.query(chunk, predicate="intersects")
            inside = shapely.length(shapely.intersection(chunk[seg], cells[cell]))
            hit = inside > 1e-9
            groups.append(cell[hit])
            tracks_hit.append(segment_track[first:first + _SEGMENT_CHUNK][seg[hit]])
            lengths.append(inside[hit])
            report(min(first + _SEGMENT_CHUNK, len(segments)) / len(segments))
        effort = _effort(np.concatenate(groups), np.concatenate(tracks_hit), np.concatenate(lengths), selected, size)
    frame = gpd.GeoDataFrame({
        "cell_id": pd.Series([f"{c}_{r}" for c, r in zip(col, row)], dtype=object),
        "area_code": pd.Series(codes[area] if size else [], dtype=object),
        "km": effort["km"],
        "patrols": effort["patrols"].astype(np.int64),
        "patrol_days": effort["patrol_days"].astype(np.int64),
        "visited": effort["km"] > 0,
    }, geometry=gpd.GeoSeries(cells, crs=crs))
    frame.attrs["warnings"] = warnings
    frame.attrs["repaired"] = repaired
    return frame
