"""The verification ledger (核查台账): sheets, Chinese headers, one row per spot with its latest state and
history count, status and place sums, dates as dates, the history sheet, the atomic write."""
from __future__ import annotations

import datetime as dt
import json
import os

import pytest

openpyxl = pytest.importorskip("openpyxl")

from linzhang_qgis.core.errors import InputDataError  # noqa: E402
from linzhang_qgis.core.inspection import ledger  # noqa: E402


def spot(number: str, **values) -> dict:
    base = {"spot_no": number, "county": "章贡区", "town": "水西镇", "village": "甲村", "lin_ban": "012",
            "xiao_ban": "034", "area_code": "3607020010010", "chief_name": "李明", "before_date": dt.date(2025, 10, 20),
            "after_date": "2026-10-18", "area_m2": 2400.0, "area_mu": 3.6, "confidence": "highest",
            "suspected_cause": 1, "verified_cause": None, "determination": None, "false_reason": None,
            "permit_no": None, "round_id": "20261018", "status": "issued", "inspector": None, "verify_date": None,
            "patrol_missed": None, "notes": None}
    base.update(values)
    return base


SPOTS = [
    spot("A-0003", status="determined", verified_cause=42, determination="illegal", inspector="王芳",
         verify_date="2026-11-02", patrol_missed=True, area_m2=6670.0, area_mu=10.005, village="乙村",
         notes="现场已停工"),
    spot("A-0001"),
    spot("A-0002", status="closed", verified_cause=20, determination="legal", permit_no="赣林采〔2026〕18号",
         verify_date=dt.datetime(2026, 11, 1, 9, 30), patrol_missed=False, town="沙石镇", village=None),
    spot("A-0004", status="field_verified", determination="false", false_reason="云影", suspected_cause="4",
         area_mu=None, area_m2=1500.0),
]
COUNTS = {"A-0001": 0, "A-0002": 5, "A-0003": 3}
HISTORY = [
    {"spot_no": "A-0003", "changed_at": "2026-11-02T10:15:00", "changed_by": "王芳", "old_status": "field_verified",
     "new_status": "determined",
     "changes": json.dumps({"determination": [None, "illegal"], "verified_cause": [None, 42]}),
     "note": "现地核实为未批先占"},
    {"spot_no": "A-0003", "changed_at": dt.datetime(2026, 10, 30, 8, 0), "changed_by": "王芳", "old_status": "issued",
     "new_status": "interpreted", "changes": "判读", "note": None},
]


@pytest.fixture()
def workbook(tmp_path):
    path = str(tmp_path / "核查台账.xlsx")
    assert ledger.write_verification_ledger(path, SPOTS, COUNTS, HISTORY, title="示范区森林督查核查台账") is None
    assert os.listdir(tmp_path) == ["核查台账.xlsx"]  # no temporary file left behind
    return openpyxl.load_workbook(path)


def table(sheet, header_row: int = 2) -> list[dict]:
    headers = [cell.value for cell in sheet[header_row]]
    rows = []
    for values in sheet.iter_rows(min_row=header_row + 1, values_only=True):
        if all(value is None for value in values):
            break
        rows.append(dict(zip(headers, values)))
    return rows


def test_sheets_headers_and_layout(workbook):
    assert workbook.sheetnames == ["图斑台账", "按状态汇总", "核查记录"]
    spots = workbook["图斑台账"]
    headers = [cell.value for cell in spots[2]]
    assert headers == list(ledger.SPOT_HEADERS)
    for expected in ("监测编号", "县(区)", "乡镇(街道)", "村", "林班号", "小班号", "责任区编码", "责任林长", "前时相",
                     "后时相", "面积(亩)", "面积(公顷)", "置信度", "疑似变化原因", "核实变化原因", "认定结果",
                     "伪变化原因", "批准文号", "核查状态", "核查人", "核查日期", "巡林未发现", "修改次数", "备注"):
        assert expected in headers
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in header) for header in headers)  # every header is Chinese
    assert "示范区森林督查核查台账" in spots["A1"].value and "4 个图斑" in spots["A1"].value
    assert spots.freeze_panes == "A3"
    assert spots.auto_filter.ref == "A2:{}6".format(openpyxl.utils.get_column_letter(len(headers)))
    assert spots.column_dimensions["A"].width >= 20 and spots.column_dimensions["Y"].width >= 20
    assert workbook["核查记录"].freeze_panes == "A3"


