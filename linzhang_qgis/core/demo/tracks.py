"""A year of patrols (巡林) by the chiefs, written as GPX files, and the truth about them.

Each chief walks inside their own area. Some chiefs meet the seed's rules in every period and some
miss several months. Four tracks are planted for the import step: a car drive, a track whose clock
says 1901, a track with bad fixes (0, 0) and a 55 km jump, and a track with a long time gap.
"""
from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass, replace
from typing import Callable, Optional

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString

from .. import schema
from .fields import Terrain
from .gpx import gpx_text, to_lonlat
from .hierarchy import Area

YEAR_START = dt.date(2025, 11, 1)
YEAR_END = dt.date(2026, 10, 31)
LOCAL = dt.timezone(dt.timedelta(hours=8))  # Beijing time
BROKEN_CLOCK = dt.datetime(1901, 12, 13, 20, 45, 52, tzinfo=dt.timezone.utc)  # a 32-bit clock's floor
COUNTED_KINDS = ("foot", "bad_fixes", "gap")  # dated foot patrols that a compliance check should credit
RULES = {level: (period, count) for level, period, count in schema.DEFAULT_PATROL_RULES}
GROUP_PATROLLERS_PER_TOWN = 2


@dataclass(frozen=True)
class Plan:
    area: Area
    day: dt.date
    kind: str = "foot"


@dataclass(frozen=True)
class TrackTruth:
    file_name: str
    patroller: str
    area_code: str
    level: int
    kind: str
    start_time: dt.datetime  # as written in the file (UTC)
    end_time: dt.datetime
    patrol_date: dt.date  # the local day the patrol really took place
    n_points: int
    length_km: float
    counts: bool
    geometry: MultiLineString


@dataclass(frozen=True)
class ComplianceTruth:
    area_code: str
    level: int
    chief_name: str
    period_kind: str
    periods_required: int
    periods_met: int
    compliant: bool


