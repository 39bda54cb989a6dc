"""The assessment report (林长制考核报告), an Excel workbook with Chinese headers.

Sheets: 考核结果 (one row per chief: the figures, each indicator's score or 不适用, total, grade, yellow card;
carded rows filled red), 黄牌警告 (one row per chief and rule, with the reason), 负面清单 (one row per item
under each town, then the count per town and kind) and 指标与权重 (the indicators, their categories, weights,
targets and how they are scored, then the settings of the run). Written atomically (core/excel.py): a
failed run leaves no file. Pure Python: openpyxl only.
"""
from __future__ import annotations

from typing import Any, Optional

from .. import excel, schema
from ..errors import InputDataError
from ..values import is_blank
from .indicators import weight_shares
from .scoring import CARD_RULES, NEGATIVE_KINDS, NOT_APPLICABLE, AssessmentResult

RESULT_SHEET, CARD_SHEET, NEGATIVE_SHEET, WEIGHT_SHEET = "考核结果", "黄牌警告", "负面清单", "指标与权重"
DEFAULT_TITLE = "林长制考核"

# (header, width, column of the result table) of the figures in 考核结果, before the scores
RESULT_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("责任区编码", 18, "code"), ("责任区名称", 12, "name"), ("林长级别", 8, "level"), ("林长", 10, "chief_name"),
    ("上级编码", 16, "parent_code"), ("巡林周期", 8, "period_kind"), ("应巡周期数", 9, "periods_required"),
    ("达标周期数", 9, "periods_met"), ("巡林达标率(%)", 10, "compliance_pct"), ("巡林覆盖率(%)", 10, "coverage_pct"),
    ("应按期核实图斑数", 10, "verify_due"), ("按期核实图斑数", 10, "verify_on_time"),
    ("超期未核实图斑数", 10, "verify_overdue"), ("应按期整改违法图斑数", 11, "rectify_due"),
    ("按期整改违法图斑数", 11, "rectify_on_time"), ("超期未整改违法图斑数", 11, "rectify_overdue"),
    ("未整改违法图斑数", 10, "unrectified"), ("下级责任区数(已考核)", 10, "children_assessed"),
    ("下级林长达标数", 9, "children_met"), ("已关联巡林图斑数", 10, "linked"),
    ("巡林到位图斑数", 10, "patrolled"),
)
TOTAL_COLUMNS: tuple[tuple[str, float], ...] = (("总分", 8), ("等级", 8), ("不适用指标", 22), ("黄牌警告", 8),
                                                ("警告原因", 60), ("负面清单条数", 9))
CARD_HEADERS = ("序号", "责任区编码", "责任区名称", "林长级别", "林长", "所属乡镇(街道)", "警告类型", "警告原因",
                "涉及图斑")
NEGATIVE_HEADERS = ("序号", "乡镇(街道)", "乡镇编码", "问题类别", "责任区编码", "责任区名称", "责任林长", "对象",
                    "问题说明")
TOWN_HEADERS = ("乡镇(街道)", "乡镇编码") + tuple(zh for zh, _en in NEGATIVE_KINDS.values()) + ("合计",)
WEIGHT_HEADERS = ("指标代码", "指标名称", "类别", "权重", "权重占比(%)", "目标值(%)", "计分方法")
SETTING_HEADERS = ("参数", "取值")
PERCENT_COLUMNS = ("compliance_pct", "coverage_pct")


def _level_zh(level: Any) -> str:
    return schema.AREA_LEVELS.get(level, ("", ""))[0] if not is_blank(level) else ""


def _period_zh(kind: Any) -> str:
    return schema.PATROL_PERIODS.get(kind, ("", ""))[0] if isinstance(kind, str) else ""


def _value(value: Any) -> Any:
    return None if is_blank(value) else value


