"""linzhang:publiclist through real Processing on the demo district: the Excel and CSV public list, phones only
when asked, and bad input."""
from __future__ import annotations

import csv
import io
import os
import sqlite3

import pytest

openpyxl = pytest.importorskip("openpyxl")

from qgis.core import QgsProcessingException  # noqa: E402


def run(processing, **parameters) -> dict:
    return processing.run("linzhang:publiclist", parameters)


def test_excel_and_csv_list_every_chief_in_hierarchy_order(processing, full_demo, tmp_path):
    xlsx, csv_path = str(tmp_path / "公示名单.xlsx"), str(tmp_path / "公示名单.csv")
    result = run(processing, WORKSPACE=full_demo.gpkg_path, XLSX=xlsx, CSV=csv_path, SUPERVISION_PHONE="0797-8123456")
    with sqlite3.connect(full_demo.gpkg_path) as db:
        areas = {row[0]: row[1:] for row in db.execute("SELECT code, level, chief_name, chief_phone FROM resp_areas")}
    assert result["ROWS"] == len(areas) == 45 and result["XLSX"] == xlsx and result["CSV"] == csv_path

    raw = (tmp_path / "公示名单.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, rows = table[0], table[1:]
    assert header[:5] == ["序号", "林长级别", "责任区域", "责任区编码", "林长姓名"] and header[-1] == "监督电话"
    assert "林长电话" not in header and not any(phone in raw.decode("utf-8-sig") for _l, _c, phone in areas.values())
    codes = [row[3] for row in rows]
    assert sorted(codes) == sorted(areas) and codes[0] == "360799"
    levels = [int(areas[code][0]) for code in codes]
    for before, after, code in zip(levels, levels[1:], codes[1:]):  # depth first: a child follows its parent
        assert after <= before + 1
    assert codes.index("360799001201001") == codes.index("360799001201") + 1
    village = rows[codes.index("360799001201")]
    assert village[header.index("护林员")] and "每月巡林不少于1次" in village[header.index("主要职责")]
    assert all(row[-1] == "0797-8123456" for row in rows)

    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet.cell(1, 1).value.endswith("林长公示名单")
    assert [cell.value for cell in sheet[2]] == header
    assert [sheet.cell(3 + i, 4).value for i in range(len(rows))] == codes


def test_chief_phones_only_when_asked(processing, full_demo, tmp_path):
    path = str(tmp_path / "list.csv")
    run(processing, WORKSPACE=full_demo.gpkg_path, CSV=path, INCLUDE_PHONES=True, XLSX=None)
    table = list(csv.reader(io.StringIO((tmp_path / "list.csv").read_text(encoding="utf-8-sig"))))
    assert table[0][-1] == "林长电话"
    with sqlite3.connect(full_demo.gpkg_path) as db:
        phone = db.execute("SELECT chief_phone FROM resp_areas WHERE level = 1").fetchone()[0]
    assert table[1][-1] == phone
    assert sorted(os.listdir(tmp_path)) == ["list.csv"]


def test_no_output_chosen(processing, full_demo):
    with pytest.raises(QgsProcessingException) as error:
        run(processing, WORKSPACE=full_demo.gpkg_path, XLSX=None, CSV=None)
    assert "请选择" in str(error.value) and "Choose the Excel file" in str(error.value)


def test_a_workspace_without_areas(processing, tmp_path):
    from linzhang_qgis.core.workspace import create_workspace

    path = str(tmp_path / "empty.gpkg")
    create_workspace(path)
    xlsx = tmp_path / "list.xlsx"
    with pytest.raises(QgsProcessingException) as error:
        run(processing, WORKSPACE=path, XLSX=str(xlsx))
    assert "没有林长责任区" in str(error.value) and "no chief responsibility areas" in str(error.value)
    assert not xlsx.exists()


def test_a_missing_workspace(processing, tmp_path):
    with pytest.raises(QgsProcessingException) as error:
        run(processing, WORKSPACE=str(tmp_path / "nothing.gpkg"), XLSX=str(tmp_path / "list.xlsx"))
    assert "不存在" in str(error.value) and "does not exist" in str(error.value)
    assert os.listdir(tmp_path) == []
