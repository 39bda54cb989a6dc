"""The spot review dock (图斑核查面板): the workspace's change spots as a queue an inspector works through.

A sortable, filterable table with the counts per status; selecting a spot zooms the map to it (and the
before/after views, when open); the form moves the spot one step along the workflow with its verdict,
cause, permit, inspector, date, photos and notes. Every change goes through ``core.inspection.store``:
one transaction with its history row, refused when the workflow forbids it or someone else changed the
spot meanwhile; Ctrl+Z undoes the last change made here. Keyboard: N / P next / previous spot still to
be determined, 1-3 a determination, 4-9 and 0 a common verified cause, Enter confirms, C the
before/after views, S the swipe.
"""
from __future__ import annotations

import datetime as dt
import os
from typing import Optional

from qgis.core import Qgis, QgsProject, QgsVectorLayer
from qgis.gui import QgsDockWidget
from qgis.PyQt import uic
from qgis.PyQt.QtCore import QDate, QEvent, QItemSelectionModel, QObject, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import QAbstractSpinBox, QComboBox, QFileDialog, QHeaderView, QLineEdit

from ..core import schema
from ..core.errors import LinzhangError
from ..i18n import tr, tr_noop
from ..settings import Settings
from .spot_model import COLUMNS, FID_ROLE, UNVERIFIED, SpotFilterProxy, SpotTableModel
from .workspace_panel import WorkspaceDock, WorkspaceLayerPanel, workspace_layer

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORM_CLASS, _ = uic.loadUiType(os.path.join(PLUGIN_DIR, "forms", "inspection_dock.ui"))
DOCK_OBJECT_NAME = "linzhang_inspection_dock"
COMPARE_OBJECT_NAME = "linzhang_compare_dock"
DETERMINATION_KEYS = {Qt.Key.Key_1: "legal", Qt.Key.Key_2: "illegal", Qt.Key.Key_3: "false"}
CAUSE_KEYS = {Qt.Key.Key_4: 20, Qt.Key.Key_5: 41, Qt.Key.Key_6: 42, Qt.Key.Key_7: 50, Qt.Key.Key_8: 71,
              Qt.Key.Key_9: 73, Qt.Key.Key_0: 10}
FALSE_REASONS = (tr_noop("Season or phenology"), tr_noop("Cloud or shadow"), tr_noop("Harvest with a permit"),
                 tr_noop("Earlier case"), tr_noop("Other"))
EDITABLE_FIELDS = ("determination", "verified_cause", "false_reason", "permit_no", "inspector", "verify_date",
                   "photos", "notes")


def spot_layer(project: QgsProject) -> Optional[QgsVectorLayer]:
    """The change-spot layer of the workspace open in the project (the highest in the layer tree)."""
    return workspace_layer(project, schema.CHANGE_SPOTS.name)


def _label(code_list: str, key) -> str:
    return schema.code_label(code_list, key, "zh")


class _KeyFilter(QObject):
    """Routes the review keys typed in the table (and on buttons) to the panel."""

    def __init__(self, panel) -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress:
            return self.panel.handle_key(event.key(), event.modifiers())
        return False


