"""What the hierarchy dock shows for each responsibility area: forest area, this period's patrols, open spots,
and a state colour.

- Forest area: hectares of forest land of the stands whose ``area_code`` is the area or one below it.
- Patrols: ``patrol_compliance`` over the calendar year of ``as_of`` (periods after ``as_of`` are not due);
  "this period" is the calendar period of the area's rule that contains ``as_of``: patrols so far / required.
- Open spots: change spots of the area and the areas below it that are not closed and not false detections.
- State: ``overdue`` (red) when the latest due period was missed (days overdue > 0); ``attention`` (amber)
  when a period of the year was missed but made up since, or open spots wait; ``ok`` (green) when every due
  period was met and no spot is open; ``none`` (grey) when the level has no patrol rule and no spot is open.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from .. import schema
from ..values import is_blank
from .tree import Hierarchy, build_hierarchy, forest_ha_by_area, open_spots_by_area

STATES = ("ok", "attention", "overdue", "none")


@dataclass(frozen=True)
class AreaFigures:
    forest_ha: float = 0.0
    open_spots: int = 0
    period_kind: Optional[str] = None  # the rule's period: week, month, quarter, year
    period_label: str = ""  # e.g. 2026-11 or 2026Q4
    period_done: int = 0  # patrols so far in the period containing as_of
    period_required: int = 0
    periods_met: int = 0  # due periods of the year met
    periods_due: int = 0
    days_overdue: int = 0
    last_patrol: Optional[dt.date] = None
    compliant: Optional[bool] = None

    @property
    def forest_mu(self) -> float:
        return self.forest_ha * 15.0

    @property
    def state(self) -> str:
        if self.days_overdue > 0:
            return "overdue"
        if self.compliant is False or self.open_spots > 0:
            return "attention"
        return "none" if self.compliant is None else "ok"


def _period_rows(periods, as_of: dt.date) -> dict[str, tuple[str, int, int]]:
    """area code -> (label, achieved, required) of the period containing ``as_of``."""
    current: dict[str, tuple[str, int, int]] = {}
    if periods is None or not len(periods):
        return current
    mask = (periods["period_start"] <= as_of) & (periods["period_end"] >= as_of)
    for row in periods[mask].itertuples(index=False):
        current[str(row.area_code)] = (str(row.period_label), int(row.achieved), int(row.required))
    return current


def combine_figures(hierarchy: Hierarchy, forest_own: Mapping[str, float], open_own: Mapping[str, int],
                    summary_rows: Mapping[str, Mapping[str, Any]],
                    current_period: Mapping[str, tuple[str, int, int]]) -> dict[str, AreaFigures]:
    """The figures of every area from its own values: forest and spots rolled up the tree, patrols its own."""
    forest = hierarchy.roll_up(forest_own)
    spots = hierarchy.roll_up({code: float(count) for code, count in open_own.items()})
    figures: dict[str, AreaFigures] = {}
    for code in hierarchy.nodes:
        summary = summary_rows.get(code, {})
        label, done, required = current_period.get(code, ("", 0, 0))
        compliant = summary.get("compliant")
        last = summary.get("last_patrol")
        figures[code] = AreaFigures(
            forest_ha=forest.get(code, 0.0), open_spots=int(round(spots.get(code, 0.0))),
            period_kind=None if is_blank(summary.get("period_kind")) else summary.get("period_kind"),
            period_label=label, period_done=done, period_required=required,
            periods_met=int(summary.get("periods_met") or 0), periods_due=int(summary.get("periods_required") or 0),
            days_overdue=int(summary.get("days_overdue") or 0),
            last_patrol=None if is_blank(last) else last,
            compliant=None if is_blank(compliant) else bool(compliant))
    return figures


def _rows(db: sqlite3.Connection, table: str, columns: tuple[str, ...]) -> list[dict]:
    present = {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}
    wanted = [name for name in columns if name in present]
    if not wanted:
        return []
    sql = "SELECT {} FROM \"{}\"".format(", ".join(f'"{name}"' for name in wanted), table)
    return [dict(zip(wanted, row)) for row in db.execute(sql)]


def load_workspace_figures(path: str, as_of: dt.date) -> tuple[Hierarchy, dict[str, AreaFigures]]:
    """Read the workspace at ``path`` and compute every area's figures as of ``as_of``."""
    import geopandas as gpd

    from ..patrols.compliance import patrol_compliance
    from ..patrols.rules import default_rules, rules_from_rows

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        area_rows = _rows(db, schema.RESP_AREAS.name, ("fid",) + schema.RESP_AREAS.field_names)
        stand_rows = _rows(db, schema.FOREST_STANDS.name, ("area_code", "land_class", "area_ha"))
        spot_rows = _rows(db, schema.CHANGE_SPOTS.name, ("area_code", "status", "determination"))
        rule_rows = _rows(db, schema.PATROL_RULES.name, ("level", "period", "min_count"))
        n_tracks = db.execute(f"SELECT count(*) FROM {schema.PATROL_TRACKS.name}").fetchone()[0]
    hierarchy = build_hierarchy(area_rows)
    rules = rules_from_rows(rule_rows) or default_rules()
    summary_rows: dict[str, dict] = {}
    current: dict[str, tuple[str, int, int]] = {}
    if hierarchy.nodes:
        areas = gpd.read_file(path, layer=schema.RESP_AREAS.name, engine="pyogrio")
        tracks = (gpd.read_file(path, layer=schema.PATROL_TRACKS.name, engine="pyogrio") if n_tracks
                  else gpd.GeoDataFrame({name: [] for name in ("patrol_id", "patroller", "area_code", "start_time")},
                                        geometry=[], crs=areas.crs))
        result = patrol_compliance(areas, tracks, rules, dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31),
                                   as_of=as_of)
        for row in result.summary.to_dict("records"):
            summary_rows.setdefault(str(row["area_code"]), row)
        current = _period_rows(result.periods, as_of)
    figures = combine_figures(hierarchy, forest_ha_by_area(stand_rows), open_spots_by_area(spot_rows),
                              summary_rows, current)
    return hierarchy, figures
