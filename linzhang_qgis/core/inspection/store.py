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
import hashlib
import json
import os
import re
import sqlite3
import stat
import struct
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional

from .. import schema
from ..errors import WorkspaceError
from .workflow import FROZEN_FIELDS, check_change, coerce_value

SPOTS = schema.CHANGE_SPOTS.name
HISTORY = schema.SPOT_HISTORY.name
FIELDS: tuple[str, ...] = schema.CHANGE_SPOTS.field_names
BUSY_TIMEOUT_S = 3.0  # how long a write waits for another program's lock before giving up
UNDO_NOTE = re.compile(r"^undo #(\d+)")


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
        match = UNDO_NOTE.match(self.note or "")
        return int(match.group(1)) if match else None


class ConflictError(WorkspaceError):
    """The spot was changed elsewhere (another QGIS window, another program) since it was loaded."""


class NothingToUndo(WorkspaceError):
    """The spot has no change left that could be undone."""


# --- values: sqlite <-> Python <-> JSON -------------------------------------------------------------

def _read_date(raw: Any) -> Optional[dt.date]:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None


def _read_int(raw: Any) -> Optional[int]:
    if raw is None:
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _read_real(raw: Any) -> Optional[float]:
    if raw is None:
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def _read_bool(raw: Any) -> Optional[bool]:
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw.strip().lower() in ("1", "true", "t", "yes")
    return bool(raw)


_READERS = {"str": None, "int": _read_int, "real": _read_real, "date": _read_date, "bool": _read_bool,
            "datetime": lambda raw: _parse_datetime(raw)}
# the converter of each field from its stored value (None: as stored)
_CONVERTERS = [_READERS.get(schema.CHANGE_SPOTS.field(name).type) for name in FIELDS]


