"""The assessment report (core.assessment.report): sheets, Chinese headers, 不适用 cells, red rows, atomic save."""
from __future__ import annotations

import os

import pytest

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("geopandas")

from linzhang_qgis.core.assessment.indicators import default_indicators  # noqa: E402
from linzhang_qgis.core.assessment.report import (  # noqa: E402
    CARD_HEADERS,
    NEGATIVE_HEADERS,
    TOWN_HEADERS,
    WEIGHT_HEADERS,
    result_headers,
    write_report,
)
from linzhang_qgis.core.errors import InputDataError  # noqa: E402

from test_assessment_scoring import run  # noqa: E402


@pytest.fixture(scope="module")
def result():
    return run(indicators=default_indicators())


@pytest.fixture(scope="module")
def workbook(result, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("report") / "考核.xlsx")
    write_report(path, result)
    return openpyxl.load_workbook(path)


def header(sheet, row=2):
    return [cell.value for cell in sheet[row] if cell.value is not None]


def test_the_four_sheets_with_chinese_headers(workbook, result):
    assert workbook.sheetnames == ["考核结果", "黄牌警告", "负面清单", "指标与权重"]
    assert header(workbook["考核结果"]) == result_headers(result)
    assert header(workbook["考核结果"])[:4] == ["责任区编码", "责任区名称", "林长级别", "林长"]
    assert "巡林达标率得分" in header(workbook["考核结果"]) and "总分" in header(workbook["考核结果"])
    assert header(workbook["黄牌警告"]) == list(CARD_HEADERS)
    assert header(workbook["负面清单"]) == list(NEGATIVE_HEADERS)
    assert header(workbook["指标与权重"]) == list(WEIGHT_HEADERS)
    assert workbook["考核结果"]["A1"].value == "2026年第一季度林长制考核（截至2026-03-31） 考核结果"


def test_result_rows_parents_first_with_not_applicable_and_red_cards(workbook):
    sheet = workbook["考核结果"]
    headers = header(sheet)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert [row[0] for row in rows] == ["1", "11", "111", "112", "12"]
    by_code = {row[0]: dict(zip(headers, row)) for row in rows}
    assert by_code["12"]["违法图斑按期整改率得分"] == "不适用"
    assert by_code["12"]["黄牌警告"] == "是" and by_code["1"]["黄牌警告"] == "否"
    assert by_code["12"]["巡林达标率(%)"] == pytest.approx(33.3)
    assert by_code["12"]["林长级别"] == "镇级" and by_code["12"]["巡林周期"] == "月"
    assert by_code["11"]["负面清单条数"] == 5 and by_code["111"]["负面清单条数"] is None
    red = sheet.cell(row=3 + [row[0] for row in rows].index("12"), column=1).fill.fgColor.rgb
    white = sheet.cell(row=3, column=1).fill.fgColor.rgb
    assert red.endswith("FFC7CE") and not white.endswith("FFC7CE")


def test_cards_and_negative_list_rows(workbook):
    cards = [[cell.value for cell in row] for row in workbook["黄牌警告"].iter_rows(min_row=3)]
    assert [(row[1], row[6]) for row in cards] == [("112", "巡林不达标"), ("112", "超期未核实"),
                                                   ("112", "超期未整改"), ("12", "巡林不达标"), ("12", "超期未核实")]
    assert cards[0][5] == "甲镇" and cards[2][8] == "S4"
    sheet = workbook["负面清单"]
    items = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3, max_row=10)]
    assert [(row[1], row[3], row[7]) for row in items][:2] == [("甲镇", "巡林不达标", "戊"), ("甲镇", "超期未核实", "S3")]
    assert sheet.cell(row=12, column=1).value == "按乡镇(街道)汇总"
    summary = [[cell.value for cell in row][:len(TOWN_HEADERS)] for row in sheet.iter_rows(min_row=13, max_row=16)]
    assert summary[0][:2] == ["乡镇(街道)", "乡镇编码"]
    assert summary[1][0] == "甲镇" and summary[1][-1] == 5
    assert summary[2][0] == "乙镇" and summary[2][-1] == 3
    assert summary[3][0] == "合计" and summary[3][-1] == 8


def test_weights_and_settings(workbook):
    sheet = workbook["指标与权重"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3, max_row=8)]
    assert [row[0] for row in rows] == [i.key for i in default_indicators()]
    assert rows[1][1:6] == ["巡林覆盖率", "保护性", 10, 10, 80]
    settings = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value for r in range(11, 25)}
    assert settings["截止日期"] == "2026-03-31" and settings["核实期限(天，自下发起)"] == 30
    assert "优秀 ≥ 90" in settings["等级划分"]


def test_a_failed_save_leaves_no_file(result, tmp_path):
    target = tmp_path / "missing" / "考核.xlsx"
    with pytest.raises(InputDataError, match="无法写入考核报告"):
        write_report(str(target), result)
    assert not target.exists() and os.listdir(tmp_path) == []
