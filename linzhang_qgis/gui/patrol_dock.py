"""The patrol dock (巡林面板): one chief's area, one period, the numbers and the map overlay.

Pick an area (search by name, code or chief), pick a month, quarter or year: the map shows the
area's tracks of the period (the workspace's track layer filtered, replayable by QGIS's temporal
controller), the area's effort grid with never-visited cells in a warning colour, and the dock shows
coverage, patrols done against required, the last patrol and compliance (达标/未达标). Selecting a
track (in the dock's table or on the map) shows its QA note. The numbers come from ``core.patrols``
through ``patrol_summary``; this module only wires widgets.
"""
from __future__ import annotations

import datetime as dt
import os
from typing import Optional

from qgis.core import QgsApplication, QgsRectangle
from qgis.PyQt import uic
from qgis.PyQt.QtCore import QDate, QItemSelectionModel, Qt, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QCursor
from qgis.PyQt.QtWidgets import QApplication, QHeaderView

from .. import dependencies, i18n
from ..core.errors import LinzhangError
from ..i18n import tr, tr_noop
from . import patrol_summary
from .area_model import CODE_ROLE, AreaFilterProxyModel, AreaListModel, TrackTableModel
from .workspace_panel import WorkspaceDock, WorkspacePanel, disconnect_quietly

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORM_CLASS, _ = uic.loadUiType(os.path.join(PLUGIN_DIR, "forms", "patrol_dock.ui"))
DOCK_OBJECT_NAME = "linzhang_patrol_dock"
PERIOD_PRESETS = ("month", "quarter", "year", "custom")  # the order of the form's periodCombo
COMPLIANT_STYLE = "color: #1a9850; font-weight: bold;"
NOT_COMPLIANT_STYLE = "color: #d73027; font-weight: bold;"
_RUNNING: set = set()  # tasks still running after the panel moved on (or went away): kept alive until they end


def _keep_until_done(task) -> None:
    _RUNNING.add(task)
    task.taskCompleted.connect(lambda: _RUNNING.discard(task))
    task.taskTerminated.connect(lambda: _RUNNING.discard(task))


def compliance_text(summary) -> str:
    """达标 / 未达标, or why there is no verdict."""
    if summary.compliant is None:
        return tr("No patrol rule for this level")
    if summary.periods_required == 0:
        return tr("No period has ended yet")
    return tr("Compliant") if summary.compliant else tr("Not compliant")


