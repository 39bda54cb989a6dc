"""Fixtures of the dock tests: QGIS's main window stand-in (tests/desktop_interface.py) on an empty project."""
from __future__ import annotations

import pytest
from qgis.core import QgsProject

from desktop_interface import DesktopInterface


@pytest.fixture()
def iface(qgis_app):
    """A shown main window (a dock shows, and emits opened/closed, only in a visible window); the project is
    cleared before and after."""
    QgsProject.instance().clear()
    interface = DesktopInterface()
    interface.mainWindow().show()
    yield interface
    interface.close()
    QgsProject.instance().clear()
