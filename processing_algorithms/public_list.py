"""linzhang:publiclist: the public list of the chiefs (林长公示名单), their areas and duties, as .xlsx and .csv."""
from __future__ import annotations

import os

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ..core import schema
from ..core.errors import InputDataError
from ..i18n import tr
from .base import LinzhangAlgorithm


def _with_suffix(path: str, suffix: str) -> str:
    return path if not path or path.lower().endswith(suffix) else path + suffix


class PublicListAlgorithm(LinzhangAlgorithm):
    NAME = "publiclist"
    DISPLAY_NAME = "Public list of the chiefs"
    GROUP_ID = "chiefs"
    GROUP = "Chief responsibility areas"
    TAGS = "public list,forest chief,duties,Excel,CSV,公示,林长名单,责任区域,两长两员,职责"
    REQUIRES = ("openpyxl",)
    HELP = ("Writes the public list of the chiefs (林长公示名单) of a one-map workspace for public display: one "
            "row per responsibility area in hierarchy order (district, its towns, their villages, their groups) "
            "with the chief's level, the area's name and code, the chief's name and title, the area and chief "
            "above, the duties of the level (a short text from the district's plan, with the level's patrol "
            "rule), the area in hectares and 亩, the grassroots supervisor (基层监管员) and, for villages and "
            "groups, the rangers (护林员) of the rangers table. The chiefs' phone numbers are listed only when "
            "asked; a supervision phone for the public can be given instead. Written as an Excel workbook and/or "
            "a CSV file (UTF-8 with a byte-order mark, which Excel opens with the Chinese intact). Nothing is "
            "written when the input is wrong.")

    WORKSPACE = "WORKSPACE"
    INCLUDE_PHONES = "INCLUDE_PHONES"
    SUPERVISION_PHONE = "SUPERVISION_PHONE"
    XLSX = "XLSX"
    CSV = "CSV"
    ROWS = "ROWS"

    def initAlgorithm(self, config=None):  # noqa: N802
        self._add(QgsProcessingParameterFile(self.WORKSPACE, tr("Workspace"), QgsProcessingParameterFile.Behavior.File,
                                             fileFilter=tr("GeoPackage (*.gpkg)")),
                  tr("The one-map workspace (.gpkg) whose responsibility areas, rangers and patrol rules are "
                     "listed."))
        self._add(QgsProcessingParameterBoolean(self.INCLUDE_PHONES, tr("Include the chiefs' phone numbers"),
                                                False, optional=True),
                  tr("When true, a column with each chief's phone number; by default phone numbers, which are "
                     "personal, are left out."))
        self._add(QgsProcessingParameterString(self.SUPERVISION_PHONE, tr("Supervision phone"), optional=True),
                  tr("Optional phone number where the public reports problems (监督电话), shown on every row."))
        self._add(QgsProcessingParameterFileDestination(self.XLSX, tr("Public list (Excel)"),
                                                        tr("Excel workbook (*.xlsx)"), optional=True),
                  tr("The list as an Excel workbook (.xlsx)."))
        self._add(QgsProcessingParameterFileDestination(self.CSV, tr("Public list (CSV)"), tr("CSV file (*.csv)"),
                                                        optional=True, createByDefault=False),
                  tr("Optional: the list as a CSV file, UTF-8 with a byte-order mark."))
        self.addOutput(QgsProcessingOutputNumber(self.ROWS, tr("Chiefs listed")))

    def _run(self, parameters, context, feedback) -> dict:
        from ..core.handbook import lists
        from ..core.handbook.public_list import (
            list_title,
            public_rows,
            public_table,
            write_public_csv,
            write_public_xlsx,
        )
        from ..qgis_glue.handbook_layout import read_layer, read_rules, workspace_crs

        xlsx = _with_suffix(self.parameterAsFileOutput(parameters, self.XLSX, context), ".xlsx")
        csv_path = _with_suffix(self.parameterAsFileOutput(parameters, self.CSV, context), ".csv")
        if not xlsx and not csv_path:
            raise InputDataError("请选择 Excel 文件、CSV 文件，或两者都选。",
                                 "Choose the Excel file, the CSV file, or both.")
        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        if not path or not os.path.isfile(path):
            raise InputDataError(f"工作空间文件 {path} 不存在。", f"The workspace file {path} does not exist.")
        include_phones = self.parameterAsBoolean(parameters, self.INCLUDE_PHONES, context)
        phone = (self.parameterAsString(parameters, self.SUPERVISION_PHONE, context) or "").strip()

        crs = workspace_crs(path)
        areas = read_layer(path, schema.RESP_AREAS, lists.AREA_FIELDS, crs, feedback=feedback)
        rangers = read_layer(path, schema.RANGERS, lists.RANGER_FIELDS, crs, feedback=feedback)
        rules = read_rules(path, crs)
        rows = public_rows(lists.records(areas, lists.AREA_FIELDS), lists.records(rangers, lists.RANGER_FIELDS),
                           rules)
        headers, values = public_table(rows, include_phones, phone)
        feedback.pushInfo(tr("{} chiefs listed; columns: {}").format(len(rows), "、".join(headers)))
        if include_phones:
            feedback.pushWarning(tr("The chiefs' phone numbers are in the list: check before making it public."))
        outputs: dict = {self.ROWS: len(rows)}
        try:
            if xlsx:
                write_public_xlsx(xlsx, headers, values, list_title(rows), phone)
                outputs[self.XLSX] = xlsx
                feedback.pushInfo(tr("Public list written: {}").format(xlsx))
            if csv_path:
                write_public_csv(csv_path, headers, values)
                outputs[self.CSV] = csv_path
                feedback.pushInfo(tr("Public list written: {}").format(csv_path))
        except OSError as error:
            if self.XLSX in outputs and os.path.exists(xlsx):
                os.remove(xlsx)  # the CSV failed: both files or neither
            raise InputDataError(f"无法写入公示名单：{error}", f"Could not write the public list: {error}")
        feedback.setProgress(100)
        return outputs
