"""The patrol ledger (巡林台账): sheets, Chinese headers, values, formats, highlighting, atomic write."""
from __future__ import annotations

import datetime as dt
import os

import pytest

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("geopandas")

from linzhang_qgis.core.errors import InputDataError  # noqa: E402
from linzhang_qgis.core.patrols import ledger  # noqa: E402
from linzhang_qgis.core.patrols.compliance import patrol_compliance  # noqa: E402
from linzhang_qgis.core.patrols.rules import default_rules  # noqa: E402

from test_compliance import JAN1, MAR31, areas_frame, base_tracks, tracks_frame  # noqa: E402


@pytest.fixture()
def result():
    return patrol_compliance(areas_frame(), tracks_frame(base_tracks()), default_rules(), JAN1, MAR31)


@pytest.fixture()
def workbook(result, tmp_path):
    path = str(tmp_path / "巡林台账.xlsx")
    assert ledger.write_ledger(path, result, "示范区林长巡林台账", JAN1, MAR31) == path
    assert os.listdir(tmp_path) == ["巡林台账.xlsx"]  # no temporary file left behind
    return openpyxl.load_workbook(path)


def sheet_rows(sheet):
    return [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]


def test_sheets_and_headers(workbook):
    assert workbook.sheetnames == ["汇总", "明细", "按级汇总"]
    summary = workbook["汇总"]
    assert [c.value for c in summary[2]] == list(ledger.SUMMARY_HEADERS)
    assert list(ledger.SUMMARY_HEADERS) == ["责任区编码", "责任区名称", "林长级别", "林长", "应巡周期数", "达标周期数",
                                            "是否达标", "巡林次数", "最近巡林", "逾期天数", "下次应巡日期",
                                            "下级责任区数", "下级达标数", "下级达标率"]
    assert "示范区林长巡林台账" in summary["A1"].value and "2026-01-01 至 2026-03-31" in summary["A1"].value
    assert [c.value for c in workbook["明细"][2]] == list(ledger.PERIOD_HEADERS)
    assert [c.value for c in workbook["按级汇总"][2]] == list(ledger.LEVEL_HEADERS)
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A3"
        assert sheet.column_dimensions["A"].width >= 9


def test_summary_values(workbook):
    rows = {row[0]: row for row in sheet_rows(workbook["汇总"])}
    assert len(rows) == 6
    town = rows["11"]
    assert town[1:8] == ["甲镇", "镇级", "甲", 3, 3, "是", 3]
    assert town[8] == dt.datetime(2026, 3, 3) and town[9] == 0 and town[10] == dt.datetime(2026, 4, 30)
    assert town[11:14] == [2, 1, 0.5]
    assert rows["12"][6] == "否" and rows["1"][2] == "区级"
    assert rows["112"][9] == 31
    assert rows["111"][11] == 0 and rows["111"][12] is None and rows["111"][13] is None
    summary = workbook["汇总"]
    assert summary["I3"].number_format == ledger.DATE_FORMAT and summary["N3"].number_format == ledger.PERCENT_FORMAT


def test_non_compliant_rows_are_highlighted(workbook):
    summary = workbook["汇总"]
    for index in range(3, summary.max_row + 1):
        bad = summary.cell(row=index, column=7).value == "否"
        colour = summary.cell(row=index, column=1).fill.fgColor.rgb
        assert colour.endswith(ledger.BAD_FILL) == bad, (summary.cell(row=index, column=1).value, colour)


def test_period_and_level_sheets(workbook):
    periods = sheet_rows(workbook["明细"])
    assert len(periods) == 1 + 5 * 3  # the district's quarter, five areas by three months
    feb = next(row for row in periods if row[0] == "12" and row[4] == "2026-02")
    assert feb[1:4] == ["乙镇", "镇级", "乙"] and feb[5] == dt.datetime(2026, 2, 1) and feb[6] == dt.datetime(2026, 2, 28)
    assert feb[7:11] == [1, 0, "否", "是"]
    assert workbook["明细"]["F3"].number_format == ledger.DATE_FORMAT
    levels = {row[0]: row for row in sheet_rows(workbook["按级汇总"])}
    assert levels["区级"] == ["区级", "每季度1次", 1, 1, 0, 1.0]
    assert levels["镇级"][1:] == ["每月1次", 3, 1, 2, pytest.approx(1 / 3)]
    assert levels["村级"][2:5] == [2, 1, 1]


def test_existing_file_is_replaced_whole(result, tmp_path):
    path = str(tmp_path / "ledger.xlsx")
    with open(path, "w") as handle:
        handle.write("old")
    ledger.write_ledger(path, result, "台账", JAN1, MAR31)
    assert openpyxl.load_workbook(path).sheetnames[0] == "汇总"


def test_unwritable_folder_gives_a_clear_error(result, tmp_path):
    with pytest.raises(InputDataError) as caught:
        ledger.write_ledger(str(tmp_path / "missing" / "ledger.xlsx"), result, "台账", JAN1, MAR31)
    assert "巡林台账" in caught.value.message_zh and "patrol ledger" in caught.value.message_en
