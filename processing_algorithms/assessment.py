"""linzhang:assessment: the forest chief assessment (林长制考核) of a one-map workspace for a year or a quarter:
indicator scores, total and grade per chief, yellow cards (黄牌警告), the negative list (负面清单) per town, and
the Excel report."""
from __future__ import annotations

import datetime as dt
import os

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDate, QVariant

from ..core import schema
from ..core.errors import InputDataError
from ..i18n import tr
from ..qgis_glue.frames import WKB_TYPE
from .base import LinzhangAlgorithm

AREA_FIELDS = ("code", "name", "level", "parent_code", "chief_name")
TRACK_FIELDS = ("patrol_id", "patroller", "area_code", "start_time", "end_time", "dated", "on_foot")
SPOT_FIELDS = ("spot_no", "area_code", "status", "determination", "before_date", "after_date", "verify_date",
               "patrol_missed")
HISTORY_FIELDS = ("spot_no", "changed_at", "old_status", "new_status", "changes", "note")
RULE_FIELDS = ("level", "period", "min_count")
# the output layer: the area, then one score per indicator (core.assessment.indicators), then the verdict
AREA_OUTPUT_FIELDS = (("code", QVariant.String), ("name", QVariant.String), ("level", QVariant.Int),
                      ("parent_code", QVariant.String), ("chief_name", QVariant.String), ("period", QVariant.String),
                      ("as_of", QVariant.Date))
VERDICT_FIELDS = (("total", QVariant.Double), ("grade", QVariant.String), ("yellow_card", QVariant.Bool),
                  ("card_reasons", QVariant.String), ("not_applicable", QVariant.String),
                  ("negative_items", QVariant.Int))


