"""The public list of the chiefs (林长公示名单): chiefs, their areas and duties, for public display.

The seed asks to "公开林长名单及责任区域、“两长两员”名单及职责，广泛接受公众监督". One row per
responsibility area in hierarchy order (区 → its 镇 → their 村 → their 组, depth first; areas whose parent
is missing follow as roots):

序号, 林长级别, 责任区域, 责任区编码, 林长姓名, 林长职务, 上级责任区域, 上级林长, 主要职责, 面积(公顷),
面积(亩), 基层监管员, 护林员, then 林长电话 (only when asked: phones are personal) and 监督电话 (the
supervision phone given, the same on every row) when given.

- 主要职责: a short duty text per level written from the seed's wording, with the patrol rule of that level
  from the workspace's ``patrol_rules`` (每季度巡林不少于1次 …).
- 面积: the area's ``area_ha``, else its polygon's area; 亩 = ha × 15.
- 基层监管员: the area's ``supervisor``, else (villages and groups) the supervisors of the table ``rangers``.
- 护林员 (villages and groups only): the rangers of the table ``rangers`` assigned to the area or below it;
  a group without its own shows its village's (they patrol it).

Written as .xlsx (core/excel.py, atomic) and .csv (UTF-8 with a byte-order mark, so that Excel opens the
Chinese correctly; written under a temporary name and moved into place). Pure Python.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Sequence

from .. import excel, schema
from ..errors import InputDataError
from ..hierarchy.tree import Hierarchy, build_hierarchy
from ..patrols.rules import PatrolRule
from ..values import is_blank, normalise_code
from .lists import MU_PER_HA, area_rangers

SHEET = "林长公示名单"
BASE_HEADERS = ("序号", "林长级别", "责任区域", "责任区编码", "林长姓名", "林长职务", "上级责任区域", "上级林长",
                "主要职责", "面积(公顷)", "面积(亩)", "基层监管员", "护林员")
CHIEF_PHONE_HEADER = "林长电话"
SUPERVISION_PHONE_HEADER = "监督电话"
WIDTHS = {"序号": 6, "林长级别": 9, "责任区域": 14, "责任区编码": 18, "林长姓名": 10, "林长职务": 16,
          "上级责任区域": 14, "上级林长": 10, "主要职责": 60, "面积(公顷)": 11, "面积(亩)": 11, "基层监管员": 12,
          "护林员": 22, CHIEF_PHONE_HEADER: 14, SUPERVISION_PHONE_HEADER: 14}
NAME_SEPARATOR = "、"

# The duties of each level, from the seed: {patrol} is the level's patrol rule.
DUTIES: dict[int, str] = {
    1: "全面负责全区森林资源保护发展工作，组织领导责任区域林长制工作；{patrol}；落实“四单一函”，"
       "协调解决森林资源保护发展重大问题，督促指导镇级林长履职。",
    2: "负责本镇（街）森林资源保护发展工作；{patrol}；督办责任区域内重点问题，抓好森林防火、"
       "林业有害生物防治和森林督查问题整改，督促指导村级林长、基层监管员和护林员履职。",
    3: "负责本村森林资源保护管理；{patrol}；组织“两长两员”开展日常巡护，及时发现、制止和报告"
       "毁林、乱占林地、森林火情和病虫害等问题。",
    4: "负责本组山林日常管护；{patrol}；配合护林员落实“包山包人”，及时发现和报告火情、"
       "病虫害和破坏森林资源行为。",
}
DEFAULT_PATROL = "定期巡林"


@dataclass(frozen=True)
class PublicRow:
    level_zh: str
    name: str
    code: str
    chief_name: str
    chief_title: str
    parent_name: str
    parent_chief: str
    duties: str
    area_ha: Optional[float]
    supervisor: str
    rangers: str
    chief_phone: str

    @property
    def area_mu(self) -> Optional[float]:
        return None if self.area_ha is None else self.area_ha * MU_PER_HA


def patrol_duty(rule: Optional[PatrolRule]) -> str:
    """每季度巡林不少于1次 (the rule of a level), or 定期巡林 without one."""
    if rule is None:
        return DEFAULT_PATROL
    return "每{}巡林不少于{}次".format(schema.PATROL_PERIODS[rule.period][0], rule.min_count)


def duty_text(level: Optional[int], rule: Optional[PatrolRule]) -> str:
    template = DUTIES.get(level) if level is not None else None
    if template is None:
        return "负责责任区域森林资源保护发展工作；{}。".format(patrol_duty(rule))
    return template.format(patrol=patrol_duty(rule))


def _area_ha(row: Mapping[str, Any]) -> Optional[float]:
    value = row.get("area_ha")
    if not is_blank(value) and value != "":
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    geometry = row.get("geometry")
    area = getattr(geometry, "area", None) if geometry is not None else None
    return float(area) / 10_000.0 if area else None


def _names(people: Iterable[Mapping[str, Any]], supervisors: bool) -> str:
    names = [str(person.get("name") or "").strip() for person in people
             if (str(person.get("role") or "").strip() == "supervisor") == supervisors]
    return NAME_SEPARATOR.join(dict.fromkeys(name for name in names if name))


def public_rows(areas: Sequence[Mapping[str, Any]], rangers: Sequence[Mapping[str, Any]],
                rules: Sequence[PatrolRule]) -> list[PublicRow]:
    """One row per responsibility area, in hierarchy order. InputDataError when there is no area."""
    tree: Hierarchy = build_hierarchy(areas)
    if not len(tree):
        raise InputDataError("工作空间中没有林长责任区，无法生成公示名单。",
                             "The workspace has no chief responsibility areas: there is nothing to list.")
    area_by_code = {}
    for row in areas:
        area_by_code.setdefault(normalise_code(row.get("code")), _area_ha(row))
    rule_by_level = {rule.level: rule for rule in rules}
    result = []
    for node in tree.walk():
        parent = tree.nodes.get(node.parent_code)
        people, _lent_by = area_rangers(tree, node.code, list(rangers)) if node.level in (3, 4) else ([], "")
        result.append(PublicRow(
            level_zh=node.level_zh, name=node.name, code=node.code, chief_name=node.chief_name,
            chief_title=node.chief_title, parent_name=parent.name if parent else "",
            parent_chief=parent.chief_name if parent else "", duties=duty_text(node.level, rule_by_level.get(node.level)),
            area_ha=node.area_ha if node.area_ha is not None else area_by_code.get(node.code),
            supervisor=node.supervisor or _names(people, True), rangers=_names(people, False),
            chief_phone=node.chief_phone))
    return result


def public_table(rows: Sequence[PublicRow], include_phones: bool = False,
                 supervision_phone: str = "") -> tuple[list[str], list[list]]:
    """Headers and values of the list; the chiefs' phones only when ``include_phones``."""
    headers = list(BASE_HEADERS)
    supervision_phone = (supervision_phone or "").strip()
    if include_phones:
        headers.append(CHIEF_PHONE_HEADER)
    if supervision_phone:
        headers.append(SUPERVISION_PHONE_HEADER)
    values = []
    for number, row in enumerate(rows, start=1):
        line = [number, row.level_zh, row.name, row.code, row.chief_name, row.chief_title, row.parent_name,
                row.parent_chief, row.duties, None if row.area_ha is None else round(row.area_ha, 2),
                None if row.area_mu is None else round(row.area_mu, 1), row.supervisor, row.rangers]
        if include_phones:
            line.append(row.chief_phone)
        if supervision_phone:
            line.append(supervision_phone)
        values.append(line)
    return headers, values


