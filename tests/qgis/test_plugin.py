"""The plugin loads and unloads cleanly in a real QgsApplication."""
from __future__ import annotations

import configparser
import os

import pytest
from qgis.core import Qgis, QgsApplication
from qgis.PyQt.QtWidgets import QMenu, QToolBar

from desktop_interface import DesktopInterface


@pytest.fixture()
def iface(qgis_app):
    interface = DesktopInterface()
    yield interface
    interface.close()


def load_plugin(iface):
    import linzhang_qgis

    plugin = linzhang_qgis.classFactory(iface)
    plugin.initGui()
    return plugin


def test_running_qgis_satisfies_metadata(plugin_dir):
    metadata = configparser.ConfigParser()
    metadata.read(os.path.join(plugin_dir, "metadata.txt"), encoding="utf-8")
    general = metadata["general"]
    minimum = tuple(int(x) for x in general["qgisMinimumVersion"].split("."))
    maximum = tuple(int(x) for x in general["qgisMaximumVersion"].split("."))
    running = (Qgis.QGIS_VERSION_INT // 10000, Qgis.QGIS_VERSION_INT // 100 % 100)
    assert minimum <= running <= maximum
    assert general["hasProcessingProvider"] == "yes"
    assert general["license"] == "GPL-2.0-or-later"
    assert "林长制" in general["description"] and "Forest Chief" in general["description"]
    assert os.path.exists(os.path.join(plugin_dir, general["icon"]))


def test_load_adds_menu_toolbar_and_provider(iface):
    plugin = load_plugin(iface)
    try:
        window = iface.mainWindow()
        menus = window.findChildren(QMenu, "linzhang_menu")
        assert len(menus) == 1
        assert menus[0].menuAction() in window.menuBar().actions()
        texts = [action.text() for action in menus[0].actions() if not action.isSeparator()]
        assert len(texts) >= 4
        assert any(a.objectName() == "linzhang_detect_forest_loss" for a in menus[0].actions())
        assert len(window.findChildren(QToolBar, "linzhang_toolbar")) == 1
        provider = QgsApplication.processingRegistry().providerById("linzhang")
        assert provider is not None
        assert {a.id() for a in provider.algorithms()} >= {"linzhang:createworkspace", "linzhang:createdemoworkspace"}
    finally:
        plugin.unload()


def test_ten_reloads_leave_nothing_behind(iface, qtbot):
    window = iface.mainWindow()
    menu_bar_actions = len(window.menuBar().actions())
    for _ in range(10):
        plugin = load_plugin(iface)
        plugin.unload()
        qtbot.wait(1)  # let deleteLater run
    plugin = load_plugin(iface)
    try:
        assert len([m for m in window.findChildren(QMenu, "linzhang_menu") if m.menuAction() in window.menuBar().actions()]) == 1
        assert len([t for t in window.findChildren(QToolBar, "linzhang_toolbar") if not t.isHidden() or t.parent() is window]) == 1
        assert len(window.menuBar().actions()) == menu_bar_actions + 1
        providers = [p for p in QgsApplication.processingRegistry().providers() if p.id() == "linzhang"]
        assert len(providers) == 1
    finally:
        plugin.unload()
    qtbot.wait(1)
    assert QgsApplication.processingRegistry().providerById("linzhang") is None
    assert len(window.menuBar().actions()) == menu_bar_actions
    assert window.findChildren(QToolBar, "linzhang_toolbar") == []
