"""The plugin object QGIS holds: menu, toolbar, Processing provider; unload() takes all of it away."""
from __future__ import annotations

import os
from typing import Callable, Optional

from qgis.core import QgsApplication
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QMenu, QToolBar

from . import dependencies, i18n
from .i18n import tr

PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))
MENU_OBJECT_NAME = "linzhang_menu"
TOOLBAR_OBJECT_NAME = "linzhang_toolbar"


def icon(name: str) -> QIcon:
    return QIcon(os.path.join(PLUGIN_DIR, "resources", "icons", name))


def activate_dependencies() -> Optional[str]:
    """Put the profile's dependency folder on sys.path; returns the folder."""
    folder = dependencies.dependencies_dir(QgsApplication.qgisSettingsDirPath())
    dependencies.activate(folder)
    return folder


class LinzhangPlugin:
    def __init__(self, iface) -> None:
        self.iface = iface
        self.translator = i18n.install_translator()
        self.dependencies_folder = activate_dependencies()
        self.provider = None
        self.menu: Optional[QMenu] = None
        self.toolbar: Optional[QToolBar] = None
        self.actions: list[QAction] = []

    # --- Processing (also called alone by qgis_process, without a GUI) ---------------------

    def initProcessing(self) -> None:  # noqa: N802 - QGIS calls it by this name
        from .provider import LinzhangProvider

        if self.provider is None:
            self.provider = LinzhangProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    # --- GUI -----------------------------------------------------------------------------------

    def initGui(self) -> None:  # noqa: N802
        self.initProcessing()
        main_window = self.iface.mainWindow()
        self.menu = QMenu(tr("Forest Chief System"), main_window)
        self.menu.setObjectName(MENU_OBJECT_NAME)
        main_window.menuBar().insertMenu(self.iface.firstRightStandardMenu().menuAction(), self.menu)
        self.toolbar = self.iface.addToolBar(tr("Forest Chief System"))
        self.toolbar.setObjectName(TOOLBAR_OBJECT_NAME)

        from .gui import workspace_actions

        self._add_action("workspace_new.svg", tr("New workspace…"),
                         lambda: workspace_actions.new_workspace(self.iface), toolbar=True)
        self._add_action("workspace_open.svg", tr("Open workspace…"),
                         lambda: workspace_actions.open_workspace(self.iface), toolbar=True)
        self._add_action("demo.svg", tr("Build demo district…"),
                         lambda: workspace_actions.build_demo(self.iface), toolbar=False)
        self.menu.addSeparator()
        self._add_action("linzhang.svg", tr("Forest Chief tools (Processing)"),
                         self._show_processing_tools, toolbar=True)
        self._add_action("dependencies.svg", tr("Install dependencies…"), self._show_dependencies, toolbar=False)

        from .gui.dependency_notice import notify_missing_once

        notify_missing_once(self.iface, self._show_dependencies)

    def _add_action(self, icon_name: str, text: str, slot: Callable[[], None], toolbar: bool) -> QAction:
        action = QAction(icon(icon_name), text, self.iface.mainWindow())
        action.setObjectName("linzhang_" + os.path.splitext(icon_name)[0])
        action.triggered.connect(slot)
        self.menu.addAction(action)
        if toolbar:
            self.toolbar.addAction(action)
        self.actions.append(action)
        return action

    def _show_processing_tools(self) -> None:
        from qgis.PyQt.QtWidgets import QDockWidget

        toolbox = self.iface.mainWindow().findChild(QDockWidget, "ProcessingToolbox")
        if toolbox is not None:
            toolbox.setVisible(True)
            toolbox.raise_()
            search = getattr(toolbox, "searchBox", None)
            if search is not None:
                search.setText("linzhang")

    def _show_dependencies(self) -> None:
        from .gui.dependency_dialog import DependencyDialog

        DependencyDialog(self.iface.mainWindow(), self.dependencies_folder).exec()

    def unload(self) -> None:
        for action in self.actions:
            if self.menu is not None:
                self.menu.removeAction(action)
            if self.toolbar is not None:
                self.toolbar.removeAction(action)
            action.deleteLater()
        self.actions = []
        if self.menu is not None:
            self.iface.mainWindow().menuBar().removeAction(self.menu.menuAction())
            self.menu.deleteLater()
            self.menu = None
        if self.toolbar is not None:
            self.iface.mainWindow().removeToolBar(self.toolbar)
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        i18n.remove_translator(self.translator)
        self.translator = None
