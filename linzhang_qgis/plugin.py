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
        self.docks: dict = {}  # name -> dock widget, created on first use
        self.dock_actions: dict[str, QAction] = {}  # name -> the checkable action showing it

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
        self._add_dock_action("hierarchy", tr("Chief areas panel"), "/mIconTreeView.svg")
        self._add_dock_action("patrol", tr("Patrol panel"), "/mIconGps.svg")  # QGIS's own GPS-track icon
        self._add_dock_action("inspection", tr("Spot review panel"), "/mActionIdentify.svg")
        self._add_dock_action("grid", tr("Management grid panel"), "/mActionMoveFeature.svg")

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

    # --- docks -----------------------------------------------------------------------------------
    # name -> (module in gui/, class): each dock is made the first time its action is checked

    DOCK_WIDTH = 480  # pixels: the tables of the docks need about this much
    DOCKS = {"hierarchy": ("hierarchy_dock", "HierarchyDock"), "patrol": ("patrol_dock", "PatrolDock"),
             "inspection": ("inspection_dock", "InspectionDock"), "grid": ("grid_panel", "GridDock")}

    def _add_dock_action(self, name: str, text: str, theme_icon: str) -> QAction:
        action = self._add_action("linzhang.svg", text, lambda checked: self._toggle_dock(name, checked),
                                  toolbar=True, name=f"linzhang_{name}_panel")
        action.setCheckable(True)
        action.setIcon(QgsApplication.getThemeIcon(theme_icon))
        self.dock_actions[name] = action
        return action

    @property
    def patrol_action(self) -> Optional[QAction]:
        return self.dock_actions.get("patrol")

    @property
    def inspection_action(self) -> Optional[QAction]:
        return self.dock_actions.get("inspection")

    @property
    def hierarchy_action(self) -> Optional[QAction]:
        return self.dock_actions.get("hierarchy")

    def _toggle_dock(self, name: str, checked: bool) -> None:
        dock = self.docks.get(name)
        if dock is None:
            if not checked:
                return
            import importlib

            module_name, class_name = self.DOCKS[name]
            module = importlib.import_module(f"{__package__}.gui.{module_name}")
            dock = getattr(module, class_name)(self.iface, self.iface.mainWindow())
            dock.closed.connect(lambda: self._dock_shown(name, False))
            dock.opened.connect(lambda: self._dock_shown(name, True))
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            self.iface.mainWindow().resizeDocks([dock], [self.DOCK_WIDTH], Qt.Orientation.Horizontal)
            self.docks[name] = dock
        if checked:
            dock.show()
            dock.raise_()
        else:
            dock.close()

    def _dock_shown(self, name: str, shown: bool) -> None:
        action = self.dock_actions.get(name)
        if action is not None:
            action.setChecked(shown)

    def _show_dependencies(self) -> None:
        from .gui.dependency_dialog import DependencyDialog

        DependencyDialog(self.iface.mainWindow(), self.dependencies_folder).exec()

    def unload(self) -> None:
        for dock in self.docks.values():
            dock.cleanup()  # project signals; the patrol dock's temporary layers; the swipe tool and views
            self.iface.removeDockWidget(dock)
            dock.deleteLater()
        self.docks.clear()
        self.dock_actions.clear()
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
