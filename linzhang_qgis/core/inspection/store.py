"""Changing a change spot in the workspace: the attribute update and its history row in ONE transaction.

sqlite3 straight on the GeoPackage (no OGR for attributes): ``BEGIN IMMEDIATE`` takes the write lock
before the spot is re-read, so two QGIS windows (or a window and a Processing run) never interleave;
a spot changed elsewhere since it was loaded gives ``ConflictError`` instead of a silent overwrite. A
process killed at any moment leaves either the change and its history row, or neither: SQLite's
journal rolls an unfinished transaction back the next time the file is opened.

Values are stored as OGR and QGIS read them back: DATE as 'YYYY-MM-DD' text, DATETIME as
'YYYY-MM-DDTHH:MM:SS.fff' text (local wall-clock time without a time zone, as OGR writes a naive time;
a trailing 'Z' would tell QGIS the time is UTC), booleans as 0/1 integers.

The history row's ``changes`` column is JSON: ``{"field": [old, new], ...}`` with only the fields that
really change (dates as 'YYYY-MM-DD', booleans as true/false). An undo writes a row of its own whose note
starts with ``undo #<fid of the undone row>``.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from .. import schema
from ..errors import WorkspaceError
from ..gpkg_sqlite import BUSY_TIMEOUT_S, READERS, check_writable, touch_contents  # noqa: F401 - re-exported
from ..gpkg_sqlite import ConflictError, NothingToUndo, undoes  # noqa: F401 - re-exported
from ..gpkg_sqlite import history_counts, row_version
from ..gpkg_sqlite import datetime_text as _datetime_text
from ..gpkg_sqlite import envelope as _envelope  # noqa: F401 - tests read it here
from ..gpkg_sqlite import file_name as _name
from ..gpkg_sqlite import json_value as _json_value
from ..gpkg_sqlite import local_now as _local_now
from ..gpkg_sqlite import parse_datetime as _parse_datetime
from ..gpkg_sqlite import reading as _reading
from ..gpkg_sqlite import register_functions as _register_functions  # noqa: F401 - tests read it here
from ..gpkg_sqlite import st_is_empty as _st_is_empty  # noqa: F401 - tests read it here
from ..gpkg_sqlite import stored_value as _stored
from ..gpkg_sqlite import writing as _writing
from .workflow import FROZEN_FIELDS, check_change, coerce_value

SPOTS = schema.CHANGE_SPOTS.name
HISTORY = schema.SPOT_HISTORY.name
FIELDS: tuple[str, ...] = schema.CHANGE_SPOTS.field_names


@dataclass(frozen=True)
class SpotState:
    fid: int
    values: dict  # every CHANGE_SPOTS field -> Python value (dates as datetime.date, bool as bool)
    history_count: int  # rows in spot_history for this spot_no
    version: str  # changes whenever the spot's attributes or its history change


@dataclass(frozen=True)
class HistoryEntry:
    changed_at: dt.datetime
    changed_by: str
    old_status: Optional[str]
    new_status: Optional[str]
    changes: dict  # field -> [old, new], as stored (JSON values)
    note: str
    fid: int = -1  # the row's id in spot_history (an undo note refers to it)

    @property
    def undoes(self) -> Optional[int]:
        """The fid of the history row this row undid, or None when it is not an undo."""
        return undoes(self.note)




# the converter of each field from its stored value (None: as stored)
_CONVERTERS = [READERS.get(schema.CHANGE_SPOTS.field(name).type) for name in FIELDS]

# --- reading -----------------------------------------------------------------------------------------

_SELECT = "SELECT fid, {} FROM {}".format(", ".join(f'"{name}"' for name in FIELDS), SPOTS)


def _history_counts(db: sqlite3.Connection, spot_no: Optional[str] = None) -> dict[str, tuple[int, int]]:
    """spot_no -> (history rows, largest history fid)."""
    return history_counts(db, HISTORY, "spot_no", spot_no)


def _state(row: tuple, counts: Mapping[str, tuple[int, int]]) -> SpotState:
    values = {name: (raw if convert is None else convert(raw))
              for name, convert, raw in zip(FIELDS, _CONVERTERS, row[1:])}
    count, last = counts.get(values["spot_no"], (0, 0))
    return SpotState(int(row[0]), values, count, row_version([row], count, last))


def _read_state(db: sqlite3.Connection, path: str, fid: int) -> SpotState:
    row = db.execute(_SELECT + " WHERE fid = ?", (int(fid),)).fetchone()
    if row is None:
        raise WorkspaceError(f"工作空间 {_name(path)} 中没有编号为 {fid} 的图斑（可能已被删除）。",
                             f"The workspace {_name(path)} has no spot with feature id {fid} (it may have "
                             "been deleted).")
    return _state(row, _history_counts(db, row[1 + FIELDS.index("spot_no")]))


def load_spots(path: str) -> list[SpotState]:
    """Every change spot of the workspace, ordered by spot number: one query for the spots, one for the
    history counts."""
    with _reading(path) as db:
        rows = db.execute(_SELECT + " ORDER BY spot_no, fid").fetchall()
        counts = _history_counts(db)
    return [_state(row, counts) for row in rows]


def load_spot(path: str, fid: int) -> SpotState:
    with _reading(path) as db:
        return _read_state(db, path, fid)


def _entry(row: tuple) -> HistoryEntry:
    fid, changed_at, changed_by, old_status, new_status, changes, note = row
    try:
        parsed = json.loads(changes) if changes else {}
    except (TypeError, ValueError):
        parsed = {}
    if not isinstance(parsed, dict):
        parsed = {}
    return HistoryEntry(_parse_datetime(changed_at), changed_by or "", old_status, new_status, parsed,
                        note or "", int(fid))


_HISTORY_SELECT = (f"SELECT fid, changed_at, changed_by, old_status, new_status, changes, note FROM {HISTORY} "
                   "WHERE spot_no = ? ORDER BY fid")


def history(path: str, spot_no: str) -> list[HistoryEntry]:
    """The history of one spot, oldest first."""
    with _reading(path) as db:
        return [_entry(row) for row in db.execute(_HISTORY_SELECT, (spot_no,))]


# --- writing -----------------------------------------------------------------------------------------

def _conflict(path: str, state: SpotState) -> ConflictError:
    spot_no = state.values.get("spot_no")
    return ConflictError(
        f"图斑 {spot_no} 在载入后已在别处被修改（如另一个 QGIS 窗口），本次修改未保存；已重新载入，请核对后再改。",
        f"Spot {spot_no} was changed elsewhere (e.g. in another QGIS window) since it was loaded; nothing was "
        "written. Reload it, check it and change it again.")


def _write(db: sqlite3.Connection, state: SpotState, new_values: Mapping[str, Any], who: str, note: str,
           now: Optional[dt.datetime]) -> None:
    """UPDATE the spot with ``new_values`` (only fields that differ) and INSERT its history row."""
    really = {name: value for name, value in new_values.items() if value != state.values.get(name)}
    if really:
        assignments = ", ".join(f'"{name}" = ?' for name in really)
        db.execute(f"UPDATE {SPOTS} SET {assignments} WHERE fid = ?",
                   [_stored(value) for value in really.values()] + [state.fid])
    old_status = state.values.get("status")
    new_status = really.get("status", old_status)
    changes = {name: [_json_value(state.values.get(name)), _json_value(value)] for name, value in really.items()}
    db.execute(f"INSERT INTO {HISTORY} (spot_no, changed_at, changed_by, old_status, new_status, changes, note) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)",
               (state.values.get("spot_no"), _datetime_text(_local_now(now)), who or None, old_status, new_status,
                json.dumps(changes, ensure_ascii=False), note or None))
    touch_contents(db, SPOTS, HISTORY)


def apply_change(path: str, fid: int, version: str, changes: dict, who: str, note: str = "",
                 now: Optional[dt.datetime] = None) -> SpotState:
    """In ONE transaction (BEGIN IMMEDIATE, busy timeout BUSY_TIMEOUT_S): re-read the spot, ConflictError if its
    version differs from ``version``, check_change, UPDATE change_spots, INSERT the spot_history row
    (spot_no, changed_at=now or local now without tz, changed_by=who, old_status, new_status, changes JSON of
    only the fields that really change, note), COMMIT. Returns the new state. A locked database (another
    program writing) -> WorkspaceError zh+en 'try again', nothing written. Read-only file -> WorkspaceError.

    When no field really changes and there is no note, nothing is written and the state is returned as it is;
    with a note only, a history row without changes records it. old_status and new_status are both filled
    (equal when the status stays).
    """
    with _writing(path) as db:
        state = _read_state(db, path, fid)
        if state.version != version:
            raise _conflict(path, state)
        check_change(state.values, changes)
        new_values = {name: coerce_value(name, value) for name, value in changes.items()}
        if all(value == state.values.get(name) for name, value in new_values.items()) and not note:
            return state
        _write(db, state, new_values, who, note, now)
        result = _read_state(db, path, fid)
    return result


def _restore_values(entry: HistoryEntry) -> dict:
    restored = {}
    for name, pair in entry.changes.items():
        if name not in FIELDS or name in FROZEN_FIELDS or not isinstance(pair, (list, tuple)) or len(pair) != 2:
            continue
        try:
            restored[name] = coerce_value(name, pair[0])
        except ValueError:
            continue
    return restored


def undo_last(path: str, fid: int, version: str, who: str, now: Optional[dt.datetime] = None) -> SpotState:
    """Revert the spot's most recent change that has not been undone (restore the 'old' values of its history
    row) in one transaction, and write a history row whose note starts with 'undo #<fid>' (撤销) referencing
    the undone row; NothingToUndo when there is none; ConflictError on a version mismatch. Undoing does not
    re-check the workflow (it restores an earlier valid state). Undo rows themselves are not undone: a second
    undo reverts the change before."""
    with _writing(path) as db:
        state = _read_state(db, path, fid)
        if state.version != version:
            raise _conflict(path, state)
        target = None
        undone: set[int] = set()
        rows = db.execute(_HISTORY_SELECT.replace("ORDER BY fid", "ORDER BY fid DESC"),
                          (state.values.get("spot_no"),)).fetchall()
        for row in rows:
            entry = _entry(row)
            if entry.undoes is not None:
                undone.add(entry.undoes)
            elif entry.fid not in undone:
                target = entry
                break
        if target is None:
            spot_no = state.values.get("spot_no")
            raise NothingToUndo(f"图斑 {spot_no} 没有可撤销的修改。", f"Spot {spot_no} has no change left to undo.")
        when = f"{target.changed_at:%Y-%m-%d %H:%M}" if target.changed_at else ""
        note = f"undo #{target.fid} 撤销第 {target.fid} 条记录（{when} {target.changed_by}）".replace(" ）", "）")
        _write(db, state, _restore_values(target), who, note, now)
        result = _read_state(db, path, fid)
    return result


def set_patrol_missed(path: str, flags: Mapping[str, Optional[bool]]) -> int:
    """Write the derived flag patrol_missed (spot_no -> True, False or None) into the workspace's change spots
    in one transaction, without history rows (it is computed from the tracks, not a decision of the review).
    Returns how many of the spot numbers are in the workspace (each updates every spot of that number)."""
    matched = 0
    with _writing(path) as db:
        for spot_no, missed in flags.items():
            cursor = db.execute(f"UPDATE {SPOTS} SET patrol_missed = ? WHERE spot_no = ?",
                                (None if missed is None else int(bool(missed)), spot_no))
            matched += cursor.rowcount > 0
        if flags:
            touch_contents(db, SPOTS)
    return matched
