"""Writing GPX 1.1 track files (plain XML, no third-party package) and projecting to WGS84."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from xml.sax.saxutils import escape

import numpy as np

GPX_HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
              '<gpx version="1.1" creator="linzhang_qgis demo generator" '
              'xmlns="http://www.topografix.com/GPX/1/1" '
              'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
              'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd">\n')


@lru_cache(maxsize=4)
def _transform(epsg: int):
    from osgeo import osr  # noqa: PLC0415

    osr.UseExceptions()
    source = osr.SpatialReference()
    source.ImportFromEPSG(epsg)
    target = osr.SpatialReference()
    target.ImportFromEPSG(4326)
    for srs in (source, target):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return osr.CoordinateTransformation(source, target)


def to_lonlat(xy: np.ndarray, epsg: int) -> np.ndarray:
    """Projected (x, y) rows to (lon, lat) rows."""
    if len(xy) == 0:
        return np.zeros((0, 2))
    result = _transform(epsg).TransformPoints(np.asarray(xy, dtype=float).tolist())
    return np.array(result)[:, :2]


def _utc(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc_strings(times: list[dt.datetime]) -> list[str]:
    """ISO UTC strings of many aware datetimes (whole seconds), fast."""
    first = times[0].astimezone(dt.timezone.utc).replace(tzinfo=None)
    offsets = np.array([round((t - times[0]).total_seconds()) for t in times], dtype="timedelta64[s]")
    stamps = np.datetime64(first.replace(microsecond=0), "s") + offsets
    return [text + "Z" for text in np.datetime_as_string(stamps, unit="s")]


def gpx_text(name: str, description: str, lonlat: np.ndarray, elevation: np.ndarray,
             times: list[dt.datetime]) -> str:
    """One track, one segment; ``times`` are timezone-aware and written in UTC."""
    parts = [GPX_HEADER,
             "  <metadata>\n",
             f"    <name>{escape(name)}</name>\n",
             f"    <desc>{escape(description)}</desc>\n",
             f"    <author><name>{escape(name)}</name></author>\n",
             f"    <time>{_utc(times[0])}</time>\n",
             "  </metadata>\n",
             "  <trk>\n",
             f"    <name>{escape(name)}</name>\n",
             f"    <desc>{escape(description)}</desc>\n",
             "    <type>巡林</type>\n",
             "    <trkseg>\n"]
    for (lon, lat), ele, stamp in zip(lonlat.tolist(), elevation.tolist(), _utc_strings(times)):
        parts.append(f'      <trkpt lat="{lat:.7f}" lon="{lon:.7f}"><ele>{ele:.1f}</ele><time>{stamp}</time></trkpt>\n')
    parts.append("    </trkseg>\n  </trk>\n</gpx>\n")
    return "".join(parts)
