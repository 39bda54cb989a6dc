"""Moving a piece of forest between two zones of the workspace's management grid, in ONE transaction.

The same rule as the change spots (``inspection.store``) and the chiefs' details (``hierarchy.area_store``):
``gpkg_sqlite.writing`` takes the write lock (BEGIN IMMEDIATE), the zones of the area are re-read, and a
zone changed elsewhere since the area was loaded (another QGIS window, the attribute table, a new run of the
grid) gives ``ConflictError`` and nothing is written. Otherwise the move is checked (``adjust.plan_move``)
and one transaction updates both zones (geometry, forest_ha, forest_mu, perimeter_m, compactness), the
``neighbours`` of every zone whose list changes, and inserts the ``grid_history`` row (area_code, zone_from,
zone_to, piece_wkb = hex WKB of the moved piece, piece_ha, changed_at, changed_by, note). An undo moves the
piece of the area's latest move not yet undone back, with a history row of its own whose note starts with
``undo #<fid of the undone row>``. A workspace of schema version 1 is migrated before the first write.

Geometries are written as GeoPackage geometry blobs (``gpkg_geometry``): 'GP', version 0, flags
(little-endian, envelope [minx, maxx, miny, maxy]), the srs_id of the layer in ``gpkg_geometry_columns``,
the envelope, then the ISO WKB. The layer's R-tree triggers (ST_MinX …, registered by ``gpkg_sqlite``) keep
its spatial index up to date.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Optional, Sequence

from .. import schema
from ..errors import InputDataError, WorkspaceError
from ..gpkg_sqlite import (ConflictError, NothingToUndo, datetime_text, ensure_current_schema, file_name,  # noqa: F401
                           geometry_from_gpkg, gpkg_geometry, has_table, row_version, layer_srs_id, local_now, parse_datetime, reading,
                           touch_contents, undoes, writing)
from ..values import is_blank, normalise_code
from .adjust import Move, Zone, balance, neighbour_lists, plan_move, zone_figures

ZONES = schema.GRID_ZONES.name
HISTORY = schema.GRID_HISTORY.name
STANDS = schema.FOREST_STANDS.name
# --- reading ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ZoneState:
    fid: int
    zone_id: str
    area_code: str
    ranger_id: str
    ranger: str
    forest_ha: float
    forest_mu: float
    perimeter_m: float
    compactness: float
    neighbours: tuple[str, ...]
    geometry: object  # shapely MultiPolygon in the workspace CRS

    @property
    def zone(self) -> Zone:
        return Zone(self.zone_id, self.area_code, self.geometry)


@dataclass(frozen=True)
class AreaZones:
    """The zones of one area as loaded; ``version`` changes whenever a zone of it or its history changes."""

    area_code: str
    zones: tuple[ZoneState, ...]
    history_count: int
    version: str

    def zone(self, zone_id: str) -> Optional[ZoneState]:
        return next((zone for zone in self.zones if zone.zone_id == zone_id), None)

    @property
    def balance(self) -> float:
        return balance(zone.forest_ha for zone in self.zones)


@dataclass(frozen=True)
class GridHistoryEntry:
    fid: int
    area_code: str
    zone_from: str
    zone_to: str
    piece: Optional[object]
    piece_ha: Optional[float]
    changed_at: Optional[dt.datetime]
    changed_by: str
    note: str

    @property
    def undoes(self) -> Optional[int]:
        return undoes(self.note)




_COLUMNS = ("fid", "zone_id", "area_code", "ranger_id", "ranger", "forest_ha", "forest_mu", "perimeter_m",
            "compactness", "neighbours", "geom")
_SELECT = "SELECT {} FROM {}".format(", ".join(f'"{name}"' for name in _COLUMNS), ZONES)


def _split_list(text) -> tuple[str, ...]:
    return tuple(part.strip() for part in str(text or "").split(",") if part.strip())


def _real(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _zone(row: tuple) -> ZoneState:
    fid, zone_id, area_code, ranger_id, ranger, ha, mu, perimeter, compactness, neighbours, geom = row
    return ZoneState(int(fid), str(zone_id), normalise_code(area_code), ranger_id or "", ranger or "", _real(ha),
                     _real(mu), _real(perimeter), _real(compactness), _split_list(neighbours),
                     geometry_from_gpkg(geom))


def _history_mark(db: sqlite3.Connection, area_code: str) -> tuple[int, int]:
    if not has_table(db, HISTORY):
        return 0, 0
    count, last = db.execute(f"SELECT count(*), max(fid) FROM {HISTORY} WHERE trim(area_code) = ?",
                             (area_code,)).fetchone()
    return int(count or 0), int(last or 0)


def _area_rows(db: sqlite3.Connection, area_code: str) -> list[tuple]:
    return db.execute(_SELECT + " WHERE trim(CAST(area_code AS TEXT)) = ? ORDER BY zone_id, fid",
                      (area_code,)).fetchall()


def _read_area(db: sqlite3.Connection, path: str, area_code: str) -> AreaZones:
    code = normalise_code(area_code)
    rows = _area_rows(db, code)
    if not rows:
        raise WorkspaceError(f"工作空间 {file_name(path)} 中没有责任区 {code} 的管护网格（可能已被删除或重新划分）。",
                             f"The workspace {file_name(path)} has no management-grid zones of area {code} (they "
                             "may have been deleted or drawn again).")
    count, last = _history_mark(db, code)
    return AreaZones(code, tuple(_zone(row) for row in rows), count, row_version(rows, count, last))


def zone_area_codes(path: str) -> list[str]:
    """The codes of the areas that have zones, sorted."""
    with reading(path) as db:
        codes = {normalise_code(row[0]) for row in db.execute(f"SELECT DISTINCT area_code FROM {ZONES}")}
    return sorted(code for code in codes if code)


def load_area_zones(path: str, area_code: str) -> AreaZones:
    with reading(path) as db:
        return _read_area(db, path, area_code)


def _point_rows(db: sqlite3.Connection, table: str, columns: str, x: float, y: float) -> list[tuple]:
    rtree = f"rtree_{table}_geom"
    if has_table(db, rtree):
        return db.execute(f"SELECT {columns} FROM {table} t JOIN {rtree} r ON r.id = t.fid "
                          "WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?", (x, x, y, y)).fetchall()
    return db.execute(f"SELECT {columns} FROM {table} t").fetchall()


def zones_at(path: str, x: float, y: float) -> list[ZoneState]:
    """The zones (of any area) whose polygon holds the point (x, y) in the workspace CRS."""
    import shapely

    point = shapely.Point(x, y)
    columns = ", ".join(f't."{name}"' for name in _COLUMNS)
    with reading(path) as db:
        zones = [_zone(row) for row in _point_rows(db, ZONES, columns, x, y)]
    return [zone for zone in zones if zone.geometry is not None and shapely.covers(zone.geometry, point)]


def stands_at(path: str, x: float, y: float) -> list[object]:
    """The forest stands (小班) whose polygon holds the point (x, y), as shapely geometries."""
    import shapely

    point = shapely.Point(x, y)
    with reading(path) as db:
        blobs = [row[0] for row in _point_rows(db, STANDS, "t.geom", x, y)]
    shapes = [geometry_from_gpkg(blob) for blob in blobs]
    return [shape for shape in shapes if shape is not None and shapely.covers(shape, point)]


def _entry(row: tuple) -> GridHistoryEntry:
    fid, area_code, zone_from, zone_to, piece_wkb, piece_ha, changed_at, changed_by, note = row
    piece = None
    if piece_wkb:
        import shapely

        try:
            piece = shapely.from_wkb(bytes.fromhex(str(piece_wkb)))
        except (ValueError, shapely.errors.GEOSException):
            piece = None
    return GridHistoryEntry(int(fid), normalise_code(area_code), zone_from or "", zone_to or "", piece,
                            None if piece_ha is None else _real(piece_ha), parse_datetime(changed_at),
                            changed_by or "", note or "")


_HISTORY_SELECT = (f"SELECT fid, area_code, zone_from, zone_to, piece_wkb, piece_ha, changed_at, changed_by, note "
                   f"FROM {HISTORY} WHERE trim(area_code) = ? ORDER BY fid")


def history(path: str, area_code: str) -> list[GridHistoryEntry]:
    """The moves of one area, oldest first (none for a workspace without the table)."""
    with reading(path) as db:
        if not has_table(db, HISTORY):
            return []
        return [_entry(row) for row in db.execute(_HISTORY_SELECT, (normalise_code(area_code),))]


# --- writing ------------------------------------------------------------------------------------------



def _require_who(who: str) -> str:
    if is_blank(who) or not str(who).strip():
        raise InputDataError("请填写修改人：每次调整都记录是谁改的。",
                             "Enter who makes the change: every adjustment records its author.")
    return str(who).strip()


def _conflict(area_code: str) -> ConflictError:
    return ConflictError(
        f"责任区 {area_code} 的管护网格在载入后已在别处被修改（如另一个 QGIS 窗口或属性表），本次调整未保存；已重新载入，请核对后再调。",
        f"The management grid of area {area_code} was changed elsewhere (another QGIS window or the attribute "
        "table) since it was loaded; nothing was written. It has been reloaded: check it and adjust again.")


def _named_zone(state: AreaZones, zone_id: str) -> ZoneState:
    zone = state.zone(zone_id)
    if zone is None or zone.geometry is None:
        raise WorkspaceError(f"责任区 {state.area_code} 中没有网格 {zone_id}。",
                             f"Area {state.area_code} has no zone {zone_id}.")
    return zone


def _zones_near(db: sqlite3.Connection, bounds: Sequence[float]) -> list[ZoneState]:
    """Every zone whose bounding box comes within the neighbour tolerance of ``bounds`` (minx, miny, maxx, maxy)."""
    from .zones import NEIGHBOUR_TOLERANCE_M

    minx, miny, maxx, maxy = bounds
    pad = 2 * NEIGHBOUR_TOLERANCE_M
    rtree = f"rtree_{ZONES}_geom"
    if not has_table(db, rtree):
        return [_zone(row) for row in db.execute(_SELECT)]
    columns = ", ".join(f't."{name}"' for name in _COLUMNS)
    rows = db.execute(f"SELECT {columns} FROM {ZONES} t JOIN {rtree} r ON r.id = t.fid "
                      "WHERE r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ?",
                      (minx - pad, maxx + pad, miny - pad, maxy + pad)).fetchall()
    return [_zone(row) for row in rows]


def _write_move(db: sqlite3.Connection, state: AreaZones, move: Move, who: str, note: str,
                now: Optional[dt.datetime]) -> None:
    """UPDATE both zones and the neighbours that change, INSERT the history row."""
    import shapely

    srs_id = layer_srs_id(db, ZONES)
    source, target = _named_zone(state, move.zone_from), _named_zone(state, move.zone_to)
    for zone, geometry in ((source, move.new_from), (target, move.new_to)):
        figures = zone_figures(geometry)
        db.execute(f"UPDATE {ZONES} SET geom = ?, forest_ha = ?, forest_mu = ?, perimeter_m = ?, compactness = ? "
                   "WHERE fid = ?", (gpkg_geometry(geometry, srs_id), figures["forest_ha"], figures["forest_mu"],
                                     figures["perimeter_m"], figures["compactness"], zone.fid))
    near = {zone.zone_id: zone for zone in _zones_near(db, shapely.bounds(shapely.union(source.geometry,
                                                                                         target.geometry)).tolist())}
    near.update({source.zone_id: source, target.zone_id: target})
    geometries = {zone_id: zone.geometry for zone_id, zone in near.items() if zone.geometry is not None}
    geometries[source.zone_id], geometries[target.zone_id] = move.new_from, move.new_to
    lists = neighbour_lists(geometries, {zone_id: zone.neighbours for zone_id, zone in near.items()},
                            [source.zone_id, target.zone_id])
    for zone_id, neighbours in lists.items():
        if tuple(neighbours) != near[zone_id].neighbours:
            db.execute(f"UPDATE {ZONES} SET neighbours = ? WHERE fid = ?", (",".join(neighbours), near[zone_id].fid))
    db.execute(f"INSERT INTO {HISTORY} (area_code, zone_from, zone_to, piece_wkb, piece_ha, changed_at, changed_by, "
               "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (state.area_code, move.zone_from, move.zone_to,
                shapely.to_wkb(move.piece, hex=True, byte_order=1, output_dimension=2, flavor="iso"), move.piece_ha,
                datetime_text(local_now(now)), who, note or None))
    touch_contents(db, ZONES, HISTORY)


def preview_move(state: AreaZones, zone_from: str, zone_to: str, shape) -> Move:
    """The move as it would be written, checked against the loaded zones (for showing it while dragging)."""
    source = _named_zone(state, zone_from)
    target = state.zone(zone_to)
    if target is None:
        raise WorkspaceError(f"网格 {zone_to} 不在责任区 {state.area_code} 内：网格不能跨责任区调整。",
                             f"Zone {zone_to} is not in area {state.area_code}: zones are adjusted within one "
                             "responsibility area.")
    return plan_move(source.zone, target.zone, shape)


def move_piece(path: str, area_code: str, version: str, zone_from: str, zone_to: str, shape, who: str,
               note: str = "", now: Optional[dt.datetime] = None) -> AreaZones:
    """In ONE transaction: re-read the area's zones (ConflictError unless their version is ``version``), check
    the move of the piece of ``zone_from`` cut by ``shape`` (a stand or cell square, workspace CRS) to
    ``zone_to`` (``adjust.plan_move``: MoveRefused naming the zone), update both zones, the neighbour lists
    and insert the history row. Returns the area as written."""
    who = _require_who(who)
    ensure_current_schema(path)
    with writing(path) as db:
        state = _read_area(db, path, area_code)
        if state.version != version:
            raise _conflict(state.area_code)
        move = preview_move(state, zone_from, zone_to, shape)
        _write_move(db, state, move, who, note, now)
        return _read_area(db, path, area_code)


def _undo_target(db: sqlite3.Connection, area_code: str) -> Optional[GridHistoryEntry]:
    undone: set[int] = set()
    for row in db.execute(_HISTORY_SELECT.replace("ORDER BY fid", "ORDER BY fid DESC"), (area_code,)).fetchall():
        entry = _entry(row)
        if entry.undoes is not None:
            undone.add(entry.undoes)
        elif entry.fid not in undone:
            return entry
    return None


def undo_last(path: str, area_code: str, version: str, who: str, now: Optional[dt.datetime] = None) -> AreaZones:
    """Move the piece of the area's latest move not yet undone back to the zone it came from, with a history
    row of its own ('undo #<fid> …'); NothingToUndo when there is none; ConflictError on a version mismatch."""
    who = _require_who(who)
    ensure_current_schema(path)
    with writing(path) as db:
        state = _read_area(db, path, area_code)
        if state.version != version:
            raise _conflict(state.area_code)
        target = _undo_target(db, state.area_code)
        if target is None:
            raise NothingToUndo(f"责任区 {state.area_code} 的管护网格没有可撤销的调整。",
                                f"The management grid of area {state.area_code} has no move left to undo.")
        if target.piece is None:
            raise WorkspaceError(f"第 {target.fid} 条调整记录没有地块图形，无法撤销。",
                                 f"The adjustment record {target.fid} holds no piece geometry: it cannot be undone.")
        source, back = _named_zone(state, target.zone_to), _named_zone(state, target.zone_from)
        move = plan_move(source.zone, back.zone, target.piece, given_piece=True)
        when = f"{target.changed_at:%Y-%m-%d %H:%M}" if target.changed_at else ""
        note = f"undo #{target.fid} 撤销第 {target.fid} 条记录（{when} {target.changed_by}）".replace(" ）", "）")
        _write_move(db, state, move, who, note, now)
        return _read_area(db, path, area_code)
