"""The verification ledger (森林督查图斑核查台账): an Excel workbook of the change spots and their history.

Sheets: 图斑台账 (one row per spot, its latest state, with the number of recorded changes), 按状态汇总
(spots and 亩 per workflow status, all eight included, and per town and village) and 核查记录 (every
history row, when given). Chinese headers, frozen header rows, auto filters, dates as Excel dates; spots
determined illegal (违法) are filled red. Written atomically (core/excel.py): a failed run leaves no file.

The display helpers (``cause_text``, ``patrol_text``, ``area_ha`` …) also fill the evidence sheet (取证表).
Pure Python: openpyxl only.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable, Mapping, Optional, Sequence

from .. import excel, schema
from ..errors import InputDataError
from ..values import as_date, as_int, is_blank

SPOT_SHEET, STATUS_SHEET, HISTORY_SHEET = "图斑台账", "按状态汇总", "核查记录"
DEFAULT_TITLE = "森林督查图斑核查台账"
MU_PER_HA = 15.0

# (header, width) of the spot sheet; the values come from spot_row()
SPOT_COLUMNS: tuple[tuple[str, float], ...] = (
    ("监测编号", 24), ("县(区)", 10), ("乡镇(街道)", 12), ("村", 12), ("林班号", 8), ("小班号", 8),
    ("责任区编码", 18), ("责任林长", 10), ("前时相", 12), ("后时相", 12), ("核查轮次", 11),
    ("面积(亩)", 10), ("面积(公顷)", 11), ("置信度", 8), ("疑似变化原因", 14), ("核实变化原因", 20),
    ("认定结果", 10), ("伪变化原因", 18), ("批准文号", 16), ("核查状态", 10), ("核查人", 10),
    ("核查日期", 12), ("巡林未发现", 11), ("修改次数", 9), ("备注", 30),
)
SPOT_HEADERS = tuple(header for header, _width in SPOT_COLUMNS)
STATUS_HEADERS = ("核查状态", "图斑数", "面积(亩)", "面积(公顷)")
PLACE_HEADERS = ("乡镇(街道)", "村", "图斑数", "面积(亩)") + tuple(zh for zh, _en in schema.SPOT_STATUSES.values())
HISTORY_HEADERS = ("监测编号", "修改时间", "修改人", "原状态", "新状态", "修改内容", "说明")
TOTAL_LABEL = "合计"
UNKNOWN_PLACE = "（未填）"
OTHER_STATUS = "其他"


# --- values as they are shown --------------------------------------------------------------------

def as_datetime(value: Any) -> Optional[dt.datetime]:
    """A naive datetime (local wall clock) from a datetime or ISO text; a time zone is converted to local
    time. A date alone becomes its midnight. None when blank or not a time."""
    if is_blank(value) or value == "":
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if not isinstance(value, (dt.datetime, dt.date)):
        text = str(value).strip().replace("Z", "+00:00")
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            day = as_date(text)
            return None if day is None else dt.datetime.combine(day, dt.time())
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value


def text(value: Any) -> str:
    """A value as text, "" when blank."""
    if is_blank(value):
        return ""
    return str(value).strip()


def number(value: Any) -> Optional[float]:
    if is_blank(value) or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def area_mu(spot: Mapping[str, Any]) -> Optional[float]:
    """The spot's area in 亩: its area_mu, else from area_m2 (1 公顷 = 15 亩)."""
    mu = number(spot.get("area_mu"))
    if mu is not None:
        return mu
    m2 = number(spot.get("area_m2"))
    return None if m2 is None else m2 / 10000.0 * MU_PER_HA


def area_ha(spot: Mapping[str, Any]) -> Optional[float]:
    """The spot's area in 公顷: from area_m2, else from area_mu."""
    m2 = number(spot.get("area_m2"))
    if m2 is not None:
        return m2 / 10000.0
    mu = number(spot.get("area_mu"))
    return None if mu is None else mu / MU_PER_HA


def cause_text(code_list: str, value: Any) -> str:
    """A cause code with its Chinese label: "1 采伐", "20 森林采伐"; "" when blank."""
    code = as_int(value)
    if code is None:
        return text(value)
    label = schema.code_label(code_list, code)
    return f"{code} {label}" if label != str(code) else str(code)


def coded_text(code_list: str, value: Any) -> str:
    """The Chinese label of a coded text value (status, determination, confidence); "" when blank."""
    if is_blank(value) or value == "":
        return ""
    return schema.code_label(code_list, str(value))


