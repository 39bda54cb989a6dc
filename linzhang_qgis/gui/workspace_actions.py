"""Menu actions: new workspace, open workspace, build the demo district."""
from __future__ import annotations

from qgis.core import Qgis, QgsProject
from qgis.PyQt.QtWidgets import QFileDialog, QMessageBox

from ..core.errors import LinzhangError
from ..i18n import tr
from ..settings import Settings

GPKG_FILTER = "GeoPackage (*.gpkg)"


def _report(iface, error: Exception) -> None:
    QMessageBox.warning(iface.mainWindow(), tr("Forest Chief System"), str(error))


def new_workspace(iface) -> None:
    """Ask for a file name and run linzhang:createworkspace with the standard Processing dialog."""
    path, _ = QFileDialog.getSaveFileName(iface.mainWindow(), tr("New one-map workspace"),
                                          Settings.last_folder(), GPKG_FILTER)
    if not path:
        return
    if not path.lower().endswith(".gpkg"):
        path += ".gpkg"
    Settings.set_last_folder(path)
    import processing

    try:
        # the save dialog has already asked whether to replace an existing file
        processing.run("linzhang:createworkspace", {"OUTPUT": path, "OVERWRITE": True, "ADD_TO_PROJECT": False})
        open_workspace_file(iface, path)
    except Exception as error:  # noqa: BLE001 - shown to the user, never a traceback dialog
        _report(iface, error)


def open_workspace(iface) -> None:
    path, _ = QFileDialog.getOpenFileName(iface.mainWindow(), tr("Open one-map workspace"),
                                          Settings.last_folder(), GPKG_FILTER)
    if path:
        Settings.set_last_folder(path)
        open_workspace_file(iface, path)


def open_workspace_file(iface, path: str) -> bool:
    """Add the workspace's layers to the project as the group 林长制一张图; False (and a message) on error."""
    from ..qgis_glue.styling import add_workspace_to_project

    try:
        add_workspace_to_project(path, QgsProject.instance())
    except LinzhangError as error:
        _report(iface, error)
        return False
    iface.messageBar().pushMessage(tr("Forest Chief System"), tr("Workspace opened: {}").format(path),
                                   Qgis.MessageLevel.Success, 5)
    return True


def build_demo(iface) -> None:
    """The standard Processing dialog of linzhang:createdemoworkspace: progress, cancel, log."""
    import processing

    processing.execAlgorithmDialog("linzhang:createdemoworkspace", {})
