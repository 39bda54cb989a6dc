"""What the four docks share: finding the open workspace's layers, following the project, the message page.

A workspace layer is a vector layer whose source is ``<file>.gpkg|layername=<table>``. When several are open,
the one highest in the layer tree wins (then the project's layers outside the tree), and invalid layers
(a moved or deleted file) never count: ``workspace_layer(project, table)``.

``WorkspacePanel`` is the content of a dock (chief areas, patrols, spot review, grid adjustment): its form,
title, the interface and the project; after each burst of project signals (layers added or about to be
removed, the project cleared) it calls ``refresh_workspace()`` once, 50 ms after the last; it shows a message
page when it cannot work and warns in QGIS's message bar under its title. ``WorkspaceLayerPanel`` is a panel
on one table of the workspace (chief areas, spot review, grid adjustment): the layer, its file, why it is
read-only, edits refused while the layer is being edited in QGIS, and a write that says why it failed.
``WorkspaceDock`` is the ``QgsDockWidget`` holding one panel.
"""
from __future__ import annotations

from typing import Callable, Optional

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsMapLayer,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsDockWidget, QgsPanelWidget
from qgis.PyQt.QtCore import QTimer

from ..core.errors import LinzhangError
from ..i18n import tr, tr_noop

REFRESH_DELAY_MS = 50  # a project emits a burst of signals when a workspace opens: look once it settles
MESSAGE_SECONDS = 8
NO_WORKSPACE = tr_noop("No Forest Chief workspace is open. Open one with Forest Chief System > Open "
                       "workspace…, or create the demo workspace.")


def layers_in_tree_order(project: QgsProject) -> list[QgsMapLayer]:
    """The project's layers, those of the layer tree first (top to bottom), then the others."""
    ordered = [node.layer() for node in project.layerTreeRoot().findLayers() if node.layer() is not None]
    return ordered + [layer for layer in project.mapLayers().values() if layer not in ordered]


def workspace_layer(project: QgsProject, table_name: str) -> Optional[QgsVectorLayer]:
    """The valid vector layer of the workspace table ``table_name`` highest in the layer tree, else None."""
    suffix = f"|layername={table_name}"
    for layer in layers_in_tree_order(project):
        if isinstance(layer, QgsVectorLayer) and layer.isValid() and layer.source().endswith(suffix):
            return layer
    return None


def source_file(layer: QgsMapLayer) -> str:
    """The file behind ``layer`` (the GeoPackage of a workspace layer), as its source names it."""
    return layer.source().split("|")[0]


def why_read_only(path: str) -> str:
    """Why the workspace ``path`` cannot be written (a Chinese and English sentence), "" when it can."""
    from ..core.gpkg_sqlite import check_writable

    try:
        check_writable(path)
    except LinzhangError as error:
        return str(error)
    return ""


def disconnect_quietly(signal, slot) -> None:
    """Disconnect ``slot`` from ``signal``; nothing when it was not connected or the sender is gone."""
    try:
        signal.disconnect(slot)
    except (TypeError, RuntimeError):
        pass


class WorkspacePanel(QgsPanelWidget):
    """A dock's content, mixed with its Designer form class (``setupUi``, ``messageLabel``, ``pageStack``,
    ``messagePage``). ``TITLE`` (English source, ``tr_noop``) is its panel title and message-bar title.
    The subclass calls ``_watch_project()`` at the end of its ``__init__`` and defines ``refresh_workspace``."""

    TITLE = ""

    def __init__(self, iface, parent=None) -> None:
        super().__init__(parent)
        self.setupUi(self)
        self.setPanelTitle(tr(self.TITLE))
        self.iface = iface
        self.project = QgsProject.instance()

    def refresh_workspace(self) -> None:
        raise NotImplementedError

    # --- following the project ------------------------------------------------------------------

    def _project_signals(self) -> tuple:
        return ((self.project.layersAdded, self._schedule_refresh),
                (self.project.layersWillBeRemoved, self._layers_will_be_removed),
                (self.project.cleared, self._schedule_refresh))

    def _watch_project(self) -> None:
        """Refresh once after each burst of project signals, from now until ``cleanup()``."""
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh_workspace)
        for signal, slot in self._project_signals():
            signal.connect(slot)

    def _stop_watching(self) -> None:
        for signal, slot in self._project_signals():
            disconnect_quietly(signal, slot)
        self._refresh_timer.stop()

    def _schedule_refresh(self, *args) -> None:
        self._refresh_timer.start()

    def _layers_will_be_removed(self, layer_ids) -> None:
        self._schedule_refresh()

    def cleanup(self) -> None:
        """Disconnect from the project (the plugin unloads)."""
        self._stop_watching()

    # --- telling the user -------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        """The message page instead of the panel's content: why the panel cannot work."""
        self.messageLabel.setText(text)
        self.pageStack.setCurrentWidget(self.messagePage)

    def _warn(self, text: str, level: Qgis.MessageLevel = Qgis.MessageLevel.Warning,
              seconds: int = MESSAGE_SECONDS) -> None:
        self.iface.messageBar().pushMessage(tr(self.TITLE), text, level, seconds)

    # --- the map ----------------------------------------------------------------------------------

    def _canvas_box(self, crs: QgsCoordinateReferenceSystem, rect: QgsRectangle) -> Optional[QgsRectangle]:
        """``rect`` (in ``crs``) in the CRS of the map canvas; None when it cannot be transformed.

        No transform is made where it would change nothing (same CRS, or one unknown): QGIS keeps every
        transform made in a cache that is torn down only when the process ends."""
        destination = self.iface.mapCanvas().mapSettings().destinationCrs()
        if not (destination.isValid() and crs.isValid() and destination != crs):
            return QgsRectangle(rect)
        try:
            return QgsCoordinateTransform(crs, destination, self.project).transformBoundingBox(rect)
        except QgsCsException:
            return None

    def _show_extent(self, box: QgsRectangle) -> None:
        canvas = self.iface.mapCanvas()
        canvas.setExtent(box)
        canvas.refresh()