def patrol_missed(value: Any) -> Optional[bool]:
    """The spot's patrol link: True (no dated patrol came near the spot between its two image dates), False
    (patrols did), or None (not linked to the patrols)."""
    if is_blank(value) or value == "":
        return None
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "是", "t", "y"):
            return True
        if lowered in ("0", "false", "no", "否", "f", "n"):
            return False
        return None
    return bool(value)


def patrol_text(value: Any, unlinked: str = "") -> str:
    """是 / 否, or ``unlinked`` when the spot is not linked to the patrols."""
    missed = patrol_missed(value)
    return unlinked if missed is None else ("是" if missed else "否")


def status_key(value: Any) -> str:
    return text(value)


# --- the history's "changes" -----------------------------------------------------------------------

def _field_label(name: str) -> str:
    try:
        return schema.CHANGE_SPOTS.field(name).alias_zh
    except KeyError:
        return name


def _field_value(name: str, value: Any) -> str:
    try:
        field = schema.CHANGE_SPOTS.field(name)
    except KeyError:
        field = None
    if is_blank(value) or value == "":
        return "（空）"
    if field is not None and field.codes in ("suspected_cause", "verified_cause"):
        return cause_text(field.codes, value)
    if field is not None and field.codes:
        return schema.code_label(field.codes, value)
    if field is not None and field.type == "bool":
        return patrol_text(value, text(value))
    return text(value)


def changes_text(value: Any) -> str:
    """The history's record of what changed, readable: a JSON object of field → [old, new] (or
    {"old": …, "new": …}, or the new value alone) becomes "核查状态：下发 → 判读审核；…"; other text is kept."""
    if is_blank(value) or value == "":
        return ""
    data = value
    if isinstance(value, (str, bytes)):
        try:
            data = json.loads(value)
        except (TypeError, ValueError):
            return text(value)
    if not isinstance(data, dict):
        return text(value)
    parts = []
    for name, change in data.items():
        label = _field_label(str(name))
        if isinstance(change, dict) and ("old" in change or "new" in change):
            old, new = change.get("old"), change.get("new")
        elif isinstance(change, (list, tuple)) and len(change) == 2:
            old, new = change
        else:
            parts.append(f"{label}：{_field_value(str(name), change)}")
            continue
        parts.append(f"{label}：{_field_value(str(name), old)} → {_field_value(str(name), new)}")
    return "；".join(parts)


# --- rows ------------------------------------------------------------------------------------------

def spot_row(spot: Mapping[str, Any], changes: int) -> list:
    """The values of one spot in the order of SPOT_HEADERS."""
    mu, ha = area_mu(spot), area_ha(spot)
    return [
        text(spot.get("spot_no")), text(spot.get("county")), text(spot.get("town")), text(spot.get("village")),
        text(spot.get("lin_ban")), text(spot.get("xiao_ban")), text(spot.get("area_code")),
        text(spot.get("chief_name")), as_date(spot.get("before_date")), as_date(spot.get("after_date")),
        text(spot.get("round_id")), None if mu is None else round(mu, 2), None if ha is None else round(ha, 4),
        coded_text("confidence", spot.get("confidence")), cause_text("suspected_cause", spot.get("suspected_cause")),
        cause_text("verified_cause", spot.get("verified_cause")),
        coded_text("determination", spot.get("determination")),
        text(spot.get("false_reason")), text(spot.get("permit_no")), coded_text("spot_status", spot.get("status")),
        text(spot.get("inspector")), as_date(spot.get("verify_date")), patrol_text(spot.get("patrol_missed")) or None,
        int(changes), text(spot.get("notes")),
    ]


