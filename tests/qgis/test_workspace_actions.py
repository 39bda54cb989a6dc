"""The menu's open-workspace path: a valid file becomes the 林长制一张图 group; a corrupt one a message."""
from __future__ import annotations

import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtWidgets import QMessageBox

from desktop_interface import DesktopInterface
from linzhang_qgis.core import schema, workspace


@pytest.fixture()
def warnings_shown(monkeypatch):
    """Modal boxes cannot be clicked headless: record what would have been shown instead."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *args: shown.append(text))
    return shown


@pytest.fixture()
def iface(qgis_app):
    QgsProject.instance().clear()
    interface = DesktopInterface()
    yield interface
    interface.close()
    QgsProject.instance().clear()


def test_open_valid_workspace_adds_the_group(iface, tmp_path, warnings_shown):
    from linzhang_qgis.gui.workspace_actions import open_workspace_file
    from linzhang_qgis.qgis_glue.styling import save_default_styles

    path = str(tmp_path / "ws.gpkg")
    workspace.create_workspace(path)
    save_default_styles(path)
    assert open_workspace_file(iface, path)
    group = QgsProject.instance().layerTreeRoot().findGroup("林长制一张图")
    assert group is not None and len(group.findLayers()) == len(schema.WORKSPACE_LAYERS)
    assert warnings_shown == []
    assert len(iface.messageBar().items()) == 1


def test_open_corrupt_workspace_explains_and_changes_nothing(iface, tmp_path, warnings_shown):
    from linzhang_qgis.gui.workspace_actions import open_workspace_file

    path = tmp_path / "坏文件.gpkg"
    path.write_bytes(b"\x00garbage" * 50)
    assert open_workspace_file(iface, str(path)) is False
    assert len(warnings_shown) == 1
    assert "不是 GeoPackage" in warnings_shown[0] and "not a GeoPackage" in warnings_shown[0]
    assert QgsProject.instance().mapLayers() == {}
