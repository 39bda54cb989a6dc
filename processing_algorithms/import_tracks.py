"""linzhang:importtracks: GPS tracks (GPX, CSV, PLT) to quality-checked patrol tracks (巡林轨迹导入)."""
from __future__ import annotations

import os

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core import schema
from ..i18n import bilingual, tr, tr_noop
from ..qgis_glue.frames import WKB_TYPE
from .base import LinzhangAlgorithm
from .workspace_output import crs_to_epsg

SOURCES = ("file_name", "track_name", "fixed", "column")  # the order of PATROLLER_SOURCE's options
SOURCE_LABELS = (tr_noop("File name (the part before the first _)"), tr_noop("Track name in the file"),
                 tr_noop("Fixed value (PATROLLER)"), tr_noop("CSV column (PATROLLER)"))


class ImportTracksAlgorithm(LinzhangAlgorithm):
    NAME = "importtracks"
    DISPLAY_NAME = "Import patrol tracks"
    GROUP_ID = "patrol"
    GROUP = "Patrols"
    TAGS = "patrol,track,GPX,CSV,PLT,GPS,import,quality,巡林,轨迹,导入,质检"
    REQUIRES = ("numpy", "shapely", "pyproj", "gpxpy", "geopandas")
    HELP = ("Imports patrol tracks (巡林轨迹) from a GPX, CSV or GeoLife PLT file, or from every such file of a "
            "folder, and checks their quality before any patrol effort is credited: fixes at (0, 0), repeated "
            "or backward times and jumps (longer or faster than the limits) are dropped; a track is split into "
            "separate patrols at long time gaps; pieces with too few fixes are dropped; stretches at vehicle "
            "speed are measured and a patrol driven for the most part is marked as not on foot; a track whose "
            "times are missing or absurd (before 2000, in the future) keeps its line for coverage but is not "
            "dated. Each patrol gets a readable QA note. The patroller comes from the file name, the track "
            "name, a fixed value or a CSV column; with responsibility areas, an area code in the file name or "
            "the chief's name links the patrol to its area. Times are written at the UTC offset given "
            "(Beijing time by default). A file that cannot be read is reported and skipped. With a workspace, "
            "the patrols are also added to its patrol_tracks layer, skipping patrol ids already there.")

    INPUT = "INPUT"
    PATROLLER_SOURCE = "PATROLLER_SOURCE"
    PATROLLER = "PATROLLER"
    AREAS = "AREAS"
    TARGET_CRS = "TARGET_CRS"
    MAX_JUMP_KM = "MAX_JUMP_KM"
    MAX_SPEED_KMH = "MAX_SPEED_KMH"
    GAP_MINUTES = "GAP_MINUTES"
    MIN_POINTS = "MIN_POINTS"
    VEHICLE_SPEED_KMH = "VEHICLE_SPEED_KMH"
    VEHICLE_WINDOW_MIN = "VEHICLE_WINDOW_MIN"
    UTC_OFFSET = "UTC_OFFSET"
    LON_COLUMN = "LON_COLUMN"
    LAT_COLUMN = "LAT_COLUMN"
    TIME_COLUMN = "TIME_COLUMN"
    OUTPUT = "OUTPUT"
    WORKSPACE = "WORKSPACE"
    IMPORTED = "IMPORTED"
    SKIPPED_FILES = "SKIPPED_FILES"
    ADDED_TO_WORKSPACE = "ADDED_TO_WORKSPACE"

    def initAlgorithm(self, config=None):  # noqa: N802
        self._add_inputs()
        self._add_thresholds()
        self._add_outputs()

    def _add_inputs(self) -> None:
        self._add(QgsProcessingParameterFile(self.INPUT, tr("Track folder or file"),
                                             QgsProcessingParameterFile.Behavior.Folder),
                  tr("A folder: every .gpx, .csv and .plt file in it is imported, in name order. A single file "
                     "also works (type or paste its path)."))
        self._add(QgsProcessingParameterEnum(self.PATROLLER_SOURCE, tr("Patroller from"),
                                             [tr(label) for label in SOURCE_LABELS], defaultValue=1),
                  tr("Where the patroller's name comes from. The track name falls back to the file name when a "
                     "track has none; demo files are named {area code}_{date}_{n}.gpx."))
        self._add(QgsProcessingParameterString(self.PATROLLER, tr("Patroller or CSV column"), optional=True),
                  tr("The patroller's name for 'Fixed value', or the CSV column holding it for 'CSV column'."))
        self._add(QgsProcessingParameterFeatureSource(self.AREAS, tr("Responsibility areas"),
                                                      [QgsProcessing.SourceType.TypeVectorPolygon], optional=True),
                  tr("Optional chief responsibility areas with the fields code and chief_name: an area code in "
                     "the file name links the patrol to that area (and names its chief), else the patroller's "
                     "name links it to the area of that chief."))
        self._add(QgsProcessingParameterCrs(self.TARGET_CRS, tr("Target CRS"), f"EPSG:{schema.DEFAULT_EPSG}",
                                            optional=True),
                  tr("A projected CRS in metres for the output lines; the default is CGCS2000 / 3-degree "
                     "Gauss-Kruger CM 114E (EPSG:4547), the zone of Ganzhou, used when empty."))

    def _number(self, name: str, label: str, default: float, minimum: float, help_text: str,
                integer: bool = False, maximum: float = None) -> None:
        kind = QgsProcessingParameterNumber.Type.Integer if integer else QgsProcessingParameterNumber.Type.Double
        parameter = QgsProcessingParameterNumber(name, label, kind, default, minValue=minimum)
        if maximum is not None:
            parameter.setMaximum(maximum)
        self._add(parameter, help_text, advanced=True)

    def _add_thresholds(self) -> None:
        self._number(self.MAX_JUMP_KM, tr("Largest jump between fixes (km)"), 45.0, 0.01,
                     tr("A leg longer than this is a jump: a short run of fixes between jumps is dropped as bad "
                        "fixes, otherwise the line is broken there."))
        self._number(self.MAX_SPEED_KMH, tr("Largest speed between fixes (km/h)"), 90.0, 1.0,
                     tr("A leg faster than this is a jump, like a leg longer than the largest jump."))
        self._number(self.GAP_MINUTES, tr("Split at time gaps over (minutes)"), 30.0, 1.0,
                     tr("A dated track is split into separate patrols where no fix was logged for this long."))
        self._number(self.MIN_POINTS, tr("Fewest fixes of a patrol"), 3, 2,
                     tr("Pieces with fewer good fixes are dropped."), integer=True)
        self._number(self.VEHICLE_SPEED_KMH, tr("Vehicle speed (km/h)"), 15.0, 1.0,
                     tr("Stretches whose mean speed over the moving window is above this were driven, not walked; "
                        "a patrol mostly driven is not on foot."))
        self._number(self.VEHICLE_WINDOW_MIN, tr("Moving window for the vehicle speed (minutes)"), 2.0, 0.1,
                     tr("The speed of each leg is the mean over at least this long around it, so that one noisy "
                        "fix does not make a walk a drive."))
        self._number(self.UTC_OFFSET, tr("Time zone (hours east of UTC)"), 8.0, -12.0,
                     tr("Patrol times are written at this offset (8: Beijing time); CSV times without a time zone "
                        "are read at it. GPX and PLT times are in UTC."), maximum=14.0)
        for name, label, help_text in (
                (self.LON_COLUMN, tr("CSV longitude column"), tr("Only when the column is not found by its usual "
                                                                 "names (经度, lon, lng, longitude, x).")),
                (self.LAT_COLUMN, tr("CSV latitude column"), tr("Only when the column is not found by its usual "
                                                                "names (纬度, lat, latitude, y).")),
                (self.TIME_COLUMN, tr("CSV time column"), tr("Only when the column is not found by its usual "
                                                             "names (时间, 定位时间, time, timestamp, datetime, or "
                                                             "date and time columns)."))):
            self._add(QgsProcessingParameterString(name, label, optional=True), help_text, advanced=True)

    def _add_outputs(self) -> None:
        self._add(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Patrol tracks"),
                                                    QgsProcessing.SourceType.TypeVectorLine),
                  tr("The cleaned patrols, with the fields of the workspace's patrol_tracks layer, in the target "
                     "CRS."))
        self._add(QgsProcessingParameterFile(self.WORKSPACE, tr("Also add to workspace"),
                                             QgsProcessingParameterFile.Behavior.File, fileFilter=tr(
                                                 "GeoPackage (*.gpkg)"), optional=True),
                  tr("Optional one-map workspace (.gpkg): the patrols are added to its patrol_tracks layer in one "
                     "transaction; patrol ids already there are skipped, so importing twice adds nothing."))
        self.addOutput(QgsProcessingOutputNumber(self.IMPORTED, tr("Patrols imported")))
        self.addOutput(QgsProcessingOutputNumber(self.SKIPPED_FILES, tr("Files skipped")))
        self.addOutput(QgsProcessingOutputNumber(self.ADDED_TO_WORKSPACE, tr("Patrols added to the workspace")))

    # --- running ---------------------------------------------------------------------------------

    def _run(self, parameters, context, feedback) -> dict:
        from ..core.patrols import track_import
        from ..core.workspace import read_workspace_info

        path = self.parameterAsFile(parameters, self.INPUT, context)
        options = self._options(parameters, context)
        workspace = self.parameterAsFile(parameters, self.WORKSPACE, context)
        if workspace:
            read_workspace_info(workspace)
        areas = self._areas(parameters, context, feedback)
        files = track_import.list_track_files(path)
        patrols, problems = self._import(files, options, areas, feedback)
        if not patrols:
            self._nothing_imported(problems)
        sink, dest = self._write(parameters, context, patrols, options.epsg, feedback)
        added = 0
        if workspace:
            added, skipped = track_import.append_to_workspace(workspace, patrols, options.epsg)
            feedback.pushInfo(tr("Workspace {}: {} patrols added, {} already there.").format(
                os.path.basename(workspace), added, skipped))
        feedback.setProgress(100)
        return {self.OUTPUT: dest, self.IMPORTED: len(patrols), self.SKIPPED_FILES: len(problems),
                self.ADDED_TO_WORKSPACE: added}

    def _options(self, parameters, context):
        from ..core.patrols.track_import import ImportOptions
        from ..core.patrols.track_quality import QualityParams
        from ..core.patrols.track_readers import CsvColumns

        def number(name):
            return self.parameterAsDouble(parameters, name, context)

        source = SOURCES[self.parameterAsEnum(parameters, self.PATROLLER_SOURCE, context)]
        patroller = self.parameterAsString(parameters, self.PATROLLER, context).strip()
        if source in ("fixed", "column") and not patroller:
            message = tr_noop("Give the patroller's name, or the CSV column that holds it, in 'Patroller or "
                              "CSV column'.")
            raise QgsProcessingException(bilingual(tr(message), message))
        quality = QualityParams(max_jump_km=number(self.MAX_JUMP_KM), max_speed_kmh=number(self.MAX_SPEED_KMH),
                                gap_split_min=number(self.GAP_MINUTES),
                                min_points=self.parameterAsInt(parameters, self.MIN_POINTS, context),
                                vehicle_speed_kmh=number(self.VEHICLE_SPEED_KMH),
                                vehicle_window_s=60.0 * number(self.VEHICLE_WINDOW_MIN))
        columns = CsvColumns(*(self.parameterAsString(parameters, name, context).strip()
                               for name in (self.LON_COLUMN, self.LAT_COLUMN, self.TIME_COLUMN)))
        crs = self.parameterAsCrs(parameters, self.TARGET_CRS, context)
        epsg = crs_to_epsg(crs) if crs.isValid() else schema.DEFAULT_EPSG
        return ImportOptions(quality=quality, epsg=epsg, patroller_source=source, patroller=patroller,
                             csv_columns=columns, utc_offset_h=number(self.UTC_OFFSET))

    def _areas(self, parameters, context, feedback):
        from ..core.patrols.track_import import AreaIndex
        from ..qgis_glue.frames import source_to_frame

        source = self.parameterAsSource(parameters, self.AREAS, context)
        if source is None:
            return None
        frame = source_to_frame(source, ["code", "chief_name"], source.sourceCrs(), None, tr("Responsibility areas"))
        feedback.pushInfo(tr("{} responsibility areas for linking.").format(len(frame)))
        return AreaIndex.from_pairs(zip(frame["code"], frame["chief_name"]))

    def _import(self, files: list, options, areas, feedback) -> tuple[list, list]:
        from ..core.patrols.track_import import import_one

        patrols, problems = [], []
        for index, path in enumerate(files):
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Canceled."))
            found, problem = import_one(path, options, areas)
            if problem is not None:
                problems.append(problem)
                feedback.reportError(str(problem), False)
            else:
                self._log_file(os.path.basename(path), found, feedback)
            patrols += found
            feedback.setProgress(80.0 * (index + 1) / len(files))
        feedback.pushInfo(tr("{} patrols from {} files; {} files skipped.").format(
            len(patrols), len(files) - len(problems), len(problems)))
        return patrols, problems

    @staticmethod
    def _log_file(name: str, patrols: list, feedback) -> None:
        km = sum(p.length_km for p in patrols)
        feedback.pushInfo(tr("{}: {} patrols, {:.2f} km.").format(name, len(patrols), km))
        for patrol in patrols:
            if patrol.qa_note_en != "passed":
                feedback.pushInfo("  {}: {} ({})".format(patrol.patrol_id, patrol.qa_note, patrol.qa_note_en))

    @staticmethod
    def _nothing_imported(problems: list) -> None:
        details = "\n".join(str(p) for p in problems[:10])
        message = tr_noop("No patrol could be imported: {} files were skipped.")
        raise QgsProcessingException(bilingual(tr(message).format(len(problems)),
                                               message.format(len(problems))) + "\n" + details)

    def _write(self, parameters, context, patrols: list, epsg: int, feedback):
        import geopandas as gpd

        from ..core.patrols.track_import import patrol_record
        from ..qgis_glue.frames import frame_to_sink, schema_fields

        layer = schema.PATROL_TRACKS
        fields = schema_fields(layer)
        crs = QgsCoordinateReferenceSystem(f"EPSG:{epsg}")
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, WKB_TYPE.MultiLineString, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        frame = gpd.GeoDataFrame([patrol_record(p) for p in patrols], columns=list(layer.field_names),
                                 geometry=[p.geometry for p in patrols], crs=f"EPSG:{epsg}")
        frame_to_sink(frame.astype({"start_time": object, "end_time": object}), sink, fields)
        return sink, dest