def _figure(name: str, value: Any) -> Any:
    if name == "level":
        return _level_zh(value)
    if name == "period_kind":
        return _period_zh(value)
    if name in PERCENT_COLUMNS:
        return NOT_APPLICABLE if is_blank(value) else round(float(value), 1)
    return _value(value)


def result_headers(result: AssessmentResult) -> list[str]:
    return ([header for header, _w, _c in RESULT_COLUMNS] + [f"{i.name_zh}得分" for i in result.indicators]
            + [header for header, _w in TOTAL_COLUMNS])


def result_rows(result: AssessmentResult) -> list[list]:
    """The rows of 考核结果, parents before children."""
    rows = []
    table = result.table
    for position in result.order:
        record = table.iloc[position]
        row = [_figure(name, record[name]) for _h, _w, name in RESULT_COLUMNS]
        row += [NOT_APPLICABLE if is_blank(record[i.key]) else round(float(record[i.key]), 1) for i in result.indicators]
        row += [None if is_blank(record["total"]) else round(float(record["total"]), 1), record["grade"],
                record["not_applicable"] or "", "是" if record["yellow_card"] else "否", record["card_reasons"] or "",
                _value(record["negative_items"])]
        rows.append(row)
    return rows


def card_rows(result: AssessmentResult) -> list[list]:
    table = result.table.set_index("code")
    rows = []
    for number, card in enumerate(_ordered_cards(result), start=1):
        record = table.loc[card.area_code]
        town = _town_name(table, card.area_code)
        rows.append([number, card.area_code, record["name"], _level_zh(record["level"]), record["chief_name"], town,
                     CARD_RULES[card.rule][0], card.reason_zh, "、".join(card.spots)])
    return rows


def _ordered_cards(result: AssessmentResult) -> list:
    rank = {result.table["code"].iloc[position]: order for order, position in enumerate(result.order)}
    rules = list(CARD_RULES)
    return sorted(result.cards, key=lambda card: (rank.get(card.area_code, len(rank)), rules.index(card.rule)))


def _town_name(table, code: str) -> str:
    """The name of the town (level 2) that is ``code`` or above it in ``table`` (indexed by code), "" when
    there is none."""
    seen = set()
    while code in table.index and code not in seen:
        seen.add(code)
        record = table.loc[code]
        if record["level"] == 2:
            return record["name"]
        code = record["parent_code"]
    return ""


def negative_rows(result: AssessmentResult) -> list[list]:
    return [[number, item.town_name, item.town_code, NEGATIVE_KINDS[item.kind][0], item.area_code, item.area_name,
             item.chief_name, item.subject, item.sentence_zh]
            for number, item in enumerate(result.negative_list, start=1)]


def town_rows(result: AssessmentResult) -> list[list]:
    """Per town (every level-2 area, even without items): the items of each kind and their total; a 合计 row."""
    table = result.table
    kinds = list(NEGATIVE_KINDS)
    rows, totals = [], [0] * (len(kinds) + 1)
    for position in result.order:
        record = table.iloc[position]
        if record["level"] != 2:
            continue
        counts = [sum(1 for item in result.negative_list if item.town_code == record["code"] and item.kind == kind)
                  for kind in kinds]
        counts.append(sum(counts))
        totals = [a + b for a, b in zip(totals, counts)]
        rows.append([record["name"], record["code"]] + counts)
    rows.append(["合计", ""] + totals)
    return rows


def weight_rows(result: AssessmentResult) -> list[list]:
    shares = weight_shares(result.indicators)
    return [[i.key, i.name_zh, i.category_zh, i.weight, round(shares[i.key], 1), i.target, i.method_zh]
            for i in result.indicators]


