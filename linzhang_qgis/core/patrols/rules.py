"""Patrol rules (巡林规则): for each chief level, a period and the minimum number of patrols in it.

The seed (章贡区) asks district chiefs for one patrol a quarter and town level and below for one a
month; other provinces differ, so the rules are a table (the workspace's ``patrol_rules``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .. import schema
from ..errors import InputDataError
from ..values import as_int, is_blank

PERIODS = tuple(schema.PATROL_PERIODS)  # "week", "month", "quarter", "year"


@dataclass(frozen=True)
class PatrolRule:
    level: int  # 1 district ... 4 group (schema.AREA_LEVELS)
    period: str  # "week", "month", "quarter" or "year"
    min_count: int  # patrols required in every period

    def describe_zh(self) -> str:
        """每月1次, 每季度1次 ..."""
        return "每{}{}次".format(schema.PATROL_PERIODS[self.period][0], self.min_count)


def default_rules() -> tuple[PatrolRule, ...]:
    """The seed's rules (schema.DEFAULT_PATROL_RULES)."""
    return tuple(PatrolRule(level, period, count) for level, period, count in schema.DEFAULT_PATROL_RULES)


def rules_from_rows(rows: Iterable[Mapping[str, Any]]) -> tuple[PatrolRule, ...]:
    """Rules from table rows with ``level``, ``period`` and ``min_count`` (e.g. the layer ``patrol_rules``).

    Periods may be given in English (month) or Chinese (月); rows that are entirely empty are skipped.
    Raises InputDataError (Chinese and English) for an unknown period, a level outside 1-4, a count
    below 1 or a level given twice.
    """
    by_chinese = {zh: key for key, (zh, _en) in schema.PATROL_PERIODS.items()}
    rules: list[PatrolRule] = []
    seen: set[int] = set()
    for number, row in enumerate(rows, start=1):
        raw_level, raw_period, raw_count = row.get("level"), row.get("period"), row.get("min_count")
        if all(is_blank(v) or str(v).strip() == "" for v in (raw_level, raw_period, raw_count)):
            continue
        level = as_int(raw_level)
        if level not in schema.AREA_LEVELS:
            raise InputDataError(
                "巡林规则第{}行：林长级别“{}”无效，应为1（区级）至4（组级）。".format(number, raw_level),
                "Patrol rule row {}: the chief level '{}' is not valid; use 1 (district) to 4 (group).".format(
                    number, raw_level))
        period = "" if is_blank(raw_period) else str(raw_period).strip()
        period = by_chinese.get(period, period.lower())
        if period not in schema.PATROL_PERIODS:
            raise InputDataError(
                "巡林规则第{}行：周期“{}”无效，应为 week（周）、month（月）、quarter（季度）或 year（年）。".format(
                    number, raw_period),
                "Patrol rule row {}: the period '{}' is not known; use week, month, quarter or year.".format(
                    number, raw_period))
        count = as_int(raw_count)
        if count is None or count < 1:
            raise InputDataError(
                "巡林规则第{}行：最少次数“{}”无效，应为不小于1的整数。".format(number, raw_count),
                "Patrol rule row {}: the minimum count '{}' is not valid; use a whole number of 1 or more.".format(
                    number, raw_count))
        if level in seen:
            raise InputDataError(
                "巡林规则中{}（级别{}）出现了不止一次，每个级别只能有一条规则。".format(
                    schema.AREA_LEVELS[level][0], level),
                "The patrol rules give the {} level ({}) more than once; keep one rule per level.".format(
                    schema.AREA_LEVELS[level][1], level))
        seen.add(level)
        rules.append(PatrolRule(level, period, count))
    return tuple(sorted(rules, key=lambda rule: rule.level))