def _sorted(spots: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted(spots, key=lambda spot: text(spot.get("spot_no")))


def status_summary(spots: Sequence[Mapping[str, Any]]) -> list[list]:
    """Rows (status in Chinese, spots, 亩, 公顷) for every workflow status in order, zeros included, then
    "其他" for statuses outside the workflow (only when there are such spots) and the total."""
    counts = {key: [0, 0.0, 0.0] for key in schema.SPOT_STATUSES}
    other = [0, 0.0, 0.0]
    for spot in spots:
        entry = counts.get(status_key(spot.get("status")), other)
        entry[0] += 1
        entry[1] += area_mu(spot) or 0.0
        entry[2] += area_ha(spot) or 0.0
    rows = [[schema.SPOT_STATUSES[key][0], n, round(mu, 2), round(ha, 4)] for key, (n, mu, ha) in counts.items()]
    if other[0]:
        rows.append([OTHER_STATUS, other[0], round(other[1], 2), round(other[2], 4)])
    rows.append([TOTAL_LABEL, len(spots), round(sum(r[2] for r in rows), 2), round(sum(r[3] for r in rows), 4)])
    return rows


def place_summary(spots: Sequence[Mapping[str, Any]]) -> list[list]:
    """Rows (town, village, spots, 亩, then the spots per workflow status) per town and village, then the
    total."""
    statuses = list(schema.SPOT_STATUSES)
    places: dict[tuple[str, str], list] = {}
    for spot in spots:
        key = (text(spot.get("town")) or UNKNOWN_PLACE, text(spot.get("village")) or UNKNOWN_PLACE)
        entry = places.setdefault(key, [0, 0.0] + [0] * len(statuses))
        entry[0] += 1
        entry[1] += area_mu(spot) or 0.0
        status = status_key(spot.get("status"))
        if status in statuses:
            entry[2 + statuses.index(status)] += 1
    rows = [[town, village, values[0], round(values[1], 2), *values[2:]]
            for (town, village), values in sorted(places.items())]
    totals = [sum(row[column] for row in rows) for column in range(2, 4 + len(statuses))]
    rows.append([TOTAL_LABEL, "", totals[0], round(totals[1], 2), *totals[2:]])
    return rows


def history_row(row: Mapping[str, Any]) -> list:
    return [text(row.get("spot_no")), as_datetime(row.get("changed_at")), text(row.get("changed_by")),
            coded_text("spot_status", row.get("old_status")), coded_text("spot_status", row.get("new_status")),
            changes_text(row.get("changes")), text(row.get("note"))]


# --- the workbook ------------------------------------------------------------------------------------

def write_verification_ledger(path: str, spots: list[dict], history_counts: dict[str, int],
                              history_rows: Optional[list[dict]] = None, title: str = DEFAULT_TITLE) -> None:
    """Write the verification ledger of ``spots`` (dicts with the fields of the change spots layer) to
    ``path`` (.xlsx) atomically.

    ``history_counts`` maps a spot number to its number of recorded changes (修改次数); ``history_rows``
    (dicts with the fields of spot_history), when given, fill the sheet 核查记录, oldest first.
    Raises InputDataError (Chinese and English) when the file cannot be written.
    """
    from openpyxl import Workbook

    ordered = _sorted(spots)
    made = dt.date.today().isoformat()
    heading = "{}（{} 个图斑，生成于 {}）".format(title or DEFAULT_TITLE, len(ordered), made)
    workbook = Workbook()
    workbook.remove(workbook.active)

    rows = [spot_row(spot, history_counts.get(text(spot.get("spot_no")), 0)) for spot in ordered]
    illegal = [text(spot.get("determination")) == "illegal" for spot in ordered]
    column = {header: index for index, header in enumerate(SPOT_HEADERS, start=1)}
    excel.add_sheet(workbook, SPOT_SHEET, heading, SPOT_HEADERS, rows, [w for _h, w in SPOT_COLUMNS], illegal,
                    date_columns=(column["前时相"], column["后时相"], column["核查日期"]),
                    number_formats={column["面积(亩)"]: "0.00", column["面积(公顷)"]: "0.0000"})

    sheet = workbook.create_sheet(STATUS_SHEET)
    status_rows = status_summary(ordered)
    excel.write_table(sheet, 1, "{} 按核查状态汇总".format(title or DEFAULT_TITLE), STATUS_HEADERS, status_rows,
                      number_formats={3: "0.00", 4: "0.0000"},
                      total_rows=[row[0] == TOTAL_LABEL for row in status_rows])
    place_top = len(status_rows) + 4  # title, header, rows, one blank row
    place_rows = place_summary(ordered)
    excel.write_table(sheet, place_top, "按乡镇、村汇总", PLACE_HEADERS, place_rows, number_formats={4: "0.00"},
                      total_rows=[row[0] == TOTAL_LABEL for row in place_rows])
    excel.set_widths(sheet, (14, 14, 9, 11) + (9,) * len(schema.SPOT_STATUSES))
    sheet.freeze_panes = "A3"

    if history_rows is not None:
        def when(row: Mapping[str, Any]):
            return as_datetime(row.get("changed_at")) or dt.datetime.min

        history = [history_row(row) for row in sorted(history_rows, key=lambda r: (when(r), text(r.get("spot_no"))))]
        excel.add_sheet(workbook, HISTORY_SHEET, "{} 核查记录（{} 条）".format(title or DEFAULT_TITLE, len(history)),
                        HISTORY_HEADERS, history, (24, 19, 10, 10, 10, 48, 30), datetime_columns=(2,))

    try:
        excel.save_atomically(workbook, path, prefix=".inspection-ledger-")
    except OSError as error:
        raise InputDataError("无法写入核查台账 {}：{}".format(path, error),
                             "Could not write the verification ledger {}: {}".format(path, error)) from error
