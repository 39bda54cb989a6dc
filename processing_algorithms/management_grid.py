"""linzhang:managementgrid: the management grid (管护网格), one zone of forest per ranger (包山包人)."""
from __future__ import annotations

import time

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
)

from ..core import schema
from ..core.errors import InputDataError
from ..i18n import bilingual, tr
from ..qgis_glue.frames import WKB_TYPE
from .base import LinzhangAlgorithm
from .patrol_coverage import _centre_lonlat, working_crs

RANGER_FIELDS = ("ranger_id", "name", "area_code")


class ManagementGridAlgorithm(LinzhangAlgorithm):
    NAME = "managementgrid"
    DISPLAY_NAME = "Management grid (one zone per ranger)"
    GROUP_ID = "grids"
    GROUP = "Management grids"
    TAGS = ("management grid,ranger,zone,partition,balance,管护网格,护林员,包山包人,网格化,一格一人,"
            "纵向到底,横向到边")
    REQUIRES = ("numpy", "scipy", "shapely", "geopandas", "pyproj")
    HELP = ("Draws the management grid (管护网格) of each responsibility area: its forest divided into one zone per "
            "ranger (包山包人, 一格管一片、一格定一人). The zones of an area cover all of its forest and nothing "
            "else, with no gaps and no overlaps (纵向到底、横向到边); they never cross an area boundary; each zone "
            "is one connected piece where the forest allows it (a separate forest island joins a zone whole); the "
            "forest area per ranger is balanced (max/min at most 1.15 where the shape allows) and the zones are "
            "compact. Method: the forest of the area is cut by a fine square grid into cells (forest ∩ square, so "
            "the cells add up to the forest exactly); the cells are split recursively into two connected groups "
            "holding the share of forest of their number of rangers, cutting across the longer side; then cells "
            "that share more boundary with a neighbouring zone than with their own join it (shorter, straighter "
            "boundaries), and boundary cells move from heavier to lighter neighbouring zones, always keeping both "
            "zones connected. The number of "
            "rangers of an area comes from the rangers table (its rangers, not the supervisors, by area_code), "
            "else from a numeric field of the areas, else from a target forest area per ranger. The zones get the "
            "ids <area code>-01…, the rangers in ranger_id order, their forest in ha and 亩, perimeter, "
            "compactness (Polsby–Popper 4πA/P² of the outline: 1 for a disc) and the ids of the neighbouring "
            "zones. Layers in other CRSs are reprojected (the work is done in the areas' CRS, or a local "
            "Gauss-Kruger or UTM zone when it is geographic); invalid polygons are repaired. With a workspace the "
            "zones replace those of the same areas in its management grid layer, in one transaction.")

    AREAS = "AREAS"
    CODE_FIELD = "CODE_FIELD"
    FOREST = "FOREST"
    RANGERS = "RANGERS"
    RANGERS_FIELD = "RANGERS_FIELD"
    TARGET_HA = "TARGET_HA"
    CELL_SIZE = "CELL_SIZE"
    WORKSPACE = "WORKSPACE"
    OUTPUT = "OUTPUT"
    ZONES = "ZONES"
    BALANCE = "BALANCE"
    COMPACTNESS = "COMPACTNESS"

    _refresh_after_run = ""

    def initAlgorithm(self, config=None):  # noqa: N802
        self._add(QgsProcessingParameterFeatureSource(self.AREAS, tr("Responsibility areas"),
                                                      [QgsProcessing.SourceType.TypeVectorPolygon]),
                  tr("The areas to divide, e.g. the villages of the workspace's responsibility areas. Zones never "
                     "cross their boundaries. Only areas with rangers get zones, and those must not overlap."))
        self._add(QgsProcessingParameterField(self.CODE_FIELD, tr("Area code field"), "code", self.AREAS,
                                              optional=True),
                  tr("The field of the areas with their code (default code), matched with the area_code of the "
                     "rangers."))
        self._add(QgsProcessingParameterFeatureSource(self.FOREST, tr("Forest polygons"),
                                                      [QgsProcessing.SourceType.TypeVectorPolygon]),
                  tr("The forest to divide, e.g. the workspace's forest stands: when the layer has the field "
                     "land_class, only the stands of the forest land classes (0111-0307) count."))
        self._add(QgsProcessingParameterFeatureSource(self.RANGERS, tr("Rangers table"),
                                                      [QgsProcessing.SourceType.TypeVector], optional=True),
                  tr("Optional table of rangers with the fields ranger_id, name and area_code (and role: "
                     "supervisors do not get a zone), e.g. the workspace's rangers table. Each area gets one zone "
                     "per ranger."))
        self._add(QgsProcessingParameterField(self.RANGERS_FIELD, tr("Number of rangers field"), None, self.AREAS,
                                              QgsProcessingParameterField.DataType.Numeric, optional=True),
                  tr("Optional numeric field of the areas with their number of rangers, used when there is no "
                     "rangers table."))
        self._add(QgsProcessingParameterNumber(self.TARGET_HA, tr("Target forest per ranger (ha)"),
                                               QgsProcessingParameterNumber.Type.Double, None, True, 0.0),
                  tr("Optional forest area per ranger in hectares, used when neither a rangers table nor a number "
                     "field is given: each area with forest gets round(forest / target) rangers, at least one."))
        self._add(QgsProcessingParameterNumber(self.CELL_SIZE, tr("Cell size (m)"),
                                               QgsProcessingParameterNumber.Type.Double, None, True, 0.0),
                  tr("Optional side of the grid cells in metres. Empty: chosen per area so that each ranger's "
                     "forest holds about 64 cells. Smaller cells give a finer balance and take longer."),
                  advanced=True)
        self._add(QgsProcessingParameterFile(self.WORKSPACE, tr("Also write to workspace"),
                                             QgsProcessingParameterFile.Behavior.File,
                                             fileFilter=tr("GeoPackage (*.gpkg)"), optional=True),
                  tr("Optional one-map workspace (.gpkg): its management grid zones of the same areas are replaced "
                     "by the new ones in one transaction."))
        self._add(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Management grid zones"),
                                                    QgsProcessing.SourceType.TypeVectorPolygon),
                  tr("One zone per ranger with the fields of the workspace's management grid layer: zone_id, "
                     "area_code, ranger_id, ranger, forest_ha, forest_mu, perimeter_m, compactness, neighbours; "
                     "in the areas' CRS."))
        for name, label in ((self.ZONES, tr("Zones")), (self.BALANCE, tr("Worst balance (max/min forest)")),
                            (self.COMPACTNESS, tr("Mean compactness"))):
            self.addOutput(QgsProcessingOutputNumber(name, label))

    # --- reading ---------------------------------------------------------------------------------

    def _source(self, parameters, name: str, context):
        """The layer of a parameter; invalid polygons reach the core, which repairs them and says so."""
        source = self.parameterAsSource(parameters, name, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, name))
        source.setInvalidGeometryCheck(QgsFeatureRequest.InvalidGeometryCheck.GeometryNoCheck)
        return source

    def _optional_number(self, parameters, name: str, context):
        if parameters.get(name) in (None, ""):
            return None
        value = self.parameterAsDouble(parameters, name, context)
        return value if value > 0 else None

    def _areas(self, parameters, context, crs, feedback):
        from ..qgis_glue.frames import source_to_frame

        source = self._source(parameters, self.AREAS, context)
        code_field = self.parameterAsString(parameters, self.CODE_FIELD, context) or "code"
        count_field = self.parameterAsString(parameters, self.RANGERS_FIELD, context)
        fields = [code_field] + ([count_field] if count_field and count_field != code_field else [])
        frame = source_to_frame(source, fields, crs, feedback, source.sourceName())
        if len(frame) == 0:
            raise InputDataError(f"责任区图层“{source.sourceName()}”没有要素。",
                                 f"The areas layer '{source.sourceName()}' has no features.")
        frame["code"] = frame[code_field]
        return frame, count_field

    def _forest(self, parameters, context, crs, feedback):
        from ..qgis_glue.frames import source_to_frame

        source = self._source(parameters, self.FOREST, context)
        by_class = "land_class" in source.fields().names()
        frame = source_to_frame(source, ["land_class"] if by_class else [], crs, feedback, source.sourceName())
        if by_class:
            frame = frame[frame["land_class"].isin(schema.FOREST_LAND_CLASSES)]
            feedback.pushInfo(tr("Forest: the {} stands of the forest land classes ({}).").format(
                len(frame), ", ".join(schema.FOREST_LAND_CLASSES)))
        if len(frame) == 0 or frame.geometry.isna().all():
            raise InputDataError(f"林地图层“{source.sourceName()}”中没有林地多边形。",
                                 f"The forest layer '{source.sourceName()}' holds no forest polygon.")
        return frame.geometry.values

    def _rangers(self, parameters, context, areas, count_field: str, feedback):
        from ..core.grid.inputs import rangers_from_counts, rangers_from_rows
        from ..core.values import normalise_code
        from ..qgis_glue.frames import source_to_frame

        source = self.parameterAsSource(parameters, self.RANGERS, context)
        if source is not None:
            names = source.fields().names()
            fields = list(RANGER_FIELDS) + (["role"] if "role" in names else [])
            table = source_to_frame(source, fields, QgsCoordinateReferenceSystem(), None,
                                    source.sourceName() or tr("Rangers table"))
            rangers = rangers_from_rows(table[fields].to_dict("records"))
            feedback.pushInfo(tr("Rangers: {} in the table for {} area codes.").format(
                sum(len(people) for people in rangers.values()), len(rangers)))
            return rangers
        if count_field:
            counts = {normalise_code(code): value for code, value in zip(areas["code"], areas[count_field])}
            return rangers_from_counts(counts)
        return None

    # --- running ---------------------------------------------------------------------------------

    def _run(self, parameters, context, feedback) -> dict:
        from ..core.grid.zones import GridCanceled, management_grid

        started = time.perf_counter()
        areas_source = self._source(parameters, self.AREAS, context)
        forest_source = self._source(parameters, self.FOREST, context)
        areas_crs = areas_source.sourceCrs()
        work_crs = working_crs(areas_crs, _centre_lonlat(areas_source, areas_crs)
                               or _centre_lonlat(forest_source, forest_source.sourceCrs()))
        if not areas_crs.isValid():
            areas_crs = work_crs
        self._log_crs(areas_source, forest_source, work_crs, feedback)
        workspace = self.parameterAsFile(parameters, self.WORKSPACE, context)
        if workspace:
            from ..core.workspace import read_workspace_info

            read_workspace_info(workspace)  # a wrong file is reported before the long work
        steps = QgsProcessingMultiStepFeedback(4, feedback)
        feedback.pushInfo(tr("Reading the areas and the forest…"))
        areas, count_field = self._areas(parameters, context, work_crs, steps)
        steps.setCurrentStep(1)
        forest = self._forest(parameters, context, work_crs, steps)
        rangers = self._rangers(parameters, context, areas, count_field, feedback)
        target = self._optional_number(parameters, self.TARGET_HA, context)
        cell_size = self._optional_number(parameters, self.CELL_SIZE, context)
        steps.setCurrentStep(2)

        def progress(percent: float) -> bool:
            steps.setProgress(percent)
            return not feedback.isCanceled()

        feedback.pushInfo(tr("Cutting the forest into cells and dividing it among the rangers…"))
        try:
            result = management_grid(areas, forest, rangers=rangers, target_ha=target, cell_size=cell_size,
                                     progress=progress)
        except GridCanceled:
            raise QgsProcessingException(tr("Canceled.")) from None
        for zh, en in result.notes:
            feedback.pushWarning(bilingual(zh, en))
        self._log_areas(result, feedback)
        steps.setCurrentStep(3)
        dest = self._write(parameters, context, result, work_crs, areas_crs, steps)
        self._store(workspace, result, work_crs, feedback)
        feedback.pushInfo(tr("{} zones in {} areas; worst balance {:.3f}, mean compactness {:.3f}; {:.1f} s.").format(
            len(result.zones), len(result.areas), result.balance, result.compactness,
            time.perf_counter() - started))
        feedback.setProgress(100)
        return {self.OUTPUT: dest, self.ZONES: len(result.zones), self.BALANCE: result.balance,
                self.COMPACTNESS: result.compactness}

    @staticmethod
    def _log_crs(areas_source, forest_source, work_crs, feedback) -> None:
        areas_crs = areas_source.sourceCrs()
        if areas_crs != work_crs:
            feedback.pushWarning(tr("The areas are in {}, not a projected CRS in metres: the zones are computed in "
                                    "{} and written in the areas' CRS.").format(
                areas_crs.authid() or areas_crs.description() or "?", work_crs.authid()))
        else:
            feedback.pushInfo(tr("Working CRS: {}").format(work_crs.authid() or work_crs.description()))
        forest_crs = forest_source.sourceCrs()
        if forest_crs.isValid() and forest_crs != work_crs:
            feedback.pushWarning(tr("The forest polygons are in {}: they are reprojected to {}.").format(
                forest_crs.authid() or forest_crs.description(), work_crs.authid() or work_crs.description()))

    @staticmethod
    def _log_areas(result, feedback) -> None:
        for row in result.areas.itertuples(index=False):
            feedback.pushInfo(tr("Area {}: rangers {}, forest {:.1f} ha, cells of {:g} m ({}), balance {:.3f}, "
                                 "compactness {:.3f}.").format(row.area_code, row.rangers, row.forest_ha,
                                                              row.cell_size_m, row.cells, row.balance,
                                                              row.compactness))

    def _write(self, parameters, context, result, work_crs, areas_crs, feedback):
        from ..qgis_glue.frames import frame_to_sink, schema_fields

        fields = schema_fields(schema.GRID_ZONES)
        zones = result.zones
        if areas_crs != work_crs:
            zones = zones.set_crs(work_crs.toWkt(), allow_override=True).to_crs(areas_crs.toWkt())
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, WKB_TYPE.MultiPolygon, areas_crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        frame_to_sink(zones, sink, fields, feedback)
        return dest

    def _store(self, workspace: str, result, work_crs, feedback) -> None:
        from ..core.grid.store import replace_zones

        if not workspace:
            return
        deleted, added = replace_zones(workspace, result.zones, work_crs.toWkt())
        self._refresh_after_run = workspace
        feedback.pushInfo(tr("Workspace: {} zones of these areas replaced by {} new ones.").format(deleted, added))

    def postProcessAlgorithm(self, context, feedback):  # noqa: N802
        project = context.project()
        if self._refresh_after_run and project is not None:
            suffix = f"|layername={schema.GRID_ZONES.name}"
            for layer in project.mapLayers().values():
                source = layer.source()
                if source.split("|")[0] == self._refresh_after_run and source.endswith(suffix):
                    layer.reload()
                    layer.triggerRepaint()
        return {}
