"""Quality control of raw GPS tracks (轨迹质检) before patrol effort is credited.

From one :class:`~.track_readers.RawTrack` to cleaned :class:`Patrol` records, all vectorised with numpy:

1. drop bad fixes at (0, 0) ("null island");
2. times: a track is *dated* when at least half of its fixes have a time between 2000-01-01 and now;
   otherwise (no times, a 1901 clock, times in the future) it keeps its geometry for coverage but is
   no dated patrol. In a dated track fixes without a valid time, and fixes whose time repeats or goes
   back, are dropped;
3. duplicate positions: the inside of a run of identical positions (a dated track keeps the run's first
   and last fix, which carry its duration);
4. jumps: a leg longer than ``max_jump_km`` or faster than ``max_speed_kmh`` is bad; a short run of fixes
   between two bad legs (or at either end) is dropped when the track closes up without it, otherwise the
   track is broken there;
5. a dated track is split into separate patrols at time gaps over ``gap_split_min``; an undated track is
   one patrol whose parts are its GPX segments;
6. pieces with fewer than ``min_points`` fixes are dropped;
7. vehicle speed: a leg is driven when the mean speed over a moving window of at least
   ``vehicle_window_s`` around it exceeds ``vehicle_speed_kmh``; a patrol is on foot when the driven
   length is at most ``max_vehicle_share`` of its length (unknown, None, for an undated one).

Lengths are geodesic (haversine), whatever the target CRS; geometries are projected with pyproj.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import numpy as np
import shapely
from shapely.geometry import MultiLineString

from .track_readers import RawTrack

EARTH_RADIUS_M = 6371008.8
NULL_ISLAND_DEG = 1e-3
FUTURE_TOLERANCE_S = 86400


@dataclass(frozen=True)
class QualityParams:
    """Thresholds of the track quality control (defaults as in the domain notes)."""

    max_jump_km: float = 45.0
    max_speed_kmh: float = 90.0
    gap_split_min: float = 30.0
    min_points: int = 3
    vehicle_speed_kmh: float = 15.0
    vehicle_window_s: float = 120.0
    max_vehicle_share: float = 0.5
    earliest_year: int = 2000
    max_spike_fixes: int = 5  # longest run of fixes between two jumps that is dropped as bad fixes
    min_timed_share: float = 0.5  # share of fixes with a valid time for a track to be dated


@dataclass(frozen=True)
class Patrol:
    """One cleaned patrol, ready for the PATROL_TRACKS layer (geometry in the target CRS)."""

    patrol_id: str
    geometry: MultiLineString
    start_time: Optional[dt.datetime]  # timezone-aware, at the import's UTC offset (Beijing time by default)
    end_time: Optional[dt.datetime]
    duration_h: Optional[float]
    length_km: float
    n_points: int
    on_foot: Optional[bool]  # None when the track has no valid times
    dated: bool
    qa_note: str  # Chinese
    source_file: str
    patroller: str = ""
    area_code: str = ""
    vehicle_km: float = 0.0
    qa_note_en: str = ""
    track_name: str = ""


@dataclass
class _Notes:
    """QA notes of one track, each a (Chinese, English) pair."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, zh: str, en: str) -> None:
        self.items.append((zh, en))

    def text(self, extra: tuple[tuple[str, str], ...] = ()) -> tuple[str, str]:
        items = self.items + list(extra)
        if not items:
            return "质检合格", "passed"
        return "；".join(zh for zh, _ in items), "; ".join(en for _, en in items)


