"""The 森林督查 workflow of a change spot and the rules each change must keep.

下发 (issued) → 判读审核 (interpreted) → 现地核实 (field_verified) → 认定 (determined) → then by the
determination: illegal → 立案 (case_filed) → 整改 (rectifying) → 复核 (rechecked) → 销号 (closed);
legal or false → 销号 (closed) at once, without a case. A spot moves one step at a time, never back
(an earlier state comes back only through the store's undo, which restores a state that was valid).

Values are coerced to the schema's types here (``coerce_value``), so that a form may pass "42" for a code
or an empty string for "nothing"; the store writes what this module coerced.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from .. import schema
from ..errors import LinzhangError
from ..values import is_blank

STATUS_ORDER: tuple[str, ...] = ("issued", "interpreted", "field_verified", "determined", "case_filed",
                                 "rectifying", "rechecked", "closed")
# statuses after 'determined': the determination is settled there and may no longer change
AFTER_DETERMINED = STATUS_ORDER[STATUS_ORDER.index("determined") + 1:]
# fields the workflow never lets a change touch: the spot number keys the spot's history
FROZEN_FIELDS = ("spot_no",)

assert set(STATUS_ORDER) == set(schema.SPOT_STATUSES), "STATUS_ORDER must list the schema's statuses"


class WorkflowError(LinzhangError, ValueError):
    """A change breaks a rule of the 森林督查 workflow: ``str()`` is the Chinese sentence, then the English."""


def status_zh(status: Optional[str]) -> str:
    entry = schema.SPOT_STATUSES.get(status or "")
    return f"{entry[0]}（{status}）" if entry else str(status)


def status_en(status: Optional[str]) -> str:
    entry = schema.SPOT_STATUSES.get(status or "")
    return f"{entry[1]} ({status})" if entry else str(status)


def next_statuses(status: str, determination: Optional[str]) -> tuple[str, ...]:
    """The statuses a spot may move to from ``status``: the next step of the workflow; from 'determined'
    only 'case_filed' when the determination is 'illegal', only 'closed' when it is 'legal' or 'false'
    (legal or false spots are closed without a case); nothing from 'closed'."""
    if status not in STATUS_ORDER or status == "closed":
        return ()
    if status == "determined":
        if determination == "illegal":
            return ("case_filed",)
        if determination in ("legal", "false"):
            return ("closed",)
        return ()
    return (STATUS_ORDER[STATUS_ORDER.index(status) + 1],)


# --- values ------------------------------------------------------------------------------------------

def _bad_value(name: str, value: Any, kind_zh: str, kind_en: str) -> WorkflowError:
    field = schema.CHANGE_SPOTS.field(name)
    return WorkflowError(f"“{field.alias_zh}”的值 {value!r} 不是{kind_zh}。",
                         f"The value {value!r} of '{field.alias_en}' ({name}) is not {kind_en}.")


def coerce_value(name: str, value: Any) -> Any:
    """``value`` as the Python type of the change_spots field ``name``: str (an empty string is None), int,
    float, datetime.date (from a date, a datetime or 'YYYY-MM-DD…' text) or bool. Blanks (None, NaN) are None.
    WorkflowError when the field is unknown or the value cannot be read as its type."""
    try:
        field = schema.CHANGE_SPOTS.field(name)
    except KeyError:
        raise WorkflowError(f"变化图斑没有字段“{name}”。", f"Change spots have no field '{name}'.") from None
    if is_blank(value):
        return None
    kind = field.type
    if kind == "str":
        text = str(value)
        return text if text.strip() else None
    if kind == "int":
        if isinstance(value, bool):
            raise _bad_value(name, value, "整数", "a whole number")
        try:
            number = float(str(value).strip())
        except ValueError:
            raise _bad_value(name, value, "整数", "a whole number") from None
        if not number.is_integer():
            raise _bad_value(name, value, "整数", "a whole number")
        return int(number)
    if kind == "real":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad_value(name, value, "数值", "a number") from None
    if kind in ("date", "datetime"):
        if isinstance(value, dt.datetime):
            return value.date() if kind == "date" else value
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("/", "-"))
        except ValueError:
            raise _bad_value(name, value, "日期（年-月-日）", "a date (YYYY-MM-DD)") from None
        return parsed.date() if kind == "date" else parsed
    # bool
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "t", "yes", "y", "是"):
        return True
    if text in ("0", "false", "f", "no", "n", "否"):
        return False
    raise _bad_value(name, value, "是或否", "true or false")


def _blank(value: Any) -> bool:
    return is_blank(value) or (isinstance(value, str) and not value.strip())


# --- the rules ------------------------------------------------------------------------------------

def check_change(current: dict, changes: dict) -> None:
    """Raise WorkflowError when applying ``changes`` (field -> new value) to a spot whose fields are
    ``current`` breaks a rule: a status change not in next_statuses (an illegal jump, including going back);
    a status change without an inspector (changes or current 'inspector'); moving to 'determined' without a
    determination (in DETERMINATIONS); determination 'false' without a false_reason; determination 'legal'
    without a permit_no (legal basis or permit number); a verified_cause not in VERIFIED_CAUSES; a
    determination not in DETERMINATIONS; a status not in SPOT_STATUSES; changing geometry-less fields only is fine.

    Also refused: a field the change spots do not have, a value that is not of its field's type, changing
    the spot number (it keys the history), a blank status, and changing the determination of a spot already
    past 'determined' (立案 and after: the case rests on it). Only the fields that really change count:
    passing a field with its current value is no change.
    """
    spot_no = current.get("spot_no") or ""
    new = {name: coerce_value(name, value) for name, value in changes.items()}
    old = {name: coerce_value(name, current.get(name)) for name in new}
    changed = {name for name in new if new[name] != old[name]}
    if not changed:
        return
    for name in FROZEN_FIELDS:
        if name in changed:
            raise WorkflowError(f"监测编号是图斑核查记录的依据，不能修改（{old[name]} → {new[name]}）。",
                                f"The spot number keys the spot's history and cannot be changed "
                                f"({old[name]} → {new[name]}).")

    def effective(name: str) -> Any:
        return new[name] if name in new else coerce_value(name, current.get(name))

    status_before = coerce_value("status", current.get("status"))
    status_after = effective("status")
    determination = effective("determination")

    if "status" in changed:
        if status_after is None:
            raise WorkflowError(f"图斑 {spot_no} 的核查状态不能为空。", f"The status of spot {spot_no} cannot be empty.")
        if status_after not in schema.SPOT_STATUSES:
            raise WorkflowError(
                f"“{status_after}”不是核查状态；可用：{'、'.join(status_zh(s) for s in STATUS_ORDER)}。",
                f"'{status_after}' is not a status; use one of: {', '.join(STATUS_ORDER)}.")
    if "determination" in changed and determination is not None and determination not in schema.DETERMINATIONS:
        raise WorkflowError(
            f"“{determination}”不是认定结果；可用：{'、'.join(f'{v[0]}（{k}）' for k, v in schema.DETERMINATIONS.items())}。",
            f"'{determination}' is not a determination; use one of: {', '.join(schema.DETERMINATIONS)}.")
    if "verified_cause" in changed:
        cause = new["verified_cause"]
        if cause is not None and cause not in schema.VERIFIED_CAUSES:
            raise WorkflowError(f"{cause} 不是核实变化原因代码（10 造林更新 … 99 管理因子变化）。",
                                f"{cause} is not a verified-cause code (10 afforestation or regeneration … "
                                "99 management attribute change).")

    if "status" in changed:
        allowed = next_statuses(status_before, determination)
        if status_after not in allowed:
            if status_before == "determined" and determination not in schema.DETERMINATIONS:
                why_zh, why_en = "尚无认定结果", "it has no determination"
            elif allowed:
                why_zh = "只能进入“{}”".format("、".join(status_zh(s) for s in allowed))
                why_en = "it may only move to {}".format(", ".join(status_en(s) for s in allowed))
            else:
                why_zh, why_en = "已销号，流程已结束", "it is closed: the workflow has ended"
            back_zh = "（不能退回，请用撤销）" if status_after in STATUS_ORDER and status_before in STATUS_ORDER \
                and STATUS_ORDER.index(status_after) < STATUS_ORDER.index(status_before) else ""
            back_en = " (it cannot go back: use undo)" if back_zh else ""
            raise WorkflowError(
                f"图斑 {spot_no} 不能从“{status_zh(status_before)}”改为“{status_zh(status_after)}”：{why_zh}{back_zh}。",
                f"Spot {spot_no} cannot move from {status_en(status_before)} to {status_en(status_after)}: "
                f"{why_en}{back_en}.")
        if _blank(effective("inspector")):
            raise WorkflowError(f"改变图斑 {spot_no} 的核查状态须填写核查人。",
                                f"Changing the status of spot {spot_no} needs an inspector.")
        if status_after == "determined" and determination not in schema.DETERMINATIONS:
            raise WorkflowError(f"图斑 {spot_no} 进入“认定”须有认定结果（合法、违法或伪变化）。",
                                f"Spot {spot_no} can be determined only with a determination (legal, illegal "
                                "or false detection).")

    if "determination" in changed and status_before in AFTER_DETERMINED:
        raise WorkflowError(
            f"图斑 {spot_no} 已“{status_zh(status_before)}”，认定结果不能再改（如需更正请先撤销）。",
            f"Spot {spot_no} is already {status_en(status_before)}: its determination can no longer change "
            "(undo first to correct it).")

    touched = changed & {"status", "determination", "false_reason", "permit_no"}
    if touched:
        if determination == "false" and _blank(effective("false_reason")):
            raise WorkflowError(f"图斑 {spot_no} 认定为伪变化，须填写伪变化原因（如季节、云或阴影、已有采伐许可、前期已查处）。",
                                f"Spot {spot_no} is a false detection: give the reason (e.g. season, cloud or "
                                "shadow, harvest with permit, earlier case).")
        if determination == "legal" and _blank(effective("permit_no")):
            raise WorkflowError(f"图斑 {spot_no} 认定为合法，须填写批准文号或合法依据。",
                                f"Spot {spot_no} is legal: give the permit number or the legal basis.")
