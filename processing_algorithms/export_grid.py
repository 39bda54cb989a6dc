"""linzhang:exportgrid: the 包山包人 responsibility list (Excel) and one responsibility map (PDF) per ranger, from
the management grid (管护网格) of a one-map workspace."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import time

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from ..core import schema
from ..core.errors import InputDataError
from ..i18n import tr
from ..qgis_glue.layout_items import first_missing, move_into, open_workspace_layer, remove_empty_folders
from .base import LinzhangAlgorithm

LIST_TITLE = "护林员“包山包人”责任清单"
CODE_SEPARATORS = re.compile(r"[,，、;；\s]+")
# (layer, the fields it must have, the fields read when present)
ZONE_FIELDS = (("zone_id", "area_code", "ranger_id", "ranger"), ("forest_ha", "forest_mu", "neighbours"))
AREA_FIELDS = (("code", "name", "level", "parent_code"), ("chief_name", "chief_title", "chief_phone", "supervisor"))
RANGER_FIELDS = (("ranger_id", "name"), ("phone",))
STAND_FIELDS = (("species", "forest_use"), ("land_class",))


def parse_codes(text: str) -> list[str]:
    """Area codes from a list separated by commas (also Chinese commas, semicolons or spaces), in order, without
    repeats."""
    return list(dict.fromkeys(part for part in CODE_SEPARATORS.split(text or "") if part))


def _canceled() -> InputDataError:
    return InputDataError("已取消。", "Canceled.")


class ExportGridAlgorithm(LinzhangAlgorithm):
    NAME = "exportgrid"
    DISPLAY_NAME = "Export responsibility list and ranger maps"
    GROUP_ID = "grids"
    GROUP = "Management grids"
    TAGS = ("management grid,ranger,responsibility list,Excel,map,PDF,print,管护网格,包山包人,责任清单,护林员,"
            "管护责任图,四至")
    REQUIRES = ("numpy", "pandas", "shapely", "geopandas", "openpyxl")
    MAIN_THREAD = True  # print layouts
    HELP = ("Exports the management grid (管护网格) of a one-map workspace for the 包山包人 paperwork. The "
            "responsibility list (护林员“包山包人”责任清单, Excel) has one row per zone: town, village, zone id, "
            "ranger and phone (from the rangers table; blank when there is none), forest area in hectares and 亩, "
            "main species and 林种 (the largest by the area of the forest stands inside the zone, and the second "
            "when it holds at least 10 %, with their shares), the 四至 and the chief of the area; sorted by town, "
            "village and zone, with a total row and a sheet per village (zones, rangers, forest, largest and "
            "smallest zone, balance max/min). The 四至 says what lies beyond the zone in each direction: the "
            "zone's outline is cut into short pieces, each given the direction (东/南/西/北, 90° each) in which "
            "it lies from the zone's centroid and what is just outside it (a neighbouring zone with its ranger, "
            "another village, non-forest land with its land class, or the district boundary); what holds at least "
            "15 % of a direction's outline is named, longest first. The responsibility maps (护林员管护责任图) are "
            "one A4 PDF per ranger, named 管护责任图_<zone id>_<ranger>.pdf: the zone outlined in red with the "
            "forest stands by species beneath, the neighbouring zones labelled with their number and ranger, the "
            "village boundaries, a legend, a scale bar, a north arrow, a table of the zone and lines for the "
            "signatures. Give area codes (towns or villages) to export their zones only. The zones come from the "
            "management grid tool (管护网格划分). Nothing is written when the input is wrong or the run is "
            "canceled.")

    WORKSPACE = "WORKSPACE"
    AREA_CODES = "AREA_CODES"
    LIST = "LIST"
    MAP_FOLDER = "MAP_FOLDER"
    ZONES = "ZONES"
    MAPS = "MAPS"

    def initAlgorithm(self, config=None):  # noqa: N802
        self._add(QgsProcessingParameterFile(self.WORKSPACE, tr("Workspace"), QgsProcessingParameterFile.Behavior.File,
                                             fileFilter=tr("GeoPackage (*.gpkg)")),
                  tr("The one-map workspace (.gpkg) whose management-grid zones are exported, with its "
                     "responsibility areas, rangers and forest stands."))
        self._add(QgsProcessingParameterString(self.AREA_CODES, tr("Area codes"), optional=True),
                  tr("Optional codes of responsibility areas (towns or villages) separated by commas: only the zones "
                     "of these areas and of the areas below them are exported. Empty: every zone."))
        self._add(QgsProcessingParameterFileDestination(self.LIST, tr("Responsibility list (Excel)"),
                                                        tr("Excel workbook (*.xlsx)"), optional=True,
                                                        createByDefault=False),
                  tr("Optional Excel workbook (.xlsx): the 包山包人 responsibility list (sheet 责任清单, one row per "
                     "zone) and its summary per village (sheet 按村汇总)."))
        self._add(QgsProcessingParameterFolderDestination(self.MAP_FOLDER, tr("Ranger maps folder"), optional=True,
                                                          createByDefault=False),
                  tr("Optional folder for the responsibility maps: one A4 PDF per ranger, named "
                     "管护责任图_<zone id>_<ranger>.pdf."))
        self.addOutput(QgsProcessingOutputNumber(self.ZONES, tr("Zones exported")))
        self.addOutput(QgsProcessingOutputNumber(self.MAPS, tr("Ranger maps written")))

    # --- reading ---------------------------------------------------------------------------------

    @classmethod
    def read_workspace(cls, path: str, feedback=None):
        """The zones, areas, rangers and stands of the workspace as frames in a projected CRS in metres (the
        zones' own when it is one), and that CRS."""
        from ..qgis_glue.frames import source_to_frame
        from .patrol_coverage import _centre_lonlat, working_crs

        layers = {layer_def.name: open_workspace_layer(path, layer_def)
                  for layer_def in (schema.GRID_ZONES, schema.RESP_AREAS, schema.RANGERS, schema.FOREST_STANDS)}
        zones_layer = layers[schema.GRID_ZONES.name]
        crs = working_crs(zones_layer.crs(), _centre_lonlat(zones_layer, zones_layer.crs())
                          or _centre_lonlat(layers[schema.RESP_AREAS.name], layers[schema.RESP_AREAS.name].crs()))

        def read(layer_def: schema.LayerDef, fields: tuple, target=crs):
            layer = layers[layer_def.name]
            present = set(layer.fields().names())
            names = list(fields[0]) + [name for name in fields[1] if name in present]
            return source_to_frame(layer, names, target, feedback, f"{layer_def.name} {layer_def.title_zh}")

        frames = {
            "zones": read(schema.GRID_ZONES, ZONE_FIELDS),
            "areas": read(schema.RESP_AREAS, AREA_FIELDS),
            "rangers": read(schema.RANGERS, RANGER_FIELDS, QgsCoordinateReferenceSystem()),
            "stands": read(schema.FOREST_STANDS, STAND_FIELDS),
        }
        return frames, crs

    # --- running ---------------------------------------------------------------------------------

    def _run(self, parameters, context, feedback) -> dict:
        from ..core.grid.responsibility import responsibility_entries, select_entries

        started = time.perf_counter()
        list_path = self.parameterAsFileOutput(parameters, self.LIST, context)
        folder = self.parameterAsFileOutput(parameters, self.MAP_FOLDER, context)
        if not list_path and not folder:
            raise InputDataError("请选择责任清单（Excel）、管护责任图文件夹，或两者都选。",
                                 "Choose the responsibility list (Excel), the ranger maps folder, or both.")
        steps = QgsProcessingMultiStepFeedback(3, feedback)
        path = self.workspace_path(parameters, context)
        feedback.pushInfo(tr("Reading the workspace {}").format(os.path.basename(path)))
        frames, crs = self.read_workspace(path, steps)
        if feedback.isCanceled():
            raise _canceled()
        steps.setCurrentStep(1)
        feedback.pushInfo(tr("Describing {} zones: main species, 四至…").format(len(frames["zones"])))
        rangers = frames["rangers"].drop(columns=["geometry", "fid"], errors="ignore").to_dict("records")
        entries = responsibility_entries(frames["zones"], frames["areas"], rangers, frames["stands"])
        chosen = select_entries(entries, frames["areas"],
                                parse_codes(self.parameterAsString(parameters, self.AREA_CODES, context)))
        self._log(chosen, feedback)
        if feedback.isCanceled():
            raise _canceled()
        steps.setCurrentStep(2)
        maps = self._write(chosen, entries, frames, crs, list_path, folder, context, steps, feedback)
        feedback.pushInfo(tr("Done in {:.1f} s.").format(time.perf_counter() - started))
        feedback.setProgress(100)
        return {self.LIST: list_path or None, self.MAP_FOLDER: folder or None, self.ZONES: len(chosen),
                self.MAPS: maps}

    @staticmethod
    def _log(chosen, feedback) -> None:
        from ..core.grid.responsibility import village_summary

        summary = village_summary(chosen)
        total = summary[-1]
        feedback.pushInfo(tr("{} zones of {} rangers in {} villages: {:,.1f} ha = {:,.0f} mu of forest; worst balance "
                             "(max/min forest per zone in a village) {}.").format(
            total[2], total[3], len(summary) - 1, total[4], total[5],
            "—" if total[8] is None else f"{total[8]:.3f}"))
        without_phone = [f"{entry.ranger} ({entry.zone_id})" for entry in chosen if not entry.phone]
        if without_phone:
            feedback.pushWarning(tr("{} rangers have no phone in the rangers table (left blank): {}").format(
                len(without_phone), ", ".join(without_phone[:10]) + ("…" if len(without_phone) > 10 else "")))

    def _title(self, chosen, frames) -> str:
        from ..core.hierarchy.tree import build_hierarchy

        tree = build_hierarchy(frames["areas"][list(AREA_FIELDS[0])].to_dict("records"))
        code = chosen[0].area_code
        top = ([code] + tree.ancestors(code))[-1] if code in tree else ""
        return (tree.node(top).name if top else "") + LIST_TITLE

    def _write(self, chosen, entries, frames, crs, list_path: str, folder: str, context, steps, feedback) -> int:
        from ..core.grid.responsibility import write_responsibility_list
        from ..qgis_glue.ranger_map import MapData, export_ranger_maps

        drawable = [entry for entry in chosen if entry.geometry is not None and not entry.geometry.is_empty]
        if folder and len(drawable) < len(chosen):
            skipped = sorted({entry.zone_id for entry in chosen} - {entry.zone_id for entry in drawable})
            feedback.pushWarning(tr("Zones without a polygon get no map: {}").format(", ".join(skipped)))
        created = [first_missing(folder) if folder else "",
                   first_missing(os.path.dirname(os.path.abspath(list_path))) if list_path else ""]
        staging, final, finished = None, [], False
        try:
            if folder:
                os.makedirs(folder, exist_ok=True)
                staging = tempfile.mkdtemp(prefix=".ranger-maps-", dir=folder)
                feedback.pushInfo(tr("Writing {} ranger maps…").format(len(drawable)))
                data = MapData(crs, entries, self.map_areas(frames["areas"], {entry.area_code for entry in entries}),
                               frames["stands"])
                written = export_ranger_maps(drawable, data, staging, context.project(), steps)
                if feedback.isCanceled() or len(written) < len(drawable):
                    raise _canceled()
            if list_path:
                os.makedirs(os.path.dirname(os.path.abspath(list_path)), exist_ok=True)
                write_responsibility_list(list_path, chosen, self._title(chosen, frames))
                feedback.pushInfo(tr("Responsibility list written: {}").format(list_path))
            if staging:
                final = move_into(written, folder)
            finished = True
        except OSError as error:
            raise InputDataError(f"无法写入责任清单或管护责任图：{error}",
                                 f"Could not write the responsibility list or the ranger maps: {error}") from error
        finally:
            if staging:
                shutil.rmtree(staging, ignore_errors=True)
            if not finished:  # a failed run leaves no empty folder behind
                for root in created:
                    remove_empty_folders(root)
        if folder:
            feedback.pushInfo(tr("{} ranger maps written to {}").format(len(final), folder))
        return len(final)

    @staticmethod
    def map_areas(areas, codes: set):
        """The areas whose boundaries the maps draw: those of the levels of the areas holding zones."""
        from ..core.values import as_int, normalise_code

        own = areas["code"].map(normalise_code).isin(codes)
        levels = {as_int(level) for level in areas.loc[own, "level"]} - {None}
        return areas[own | areas["level"].map(as_int).isin(levels)]