def haversine_m(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Great-circle distances in metres, element by element."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def leg_lengths(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])


# --- times -------------------------------------------------------------------------------------

def _time_status(time: np.ndarray, params: QualityParams, now: dt.datetime) -> tuple[np.ndarray, Optional[tuple]]:
    """Which fixes have a valid time, and why the track is undated (None when it is dated)."""
    seconds = time.astype("int64").astype(float)
    timed = ~np.isnat(time)
    earliest = (dt.datetime(params.earliest_year, 1, 1) - dt.datetime(1970, 1, 1)).total_seconds()
    latest = now.timestamp() + FUTURE_TOLERANCE_S
    early, future = timed & (seconds < earliest), timed & (seconds > latest)
    valid = timed & ~early & ~future
    if len(valid) and valid.mean() >= params.min_timed_share:
        return valid, None
    if not timed.any():
        return valid, ("无时间信息", "no times")
    if early.sum() >= future.sum():
        year = int(np.datetime_as_string(time[early][0], unit="Y"))
        return valid, ("时间无效（{} 年，早于 {} 年）".format(year, params.earliest_year),
                       "invalid times (year {}, before {})".format(year, params.earliest_year))
    return valid, ("时间在未来", "times in the future")


def _increasing(seconds: np.ndarray) -> np.ndarray:
    """Keep fixes whose time is later than every earlier one (drops repeats and time going back)."""
    if len(seconds) == 0:
        return np.zeros(0, dtype=bool)
    previous_max = np.maximum.accumulate(np.concatenate([[-np.inf], seconds[:-1]]))
    return seconds > previous_max


def _duplicate_positions(lon: np.ndarray, lat: np.ndarray, dated: bool) -> np.ndarray:
    """True for fixes to drop: same position as the one before (and, when dated, as the one after)."""
    same_prev = np.zeros(len(lon), dtype=bool)
    same_prev[1:] = (lon[1:] == lon[:-1]) & (lat[1:] == lat[:-1])
    if not dated:
        return same_prev
    same_next = np.zeros(len(lon), dtype=bool)
    same_next[:-1] = same_prev[1:]
    return same_prev & same_next


# --- jumps -------------------------------------------------------------------------------------

def _bad_legs(lon: np.ndarray, lat: np.ndarray, seconds: Optional[np.ndarray], params: QualityParams) -> np.ndarray:
    """Legs longer than the jump limit, or faster than the speed limit (legs across a time gap aside)."""
    distance = leg_lengths(lon, lat)
    bad = distance > params.max_jump_km * 1000.0
    if seconds is not None:
        elapsed = np.diff(seconds)
        across_gap = elapsed > params.gap_split_min * 60.0
        speed = distance / np.maximum(elapsed, 1.0)
        bad = (bad | (speed > params.max_speed_kmh / 3.6)) & ~across_gap
    return bad


def _leg_ok(lon, lat, seconds, a: int, b: int, params: QualityParams) -> bool:
    pair = np.array([a, b])
    return not _bad_legs(lon[pair], lat[pair], None if seconds is None else seconds[pair], params)[0]


def _spike_runs(lon, lat, seconds, params: QualityParams) -> np.ndarray:
    """Fixes to drop: short runs between two bad legs (or before the first / after the last one)
    where the track closes up without them."""
    n = len(lon)
    drop = np.zeros(n, dtype=bool)
    bad = np.flatnonzero(_bad_legs(lon, lat, seconds, params))
    if len(bad) == 0:
        return drop
    limit = params.max_spike_fixes
    resolved: set[int] = set()
    for k1, k2 in zip(bad[:-1], bad[1:]):
        if k2 - k1 <= limit and k1 not in resolved and _leg_ok(lon, lat, seconds, k1, k2 + 1, params):
            drop[k1 + 1:k2 + 1] = True
            resolved.update((int(k1), int(k2)))
    head, tail = int(bad[0]) + 1, n - int(bad[-1]) - 1  # fixes before the first and after the last bad leg
    if bad[0] not in resolved and head <= limit and n - head > head:
        drop[:head] = True
    if bad[-1] not in resolved and tail <= limit and n - tail > tail:
        drop[n - tail:] = True
    return drop


def _remove_spikes(lon, lat, seconds, params: QualityParams, passes: int = 3) -> np.ndarray:
    """Indices of the fixes kept after up to ``passes`` rounds of spike removal."""
    index = np.arange(len(lon))
    for _ in range(passes):
        drop = _spike_runs(lon[index], lat[index], None if seconds is None else seconds[index], params)
        if not drop.any():
            break
        index = index[~drop]
    return index


# --- vehicle speed -----------------------------------------------------------------------------

def vehicle_legs(distance: np.ndarray, seconds: np.ndarray, params: QualityParams) -> np.ndarray:
    """Legs driven: the mean speed over a window of at least ``vehicle_window_s`` centred on the leg."""
    if len(distance) == 0:
        return np.zeros(0, dtype=bool)
    along = np.concatenate([[0.0], np.cumsum(distance)])
    middle = (seconds[:-1] + seconds[1:]) / 2.0
    half = params.vehicle_window_s / 2.0
    legs = np.arange(len(distance))
    first = np.clip(np.searchsorted(seconds, middle - half, side="right") - 1, 0, legs)
    last = np.clip(np.searchsorted(seconds, middle + half, side="left"), legs + 1, len(seconds) - 1)
    speed = (along[last] - along[first]) / np.maximum(seconds[last] - seconds[first], 1.0)
    return speed > params.vehicle_speed_kmh / 3.6


# --- projection --------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _transformer(epsg: int):
    from pyproj import Transformer

    return Transformer.from_crs(4326, epsg, always_xy=True)


@lru_cache(maxsize=8)
def _area_of_use(epsg: int) -> Optional[tuple[float, float, float, float]]:
    from pyproj import CRS

    area = CRS.from_epsg(epsg).area_of_use
    return None if area is None else (area.west, area.south, area.east, area.north)


def outside_area_of_use(lon: np.ndarray, lat: np.ndarray, epsg: int, margin_deg: float = 1.0) -> bool:
    bounds = _area_of_use(epsg)
    if bounds is None or len(lon) == 0:
        return False
    west, south, east, north = bounds
    x, y = float(np.median(lon)), float(np.median(lat))
    return not (west - margin_deg <= x <= east + margin_deg and south - margin_deg <= y <= north + margin_deg)


def project(lon: np.ndarray, lat: np.ndarray, epsg: int) -> np.ndarray:
    x, y = _transformer(epsg).transform(lon, lat)
    return np.column_stack([x, y])


# --- one track ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Clean:
    """The fixes left after filtering, and where the track breaks."""

    lon: np.ndarray
    lat: np.ndarray
    seconds: Optional[np.ndarray]  # None when undated
    part_break: np.ndarray  # per leg: the line is broken here (segment or jump), same patrol
    patrol_break: np.ndarray  # per leg: a new patrol starts here (time gap)


def _filter(raw: RawTrack, params: QualityParams, now: dt.datetime, notes: _Notes) -> _Clean:
    lon, lat, time = raw.lon, raw.lat, raw.time
    segment = np.zeros(raw.n, dtype=int)
    segment[list(raw.segment_starts)[1:]] = 1
    segment = np.cumsum(segment)
    if raw.unreadable_rows:
        notes.add("跳过无法读取的行 {} 行".format(raw.unreadable_rows),
                  "{} unreadable rows skipped".format(raw.unreadable_rows))
    null = (np.abs(lon) < NULL_ISLAND_DEG) & (np.abs(lat) < NULL_ISLAND_DEG)
    valid, undated_reason = _time_status(time, params, now)
    keep = ~null
    seconds = None
    if undated_reason is None:
        keep &= valid
        order = np.flatnonzero(keep)
        keep[order[~_increasing(time[order].astype("int64").astype(float))]] = False
        seconds = time.astype("int64").astype(float)
        bad_times = int((~null).sum() - keep.sum())
        if bad_times:
            notes.add("删除时间缺失、重复或倒退的点 {} 个".format(bad_times),
                      "{} fixes with a missing, repeated or backward time dropped".format(bad_times))
    else:
        notes.add(undated_reason[0] + "，仅计覆盖，不计为有日期的巡林",
                  undated_reason[1] + ": coverage only, not a dated patrol")
    index = np.flatnonzero(keep)
    duplicates = _duplicate_positions(lon[index], lat[index], seconds is not None)
    index = index[~duplicates]
    if duplicates.any():
        notes.add("删除重复位置点 {} 个".format(int(duplicates.sum())),
                  "{} repeated positions dropped".format(int(duplicates.sum())))
    t = None if seconds is None else seconds[index]
    kept = index[_remove_spikes(lon[index], lat[index], t, params)]
    bad_fixes = int(null.sum()) + len(index) - len(kept)
    if bad_fixes:
        notes.add("删除异常点 {} 个（零点或跳点）".format(bad_fixes),
                  "{} bad fixes dropped (at 0,0 or jumps)".format(bad_fixes))
    return _breaks(lon[kept], lat[kept], None if seconds is None else seconds[kept], segment[kept], params, notes)


def _breaks(lon, lat, seconds, segment, params: QualityParams, notes: _Notes) -> _Clean:
    jumps = _bad_legs(lon, lat, seconds, params)
    if jumps.any():
        notes.add("在 {} 处跳点断开".format(int(jumps.sum())), "broken at {} jumps".format(int(jumps.sum())))
    if seconds is None:
        part = jumps | (np.diff(segment) != 0)
        return _Clean(lon, lat, None, part, np.zeros(len(part), dtype=bool))
    gaps = np.diff(seconds) > params.gap_split_min * 60.0
    return _Clean(lon, lat, seconds, jumps, gaps)


def _pieces(clean: _Clean) -> list[np.ndarray]:
    """Index ranges of the patrols (split at time gaps)."""
    starts = np.concatenate([[0], np.flatnonzero(clean.patrol_break) + 1])
    ends = np.concatenate([starts[1:], [len(clean.lon)]])
    return [np.arange(a, b) for a, b in zip(starts, ends)]


def _lines(xy: np.ndarray, part_break: np.ndarray) -> MultiLineString:
    starts = np.concatenate([[0], np.flatnonzero(part_break) + 1])
    ends = np.concatenate([starts[1:], [len(xy)]])
    lines = [shapely.linestrings(xy[a:b]) for a, b in zip(starts, ends) if b - a >= 2]
    return MultiLineString(lines)


def _clock(seconds: float, utc_offset_h: float) -> dt.datetime:
    zone = dt.timezone(dt.timedelta(hours=utc_offset_h))
    return dt.datetime.fromtimestamp(float(seconds), dt.timezone.utc).astimezone(zone)


def _patrol(clean: _Clean, piece: np.ndarray, raw: RawTrack, number: int, n_pieces: int,
            params: QualityParams, epsg: int, utc_offset_h: float, notes: _Notes) -> Optional[Patrol]:
    lon, lat = clean.lon[piece], clean.lat[piece]
    part_break = clean.part_break[piece[:-1]]
    distance = np.where(part_break, 0.0, leg_lengths(lon, lat))
    geometry = _lines(project(lon, lat, epsg), part_break)
    if geometry.is_empty:
        return None
    extra: list[tuple[str, str]] = []
    if n_pieces > 1:
        extra.append(("在 {:g} 分钟以上的间断处分段，本段为第 {}/{} 段".format(params.gap_split_min, number, n_pieces),
                      "split at gaps over {:g} min, piece {} of {}".format(params.gap_split_min, number, n_pieces)))
    length_m = float(distance.sum())
    seconds = None if clean.seconds is None else clean.seconds[piece]
    vehicle_m, on_foot = 0.0, None
    if seconds is not None:
        vehicle_m = float(distance[vehicle_legs(distance, seconds, params)].sum())
        on_foot = vehicle_m <= params.max_vehicle_share * length_m
        if vehicle_m > 0:
            extra.append(("车速路段 {:.1f} km 不计入步行巡林".format(vehicle_m / 1000.0),
                          "{:.1f} km at vehicle speed not counted as on foot".format(vehicle_m / 1000.0)))
        if not on_foot:
            extra.append(("以车速行进为主，不是步行巡林", "mostly at vehicle speed: not a foot patrol"))
    if outside_area_of_use(lon, lat, epsg):
        extra.append(("轨迹在 EPSG:{} 的适用范围之外，图形会变形".format(epsg),
                      "the track lies outside the area of use of EPSG:{}; its shape is distorted".format(epsg)))
    zh, en = notes.text(tuple(extra))
    start = None if seconds is None else _clock(seconds[0], utc_offset_h)
    end = None if seconds is None else _clock(seconds[-1], utc_offset_h)
    return Patrol(
        patrol_id="{}#{}".format(raw.stem, number), geometry=geometry, start_time=start, end_time=end,
        duration_h=None if seconds is None else round((seconds[-1] - seconds[0]) / 3600.0, 3),
        length_km=round(length_m / 1000.0, 3), n_points=int(len(piece)), on_foot=on_foot,
        dated=seconds is not None, qa_note=zh[:254], source_file=raw.source_file,
        vehicle_km=round(vehicle_m / 1000.0, 3), qa_note_en=en, track_name=raw.name)


def clean_track(raw: RawTrack, params: QualityParams = QualityParams(), epsg: int = 4547,
                utc_offset_h: float = 8.0, now: Optional[dt.datetime] = None,
                first_number: int = 1) -> list[Patrol]:
    """The patrols of one raw track after quality control (none when nothing usable is left).

    Patrol ids are ``{file stem}#{n}``, numbered from ``first_number`` in time order; times are given
    at ``utc_offset_h`` (8: Beijing time).
    """
    notes = _Notes()
    clean = _filter(raw, params, now or dt.datetime.now(dt.timezone.utc), notes)
    pieces = _pieces(clean) if len(clean.lon) else []
    short = [p for p in pieces if len(p) < params.min_points]
    if short:
        notes.add("删除不足 {} 点的片段 {} 个".format(params.min_points, len(short)),
                  "{} pieces with fewer than {} fixes dropped".format(len(short), params.min_points))
    pieces = [p for p in pieces if len(p) >= params.min_points]
    patrols = []
    for piece in pieces:
        patrol = _patrol(clean, piece, raw, first_number + len(patrols), len(pieces), params, epsg,
                         utc_offset_h, notes)
        if patrol is not None:
            patrols.append(patrol)
    return patrols
