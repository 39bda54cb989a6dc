"""The plugin object QGIS holds: menu, toolbar, Processing provider; unload() takes all of it away."""
from __future__ import annotations

import os
from typing import Callable, Optional

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import Qt
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
        self.patrol_action: Optional[QAction] = None
        self.patrol_dock = None  # created on first use
        self.inspection_action: Optional[QAction] = None
        self.inspection_dock = None  # created on first use

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
        self.patrol_action = self._add_action("linzhang.svg", tr("Patrol panel"), self._toggle_patrol_dock,
                                              toolbar=True, name="linzhang_patrol_panel")
        self.patrol_action.setCheckable(True)
        self.patrol_action.setIcon(QgsApplication.getThemeIcon("/mIconGps.svg"))  # QGIS's own GPS-track icon
        self.inspection_action = self._add_action("linzhang.svg", tr("Spot review panel"),
                                                  self._toggle_inspection_dock, toolbar=True,
                                                  name="linzhang_inspection_panel")
        self.inspection_action.setCheckable(True)
        self.inspection_action.setIcon(QgsApplication.getThemeIcon("/mActionIdentify.svg"))

        from .gui import inspection_actions

        self._add_action("linzhang.svg", tr("Detect forest loss…"),
                         lambda: inspection_actions.detect_forest_loss(self.iface), toolbar=False,
                         name="linzhang_detect_forest_loss")
        self._add_action("linzhang.svg", tr("Forest Chief tools (Processing)"),
                         self._show_processing_tools, toolbar=True)
        self._add_action("dependencies.svg", tr("Install dependencies…"), self._show_dependencies, toolbar=False)

        from .gui.dependency_notice import notify_missing_once

        notify_missing_once(self.iface, self._show_dependencies)

    def _add_action(self, icon_name: str, text: str, slot: Callable[..., None], toolbar: bool,
                    name: str = "") -> QAction:
        action = QAction(icon(icon_name), text, self.iface.mainWindow())
        action.setObjectName(name or "linzhang_" + os.path.splitext(icon_name)[0])
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

    def _toggle_patrol_dock(self, checked: bool) -> None:
        if self.patrol_dock is None:
            if not checked:
                return
            from .gui.patrol_dock import PatrolDock

            self.patrol_dock = PatrolDock(self.iface, self.iface.mainWindow())
            self.patrol_dock.closed.connect(lambda: self._patrol_dock_shown(False))
            self.patrol_dock.opened.connect(lambda: self._patrol_dock_shown(True))
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.patrol_dock)
        if checked:
            self.patrol_dock.show()
            self.patrol_dock.raise_()
        else:
            self.patrol_dock.close()

    def _toggle_inspection_dock(self, checked: bool) -> None:
        if self.inspection_dock is None:
            if not checked:
                return
            from .gui.inspection_dock import InspectionDock

            self.inspection_dock = InspectionDock(self.iface, self.iface.mainWindow())
            self.inspection_dock.closed.connect(lambda: self._inspection_dock_shown(False))
            self.inspection_dock.opened.connect(lambda: self._inspection_dock_shown(True))
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.inspection_dock)
        if checked:
            self.inspection_dock.show()
            self.inspection_dock.raise_()
        else:
            self.inspection_dock.close()

    def _inspection_dock_shown(self, shown: bool) -> None:
        if self.inspection_action is not None:
            self.inspection_action.setChecked(shown)

    def _patrol_dock_shown(self, shown: bool) -> None:
        if self.patrol_action is not None:
            self.patrol_action.setChecked(shown)

    def _show_dependencies(self) -> None:
        from .gui.dependency_dialog import DependencyDialog

        DependencyDialog(self.iface.mainWindow(), self.dependencies_folder).exec()

    def unload(self) -> None:
        if self.inspection_dock is not None:
            self.inspection_dock.cleanup()  # the swipe tool, the before/after dock, project signals
            self.iface.removeDockWidget(self.inspection_dock)
            self.inspection_dock.deleteLater()
            self.inspection_dock = None
        self.inspection_action = None
        if self.patrol_dock is not None:
            self.patrol_dock.cleanup()  # its temporary layers, the track layer's filter, project signals
            self.iface.removeDockWidget(self.patrol_dock)
            self.patrol_dock.deleteLater()
            self.patrol_dock = None
        self.patrol_action = None
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