def _stored(value: Any) -> Any:
    """A coerced Python value as the GeoPackage stores it."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return _datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _datetime_text(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}"


def _parse_datetime(raw: Any) -> Optional[dt.datetime]:
    if raw is None:
        return None
    text = str(raw).strip().replace(" ", "T", 1)
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        date = _read_date(text)
        return dt.datetime(date.year, date.month, date.day) if date else None
    if value.tzinfo is not None:  # stored as UTC (by another program): shown in local time
        value = value.astimezone().replace(tzinfo=None)
    return value


def _local_now(now: Optional[dt.datetime]) -> dt.datetime:
    now = now or dt.datetime.now()
    return now.astimezone().replace(tzinfo=None) if now.tzinfo is not None else now


# --- GeoPackage geometry functions the R-tree triggers call ----------------------------------------
# OGR's change_spots triggers name ST_IsEmpty, ST_MinX ... (SpatiaLite/GDAL functions). SQLite compiles
# every UPDATE trigger of the table, so plain sqlite3 must know them, though an attribute update never
# calls them (they run only when the geometry or the fid change).

_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def _envelope(blob) -> Optional[tuple[float, float, float, float]]:
    """(minx, maxx, miny, maxy) of a GeoPackage geometry blob, None when empty or unreadable."""
    if blob is None:
        return None
    data = bytes(blob)
    if len(data) < 8 or data[:2] != b"GP":
        return None
    flags = data[3]
    if flags & 0x10:  # the empty flag
        return None
    order = "<" if flags & 1 else ">"
    kind = (flags >> 1) & 7
    if kind in (1, 2, 3, 4):
        return struct.unpack_from(order + "4d", data, 8)
    try:
        import shapely

        geometry = shapely.from_wkb(data[8 + 8 * _ENVELOPE_DOUBLES.get(kind, 0):])
    except Exception:  # noqa: BLE001 - a damaged blob has no envelope
        return None
    if geometry is None or geometry.is_empty:
        return None
    minx, miny, maxx, maxy = geometry.bounds
    return minx, maxx, miny, maxy


def _st_is_empty(blob) -> int:
    return 1 if _envelope(blob) is None else 0


def _register_functions(db: sqlite3.Connection) -> None:
    db.create_function("ST_IsEmpty", 1, _st_is_empty, deterministic=True)
    for position, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        db.create_function(name, 1, lambda blob, i=position: (_envelope(blob) or (None,) * 4)[i],
                           deterministic=True)


# --- connections and errors ------------------------------------------------------------------------

def _name(path: str) -> str:
    return os.path.basename(path)


def _database_error(path: str, error: sqlite3.Error) -> WorkspaceError:
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return WorkspaceError(
            f"工作空间 {_name(path)} 正被另一个程序写入（如另一个 QGIS 窗口正在保存），本次修改未保存，请稍后再试。",
            f"The workspace {_name(path)} is being written by another program (e.g. another QGIS window "
            "saving); nothing was written, please try again.")
    if "readonly" in text or "read-only" in text or "permission" in text:
        return _read_only_error(path)
    if "no such function" in text:
        return WorkspaceError(
            f"工作空间 {_name(path)} 的图斑表有本插件不认识的触发器（{error}），无法直接修改。",
            f"The change spots table of {_name(path)} has a trigger this plugin does not know ({error}); "
            "it cannot be changed directly.")
    return WorkspaceError(f"无法读写工作空间 {_name(path)}：{error}。",
                          f"Cannot read or write the workspace {_name(path)}: {error}.")


def _read_only_error(path: str, folder: bool = False) -> WorkspaceError:
    if folder:
        where = os.path.dirname(os.path.abspath(path))
        return WorkspaceError(
            f"工作空间所在文件夹 {where} 是只读的（SQLite 需要在其中写日志文件），只能查看，不能修改图斑。",
            f"The folder of the workspace, {where}, is read-only (SQLite writes its journal there): "
            "the spots can be viewed but not changed.")
    return WorkspaceError(f"工作空间 {_name(path)} 是只读文件，只能查看，不能修改图斑。",
                          f"The workspace {_name(path)} is a read-only file: the spots can be viewed but "
                          "not changed.")


def _connect(path: str) -> sqlite3.Connection:
    from ..workspace import read_workspace_info

    read_workspace_info(path)  # rolls back what a killed writer left; a clear error when it is missing or not a workspace (and never creates it)
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        _register_functions(db)
    except sqlite3.Error as error:
        raise _database_error(path, error) from error
    return db


@contextmanager
def _reading(path: str) -> Iterator[sqlite3.Connection]:
    db = _connect(path)
    try:
        yield db
    except sqlite3.Error as error:
        raise _database_error(path, error) from error
    finally:
        db.close()


@contextmanager
def _writing(path: str) -> Iterator[sqlite3.Connection]:
    """One write transaction: BEGIN IMMEDIATE (waits BUSY_TIMEOUT_S for another writer), COMMIT at the end,
    ROLLBACK on any error."""
    check_writable(path)
    db = _connect(path)
    try:
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the journal rolls it back when the file is next opened
            raise
    except sqlite3.Error as error:
        raise _database_error(path, error) from error
    finally:
        db.close()


def check_writable(path: str) -> None:
    """WorkspaceError (Chinese and English) when ``path`` is not a workspace, or the file or its folder is
    read-only. The permission bits count even for root (who could write anyway): a file made read-only
    on purpose is not written."""
    from ..workspace import read_workspace_info

    read_workspace_info(path)
    mode = os.stat(path).st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise _read_only_error(path)
    folder = os.path.dirname(os.path.abspath(path))
    folder_mode = os.stat(folder).st_mode
    if not folder_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(folder, os.W_OK | os.X_OK):
        raise _read_only_error(path, folder=True)


# --- reading -----------------------------------------------------------------------------------------

_SELECT = "SELECT fid, {} FROM {}".format(", ".join(f'"{name}"' for name in FIELDS), SPOTS)


def _history_counts(db: sqlite3.Connection, spot_no: Optional[str] = None) -> dict[str, tuple[int, int]]:
    """spot_no -> (history rows, largest history fid)."""
    sql = f"SELECT spot_no, count(*), max(fid) FROM {HISTORY}"
    if spot_no is None:
        rows = db.execute(sql + " GROUP BY spot_no")
    else:
        rows = db.execute(sql + " WHERE spot_no = ? GROUP BY spot_no", (spot_no,))
    return {row[0]: (row[1], row[2]) for row in rows}


def _state(row: tuple, counts: Mapping[str, tuple[int, int]]) -> SpotState:
    values = {name: (raw if convert is None else convert(raw))
              for name, convert, raw in zip(FIELDS, _CONVERTERS, row[1:])}
    count, last = counts.get(values["spot_no"], (0, 0))
    digest = hashlib.blake2b(repr(row).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return SpotState(int(row[0]), values, count, f"{count}:{last}:{digest}")


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
    db.execute("UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
               "WHERE table_name IN (?, ?)", (SPOTS, HISTORY))


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
            db.execute("UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                       "WHERE table_name = ?", (SPOTS,))
    return matched