def test_one_row_per_spot_with_latest_state_and_history_count(workbook):
    rows = table(workbook["图斑台账"])
    assert [row["监测编号"] for row in rows] == ["A-0001", "A-0002", "A-0003", "A-0004"]  # sorted, one each
    by_no = {row["监测编号"]: row for row in rows}
    assert [by_no[n]["修改次数"] for n in ("A-0001", "A-0002", "A-0003", "A-0004")] == [0, 5, 3, 0]
    illegal = by_no["A-0003"]
    assert illegal["核查状态"] == "认定" and illegal["认定结果"] == "违法"
    assert illegal["核实变化原因"] == "42 未审批使用林地" and illegal["疑似变化原因"] == "1 采伐"
    assert illegal["巡林未发现"] == "是" and illegal["核查人"] == "王芳" and illegal["备注"] == "现场已停工"
    assert illegal["面积(亩)"] == pytest.approx(10.01, abs=0.006) and illegal["面积(公顷)"] == pytest.approx(0.667)
    assert illegal["置信度"] == "最高" and illegal["村"] == "乙村" and illegal["责任林长"] == "李明"
    legal = by_no["A-0002"]
    assert legal["核查状态"] == "销号" and legal["认定结果"] == "合法" and legal["批准文号"] == "赣林采〔2026〕18号"
    assert legal["巡林未发现"] == "否" and legal["核实变化原因"] == "20 森林采伐"
    fresh = by_no["A-0001"]
    assert fresh["核查状态"] == "下发" and fresh["巡林未发现"] is None and fresh["核实变化原因"] is None
    false = by_no["A-0004"]
    assert false["认定结果"] == "伪变化" and false["伪变化原因"] == "云影" and false["疑似变化原因"] == "4 灾害"
    assert false["面积(亩)"] == pytest.approx(2.25) and false["面积(公顷)"] == pytest.approx(0.15)  # from m²


def test_dates_are_excel_dates(workbook):
    sheet = workbook["图斑台账"]
    rows = table(sheet)
    by_no = {row["监测编号"]: row for row in rows}
    assert by_no["A-0001"]["前时相"] == dt.datetime(2025, 10, 20)  # openpyxl reads dates back as datetimes
    assert by_no["A-0001"]["后时相"] == dt.datetime(2026, 10, 18)  # given as ISO text
    assert by_no["A-0002"]["核查日期"] == dt.datetime(2026, 11, 1)  # a datetime loses its time
    assert by_no["A-0001"]["核查日期"] is None
    columns = {header: index for index, header in enumerate(ledger.SPOT_HEADERS, start=1)}
    for header in ("前时相", "后时相", "核查日期"):
        cell = sheet.cell(row=3, column=columns[header])
        assert cell.is_date and cell.number_format == "yyyy-mm-dd"
    history = workbook["核查记录"]
    changed_at = history.cell(row=3, column=2)
    assert changed_at.is_date and changed_at.number_format == "yyyy-mm-dd hh:mm:ss"


def test_illegal_spots_are_red(workbook):
    sheet = workbook["图斑台账"]
    for index in range(3, 7):
        illegal = sheet.cell(row=index, column=ledger.SPOT_HEADERS.index("认定结果") + 1).value == "违法"
        assert sheet.cell(row=index, column=1).fill.fgColor.rgb.endswith("FFC7CE") == illegal