class WorkspaceLayerPanel(WorkspacePanel):
    """A panel on one table (``TABLE``) of the open workspace: ``layer``, its file ``path`` and
    ``read_only_reason`` ("" when it may be written). The subclass defines ``_forget()`` (no workspace)
    and ``_load_workspace()`` (the layer was found, or ``refresh_workspace(force=True)``)."""

    TABLE = ""
    NO_WORKSPACE_TEXT = NO_WORKSPACE  # what the message page says when no workspace has the table (English)

    def __init__(self, iface, parent=None) -> None:
        super().__init__(iface, parent)
        self.layer: Optional[QgsVectorLayer] = None
        self.path = ""
        self.read_only_reason = ""

    def refresh_workspace(self, force: bool = False) -> None:
        """Find the workspace's layer of ``TABLE`` in the project and load it (again when ``force``)."""
        layer = workspace_layer(self.project, self.TABLE)
        if layer is None:
            self._forget()
            self.show_message(tr(self.NO_WORKSPACE_TEXT))
            return
        path = source_file(layer)
        if not force and self.layer is layer and self.path == path:
            return
        self.layer, self.path = layer, path
        self.read_only_reason = why_read_only(path)
        self._load_workspace()

    def _forget(self) -> None:
        raise NotImplementedError

    def _load_workspace(self) -> None:
        raise NotImplementedError

    def _layers_will_be_removed(self, layer_ids) -> None:
        if self.layer is not None and self.layer.id() in set(layer_ids):
            self._layer_removed()
        self._schedule_refresh()

    def _layer_removed(self) -> None:
        self.layer = None

    def _show_read_only(self) -> None:
        """The editing widgets off, and a warning, when the workspace is read-only (``_set_editable``)."""
        self._set_editable(not self.read_only_reason)
        if self.read_only_reason:
            self._warn(self.read_only_reason)

    def _set_editable(self, editable: bool) -> None:
        raise NotImplementedError

    # --- writing ----------------------------------------------------------------------------------

    def _writing_refused(self) -> bool:
        """True, after saying why, when the workspace is read-only or the layer is being edited in QGIS."""
        if self.read_only_reason:
            self._warn(self.read_only_reason)
            return True
        if self.layer is not None and self.layer.isEditable():
            self._warn(tr("The layer {} is being edited in QGIS: save or discard those edits first, so that "
                          "neither change is lost.").format(self.layer.name()))
            return True
        return False

    def _write(self, write: Callable[[], object], conflict: type[Exception],
               reload: Callable[[], None]) -> Optional[object]:
        """What ``write()`` returns; None after a warning when it fails, and after ``reload()`` when it
        failed because someone else changed the data meanwhile (``conflict``)."""
        try:
            return write()
        except conflict as error:
            self._warn(str(error))
            reload()
        except LinzhangError as error:
            self._warn(str(error))
        return None

    def _reload_layer(self) -> None:
        """Let QGIS read the layer again after a write."""
        if self.layer is not None:
            self.layer.reload()
            self.layer.triggerRepaint()


class WorkspaceDock(QgsDockWidget):
    """A dock in QGIS holding one ``PANEL`` (its title is the panel's), named ``OBJECT_NAME`` so that QGIS
    restores its place."""

    PANEL: type = WorkspacePanel
    OBJECT_NAME = ""

    def __init__(self, iface, parent=None) -> None:
        super().__init__(tr(self.PANEL.TITLE), parent)
        self.setObjectName(self.OBJECT_NAME)
        self.panel = self.PANEL(iface, self)
        self.setWidget(self.panel)  # directly, not in a QgsPanelWidgetStack: the stack hides the panel's size hint

    def cleanup(self) -> None:
        self.panel.cleanup()


__all__ = ["NO_WORKSPACE", "WorkspaceDock", "WorkspaceLayerPanel", "WorkspacePanel", "disconnect_quietly",
           "layers_in_tree_order", "source_file", "why_read_only", "workspace_layer"]
