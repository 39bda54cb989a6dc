"""linzhang:detectforestloss: forest-loss change spots (森林督查变化图斑) from two dates of imagery."""
from __future__ import annotations

import os

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBand,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QDate

from ..core import schema
from ..core.errors import InputDataError
from ..i18n import bilingual, tr, tr_noop
from ..qgis_glue.frames import WKB_TYPE
from .base import LinzhangAlgorithm
from .workspace_output import RefreshesSpotLayers

AREA_CODE_FIELDS = ("code", "area_code")  # the workspace's responsibility areas have "code"


class DetectForestLossAlgorithm(RefreshesSpotLayers, LinzhangAlgorithm):
    NAME = "detectforestloss"
    DISPLAY_NAME = "Detect forest loss (change spots)"
    GROUP_ID = "inspection"
    GROUP = "Forest inspection"
    TAGS = ("change detection,forest loss,NDVI,NBR,Sentinel-2,satellite,change spot,森林督查,卫片,变化图斑,"
            "采伐,毁林")
    REQUIRES = ("numpy", "scipy", "shapely", "rasterio", "pyproj", "geopandas")
    HELP = ("Finds forest loss between two dates of imagery and turns it into change spots (变化图斑), as the "
            "森林督查 satellite-patch work needs. Per pixel: a vegetation index for each date (NDVI from red and "
            "NIR; also NBR when a SWIR band is given; or the index itself when the rasters hold one), its drop, "
            "the forest of the first date (the forest polygons, or a before-index of at least the forest "
            "minimum), and loss where the drop reaches the threshold. Nodata, zero or saturated reflectance "
            "and the cloud mask (with a buffer) are left out. Regions of loss pixels (8-connected) that hold "
            "at least one 3×3 block and cover the minimum area become spots; holes smaller than that area are "
            "filled; spots are cut to the forest polygons. When the threshold is empty it is found from the "
            "data: max(0.15, median + 5 × 1.4826 × MAD) of the drop over (a sample of) the forest pixels, "
            "written to the log. Confidence: low, high, highest by how far two independent signals agree "
            "over the spot (NDVI and NBR, or the threshold and a strong threshold of twice it): highest over "
            "at least the minimum area, high over a quarter of it. The AFTER raster is warped onto the BEFORE "
            "grid when they differ; only their overlap is processed, in strips, so rasters larger than "
            "memory work. With responsibility areas each spot gets the code and chief of the deepest area it "
            "overlaps most, and a number (监测编号) of that code plus a sequence. With a workspace the spots "
            "are added to its change spots in one transaction with the round id; a spot overlapping one "
            "already there is marked as a repeat (repeat_of) and not added again.")

    BEFORE = "BEFORE"
    AFTER = "AFTER"
    RED_BAND = "RED_BAND"
    NIR_BAND = "NIR_BAND"
    SWIR_BAND = "SWIR_BAND"
    INDEX_INPUT = "INDEX_INPUT"
    CLOUD_MASK = "CLOUD_MASK"
    CLOUD_BUFFER = "CLOUD_BUFFER"
    FOREST = "FOREST"
    FOREST_INDEX_MIN = "FOREST_INDEX_MIN"
    THRESHOLD = "THRESHOLD"
    STRONG_THRESHOLD = "STRONG_THRESHOLD"
    NBR_THRESHOLD = "NBR_THRESHOLD"
    MIN_AREA = "MIN_AREA"
    AREAS = "AREAS"
    BEFORE_DATE = "BEFORE_DATE"
    AFTER_DATE = "AFTER_DATE"
    ROUND_ID = "ROUND_ID"
    WORKSPACE = "WORKSPACE"
    OUTPUT = "OUTPUT"
    SPOTS = "SPOTS"
    THRESHOLD_USED = "THRESHOLD_USED"
    ADDED_TO_WORKSPACE = "ADDED_TO_WORKSPACE"
    REPEATS = "REPEATS"

    def initAlgorithm(self, config=None):  # noqa: N802
        self._add_images()
        self._add_forest_and_thresholds()
        self._add_attribution()
        self._add(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Change spots"),
                                                    QgsProcessing.SourceType.TypeVectorPolygon),
                  tr("The spots with the fields of the workspace's change spots layer, in the BEFORE raster's CRS."))
        for name, label in ((self.SPOTS, tr("Spots found")), (self.THRESHOLD_USED, tr("Threshold used")),
                            (self.ADDED_TO_WORKSPACE, tr("Spots added to the workspace")),
                            (self.REPEATS, tr("Repeats of earlier spots"))):
            self.addOutput(QgsProcessingOutputNumber(name, label))

    def _number(self, name: str, label: str, default, minimum: float, help_text: str, optional: bool = False,
                advanced: bool = False) -> None:
        self._add(QgsProcessingParameterNumber(name, label, QgsProcessingParameterNumber.Type.Double, default,
                                               optional, minimum), help_text, advanced)

    def _add_images(self) -> None:
        self._add(QgsProcessingParameterRasterLayer(self.BEFORE, tr("Before image (earlier date)")),
                  tr("The earlier image (any CRS). Its pixel grid is the working grid."))
        self._add(QgsProcessingParameterRasterLayer(self.AFTER, tr("After image (later date)")),
                  tr("The later image; warped onto the before image's grid when the grids differ. Only the "
                     "overlap of the two is processed."))
        for name, label, default, optional, help_text in (
                (self.RED_BAND, tr("Red band (or index band)"), 1, True,
                 tr("The red band number (default 1); with 'rasters hold an index', the band with the index.")),
                (self.NIR_BAND, tr("Near-infrared band"), 2, True, tr("The near-infrared band number (default 2).")),
                (self.SWIR_BAND, tr("Short-wave infrared band"), None, True,
                 tr("Optional SWIR band number (e.g. Sentinel-2 B12): NBR is then computed too and confirms "
                    "NDVI for the highest confidence."))):
            self._add(QgsProcessingParameterBand(name, label, default, self.BEFORE, optional), help_text)
        self._add(QgsProcessingParameterBoolean(self.INDEX_INPUT, tr("Rasters hold an index (e.g. NDVI)"), False),
                  tr("True when each raster already holds one vegetation-index band (scaled -1 to 1) instead of "
                     "red and near-infrared reflectance."))
        self._add(QgsProcessingParameterRasterLayer(self.CLOUD_MASK, tr("Cloud mask"), optional=True),
                  tr("Optional raster of the after date where any value other than 0 (and nodata) is cloud or "
                     "shadow; those pixels are left out."))
        self._number(self.CLOUD_BUFFER, tr("Cloud buffer (m)"), 60.0, 0.0,
                     tr("Pixels this close to the cloud mask are left out too: haze at cloud edges lowers the "
                        "index (default 60 m)."), advanced=True)

    def _add_forest_and_thresholds(self) -> None:
        self._add(QgsProcessingParameterFeatureSource(self.FOREST, tr("Forest polygons"),
                                                      [QgsProcessing.SourceType.TypeVectorPolygon], optional=True),
                  tr("Optional forest land of the first date, e.g. the workspace's forest stands: when the layer has "
                     "the field land_class, only the stands of the forest land classes (0111-0307) count. Without "
                     "it, forest is where the before index reaches the forest minimum."))
        self._number(self.FOREST_INDEX_MIN, tr("Forest minimum index"), 0.5, -1.0,
                     tr("Without forest polygons, a pixel is forest when its before index is at least this "
                        "(default 0.5)."))
        self._number(self.THRESHOLD, tr("Loss threshold (index drop)"), None, 0.0,
                     tr("The drop of the index that counts as loss (e.g. 0.2). Empty: found from the data as "
                        "max(0.15, median + 5 × 1.4826 × MAD) of the drop over the forest pixels; the figures "
                        "are written to the log."), optional=True)
        self._number(self.STRONG_THRESHOLD, tr("Strong threshold"), None, 0.0,
                     tr("The drop that confirms loss for the confidence tiers when there is no SWIR band. "
                        "Empty: twice the threshold."), optional=True, advanced=True)
        self._number(self.NBR_THRESHOLD, tr("NBR threshold"), None, 0.0,
                     tr("The drop of NBR that counts as loss when a SWIR band is given. Empty: found from the "
                        "data as for NDVI."), optional=True, advanced=True)
        self._number(self.MIN_AREA, tr("Minimum area (m²)"), 666.7, 0.0,
                     tr("The minimum mapping unit: smaller spots are dropped (default 666.7 m² = 1 亩)."))

    def _add_attribution(self) -> None:
        self._add(QgsProcessingParameterFeatureSource(self.AREAS, tr("Responsibility areas"),
                                                      [QgsProcessing.SourceType.TypeVectorPolygon], optional=True),
                  tr("Optional chief responsibility areas with a field code (or area_code) and optionally "
                     "chief_name and level: each spot gets the deepest area it overlaps most."))
        for name, label in ((self.BEFORE_DATE, tr("Before date")), (self.AFTER_DATE, tr("After date"))):
            self._add(QgsProcessingParameterDateTime(name, label, QgsProcessingParameterDateTime.Type.Date,
                                                     optional=True),
                      tr("Optional: the image date when neither the raster's metadata nor its file name has it."),
                      advanced=True)
        self._add(QgsProcessingParameterString(self.ROUND_ID, tr("Detection round id"), optional=True),
                  tr("Optional name of this detection round (e.g. 2026-Q4). Empty: the after date as YYYYMMDD."),
                  advanced=True)
        self._add(QgsProcessingParameterFile(self.WORKSPACE, tr("Also add to workspace"),
                                             QgsProcessingParameterFile.Behavior.File,
                                             fileFilter=tr("GeoPackage (*.gpkg)"), optional=True),
                  tr("Optional one-map workspace (.gpkg): the new spots are added to its change spots layer in one "
                     "transaction; repeats of spots already there are not added."))

    # --- running ---------------------------------------------------------------------------------

    def _raster_path(self, parameters, name: str, context, label_zh: str, label_en: str) -> str:
        layer = self.parameterAsRasterLayer(parameters, name, context)
        if layer is None:
            return ""
        if layer.providerType() != "gdal" or not os.path.exists(layer.source().split("|")[0]):
            raise InputDataError(f"{label_zh}“{layer.name()}”不是本地栅格文件（GeoTIFF 等），无法按窗口读取。",
                                 f"The {label_en} '{layer.name()}' is not a local raster file (GeoTIFF or "
                                 "similar), so it cannot be read window by window.")
        return layer.source().split("|")[0]

    def _optional_number(self, parameters, name: str, context):
        if parameters.get(name) in (None, ""):
            return None
        return self.parameterAsDouble(parameters, name, context)

    def _date(self, parameters, name: str, context):
        if parameters.get(name) in (None, ""):
            return None
        value = self.parameterAsDateTime(parameters, name, context)
        if value is not None and value.isValid():
            return value.date().toPyDate()
        raw = parameters.get(name)
        return raw.toPyDate() if isinstance(raw, QDate) and raw.isValid() else None

    def _options(self, parameters, context):
        from ..core.change.detect import DetectionOptions
        from ..core.change.raster_pair import Bands

        def band(name: str, default):
            if parameters.get(name) in (None, "", 0, -1):
                return default
            return self.parameterAsInt(parameters, name, context) or default

        bands = Bands(band(self.RED_BAND, 1), band(self.NIR_BAND, 2), band(self.SWIR_BAND, None),
                      self.parameterAsBoolean(parameters, self.INDEX_INPUT, context))
        cloud = self._raster_path(parameters, self.CLOUD_MASK, context, "云掩膜", "cloud mask") or None
        return DetectionOptions(
            bands=bands, threshold=self._optional_number(parameters, self.THRESHOLD, context),
            strong_threshold=self._optional_number(parameters, self.STRONG_THRESHOLD, context),
            nbr_threshold=self._optional_number(parameters, self.NBR_THRESHOLD, context),
            forest_index_min=self.parameterAsDouble(parameters, self.FOREST_INDEX_MIN, context),
            min_area=self.parameterAsDouble(parameters, self.MIN_AREA, context), cloud_mask=cloud,
            cloud_buffer_m=self.parameterAsDouble(parameters, self.CLOUD_BUFFER, context))

    def _polygons(self, parameters, name: str, context, crs, fields=(), feedback=None):
        source = self.parameterAsSource(parameters, name, context)
        if source is None:
            return None
        frame = source_frame(source, fields, crs, feedback)
        if frame.geometry.isna().all() or len(frame) == 0:
            raise InputDataError(f"图层“{source.sourceName()}”没有要素。",
                                 f"The layer '{source.sourceName()}' has no features.")
        return frame[frame.geometry.notna()]

    def _forest(self, parameters, context, crs, feedback):
        """The forest polygons; from a layer with the workspace's land_class field (the forest stands),
        only the stands of the forest land classes."""
        source = self.parameterAsSource(parameters, self.FOREST, context)
        if source is None:
            return None
        from ..core.change.spots import LOCATION_FIELDS

        names = source.fields().names()
        by_class = "land_class" in names
        located = [name for name in LOCATION_FIELDS if name in names]
        frame = self._polygons(parameters, self.FOREST, context, crs, (["land_class"] if by_class else []) + located)
        if by_class:
            frame = frame[frame["land_class"].isin(schema.FOREST_LAND_CLASSES)]
            feedback.pushInfo(tr("Forest: the {} stands of the forest land classes ({}).").format(
                len(frame), ", ".join(schema.FOREST_LAND_CLASSES)))
            if frame.empty:
                raise InputDataError("林地范围图层中没有林地地类（{}）的小班。".format("、".join(schema.FOREST_LAND_CLASSES)),
                                     "The forest layer has no stand of the forest land classes ({}).".format(
                                         ", ".join(schema.FOREST_LAND_CLASSES)))
        return frame

    def _run(self, parameters, context, feedback) -> dict:
        from ..core.change.detect import detect_forest_loss

        before = self._raster_path(parameters, self.BEFORE, context, "前时相影像", "before image")
        after = self._raster_path(parameters, self.AFTER, context, "后时相影像", "after image")
        if not before or not after:
            message = tr_noop("The before or the after image could not be read.")
            raise QgsProcessingException(bilingual(tr(message), message))
        options = self._options(parameters, context)
        raster_crs = self.parameterAsRasterLayer(parameters, self.BEFORE, context).crs()
        forest = self._forest(parameters, context, raster_crs, feedback)
        feedback.pushInfo(tr("Reading the images in strips and finding loss…"))
        detection = detect_forest_loss(before, after, options,
                                       None if forest is None else forest.geometry.values,
                                       progress=lambda p: feedback.setProgress(90.0 * p),
                                       is_canceled=feedback.isCanceled)
        self._log_detection(detection, feedback)
        records = self._records(parameters, context, detection, raster_crs, before, after, forest, feedback)
        dest = self._write(parameters, context, records, detection)
        added = self._append(parameters, context, records, detection, feedback)
        feedback.setProgress(100.0)
        return {self.OUTPUT: dest, self.SPOTS: len(records), self.THRESHOLD_USED: detection.threshold.value,
                self.ADDED_TO_WORKSPACE: added, self.REPEATS: sum(1 for r in records if r.repeat_of)}

    @staticmethod
    def _log_detection(detection, feedback) -> None:
        index = "NDVI" if detection.index_is_ndvi else "index"
        feedback.pushInfo(bilingual(detection.threshold.describe_zh("NDVI" if detection.index_is_ndvi else "指数"),
                                    detection.threshold.describe_en(index)))
        if detection.nbr_threshold is not None:
            feedback.pushInfo(bilingual(detection.nbr_threshold.describe_zh("NBR"),
                                        detection.nbr_threshold.describe_en("NBR")))
        if detection.warped:
            feedback.pushInfo(tr("The after image was warped onto the before image's grid."))
        feedback.pushInfo(tr("{} × {} pixels processed: {} valid, {} forest, {} loss; {} spots.").format(
            detection.width, detection.height, detection.valid_pixels, detection.forest_pixels,
            detection.loss_pixels, len(detection.spots)))

    def _records(self, parameters, context, detection, raster_crs, before: str, after: str, forest, feedback):
        from ..core.change.spot_store import existing_spots
        from ..core.change.spots import LOCATION_FIELDS, AreaRecord, StandRecord, default_round_id, spot_records

        before_date = self._date(parameters, self.BEFORE_DATE, context) or detection.before_date
        after_date = self._date(parameters, self.AFTER_DATE, context) or detection.after_date
        if before_date is None or after_date is None:
            feedback.pushWarning(tr("An image date was found neither in the metadata nor in the file name; give "
                                    "it with the before/after date parameters."))
        round_id = self.parameterAsString(parameters, self.ROUND_ID, context).strip() or default_round_id(after_date)
        areas = []
        area_source = self.parameterAsSource(parameters, self.AREAS, context)
        if area_source is not None:
            areas = [AreaRecord(str(row.code), str(row.chief or ""), int(row.level or 0), row.geometry)
                     for row in area_frame(area_source, raster_crs, feedback).itertuples()]
        workspace = self.parameterAsFile(parameters, self.WORKSPACE, context)
        existing = existing_spots(workspace, detection.crs_wkt) if workspace else []
        source = f"{os.path.basename(before)} / {os.path.basename(after)}"
        located = [] if forest is None else [name for name in LOCATION_FIELDS if name in forest.columns]
        stands = [] if not located else [
            StandRecord({name: _text(value) for name, value in zip(located, values)}, geometry)
            for values, geometry in zip(forest[located].itertuples(index=False), forest.geometry.values)]
        return spot_records(detection.spots, before_date, after_date, round_id, source, areas, existing, stands)

    def _write(self, parameters, context, records, detection):
        from ..qgis_glue.frames import schema_fields

        layer = schema.CHANGE_SPOTS
        fields = schema_fields(layer)
        crs = QgsCoordinateReferenceSystem.fromWkt(detection.crs_wkt)
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, WKB_TYPE.MultiPolygon, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        write_records(sink, fields, records)
        return dest

    def _append(self, parameters, context, records, detection, feedback) -> int:
        from ..core.change.spot_store import append_spots

        workspace = self.parameterAsFile(parameters, self.WORKSPACE, context)
        if not workspace:
            return 0
        added = append_spots(workspace, records, detection.crs_wkt)
        self._refresh_after_run = workspace
        feedback.pushInfo(tr("{} spots added to the workspace, {} repeats of earlier spots not added.").format(
            added, len(records) - added))
        return added


