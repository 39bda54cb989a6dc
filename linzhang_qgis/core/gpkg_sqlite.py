"""Writing the one-map GeoPackage with plain sqlite3: one transaction per change, clear errors.

What every store of the workspace shares (change spots in ``inspection.store``, responsibility areas in
``hierarchy.area_store``): ``writing(path)`` is one ``BEGIN IMMEDIATE`` transaction that waits
BUSY_TIMEOUT_S for another writer and rolls back on any error; a process killed inside it leaves nothing,
SQLite's journal is rolled back when the file is next opened (``workspace.recover_interrupted_write``).
Errors (locked, read-only file or folder, unknown trigger) are WorkspaceError sentences in Chinese and English.

Values are stored as OGR and QGIS read them back: DATE as 'YYYY-MM-DD' text, DATETIME as
'YYYY-MM-DDTHH:MM:SS.fff' text (local wall-clock time without a time zone), booleans as 0/1 integers.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import stat
import re
import struct
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Optional

from .errors import WorkspaceError

BUSY_TIMEOUT_S = 3.0  # how long a write waits for another program's lock before giving up
UNDO_NOTE = re.compile(r"^undo #(\d+)")  # the note of a history row that undoes row <fid>


def read_date(raw: Any) -> Optional[dt.date]:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None


def read_int(raw: Any) -> Optional[int]:
    if raw is None:
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def read_real(raw: Any) -> Optional[float]:
    if raw is None:
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def read_bool(raw: Any) -> Optional[bool]:
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw.strip().lower() in ("1", "true", "t", "yes")
    return bool(raw)




def stored_value(value: Any) -> Any:
    """A coerced Python value as the GeoPackage stores it."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def datetime_text(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}"


def parse_datetime(raw: Any) -> Optional[dt.datetime]:
    if raw is None:
        return None
    text = str(raw).strip().replace(" ", "T", 1)
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        date = read_date(text)
        return dt.datetime(date.year, date.month, date.day) if date else None
    if value.tzinfo is not None:  # stored as UTC (by another program): shown in local time
        value = value.astimezone().replace(tzinfo=None)
    return value


def local_now(now: Optional[dt.datetime]) -> dt.datetime:
    now = now or dt.datetime.now()
    return now.astimezone().replace(tzinfo=None) if now.tzinfo is not None else now



# --- GeoPackage geometry functions the R-tree triggers call ----------------------------------------
# OGR's change_spots triggers name ST_IsEmpty, ST_MinX ... (SpatiaLite/GDAL functions). SQLite compiles
# every UPDATE trigger of the table, so plain sqlite3 must know them, though an attribute update never
# calls them (they run only when the geometry or the fid change).

_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def envelope(blob) -> Optional[tuple[float, float, float, float]]:
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
    geometry = geometry_from_gpkg(data)
    if geometry is None or geometry.is_empty:
        return None
    minx, miny, maxx, maxy = geometry.bounds
    return minx, maxx, miny, maxy


def st_is_empty(blob) -> int:
    return 1 if envelope(blob) is None else 0


def register_functions(db: sqlite3.Connection) -> None:
    db.create_function("ST_IsEmpty", 1, st_is_empty, deterministic=True)
    for position, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        db.create_function(name, 1, lambda blob, i=position: (envelope(blob) or (None,) * 4)[i],
                           deterministic=True)


# --- connections and errors ------------------------------------------------------------------------

def file_name(path: str) -> str:
    return os.path.basename(path)


def database_error(path: str, error: sqlite3.Error) -> WorkspaceError:
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return WorkspaceError(
            f"工作空间 {file_name(path)} 正被另一个程序写入（如另一个 QGIS 窗口正在保存），本次修改未保存，请稍后再试。",
            f"The workspace {file_name(path)} is being written by another program (e.g. another QGIS window "
            "saving); nothing was written, please try again.")
    if "readonly" in text or "read-only" in text or "permission" in text:
        return read_only_error(path)
    if "no such function" in text:
        return WorkspaceError(
            f"工作空间 {file_name(path)} 的数据表有本插件不认识的触发器（{error}），无法直接修改。",
            f"A table of {file_name(path)} has a trigger this plugin does not know ({error}); "
            "it cannot be changed directly.")
    return WorkspaceError(f"无法读写工作空间 {file_name(path)}：{error}。",
                          f"Cannot read or write the workspace {file_name(path)}: {error}.")


def read_only_error(path: str, folder: bool = False) -> WorkspaceError:
    if folder:
        where = os.path.dirname(os.path.abspath(path))
        return WorkspaceError(
            f"工作空间所在文件夹 {where} 是只读的（SQLite 需要在其中写日志文件），只能查看，不能修改。",
            f"The folder of the workspace, {where}, is read-only (SQLite writes its journal there): "
            "it can be viewed but not changed.")
    return WorkspaceError(f"工作空间 {file_name(path)} 是只读文件，只能查看，不能修改。",
                          f"The workspace {file_name(path)} is a read-only file: it can be viewed but "
                          "not changed.")


def connect(path: str) -> sqlite3.Connection:
    from .workspace import read_workspace_info

    read_workspace_info(path)  # rolls back what a killed writer left; a clear error when it is missing or not a workspace (and never creates it)
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        register_functions(db)
    except sqlite3.Error as error:
        raise database_error(path, error) from error
    return db


