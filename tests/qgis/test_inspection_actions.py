"""The 林长制 › 检测森林减少 action: its Processing dialog comes prefilled from the open workspace."""
from __future__ import annotations

from qgis.core import QgsProject

from linzhang_qgis.gui.inspection_actions import detection_defaults


def test_defaults_come_from_the_workspace_in_the_project(qgis_app, tmp_path):
    from linzhang_qgis.core.workspace import create_workspace
    from linzhang_qgis.qgis_glue.styling import add_workspace_to_project

    project = QgsProject()
    assert detection_defaults(project) == {}
    path = str(tmp_path / "ws.gpkg")
    create_workspace(path)
    add_workspace_to_project(path, project)
    defaults = detection_defaults(project)
    assert defaults["WORKSPACE"] == path
    assert project.mapLayer(defaults["AREAS"]).source().endswith("|layername=resp_areas")
    assert project.mapLayer(defaults["FOREST"]).source().endswith("|layername=forest_stands")
