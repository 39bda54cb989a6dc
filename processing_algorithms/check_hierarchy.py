"""linzhang:checkhierarchy: do the child areas tile their parent? (责任区层级检查: 缝隙、重叠、超出上级、孤立、编码重复…)"""
from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ..core.errors import InputDataError
from ..i18n import bilingual, tr
from ..qgis_glue.frames import WKB_TYPE
from .base import LinzhangAlgorithm
from .patrol_coverage import _centre_lonlat, working_crs

DEFAULT_FIELDS = {"CODE_FIELD": "code", "PARENT_FIELD": "parent_code", "LEVEL_FIELD": "level"}
PROBLEM_FIELDS = (
    ("problem", QVariant.Type.String), ("problem_zh", QVariant.Type.String), ("description", QVariant.Type.String),
    ("description_en", QVariant.Type.String), ("code", QVariant.Type.String), ("other_code", QVariant.Type.String),
    ("level", QVariant.Type.Int), ("area_m2", QVariant.Type.Double),
)
LOGGED_PROBLEMS = 30  # problems written to the log one by one; the layer has them all


class CheckHierarchyAlgorithm(LinzhangAlgorithm):
    NAME = "checkhierarchy"
    DISPLAY_NAME = "Check the responsibility area hierarchy"
    GROUP_ID = "chiefs"
    GROUP = "Chief responsibility areas"
    TAGS = ("hierarchy,topology,gap,overlap,sliver,coverage,forest chief,responsibility area,层级,拓扑,缝隙,重叠,"
            "林长,责任区,纵向到底,横向到边")
    REQUIRES = ("numpy", "shapely", "geopandas", "pyproj")
    HELP = ("Checks that the chiefs' responsibility areas form a complete four-level tree in which the children of "
            "every area tile it: no gaps, no overlaps (纵向到底、横向到边). Every area needs a code, the code of its "
            "parent and a level (1 district to 4 group). Problems found, one feature each: gap (part of a parent "
            "covered by none of its children), overlap (two children of the same parent share land), outside_parent "
            "(part of a child outside its parent), orphan (no code, a parent code that is not in the layer, no "
            "parent code below the top level, or parent codes running in a circle; the area the orphan lies in is "
            "named), duplicate_code, level_mismatch (a child not exactly one level below its parent, or no level) "
            "and invalid_geometry (checked as repaired). Gaps, overlaps and outside parts count only when a "
            "connected piece is larger than the tolerance; smaller pieces are slivers. With 'Fix slivers' a "
            "corrected copy of the areas is written: overlap slivers are cut from the larger area, outside slivers "
            "from the child, gap slivers added to the child sharing the longest boundary, from the top level down; "
            "nothing larger than the tolerance moves and the input is never changed. Codes are compared as text, so "
            "360799001 stored as a number and as text match. In a geographic CRS areas are measured in the local "
            "CGCS2000 Gauss-Kruger (or UTM) zone; the outputs are in the layer's CRS.")

    INPUT = "INPUT"
    CODE_FIELD = "CODE_FIELD"
    PARENT_FIELD = "PARENT_FIELD"
    LEVEL_FIELD = "LEVEL_FIELD"
    TOLERANCE = "TOLERANCE"
    FIX_SLIVERS = "FIX_SLIVERS"
    FIXED = "FIXED"
    OUTPUT = "OUTPUT"
    PROBLEMS = "PROBLEMS"
    SLIVERS_FIXED = "SLIVERS_FIXED"

    def initAlgorithm(self, config=None):  # noqa: N802
        from ..core.hierarchy.check import PROBLEM_TYPES

        self._add(QgsProcessingParameterFeatureSource(self.INPUT, tr("Chief responsibility areas"),
                                                      [QgsProcessing.SourceType.TypeVectorPolygon]),
                  tr("Polygons of the responsibility areas of all levels in one layer, with a code, a parent code "
                     "and a level, such as the workspace layer resp_areas."))
        for name, label, help_text in (
                (self.CODE_FIELD, tr("Code field"), tr("The field with each area's code (default: code).")),
                (self.PARENT_FIELD, tr("Parent code field"),
                 tr("The field with the code of the area's parent; empty for the top level (default: parent_code).")),
                (self.LEVEL_FIELD, tr("Level field"),
                 tr("The field with the level: 1 district, 2 town, 3 village, 4 group (default: level)."))):
            self._add(QgsProcessingParameterField(name, label, DEFAULT_FIELDS[name], self.INPUT,
                                                  QgsProcessingParameterField.DataType.Any, optional=True), help_text)
        self._add(QgsProcessingParameterNumber(self.TOLERANCE, tr("Tolerance (m²)"),
                                               QgsProcessingParameterNumber.Type.Double, 1.0, True, 0.0),
                  tr("Gaps, overlaps and parts outside the parent count as problems only when a connected piece is "
                     "larger than this; smaller ones are slivers (default 1 m²)."))
        self._add(QgsProcessingParameterBoolean(self.FIX_SLIVERS, tr("Fix slivers"), False, optional=True),
                  tr("Write a corrected copy of the areas (the output 'Areas with slivers fixed') in which the "
                     "slivers of at most the tolerance are given to one area. The input is never changed."))
        self._add(QgsProcessingParameterFeatureSink(self.FIXED, tr("Areas with slivers fixed"),
                                                    QgsProcessing.SourceType.TypeVectorPolygon, optional=True,
                                                    createByDefault=False),
                  tr("Optional copy of the areas with all their fields, slivers fixed and invalid polygons "
                     "repaired; written only when 'Fix slivers' is on."))
        self._add(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Hierarchy problems"),
                                                    QgsProcessing.SourceType.TypeVectorPolygon),
                  tr("One feature per problem with its type (problem, problem_zh), a sentence in Chinese and in "
                     "English, the area's code, the other code (the sibling of an overlap, the parent of a gap or "
                     "outside part), the level and the area in m²."))
        self.addOutput(QgsProcessingOutputNumber(self.PROBLEMS, tr("Problems found")))
        for kind in PROBLEM_TYPES:
            self.addOutput(QgsProcessingOutputNumber(kind.upper(), tr("Problems of type {}").format(kind)))
        self.addOutput(QgsProcessingOutputNumber(self.SLIVERS_FIXED, tr("Slivers fixed")))

    # --- running ---------------------------------------------------------------------------------

    def _source(self, parameters, context):
        """The input without Processing's validity filter: invalid polygons are what this tool reports, so they
        must reach it instead of stopping the run (or being skipped)."""
        check = context.invalidGeometryCheck()
        context.setInvalidGeometryCheck(QgsFeatureRequest.InvalidGeometryCheck.GeometryNoCheck)
        try:
            return self.parameterAsSource(parameters, self.INPUT, context)
        finally:
            context.setInvalidGeometryCheck(check)

    def _field(self, parameters, name: str, context) -> str:
        chosen = self.parameterAsFields(parameters, name, context)
        return chosen[0] if chosen else DEFAULT_FIELDS[name]

    def _run(self, parameters, context, feedback) -> dict:
        from ..core.hierarchy.check import CheckCanceled, check_hierarchy, field_notes
        from ..qgis_glue.frames import source_to_frame

        source = self._source(parameters, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        layer = source.sourceName() or tr("Chief responsibility areas")
        fields = {key: self._field(parameters, key, context) for key in DEFAULT_FIELDS}
        code, parent, level = fields["CODE_FIELD"], fields["PARENT_FIELD"], fields["LEVEL_FIELD"]
        for note_zh, note_en in field_notes(layer, _field_kinds(source), code, parent, level):
            feedback.pushInfo(bilingual(note_zh, note_en))
        if source.featureCount() == 0:
            raise InputDataError(f"图层“{layer}”没有要素，无法检查。", f"The layer '{layer}' has no features to check.")
        tolerance = self.parameterAsDouble(parameters, self.TOLERANCE, context) \
            if parameters.get(self.TOLERANCE) not in (None, "") else 1.0
        fix = self.parameterAsBoolean(parameters, self.FIX_SLIVERS, context)

        layer_crs = source.sourceCrs()
        work_crs = working_crs(layer_crs, _centre_lonlat(source, layer_crs)) if layer_crs.isValid() else layer_crs
        self._log_crs(layer_crs, work_crs, feedback)
        steps = QgsProcessingMultiStepFeedback(4 if fix else 3, feedback)
        feedback.pushInfo(tr("Reading the responsibility areas"))
        names = list(dict.fromkeys([code, parent, level] + (["name"] if "name" in source.fields().names() else [])))
        frame = source_to_frame(source, names, work_crs, steps, layer)

        steps.setCurrentStep(1)
        feedback.pushInfo(tr("Checking {} areas").format(len(frame)))
        try:
            result = check_hierarchy(frame[code].tolist(), frame[parent].tolist(), frame[level].tolist(),
                                     frame.geometry.values, frame["name"].tolist() if "name" in names else None,
                                     tolerance, progress=lambda f: steps.setProgress(100.0 * f),
                                     is_canceled=feedback.isCanceled)
            fixed = None
            if fix:
                steps.setCurrentStep(2)
                fixed = self._fix(result, tolerance, steps, feedback)
        except CheckCanceled:
            raise QgsProcessingException(tr("Canceled."))

        steps.setCurrentStep(3 if fix else 2)
        outputs = self._write_problems(parameters, context, result, work_crs, layer_crs, steps)
        if fixed is not None:
            outputs.update(self._write_fixed(parameters, context, source, frame, fixed, work_crs, layer_crs, steps,
                                             feedback))
        elif parameters.get(self.FIXED) not in (None, "") and "TEMPORARY_OUTPUT" not in str(parameters.get(self.FIXED)):
            feedback.pushWarning(tr("'Fix slivers' is off: the corrected copy of the areas is not written."))
        self._log_result(result, feedback)
        outputs[self.SLIVERS_FIXED] = 0 if fixed is None else fixed.gaps_filled + fixed.overlaps_cut + fixed.outside_cut
        feedback.setProgress(100.0)
        return outputs

    @staticmethod
    def _log_crs(layer_crs, work_crs, feedback) -> None:
        if not layer_crs.isValid():
            feedback.pushWarning(tr("The layer has no CRS: its coordinates are taken as metres."))
        elif work_crs != layer_crs:
            feedback.pushInfo(bilingual(
                f"图层坐标系 {layer_crs.authid()} 不以米为单位，面积在 {work_crs.authid()}（{work_crs.description()}）"
                "中计算；输出仍为图层的坐标系。",
                f"The layer's CRS {layer_crs.authid()} is not in metres: areas are measured in {work_crs.authid()} "
                f"({work_crs.description()}); the outputs are in the layer's CRS."))

    @staticmethod
    def _fix(result, tolerance: float, steps, feedback):
        from ..core.hierarchy.sliver_fix import fix_slivers

        fixed = fix_slivers(result.areas, tolerance, progress=lambda f: steps.setProgress(100.0 * f),
                            is_canceled=feedback.isCanceled)
        feedback.pushInfo(bilingual(fixed.summary_zh(), fixed.summary_en()))
        return fixed

    def _write_problems(self, parameters, context, result, work_crs, layer_crs, steps) -> dict:
        from ..qgis_glue.frames import frame_to_sink, qgis_fields

        problems = result.problems
        if len(problems) and work_crs.isValid():
            problems = problems.set_crs(work_crs.toWkt(), allow_override=True)
            if work_crs != layer_crs:
                problems = problems.to_crs(layer_crs.toWkt())
        fields = qgis_fields(PROBLEM_FIELDS)
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, WKB_TYPE.MultiPolygon,
                                          layer_crs if layer_crs.isValid() else QgsCoordinateReferenceSystem())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        frame_to_sink(problems, sink, fields, steps)
        counts = result.counts()
        return {self.OUTPUT: dest, self.PROBLEMS: len(problems), **{kind.upper(): n for kind, n in counts.items()}}

    def _write_fixed(self, parameters, context, source, frame, fixed, work_crs, layer_crs, steps, feedback) -> dict:
        import geopandas as gpd

        from ..qgis_glue.frames import add_multi_feature

        changed_rows = fixed.changed.nonzero()[0]
        shapes = gpd.GeoSeries(fixed.geometries[changed_rows], crs=work_crs.toWkt() if work_crs.isValid() else None)
        if len(shapes) and work_crs != layer_crs and layer_crs.isValid():
            shapes = shapes.to_crs(layer_crs.toWkt())
        by_fid = {int(frame["fid"].iat[row]): wkb for row, wkb in zip(changed_rows, shapes.to_wkb())}
        out_fields = source.fields()
        wkb_type = QgsWkbTypes.multiType(source.wkbType())
        sink, dest = self.parameterAsSink(parameters, self.FIXED, context, out_fields, wkb_type, layer_crs)
        if sink is None:
            feedback.pushWarning(tr("'Fix slivers' is on but no output for the corrected areas was given: "
                                    "nothing is written."))
            return {}
        total = max(source.featureCount(), 1)
        for count, feature in enumerate(source.getFeatures()):
            if count % 500 == 0:
                if feedback.isCanceled():
                    raise QgsProcessingException(tr("Canceled."))
                steps.setProgress(100.0 * count / total)
            geometry = feature.geometry()
            wkb = by_fid.get(int(feature.id()))
            if wkb is not None:
                geometry = QgsGeometry()
                geometry.fromWkb(wkb)
                if QgsWkbTypes.hasZ(wkb_type):
                    geometry.get().addZValue(0.0)
            add_multi_feature(sink, out_fields, geometry, feature.attributes())
        feedback.pushInfo(tr("{} of {} areas changed in the corrected copy.").format(len(by_fid), total))
        return {self.FIXED: dest}

    @staticmethod
    def _log_result(result, feedback) -> None:
        feedback.pushInfo(bilingual(result.summary_zh(), result.summary_en()))
        problems = result.problems
        for index in range(min(len(problems), LOGGED_PROBLEMS)):
            feedback.pushInfo("{}: {} / {}".format(problems["problem_zh"].iat[index],
                                                   problems["description"].iat[index],
                                                   problems["description_en"].iat[index]))
        if len(problems) > LOGGED_PROBLEMS:
            feedback.pushInfo(tr("… and {} more problems: see the output layer.").format(
                len(problems) - LOGGED_PROBLEMS))


def _field_kinds(source) -> dict[str, str]:
    """Field name -> "number", "text" or "other"."""
    kinds = {}
    for field in source.fields():
        if field.isNumeric():
            kinds[field.name()] = "number"
        elif field.type() == QVariant.Type.String:
            kinds[field.name()] = "text"
        else:
            kinds[field.name()] = "other"
    return kinds
