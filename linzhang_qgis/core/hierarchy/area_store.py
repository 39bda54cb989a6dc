"""Changing a chief's details (name, title, phone, supervisor) in the workspace: the update of ``resp_areas``
and its ``area_history`` row in ONE transaction, the same rule as the change spots (``inspection.store``).

A change made elsewhere since the area was loaded (another QGIS window, the attribute table) gives
``ConflictError`` instead of a silent overwrite; an undo writes a history row of its own whose note starts
with ``undo #<fid of the undone row>``. The history row's ``changes`` column is JSON ``{"field": [old, new]}``
with only the fields that really change. A workspace of schema version 1 (no area_history yet) is migrated
before the first write.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from .. import schema
from ..errors import InputDataError, WorkspaceError
from ..gpkg_sqlite import (ConflictError, NothingToUndo, datetime_text, ensure_current_schema, file_name,  # noqa: F401
                           has_table, history_counts, local_now, parse_datetime, reading, row_version, touch_contents,
                           undoes, writing)
from ..values import is_blank

AREAS = schema.RESP_AREAS.name
HISTORY = schema.AREA_HISTORY.name
FIELDS: tuple[str, ...] = schema.RESP_AREAS.field_names
EDITABLE: tuple[str, ...] = ("chief_name", "chief_title", "chief_phone", "supervisor")
PHONE_CHARACTERS = re.compile(r"^[0-9 +()\-]+$")
_LABELS = {name: (schema.RESP_AREAS.field(name).alias_zh, schema.RESP_AREAS.field(name).alias_en) for name in EDITABLE}


@dataclass(frozen=True)
class AreaState:
    fid: int
    values: dict  # every RESP_AREAS field -> value as stored (level as int, area_ha as float)
    history_count: int
    version: str  # changes whenever the area's attributes or its history change


@dataclass(frozen=True)
class AreaHistoryEntry:
    fid: int
    changed_at: Optional[dt.datetime]
    changed_by: str
    changes: dict  # field -> [old, new]
    note: str

    @property
    def undoes(self) -> Optional[int]:
        return undoes(self.note)




class ChiefDetailError(InputDataError):
    """A chief detail that cannot be written (blank name, a phone that is not a phone number, ...)."""


# --- checking a change -------------------------------------------------------------------------------

def _clean(value: Any) -> Optional[str]:
    return None if is_blank(value) or str(value).strip() == "" else str(value).strip()


def check_chief_change(changes: Mapping[str, Any]) -> dict:
    """The cleaned new values (trimmed text, blank -> None); ChiefDetailError (zh+en) for a field that is not a
    chief detail, a blank chief name, a text longer than its field, or a phone number with letters or fewer
    than 7 digits."""
    cleaned: dict[str, Optional[str]] = {}
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ChiefDetailError(f"字段 {name} 不是林长信息，不能在此修改。",
                                   f"The field {name} is not a chief detail and cannot be changed here.")
        text = _clean(value)
        zh, en = _LABELS[name]
        width = schema.RESP_AREAS.field(name).width
        if text is not None and width and len(text) > width:
            raise ChiefDetailError(f"{zh}最多 {width} 个字，现为 {len(text)} 个。",
                                   f"The {en} takes at most {width} characters, not {len(text)}.")
        cleaned[name] = text
    if "chief_name" in cleaned and cleaned["chief_name"] is None:
        raise ChiefDetailError("林长姓名不能为空：每个责任区都要有林长。",
                               "The chief's name cannot be blank: every responsibility area has a chief.")
    phone = cleaned.get("chief_phone")
    if phone is not None and (not PHONE_CHARACTERS.match(phone) or sum(c.isdigit() for c in phone) < 7):
        raise ChiefDetailError(f"联系电话“{phone}”不是电话号码（只能有数字、空格、+、-、括号，至少7位数字）。",
                               f"The phone “{phone}” is not a phone number (digits, spaces, +, - and brackets "
                               "only, at least 7 digits).")
    return cleaned


# --- reading -----------------------------------------------------------------------------------------

_SELECT = "SELECT fid, {} FROM {}".format(", ".join(f'"{name}"' for name in FIELDS), AREAS)


def _history_counts(db: sqlite3.Connection, code: Optional[str] = None) -> dict[str, tuple[int, int]]:
    return history_counts(db, HISTORY, "code", code)


def _state(row: tuple, counts: Mapping[str, tuple[int, int]]) -> AreaState:
    values = dict(zip(FIELDS, row[1:]))
    count, last = counts.get(values["code"], (0, 0))
    return AreaState(int(row[0]), values, count, row_version([row], count, last))


def _read_state(db: sqlite3.Connection, path: str, fid: int) -> AreaState:
    row = db.execute(_SELECT + " WHERE fid = ?", (int(fid),)).fetchone()
    if row is None:
        raise WorkspaceError(f"工作空间 {file_name(path)} 中没有编号为 {fid} 的责任区（可能已被删除）。",
                             f"The workspace {file_name(path)} has no responsibility area with feature id {fid} "
                             "(it may have been deleted).")
    return _state(row, _history_counts(db, row[1 + FIELDS.index("code")]))


def load_areas(path: str) -> list[AreaState]:
    """Every responsibility area of the workspace, by level and code."""
    with reading(path) as db:
        rows = db.execute(_SELECT + " ORDER BY level, code, fid").fetchall()
        counts = _history_counts(db)
    return [_state(row, counts) for row in rows]


def load_area(path: str, fid: int) -> AreaState:
    with reading(path) as db:
        return _read_state(db, path, fid)


_HISTORY_SELECT = f"SELECT fid, changed_at, changed_by, changes, note FROM {HISTORY} WHERE code = ? ORDER BY fid"


def _entry(row: tuple) -> AreaHistoryEntry:
    fid, changed_at, changed_by, changes, note = row
    try:
        parsed = json.loads(changes) if changes else {}
    except (TypeError, ValueError):
        parsed = {}
    return AreaHistoryEntry(int(fid), parse_datetime(changed_at), changed_by or "",
                            parsed if isinstance(parsed, dict) else {}, note or "")


def history(path: str, code: str) -> list[AreaHistoryEntry]:
    """The changes of one area's chief details, oldest first (none for a workspace without the table)."""
    with reading(path) as db:
        if not has_table(db, HISTORY):
            return []
        return [_entry(row) for row in db.execute(_HISTORY_SELECT, (code,))]


