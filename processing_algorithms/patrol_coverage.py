"""linzhang:patrolcoverage: patrol coverage and effort per responsibility area (巡林覆盖率), and per grid cell."""
from __future__ import annotations

import math

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProject,
    QgsUnitTypes,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QVariant

from ..i18n import bilingual, tr, tr_noop
from ..qgis_glue.frames import add_multi_feature
from .base import LinzhangAlgorithm

TRACK_FIELDS = ("patrol_id", "start_time", "end_time", "dated", "on_foot")
DEFAULT_EPSG = 4547  # CGCS2000 / 3-degree Gauss-Kruger CM 114E (Ganzhou)
COVERAGE_FIELDS = (
    ("covered_ha", QVariant.Double), ("coverage_pct", QVariant.Double), ("track_km", QVariant.Double),
    ("patrols", QVariant.Int), ("patrol_days", QVariant.Int), ("hours", QVariant.Double),
    ("last_patrol", QVariant.Date),
)
GRID_FIELDS = (
    ("cell_id", QVariant.String), ("area_code", QVariant.String), ("km", QVariant.Double),
    ("patrols", QVariant.Int), ("patrol_days", QVariant.Int), ("visited", QVariant.Bool),
)


def working_crs(areas_crs: QgsCoordinateReferenceSystem, extent_lonlat) -> QgsCoordinateReferenceSystem:
    """A projected CRS in metres: the areas' own when it is one, else the CGCS2000 3-degree Gauss-Kruger
    zone (in China) or the UTM zone of the areas' centre, else EPSG:4547."""
    if (areas_crs.isValid() and not areas_crs.isGeographic()
            and areas_crs.mapUnits() == QgsUnitTypes.DistanceUnit.DistanceMeters):
        return areas_crs
    if extent_lonlat is None:
        return QgsCoordinateReferenceSystem(f"EPSG:{DEFAULT_EPSG}")
    lon, lat = extent_lonlat
    if 73.0 <= lon <= 136.5 and 15.0 <= lat <= 54.0:  # China: CGCS2000 / 3-degree GK CM 75E..135E
        zone = min(max(int(round((lon - 75.0) / 3.0)), 0), 20)
        return QgsCoordinateReferenceSystem(f"EPSG:{4534 + zone}")
    zone = min(max(int(math.floor((lon + 180.0) / 6.0)) + 1, 1), 60)
    return QgsCoordinateReferenceSystem(f"EPSG:{(32600 if lat >= 0 else 32700) + zone}")


def _centre_lonlat(source, crs: QgsCoordinateReferenceSystem):
    extent = source.sourceExtent()
    if not crs.isValid() or source.featureCount() == 0 or extent.isNull():
        return None
    transform = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    try:
        centre = transform.transform(extent.center())
    except Exception:  # noqa: BLE001 - QgsCsException: fall back to the default zone
        return None
    return centre.x(), centre.y()