@contextmanager
def reading(path: str) -> Iterator[sqlite3.Connection]:
    db = connect(path)
    try:
        yield db
    except sqlite3.Error as error:
        raise database_error(path, error) from error
    finally:
        db.close()


@contextmanager
def writing(path: str) -> Iterator[sqlite3.Connection]:
    """One write transaction: BEGIN IMMEDIATE (waits BUSY_TIMEOUT_S for another writer), COMMIT at the end,
    ROLLBACK on any error."""
    check_writable(path)
    db = connect(path)
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
        raise database_error(path, error) from error
    finally:
        db.close()


def check_writable(path: str) -> None:
    """WorkspaceError (Chinese and English) when ``path`` is not a workspace, or the file or its folder is
    read-only. The permission bits count even for root (who could write anyway): a file made read-only
    on purpose is not written."""
    from .workspace import read_workspace_info

    read_workspace_info(path)
    mode = os.stat(path).st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise read_only_error(path)
    folder = os.path.dirname(os.path.abspath(path))
    folder_mode = os.stat(folder).st_mode
    if not folder_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(folder, os.W_OK | os.X_OK):
        raise read_only_error(path, folder=True)


READERS = {"str": None, "int": read_int, "real": read_real, "date": read_date, "bool": read_bool,
           "datetime": parse_datetime}  # field type -> converter from the stored value (None: as stored)


def touch_contents(db: sqlite3.Connection, *tables: str) -> None:
    """Tell readers of the GeoPackage (QGIS) that ``tables`` changed now."""
    marks = ", ".join("?" for _ in tables)
    db.execute(f"UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
               f"WHERE table_name IN ({marks})", tables)


# --- history tables and their undo rows ------------------------------------------------------------


class ConflictError(WorkspaceError):
    """What is being changed was changed elsewhere (another QGIS window, another program) since it was loaded."""


class NothingToUndo(WorkspaceError):
    """There is no change left that could be undone."""


def undoes(note: Optional[str]) -> Optional[int]:
    """The fid of the history row that a row with this note undid, or None when it is not an undo."""
    match = UNDO_NOTE.match(note or "")
    return int(match.group(1)) if match else None


def has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def history_counts(db: sqlite3.Connection, table: str, key: str,
                   value: Optional[str] = None) -> dict[str, tuple[int, int]]:
    """key value -> (history rows, largest history fid) of a history table, for one value or all; {} when the
    table does not exist yet."""
    if not has_table(db, table):
        return {}
    sql = f'SELECT "{key}", count(*), max(fid) FROM {table}'
    rows = (db.execute(sql + f' GROUP BY "{key}"') if value is None
            else db.execute(sql + f' WHERE "{key}" = ? GROUP BY "{key}"', (value,)))
    return {row[0]: (row[1], row[2]) for row in rows}


def row_version(rows: Iterable[tuple], count: int, last: int) -> str:
    """A version stamp that changes whenever the rows or their history (count, largest fid) change: a store
    refuses to write when the version a dock showed is no longer the stored one."""
    digest = hashlib.blake2b(digest_size=8)
    for row in rows:
        digest.update(repr(row).encode("utf-8", "surrogatepass"))
    return f"{count}:{last}:{digest.hexdigest()}"


def ensure_current_schema(path: str) -> None:
    """Migrate a workspace of an older schema (e.g. without the history tables) before it is written."""
    from .workspace import migrate_workspace, read_workspace_info
    from . import schema

    if read_workspace_info(path).schema_version < schema.SCHEMA_VERSION:
        check_writable(path)
        migrate_workspace(path)


# --- GeoPackage geometry blobs ------------------------------------------------------------------------

_ENVELOPE_XY = 1  # envelope type: minx, maxx, miny, maxy
_LITTLE_ENDIAN = 1
_EMPTY = 0x10


# --- GeoPackage geometry blobs ------------------------------------------------------------------------

def gpkg_geometry(geometry, srs_id: int) -> Optional[bytes]:
    """The GeoPackage blob of a shapely geometry (2D): header 'GP', version 0, flags, srs_id, envelope, WKB."""
    import shapely

    if geometry is None:
        return None
    wkb = shapely.to_wkb(geometry, byte_order=1, output_dimension=2, flavor="iso")
    if shapely.is_empty(geometry):
        return struct.pack("<2sBBi", b"GP", 0, _LITTLE_ENDIAN | _EMPTY, int(srs_id)) + wkb
    minx, miny, maxx, maxy = shapely.bounds(geometry).tolist()
    flags = _LITTLE_ENDIAN | (_ENVELOPE_XY << 1)
    return struct.pack("<2sBBi4d", b"GP", 0, flags, int(srs_id), minx, maxx, miny, maxy) + wkb


def geometry_from_gpkg(blob) -> Optional[object]:
    """The shapely geometry of a GeoPackage blob (None for NULL or a blob that is not one)."""
    import shapely

    if blob is None:
        return None
    data = bytes(blob)
    if len(data) < 8 or data[:2] != b"GP":
        return None
    flags = data[3]
    offset = 8 + 8 * _ENVELOPE_DOUBLES.get((flags >> 1) & 7, 0)
    try:
        return shapely.from_wkb(data[offset:])
    except Exception:  # noqa: BLE001 - shapely raises GEOSException for damaged WKB
        return None


def layer_srs_id(db: sqlite3.Connection, table: str) -> int:
    row = db.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()
    return int(row[0]) if row else 0