class InspectionPanel(WorkspaceLayerPanel, FORM_CLASS):
    """The dock's content. ``spotShown`` is emitted with the fid of each spot put on screen."""

    TITLE = tr_noop("Spot review")
    TABLE = schema.CHANGE_SPOTS.name
    NO_WORKSPACE_TEXT = tr_noop("No Forest Chief workspace with change spots is open. Open one with Forest "
                                "Chief System > Open workspace…, then detect forest loss into it.")
    spotShown = pyqtSignal(int)
    changed = pyqtSignal(int)

    def __init__(self, iface, parent=None) -> None:
        super().__init__(iface, parent)
        self.current_fid: Optional[int] = None
        self.undo_stack: list[int] = []  # fids changed in this session, latest last
        self.compare_dock = None
        self.compare = None
        self.swipe = None
        self._cleaned_up = False

        self.model = SpotTableModel(self, tr)
        self.proxy = SpotFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.spotTable.setModel(self.proxy)
        self.spotTable.verticalHeader().setVisible(False)
        self.spotTable.verticalHeader().setDefaultSectionSize(22)
        header = self.spotTable.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(0, 170)  # spot numbers are long: area code + sequence
        self.spotTable.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self._fill_fixed_choices()
        self.hintLabel.setText(tr("Keys: N / P next / previous spot to determine · 1 legal 2 illegal 3 false "
                                  "detection · 4 logging 5 approved use 6 unapproved use 7 clearing for "
                                  "cultivation 8 fire 9 other disaster 0 regeneration · Enter confirm · Ctrl+Z "
                                  "undo · C before/after · S swipe"))
        self.key_filter = _KeyFilter(self)
        for widget in (self.spotTable, self.prevButton, self.nextButton, self.applyButton, self.undoButton,
                       self.compareButton, self.swipeButton):
            widget.installEventFilter(self.key_filter)

        self.searchEdit.textChanged.connect(self._filters_changed)
        self.statusFilter.currentIndexChanged.connect(self._filters_changed)
        self.roundFilter.currentIndexChanged.connect(self._filters_changed)
        self.missedOnly.toggled.connect(self._filters_changed)
        self.spotTable.selectionModel().currentRowChanged.connect(self._row_changed)
        self.determinationCombo.currentIndexChanged.connect(self._determination_changed)
        self.prevButton.clicked.connect(lambda: self.step(-1))
        self.nextButton.clicked.connect(lambda: self.step(1))
        self.applyButton.clicked.connect(self.apply)
        self.undoButton.clicked.connect(self.undo)
        self.compareButton.toggled.connect(self.show_compare)
        self.swipeButton.toggled.connect(self.toggle_swipe)
        self.photosButton.clicked.connect(self._pick_photos)
        self.linkButton.clicked.connect(self._run_patrol_link)
        self.exportButton.clicked.connect(self._run_export)
        self.inspectorEdit.setText(Settings.inspector())

        self._watch_project()
        self.refresh_workspace()

    # --- the workspace ----------------------------------------------------------------------------

    def _fill_fixed_choices(self) -> None:
        self.statusFilter.addItem(tr("All statuses"), "")
        for key in schema.SPOT_STATUSES:
            self.statusFilter.addItem(_label("spot_status", key), key)
        self.determinationCombo.addItem("", None)
        for key in schema.DETERMINATIONS:
            self.determinationCombo.addItem(_label("determination", key), key)
        self.verifiedCauseCombo.addItem("", None)
        for code in schema.VERIFIED_CAUSES:
            self.verifiedCauseCombo.addItem(f"{code} {_label('verified_cause', code)}", code)
        for reason in FALSE_REASONS:
            self.falseReasonCombo.addItem(tr(reason))
        self.falseReasonCombo.setCurrentIndex(-1)

    def _load_workspace(self) -> None:
        """(Re)load the workspace's change spots."""
        from ..core.inspection import store

        try:
            states = store.load_spots(self.path)
        except LinzhangError as error:
            self._forget()
            self.show_message(str(error))
            return
        self.pageStack.setCurrentWidget(self.mainPage)
        self.model.set_states(states)
        header = self.spotTable.horizontalHeader()
        self.proxy.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._fill_rounds(states)
        self._update_counts()
        self._show_read_only()
        if states:
            self.select_row(0)
        else:
            self._show_state(None)

    def _forget(self) -> None:
        self.layer, self.path, self.current_fid = None, "", None
        self.undo_stack.clear()
        self.model.set_states([])

    def _fill_rounds(self, states) -> None:
        rounds = sorted({state.values.get("round_id") for state in states if state.values.get("round_id")})
        self.roundFilter.blockSignals(True)
        self.roundFilter.clear()
        self.roundFilter.addItem(tr("All rounds"), "")
        for round_id in rounds:
            self.roundFilter.addItem(round_id, round_id)
        self.roundFilter.blockSignals(False)

    def _update_counts(self) -> None:
        counts = self.model.status_counts()
        parts = [f"{_label('spot_status', key)} <b>{count}</b>" for key, count in counts.items()]
        self.countsLabel.setText(tr("{} spots: ").format(self.model.rowCount()) + " · ".join(parts))

    def _set_editable(self, editable: bool) -> None:
        for widget in (self.nextStatusCombo, self.determinationCombo, self.verifiedCauseCombo,
                       self.falseReasonCombo, self.permitEdit, self.inspectorEdit, self.verifyDate, self.photosEdit,
                       self.photosButton, self.notesEdit, self.applyButton, self.undoButton, self.linkButton):
            widget.setEnabled(editable)

    # --- filters and moving -----------------------------------------------------------------------

    def _filters_changed(self, *args) -> None:
        self.proxy.set_filters(self.statusFilter.currentData(), self.roundFilter.currentData(),
                               self.missedOnly.isChecked(), self.searchEdit.text())
        if self.current_fid is not None and self.model.row_of_fid(self.current_fid) >= 0:
            proxy_index = self.proxy.mapFromSource(self.model.index(self.model.row_of_fid(self.current_fid), 0))
            if proxy_index.isValid():
                self.spotTable.scrollTo(proxy_index)

    def select_row(self, proxy_row: int) -> bool:
        """Make the spot in table row ``proxy_row`` the current one (as a click would)."""
        if not 0 <= proxy_row < self.proxy.rowCount():
            return False
        self.spotTable.selectionModel().setCurrentIndex(
            self.proxy.index(proxy_row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.spotTable.scrollTo(self.proxy.index(proxy_row, 0))
        return True

    def select_fid(self, fid: int) -> bool:
        row = self.model.row_of_fid(fid)
        if row < 0:
            return False
        proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not proxy_index.isValid():
            self.searchEdit.clear()
            self.statusFilter.setCurrentIndex(0)
            self.roundFilter.setCurrentIndex(0)
            self.missedOnly.setChecked(False)
            proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        return self.select_row(proxy_index.row())

    def step(self, direction: int) -> bool:
        """Move to the next (1) or previous (-1) spot in the table's order that is still to be determined."""
        current = self.spotTable.currentIndex().row() if self.spotTable.currentIndex().isValid() else -1
        row = current + direction
        while 0 <= row < self.proxy.rowCount():
            fid = self.proxy.index(row, 0).data(FID_ROLE)
            if self.model.state(self.model.row_of_fid(fid)).values.get("status") in UNVERIFIED:
                return self.select_row(row)
            row += direction
        self._warn(tr("No further spot to determine in this list."), Qgis.MessageLevel.Info, 3)
        return False

    def _row_changed(self, current, _previous) -> None:
        if not current.isValid():
            return
        fid = current.data(FID_ROLE)
        self.current_fid = fid
        state = self.model.state(self.model.row_of_fid(fid))
        self._show_state(state)
        self.zoom_to(state)
        self.spotShown.emit(fid)

    def current_state(self):
        if self.current_fid is None or self.model.row_of_fid(self.current_fid) < 0:
            return None
        return self.model.state(self.model.row_of_fid(self.current_fid))

    # --- showing a spot ---------------------------------------------------------------------------

    def _show_state(self, state) -> None:
        from ..core.inspection.workflow import next_statuses

        self.historyList.clear()
        self.nextStatusCombo.clear()
        if state is None:
            self.spotTitle.setText(tr("No spot in the workspace yet."))
            return
        values = state.values
        place = " ".join(str(values.get(f) or "") for f in ("town", "village", "lin_ban", "xiao_ban")).strip()
        self.spotTitle.setText(
            f"<b>{values.get('spot_no') or ''}</b> · {_label('spot_status', values.get('status'))} · "
            f"{(values.get('area_mu') or 0):.1f} {tr('mu')} · {place} · {values.get('chief_name') or ''}")
        for key in next_statuses(values.get("status"), values.get("determination")):
            self.nextStatusCombo.addItem(_label("spot_status", key), key)
        self.nextStatusCombo.addItem(tr("(keep the status)"), None)
        self._select_data(self.determinationCombo, values.get("determination"))
        self._select_data(self.verifiedCauseCombo, values.get("verified_cause"))
        self.falseReasonCombo.setEditText(values.get("false_reason") or "")
        self.permitEdit.setText(values.get("permit_no") or "")
        if values.get("inspector"):
            self.inspectorEdit.setText(values["inspector"])
        verify_date = values.get("verify_date") or dt.date.today()
        self.verifyDate.setDate(QDate(verify_date.year, verify_date.month, verify_date.day))
        self.photosEdit.setText(values.get("photos") or "")
        self.notesEdit.setText(values.get("notes") or "")
        self._determination_changed()
        self._show_history(values.get("spot_no") or "")

    def _show_history(self, spot_no: str) -> None:
        from ..core.inspection import store

        if not spot_no:
            return
        try:
            entries = store.history(self.path, spot_no)
        except LinzhangError:
            return
        for entry in reversed(entries):
            move = ""
            if entry.old_status != entry.new_status:
                move = f"{_label('spot_status', entry.old_status)} → {_label('spot_status', entry.new_status)} "
            self.historyList.addItem(f"{entry.changed_at:%Y-%m-%d %H:%M} {entry.changed_by or ''} {move}"
                                     f"{entry.note or ''}".strip())

    @staticmethod
    def _select_data(combo: QComboBox, value) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(index if index >= 0 else 0)

    def _determination_changed(self, *args) -> None:
        false_detection = self.determinationCombo.currentData() == "false"
        self.falseReasonCombo.setEnabled(false_detection and not self.read_only_reason)
        if false_detection and not self.falseReasonCombo.currentText():
            self.falseReasonCombo.setCurrentIndex(0)

    def zoom_to(self, state) -> None:
        """The map (and the before/after views) on the spot; a message when it has no geometry."""
        geometry = self._geometry(state.fid)
        if geometry is None:
            self._warn(tr("The spot {} has no geometry: it cannot be shown on the map.")
                       .format(state.values.get("spot_no")))
            if self.compare is not None:
                self.compare.clear_spot()
            return
        box = self._canvas_box(self.layer.crs(), geometry.boundingBox())
        if box is None:
            return
        box.grow(max(box.width(), box.height(), 100.0))
        self._show_extent(box)
        if self.compare is not None:
            values = state.values
            self.compare.show_spot(geometry, self.layer.crs(), str(values.get("before_date") or ""),
                                   str(values.get("after_date") or ""))

    def _geometry(self, fid: int):
        if self.layer is None:
            return None
        feature = self.layer.getFeature(fid)
        if not feature.isValid() or not feature.hasGeometry() or feature.geometry().isEmpty():
            return None
        return feature.geometry()

    # --- editing --------------------------------------------------------------------------------

    def pending_changes(self, state) -> dict:
        """What the form would change on the spot: the chosen status step and the edited fields."""
        values = state.values
        form = {
            "determination": self.determinationCombo.currentData(),
            "verified_cause": self.verifiedCauseCombo.currentData(),
            "false_reason": (self.falseReasonCombo.currentText().strip() or None)
            if self.determinationCombo.currentData() == "false" else values.get("false_reason"),
            "permit_no": self.permitEdit.text().strip() or None,
            "inspector": self.inspectorEdit.text().strip() or None,
            "photos": self.photosEdit.text().strip() or None,
            "notes": self.notesEdit.text().strip() or None,
        }
        changes = {name: value for name, value in form.items() if value != values.get(name)}
        status = self.nextStatusCombo.currentData()
        if status:
            changes["status"] = status
        if changes:
            changes["verify_date"] = self.verifyDate.date().toPyDate()
            if changes["verify_date"] == values.get("verify_date") and "status" not in changes:
                changes.pop("verify_date")
        return changes

    def apply(self) -> bool:
        """Write the form to the spot (one transaction with its history row); False and a message when refused."""
        from ..core.inspection import store

        state = self.current_state()
        if state is None or self.read_only_reason:
            if self.read_only_reason:
                self._warn(self.read_only_reason)
            return False
        changes = self.pending_changes(state)
        if not changes:
            self._warn(tr("Nothing to change on this spot."))
            return False
        who = self.inspectorEdit.text().strip()
        new_state = self._write(lambda: store.apply_change(self.path, state.fid, state.version, changes, who),
                                store.ConflictError, lambda: self._reload_spot(state.fid))
        if new_state is None:
            return False
        if who:
            Settings.set_inspector(who)
        self.undo_stack.append(state.fid)
        self._changed(new_state)
        return True

    def undo(self) -> bool:
        """Undo the last change made in this panel (or, without one, the current spot's last change)."""
        from ..core.inspection import store

        if self.read_only_reason:
            self._warn(self.read_only_reason)
            return False
        fid = self.undo_stack[-1] if self.undo_stack else self.current_fid
        row = self.model.row_of_fid(fid) if fid is not None else -1
        if row < 0:
            return False
        state = self.model.state(row)
        new_state = self._write(lambda: store.undo_last(self.path, fid, state.version,
                                                        self.inspectorEdit.text().strip()),
                                store.ConflictError, lambda: self._reload_spot(fid))
        if new_state is None:
            return False
        if self.undo_stack:
            self.undo_stack.pop()
        self._changed(new_state)
        self.select_fid(fid)
        return True

    def _reload_spot(self, fid: int) -> None:
        from ..core.inspection import store

        try:
            self._changed(store.load_spot(self.path, fid))
        except LinzhangError as error:
            self._warn(str(error))

    def _changed(self, new_state) -> None:
        self.model.replace_state(new_state)
        self._update_counts()
        if new_state.fid == self.current_fid:
            self._show_state(new_state)
        self._reload_layer()
        self.changed.emit(new_state.fid)

    def _pick_photos(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, tr("Photos of the spot"), Settings.last_folder(),
                                                tr("Images (*.jpg *.jpeg *.png *.tif *.heic)"))
        if files:
            Settings.set_last_folder(files[0])
            current = [p for p in self.photosEdit.text().split(";") if p.strip()]
            self.photosEdit.setText(";".join(current + files))

    # --- keys -------------------------------------------------------------------------------------

    def handle_key(self, key: int, modifiers) -> bool:
        """The review keys; True when the key was used."""
        focus = self.focusWidget()
        typing = isinstance(focus, (QLineEdit, QAbstractSpinBox)) or (
            isinstance(focus, QComboBox) and focus.isEditable())
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            if key == Qt.Key.Key_Z and not typing:
                self.undo()
                return True
            return False
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.apply()
            return True
        if typing:
            return False
        if key == Qt.Key.Key_N:
            self.step(1)
        elif key == Qt.Key.Key_P:
            self.step(-1)
        elif key in DETERMINATION_KEYS:
            self._select_data(self.determinationCombo, DETERMINATION_KEYS[key])
        elif key in CAUSE_KEYS:
            self._select_data(self.verifiedCauseCombo, CAUSE_KEYS[key])
        elif key == Qt.Key.Key_C:
            self.compareButton.toggle()
        elif key == Qt.Key.Key_S:
            self.swipeButton.toggle()
        else:
            return False
        return True

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if not self.handle_key(event.key(), event.modifiers()):
            super().keyPressEvent(event)

    # --- before/after and swipe --------------------------------------------------------------------

    def _imagery(self):
        from .inspection_actions import dated_rasters

        images, _ = dated_rasters(self.project)
        if len(images) >= 2:
            return images[0], images[-1]
        return (images[0], None) if images else (None, None)

    def show_compare(self, shown: bool) -> None:
        from .compare_views import CompareViews

        if shown and self.compare_dock is None:
            self.compare_dock = QgsDockWidget(tr("Before / after"), self.iface.mainWindow())
            self.compare_dock.setObjectName(COMPARE_OBJECT_NAME)
            self.compare = CompareViews(self.compare_dock, self.project)
            self.compare_dock.setWidget(self.compare)
            self.compare.set_layers(*self._imagery())
            self.compare_dock.closed.connect(lambda: self.compareButton.setChecked(False))
            self.iface.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.compare_dock)
        if self.compare_dock is None:
            return
        self.compare_dock.setVisible(shown)
        state = self.current_state()
        if shown and state is not None:
            self.zoom_to(state)
            if self.compare.message():
                self._warn(self.compare.message())

    def toggle_swipe(self, on: bool) -> None:
        from .swipe_tool import SwipeTool

        if not on:
            if self.swipe is not None:
                self.swipe.stop()
            return
        layer = self.compare.layers()[1] if self.compare is not None else None
        layer = layer or self._imagery()[1]
        if self.swipe is None:
            self.swipe = SwipeTool(self.iface.mapCanvas())
            self.swipe.stopped.connect(lambda: self.swipeButton.setChecked(False))
        self.swipe.set_layers([layer] if layer is not None else [])
        if not self.swipe.start():
            self._warn(tr("Choose the after image first: no imagery layer to swipe."))
            self.swipeButton.setChecked(False)

    # --- algorithms -------------------------------------------------------------------------------

    def _run_patrol_link(self) -> None:
        import processing

        tracks = workspace_layer(self.project, schema.PATROL_TRACKS.name)
        defaults = {"SPOTS": self.layer.id() if self.layer else None, "WORKSPACE": self.path}
        if tracks is not None:
            defaults["TRACKS"] = tracks.id()
        processing.execAlgorithmDialog("linzhang:linkspotspatrols", defaults)
        self.refresh_workspace(force=True)

    def _run_export(self) -> None:
        import processing

        processing.execAlgorithmDialog("linzhang:exportinspection", {"WORKSPACE": self.path})

    # --- closing ----------------------------------------------------------------------------------

    def cleanup(self) -> None:
        if self._cleaned_up:
            return
        self._cleaned_up = True
        super().cleanup()
        if self.swipe is not None:
            self.swipe.stop()
            self.swipe = None
        if self.compare_dock is not None:
            self.compare.shutdown()
            self.iface.removeDockWidget(self.compare_dock)
            self.compare_dock.deleteLater()
            self.compare_dock = None
            self.compare = None


class InspectionDock(WorkspaceDock):
    """图斑核查面板 in QGIS's right dock area."""

    PANEL = InspectionPanel
    OBJECT_NAME = DOCK_OBJECT_NAME


__all__ = ["InspectionDock", "InspectionPanel", "spot_layer", "COLUMNS"]
