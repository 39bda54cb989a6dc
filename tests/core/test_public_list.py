"""The public list of the chiefs (core.handbook.public_list): rows, duties, phones, CSV with BOM, Excel."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os

import pytest

openpyxl = pytest.importorskip("openpyxl")
from shapely.geometry import box  # noqa: E402

from linzhang_qgis.core.errors import InputDataError  # noqa: E402
from linzhang_qgis.core.handbook import public_list  # noqa: E402
from linzhang_qgis.core.patrols.rules import PatrolRule, default_rules  # noqa: E402


def areas():
    """District 1 → towns 11, 12; town 11 → village 111 → groups 1111, 1112; codes partly numbers."""
    return [
        {"code": 1, "name": "示范区", "level": 1, "parent_code": None, "chief_name": "区长", "chief_title": "区委书记",
         "chief_phone": "13900000001", "supervisor": "宋监", "area_ha": 400.0},
        {"code": "12", "name": "乙镇", "level": 2, "parent_code": "1", "chief_name": "乙", "chief_title": "镇长",
         "chief_phone": "13900000003", "supervisor": None, "area_ha": None, "geometry": box(0, 0, 1000, 500)},
        {"code": "11", "name": "甲镇", "level": 2, "parent_code": 1.0, "chief_name": "甲", "chief_title": "镇党委书记",
         "chief_phone": "13900000002", "supervisor": "", "area_ha": 200.0},
        {"code": "111", "name": "丙村", "level": 3, "parent_code": "11", "chief_name": "丙", "chief_title": "村党支部书记",
         "chief_phone": "13900000004", "supervisor": None, "area_ha": 200.0},
        {"code": "1112", "name": "第二组", "level": 4, "parent_code": "111", "chief_name": "戊",
         "chief_title": "村民小组长", "chief_phone": "", "supervisor": None, "area_ha": 120.0},
        {"code": "1111", "name": "第一组", "level": 4, "parent_code": "111", "chief_name": "丁",
         "chief_title": "村民小组长", "chief_phone": "", "supervisor": None, "area_ha": 80.0},
    ]


RANGERS = [
    {"ranger_id": "S1", "name": "监管甲", "role": "supervisor", "area_code": "111"},
    {"ranger_id": "R1", "name": "护林甲", "role": "ranger", "area_code": "111"},
    {"ranger_id": "R2", "name": "护林乙", "role": "ranger", "area_code": "1111"},
    {"ranger_id": "R3", "name": "护林丙", "role": "ranger", "area_code": "12"},
]


@pytest.fixture()
def rows():
    return public_list.public_rows(areas(), RANGERS, default_rules())


def test_rows_follow_the_hierarchy(rows):
    assert [(row.code, row.level_zh, row.name) for row in rows] == [
        ("1", "区级", "示范区"), ("11", "镇级", "甲镇"), ("111", "村级", "丙村"), ("1111", "组级", "第一组"),
        ("1112", "组级", "第二组"), ("12", "镇级", "乙镇")]
    assert [(row.parent_name, row.parent_chief) for row in rows[:3]] == [("", ""), ("示范区", "区长"), ("甲镇", "甲")]


def test_duties_carry_the_patrol_rule_of_each_level(rows):
    assert "每季度巡林不少于1次" in rows[0].duties and "督促指导镇级林长" in rows[0].duties
    assert all("每月巡林不少于1次" in row.duties for row in rows[1:])
    assert "两长两员" in rows[2].duties and "包山包人" in rows[3].duties
    custom = public_list.public_rows(areas(), RANGERS, [PatrolRule(3, "week", 2)])
    assert "每周巡林不少于2次" in custom[2].duties and "定期巡林" in custom[0].duties


def test_area_supervisor_and_rangers(rows):
    by_code = {row.code: row for row in rows}
    assert by_code["1"].area_ha == 400.0 and by_code["1"].area_mu == pytest.approx(6000.0)
    assert by_code["12"].area_ha == pytest.approx(50.0)  # from the polygon: 1000 m × 500 m
    assert by_code["1"].supervisor == "宋监" and by_code["111"].supervisor == "监管甲"
    assert by_code["111"].rangers == "护林甲、护林乙"  # the village's own and its groups'
    assert by_code["1111"].rangers == "护林乙"
    assert by_code["1112"].rangers == "护林甲" and by_code["1112"].supervisor == "监管甲"  # its village's
    assert by_code["12"].rangers == "" and by_code["1"].rangers == ""  # towns and the district: none listed


def test_phones_only_when_asked(rows):
    headers, values = public_list.public_table(rows)
    assert headers == list(public_list.BASE_HEADERS) and "13900000001" not in str(values)
    headers, values = public_list.public_table(rows, include_phones=True, supervision_phone=" 0797-1234567 ")
    assert headers[-2:] == ["林长电话", "监督电话"]
    assert values[0][-2:] == ["13900000001", "0797-1234567"] and values[0][0] == 1
    headers, values = public_list.public_table(rows, supervision_phone="12345")
    assert headers[-1] == "监督电话" and "林长电话" not in headers


def test_csv_has_a_bom_and_the_chinese_header(rows, tmp_path):
    headers, values = public_list.public_table(rows, supervision_phone="12345")
    path = str(tmp_path / "公示名单.csv")
    public_list.write_public_csv(path, headers, values)
    with open(path, "rb") as handle:
        raw = handle.read()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == headers and table[0][:3] == ["序号", "林长级别", "责任区域"]
    assert len(table) == 1 + len(rows) and table[1][2] == "示范区" and table[1][-1] == "12345"
    assert os.listdir(tmp_path) == ["公示名单.csv"]


def test_xlsx_has_title_headers_rows_and_notes(rows, tmp_path):
    headers, values = public_list.public_table(rows, include_phones=True)
    path = str(tmp_path / "公示名单.xlsx")
    public_list.write_public_xlsx(path, headers, values, public_list.list_title(rows), "0797-110",
                                  made=dt.date(2026, 11, 1))
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "林长公示名单" and sheet.cell(1, 1).value == "示范区林长公示名单"
    assert [cell.value for cell in sheet[2]] == headers
    assert [cell.value for cell in sheet[3]][:5] == [1, "区级", "示范区", "1", "区长"]
    assert sheet.cell(3, headers.index("面积(亩)") + 1).value == 6000.0
    notes = [sheet.cell(row, 1).value for row in range(3 + len(values), sheet.max_row + 1)]
    assert "监督电话：0797-110" in notes and "公示日期：2026-11-01" in notes
    assert os.listdir(tmp_path) == ["公示名单.xlsx"]


def test_a_failed_write_leaves_nothing(rows, tmp_path):
    headers, values = public_list.public_table(rows)
    with pytest.raises(OSError):
        public_list.write_public_csv(str(tmp_path / "missing" / "list.csv"), headers, values)
    blocked = tmp_path / "blocked.csv"
    blocked.mkdir()  # a folder where the file should go: the move fails
    with pytest.raises(OSError):
        public_list.write_public_csv(str(blocked), headers, values)
    assert sorted(os.listdir(tmp_path)) == ["blocked.csv"]


def test_no_areas_is_a_clear_error():
    with pytest.raises(InputDataError) as error:
        public_list.public_rows([], RANGERS, default_rules())
    assert "没有林长责任区" in error.value.message_zh and "no chief responsibility areas" in error.value.message_en
