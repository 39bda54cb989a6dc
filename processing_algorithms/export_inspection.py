"""linzhang:exportinspection: the verification ledger (核查台账, Excel) and one evidence sheet (取证表, PDF)
per change spot, from a one-map workspace."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsVectorLayer,
)

from ..core import schema
from ..core.errors import InputDataError
from ..i18n import tr
from ..qgis_glue.layout_items import first_missing, move_into, remove_empty_folders
from .base import LinzhangAlgorithm

LEDGER_TITLE = "森林督查图斑核查台账"
SPOT_NO_SEPARATORS = re.compile(r"[,，、;；\s]+")


def parse_spot_numbers(text: str) -> list[str]:
    """Spot numbers from a list separated by commas (also Chinese commas, semicolons or spaces), in order,
    without repeats."""
    return list(dict.fromkeys(part for part in SPOT_NO_SEPARATORS.split(text or "") if part))


def _fail(message_zh: str, message_en: str) -> None:
    """Stop with one sentence in Chinese and English, whatever the interface language."""
    raise InputDataError(message_zh, message_en)


class ExportInspectionAlgorithm(LinzhangAlgorithm):
    NAME = "exportinspection"
    DISPLAY_NAME = "Export verification ledger and evidence sheets"
    GROUP_ID = "inspection"
    GROUP = "Forest inspection"
    TAGS = ("forest inspection,change spot,ledger,Excel,evidence,PDF,print,森林督查,核查台账,取证表,变化图斑,"
            "卫片")
    REQUIRES = ("openpyxl",)
    MAIN_THREAD = True  # print layouts
    HELP = ("Exports the change spots (变化图斑) of a one-map workspace for the 森林督查 paperwork. The "
            "verification ledger (核查台账, Excel) has one row per spot with its latest state (location, "
            "responsible chief, image dates, area in 亩 and hectares, suspected and verified cause, "
            "determination, status, inspector, patrol link) and the number of recorded changes, a sheet of "
            "spots and 亩 per status and per town and village, and every recorded change. The evidence "
            "sheets (图斑核查取证表) are one A4 PDF per spot named after its number: the before and after "
            "images side by side at the same extent with the spot outlined in yellow, their dates, a scale "
            "bar and a north arrow, a table of the spot, a box for the field opinion and lines for the "
            "signatures. Without images the sheets show the spot only and say so. Give the spot numbers to "
            "export some spots only. Nothing is written when the input is wrong or the run is canceled.")

    WORKSPACE = "WORKSPACE"
    LEDGER = "LEDGER"
    EVIDENCE_FOLDER = "EVIDENCE_FOLDER"
    SPOT_NOS = "SPOT_NOS"
    BEFORE = "BEFORE"
    AFTER = "AFTER"
    SHEETS = "SHEETS"

    def initAlgorithm(self, config=None):  # noqa: N802
        self._add(QgsProcessingParameterFile(self.WORKSPACE, tr("Workspace"), QgsProcessingParameterFile.Behavior.File,
                                             fileFilter=tr("GeoPackage (*.gpkg)")),
                  tr("The one-map workspace (.gpkg) whose change spots and history are exported."))
        self._add(QgsProcessingParameterString(self.SPOT_NOS, tr("Spot numbers"), optional=True),
                  tr("Optional spot numbers (监测编号) separated by commas: only these spots are exported. "
                     "Empty: every spot."))
        self._add(QgsProcessingParameterRasterLayer(self.BEFORE, tr("Before image (earlier date)"), optional=True),
                  tr("Optional image of the earlier date for the evidence sheets. An image loaded from a file "
                     "with two bands (red, near-infrared) is shown in near-infrared false colour; a layer of the "
                     "project keeps its style."))
        self._add(QgsProcessingParameterRasterLayer(self.AFTER, tr("After image (later date)"), optional=True),
                  tr("Optional image of the later date for the evidence sheets, shown as the before image."))
        self._add(QgsProcessingParameterFileDestination(self.LEDGER, tr("Verification ledger (Excel)"),
                                                        tr("Excel workbook (*.xlsx)"), optional=True,
                                                        createByDefault=False),
                  tr("Optional Excel workbook (.xlsx), the verification ledger with the sheets 图斑台账 (one "
                     "row per spot), 按状态汇总 (per status, town and village) and 核查记录 (history)."))
        self._add(QgsProcessingParameterFolderDestination(self.EVIDENCE_FOLDER, tr("Evidence sheets folder"),
                                                          optional=True, createByDefault=False),
                  tr("Optional folder for the evidence sheets: one A4 PDF per spot, named <spot number>.pdf."))
        self.addOutput(QgsProcessingOutputNumber(self.SHEETS, tr("Evidence sheets written")))

    # --- reading ---------------------------------------------------------------------------------

    @staticmethod
    def read_spots(path: str):
        """The workspace's change spots as dicts (fields and 'geometry' as QgsGeometry), and their CRS."""
        from ..qgis_glue.frames import python_value

        layer = QgsVectorLayer(f"{path}|layername={schema.CHANGE_SPOTS.name}", "change_spots", "ogr")
        if not layer.isValid():
            raise InputDataError(f"无法读取工作空间 {os.path.basename(path)} 的变化图斑图层。",
                                 f"Cannot read the change spots of the workspace {os.path.basename(path)}.")
        names = [name for name in layer.fields().names() if name != "fid"]
        spots = []
        for feature in layer.getFeatures():
            spot = {name: python_value(feature[name]) for name in names}
            spot["geometry"] = feature.geometry()
            spots.append(spot)
        return spots, layer.crs()

    @staticmethod
    def read_history(path: str, spot_numbers) -> list[dict]:
        """The rows of spot_history of the given spots, as dicts."""
        wanted = set(spot_numbers)
        fields = schema.SPOT_HISTORY.field_names
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT {} FROM {}".format(", ".join(f'"{name}"' for name in fields),
                                                         schema.SPOT_HISTORY.name)).fetchall()
        return [dict(zip(fields, row)) for row in rows if row[0] in wanted]

    def _select(self, parameters, context, spots: list[dict], path: str) -> list[dict]:
        if not spots:
            name = os.path.basename(path)
            _fail(f"工作空间 {name} 中没有可导出的变化图斑。", f"The workspace {name} has no change spots to export.")
        wanted = parse_spot_numbers(self.parameterAsString(parameters, self.SPOT_NOS, context))
        if not wanted:
            return spots
        by_number = {str(spot.get("spot_no") or ""): spot for spot in spots}
        unknown = [number for number in wanted if number not in by_number]
        if unknown:
            _fail("工作空间中没有监测编号为 {} 的图斑。".format("、".join(unknown)),
                  "The workspace has no spots numbered {}.".format(", ".join(unknown)))
        return [by_number[number] for number in wanted]

    def _imagery(self, parameters, name: str, context):
        """The raster layer of ``name``, styled for the chips when it was loaded from a file (a project
        layer keeps its style)."""
        from ..qgis_glue.evidence import style_imagery

        layer = self.parameterAsRasterLayer(parameters, name, context)
        if layer is None:
            return None
        project = context.project()
        if project is None or project.mapLayer(layer.id()) is None:
            style_imagery(layer)
        return layer

    # --- running ---------------------------------------------------------------------------------

    def _run(self, parameters, context, feedback) -> dict:
        from ..core.inspection.ledger import write_verification_ledger
        from ..qgis_glue.evidence import covers, export_evidence_sheets

        ledger = self.parameterAsFileOutput(parameters, self.LEDGER, context)
        folder = self.parameterAsFileOutput(parameters, self.EVIDENCE_FOLDER, context)
        if not ledger and not folder:
            _fail("请选择核查台账、取证表文件夹，或两者都选。",
                  "Choose the verification ledger, the evidence sheets folder, or both.")
        path = self.workspace_path(parameters, context)
        spots, crs = self.read_spots(path)
        spots = self._select(parameters, context, spots, path)
        before = self._imagery(parameters, self.BEFORE, context)
        after = self._imagery(parameters, self.AFTER, context)
        history = self.read_history(path, [spot.get("spot_no") for spot in spots])
        feedback.pushInfo(tr("{} spots and {} recorded changes read from {}.").format(
            len(spots), len(history), os.path.basename(path)))

        written: list[str] = []
        final: list[str] = []
        staging = None
        created = [first_missing(folder) if folder else "",
                   first_missing(os.path.dirname(os.path.abspath(ledger))) if ledger else ""]
        finished = False
        try:
            if folder:
                if before is None and after is None:
                    feedback.pushWarning(tr("No images given: the evidence sheets show the spots only."))
                for label, layer in ((tr("before image"), before), (tr("after image"), after)):
                    outside = [] if layer is None else [
                        str(spot.get("spot_no")) for spot in spots if not covers(layer, spot, crs)]
                    if outside:
                        feedback.pushWarning(tr("The {} does not cover all of the spots {}.").format(
                            label, ", ".join(outside[:10]) + ("…" if len(outside) > 10 else "")))
                os.makedirs(folder, exist_ok=True)
                staging = tempfile.mkdtemp(prefix=".evidence-", dir=folder)
                feedback.pushInfo(tr("Writing {} evidence sheets…").format(len(spots)))
                written = export_evidence_sheets(spots, crs, before, after, staging, context.project(), feedback)
                if feedback.isCanceled() or len(written) < len(spots):
                    _fail("已取消。", "Canceled.")
            if ledger:
                counts: dict[str, int] = {}
                for row in history:
                    counts[row["spot_no"]] = counts.get(row["spot_no"], 0) + 1
                os.makedirs(os.path.dirname(os.path.abspath(ledger)), exist_ok=True)
                write_verification_ledger(ledger, spots, counts, history, LEDGER_TITLE)
                feedback.pushInfo(tr("Verification ledger written: {}").format(ledger))
            final = move_into(written, folder)
            finished = True
        except OSError as error:
            _fail(f"无法写入取证表：{error}", f"Could not write the evidence sheets: {error}")
        finally:
            if staging:
                shutil.rmtree(staging, ignore_errors=True)
            if not finished:  # a failed run leaves no empty folder behind
                for root in created:
                    remove_empty_folders(root)
        if folder:
            feedback.pushInfo(tr("{} evidence sheets written to {}").format(len(final), folder))
        return {self.LEDGER: ledger or None, self.EVIDENCE_FOLDER: folder or None, self.SHEETS: len(final)}
