"""Reading GPS track files into raw tracks: GPX 1.0 and 1.1 (gpxpy), CSV, and GeoLife PLT.

A :class:`RawTrack` holds the fixes of one file (or of one patroller of a CSV file) as numpy arrays:
longitude and latitude in WGS84 degrees and the time as ``datetime64[s]`` in UTC (NaT where a fix has
none). Nothing is cleaned here beyond rows that cannot be read at all: quality control is
``track_quality``'s. Bad input raises :class:`TrackFormatError`, a Chinese and an English sentence.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from ..errors import LinzhangError

NAT = np.datetime64("NaT", "s")
EPOCH = dt.datetime(1970, 1, 1)
PLT_EPOCH_DAYS = 25569.0  # days from 1899-12-30 (the PLT / Excel day count) to 1970-01-01
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (17.0, 54.0)

# Column names, lower-cased, without spaces, units or punctuation.
LON_NAMES = ("经度", "lon", "lng", "long", "longitude", "x", "gps经度", "经度坐标", "longitudewgs84")
LAT_NAMES = ("纬度", "lat", "latitude", "y", "gps纬度", "纬度坐标", "latitudewgs84")
TIME_NAMES = ("时间", "定位时间", "time", "timestamp", "datetime", "date_time", "gps时间", "采集时间", "记录时间",
              "轨迹时间", "巡护时间", "utc", "日期时间", "时间戳", "gpstime", "recordtime")
DATE_NAMES = ("日期", "date", "定位日期", "采集日期")
CLOCK_NAMES = ("时间", "time", "时刻", "clock")


class TrackFormatError(LinzhangError, ValueError):
    """A track file cannot be read: malformed, empty, without coordinates, or with impossible ones."""


@dataclass(frozen=True)
class RawTrack:
    """The fixes of one track as read, before any quality control."""

    lon: np.ndarray  # float64 degrees (WGS84)
    lat: np.ndarray
    time: np.ndarray  # datetime64[s], UTC; NaT where a fix has no time
    segment_starts: tuple[int, ...] = (0,)  # index of the first fix of each GPX segment
    name: str = ""  # the track's name in the file (GPX <name>), or the CSV patroller value
    description: str = ""
    source_file: str = ""  # the file name, without its folder
    unreadable_rows: int = 0  # CSV/PLT rows skipped because their coordinates were not numbers

    @property
    def n(self) -> int:
        return int(len(self.lon))

    @property
    def stem(self) -> str:
        return os.path.splitext(self.source_file)[0]


@dataclass(frozen=True)
class CsvColumns:
    """Explicit CSV column names; empty ones are found by their usual names."""

    lon: str = ""
    lat: str = ""
    time: str = ""


# --- shared checks ---------------------------------------------------------------------------

def _error(file_name: str, zh: str, en: str) -> TrackFormatError:
    return TrackFormatError("{}：{}".format(file_name, zh), "{}: {}".format(file_name, en))


def check_coordinates(lon: np.ndarray, lat: np.ndarray, file_name: str) -> None:
    """Raise when the coordinates are impossible, or look like longitude and latitude swapped."""
    if np.any(np.abs(lat) > 90) and np.all(np.abs(lon) <= 90) and np.all(np.abs(lat) <= 180):
        raise _error(file_name, "纬度超出 ±90°，而经度都在 ±90° 以内：经度和纬度可能写反了。",
                     "latitudes beyond ±90° while every longitude is within ±90°: "
                     "longitude and latitude look swapped.")
    outside = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if np.any(outside):
        first = int(np.argmax(outside))
        raise _error(file_name, "有 {} 个点的坐标超出范围（第 {} 个点：经度 {}，纬度 {}）。".format(
            int(outside.sum()), first + 1, lon[first], lat[first]),
            "{} points have coordinates out of range (point {}: longitude {}, latitude {}).".format(
                int(outside.sum()), first + 1, lon[first], lat[first]))
    looks_swapped = ((lon >= CHINA_LAT[0]) & (lon <= CHINA_LAT[1]) & (lat >= CHINA_LON[0]) & (lat <= CHINA_LON[1]))
    if len(lon) and np.all(looks_swapped):
        raise _error(file_name, "经度值像中国的纬度、纬度值像中国的经度：经度和纬度可能写反了。",
                     "the longitudes look like latitudes in China and the latitudes like longitudes: "
                     "longitude and latitude look swapped.")


def _check_not_empty(data: bytes, file_name: str) -> None:
    if not data.strip():
        raise _error(file_name, "文件是空的。", "the file is empty.")


def _finish(lon: Sequence[float], lat: Sequence[float], seconds: Sequence[Optional[int]], file_name: str,
            **fields) -> RawTrack:
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    check_coordinates(lon_a, lat_a, file_name)
    return RawTrack(lon_a, lat_a, seconds_to_times(seconds), source_file=file_name, **fields)


def seconds_to_times(seconds: Sequence[Optional[float]]) -> np.ndarray:
    """Seconds since 1970 (None or NaN for none) as ``datetime64[s]``."""
    values = np.array([np.nan if s is None else s for s in seconds], dtype=float)
    result = np.full(len(values), NAT)
    ok = np.isfinite(values)
    result[ok] = np.floor(values[ok]).astype("int64").astype("datetime64[s]")
    return result


def _utc_seconds(value: Optional[dt.datetime]) -> Optional[float]:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return (value - EPOCH).total_seconds()


# --- GPX ---------------------------------------------------------------------------------------

def read_gpx(path: str) -> RawTrack:
    """All track segments of a GPX file, in order; else its routes; else its timed waypoints."""
    import gpxpy
    import gpxpy.gpx

    file_name = os.path.basename(path)
    with open(path, "rb") as handle:
        data = handle.read()
    _check_not_empty(data, file_name)
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig", errors="replace"))
    except (gpxpy.gpx.GPXException, ValueError) as error:
        raise _error(file_name, "不是有效的 GPX 文件（XML 格式错误：{}）。".format(error),
                     "not a valid GPX file (malformed XML: {}).".format(error)) from error
    segments = [s.points for t in gpx.tracks for s in t.segments if s.points]
    if not segments:
        segments = [r.points for r in gpx.routes if r.points]
    if not segments:
        segments = _waypoint_segment(gpx.waypoints, file_name)
    points = [p for segment in segments for p in segment]
    starts = tuple(int(i) for i in np.cumsum([0] + [len(s) for s in segments[:-1]]))
    name = next((t.name for t in gpx.tracks if t.name), None) or next((r.name for r in gpx.routes if r.name), None)
    description = next((t.description for t in gpx.tracks if t.description), None)
    return _finish([p.longitude for p in points], [p.latitude for p in points],
                   [_utc_seconds(p.time) for p in points], file_name, segment_starts=starts,
                   name=(name or gpx.name or "").strip(), description=(description or gpx.description or "").strip())


def _waypoint_segment(waypoints: list, file_name: str) -> list[list]:
    """Waypoints make a track only when there are at least two and every one has a time."""
    if len(waypoints) >= 2 and all(w.time is not None for w in waypoints):
        return [sorted(waypoints, key=lambda w: _utc_seconds(w.time))]
    if waypoints:
        raise _error(file_name, "只有 {} 个航点（且不全有时间），没有轨迹或路线。".format(len(waypoints)),
                     "holds only {} waypoints (not all timed) and no track or route.".format(len(waypoints)))
    raise _error(file_name, "没有轨迹点。", "holds no track points.")


# --- CSV ---------------------------------------------------------------------------------------

def _normalise(name: str) -> str:
    name = re.sub(r"[（(\[【].*?[)）\]】]", "", name.strip().lower())
    return re.sub(r"[\s_\-.°:]", "", name)


def _find(header: list[str], wanted: str, names: Sequence[str], file_name: str) -> Optional[int]:
    """The index of column ``wanted`` (exact), or of the first column with one of the usual ``names``."""
    if wanted:
        if wanted in header:
            return header.index(wanted)
        raise _error(file_name, "找不到列“{}”（现有列：{}）。".format(wanted, "、".join(header)),
                     "no column '{}' (the columns are: {}).".format(wanted, ", ".join(header)))
    normalised = [_normalise(h) for h in header]
    for candidate in names:
        key = _normalise(candidate)
        if key in normalised:
            return normalised.index(key)
    return None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _rows(text: str) -> list[list[str]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]


def _numbers(values: list[str]) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        try:
            out[i] = float(value.strip())
        except ValueError:
            pass
    return out


def read_csv(path: str, columns: CsvColumns = CsvColumns(), patroller_column: str = "",
             utc_offset_h: float = 8.0) -> list[RawTrack]:
    """A CSV file with longitude, latitude and (optionally) time columns; one track per patroller when
    ``patroller_column`` is given, else one. Times without a zone are read at ``utc_offset_h``."""
    file_name = os.path.basename(path)
    with open(path, "rb") as handle:
        data = handle.read()
    _check_not_empty(data, file_name)
    rows = _rows(_decode(data))
    header, body = [h.strip() for h in rows[0]], rows[1:]
    i_lon = _find(header, columns.lon, LON_NAMES, file_name)
    i_lat = _find(header, columns.lat, LAT_NAMES, file_name)
    if i_lon is None or i_lat is None:
        raise _error(file_name, "找不到经度、纬度列（可用列名：经度/纬度、lon/lat、longitude/latitude、x/y；现有列：{}）。"
                     .format("、".join(header)),
                     "no longitude and latitude columns (names understood: 经度/纬度, lon/lat, longitude/latitude, "
                     "x/y; the columns are: {}).".format(", ".join(header)))
    if not body:
        raise _error(file_name, "只有表头，没有数据行。", "holds a header but no rows.")
    body = [row + [""] * (len(header) - len(row)) for row in body]
    texts = _time_texts(header, body, columns, file_name)
    lon, lat = _numbers([r[i_lon] for r in body]), _numbers([r[i_lat] for r in body])
    good = np.isfinite(lon) & np.isfinite(lat)
    if not good.any():
        raise _error(file_name, "经纬度列中没有可读的数字。", "the longitude and latitude columns hold no numbers.")
    seconds = parse_times(texts, utc_offset_h) if texts is not None else np.full(len(body), np.nan)
    owners = _owners(header, body, patroller_column, file_name)
    tracks = []
    for owner in dict.fromkeys(owners[good]):
        mine = good & (owners == owner)
        tracks.append(_finish(lon[mine], lat[mine], seconds[mine], file_name, name=str(owner),
                              unreadable_rows=int((~good).sum()) if not tracks else 0))
    return tracks


def _owners(header: list[str], body: list[list[str]], column: str, file_name: str) -> np.ndarray:
    if not column:
        return np.full(len(body), "", dtype=object)
    index = _find(header, column, (), file_name)
    return np.array([row[index].strip() for row in body], dtype=object)


def _time_texts(header: list[str], body: list[list[str]], columns: CsvColumns,
                file_name: str) -> Optional[list[str]]:
    """The time of each row as text: one time column, or a date column and a clock column together."""
    i_date = None if columns.time else _find(header, "", DATE_NAMES, file_name)
    if i_date is not None:
        i_clock = _find(header, "", CLOCK_NAMES, file_name)
        if i_clock is not None and i_clock != i_date:
            return ["{} {}".format(r[i_date].strip(), r[i_clock].strip()) for r in body]
    i_time = _find(header, columns.time, TIME_NAMES, file_name)
    if i_time is None:
        return None if i_date is None else [r[i_date] for r in body]
    return [r[i_time] for r in body]


_TIME = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]*(\d{1,2})[:时](\d{1,2})分?(?::?(\d{1,2})"
                   r"(?:\.\d+)?秒?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)


def parse_times(texts: Sequence[str], utc_offset_h: float = 8.0) -> np.ndarray:
    """Seconds since 1970 (UTC) of time strings; NaN where a string is no time.

    Understands ISO 8601, ``2025/11/3 8:30:00``, ``2025年11月3日 08:30``, and Unix seconds or
    milliseconds. A time without a zone is read at ``utc_offset_h`` hours east of UTC.
    """
    numbers = _numbers(list(texts))
    if np.isfinite(numbers).sum() > 0.5 * len(texts) and np.nanmin(numbers) > 1e8:
        return np.where(numbers > 1e11, numbers / 1000.0, numbers)
    return np.array([_parse_one(text.strip(), utc_offset_h) for text in texts], dtype=float)


def _parse_one(text: str, utc_offset_h: float) -> float:
    match = _TIME.match(text)
    if not match:
        return np.nan
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        moment = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return np.nan
    return (moment - EPOCH).total_seconds() - 3600.0 * _zone_hours(zone, utc_offset_h)


def _zone_hours(zone: Optional[str], default: float) -> float:
    if not zone:
        return default
    if zone.upper() in ("Z", "UTC", "GMT"):
        return 0.0
    digits = zone.replace(":", "")
    sign = -1.0 if digits[0] == "-" else 1.0
    return sign * (int(digits[1:3]) + int(digits[3:5]) / 60.0)


# --- PLT (GeoLife) -------------------------------------------------------------------------------

def read_plt(path: str) -> RawTrack:
    """A GeoLife PLT file: six header lines, then ``lat, lon, 0, altitude, days, date, time`` (GMT)."""
    file_name = os.path.basename(path)
    with open(path, "rb") as handle:
        data = handle.read()
    _check_not_empty(data, file_name)
    lines = _decode(data).splitlines()[6:]
    rows = [line.split(",") for line in lines if line.strip()]
    if not rows:
        raise _error(file_name, "PLT 文件在 6 行表头之后没有轨迹点。", "the PLT file holds no points after its 6 header lines.")
    if any(len(row) < 5 for row in rows):
        raise _error(file_name, "不是 GeoLife PLT 格式（每行应为：纬度,经度,0,高程,天数,日期,时间）。",
                     "not a GeoLife PLT file (each line should be: lat, lon, 0, altitude, days, date, time).")
    lat, lon, days = (_numbers([row[i] for row in rows]) for i in (0, 1, 4))
    good = np.isfinite(lat) & np.isfinite(lon)
    if not good.any():
        raise _error(file_name, "没有可读的坐标。", "holds no readable coordinates.")
    seconds = (days[good] - PLT_EPOCH_DAYS) * 86400.0
    return _finish(lon[good], lat[good], np.round(seconds), file_name, unreadable_rows=int((~good).sum()))


# --- any file ----------------------------------------------------------------------------------

TRACK_EXTENSIONS = (".gpx", ".csv", ".plt")


def read_track_file(path: str, csv_columns: CsvColumns = CsvColumns(), patroller_column: str = "",
                    utc_offset_h: float = 8.0) -> list[RawTrack]:
    """The raw tracks of one file, chosen by its extension (.gpx, .csv, .plt)."""
    file_name = os.path.basename(path)
    extension = os.path.splitext(path)[1].lower()
    if extension not in TRACK_EXTENSIONS:
        raise _error(file_name, "不支持的文件类型（支持 .gpx、.csv、.plt）。",
                     "unsupported file type (.gpx, .csv and .plt are read).")
    try:
        if extension == ".gpx":
            return [read_gpx(path)]
        if extension == ".plt":
            return [read_plt(path)]
        return read_csv(path, csv_columns, patroller_column, utc_offset_h)
    except OSError as error:
        raise _error(file_name, "无法读取文件（{}）。".format(error.strerror or error),
                     "cannot read the file ({}).".format(error.strerror or error)) from error