def list_title(rows: Sequence[PublicRow]) -> str:
    """<top area>林长公示名单."""
    return "{}{}".format(rows[0].name if rows else "", SHEET)


def write_public_csv(path: str, headers: Sequence[str], values: Sequence[Sequence]) -> None:
    """The list as CSV, UTF-8 with BOM, CRLF line ends; written beside ``path`` and moved into place."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".public-", suffix=".csv", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\r\n")
            writer.writerow(headers)
            for line in values:
                writer.writerow(["" if value is None else value for value in line])
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def write_public_xlsx(path: str, headers: Sequence[str], values: Sequence[Sequence], title: str,
                      supervision_phone: str = "", made: Optional[dt.date] = None) -> None:
    """The list as an Excel workbook (one sheet, title, styled header, notes below); atomic."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    workbook = Workbook()
    workbook.remove(workbook.active)
    ha_column, mu_column = headers.index("面积(公顷)") + 1, headers.index("面积(亩)") + 1
    sheet = excel.add_sheet(workbook, SHEET, title, headers, [list(line) for line in values],
                            [WIDTHS.get(header, 12) for header in headers],
                            number_formats={ha_column: "#,##0.00", mu_column: "#,##0.0"})
    duty_column = headers.index("主要职责") + 1
    for row in range(3, 3 + len(values)):
        sheet.cell(row=row, column=duty_column).alignment = Alignment(wrap_text=True, vertical="top")
    notes = ["公示日期：{}".format((made or dt.date.today()).isoformat())]
    if supervision_phone.strip():
        notes.insert(0, "监督电话：{}".format(supervision_phone.strip()))
    for offset, note in enumerate(notes):
        sheet.cell(row=4 + len(values) + offset, column=1, value=note)
    excel.save_atomically(workbook, path, prefix=".public-")