def periods(kind: str) -> list[tuple[dt.date, dt.date]]:
    """Calendar months or quarters that meet the demo year, clipped to it: (first day, last day)."""
    result = []
    months = 3 if kind == "quarter" else 1
    year, month = YEAR_START.year, ((YEAR_START.month - 1) // months) * months + 1
    while dt.date(year, month, 1) <= YEAR_END:
        next_year, next_month = (year + 1, month + months - 12) if month + months > 12 else (year, month + months)
        last = dt.date(next_year, next_month, 1) - dt.timedelta(days=1)
        result.append((max(dt.date(year, month, 1), YEAR_START), min(last, YEAR_END)))
        year, month = next_year, next_month
    return result


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _compliance_flags(rng: np.random.Generator, chiefs: list[Area]) -> dict[str, bool]:
    """Which patrolling chiefs keep the rules: the district does, one town does not, villages and
    groups are mixed with at least one of each."""
    flags: dict[str, bool] = {}
    for level in (1, 2, 3, 4):
        mine = [a for a in chiefs if a.level == level]
        if level == 1:
            values = [True] * len(mine)
        elif level == 2:
            values = [True] * len(mine)
            values[int(rng.integers(len(mine)))] = False
        else:
            values = list(rng.random(len(mine)) < 0.6)
            if all(values) or not any(values):
                values[int(rng.integers(len(mine)))] = not values[0]
        flags.update({a.code: bool(v) for a, v in zip(mine, values)})
    return flags


def plan_patrols(rng: np.random.Generator, areas: list[Area]) -> tuple[list[Plan], dict[str, set[int]]]:
    """The patrols of the year, and for each non-compliant chief the periods left without a patrol."""
    chiefs = [a for a in areas if a.level <= 3]
    for town in (a for a in areas if a.level == 2):
        groups = sorted(a.code for a in areas if a.level == 4 and a.code.startswith(town.code))
        picked = set(rng.choice(groups, size=min(GROUP_PATROLLERS_PER_TOWN, len(groups)), replace=False))
        chiefs += [a for a in areas if a.code in picked]
    flags = _compliance_flags(rng, chiefs)
    plans: list[Plan] = []
    missing: dict[str, set[int]] = {}
    for chief in chiefs:
        spans = periods(RULES[chief.level][0])
        skip: set[int] = set()
        if not flags[chief.code]:
            skip = set(int(i) for i in rng.choice(len(spans), size=min(len(spans) - 1, int(rng.integers(3, 7))),
                                                 replace=False))
        missing[chief.code] = skip
        for index, (first, last) in enumerate(spans):
            if index in skip:
                continue
            count = 1 + int(rng.random() < 0.35) + int(rng.random() < 0.1)
            days = _days(first, last)
            for i in sorted(rng.choice(len(days), size=min(count, len(days)), replace=False)):
                plans.append(Plan(chief, days[int(i)]))
    return _plant_special(rng, plans, missing, flags), missing


def _plant_special(rng: np.random.Generator, plans: list[Plan], missing: dict[str, set[int]],
                   flags: dict[str, bool]) -> list[Plan]:
    """Add a car drive (in a month the town chief missed) and a broken-clock track; turn one foot patrol
    into one with bad fixes and another into one with a long gap."""
    plans = list(plans)
    town = next(p.area for p in plans if p.area.level == 2 and not flags[p.area.code])
    first, last = periods("month")[min(missing[town.code])]
    plans.append(Plan(town, _days(first, last)[int(rng.integers((last - first).days + 1))], "car"))
    villages = [p for p in plans if p.area.level == 3 and flags[p.area.code] and p.kind == "foot"]
    broken_source = villages[int(rng.integers(len(villages)))]
    plans.append(Plan(broken_source.area, broken_source.day, "broken_time"))
    others = [i for i, p in enumerate(plans) if p.area.level == 3 and p.kind == "foot"
              and p.area.code != broken_source.area.code]
    bad = others[int(rng.integers(len(others)))]
    plans[bad] = replace(plans[bad], kind="bad_fixes")
    towns = [i for i, p in enumerate(plans) if p.area.level == 2 and p.kind == "foot" and flags[p.area.code]]
    gap = towns[int(rng.integers(len(towns)))]
    plans[gap] = replace(plans[gap], kind="gap")
    return sorted(plans, key=lambda p: (p.area.code, p.day, p.kind != "foot"))


# --- movement ----------------------------------------------------------------------------------

def _random_inside(rng: np.random.Generator, region) -> np.ndarray:
    minx, miny, maxx, maxy = region.bounds
    for _ in range(10000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(region, x, y):
            return np.array([x, y])
    return shapely.get_coordinates(region.representative_point())[0]


def walk(rng: np.random.Generator, region, start: np.ndarray, n: int, step: float) -> np.ndarray:
    """A loop on foot: a correlated random walk kept inside ``region`` that heads home in its second half,
    with a few rests."""
    xy = np.empty((n, 2))
    x, y = float(start[0]), float(start[1])
    heading = float(rng.uniform(0, 2 * np.pi))
    sigma = 0.22 * np.sqrt(step / 20.0)
    turns = rng.normal(0, sigma, n).tolist()
    pace = (step * rng.uniform(0.75, 1.25, n)).tolist()
    rest_start = (rng.random(n) < 0.006).tolist()
    cx, cy = shapely.get_coordinates(region.representative_point())[0].tolist()
    resting = 0
    for i in range(n):
        xy[i] = (x, y)
        if resting:
            resting -= 1
            continue
        if rest_start[i]:
            resting = int(rng.integers(5, 25))
        homing = max(0.0, (i / n - 0.45) / 0.55)
        home = math.atan2(start[1] - y, start[0] - x)
        heading += turns[i] + 0.5 * homing * math.remainder(home - heading, 2 * math.pi)
        for attempt in range(8):
            qx, qy = x + pace[i] * math.cos(heading), y + pace[i] * math.sin(heading)
            if shapely.contains_xy(region, qx, qy):
                x, y = qx, qy
                break
            heading = math.atan2(cy - y, cx - x) + float(rng.normal(0, 0.4 + 0.2 * attempt))
    return xy


def road_loop(region, factor: float = 0.6, n_rays: int = 90) -> np.ndarray:
    """A smooth closed road around the region's inner point, at ``factor`` of the way to its edge."""
    centre = shapely.get_coordinates(region.representative_point())[0]
    theta = np.linspace(0, 2 * np.pi, n_rays, endpoint=False)
    far = 50000.0
    rays = [LineString([centre, centre + far * np.array([np.cos(t), np.sin(t)])]) for t in theta]
    hits = shapely.intersection(np.array(rays, dtype=object), region.boundary)
    reach = np.array([min(np.hypot(*(c - centre)) for c in shapely.get_coordinates(h)) if not h.is_empty else 0.0
                      for h in hits])
    kernel = np.ones(9) / 9
    smooth = np.convolve(np.concatenate([reach[-4:], reach, reach[:4]]), kernel, mode="valid")
    radius = factor * np.minimum(smooth, reach)
    return centre + radius[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])


def drive(rng: np.random.Generator, road: np.ndarray, dt_s: float, minutes: float) -> np.ndarray:
    """Fixes every ``dt_s`` seconds of a car going round ``road`` at 30-50 km/h."""
    closed = np.vstack([road, road[:1]])
    seg = np.hypot(*np.diff(closed, axis=0).T)
    along = np.concatenate([[0], np.cumsum(seg)])
    n = int(minutes * 60 / dt_s)
    speed = np.clip(40 / 3.6 + np.cumsum(rng.normal(0, 0.8, n)), 30 / 3.6, 50 / 3.6)
    s = np.concatenate([[0], np.cumsum(speed[:-1] * dt_s)]) % along[-1]
    return np.column_stack([np.interp(s, along, closed[:, 0]), np.interp(s, along, closed[:, 1])])


def gps_noise(rng: np.random.Generator, n: int, sigma: float = 5.0) -> np.ndarray:
    """Correlated (AR(1)) position error with standard deviation ``sigma`` metres per axis."""
    rho = 0.8
    shocks = rng.normal(0, sigma * np.sqrt(1 - rho ** 2), (n, 2))
    noise = np.empty((n, 2))
    noise[0] = rng.normal(0, sigma, 2)
    for i in range(1, n):
        noise[i] = rho * noise[i - 1] + shocks[i]
    return noise


# --- rendering one patrol ----------------------------------------------------------------------

@dataclass(frozen=True)
class Path:
    xy: np.ndarray  # projected positions, GPS noise included
    seconds: np.ndarray  # seconds since the first fix
    parts: tuple[int, ...]  # index where each part starts (more than one for a gap)


def _region(rng: np.random.Generator, plan: Plan, areas: list[Area]):
    """Where the chief walks: their own area (the district chief: one village of it), 30 m inside."""
    area = plan.area
    if area.level == 1:
        villages = [a for a in areas if a.level == 3]
        area = villages[int(rng.integers(len(villages)))]
    region = area.geometry.buffer(-30.0)
    if region.geom_type == "MultiPolygon":
        region = max(region.geoms, key=lambda g: g.area)
    shapely.prepare(region)
    return region


def _on_foot(rng: np.random.Generator, region, hours: float) -> tuple[np.ndarray, np.ndarray]:
    dt_s = int(rng.integers(10, 31))
    step = rng.uniform(3.0, 5.0) / 3.6 * dt_s
    n = max(20, int(hours * 3600 / dt_s))
    xy = walk(rng, region, _random_inside(rng, region), n, step)
    seconds = np.arange(n, dtype=float) * dt_s
    keep = rng.random(n) > 0.02  # a few missed fixes
    keep[[0, -1]] = True
    return xy[keep], seconds[keep]


def _path(rng: np.random.Generator, plan: Plan, region) -> tuple[Path, dt.datetime]:
    """The positions and times of one patrol, and its local start time."""
    day_start = dt.datetime.combine(plan.day, dt.time(8, 0), LOCAL)
    if plan.kind == "car":
        xy = drive(rng, road_loop(region), 10.0, rng.uniform(25, 45))
        start = day_start + dt.timedelta(minutes=int(rng.integers(60, 420)))
        return Path(xy + gps_noise(rng, len(xy)), np.arange(len(xy)) * 10.0, (0,)), start
    if plan.kind == "gap":
        xy1, s1 = _on_foot(rng, region, rng.uniform(1.0, 1.6))
        xy2, s2 = _on_foot(rng, region, rng.uniform(1.0, 1.6))
        s2 = s2 + s1[-1] + float(rng.integers(3 * 3600, 5 * 3600))
        xy = np.vstack([xy1, xy2])
        start = day_start + dt.timedelta(minutes=int(rng.integers(0, 90)))
        return Path(xy + gps_noise(rng, len(xy)), np.concatenate([s1, s2]), (0, len(xy1))), start
    start = day_start + dt.timedelta(minutes=int(rng.integers(0, 390)))
    latest = (dt.datetime.combine(plan.day, dt.time(18, 30), LOCAL) - start).total_seconds() / 3600
    xy, seconds = _on_foot(rng, region, min(rng.uniform(1.0, 4.0), latest))
    return Path(xy + gps_noise(rng, len(xy)), seconds, (0,)), start


def _corrupt(rng: np.random.Generator, lonlat: np.ndarray, elevation: np.ndarray) -> np.ndarray:
    """Three fixes at (0, 0) and one 0.5 degree (55 km) jump north; returns the indices of the bad fixes."""
    bad = rng.choice(np.arange(5, len(lonlat) - 5), size=4, replace=False)
    lonlat[bad[:3]] = 0.0
    elevation[bad[:3]] = 0.0
    lonlat[bad[3], 1] += 0.5
    return bad


def _lines(xy: np.ndarray, parts: tuple[int, ...], drop: np.ndarray) -> MultiLineString:
    keep = np.ones(len(xy), dtype=bool)
    keep[drop] = False
    bounds = list(parts) + [len(xy)]
    lines = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        segment = xy[a:b][keep[a:b]]
        if len(segment) >= 2:
            lines.append(LineString(segment))
    return MultiLineString(lines)


def render(rng: np.random.Generator, plan: Plan, areas: list[Area], terrain: Terrain, epsg: int,
           folder: str, day_counts: dict[str, int]) -> TrackTruth:
    """Write one patrol's GPX file and return the truth about it."""
    path, start = _path(rng, plan, _region(rng, plan, areas))
    origin = BROKEN_CLOCK if plan.kind == "broken_time" else start
    times = [origin + dt.timedelta(seconds=float(s)) for s in path.seconds]
    elevation = terrain(path.xy[:, 0], path.xy[:, 1]) + rng.normal(0, 3.0, len(path.xy))
    elevation += 1.5 if plan.kind == "car" else 0.0
    lonlat = to_lonlat(path.xy, epsg)
    bad = _corrupt(rng, lonlat, elevation) if plan.kind == "bad_fixes" else np.zeros(0, dtype=int)
    stamp = times[0].astimezone(LOCAL).strftime("%Y%m%d")
    key = f"{plan.area.code}_{stamp}"
    day_counts[key] = day_counts.get(key, 0) + 1
    file_name = f"{key}_{day_counts[key]}.gpx"
    description = f"{plan.area.full_name} {plan.area.chief_title} 林长巡林"
    text = gpx_text(plan.area.chief_name, description, lonlat, elevation, times)
    with open(os.path.join(folder, file_name), "w", encoding="utf-8") as handle:
        handle.write(text)
    geometry = _lines(path.xy, path.parts, bad)
    return TrackTruth(file_name, plan.area.chief_name, plan.area.code, plan.area.level, plan.kind,
                      times[0].astimezone(dt.timezone.utc), times[-1].astimezone(dt.timezone.utc), plan.day,
                      len(path.xy), round(geometry.length / 1000.0, 3), plan.kind in COUNTED_KINDS, geometry)


def compliance(areas: list[Area], truths: list[TrackTruth]) -> list[ComplianceTruth]:
    """Per chief, under the seed's rules: periods with at least the required count of credited patrols."""
    result = []
    for area in areas:
        kind, minimum = RULES[area.level]
        spans = periods(kind)
        days = [t.patrol_date for t in truths if t.area_code == area.code and t.counts]
        met = sum(1 for first, last in spans if sum(first <= d <= last for d in days) >= minimum)
        result.append(ComplianceTruth(area.code, area.level, area.chief_name, kind, len(spans), met,
                                      met == len(spans)))
    return result


def write_tracks(rng: np.random.Generator, areas: list[Area], terrain: Terrain, epsg: int, folder: str,
                 step: Callable[[float], None],
                 is_canceled: Optional[Callable[[], bool]] = None) -> tuple[list[TrackTruth], list[ComplianceTruth]]:
    """Write every GPX file into ``folder`` (emptied of old .gpx files first)."""
    os.makedirs(folder, exist_ok=True)
    for name in sorted(os.listdir(folder)):
        if name.lower().endswith(".gpx"):
            os.remove(os.path.join(folder, name))
    plans, _ = plan_patrols(rng, areas)
    truths: list[TrackTruth] = []
    day_counts: dict[str, int] = {}
    for index, plan in enumerate(plans):
        if is_canceled is not None and index % 10 == 0 and is_canceled():
            raise InterruptedError("canceled")
        truths.append(render(rng, plan, areas, terrain, epsg, folder, day_counts))
        step((index + 1) / len(plans))
    return truths, compliance(areas, truths)