def setting_rows(result: AssessmentResult) -> list[list]:
    settings = result.settings
    grades = "；".join(f"{name} ≥ {threshold:g}" for threshold, name in sorted(settings.grades, key=lambda g: -g[0]))
    lowest = min(threshold for threshold, _name in settings.grades) if settings.grades else 0
    return [
        ["考核期", f"{result.period.label_zh}（{result.period.first} 至 {result.period.last}）"],
        ["截止日期", result.as_of.isoformat()],
        ["巡林达标线(%)", settings.compliance_min],
        ["核实期限(天，自下发起)", settings.verify_days],
        ["整改期限(天，自认定违法起)", settings.rectify_days],
        ["巡林带宽(米)", settings.swath_m],
        ["只计步行巡林", "是" if settings.on_foot_only else "否"],
        ["等级划分", f"{grades}；不合格 < {lowest:g}；无适用指标为不适用"],
        ["总分", "适用指标得分按权重加权平均；不适用的指标不参与加权"],
        ["黄牌警告规则", f"巡林达标率低于{settings.compliance_min:g}%；本责任区图斑超过核实期限未现地核实；"
                       "本责任区违法图斑超过整改期限未整改"],
        ["负面清单", "按镇（街）列出其本级及下级的：巡林不达标林长、超期未核实图斑、超期未整改违法图斑、"
                    "未整改违法图斑、考核期内巡林未发现的图斑"],
        ["考核期内巡林次数", result.patrols],
    ]


def write_report(path: str, result: AssessmentResult, title: Optional[str] = None) -> None:
    """Write the assessment report of ``result`` to ``path`` (.xlsx) atomically; InputDataError (Chinese and
    English) when it cannot be written."""
    from openpyxl import Workbook

    heading = "{}{}（截至{}）".format(result.period.label_zh, title or DEFAULT_TITLE, result.as_of.isoformat())
    workbook = Workbook()
    workbook.remove(workbook.active)

    rows = result_rows(result)
    headers = result_headers(result)
    first_score = len(RESULT_COLUMNS) + 1
    one_decimal = {column: "0.0" for column in range(first_score, first_score + len(result.indicators) + 1)}
    for name in PERCENT_COLUMNS:
        one_decimal[[c for _h, _w, c in RESULT_COLUMNS].index(name) + 1] = "0.0"
    widths = ([w for _h, w, _c in RESULT_COLUMNS] + [10] * len(result.indicators) + [w for _h, w in TOTAL_COLUMNS])
    carded = [row[headers.index("黄牌警告")] == "是" for row in rows]
    excel.add_sheet(workbook, RESULT_SHEET, heading + " 考核结果", headers, rows, widths, carded,
                    number_formats=one_decimal)

    cards = card_rows(result)
    excel.add_sheet(workbook, CARD_SHEET, "{}黄牌警告（{}名林长，{}条）".format(
        result.period.label_zh, int(result.table["yellow_card"].sum()), len(cards)),
        CARD_HEADERS, cards, (6, 18, 12, 8, 10, 12, 12, 70, 30))

    negative = negative_rows(result)
    sheet = excel.add_sheet(workbook, NEGATIVE_SHEET, "{}负面清单（{}项）".format(result.period.label_zh, len(negative)),
                            NEGATIVE_HEADERS, negative, (6, 12, 14, 14, 18, 12, 10, 24, 70))
    towns = town_rows(result)
    excel.write_table(sheet, len(negative) + 4, "按乡镇(街道)汇总", TOWN_HEADERS, towns,
                      total_rows=[row[0] == "合计" for row in towns])

    sheet = excel.add_sheet(workbook, WEIGHT_SHEET, "考核指标与权重", WEIGHT_HEADERS, weight_rows(result),
                            (20, 18, 8, 8, 10, 10, 70), number_formats={4: "0.##", 5: "0.0", 6: "0.##"})
    sheet.auto_filter.ref = None
    excel.write_table(sheet, len(result.indicators) + 4, "考核参数", SETTING_HEADERS, setting_rows(result))

    try:
        excel.save_atomically(workbook, path, prefix=".assessment-")
    except OSError as error:
        raise InputDataError("无法写入考核报告 {}：{}".format(path, error),
                             "Could not write the assessment report {}: {}".format(path, error)) from error
