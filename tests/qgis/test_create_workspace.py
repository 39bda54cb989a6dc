"""linzhang:createworkspace through real QGIS Processing, and workspaces that cannot be opened."""
from __future__ import annotations

import sqlite3

import pytest
from qgis.core import QgsProcessingException, QgsProject, QgsVectorLayer

from linzhang_qgis.core import schema, workspace
from linzhang_qgis.core.errors import WorkspaceError


def test_creates_a_styled_workspace(processing, tmp_path):
    path = str(tmp_path / "一张图.gpkg")
    result = processing.run("linzhang:createworkspace", {"OUTPUT": path, "ADD_TO_PROJECT": False})
    assert result["OUTPUT"] == path
    info = workspace.read_workspace_info(path)
    assert info.schema_version == schema.SCHEMA_VERSION and info.epsg == 4547
    layer = QgsVectorLayer(f"{path}|layername=resp_areas", "areas", "ogr")
    assert layer.isValid()
    assert layer.crs().authid() == "EPSG:4547"
    assert layer.attributeDisplayName(layer.fields().indexOf("chief_name")) == "林长姓名"
    rules = QgsVectorLayer(f"{path}|layername=patrol_rules", "rules", "ogr")
    assert sorted((f["level"], f["period"], f["min_count"]) for f in rules.getFeatures()) == [
        (1, "quarter", 1), (2, "month", 1), (3, "month", 1), (4, "month", 1)]
    with sqlite3.connect(path) as db:
        styled = {row[0] for row in db.execute("SELECT f_table_name FROM layer_styles WHERE useAsDefault")}
    assert styled == {layer.name for layer in schema.WORKSPACE_LAYERS}


def test_refuses_to_overwrite_by_default(processing, tmp_path):
    path = str(tmp_path / "ws.gpkg")
    processing.run("linzhang:createworkspace", {"OUTPUT": path, "ADD_TO_PROJECT": False})
    with pytest.raises(QgsProcessingException, match="already exists"):
        processing.run("linzhang:createworkspace", {"OUTPUT": path, "ADD_TO_PROJECT": False})
    processing.run("linzhang:createworkspace", {"OUTPUT": path, "OVERWRITE": True, "ADD_TO_PROJECT": False})


def test_geographic_crs_is_refused_with_a_sentence(processing, tmp_path):
    with pytest.raises(QgsProcessingException, match="projected CRS"):
        processing.run("linzhang:createworkspace",
                       {"OUTPUT": str(tmp_path / "ws.gpkg"), "CRS": "EPSG:4490", "ADD_TO_PROJECT": False})
    assert list(tmp_path.iterdir()) == []


def test_opens_in_the_project_as_one_group(processing, tmp_path):
    project = QgsProject.instance()
    project.clear()
    path = str(tmp_path / "ws.gpkg")
    processing.run("linzhang:createworkspace", {"OUTPUT": path})
    processing.run("linzhang:createworkspace", {"OUTPUT": path, "OVERWRITE": True})
    groups = [g for g in project.layerTreeRoot().children() if g.name() == "林长制一张图"]
    assert len(groups) == 1
    assert len(groups[0].findLayers()) == len(schema.WORKSPACE_LAYERS)
    project.clear()


@pytest.mark.parametrize("content, phrase", [
    (b"this is not a database at all", "not a GeoPackage"),
    (b"SQLite format 3\x00" + b"\x00" * 200, "damaged"),
])
def test_corrupt_file_gives_a_sentence(tmp_path, content, phrase):
    path = tmp_path / "broken.gpkg"
    path.write_bytes(content)
    with pytest.raises(WorkspaceError) as caught:
        workspace.read_workspace_info(str(path))
    assert phrase in str(caught.value)
    assert caught.value.message_zh and caught.value.message_en


def test_plain_geopackage_is_not_a_workspace(tmp_path):
    from osgeo import ogr

    path = str(tmp_path / "plain.gpkg")
    ogr.GetDriverByName("GPKG").CreateDataSource(path).CreateLayer("x")
    with pytest.raises(WorkspaceError, match="not a one-map workspace"):
        workspace.read_workspace_info(path)


def test_newer_workspace_asks_for_an_update(tmp_path):
    path = str(tmp_path / "ws.gpkg")
    workspace.create_workspace(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE linzhang_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(WorkspaceError, match="newer plugin"):
        workspace.read_workspace_info(path)
