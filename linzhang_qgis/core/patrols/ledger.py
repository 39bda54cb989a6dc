"""The patrol ledger (巡林台账): an Excel workbook of a ComplianceResult, written with openpyxl.

Sheets: 汇总 (one row per responsibility area), 明细 (one row per area and period) and 按级汇总 (per
chief level: chiefs, compliant, rate). Each sheet has a title row, a frozen header, set column widths and
date formats; rows that are not compliant are filled red. The file is written under a temporary name
beside the target and moved into place, so a failed run never leaves half a workbook.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from .. import excel, schema
from ..errors import InputDataError
from .compliance import ComplianceResult, level_name_zh, normalise_code

SUMMARY_SHEET, PERIOD_SHEET, LEVEL_SHEET = "汇总", "明细", "按级汇总"
SUMMARY_HEADERS = ("责任区编码", "责任区名称", "林长级别", "林长", "应巡周期数", "达标周期数", "是否达标", "巡林次数",
                   "最近巡林", "逾期天数", "下次应巡日期", "下级责任区数", "下级达标数", "下级达标率")
PERIOD_HEADERS = ("责任区编码", "责任区名称", "林长级别", "林长", "周期", "开始日期", "结束日期", "应巡次数",
                  "实巡次数", "是否达标", "是否到期")
LEVEL_HEADERS = ("林长级别", "巡林要求", "林长数", "达标数", "未达标数", "达标率")
BAD_FILL, BAD_FONT, HEADER_FILL = excel.BAD_FILL, excel.BAD_FONT, excel.HEADER_FILL
DATE_FORMAT, PERCENT_FORMAT = excel.DATE_FORMAT, excel.PERCENT_FORMAT
_plain = excel.plain  # cell values openpyxl writes (dates without their time)
_sheet = excel.add_sheet  # one table per sheet, in the house style of core/excel.py


def _yes_no(value: Any) -> Optional[str]:
    value = _plain(value)
    if value is None:
        return "无规则"
    return "是" if bool(value) else "否"


def _period_requirement(kind: Any, count: Any) -> str:
    kind, count = _plain(kind), _plain(count)
    if kind not in schema.PATROL_PERIODS or count is None:
        return "无规则"
    return "每{}{}次".format(schema.PATROL_PERIODS[kind][0], int(count))


def write_ledger(path: str, result: ComplianceResult, title: str, date_from: dt.date, date_to: dt.date) -> str:
    """Write the ledger of ``result`` to ``path`` (.xlsx) atomically; returns ``path``.

    ``title`` heads every sheet, followed by the period covered (and the as-of date when it differs).
    Raises InputDataError (Chinese and English) when the file cannot be written.
    """
    from openpyxl import Workbook

    summary, periods = result.summary, result.periods
    span = "{} 至 {}".format(date_from.isoformat(), date_to.isoformat())
    if result.as_of is not None and result.as_of != date_to:
        span += "，统计截至 {}".format(result.as_of.isoformat())
    heading = "{}（{}）".format(title, span) if title else span

    workbook = Workbook()
    workbook.remove(workbook.active)
    summary_rows, summary_bad = [], []
    for row in summary.itertuples(index=False):
        pct = _plain(row.children_compliant_pct)
        summary_rows.append([
            row.area_code, row.name, level_name_zh(row.level), row.chief_name, row.periods_required,
            row.periods_met, _yes_no(row.compliant), row.patrols, row.last_patrol, row.days_overdue,
            row.next_due, row.children, row.children_compliant if row.children else None,
            None if pct is None else pct / 100.0,
        ])
        summary_bad.append(_plain(row.compliant) is False)
    _sheet(workbook, SUMMARY_SHEET, heading + " 巡林达标汇总", SUMMARY_HEADERS, summary_rows,
           (16, 22, 9, 10, 11, 11, 9, 9, 12, 9, 13, 12, 11, 11), summary_bad,
           date_columns=(9, 11), percent_columns=(14,))

    info: dict[str, tuple] = {}
    for row in summary.itertuples(index=False):
        info.setdefault(normalise_code(row.area_code), (row.name, level_name_zh(row.level), row.chief_name))
    period_rows, period_bad = [], []
    for row in periods.itertuples(index=False):
        name, level, chief = info.get(normalise_code(row.area_code), ("", "", ""))
        due = bool(_plain(row.due)) if "due" in periods.columns else True
        period_rows.append([row.area_code, name, level, chief, row.period_label, row.period_start, row.period_end,
                            row.required, row.achieved, "是" if bool(row.compliant) else "否", "是" if due else "否"])
        period_bad.append(due and not bool(row.compliant))
    _sheet(workbook, PERIOD_SHEET, heading + " 巡林周期明细", PERIOD_HEADERS, period_rows,
           (16, 22, 9, 10, 10, 12, 12, 9, 9, 9, 9), period_bad, date_columns=(6, 7))

    level_rows, level_bad = [], []
    for level, (level_zh, _en) in schema.AREA_LEVELS.items():
        mine = summary[summary["level"].astype("Int64") == level] if len(summary) else summary
        if not len(mine):
            continue
        assessed = [bool(v) for v in mine["compliant"] if _plain(v) is not None]
        good = sum(assessed)
        first = mine.iloc[0]
        level_rows.append([level_zh, _period_requirement(first["period_kind"], first["min_count"]), len(mine),
                           good if assessed else None, len(assessed) - good if assessed else None,
                           good / len(assessed) if assessed else None])
        level_bad.append(bool(assessed) and good < len(assessed))
    _sheet(workbook, LEVEL_SHEET, heading + " 按级汇总", LEVEL_HEADERS, level_rows, (10, 12, 9, 9, 10, 10),
           level_bad, percent_columns=(6,))

    try:
        excel.save_atomically(workbook, path)
    except OSError as error:
        raise InputDataError("无法写入巡林台账 {}：{}".format(path, error),
                             "Could not write the patrol ledger {}: {}".format(path, error)) from error
    return path