class PatrolCoverageAlgorithm(LinzhangAlgorithm):
    NAME = "patrolcoverage"
    DISPLAY_NAME = "Patrol coverage"
    GROUP_ID = "patrol"
    GROUP = "Patrols"
    TAGS = "patrol,coverage,effort,SMART,track,巡林,覆盖率,巡护,轨迹"
    REQUIRES = ("numpy", "shapely", "geopandas", "pyproj")
    HELP = ("Patrol coverage and effort for each responsibility area, as SMART computes its 'area covered': "
            "every track is buffered by half the swath width, the buffers are merged (overlaps count once) and "
            "clipped to the area. The output is the areas with all their fields plus covered_ha, coverage_pct "
            "(0-100), track_km (length inside), patrols (distinct patrol ids), patrol_days (distinct dates), "
            "hours (each track's duration in proportion to its length inside) and last_patrol (latest date). "
            "A track crossing two areas counts in both. Tracks need the fields patrol_id, start_time, end_time, "
            "dated and on_foot (as the patrol tracks layer of the workspace has). With a date range only dated "
            "tracks of those dates count; without one, undated tracks count for coverage and km but never for "
            "days, hours or the last patrol. A grid cell size also gives the gridded effort: square cells "
            "clipped to each area with km, patrols, patrol days and whether they were visited. The layers may "
            "have different CRSs: the work is done in a projected CRS in metres (the areas' own, or the local "
            "CGCS2000 3-degree Gauss-Kruger zone) and the outputs are in the areas' CRS.")

    TRACKS = "TRACKS"
    AREAS = "AREAS"
    SWATH_WIDTH = "SWATH_WIDTH"
    DATE_FROM = "DATE_FROM"
    DATE_TO = "DATE_TO"
    ON_FOOT_ONLY = "ON_FOOT_ONLY"
    GRID_SIZE = "GRID_SIZE"
    OUTPUT = "OUTPUT"
    GRID = "GRID"

    def initAlgorithm(self, config=None):  # noqa: N802
        tracks = QgsProcessingParameterFeatureSource(self.TRACKS, tr("Patrol tracks"),
                                                     [QgsProcessing.SourceType.TypeVectorLine])
        tracks.setHelp(tr("Patrol track lines with the fields patrol_id, start_time, end_time, dated and on_foot "
                          "(the workspace's patrol tracks layer)."))
        self.addParameter(tracks)
        areas = QgsProcessingParameterFeatureSource(self.AREAS, tr("Responsibility areas"),
                                                    [QgsProcessing.SourceType.TypeVectorPolygon])
        areas.setHelp(tr("The polygons to measure coverage in, e.g. the chief responsibility areas; all their "
                         "fields are kept in the output."))
        self.addParameter(areas)
        swath = QgsProcessingParameterNumber(self.SWATH_WIDTH, tr("Swath width (m)"),
                                             QgsProcessingParameterNumber.Type.Double, 100.0, False, 0.1)
        swath.setHelp(tr("The width of the strip a patroller watches, in metres: each track is buffered by half "
                         "of it (default 100 m)."))
        self.addParameter(swath)
        for name, label, help_text in (
                (self.DATE_FROM, tr("From date"), tr("Optional: only dated tracks that start on or after this "
                                                     "date count; undated tracks are then left out.")),
                (self.DATE_TO, tr("To date"), tr("Optional: only dated tracks that start on or before this "
                                                 "date count; undated tracks are then left out."))):
            date = QgsProcessingParameterDateTime(name, label, QgsProcessingParameterDateTime.Type.Date,
                                                  optional=True)
            date.setHelp(help_text)
            self.addParameter(date)
        on_foot = QgsProcessingParameterBoolean(self.ON_FOOT_ONLY, tr("Foot patrols only"), False)
        on_foot.setHelp(tr("When true, only tracks whose on_foot field is true count (vehicle tracks and "
                           "tracks of unknown mode are left out)."))
        self.addParameter(on_foot)
        grid = QgsProcessingParameterNumber(self.GRID_SIZE, tr("Grid cell size (m)"),
                                            QgsProcessingParameterNumber.Type.Double, None, True, 0.0)
        grid.setHelp(tr("Optional: the side of the square cells of the gridded effort output, in metres "
                        "(e.g. 500). Empty or 0: no grid."))
        self.addParameter(grid)
        output = QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Patrol coverage"),
                                                   QgsProcessing.SourceType.TypeVectorPolygon)
        output.setHelp(tr("The areas with their fields plus covered_ha, coverage_pct, track_km, patrols, "
                          "patrol_days, hours and last_patrol, in the areas' CRS."))
        self.addParameter(output)
        grid_output = QgsProcessingParameterFeatureSink(self.GRID, tr("Gridded patrol effort"),
                                                        QgsProcessing.SourceType.TypeVectorPolygon,
                                                        optional=True, createByDefault=True)
        grid_output.setHelp(tr("Written only when a grid cell size is given: cells clipped to each area with "
                               "cell_id, area_code, km, patrols, patrol_days and visited."))
        self.addParameter(grid_output)

    # --- helpers --------------------------------------------------------------------------------

    def _date(self, parameters, name, context):
        if parameters.get(name) in (None, ""):
            return None
        value = self.parameterAsDateTime(parameters, name, context)
        if value is None or not value.isValid():
            raw = parameters.get(name)
            if isinstance(raw, QDate) and raw.isValid():
                return raw.toPyDate()
            return None
        return value.date().toPyDate()

    def _run(self, parameters, context, feedback):
        import numpy as np

        from ..core.patrols.coverage import CoverageCanceled, area_coverage
        from ..qgis_glue.frames import source_to_frame

        tracks_source = self.parameterAsSource(parameters, self.TRACKS, context)
        areas_source = self.parameterAsSource(parameters, self.AREAS, context)
        if tracks_source is None or areas_source is None:
            message = tr_noop("The tracks or the areas layer could not be read.")
            raise QgsProcessingException(bilingual(tr(message), message))
        swath = self.parameterAsDouble(parameters, self.SWATH_WIDTH, context)
        date_from = self._date(parameters, self.DATE_FROM, context)
        date_to = self._date(parameters, self.DATE_TO, context)
        if date_from and date_to and date_from > date_to:
            message = tr_noop("The 'from' date {} is after the 'to' date {}.")
            raise QgsProcessingException(bilingual(tr(message).format(date_from, date_to),
                                                   message.format(date_from, date_to)))
        on_foot_only = self.parameterAsBoolean(parameters, self.ON_FOOT_ONLY, context)
        grid_size = self.parameterAsDouble(parameters, self.GRID_SIZE, context) if parameters.get(
            self.GRID_SIZE) not in (None, "") else 0.0

        areas_crs = areas_source.sourceCrs()
        centre = _centre_lonlat(areas_source, areas_crs) or _centre_lonlat(tracks_source, tracks_source.sourceCrs())
        work_crs = working_crs(areas_crs, centre)
        if not areas_crs.isValid():
            areas_crs = work_crs
        feedback.pushInfo(tr("Working CRS: {}").format(work_crs.authid() or work_crs.description()))
        steps = QgsProcessingMultiStepFeedback(5 if grid_size > 0 else 4, feedback)

        # areas: the geometry and the code only (the fields are copied as they are when writing)
        steps.setCurrentStep(0)
        key_fields = ["code"] if areas_source.fields().indexFromName("code") >= 0 else []
        areas = source_to_frame(areas_source, key_fields, work_crs, steps, areas_source.sourceName())
        steps.setCurrentStep(1)
        tracks = source_to_frame(tracks_source, list(TRACK_FIELDS), work_crs, steps,
                                 tracks_source.sourceName() or tr("Patrol tracks"))
        self._check(feedback)
        if len(areas) == 0:
            feedback.pushWarning(tr("The areas layer has no features: the output is empty."))
        if len(tracks) == 0:
            feedback.pushWarning(tr("The tracks layer has no features: every area gets zero coverage."))

        def progress(percent: float) -> bool:
            steps.setProgress(percent)
            return not feedback.isCanceled()

        steps.setCurrentStep(2)
        try:
            coverage = area_coverage(tracks, areas, swath, date_from, date_to, on_foot_only, progress=progress)
        except CoverageCanceled:
            raise QgsProcessingException(tr("Canceled."))
        if coverage.attrs.get("repaired"):
            feedback.pushWarning(tr("{} invalid area polygons were repaired before measuring (feature ids: {}).")
                                 .format(len(coverage.attrs["repaired"]),
                                         ", ".join(str(int(areas["fid"].iloc[i])) for i in coverage.attrs["repaired"][:20])))
        if len(areas) and len(tracks) and not coverage["track_km"].any() and not coverage["covered_ha"].any():
            feedback.pushWarning(tr("No track reaches any area (after the date and on-foot filters): "
                                    "every area gets zero coverage."))

        steps.setCurrentStep(3)
        output_fields = QgsFields(areas_source.fields())
        added = [(name, kind) for name, kind in COVERAGE_FIELDS if output_fields.indexFromName(name) < 0]
        for name, kind in added:
            output_fields.append(QgsField(name, kind))
        sink, sink_id = self.parameterAsSink(parameters, self.OUTPUT, context, output_fields,
                                             QgsWkbTypes.multiType(areas_source.wkbType()), areas_crs)
        if sink is None:
            message = tr_noop("Could not create the output layer.")
            raise QgsProcessingException(bilingual(tr(message), message))
        position = {int(fid): i for i, fid in enumerate(areas["fid"])}
        columns = {name: coverage[name].to_numpy() for name, _ in COVERAGE_FIELDS}
        indices = {name: output_fields.indexFromName(name) for name, _ in COVERAGE_FIELDS}
        total = max(len(areas), 1)
        for count, feature in enumerate(areas_source.getFeatures()):
            if count % 500 == 0:
                self._check(feedback)
                steps.setProgress(100.0 * count / total)
            row = position.get(int(feature.id()))
            attributes = list(feature.attributes()) + [None] * len(added)
            if row is not None:
                for name, _kind in COVERAGE_FIELDS:
                    value = columns[name][row]
                    if name == "last_patrol":
                        value = QDate(value) if value is not None else None
                    elif isinstance(value, np.generic):
                        value = value.item()
                    attributes[indices[name]] = value
            add_multi_feature(sink, output_fields, feature.geometry(), attributes)
        results = {self.OUTPUT: sink_id}

        if grid_size > 0:
            steps.setCurrentStep(4)
            results.update(self._grid(parameters, context, feedback, progress, tracks, areas, work_crs, areas_crs,
                                      grid_size, date_from, date_to, on_foot_only))
        elif parameters.get(self.GRID) not in (None, "") and "TEMPORARY_OUTPUT" not in str(parameters.get(self.GRID)):
            feedback.pushWarning(tr("No grid cell size was given: the grid output is not written."))
        return results

    def _grid(self, parameters, context, feedback, progress, tracks, areas, work_crs, areas_crs,
              grid_size, date_from, date_to, on_foot_only) -> dict:
        import shapely

        from ..core.patrols.coverage import CoverageCanceled, effort_grid
        from ..qgis_glue.frames import frame_to_sink, qgis_fields

        if "code" not in areas.columns:
            feedback.pushWarning(tr("The areas have no field 'code': grid cells carry the area's feature id."))
            areas = areas.assign(code=areas["fid"].astype(str))
        try:
            grid = effort_grid(tracks, areas, grid_size, "code", date_from, date_to, on_foot_only, progress=progress)
        except CoverageCanceled:
            raise QgsProcessingException(tr("Canceled."))
        if len(grid):
            parts, owner = shapely.get_parts(grid.geometry.values, return_index=True)
            grid = grid.set_geometry(shapely.multipolygons(parts, indices=owner), crs=work_crs.toWkt())
            if areas_crs != work_crs:
                grid = grid.to_crs(areas_crs.toWkt())
        fields = qgis_fields(GRID_FIELDS)
        sink, sink_id = self.parameterAsSink(parameters, self.GRID, context, fields,
                                             QgsWkbTypes.Type.MultiPolygon, areas_crs)
        if sink is None:
            feedback.pushWarning(tr("A grid cell size was given but no grid output: the grid is not written."))
            return {}
        feedback.pushInfo(tr("{} grid cells, {} visited.").format(len(grid), int(grid["visited"].sum())))
        frame_to_sink(grid, sink, fields, feedback)
        return {self.GRID: sink_id}
