"""linzhang:patrolhandbook: the patrol handbook (巡林手册) of each chief, one two-page PDF per chief."""
from __future__ import annotations

import os
import shutil
import tempfile

from qgis.core import (
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from ..core.errors import InputDataError
from ..i18n import tr, tr_noop
from ..qgis_glue.layout_items import first_missing, move_into, remove_empty_folders
from .base import LinzhangAlgorithm

LEVELS = (tr_noop("District chiefs"), tr_noop("Town chiefs"), tr_noop("Village chiefs"), tr_noop("Group chiefs"))


class PatrolHandbookAlgorithm(LinzhangAlgorithm):
    NAME = "patrolhandbook"
    DISPLAY_NAME = "Patrol handbooks of the chiefs"
    GROUP_ID = "chiefs"
    GROUP = "Chief responsibility areas"
    TAGS = "patrol handbook,forest chief,atlas,PDF,print,巡林手册,林长,目标任务清单,森林资源清单,重点问题清单"
    REQUIRES = ("numpy", "shapely", "geopandas")
    MAIN_THREAD = True  # print layouts
    HELP = ("Writes the patrol handbook (巡林手册) of each chief of a one-map workspace: one two-page A4 PDF per "
            "chief, named 巡林手册_<area code>_<chief>.pdf, made with a QGIS print-layout atlas over the chiefs' "
            "areas. Page 1 has a map of the chief's area (the boundary, forest stands by forest use 林种, the "
            "areas one level below, management-grid zones, patrol tracks of the last 90 days and the open "
            "change spots) with a legend, a scale bar and a north arrow, and the target-task list "
            "(目标任务清单) of the year: the chief's own patrols against the patrol rule of the level, the "
            "chiefs below to supervise, the forest land to protect, the change spots to verify and close, and "
            "the rangers and grid zones. Page 2 has the forest-resource list (森林资源清单: hectares and 亩 by "
            "林种, 起源 and 优势树种, forest land only) and the key-problem list (重点问题清单: open change "
            "spots, chiefs whose patrols are overdue, spots missed by patrol). A list longer than its room shows "
            "its first rows and how many more there are. Give area codes for some chiefs (any level), or a "
            "level for all its chiefs. Figures are as of the date given (by default the latest patrol in the "
            "workspace). Nothing is written when the input is wrong or the run is canceled.")

    WORKSPACE = "WORKSPACE"
    LEVEL = "LEVEL"
    AREA_CODES = "AREA_CODES"
    AS_OF = "AS_OF"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    FILES = "FILES"

    def initAlgorithm(self, config=None):  # noqa: N802
        self._add(QgsProcessingParameterFile(self.WORKSPACE, tr("Workspace"), QgsProcessingParameterFile.Behavior.File,
                                             fileFilter=tr("GeoPackage (*.gpkg)")),
                  tr("The one-map workspace (.gpkg): responsibility areas, forest stands, patrol tracks, change "
                     "spots, grid zones, rangers and patrol rules."))
        self._add(QgsProcessingParameterEnum(self.LEVEL, tr("Chief level"), [tr(level) for level in LEVELS],
                                             defaultValue=0, optional=True),
                  tr("A handbook for every chief of this level (default: the district chiefs), unless area codes "
                     "are given."))
        self._add(QgsProcessingParameterString(self.AREA_CODES, tr("Area codes"), optional=True),
                  tr("Optional responsibility-area codes separated by commas: handbooks for these chiefs only, of "
                     "any level. Empty: every chief of the level."))
        self._add(QgsProcessingParameterDateTime(self.AS_OF, tr("As of date"),
                                                 QgsProcessingParameterDateTime.Type.Date, optional=True),
                  tr("The day the handbook's figures are given for: patrols of its year up to this day, tracks of "
                     "the 90 days before it. Empty: the day of the latest patrol in the workspace (today when "
                     "there is none)."))
        self._add(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, tr("Output folder")),
                  tr("The folder for the PDFs, one per chief: 巡林手册_<area code>_<chief>.pdf."))
        self.addOutput(QgsProcessingOutputNumber(self.FILES, tr("Handbooks written")))

    # --- reading ---------------------------------------------------------------------------------

    def _workspace(self, parameters, context) -> str:
        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        if not path or not os.path.isfile(path):
            raise InputDataError(f"工作空间文件 {path} 不存在。", f"The workspace file {path} does not exist.")
        return path

    def _as_of(self, parameters, context):
        if parameters.get(self.AS_OF) in (None, ""):
            return None
        value = self.parameterAsDateTime(parameters, self.AS_OF, context)
        return value.date().toPyDate() if value is not None and value.isValid() else None

    def _level(self, parameters, context) -> int:
        if parameters.get(self.LEVEL) in (None, ""):
            return 1
        return self.parameterAsEnum(parameters, self.LEVEL, context) + 1

    def _handbooks(self, parameters, context, feedback):
        from ..core.handbook import lists
        from ..qgis_glue.handbook_layout import read_workspace

        path = self._workspace(parameters, context)
        feedback.pushInfo(tr("Reading the workspace {}").format(os.path.basename(path)))
        data, crs = read_workspace(path, feedback)
        codes = lists.select_codes(data.tree(), self._level(parameters, context),
                                   lists.parse_codes(self.parameterAsString(parameters, self.AREA_CODES, context)))
        as_of = self._as_of(parameters, context) or lists.default_as_of(data.tracks)
        feedback.pushInfo(tr("{} handbooks as of {}: {} areas, {} stands, {} track features, {} change spots.").format(
            len(codes), as_of.isoformat(), len(data.areas), len(data.stands), len(data.tracks), len(data.spots)))
        handbooks = lists.build_handbooks(data, codes, as_of)
        for book in handbooks:
            feedback.pushInfo(tr("{} {} ({}): {:,.1f} ha of forest land, {} open change spots, {} chiefs with "
                                 "overdue patrols.").format(book.code, book.name, book.chief_name or "—",
                                                            book.resources.ha, len(book.problems.open_spots),
                                                            len(book.problems.overdue)))
        return handbooks, data, crs, as_of

    # --- running ---------------------------------------------------------------------------------

    def _run(self, parameters, context, feedback) -> dict:
        from ..qgis_glue.handbook_layout import build_handbook_layout, export_handbook_pdfs

        steps = QgsProcessingMultiStepFeedback(3, feedback)
        folder = self.parameterAsFileOutput(parameters, self.OUTPUT_FOLDER, context)
        handbooks, data, crs, as_of = self._handbooks(parameters, context, steps)
        if steps.isCanceled():
            raise InputDataError("已取消。", "Canceled.")
        steps.setCurrentStep(1)
        book_layout = build_handbook_layout(handbooks, data, crs, as_of, project=context.project())
        steps.setCurrentStep(2)
        created = first_missing(folder)
        staging, final, finished = None, [], False
        try:
            os.makedirs(folder, exist_ok=True)
            staging = tempfile.mkdtemp(prefix=".handbook-", dir=folder)
            feedback.pushInfo(tr("Writing {} handbooks…").format(len(handbooks)))
            written = export_handbook_pdfs(book_layout, staging, steps)
            if steps.isCanceled() or len(written) < len(handbooks):
                raise InputDataError("已取消。", "Canceled.")
            final = move_into(written, folder)
            finished = True
        except OSError as error:
            raise InputDataError(f"无法写入巡林手册：{error}", f"Could not write the patrol handbooks: {error}")
        finally:
            book_layout.close()
            if staging:
                shutil.rmtree(staging, ignore_errors=True)
            if not finished:  # a failed run leaves no empty folder behind
                remove_empty_folders(created)
        feedback.pushInfo(tr("{} patrol handbooks written to {}").format(len(final), folder))
        feedback.setProgress(100)
        return {self.FILES: len(final), self.OUTPUT_FOLDER: folder}
