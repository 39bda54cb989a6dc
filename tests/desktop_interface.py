"""A stand-in for QGIS's ``iface`` built from real Qt/QGIS widgets, for headless tests.

The desktop application's iface only exists inside QGIS; this one has a real QMainWindow with
its menu bar and Help menu, a real QgsMessageBar and QgsMapCanvas, and implements the methods the
plugin calls. Load and unload are also checked in the real application (tests/qgis/test_desktop.py).
"""
from __future__ import annotations

from qgis.gui import QgsMapCanvas, QgsMessageBar
from qgis.PyQt.QtCore import QCoreApplication, QEvent, Qt
from qgis.PyQt.QtWidgets import QMainWindow, QMenu, QToolBar, QVBoxLayout, QWidget


class DesktopInterface:
    def __init__(self) -> None:
        self._main_window = QMainWindow()
        self._main_window.setObjectName("QgisApp")
        central = QWidget(self._main_window)
        layout = QVBoxLayout(central)
        self._message_bar = QgsMessageBar(central)
        self._canvas = QgsMapCanvas(central)
        layout.addWidget(self._message_bar)
        layout.addWidget(self._canvas)
        self._main_window.setCentralWidget(central)
        menu_bar = self._main_window.menuBar()
        self._plugin_menu = menu_bar.addMenu("&Plugins")
        self._help_menu = menu_bar.addMenu("&Help")

    def mainWindow(self) -> QMainWindow:  # noqa: N802 - QgisInterface names
        return self._main_window

    def messageBar(self) -> QgsMessageBar:  # noqa: N802
        return self._message_bar

    def mapCanvas(self) -> QgsMapCanvas:  # noqa: N802
        return self._canvas

    def pluginMenu(self) -> QMenu:  # noqa: N802
        return self._plugin_menu

    def helpMenu(self) -> QMenu:  # noqa: N802
        return self._help_menu

    def firstRightStandardMenu(self) -> QMenu:  # noqa: N802
        return self._help_menu

    def addToolBar(self, name: str) -> QToolBar:  # noqa: N802
        return self._main_window.addToolBar(name)

    def addDockWidget(self, area, dock) -> None:  # noqa: N802
        self._main_window.addDockWidget(area or Qt.DockWidgetArea.RightDockWidgetArea, dock)

    def removeDockWidget(self, dock) -> None:  # noqa: N802
        self._main_window.removeDockWidget(dock)

    def close(self) -> None:
        """Stop the canvas rendering, then delete the window now: left to Python's garbage collector, it would
        be deleted at a random later moment, maybe while another test's event loop renders (a crash)."""
        self._canvas.stopRendering()
        self._canvas.waitWhileRendering()
        self._main_window.close()
        self._main_window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
