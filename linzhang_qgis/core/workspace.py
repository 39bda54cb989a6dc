"""Create, check and migrate the one-map workspace GeoPackage.

Written with GDAL's OGR (``osgeo``, which every QGIS install has) and ``sqlite3``, so that a
workspace can be made before any optional package is installed. Styles are added by the QGIS
glue (``linzhang_qgis.qgis_glue.styling``), since a QGIS style is QGIS's own format.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from . import schema
from .errors import WorkspaceError, WorkspaceVersionError

GPKG_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class WorkspaceInfo:
    path: str
    schema_version: int
    epsg: int
    layers: tuple[str, ...]
    created_at: str


def _ogr():
    from osgeo import ogr, osr  # noqa: PLC0415 - GDAL is loaded only when a workspace is written

    ogr.UseExceptions()
    osr.UseExceptions()
    return ogr, osr


def _ogr_field_type(ogr, field: schema.FieldDef) -> tuple[int, Optional[int]]:
    return {
        "str": (ogr.OFTString, None),
        "int": (ogr.OFTInteger, None),
        "real": (ogr.OFTReal, None),
        "date": (ogr.OFTDate, None),
        "datetime": (ogr.OFTDateTime, None),
        "bool": (ogr.OFTInteger, ogr.OFSTBoolean),
    }[field.type]


def _ogr_geometry_type(ogr, geometry: Optional[str]) -> int:
    return {
        None: ogr.wkbNone,
        "MultiPolygon": ogr.wkbMultiPolygon,
        "MultiLineString": ogr.wkbMultiLineString,
        "Point": ogr.wkbPoint,
        "Polygon": ogr.wkbPolygon,
        "LineString": ogr.wkbLineString,
    }[geometry]


def create_layer(dataset, layer: schema.LayerDef, epsg: int) -> None:
    """Add one declared layer (or table) to an open OGR GeoPackage dataset."""
    ogr, osr = _ogr()
    srs = None
    if layer.geometry is not None:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    options = ["FID=fid", f"DESCRIPTION={layer.title_zh} {layer.title_en}"]
    if layer.geometry is not None:
        options += ["GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES"]
    ogr_layer = dataset.CreateLayer(layer.name, srs, _ogr_geometry_type(ogr, layer.geometry), options)
    for field in layer.fields:
        field_type, subtype = _ogr_field_type(ogr, field)
        definition = ogr.FieldDefn(field.name, field_type)
        if subtype is not None:
            definition.SetSubType(subtype)
        if field.width:
            definition.SetWidth(field.width)
        definition.SetAlternativeName(field.alias_zh)
        if field.required:
            definition.SetNullable(False)
        ogr_layer.CreateField(definition)


def _write_patrol_rules(dataset, rules: Iterable[tuple[int, str, int]]) -> None:
    ogr, _ = _ogr()
    table = dataset.GetLayerByName(schema.PATROL_RULES.name)
    for level, period, count in rules:
        feature = ogr.Feature(table.GetLayerDefn())
        feature.SetField("level", level)
        feature.SetField("period", period)
        feature.SetField("min_count", count)
        feature.SetField("note", "章贡区林长巡林工作方案 (seed default)")
        table.CreateFeature(feature)


def _write_meta(path: str, epsg: int) -> None:
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with sqlite3.connect(path) as db:
        db.execute(f"CREATE TABLE IF NOT EXISTS {schema.META_TABLE} (key TEXT PRIMARY KEY, value TEXT)")
        db.executemany(
            f"INSERT OR REPLACE INTO {schema.META_TABLE} (key, value) VALUES (?, ?)",
            [
                ("schema_version", str(schema.SCHEMA_VERSION)),
                ("epsg", str(epsg)),
                ("created_at", now),
                ("application", "linzhang_qgis"),
            ],
        )
    # sqlite3's context manager commits but does not close
    sqlite3.connect(path).close()


def create_workspace(path: str, epsg: int = schema.DEFAULT_EPSG, overwrite: bool = False) -> WorkspaceInfo:
    """Write an empty one-map workspace: every declared layer, the default patrol rules, the schema version.

    The file is written under a temporary name and moved into place at the end, so a failure
    never leaves a half-written workspace behind.
    """
    if not path.lower().endswith(".gpkg"):
        raise WorkspaceError("工作空间文件必须以 .gpkg 结尾：{}".format(path),
                             "A workspace file must end in .gpkg: {}".format(path))
    if os.path.exists(path) and not overwrite:
        raise WorkspaceError("文件已存在，未覆盖：{}".format(path),
                             "The file already exists and was not overwritten: {}".format(path))
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise WorkspaceError("文件夹不存在：{}".format(folder), "The folder does not exist: {}".format(folder))
    ogr, _ = _ogr()
    partial = path + ".partial.gpkg"
    if os.path.exists(partial):
        os.remove(partial)
    try:
        driver = ogr.GetDriverByName("GPKG")
        dataset = driver.CreateDataSource(partial)
        for layer in schema.WORKSPACE_LAYERS:
            create_layer(dataset, layer, epsg)
        _write_patrol_rules(dataset, schema.DEFAULT_PATROL_RULES)
        dataset = None  # closes and flushes
        _write_meta(partial, epsg)
        os.replace(partial, path)
    except Exception as error:
        if os.path.exists(partial):
            os.remove(partial)
        if isinstance(error, WorkspaceError):
            raise
        raise WorkspaceError("无法创建工作空间 {}：{}".format(path, error),
                             "Could not create the workspace {}: {}".format(path, error)) from error
    return read_workspace_info(path)


def _check_is_geopackage(path: str) -> None:
    if not os.path.isfile(path):
        raise WorkspaceError("找不到工作空间文件：{}".format(path), "The workspace file does not exist: {}".format(path))
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head != GPKG_MAGIC:
        raise WorkspaceError(
            "{} 不是 GeoPackage 文件（文件已损坏或格式不对）。".format(os.path.basename(path)),
            "{} is not a GeoPackage file (it is damaged or of another format).".format(os.path.basename(path)),
        )


def recover_interrupted_write(path: str, timeout: float = 3.0) -> None:
    """Roll back a transaction a killed writer left behind (a hot journal beside the file), as any read-write
    opener would; a read-only opener cannot, and would see the file as damaged. Nothing to do without one,
    or when the file cannot be written (then the read reports the problem)."""
    import urllib.parse

    if not os.path.exists(path + "-journal") or not os.path.isfile(path) or not os.access(path, os.W_OK):
        return
    with open(path, "rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            return
    try:
        db = sqlite3.connect(f"file:{urllib.parse.quote(os.path.abspath(path))}?mode=rw", uri=True, timeout=timeout)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reading rolls the hot journal back
        finally:
            db.close()
    except sqlite3.Error:
        return  # left to the read below, which says what is wrong


def read_workspace_info(path: str) -> WorkspaceInfo:
    """Check that ``path`` is a one-map workspace this version can open, and describe it."""
    _check_is_geopackage(path)
    recover_interrupted_write(path)
    name = os.path.basename(path)
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in db.execute("SELECT table_name FROM gpkg_contents")}
            meta_rows = db.execute(f"SELECT key, value FROM {schema.META_TABLE}").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        if "no such table" in str(error) and "linzhang_meta" in str(error):
            raise WorkspaceError(
                "{} 是 GeoPackage，但不是林长制一张图工作空间（缺少版本信息）。".format(name),
                "{} is a GeoPackage but not a one-map workspace (no version record).".format(name),
            ) from error
        raise WorkspaceError(
            "无法读取 {}：文件已损坏（{}）。".format(name, error),
            "Cannot read {}: the file is damaged ({}).".format(name, error),
        ) from error
    meta = dict(meta_rows)
    version = int(meta.get("schema_version", "0"))
    if version > schema.SCHEMA_VERSION:
        raise WorkspaceVersionError(
            "{} 由更新版本的插件创建（数据结构版本 {}，本插件支持 {}），请升级插件。".format(name, version, schema.SCHEMA_VERSION),
            "{} was made by a newer plugin (schema version {}, this plugin knows {}); please update the plugin.".format(
                name, version, schema.SCHEMA_VERSION),
        )
    missing = [layer.name for layer in schema.WORKSPACE_LAYERS if layer.name not in tables]
    if missing and version == schema.SCHEMA_VERSION:
        raise WorkspaceError(
            "{} 缺少图层：{}。".format(name, "、".join(missing)),
            "{} lacks the layers: {}.".format(name, ", ".join(missing)),
        )
    return WorkspaceInfo(path, version, int(meta.get("epsg", schema.DEFAULT_EPSG)),
                         tuple(sorted(tables)), meta.get("created_at", ""))


# --- migration -------------------------------------------------------------------------------
# MIGRATIONS[n] upgrades a workspace from schema version n to n + 1, in place.


def _add_history_tables(path: str) -> None:
    """1 -> 2: the tables of chief-detail changes (area_history) and grid adjustments (grid_history)."""
    ogr, _ = _ogr()
    dataset = ogr.Open(path, 1)
    try:
        for layer in (schema.AREA_HISTORY, schema.GRID_HISTORY):
            if dataset.GetLayerByName(layer.name) is None:
                create_layer(dataset, layer, 0)
    finally:
        dataset = None


MIGRATIONS: dict[int, Callable[[str], None]] = {1: _add_history_tables}


def migrate_workspace(path: str) -> WorkspaceInfo:
    """Bring an older workspace up to SCHEMA_VERSION, one recorded step at a time (each step adds what is
    missing, so a step interrupted before its version was recorded is simply run again)."""
    info = read_workspace_info(path)
    version = info.schema_version
    while version < schema.SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise WorkspaceVersionError(
                "无法将工作空间从版本 {} 升级。".format(version),
                "No migration from workspace schema version {}.".format(version),
            )
        step(path)
        with sqlite3.connect(path) as db:
            db.execute(f"UPDATE {schema.META_TABLE} SET value = ? WHERE key = 'schema_version'", (str(version + 1),))
        version += 1
    return read_workspace_info(path)
