"""What the patrol dock (巡林面板) shows, computed without widgets so that it can be tested.

Finds the open workspace's layers in the project (by their source ``|layername=...``, not by their
translated names), reads one area and its tracks into GeoDataFrames (qgis_glue.frames), calls the core
(``core.patrols``: coverage, effort grid, compliance) and turns the answers into what the dock shows:
the map overlay of the area's tracks (a subset string and temporal properties on the workspace's
track layer, restored afterwards) and a temporary memory layer of the area's effort grid.
"""
from __future__ import annotations

import datetime as dt
import importlib
import math
import os
from dataclasses import dataclass
from typing import Callable, Optional

from qgis.core import (
    Qgis,
    QgsFeatureRequest,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsFillSymbol,
    QgsMapLayer,
    QgsProject,
    QgsRendererCategory,
    QgsTask,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QVariant, pyqtSignal

from .. import dependencies
from ..core import schema
from ..i18n import tr
from ..qgis_glue.frames import python_value
from .area_model import AreaEntry, TrackRow

SWATH_M = 100.0  # the width a patroller is taken to see on foot: 50 m either side of the track
REQUIRED_PACKAGES = ("numpy", "shapely", "pyproj", "geopandas")
CORE_MODULES = ("coverage", "compliance", "rules")
TEMPORARY_PROPERTY = "linzhang/temporary"  # custom property on the dock's own layers
CELLS_TAG = "patrol_cells"
NICE_CELL_SIZES = (100, 150, 200, 250, 300, 400, 500, 750, 1000, 1500, 2000, 2500, 5000)
TARGET_CELLS = 900  # about 30 x 30 cells over an area, whatever its size
AREA_FIELDS = ("code", "name", "level", "parent_code", "chief_name")
TRACK_FIELDS = ("patrol_id", "patroller", "area_code", "start_time", "end_time", "length_km",
                "on_foot", "dated")
NEVER_VISITED_COLOUR = "253,141,60,110"  # orange, see-through: the stands stay readable
NEVER_VISITED_OUTLINE = "230,85,13,160"
VISITED_OUTLINE = "120,120,120,90"


# --- what is available --------------------------------------------------------------------------

def missing_packages() -> list[str]:
    return dependencies.missing_packages(REQUIRED_PACKAGES)


def core_problem() -> Optional[str]:
    """None when the core's patrol modules import, else the reason (shown by the dock)."""
    for name in CORE_MODULES:
        try:
            importlib.import_module("linzhang_qgis.core.patrols." + name)
        except ImportError as error:
            return str(error)
    return None


# --- the workspace's layers in a project ------------------------------------------------------------

def table_name(layer: QgsMapLayer) -> str:
    """The GeoPackage table behind ``layer`` ("" when it is not a ``...|layername=...`` source)."""
    source = layer.source()
    if "layername=" not in source:
        return ""
    return source.split("layername=", 1)[1].split("|", 1)[0]


def gpkg_path(layer: QgsMapLayer) -> str:
    return os.path.normcase(os.path.abspath(layer.source().split("|", 1)[0]))


@dataclass
class WorkspaceLayers:
    areas: QgsVectorLayer
    tracks: QgsVectorLayer
    rules: Optional[QgsVectorLayer]
    path: str

    def ids(self) -> tuple[str, str]:
        return self.areas.id(), self.tracks.id()


def find_workspace_layers(project: QgsProject) -> Optional[WorkspaceLayers]:
    """The resp_areas and patrol_tracks layers of one workspace open in ``project``, else None.

    With several workspaces open, the one whose areas layer sits highest in the layer tree wins.
    """
    found: dict[str, dict[str, QgsVectorLayer]] = {}
    ordered = [node.layer() for node in project.layerTreeRoot().findLayers() if node.layer() is not None]
    ordered += [layer for layer in project.mapLayers().values() if layer not in ordered]
    for layer in ordered:
        if not isinstance(layer, QgsVectorLayer) or not layer.isValid():
            continue
        name = table_name(layer)
        if name in (schema.RESP_AREAS.name, schema.PATROL_TRACKS.name, schema.PATROL_RULES.name):
            found.setdefault(gpkg_path(layer), {}).setdefault(name, layer)
    for path, layers in found.items():
        if schema.RESP_AREAS.name in layers and schema.PATROL_TRACKS.name in layers:
            return WorkspaceLayers(layers[schema.RESP_AREAS.name], layers[schema.PATROL_TRACKS.name],
                                   layers.get(schema.PATROL_RULES.name), path)
    return None


def _text(value) -> str:
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return ""
    return str(value)


def _attribute(feature, names: set[str], name: str):
    """The feature's value of ``name`` as plain Python, or None when the layer has no such field."""
    return python_value(feature[name]) if name in names else None


def read_areas(layer: QgsVectorLayer) -> list[AreaEntry]:
    """Every area of the layer, by code (a parent before its children: codes nest)."""
    names = set(layer.fields().names())
    entries = []
    for feature in layer.getFeatures():
        def get(name, feature=feature):
            return _attribute(feature, names, name)
        level = get("level")
        entries.append(AreaEntry(feature.id(), _text(get("code")), _text(get("name")),
                                 int(level) if level is not None else None, _text(get("parent_code")),
                                 _text(get("chief_name")), _text(get("chief_title"))))
    return sorted(entries, key=lambda entry: entry.code)


def read_rules(layers: WorkspaceLayers) -> list:
    """The workspace's patrol rules (巡林规则 table), else the core's defaults."""
    from ..core.patrols.rules import default_rules, rules_from_rows

    table = layers.rules
    if table is None:
        table = QgsVectorLayer("{}|layername={}".format(layers.areas.source().split("|", 1)[0],
                                                        schema.PATROL_RULES.name), "rules", "ogr")
    rows = []
    if table.isValid() and {"level", "period", "min_count"} <= set(table.fields().names()):
        rows = [{name: python_value(feature[name]) for name in ("level", "period", "min_count")}
                for feature in table.getFeatures()]
    return list(rules_from_rows(rows) or default_rules())


# --- periods ---------------------------------------------------------------------------------------

PERIOD_KINDS = ("month", "quarter", "year")


def period_range(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month, quarter or year holding ``day``: (first day, last day)."""
    if kind == "month":
        first = day.replace(day=1)
    elif kind == "quarter":
        first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    elif kind == "year":
        first = dt.date(day.year, 1, 1)
    else:
        raise ValueError(kind)
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    year, month = divmod(first.month - 1 + months, 12)
    last = dt.date(first.year + year, month + 1, 1) - dt.timedelta(days=1)
    return first, last


def shift_period(kind: str, first: dt.date, last: dt.date, steps: int) -> tuple[dt.date, dt.date]:
    """The period ``steps`` periods before (negative) or after ``first``..``last``."""
    if kind in PERIOD_KINDS:
        months = {"month": 1, "quarter": 3, "year": 12}[kind] * steps
        year, month = divmod(first.month - 1 + months, 12)
        day = dt.date(first.year + year, month + 1, 1)
        return period_range(kind, day)
    span = (last - first).days + 1
    return first + dt.timedelta(days=span * steps), last + dt.timedelta(days=span * steps)


def reference_date(tracks: QgsVectorLayer, today: Optional[dt.date] = None) -> dt.date:
    """The day the presets start from: today, or the last patrol when the tracks end earlier."""
    today = today or dt.date.today()
    index = tracks.fields().indexOf("start_time")
    if index < 0:
        return today
    latest = python_value(tracks.dataProvider().maximumValue(index))
    if isinstance(latest, str):
        try:
            latest = dt.datetime.fromisoformat(latest.replace("Z", ""))
        except ValueError:
            latest = None
    if isinstance(latest, dt.datetime):
        latest = latest.date()
    if isinstance(latest, dt.date) and dt.date(1990, 1, 1) < latest < today:
        return latest
    return today


# --- the overlay on the workspace's track layer ---------------------------------------------------

def _quote(text: str) -> str:
    return "'{}'".format(str(text).replace("'", "''"))


def area_filter(code: str) -> str:
    return '"area_code" = {}'.format(_quote(code))


def track_subset(code: str, first: dt.date, last: dt.date) -> str:
    """The area's tracks that start in the period, and its undated ones (their QA note says why).

    The workspace stores times as ISO text, so a text comparison with a date is a time comparison.
    """
    end = last + dt.timedelta(days=1)
    return ('{} AND (("start_time" >= {} AND "start_time" < {}) OR "start_time" IS NULL OR "dated" = 0)'
            .format(area_filter(code), _quote(first.isoformat()), _quote(end.isoformat())))


@dataclass(frozen=True)
class TrackLayerState:
    """What the dock changes on the workspace's track layer, to put back."""

    subset: str
    temporal_active: bool
    mode: object
    start_field: str
    end_field: str

    @classmethod
    def of(cls, layer: QgsVectorLayer) -> "TrackLayerState":
        props = layer.temporalProperties()
        return cls(layer.subsetString(), props.isActive(), props.mode(), props.startField(), props.endField())

    def restore(self, layer: QgsVectorLayer) -> None:
        props = layer.temporalProperties()
        props.setMode(self.mode)
        props.setStartField(self.start_field)
        props.setEndField(self.end_field)
        props.setIsActive(self.temporal_active)
        if layer.subsetString() != self.subset and not layer.isEditable():
            layer.setSubsetString(self.subset)


def apply_track_overlay(layer: QgsVectorLayer, code: str, first: dt.date, last: dt.date) -> bool:
    """Filter the track layer to the area and the period; give it time ranges for the temporal controller.

    False when the layer is being edited (QGIS refuses a subset string then).
    """
    props = layer.temporalProperties()
    props.setMode(Qgis.VectorTemporalMode.FeatureDateTimeStartAndEndFromFields)
    props.setStartField("start_time")
    props.setEndField("end_time")
    props.setIsActive(True)
    if layer.isEditable():
        return False
    return layer.setSubsetString(track_subset(code, first, last))


def read_track_rows(layer: QgsVectorLayer) -> list[TrackRow]:
    """The tracks the layer shows now (its subset string applies), oldest first, undated last."""
    names = set(layer.fields().names())
    rows = []
    for feature in layer.getFeatures():
        def get(name, feature=feature):
            return _attribute(feature, names, name)
        start = get("start_time")
        length = get("length_km")
        on_foot, dated = get("on_foot"), get("dated")
        rows.append(TrackRow(feature.id(), _text(get("patrol_id")), _text(get("patroller")),
                             start if isinstance(start, dt.datetime) else None,
                             float(length) if length is not None else None,
                             None if on_foot is None else bool(on_foot), None if dated is None else bool(dated),
                             _text(get("qa_note"))))
    never = dt.datetime.max
    return sorted(rows, key=lambda row: (not row.dated or row.start_time is None, row.start_time or never, row.fid))


# --- inputs and the computation -------------------------------------------------------------------

def cell_size_for(area_m2: float) -> float:
    """A round cell size giving about ``TARGET_CELLS`` cells over the area, never below the swath."""
    wanted = math.sqrt(max(area_m2, 1.0) / TARGET_CELLS)
    for size in NICE_CELL_SIZES:
        if size >= wanted:
            return float(size)
    return float(NICE_CELL_SIZES[-1])


def working_crs(layer: QgsVectorLayer) -> QgsCoordinateReferenceSystem:
    """The areas' CRS when it is projected (the workspace's always is), else the workspace default."""
    crs = layer.crs()
    if crs.isValid() and not crs.isGeographic():
        return crs
    return QgsCoordinateReferenceSystem("EPSG:{}".format(schema.DEFAULT_EPSG))


@dataclass
class SummaryInputs:
    entry: AreaEntry
    areas: object  # GeoDataFrame, one row: the area
    tracks: object  # GeoDataFrame: every track of the area (the core filters by date)
    rules: list
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    cell_size_m: float
    crs_wkt: str


def gather_inputs(layers: WorkspaceLayers, entry: AreaEntry, date_from: dt.date, date_to: dt.date,
                  today: Optional[dt.date] = None) -> SummaryInputs:
    """Read the area and all of its tracks into GeoDataFrames (on the main thread: QGIS layers live there).

    Leaves the track layer filtered to the area (``apply_track_overlay`` then narrows it to the period).

    Compliance is judged as of ``min(date_to, today)``: a period that has not ended yet is not due.
    Raises InputDataError (a LinzhangError) for a bad patrol-rules table or missing fields.
    """
    import pandas as pd

    from ..qgis_glue.frames import source_to_frame

    crs = working_crs(layers.areas)
    area_source = layers.areas.materialize(QgsFeatureRequest().setFilterFid(entry.fid))
    areas = source_to_frame(area_source, [name for name in AREA_FIELDS if name in area_source.fields().names()],
                            crs, layer_label=schema.RESP_AREAS.title_zh)
    # Read through the project's own layer: a second connection to a GeoPackage in WAL mode while
    # QGIS holds one makes GDAL log "unable to open database file". Its subset is set to the whole
    # area (all dates: the last patrol may precede the period) before the overlay narrows it.
    if not layers.tracks.isEditable():
        layers.tracks.setSubsetString(area_filter(entry.code))
    track_source = layers.tracks.materialize(QgsFeatureRequest().setFilterExpression(area_filter(entry.code)))
    tracks = source_to_frame(track_source, list(TRACK_FIELDS), crs, layer_label=schema.PATROL_TRACKS.title_zh)
    for name in ("start_time", "end_time"):
        tracks[name] = pd.to_datetime(tracks[name], errors="coerce")
    # on_foot and dated stay as stored (NULL included): the core reads an empty value its own way
    tracks = tracks[tracks.geometry.notna() & ~tracks.geometry.is_empty].reset_index(drop=True)
    area_m2 = float(areas.geometry.area.sum()) if len(areas) else 0.0
    as_of = max(date_from, min(date_to, today or dt.date.today()))
    return SummaryInputs(entry, areas, tracks, read_rules(layers), date_from, date_to, as_of,
                         cell_size_for(area_m2), crs.toWkt())


@dataclass
class AreaSummary:
    """The core's answers for one area and period, and the few numbers the dock derives from them."""

    entry: AreaEntry
    date_from: dt.date
    date_to: dt.date
    coverage: dict  # area_coverage row: covered_ha, coverage_pct, track_km, patrols, patrol_days, hours, last_patrol
    compliance: dict  # patrol_compliance summary row
    periods: object  # DataFrame: the area's periods (required, achieved, compliant)
    cells: object  # GeoDataFrame: effort grid (cell_id, km, patrols, visited, geometry)
    cell_size_m: float
    area_ha: float
    as_of: Optional[dt.date] = None
    crs_wkt: str = ""
    seconds: float = 0.0

    @property
    def coverage_pct(self) -> float:
        return _number(self.coverage.get("coverage_pct"))

    @property
    def covered_ha(self) -> float:
        return _number(self.coverage.get("covered_ha"))

    @property
    def track_km(self) -> float:
        return _number(self.coverage.get("track_km"))

    @property
    def patrols_done(self) -> int:
        """Counted patrols (dated, on foot, mostly inside) from the start of the period to ``as_of``."""
        return int(_number(self.compliance.get("patrols")))

    @property
    def patrols_required(self) -> int:
        """The rule's minimum summed over the periods of the chosen span (due or not)."""
        return int(_number(self.periods["required"].sum())) if len(self.periods) else 0

    @property
    def periods_required(self) -> int:
        """Periods that have ended by ``as_of``."""
        return int(_number(self.compliance.get("periods_required")))

    @property
    def periods_met(self) -> int:
        return int(_number(self.compliance.get("periods_met")))

    @property
    def compliant(self) -> Optional[bool]:
        """True or False; None when no rule covers the chief's level."""
        value = self.compliance.get("compliant")
        return None if value is None or value != value else bool(value)

    @property
    def last_patrol(self) -> Optional[dt.date]:
        return _date(self.compliance.get("last_patrol"))

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    @property
    def never_visited(self) -> int:
        return int((~self.cells["visited"].astype(bool)).sum()) if len(self.cells) else 0


def _number(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(number) else number


def _date(value) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
        value = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    return value.date()


def _row(frame, code: str, key: str = "area_code") -> dict:
    if frame is None or len(frame) == 0:
        return {}
    if key in frame.columns:
        match = frame[frame[key].astype(str) == code]
        if len(match):
            return match.iloc[0].to_dict()
    return frame.iloc[0].to_dict()


def compute_summary(inputs: SummaryInputs, is_canceled: Optional[Callable[[], bool]] = None) -> Optional[AreaSummary]:
    """Coverage (swath ``SWATH_M``), compliance and effort grid of one area: pure, runs in a worker thread.

    None when canceled between steps.
    """
    import time

    from ..core.patrols.compliance import patrol_compliance
    from ..core.patrols.coverage import area_coverage, effort_grid

    started = time.perf_counter()
    code = inputs.entry.code

    def canceled() -> bool:
        return is_canceled is not None and is_canceled()

    coverage = area_coverage(inputs.tracks, inputs.areas, swath_m=SWATH_M,
                             date_from=inputs.date_from, date_to=inputs.date_to)
    if canceled():
        return None
    result = patrol_compliance(inputs.areas, inputs.tracks, inputs.rules, inputs.date_from, inputs.date_to,
                               as_of=inputs.as_of)
    if canceled():
        return None
    periods = result.periods
    if len(periods) and "area_code" in periods.columns:
        periods = periods[periods["area_code"].astype(str) == code].reset_index(drop=True)
    cells = effort_grid(inputs.tracks, inputs.areas, inputs.cell_size_m, area_key="code",
                        date_from=inputs.date_from, date_to=inputs.date_to)
    area_ha = float(inputs.areas.geometry.area.sum()) / 10000.0 if len(inputs.areas) else 0.0
    coverage_row = coverage.iloc[0].to_dict() if len(coverage) else {}
    return AreaSummary(inputs.entry, inputs.date_from, inputs.date_to, coverage_row,
                       _row(result.summary, code), periods, cells, inputs.cell_size_m, area_ha, inputs.as_of,
                       inputs.crs_wkt, time.perf_counter() - started)


class SummaryTask(QgsTask):
    """``compute_summary`` off the UI thread; ``computed`` / ``failed`` are emitted on the main thread.

    Why a task although it is one area: measured on the demo district, a village's quarter takes 0.1-0.25 s
    but the district's year 0.3-1.0 s (its whole grid, the buffer union of all its tracks), more than a
    click may freeze the window. Reading the layers stays on the main thread (``gather_inputs``).
    """

    computed = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(self, inputs: SummaryInputs) -> None:
        super().__init__(tr("Patrol summary of {}").format(inputs.entry.name), QgsTask.Flag.CanCancel)
        self.inputs = inputs
        self.summary: Optional[AreaSummary] = None
        self.error = ""

    def run(self) -> bool:
        try:
            self.summary = compute_summary(self.inputs, self.isCanceled)
        except Exception as error:  # noqa: BLE001 - shown to the user as a sentence, not a traceback
            self.error = str(error) or type(error).__name__
            return False
        return self.summary is not None

    def finished(self, result: bool) -> None:
        if result and self.summary is not None:
            self.computed.emit(self.summary)
        elif not self.isCanceled():
            self.failed.emit(self.error)


# --- the never-visited cells layer ------------------------------------------------------------------

def cells_layer(summary: AreaSummary) -> QgsVectorLayer:
    """A memory layer of the area's effort grid: never-visited cells in a warning colour."""
    from ..qgis_glue.frames import frame_to_sink, qgis_fields

    crs = QgsCoordinateReferenceSystem.fromWkt(summary.crs_wkt) if summary.crs_wkt else QgsCoordinateReferenceSystem()
    name = tr("Never-visited cells: {}").format(summary.entry.name)
    authid = crs.authid() or "EPSG:{}".format(schema.DEFAULT_EPSG)
    layer = QgsVectorLayer("Polygon?crs={}".format(authid), name, "memory")
    if crs.isValid() and not crs.authid():
        layer.setCrs(crs)
    fields = qgis_fields([("cell_id", QVariant.Type.String), ("area_code", QVariant.Type.String),
                          ("km", QVariant.Type.Double), ("patrols", QVariant.Type.Int),
                          ("patrol_days", QVariant.Type.Int), ("visited", QVariant.Type.Bool)])
    provider = layer.dataProvider()
    provider.addAttributes(fields.toList())
    layer.updateFields()
    frame = summary.cells.copy()
    for column in fields.names():
        if column not in frame.columns:
            frame[column] = None
    frame["visited"] = frame["visited"].astype(bool)
    frame_to_sink(frame[[*fields.names(), "geometry"]], provider, layer.fields())
    layer.updateExtents()
    layer.setCustomProperty(TEMPORARY_PROPERTY, CELLS_TAG)
    aliases = {"cell_id": tr("Cell"), "area_code": tr("Area code"), "km": tr("Track km"),
               "patrols": tr("Patrols"), "patrol_days": tr("Patrol days"), "visited": tr("Visited")}
    for name_, alias in aliases.items():
        layer.setFieldAlias(layer.fields().indexOf(name_), alias)
    never = QgsFillSymbol.createSimple({"color": NEVER_VISITED_COLOUR, "outline_color": NEVER_VISITED_OUTLINE,
                                        "outline_width": "0.2", "outline_width_unit": "MM"})
    seen = QgsFillSymbol.createSimple({"style": "no", "outline_color": VISITED_OUTLINE,
                                       "outline_width": "0.1", "outline_width_unit": "MM"})
    layer.setRenderer(QgsCategorizedSymbolRenderer("visited", [
        QgsRendererCategory(False, never, tr("never visited"), True),
        QgsRendererCategory(True, seen, tr("visited"), True),
    ]))
    return layer


def temporary_layers(project: QgsProject) -> list[QgsMapLayer]:
    return [layer for layer in project.mapLayers().values() if layer.customProperty(TEMPORARY_PROPERTY) == CELLS_TAG]

