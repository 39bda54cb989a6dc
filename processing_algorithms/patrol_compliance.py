"""linzhang:patrolcompliance: patrol compliance per chief and period (巡林达标), with the Excel ledger (巡林台账)."""
from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QVariant

from ..core.errors import LinzhangError
from ..i18n import bilingual, tr, tr_noop
from ..qgis_glue.frames import WKB_TYPE
from .base import LinzhangAlgorithm, raise_for

AREA_FIELDS = ("code", "name", "level", "parent_code", "chief_name")
TRACK_FIELDS = ("patrol_id", "patroller", "area_code", "start_time")
OPTIONAL_TRACK_FIELDS = ("dated", "on_foot")
RULE_FIELDS = ("level", "period", "min_count")
SUMMARY_FIELDS = (
    ("area_code", QVariant.String), ("name", QVariant.String), ("level", QVariant.Int),
    ("parent_code", QVariant.String), ("chief_name", QVariant.String), ("period_kind", QVariant.String),
    ("min_count", QVariant.Int), ("periods_required", QVariant.Int), ("periods_met", QVariant.Int),
    ("compliant", QVariant.Bool), ("patrols", QVariant.Int), ("last_patrol", QVariant.Date),
    ("days_overdue", QVariant.Int), ("next_due", QVariant.Date), ("children", QVariant.Int),
    ("children_compliant", QVariant.Int), ("children_compliant_pct", QVariant.Double),
)
PERIOD_FIELDS = (
    ("area_code", QVariant.String), ("area_name", QVariant.String), ("level", QVariant.Int),
    ("chief_name", QVariant.String), ("period_label", QVariant.String), ("period_start", QVariant.Date),
    ("period_end", QVariant.Date), ("required", QVariant.Int), ("achieved", QVariant.Int),
    ("compliant", QVariant.Bool), ("due", QVariant.Bool),
)
LEDGER_TITLE = "林长巡林台账"