# --- writing -----------------------------------------------------------------------------------------



def _conflict(state: AreaState) -> ConflictError:
    name = state.values.get("name") or state.values.get("code")
    return ConflictError(
        f"责任区“{name}”在载入后已在别处被修改（如另一个 QGIS 窗口或属性表），本次修改未保存；已重新载入，请核对后再改。",
        f"The area “{name}” was changed elsewhere (another QGIS window or the attribute table) since it was "
        "loaded; nothing was written. It has been reloaded: check it and change it again.")


def _write(db: sqlite3.Connection, state: AreaState, new_values: Mapping[str, Any], who: str, note: str,
           now: Optional[dt.datetime]) -> None:
    really = {name: value for name, value in new_values.items() if value != state.values.get(name)}
    if really:
        assignments = ", ".join(f'"{name}" = ?' for name in really)
        db.execute(f"UPDATE {AREAS} SET {assignments} WHERE fid = ?", list(really.values()) + [state.fid])
    changes = {name: [state.values.get(name), value] for name, value in really.items()}
    db.execute(f"INSERT INTO {HISTORY} (code, changed_at, changed_by, changes, note) VALUES (?, ?, ?, ?, ?)",
               (state.values.get("code"), datetime_text(local_now(now)), who or None,
                json.dumps(changes, ensure_ascii=False), note or None))
    touch_contents(db, AREAS, HISTORY)


def _require_who(who: str) -> None:
    if _clean(who) is None:
        raise ChiefDetailError("请填写修改人：每次修改都记录是谁改的。",
                               "Enter who makes the change: every change records its author.")


def apply_chief_change(path: str, fid: int, version: str, changes: Mapping[str, Any], who: str, note: str = "",
                       now: Optional[dt.datetime] = None) -> AreaState:
    """In ONE transaction: re-read the area (ConflictError if its version is not ``version``), check the change,
    UPDATE resp_areas, INSERT the area_history row, COMMIT. Nothing is written when no field really changes."""
    _require_who(who)
    cleaned = check_chief_change(changes)
    ensure_current_schema(path)
    with writing(path) as db:
        state = _read_state(db, path, fid)
        if state.version != version:
            raise _conflict(state)
        if all(value == state.values.get(name) for name, value in cleaned.items()) and not note:
            return state
        _write(db, state, cleaned, who.strip(), note, now)
        return _read_state(db, path, fid)


def undo_last(path: str, fid: int, version: str, who: str, now: Optional[dt.datetime] = None) -> AreaState:
    """Restore the values before the area's latest change not yet undone, with a history row of its own
    ('undo #<fid>'); NothingToUndo when there is none; ConflictError on a version mismatch."""
    _require_who(who)
    ensure_current_schema(path)
    with writing(path) as db:
        state = _read_state(db, path, fid)
        if state.version != version:
            raise _conflict(state)
        undone: set[int] = set()
        target = None
        for row in db.execute(_HISTORY_SELECT.replace("ORDER BY fid", "ORDER BY fid DESC"),
                              (state.values.get("code"),)).fetchall():
            entry = _entry(row)
            if entry.undoes is not None:
                undone.add(entry.undoes)
            elif entry.fid not in undone and entry.changes:
                target = entry
                break
        if target is None:
            name = state.values.get("name") or state.values.get("code")
            raise NothingToUndo(f"责任区“{name}”没有可撤销的修改。", f"The area “{name}” has no change left to undo.")
        restored = {name: pair[0] for name, pair in target.changes.items()
                    if name in EDITABLE and isinstance(pair, list) and len(pair) == 2}
        when = f"{target.changed_at:%Y-%m-%d %H:%M}" if target.changed_at else ""
        _write(db, state, restored, who.strip(), f"undo #{target.fid} 撤销第 {target.fid} 条记录（{when}）", now)
        return _read_state(db, path, fid)