class PatrolPanel(WorkspacePanel, FORM_CLASS):
    """The dock's content. ``summaryShown`` is emitted with each ``AreaSummary`` put on screen."""

    TITLE = tr_noop("Patrol panel")
    summaryShown = pyqtSignal(object)
    summaryFailed = pyqtSignal(str)

    def __init__(self, iface, parent=None) -> None:
        super().__init__(iface, parent)
        self.layers: Optional[patrol_summary.WorkspaceLayers] = None
        self.current = None  # AreaEntry
        self.summary: Optional[patrol_summary.AreaSummary] = None
        self.cells_layer_id: Optional[str] = None
        self.saved_track_state: Optional[tuple[str, patrol_summary.TrackLayerState]] = None
        self.task: Optional[patrol_summary.SummaryTask] = None
        self._setting_dates = False
        self._syncing_selection = False
        self._cleaned_up = False

        self.area_model = AreaListModel(self)
        self.area_proxy = AreaFilterProxyModel(self)
        self.area_proxy.setSourceModel(self.area_model)
        self.areaList.setModel(self.area_proxy)
        self.track_model = TrackTableModel(self)
        self.trackTable.setModel(self.track_model)
        header = self.trackTable.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        self.searchEdit.textChanged.connect(self.area_proxy.set_search_text)
        self.areaList.selectionModel().currentChanged.connect(self._area_clicked)
        self.trackTable.selectionModel().currentRowChanged.connect(self._track_clicked)
        self.periodCombo.currentIndexChanged.connect(self._preset_changed)
        self.dateFrom.dateChanged.connect(self._dates_edited)
        self.dateTo.dateChanged.connect(self._dates_edited)
        self.prevButton.clicked.connect(lambda: self._step_period(-1))
        self.nextButton.clicked.connect(lambda: self._step_period(1))

        self._update_timer = QTimer(self)
        self._update_timer.setSingleShot(True)
        self._update_timer.setInterval(200)
        self._update_timer.timeout.connect(self.update_area)
        self._watch_project()
        self._clear_values()
        self.refresh_workspace()

    # --- the workspace ------------------------------------------------------------------------------

    def refresh_workspace(self) -> None:
        """Find the workspace in the project; say what is missing when the panel cannot work."""
        missing = patrol_summary.missing_packages()
        if missing:
            lang = "zh" if i18n.qgis_locale().startswith("zh") else "en"
            self._forget_workspace()
            self.show_message(tr("The patrol panel needs Python packages that are missing: {}. Install them with "
                                 "Forest Chief System > Install dependencies…, then restart QGIS.")
                              .format(dependencies.describe(missing, lang)))
            return
        problem = patrol_summary.core_problem()
        if problem:
            self._forget_workspace()
            self.show_message(tr("The patrol analysis could not be loaded: {}").format(problem))
            return
        layers = patrol_summary.find_workspace_layers(self.project)
        if layers is None:
            self._forget_workspace()
            self.show_message(tr("No Forest Chief workspace is open. Open one with Forest Chief System > "
                                 "Open workspace…, or build the demo district; its responsibility areas and "
                                 "patrol tracks then appear here."))
            return
        self.pageStack.setCurrentWidget(self.mainPage)
        if self.layers is not None and self.layers.ids() == layers.ids():
            return
        self._forget_workspace()
        self.layers = layers
        self.area_model.set_entries(patrol_summary.read_areas(layers.areas))
        layers.tracks.selectionChanged.connect(self._map_selection_changed)
        first, last = patrol_summary.period_range("month", patrol_summary.reference_date(layers.tracks))
        self._set_period(0, first, last)
        self.statusLabel.setText(tr("{} responsibility areas. Choose one to see its patrols.")
                                 .format(self.area_model.rowCount()))

    def _forget_workspace(self) -> None:
        self.clear_overlay()
        if self.layers is not None:
            disconnect_quietly(self.layers.tracks.selectionChanged, self._map_selection_changed)
        self.layers = None
        self.current = None
        self.summary = None
        self.saved_track_state = None
        self.area_model.set_entries([])
        self.track_model.set_rows([])
        self._clear_values()

    def _layers_will_be_removed(self, layer_ids) -> None:
        ids = set(layer_ids)
        if self.cells_layer_id in ids:
            self.cells_layer_id = None
        if self.saved_track_state is not None and self.saved_track_state[0] in ids:
            self.saved_track_state = None
        if self.layers is not None and ids & set(self.layers.ids()):
            self.layers = None  # gone: nothing to restore on them
            self.current = None
            self.area_model.set_entries([])
            self.track_model.set_rows([])
            self._clear_values()
        self._schedule_refresh()

    # --- the period -----------------------------------------------------------------------------------

    def period(self) -> tuple[dt.date, dt.date]:
        return self.dateFrom.date().toPyDate(), self.dateTo.date().toPyDate()

    def period_kind(self) -> str:
        return PERIOD_PRESETS[max(self.periodCombo.currentIndex(), 0)]

    def set_period(self, kind: str, day: dt.date) -> None:
        """Show the month, quarter or year holding ``day`` (and recompute)."""
        first, last = patrol_summary.period_range(kind, day)
        self._set_period(PERIOD_PRESETS.index(kind), first, last)
        self._schedule_update()

    def _set_period(self, preset: int, first: dt.date, last: dt.date) -> None:
        self._setting_dates = True
        try:
            self.periodCombo.setCurrentIndex(preset)
            self.dateFrom.setDate(QDate(first.year, first.month, first.day))
            self.dateTo.setDate(QDate(last.year, last.month, last.day))
        finally:
            self._setting_dates = False

    def _preset_changed(self, index: int) -> None:
        if self._setting_dates or PERIOD_PRESETS[index] == "custom":
            return
        first, last = patrol_summary.period_range(PERIOD_PRESETS[index], self.period()[0])
        self._set_period(index, first, last)
        self._schedule_update()

    def _dates_edited(self, *args) -> None:
        if self._setting_dates:
            return
        self._setting_dates = True
        try:
            self.periodCombo.setCurrentIndex(PERIOD_PRESETS.index("custom"))
        finally:
            self._setting_dates = False
        self._schedule_update()

    def _step_period(self, steps: int) -> None:
        first, last = patrol_summary.shift_period(self.period_kind(), *self.period(), steps)
        self._set_period(self.periodCombo.currentIndex(), first, last)
        self._schedule_update()

    def _schedule_update(self) -> None:
        if self.current is not None:
            self._update_timer.start()

    # --- the area ---------------------------------------------------------------------------------------

    def select_area(self, code: str) -> bool:
        """Choose the area ``code`` as a click in the list would (clears a search that hides it)."""
        row = self.area_model.row_of(code)
        if row < 0:
            return False
        proxy_index = self.area_proxy.mapFromSource(self.area_model.index(row, 0))
        if not proxy_index.isValid():
            self.searchEdit.clear()
            proxy_index = self.area_proxy.mapFromSource(self.area_model.index(row, 0))
        self.areaList.selectionModel().setCurrentIndex(
            proxy_index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        return True

    def _area_clicked(self, current, _previous) -> None:
        if not current.isValid():
            return
        code = current.data(CODE_ROLE)
        row = self.area_model.row_of(code)
        if row < 0:
            return
        self.current = self.area_model.entry(row)
        self._update_timer.stop()
        self.update_area()

    def update_area(self) -> None:
        """Put the chosen area and period on the map and start computing its numbers."""
        if self.current is None or self.layers is None:
            return
        entry, layers = self.current, self.layers
        first, last = self.period()
        if last < first:
            self.statusLabel.setText(tr("The period ends before it starts."))
            return
        tracks = layers.tracks
        if self.saved_track_state is None:
            self.saved_track_state = (tracks.id(), patrol_summary.TrackLayerState.of(tracks))
        inputs = self._gather(entry, first, last)
        filtered = patrol_summary.apply_track_overlay(tracks, entry.code, first, last)
        self.track_model.set_rows(patrol_summary.read_track_rows(tracks))
        self.qaNoteLabel.clear()
        self._zoom_to_area(entry)
        if inputs is not None:
            self._start_summary(inputs)
        if not filtered:
            self.statusLabel.setText(tr("The track layer is being edited: save or stop editing to show only "
                                        "this area's tracks."))

    def _zoom_to_area(self, entry) -> None:
        areas = self.layers.areas
        feature = areas.getFeature(entry.fid)
        if not feature.hasGeometry():
            return
        canvas = self.iface.mapCanvas()
        self._zoom_canvas(areas.crs(), feature.geometry().boundingBox(), 1.15)
        canvas.flashFeatureIds(areas, [entry.fid])

    def _zoom_canvas(self, crs, rect: QgsRectangle, scale: float) -> None:
        box = self._canvas_box(crs, rect)
        if box is None:
            return
        if box.isEmpty():
            box.grow(50.0)
        box.scale(scale)
        self._show_extent(box)

    # --- the numbers ------------------------------------------------------------------------------------

    def _gather(self, entry, first: dt.date, last: dt.date):
        """The area and its tracks as frames (main thread, quick: one area); None after showing why not."""
        if self.task is not None:
            self.task.cancel()
            self.task = None
        self._clear_values(tr("…"))
        self.statusLabel.setText(tr("Computing the patrols of {}…").format(entry.name))
        QApplication.setOverrideCursor(QCursor(Qt.CursorShape.BusyCursor))
        try:
            return patrol_summary.gather_inputs(self.layers, entry, first, last)
        except (LinzhangError, ValueError, OSError) as error:
            self._show_failure(str(error))
            return None
        finally:
            QApplication.restoreOverrideCursor()

    def _start_summary(self, inputs) -> None:
        """Compute in a QgsTask: see SummaryTask for why."""
        task = patrol_summary.SummaryTask(inputs)
        task.computed.connect(self._task_computed)
        task.failed.connect(self._task_failed)
        self.task = task
        _keep_until_done(task)
        QgsApplication.taskManager().addTask(task)

    def _task_computed(self, summary) -> None:
        if self._cleaned_up or self.task is None or self.task.summary is not summary:
            return  # an earlier choice, overtaken
        self.task = None
        self.show_summary(summary)

    def _task_failed(self, message: str) -> None:
        if self._cleaned_up or self.sender() is not self.task:
            return
        self.task = None
        self._show_failure(message)

    def _show_failure(self, message: str) -> None:
        self._clear_values()
        self.statusLabel.setText(tr("The patrols could not be computed: {}").format(message))
        self.summaryFailed.emit(message)

    def _clear_values(self, text: str = "") -> None:
        for label in (self.coverageValue, self.patrolsValue, self.periodsValue, self.lastPatrolValue,
                      self.complianceValue, self.cellsValue):
            label.setText(text)
        self.complianceValue.setStyleSheet("")

    def show_summary(self, summary) -> None:
        self.summary = summary
        self.coverageValue.setText(tr("{0:.1f} % ({1:.1f} of {2:.1f} ha)").format(
            summary.coverage_pct, summary.covered_ha, summary.area_ha))
        self.patrolsValue.setText(tr("{0} done, {1} required").format(summary.patrols_done, summary.patrols_required))
        self.periodsValue.setText(tr("{0} of {1} ended").format(summary.periods_met, summary.periods_required))
        last = summary.last_patrol
        self.lastPatrolValue.setText(last.isoformat() if last else tr("none recorded"))
        self.complianceValue.setText(compliance_text(summary))
        if summary.compliant is not None and summary.periods_required:
            self.complianceValue.setStyleSheet(COMPLIANT_STYLE if summary.compliant else NOT_COMPLIANT_STYLE)
        self.cellsValue.setText(tr("{0} of {1} cells of {2:.0f} m").format(
            summary.never_visited, summary.n_cells, summary.cell_size_m))
        self.statusLabel.setText(tr("{0}: {1:.1f} km of tracks from {2} to {3}.").format(
            summary.entry.name, summary.track_km, summary.date_from.isoformat(), summary.date_to.isoformat()))
        self._replace_cells_layer(summary)
        self.summaryShown.emit(summary)

    def _replace_cells_layer(self, summary) -> None:
        self._remove_cells_layer()
        if self.layers is None:
            return
        layer = patrol_summary.cells_layer(summary)
        self.project.addMapLayer(layer, False)
        root = self.project.layerTreeRoot()
        node = root.findLayer(self.layers.tracks.id())
        parent = node.parent() if node is not None else None
        if parent is not None:
            parent.insertLayer(parent.children().index(node) + 1, layer)  # under the tracks, over the rest
        else:
            root.insertLayer(0, layer)
        self.cells_layer_id = layer.id()

    def _remove_cells_layer(self) -> None:
        layer_id, self.cells_layer_id = self.cells_layer_id, None
        if layer_id and self.project.mapLayer(layer_id) is not None:
            self.project.removeMapLayer(layer_id)

    # --- tracks and their QA notes ------------------------------------------------------------------

    def _track_clicked(self, current, _previous) -> None:
        if not current.isValid() or self.layers is None:
            return
        track = self.track_model.track(current.row())
        self.qaNoteLabel.setText(track.qa_note or self.tr_no_note())
        if self._syncing_selection:
            return
        tracks = self.layers.tracks
        self._syncing_selection = True
        try:
            tracks.selectByIds([track.fid])
        finally:
            self._syncing_selection = False
        feature = tracks.getFeature(track.fid)
        if feature.hasGeometry():
            self._zoom_canvas(tracks.crs(), feature.geometry().boundingBox(), 1.3)
            self.iface.mapCanvas().flashFeatureIds(tracks, [track.fid])

    @staticmethod
    def tr_no_note() -> str:
        return tr("No QA note: the track passed the import checks.")

    def _map_selection_changed(self, *args) -> None:
        """A track selected on the map (QGIS's select tool) is selected in the table: its QA note shows."""
        if self._syncing_selection or self.layers is None:
            return
        selected = self.layers.tracks.selectedFeatureIds()
        if len(selected) != 1:
            return
        row = self.track_model.row_of_fid(selected[0])
        if row < 0:
            return
        self._syncing_selection = True
        try:
            self.trackTable.selectRow(row)
        finally:
            self._syncing_selection = False

    # --- leaving -------------------------------------------------------------------------------------

    def clear_overlay(self) -> None:
        """Put the track layer back as it was and remove the cells layer (the dock closes or unloads)."""
        if self.task is not None:
            self.task.cancel()
            self.task = None
        self._remove_cells_layer()
        if self.saved_track_state is not None:
            layer_id, state = self.saved_track_state
            layer = self.project.mapLayer(layer_id)
            if layer is not None:
                state.restore(layer)
            self.saved_track_state = None

    def restore_overlay(self) -> None:
        """The dock opens again: show the chosen area again."""
        if self.current is not None and self.saved_track_state is None:
            self.update_area()

    def cleanup(self) -> None:
        """Undo everything this panel changed in the project and disconnect from it (the plugin unloads)."""
        self._update_timer.stop()
        super().cleanup()
        self._forget_workspace()
        for layer in patrol_summary.temporary_layers(self.project):
            self.project.removeMapLayer(layer.id())
        self._cleaned_up = True


class PatrolDock(WorkspaceDock):
    """The dock QGIS shows; its content is one ``PatrolPanel``."""

    PANEL = PatrolPanel
    OBJECT_NAME = DOCK_OBJECT_NAME

    def __init__(self, iface, parent=None) -> None:
        super().__init__(iface, parent)
        self.closed.connect(self.panel.clear_overlay)
        self.opened.connect(self.panel.restore_overlay)