class PatrolComplianceAlgorithm(LinzhangAlgorithm):
    NAME = "patrolcompliance"
    DISPLAY_NAME = "Patrol compliance and ledger"
    GROUP_ID = "patrol"
    GROUP = "Patrols"
    TAGS = "patrol,compliance,forest chief,ledger,Excel,巡林,达标,林长,台账"
    HELP = ("Checks whether every forest chief patrolled as often as the rules ask (for example district "
            "chiefs once a quarter, town level and below once a month) between two dates. A patrol counts "
            "for an area when it is the area's chief's (its area code is the area's, or its patroller is the "
            "area's chief), enough of its length lies inside the area, it has a valid date and, by default, "
            "it was on foot. For each area it gives the periods required and met, the number of patrols, the "
            "last patrol, the days overdue and the next due date, and the share of compliant child areas "
            "(villages of a town, towns of the district). Outputs: the areas with these fields, optionally "
            "a table with one row per area and period, and an Excel patrol ledger (巡林台账) with the sheets "
            "汇总, 明细 and 按级汇总 in which non-compliant rows are marked red.")
    REQUIRES = ("numpy", "shapely", "geopandas", "openpyxl")

    AREAS = "AREAS"
    TRACKS = "TRACKS"
    RULES = "RULES"
    DATE_FROM = "DATE_FROM"
    DATE_TO = "DATE_TO"
    AS_OF = "AS_OF"
    MIN_INSIDE = "MIN_INSIDE"
    ON_FOOT_ONLY = "ON_FOOT_ONLY"
    OUTPUT = "OUTPUT"
    PERIODS = "PERIODS"
    LEDGER = "LEDGER"
    COMPLIANT = "COMPLIANT"
    NON_COMPLIANT = "NON_COMPLIANT"

    def initAlgorithm(self, config=None):  # noqa: N802
        areas = QgsProcessingParameterFeatureSource(
            self.AREAS, tr("Chief responsibility areas"), [QgsProcessing.SourceType.TypeVectorPolygon])
        areas.setHelp(tr("Polygons of the chiefs' responsibility areas with the fields code, name, level "
                         "(1 district to 4 group), parent_code and chief_name, such as the workspace layer "
                         "resp_areas."))
        self.addParameter(areas)
        tracks = QgsProcessingParameterFeatureSource(
            self.TRACKS, tr("Patrol tracks"), [QgsProcessing.SourceType.TypeVectorLine])
        tracks.setHelp(tr("Patrol track lines with the fields patrol_id, patroller, area_code and start_time, "
                          "and if present dated and on_foot, such as the workspace layer patrol_tracks."))
        self.addParameter(tracks)
        rules = QgsProcessingParameterFeatureSource(
            self.RULES, tr("Patrol rules"), [QgsProcessing.SourceType.TypeVector], optional=True)
        rules.setHelp(tr("A table with the fields level, period (week, month, quarter or year) and min_count, "
                         "such as the workspace table patrol_rules. When empty, the district's rules apply: "
                         "district chiefs once a quarter, town level and below once a month."))
        self.addParameter(rules)
        for name, label, help_text, optional in (
                (self.DATE_FROM, tr("From date"), tr("The first day of the period checked."), False),
                (self.DATE_TO, tr("To date"), tr("The last day of the period checked."), False),
                (self.AS_OF, tr("As of date"),
                 tr("The day the check is made: periods ending later are not yet due and later patrols are "
                    "not counted. Empty: the to date."), True)):
            parameter = QgsProcessingParameterDateTime(name, label, QgsProcessingParameterDateTime.Type.Date,
                                                       optional=optional)
            parameter.setHelp(help_text)
            self.addParameter(parameter)
        inside = QgsProcessingParameterNumber(self.MIN_INSIDE, tr("Minimum share of the track inside the area"),
                                              QgsProcessingParameterNumber.Type.Double, 0.5, False, 0.0, 1.0)
        inside.setHelp(tr("A patrol counts for an area only when at least this share of its length (0 to 1) "
                          "lies inside the area."))
        inside.setFlags(inside.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(inside)
        on_foot = QgsProcessingParameterBoolean(self.ON_FOOT_ONLY, tr("Count patrols on foot only"), True)
        on_foot.setHelp(tr("When true (the default), tracks marked as driven (on_foot false) do not count."))
        self.addParameter(on_foot)
        output = QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Patrol compliance"),
                                                   QgsProcessing.SourceType.TypeVectorPolygon)
        output.setHelp(tr("The responsibility areas with the periods required and met, compliance, patrols, last "
                          "patrol, days overdue, next due date and the compliant share of their child areas."))
        self.addParameter(output)
        periods = QgsProcessingParameterFeatureSink(self.PERIODS, tr("Compliance per period"),
                                                    QgsProcessing.SourceType.TypeVector, optional=True,
                                                    createByDefault=False)
        periods.setHelp(tr("Optional table with one row per area and period: required and achieved patrols."))
        self.addParameter(periods)
        ledger = QgsProcessingParameterFileDestination(self.LEDGER, tr("Patrol ledger (Excel)"),
                                                       tr("Excel workbook (*.xlsx)"), optional=True,
                                                       createByDefault=False)
        ledger.setHelp(tr("Optional Excel workbook (.xlsx), the patrol ledger with the sheets 汇总 (summary), "
                          "明细 (periods) and 按级汇总 (per level)."))
        self.addParameter(ledger)
        self.addOutput(QgsProcessingOutputNumber(self.COMPLIANT, tr("Compliant chiefs")))
        self.addOutput(QgsProcessingOutputNumber(self.NON_COMPLIANT, tr("Non-compliant chiefs")))

    def _date(self, parameters, name, context):
        if parameters.get(name) is None:
            return None
        value = self.parameterAsDateTime(parameters, name, context)
        return value.date().toPyDate() if value is not None and value.isValid() else None

    def _source(self, parameters, name, context):
        source = self.parameterAsSource(parameters, name, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, name))
        return source

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        import geopandas as gpd

        from ..core.patrols.compliance import patrol_compliance
        from ..core.patrols.ledger import write_ledger
        from ..core.patrols.rules import default_rules, rules_from_rows
        from ..qgis_glue import frames

        steps = QgsProcessingMultiStepFeedback(4, feedback)
        areas_source = self._source(parameters, self.AREAS, context)
        tracks_source = self._source(parameters, self.TRACKS, context)
        rules_source = self.parameterAsSource(parameters, self.RULES, context)
        date_from = self._date(parameters, self.DATE_FROM, context)
        date_to = self._date(parameters, self.DATE_TO, context)
        as_of = self._date(parameters, self.AS_OF, context) or date_to
        if date_from is None or date_to is None:
            message = tr_noop("Give both the from date and the to date.")
            raise QgsProcessingException(bilingual(tr(message), message))
        min_inside = self.parameterAsDouble(parameters, self.MIN_INSIDE, context)
        on_foot_only = self.parameterAsBoolean(parameters, self.ON_FOOT_ONLY, context)
        ledger_path = self.parameterAsFileOutput(parameters, self.LEDGER, context)
        crs = areas_source.sourceCrs()
        try:
            if rules_source is not None:
                frames.require_fields(rules_source, RULE_FIELDS, tr("Patrol rules"))
                table = frames.source_to_frame(rules_source, RULE_FIELDS, crs, None, tr("Patrol rules"))
                rows = table[list(RULE_FIELDS)].to_dict("records")
                rules = rules_from_rows(rows)
                if not rules:
                    message = tr_noop("The patrol rules table is empty.")
                    raise QgsProcessingException(bilingual(tr(message), message))
            else:
                rules = default_rules()
            feedback.pushInfo(tr("Rules: {}").format("; ".join(
                "{} {} × {}".format(rule.level, rule.period, rule.min_count) for rule in rules)))
            if crs.isGeographic():
                feedback.pushWarning(tr("The areas are in a geographic CRS; shares of track length are measured in "
                                        "degrees. A projected CRS in metres is better."))

            feedback.pushInfo(tr("Reading the responsibility areas"))
            areas = frames.source_to_frame(areas_source, AREA_FIELDS, crs, steps, tr("Chief responsibility areas"))
            steps.setCurrentStep(1)
            present = set(tracks_source.fields().names())
            track_fields = list(TRACK_FIELDS) + [name for name in OPTIONAL_TRACK_FIELDS if name in present]
            for name in OPTIONAL_TRACK_FIELDS:
                if name not in present:
                    feedback.pushWarning(tr("The tracks have no field {}: every track is taken as {}.").format(
                        name, tr("dated when it has a start time") if name == "dated" else tr("on foot")))
            feedback.pushInfo(tr("Reading the patrol tracks"))
            tracks = frames.source_to_frame(tracks_source, track_fields, crs, steps, tr("Patrol tracks"))
            if steps.isCanceled():
                raise QgsProcessingException(tr("Canceled."))
            steps.setCurrentStep(2)
            feedback.pushInfo(tr("Checking {} areas against {} track features").format(len(areas), len(tracks)))
            result = patrol_compliance(areas, tracks, rules, date_from, date_to, as_of=as_of,
                                       min_inside=min_inside, on_foot_only=on_foot_only)
            if steps.isCanceled():
                raise QgsProcessingException(tr("Canceled."))
            steps.setCurrentStep(3)

            summary_frame = gpd.GeoDataFrame(result.summary.copy(), geometry=areas.geometry)
            summary_frame["parent_code"] = [None if value is None else str(value).strip()
                                            for value in areas["parent_code"]]
            fields = frames.qgis_fields(SUMMARY_FIELDS)
            sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields,
                                                 WKB_TYPE.MultiPolygon, crs)
            if sink is None:
                raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
            frames.frame_to_sink(summary_frame, sink, fields, steps)
            outputs = {self.OUTPUT: dest_id}

            periods_frame = result.periods.merge(
                result.summary[["area_code", "name", "level", "chief_name"]].drop_duplicates("area_code").rename(
                    columns={"name": "area_name"}), on="area_code", how="left")
            period_fields = frames.qgis_fields(PERIOD_FIELDS)
            periods_sink, periods_id = self.parameterAsSink(parameters, self.PERIODS, context, period_fields,
                                                            WKB_TYPE.NoGeometry)
            if periods_sink is not None:
                frames.frame_to_sink(periods_frame, periods_sink, period_fields, steps)
                outputs[self.PERIODS] = periods_id
            if ledger_path:
                if not ledger_path.lower().endswith(".xlsx"):
                    ledger_path += ".xlsx"
                feedback.pushInfo(tr("Writing the patrol ledger {}").format(ledger_path))
                write_ledger(ledger_path, result, LEDGER_TITLE, date_from, date_to)
                outputs[self.LEDGER] = ledger_path
        except LinzhangError as error:
            raise_for(error)

        assessed = [value for value in result.summary["compliant"] if value is not None]
        good = sum(1 for value in assessed if value)
        feedback.pushInfo(tr("{} of {} chiefs met the patrol rules; {} did not.").format(
            good, len(assessed), len(assessed) - good))
        outputs[self.COMPLIANT] = good
        outputs[self.NON_COMPLIANT] = len(assessed) - good
        feedback.setProgress(100)
        return outputs