def _text(value):
    """A location value as text, None when missing (pandas gives NaN for NULL)."""
    return None if value is None or value != value else str(value)


def source_frame(source, fields, crs, feedback):
    from ..qgis_glue.frames import source_to_frame

    return source_to_frame(source, list(fields), crs, feedback)


def area_frame(source, crs, feedback):
    """The responsibility areas as a frame with the columns code, chief and level."""
    names = source.fields().names()
    code = next((name for name in AREA_CODE_FIELDS if name in names), None)
    if code is None:
        raise InputDataError(f"责任区图层“{source.sourceName()}”缺少字段 code（或 area_code）。",
                             f"The responsibility areas layer '{source.sourceName()}' lacks the field code "
                             "(or area_code).")
    extra = [name for name in ("chief_name", "level") if name in names]
    frame = source_frame(source, [code, *extra], crs, feedback)
    frame = frame.rename(columns={code: "code", "chief_name": "chief"})
    for column in ("chief", "level"):
        if column not in frame.columns:
            frame[column] = None
    return frame[frame.geometry.notna()]


def write_records(sink, fields, records) -> None:
    """The records as MultiPolygon features of ``sink``."""
    import geopandas as gpd
    import shapely

    from ..qgis_glue.frames import frame_to_sink

    geometries = [shapely.multipolygons(shapely.get_parts(record.geometry)) for record in records]
    frame = gpd.GeoDataFrame([record.values for record in records], columns=list(fields.names()),
                             geometry=geometries)
    frame_to_sink(frame, sink, fields)
