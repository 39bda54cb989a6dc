"""Patrol compliance (巡林达标): per chief and period, required against achieved patrols, rolled up the levels.

Definitions (the numbers the ledger and the map show):

- A **patrol** is one ``patrol_id`` (its features together; a track without an id is a patrol of its own).
  Its date is the day of its earliest ``start_time``; a time with a time zone is read in Beijing time
  (UTC+8), a time without one as it is stored.
- A patrol **counts for an area** when it is the area's chief's (the track's ``area_code`` is the area's
  code, or its ``patroller`` is the area's ``chief_name``), at least ``min_inside`` of its length lies
  inside the area, it is dated (``dated`` true; undated tracks give coverage, never compliance; an empty
  ``dated`` falls back to "has a start time") and, when ``on_foot_only``, it was on foot (an empty
  ``on_foot`` counts as on foot). Codes compare as trimmed text, so 360702 and "360702" match.
- **Periods** are calendar weeks (Monday to Sunday), months, quarters or years, clipped to
  [date_from, date_to]. A period is **due** once it has ended on or before ``as_of``; only patrols up to
  ``as_of`` are counted. ``periods_required`` is the number of due periods, ``periods_met`` those with at
  least the rule's ``min_count`` patrols; the area is compliant when every due period is met. An area
  whose level has no rule is not assessed (``compliant`` is None).
- ``last_patrol``: the latest counted patrol on or before ``as_of`` (earlier than ``date_from`` too).
- ``days_overdue``: 0 when the latest due period was met (or none is due yet); otherwise the days from the
  end of the first period of the unbroken run of missed periods that reaches the latest due one, to
  ``as_of``: how long the chief has been behind without a patrol making up.
- ``next_due``: the end of the calendar period containing ``as_of`` when it has not yet been met, else the
  end of the period after it.
- Roll-up: ``children`` are the areas whose ``parent_code`` is the area's code; ``children_compliant``
  those compliant; ``children_compliant_pct`` = 100 × compliant / children that have a rule (NaN when none).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Sequence

from .. import schema
from ..errors import InputDataError
from ..values import as_int, as_text, is_blank, normalise_code
from .rules import PatrolRule

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

log = logging.getLogger(__name__)

CHINA_TIME = dt.timezone(dt.timedelta(hours=8))
AREA_COLUMNS = ("code", "name", "level", "parent_code", "chief_name")
TRACK_COLUMNS = ("patrol_id", "patroller", "area_code", "start_time")
OPTIONAL_TRACK_COLUMNS = ("dated", "on_foot")
PERIOD_COLUMNS = ("area_code", "period_label", "period_start", "period_end", "required", "achieved",
                  "compliant", "due")
SUMMARY_COLUMNS = ("area_code", "name", "level", "chief_name", "period_kind", "min_count", "periods_required",
                   "periods_met", "compliant", "patrols", "last_patrol", "days_overdue", "next_due", "children",
                   "children_compliant", "children_compliant_pct")
_TOLERANCE = 1e-9


@dataclass
class ComplianceResult:
    periods: "pd.DataFrame"  # one row per area and period (PERIOD_COLUMNS)
    summary: "pd.DataFrame"  # one row per area, index aligned with ``areas`` (SUMMARY_COLUMNS)
    as_of: Optional[dt.date] = None
    date_from: Optional[dt.date] = None
    date_to: Optional[dt.date] = None


# --- small value helpers -------------------------------------------------------------------------


def _flag(value: Any, default: bool) -> bool:
    """A yes/no field: booleans, 1/0, "true"/"false", "是"/"否"; blank gives ``default``."""
    if is_blank(value):
        return default
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("", "null"):
            return default
        return text in ("1", "true", "t", "yes", "y", "是", "真")
    if hasattr(value, "item"):
        value = value.item()
    return bool(value)


def patrol_day(value: Any) -> Optional[dt.date]:
    """The day of a start time: datetimes with a zone in Beijing time, naive ones as stored."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        import pandas as pd

        try:
            value = pd.Timestamp(value.strip())
        except (ValueError, TypeError):
            return None
        if is_blank(value):
            return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(CHINA_TIME)
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