def test_status_sheet_has_every_status_and_sums_to_the_spots(workbook):
    sheet = workbook["按状态汇总"]
    assert [cell.value for cell in sheet[2]][:4] == list(ledger.STATUS_HEADERS)
    rows = table(sheet)
    statuses = [row["核查状态"] for row in rows]
    assert statuses == ["下发", "判读审核", "现地核实", "认定", "立案", "整改", "复核", "销号", "合计"]
    counts = {row["核查状态"]: row["图斑数"] for row in rows}
    assert counts["立案"] == 0 and counts["下发"] == 1 and counts["认定"] == 1 and counts["销号"] == 1
    body = rows[:-1]
    assert sum(row["图斑数"] for row in body) == len(SPOTS) == counts["合计"]
    assert sum(row["面积(亩)"] for row in body) == pytest.approx(rows[-1]["面积(亩)"], abs=0.01)
    assert rows[-1]["面积(亩)"] == pytest.approx(3.6 + 3.6 + 10.005 + 2.25, abs=0.01)
    # the table per town and village below it
    place_header = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row=row, column=1).value == "乡镇(街道)")
    places = table(sheet, place_header)
    assert [cell.value for cell in sheet[place_header]][:4] == ["乡镇(街道)", "村", "图斑数", "面积(亩)"]
    keyed = {(row["乡镇(街道)"], row["村"]): row for row in places}
    assert keyed[("水西镇", "甲村")]["图斑数"] == 2 and keyed[("水西镇", "乙村")]["认定"] == 1
    assert keyed[("沙石镇", "（未填）")]["销号"] == 1
    assert keyed[("合计", None)]["图斑数"] == len(SPOTS) == sum(row["图斑数"] for row in places[:-1])


def test_history_sheet_oldest_first_and_readable(workbook):
    rows = table(workbook["核查记录"])
    assert [cell.value for cell in workbook["核查记录"][2]] == list(ledger.HISTORY_HEADERS)
    assert [row["修改时间"] for row in rows] == [dt.datetime(2026, 10, 30, 8, 0), dt.datetime(2026, 11, 2, 10, 15)]
    assert rows[0]["原状态"] == "下发" and rows[0]["新状态"] == "判读审核" and rows[0]["修改内容"] == "判读"
    assert rows[1]["修改内容"] == "认定结果：（空） → 违法；核实变化原因：（空） → 42 未审批使用林地"


def test_without_history_rows_there_is_no_history_sheet(tmp_path):
    path = str(tmp_path / "ledger.xlsx")
    ledger.write_verification_ledger(path, SPOTS[:1], {})
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["图斑台账", "按状态汇总"]
    assert table(workbook["图斑台账"])[0]["修改次数"] == 0


def test_unknown_status_is_counted_as_other(tmp_path):
    path = str(tmp_path / "ledger.xlsx")
    ledger.write_verification_ledger(path, [spot("B-1", status="typo"), spot("B-2")], {})
    rows = table(openpyxl.load_workbook(path)["按状态汇总"])
    counts = {row["核查状态"]: row["图斑数"] for row in rows}
    assert counts["其他"] == 1 and counts["下发"] == 1 and counts["合计"] == 2


def test_existing_file_is_replaced_and_a_failed_write_leaves_nothing(tmp_path):
    path = str(tmp_path / "ledger.xlsx")
    with open(path, "w") as handle:
        handle.write("old")
    ledger.write_verification_ledger(path, SPOTS, COUNTS)
    assert openpyxl.load_workbook(path).sheetnames[0] == "图斑台账"
    missing = str(tmp_path / "no_such_folder" / "ledger.xlsx")
    with pytest.raises(InputDataError) as caught:
        ledger.write_verification_ledger(missing, SPOTS, COUNTS)
    assert "无法写入核查台账" in str(caught.value) and "Could not write" in str(caught.value)
    assert os.listdir(tmp_path) == ["ledger.xlsx"]


def test_display_helpers():
    assert ledger.cause_text("suspected_cause", 3) == "3 毁林开垦"
    assert ledger.cause_text("verified_cause", "71") == "71 火灾"
    assert ledger.cause_text("verified_cause", None) == ""
    assert ledger.cause_text("verified_cause", 55) == "55"  # not in the list: the code alone
    assert ledger.patrol_text(1) == "是" and ledger.patrol_text(0) == "否"
    assert ledger.patrol_text(None, "未关联") == "未关联" and ledger.patrol_text(float("nan"), "未关联") == "未关联"
    assert ledger.area_ha({"area_mu": 15.0}) == pytest.approx(1.0)
    assert ledger.as_date("2026-01-05T08:00:00") == dt.date(2026, 1, 5) and ledger.as_date("x") is None
    assert ledger.as_datetime("2026-01-05") == dt.datetime(2026, 1, 5)
