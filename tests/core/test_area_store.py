"""Chief details (林长信息) are changed with their history row in one transaction, checked, undoable, and
never overwrite a change made elsewhere."""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat

import pytest
from osgeo import ogr

from linzhang_qgis.core import gpkg_sqlite, schema
from linzhang_qgis.core.errors import WorkspaceError
from linzhang_qgis.core.hierarchy import area_store
from linzhang_qgis.core.workspace import create_workspace, migrate_workspace, read_workspace_info

AREAS = [("3607", "示范区", 1, None, "张三"), ("3607001", "城关街道", 2, "3607", "李四"),
         ("3607001201", "火燃村", 3, "3607001", "王五")]


@pytest.fixture()
def workspace(tmp_path):
    path = str(tmp_path / "w.gpkg")
    create_workspace(path)
    dataset = ogr.Open(path, 1)
    layer = dataset.GetLayerByName("resp_areas")
    for code, name, level, parent, chief in AREAS:
        feature = ogr.Feature(layer.GetLayerDefn())
        for field, value in (("code", code), ("name", name), ("level", level), ("parent_code", parent),
                             ("chief_name", chief), ("chief_title", "林长"), ("chief_phone", "0797-8123456")):
            if value is not None:
                feature.SetField(field, value)
        feature.SetGeometry(ogr.CreateGeometryFromWkt("MULTIPOLYGON(((0 0,1000 0,1000 1000,0 1000,0 0)))"))
        layer.CreateFeature(feature)
    dataset = None
    return path


def by_code(path):
    return {state.values["code"]: state for state in area_store.load_areas(path)}


def test_a_change_and_its_history_row_are_written_together(workspace):
    state = by_code(workspace)["3607001"]
    when = dt.datetime(2026, 3, 1, 9, 30)
    new = area_store.apply_chief_change(workspace, state.fid, state.version,
                                        {"chief_name": " 赵六 ", "chief_phone": "138 0000 1111"}, "林长办", now=when)
    assert new.values["chief_name"] == "赵六" and new.values["chief_phone"] == "138 0000 1111"
    assert new.values["chief_title"] == "林长" and new.history_count == 1 and new.version != state.version
    [entry] = area_store.history(workspace, "3607001")
    assert entry.changed_by == "林长办" and entry.changed_at == when
    assert entry.changes == {"chief_name": ["李四", "赵六"], "chief_phone": ["0797-8123456", "138 0000 1111"]}
    assert by_code(workspace)["3607"].history_count == 0  # other areas untouched


def test_undo_restores_the_values_and_records_itself(workspace):
    state = by_code(workspace)["3607001201"]
    changed = area_store.apply_chief_change(workspace, state.fid, state.version, {"chief_title": "村林长"}, "甲")
    undone = area_store.undo_last(workspace, changed.fid, changed.version, "乙")
    assert undone.values["chief_title"] == "林长" and undone.history_count == 2
    assert area_store.history(workspace, "3607001201")[-1].undoes == area_store.history(workspace, "3607001201")[0].fid
    with pytest.raises(area_store.NothingToUndo):
        area_store.undo_last(workspace, undone.fid, undone.version, "乙")


@pytest.mark.parametrize("changes, words", [
    ({"chief_name": "  "}, "cannot be blank"),
    ({"chief_phone": "call me"}, "not a phone number"),
    ({"chief_phone": "12-34"}, "not a phone number"),
    ({"chief_title": "长" * 65}, "at most 64"),
    ({"code": "1"}, "not a chief detail"),
])
def test_bad_details_are_refused_and_nothing_is_written(workspace, changes, words):
    state = by_code(workspace)["3607"]
    with pytest.raises(area_store.ChiefDetailError, match=words) as caught:
        area_store.apply_chief_change(workspace, state.fid, state.version, changes, "甲")
    assert caught.value.message_zh and caught.value.message_en
    assert area_store.load_area(workspace, state.fid) == state


def test_a_change_needs_its_author(workspace):
    state = by_code(workspace)["3607"]
    with pytest.raises(area_store.ChiefDetailError, match="who makes the change"):
        area_store.apply_chief_change(workspace, state.fid, state.version, {"chief_title": "区长"}, " ")


def test_a_change_made_elsewhere_is_not_overwritten(workspace):
    state = by_code(workspace)["3607"]
    with sqlite3.connect(workspace) as db:  # the attribute table of another QGIS window
        gpkg_sqlite.register_functions(db)  # the GeoPackage's R-tree triggers call ST_* functions
        db.execute("UPDATE resp_areas SET chief_phone = '0797-1111111' WHERE fid = ?", (state.fid,))
    with pytest.raises(area_store.ConflictError, match="changed elsewhere"):
        area_store.apply_chief_change(workspace, state.fid, state.version, {"chief_phone": "0797-2222222"}, "甲")
    assert area_store.load_area(workspace, state.fid).values["chief_phone"] == "0797-1111111"
    assert area_store.history(workspace, "3607") == []


def test_a_read_only_workspace_is_refused_with_a_sentence(workspace):
    state = by_code(workspace)["3607"]
    os.chmod(workspace, stat.S_IRUSR | stat.S_IRGRP)
    try:
        with pytest.raises(WorkspaceError, match="read-only"):
            area_store.apply_chief_change(workspace, state.fid, state.version, {"chief_title": "区长"}, "甲")
    finally:
        os.chmod(workspace, 0o644)
    assert area_store.load_area(workspace, state.fid) == state


def _as_version_1(path):
    with sqlite3.connect(path) as db:
        for table in ("area_history", "grid_history"):
            db.execute(f"DROP TABLE {table}")
            db.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (table,))
            db.execute("DELETE FROM gpkg_ogr_contents WHERE table_name = ?", (table,))
        db.execute(f"UPDATE {schema.META_TABLE} SET value = '1' WHERE key = 'schema_version'")


def test_a_version_1_workspace_is_migrated_then_written(workspace):
    _as_version_1(workspace)
    assert read_workspace_info(workspace).schema_version == 1
    assert area_store.history(workspace, "3607") == []
    state = by_code(workspace)["3607"]
    area_store.apply_chief_change(workspace, state.fid, state.version, {"chief_title": "区委书记"}, "甲")
    info = read_workspace_info(workspace)
    assert info.schema_version == schema.SCHEMA_VERSION and {"area_history", "grid_history"} <= set(info.layers)
    assert len(area_store.history(workspace, "3607")) == 1


def test_migrating_twice_changes_nothing(workspace):
    _as_version_1(workspace)
    migrate_workspace(workspace)
    assert migrate_workspace(workspace).schema_version == schema.SCHEMA_VERSION