# --- calendar periods ----------------------------------------------------------------------------

def calendar_period(kind: str, day: dt.date) -> tuple[dt.date, dt.date, str]:
    """The calendar week (Monday-Sunday), month, quarter or year containing ``day``: (first, last, label)."""
    if kind == "week":
        first = day - dt.timedelta(days=day.weekday())
        year, week, _ = first.isocalendar()
        return first, first + dt.timedelta(days=6), f"{year}-W{week:02d}"
    if kind == "month":
        first = day.replace(day=1)
        label = f"{day.year}-{day.month:02d}"
        months = 1
    elif kind == "quarter":
        quarter = (day.month - 1) // 3
        first = dt.date(day.year, 3 * quarter + 1, 1)
        label = f"{day.year}Q{quarter + 1}"
        months = 3
    elif kind == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), f"{day.year}"
    else:
        raise ValueError(f"unknown period {kind!r}")
    month = first.month + months
    following = dt.date(first.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return first, following - dt.timedelta(days=1), label


def periods_between(kind: str, date_from: dt.date, date_to: dt.date) -> list[tuple[dt.date, dt.date, str]]:
    """The calendar periods that meet [date_from, date_to], clipped to it."""
    result = []
    day = date_from
    while day <= date_to:
        first, last, label = calendar_period(kind, day)
        result.append((max(first, date_from), min(last, date_to), label))
        day = last + dt.timedelta(days=1)
    return result


# --- the computation -----------------------------------------------------------------------------

def _require(frame, names: Sequence[str], label_zh: str, label_en: str) -> None:
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise InputDataError("{}缺少字段：{}。".format(label_zh, "、".join(missing)),
                             "The {} lack the fields: {}.".format(label_en, ", ".join(missing)))


def _counted_patrols(areas, tracks, codes: list[str], chiefs: list[str], min_inside: float,
                     on_foot_only: bool) -> dict[int, list[dt.date]]:
    """For each area position, the days of the patrols that count for it (one entry per patrol)."""
    import numpy as np
    import pandas as pd
    import shapely

    result: dict[int, list[dt.date]] = {}
    if len(tracks) == 0 or len(areas) == 0:
        return result
    geometries = np.asarray(tracks.geometry.values, dtype=object)
    n = len(tracks)
    days = [patrol_day(v) for v in tracks["start_time"]]
    dated_column = tracks["dated"] if "dated" in tracks.columns else [None] * n
    foot_column = tracks["on_foot"] if "on_foot" in tracks.columns else [None] * n
    eligible = np.array([
        day is not None and _flag(dated, True) and (not on_foot_only or _flag(foot, True))
        and geometry is not None and not shapely.is_empty(geometry)
        for day, dated, foot, geometry in zip(days, dated_column, foot_column, geometries)], dtype=bool)
    if not eligible.any():
        return result
    keys = [as_text(v) or f"\x00row{i}" for i, v in enumerate(tracks["patrol_id"])]
    frame = pd.DataFrame({
        "row": np.arange(n),
        "key": keys,
        "code": [normalise_code(v) for v in tracks["area_code"]],
        "patroller": [as_text(v) for v in tracks["patroller"]],
        "day": days,
    })[eligible]
    area_index = pd.DataFrame({"area": np.arange(len(areas)), "code": codes, "patroller": chiefs})
    by_code = frame[frame["code"] != ""].merge(area_index[area_index["code"] != ""][["area", "code"]], on="code")
    by_name = frame[frame["patroller"] != ""].merge(
        area_index[area_index["patroller"] != ""][["area", "patroller"]], on="patroller")
    pairs = pd.concat([by_code[["row", "key", "day", "area"]], by_name[["row", "key", "day", "area"]]])
    pairs = pairs.drop_duplicates(["row", "area"]).reset_index(drop=True)
    if pairs.empty:
        return result
    area_geometries = np.asarray(areas.geometry.values, dtype=object)
    invalid = ~shapely.is_valid(area_geometries)
    if invalid.any():
        area_geometries = area_geometries.copy()
        area_geometries[invalid] = shapely.make_valid(area_geometries[invalid])
    track_parts = geometries[pairs["row"].to_numpy()]
    area_parts = area_geometries[pairs["area"].to_numpy()]
    pairs["total"] = shapely.length(track_parts)
    pairs["inside"] = shapely.length(shapely.intersection(track_parts, area_parts))
    grouped = pairs.groupby(["key", "area"], sort=False).agg(
        total=("total", "sum"), inside=("inside", "sum"), day=("day", "min")).reset_index()
    fraction = np.where(grouped["total"] > 0, grouped["inside"] / grouped["total"].where(grouped["total"] > 0, 1), 0)
    grouped = grouped[(grouped["total"] > 0) & (fraction >= min_inside - _TOLERANCE)]
    for area, day in zip(grouped["area"], grouped["day"]):
        result.setdefault(int(area), []).append(day)
    for days_list in result.values():
        days_list.sort()
    return result


def patrol_compliance(areas: "gpd.GeoDataFrame", tracks: "gpd.GeoDataFrame", rules: Sequence[PatrolRule],
                      date_from: dt.date, date_to: dt.date, as_of: Optional[dt.date] = None,
                      min_inside: float = 0.5, on_foot_only: bool = True) -> ComplianceResult:
    """Patrol compliance of every area's chief between ``date_from`` and ``date_to`` (see the module help).

    ``areas``: code, name, level, parent_code, chief_name and polygons; ``tracks``: patrol_id, patroller,
    area_code, start_time, dated, on_foot and lines, in the same projected CRS (reprojected when both
    CRSs are known and differ). Raises InputDataError for missing fields, reversed dates or a bad threshold.
    """
    import bisect

    import numpy as np
    import pandas as pd

    _require(areas, AREA_COLUMNS, "责任区图层", "responsibility areas")
    _require(tracks, TRACK_COLUMNS, "巡林轨迹图层", "patrol tracks")
    date_from, date_to = _as_date(date_from), _as_date(date_to)
    as_of = date_to if as_of is None else _as_date(as_of)
    if date_from > date_to:
        raise InputDataError("统计起始日期 {} 晚于截止日期 {}。".format(date_from, date_to),
                             "The start date {} is after the end date {}.".format(date_from, date_to))
    if not 0.0 <= float(min_inside) <= 1.0:
        raise InputDataError("责任区内轨迹比例应在0到1之间，现为 {}。".format(min_inside),
                             "The share of the track inside the area must lie between 0 and 1, not {}.".format(
                                 min_inside))
    if (getattr(areas, "crs", None) is not None and getattr(tracks, "crs", None) is not None
            and len(tracks) and areas.crs != tracks.crs):
        log.warning("patrol tracks reprojected to the areas' CRS")
        tracks = tracks.to_crs(areas.crs)

    codes = [normalise_code(v) for v in areas["code"]]
    parents = [normalise_code(v) for v in areas["parent_code"]]
    chiefs = [as_text(v) for v in areas["chief_name"]]
    names = [as_text(v) for v in areas["name"]]
    levels = [as_int(v) for v in areas["level"]]
    rule_by_level = {rule.level: rule for rule in rules}
    counted = _counted_patrols(areas, tracks, codes, chiefs, float(min_inside), on_foot_only)

    last_counted = min(date_to, as_of)
    period_cache: dict[str, list[tuple[dt.date, dt.date, str]]] = {}
    period_rows: dict[str, list] = {name: [] for name in PERIOD_COLUMNS}
    summary: dict[str, list] = {name: [] for name in SUMMARY_COLUMNS}
    for position, code in enumerate(codes):
        days = counted.get(position, [])
        rule = rule_by_level.get(levels[position])
        summary["area_code"].append(code)
        summary["name"].append(names[position])
        summary["level"].append(levels[position])
        summary["chief_name"].append(chiefs[position])
        summary["patrols"].append(max(0, bisect.bisect_right(days, last_counted) - bisect.bisect_left(days, date_from)))
        before = bisect.bisect_right(days, as_of)
        summary["last_patrol"].append(days[before - 1] if before else None)
        if rule is None:
            for name, value in (("period_kind", None), ("min_count", None), ("periods_required", 0),
                                ("periods_met", 0), ("compliant", None), ("days_overdue", 0), ("next_due", None)):
                summary[name].append(value)
            continue
        spans = period_cache.setdefault(rule.period, periods_between(rule.period, date_from, date_to))
        due_met: list[tuple[dt.date, bool]] = []
        for first, last, label in spans:
            achieved = max(0, bisect.bisect_right(days, min(last, as_of)) - bisect.bisect_left(days, first))
            met = achieved >= rule.min_count
            due = last <= as_of
            for name, value in (("area_code", code), ("period_label", label), ("period_start", first),
                                ("period_end", last), ("required", rule.min_count), ("achieved", achieved),
                                ("compliant", met), ("due", due)):
                period_rows[name].append(value)
            if due:
                due_met.append((last, met))
        n_met = sum(met for _, met in due_met)
        overdue_since = None
        for last, met in reversed(due_met):
            if met:
                break
            overdue_since = last
        current_first, current_last, _ = calendar_period(rule.period, as_of)
        in_current = bisect.bisect_right(days, as_of) - bisect.bisect_left(days, current_first)
        if in_current >= rule.min_count:
            next_due = calendar_period(rule.period, current_last + dt.timedelta(days=1))[1]
        else:
            next_due = current_last
        summary["period_kind"].append(rule.period)
        summary["min_count"].append(rule.min_count)
        summary["periods_required"].append(len(due_met))
        summary["periods_met"].append(n_met)
        summary["compliant"].append(n_met == len(due_met))
        summary["days_overdue"].append((as_of - overdue_since).days if overdue_since else 0)
        summary["next_due"].append(next_due)

    children: dict[str, list[int]] = {}
    for position, parent in enumerate(parents):
        if parent:
            children.setdefault(parent, []).append(position)
    for code in codes:
        mine = children.get(code, []) if code else []
        assessed = [summary["compliant"][i] for i in mine if summary["compliant"][i] is not None]
        good = sum(1 for value in assessed if value)
        summary["children"].append(len(mine))
        summary["children_compliant"].append(good)
        summary["children_compliant_pct"].append(100.0 * good / len(assessed) if assessed else np.nan)

    summary_frame = pd.DataFrame(summary, columns=list(SUMMARY_COLUMNS), index=areas.index)
    summary_frame["level"] = summary_frame["level"].astype("Int64")
    summary_frame["min_count"] = summary_frame["min_count"].astype("Int64")
    summary_frame["compliant"] = summary_frame["compliant"].astype(object)
    summary_frame["children_compliant_pct"] = summary_frame["children_compliant_pct"].astype(float)
    periods_frame = pd.DataFrame(period_rows, columns=list(PERIOD_COLUMNS))
    for name in ("required", "achieved"):
        periods_frame[name] = periods_frame[name].astype(int)
    for name in ("compliant", "due"):
        periods_frame[name] = periods_frame[name].astype(bool)
    return ComplianceResult(periods_frame, summary_frame, as_of, date_from, date_to)


def _as_date(value: Any) -> dt.date:
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()[:10])
    raise TypeError(f"not a date: {value!r}")


def level_name_zh(level: Any) -> str:
    number = as_int(level)
    return schema.AREA_LEVELS[number][0] if number in schema.AREA_LEVELS else ""