class AssessmentAlgorithm(LinzhangAlgorithm):
    NAME = "assessment"
    DISPLAY_NAME = "Forest chief assessment"
    GROUP_ID = "chiefs"
    GROUP = "Chief responsibility areas"
    TAGS = ("assessment,forest chief,indicator,weight,yellow card,negative list,Excel,林长制,考核,指标,权重,"
            "黄牌警告,负面清单")
    REQUIRES = ("numpy", "shapely", "geopandas", "pyproj", "openpyxl")
    HELP = ("Assesses every forest chief of a one-map workspace for a year or a quarter (林长制考核), as the "
            "district's plan asks with protective, constructive and influence indicators. Per responsibility "
            "area: patrol compliance (periods met of the periods due by the patrol rules), patrol coverage "
            "(tracks buffered by half the swath), the change spots of the area and the areas below it verified "
            "within the verification days after being issued, the illegal spots rectified (re-checked or "
            "closed) within the rectification days after the determination, the share of the sub-area chiefs "
            "who are compliant, and the share of spots a patrol passed while the change happened. Each becomes "
            "a 0-100 score; the total is their weighted mean over the indicators that apply (the others are "
            "不适用), graded 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else 不合格. A yellow card (黄牌警告) goes to a "
            "chief whose compliance is below the minimum, or whose area has a spot past its verification "
            "deadline or an illegal spot past its rectification deadline, with the reasons. The negative list "
            "(负面清单) lists per town the non-compliant chiefs, overdue spots, unrectified illegal spots and "
            "spots missed by patrol below it. Dates of the spots come from their history (spot_history); a "
            "spot without history counts as issued on its after-image date. Give your own weights as a table "
            "with the columns indicator and weight (optionally category and target). Outputs: the areas with "
            "one score field per indicator, total, grade, yellow_card and card_reasons, and an Excel report "
            "with the sheets 考核结果, 黄牌警告, 负面清单 and 指标与权重.")

    WORKSPACE = "WORKSPACE"
    YEAR = "YEAR"
    QUARTER = "QUARTER"
    AS_OF = "AS_OF"
    INDICATORS = "INDICATORS"
    COMPLIANCE_MIN = "COMPLIANCE_MIN"
    VERIFY_DAYS = "VERIFY_DAYS"
    RECTIFY_DAYS = "RECTIFY_DAYS"
    SWATH_WIDTH = "SWATH_WIDTH"
    OUTPUT = "OUTPUT"
    REPORT = "REPORT"
    CHIEFS = "CHIEFS"
    YELLOW_CARDS = "YELLOW_CARDS"
    NEGATIVE_ITEMS = "NEGATIVE_ITEMS"

    def initAlgorithm(self, config=None):  # noqa: N802
        self._add(QgsProcessingParameterFile(self.WORKSPACE, tr("Workspace"), QgsProcessingParameterFile.Behavior.File,
                                             fileFilter=tr("GeoPackage (*.gpkg)")),
                  tr("The one-map workspace (.gpkg): its responsibility areas, patrol tracks, change spots, spot "
                     "history and patrol rules are read; nothing is written into it."))
        self._add(QgsProcessingParameterNumber(self.YEAR, tr("Year"), QgsProcessingParameterNumber.Type.Integer,
                                               dt.date.today().year, False, 2000, 2100),
                  tr("The calendar year assessed, e.g. 2026."))
        self._add(QgsProcessingParameterEnum(self.QUARTER, tr("Quarter"),
                                             [tr("Whole year"), tr("Q1 (January-March)"), tr("Q2 (April-June)"),
                                              tr("Q3 (July-September)"), tr("Q4 (October-December)")],
                                             defaultValue=0, optional=True),
                  tr("The whole year (default) or one of its quarters."))
        self._add(QgsProcessingParameterDateTime(self.AS_OF, tr("As of date"), QgsProcessingParameterDateTime.Type.Date,
                                                 optional=True),
                  tr("The day the assessment is made: only patrols and spot changes up to it count, and deadlines "
                     "are checked against it. Empty: the end of the period, or today when that is earlier."))
        self._add(QgsProcessingParameterFeatureSource(self.INDICATORS, tr("Indicator weights"),
                                                      [QgsProcessing.SourceType.TypeVector], optional=True),
                  tr("Optional table (a layer or a CSV file) with the columns indicator and weight, and optionally "
                     "category (protective, constructive, influence) and target (the value in % that scores 100). "
                     "Indicators: patrol_compliance, patrol_coverage, spots_verified, illegal_rectified, "
                     "children_compliant, spots_patrolled (or their Chinese names). Indicators not listed get "
                     "weight 0. Empty: the default weights."))
        self._add(QgsProcessingParameterNumber(self.COMPLIANCE_MIN, tr("Patrol compliance minimum (%)"),
                                               QgsProcessingParameterNumber.Type.Double, 80.0, True, 0.0, 100.0),
                  tr("A chief whose share of patrol periods met is below this percentage is not compliant and gets "
                     "a yellow card (default 80; 100 asks for every period)."))
        self._add(QgsProcessingParameterNumber(self.VERIFY_DAYS, tr("Days to verify a spot"),
                                               QgsProcessingParameterNumber.Type.Integer, 30, True, 0),
                  tr("A change spot must be field-verified within this many days of being issued (default 30)."))
        self._add(QgsProcessingParameterNumber(self.RECTIFY_DAYS, tr("Days to rectify an illegal spot"),
                                               QgsProcessingParameterNumber.Type.Integer, 90, True, 0),
                  tr("An illegal spot must be rectified (re-checked or closed) within this many days of the "
                     "determination (default 90)."))
        self._add(QgsProcessingParameterNumber(self.SWATH_WIDTH, tr("Swath width (m)"),
                                               QgsProcessingParameterNumber.Type.Double, 100.0, True, 0.1),
                  tr("The width of the strip a patroller watches, for the patrol coverage (default 100 m)."),
                  advanced=True)
        self._add(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Assessment"),
                                                    QgsProcessing.SourceType.TypeVectorPolygon),
                  tr("The responsibility areas with code, name, level, chief_name, one score field per indicator "
                     "(empty when it does not apply), total, grade, yellow_card, card_reasons and, for towns, the "
                     "number of negative-list items."))
        self._add(QgsProcessingParameterFileDestination(self.REPORT, tr("Assessment report (Excel)"),
                                                        tr("Excel workbook (*.xlsx)"), optional=True,
                                                        createByDefault=False),
                  tr("Optional Excel workbook (.xlsx) with the sheets 考核结果 (results), 黄牌警告 (yellow cards), "
                     "负面清单 (negative list) and 指标与权重 (indicators and weights)."))
        for name, label in ((self.CHIEFS, tr("Chiefs assessed")), (self.YELLOW_CARDS, tr("Chiefs with a yellow card")),
                            (self.NEGATIVE_ITEMS, tr("Negative-list items"))):
            self.addOutput(QgsProcessingOutputNumber(name, label))

    # --- reading ---------------------------------------------------------------------------------

    def _as_of(self, parameters, context):
        raw = parameters.get(self.AS_OF)
        if raw in (None, ""):
            return None
        if isinstance(raw, QDate):
            return raw.toPyDate() if raw.isValid() else None
        value = self.parameterAsDateTime(parameters, self.AS_OF, context)
        if value is None or not value.isValid():
            raise InputDataError(f"考核截止日期“{raw}”不是有效日期（年-月-日）。",
                                 f"The as-of date '{raw}' is not a valid date (YYYY-MM-DD).")
        return value.date().toPyDate()

    @staticmethod
    def _layer(path: str, layer_def) -> QgsVectorLayer:
        layer = QgsVectorLayer(f"{path}|layername={layer_def.name}", layer_def.name, "ogr")
        if not layer.isValid():
            name = os.path.basename(path)
            raise InputDataError(f"工作空间 {name} 中没有图层 {layer_def.name}（{layer_def.title_zh}）。",
                                 f"The workspace {name} has no layer {layer_def.name} ({layer_def.title_en}).")
        return layer

    def _read(self, path: str, layer_def, fields, crs, feedback):
        from ..qgis_glue.frames import source_to_frame

        layer = self._layer(path, layer_def)
        label = f"{layer_def.name}（{layer_def.title_zh}）"
        return source_to_frame(layer, list(fields), crs, feedback, label)

    @staticmethod
    def _rows(source) -> list[dict]:
        from ..qgis_glue.frames import python_value

        names = source.fields().names()
        return [{name: python_value(feature[name]) for name in names} for feature in source.getFeatures()]

    def _rules(self, path: str, crs, feedback):
        from ..core.patrols.rules import default_rules, rules_from_rows

        table = self._read(path, schema.PATROL_RULES, RULE_FIELDS, crs, None)
        rules = rules_from_rows(table[list(RULE_FIELDS)].to_dict("records"))
        if not rules:
            feedback.pushWarning(tr("The workspace's patrol rules table is empty: the district's rules apply "
                                    "(district chiefs once a quarter, town level and below once a month)."))
            return default_rules()
        return rules

    def _indicators(self, parameters, context):
        from ..core.assessment.indicators import default_indicators, indicators_from_rows

        if parameters.get(self.INDICATORS) in (None, ""):
            return default_indicators()
        source = self.parameterAsSource(parameters, self.INDICATORS, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INDICATORS))
        return indicators_from_rows(self._rows(source))

    # --- running ---------------------------------------------------------------------------------

    def _run(self, parameters, context, feedback) -> dict:
        from ..core.assessment.scoring import AssessmentCanceled, Settings, assess, assessment_period, summary_lines

        path = self.workspace_path(parameters, context)
        period = assessment_period(self.parameterAsInt(parameters, self.YEAR, context),
                                   self.parameterAsEnum(parameters, self.QUARTER, context))
        settings = Settings(
            compliance_min=self.parameterAsDouble(parameters, self.COMPLIANCE_MIN, context),
            verify_days=self.parameterAsInt(parameters, self.VERIFY_DAYS, context),
            rectify_days=self.parameterAsInt(parameters, self.RECTIFY_DAYS, context),
            swath_m=self.parameterAsDouble(parameters, self.SWATH_WIDTH, context))
        settings.check()
        indicators = self._indicators(parameters, context)
        as_of = self._as_of(parameters, context)
        report_path = self.parameterAsFileOutput(parameters, self.REPORT, context)
        if report_path and not report_path.lower().endswith(".xlsx"):
            report_path += ".xlsx"

        areas, tracks, spots, history, rules, crs = self._read_workspace(path, feedback)

        def progress(percent: float) -> bool:
            feedback.setProgress(20.0 + 0.65 * percent)
            return not feedback.isCanceled()

        feedback.pushInfo(tr("Assessing {} areas…").format(len(areas)))
        try:
            result = assess(areas, tracks, spots, history, rules, period, as_of=as_of, indicators=indicators,
                            settings=settings, progress=progress)
        except AssessmentCanceled:
            raise QgsProcessingException(tr("Canceled.")) from None
        for zh, en in result.warnings:
            feedback.pushWarning(f"{zh}\n{en}")
        for zh, en in summary_lines(result):
            feedback.pushInfo(f"{zh}\n{en}")
        self._check(feedback)

        outputs = {}
        if report_path:
            self._write_report(report_path, result, feedback)
            outputs[self.REPORT] = report_path
        self._check(feedback)
        outputs[self.OUTPUT] = self._write_layer(parameters, context, result, areas, crs, feedback)
        feedback.setProgress(100.0)
        outputs.update({self.CHIEFS: result.chiefs_assessed, self.YELLOW_CARDS: result.carded,
                        self.NEGATIVE_ITEMS: len(result.negative_list)})
        return outputs

    def _read_workspace(self, path: str, feedback):
        from .patrol_coverage import _centre_lonlat, working_crs

        areas_layer = self._layer(path, schema.RESP_AREAS)
        crs = working_crs(areas_layer.crs(), _centre_lonlat(areas_layer, areas_layer.crs()))
        feedback.pushInfo(tr("Reading the workspace {} (working CRS {})").format(
            os.path.basename(path), crs.authid() or crs.description()))
        areas = self._read(path, schema.RESP_AREAS, AREA_FIELDS, crs, None)
        feedback.setProgress(5.0)
        self._check(feedback)
        tracks = self._read(path, schema.PATROL_TRACKS, TRACK_FIELDS, crs, None)
        feedback.setProgress(12.0)
        self._check(feedback)
        spots = self._read(path, schema.CHANGE_SPOTS, SPOT_FIELDS, crs, None)
        history = self._read(path, schema.SPOT_HISTORY, HISTORY_FIELDS, crs, None)
        rules = self._rules(path, crs, feedback)
        feedback.setProgress(20.0)
        self._check(feedback)
        feedback.pushInfo(tr("{} areas, {} track features, {} change spots, {} history rows, {} patrol rules.").format(
            len(areas), len(tracks), len(spots), len(history), len(rules)))
        return areas, tracks, spots, history, rules, crs

    @staticmethod
    def _write_report(path: str, result, feedback) -> None:
        from ..core.assessment.report import write_report

        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            os.makedirs(folder, exist_ok=True)
        write_report(path, result)
        feedback.pushInfo(tr("Assessment report written: {}").format(path))
        feedback.setProgress(90.0)

    def _write_layer(self, parameters, context, result, areas, crs, feedback):
        import geopandas as gpd
        import shapely

        from ..qgis_glue.frames import frame_to_sink, qgis_fields

        columns = AREA_OUTPUT_FIELDS + tuple((i.key, QVariant.Double) for i in result.indicators) + VERDICT_FIELDS
        fields = qgis_fields(columns)
        frame = result.table.copy()
        frame["period"] = result.period.label_zh
        frame["as_of"] = result.as_of
        geometries = areas.geometry.values
        polygons = shapely.get_type_id(geometries) == 3
        if polygons.any():
            geometries = geometries.copy()
            geometries[polygons] = shapely.multipolygons(geometries[polygons].reshape(-1, 1))
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, index=frame.index, crs=areas.crs))
        frame = frame.iloc[result.order]
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, WKB_TYPE.MultiPolygon, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        frame_to_sink(frame, sink, fields, None)
        return dest
