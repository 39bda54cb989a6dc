"""The management-grid dock (管护网格调整): the zones of one area with their balance, and moving forest by hand.

The area's zones in a table (zone, ranger, forest in ha and 亩, per cent above or below the area's mean,
compactness) with the balance max/min of the area, green up to ``BALANCE_GOAL`` (1.15), red above. "Adjust
on the map" starts ``grid_tool.GridTool``: a stand (or a square cell of the size given here) dragged from a
zone onto a neighbouring zone of the same area moves there through ``core.grid.adjust_store`` (one
transaction with its history row); the figures, the history and the map follow. Refused moves, a workspace
changed elsewhere, a read-only workspace and a zones layer being edited in QGIS are told in the message bar.
"Undo last move" puts the area's latest move back.
"""
from __future__ import annotations

import getpass
import os
from typing import Optional

from qgis.core import Qgis, QgsProject, QgsRectangle, QgsVectorLayer
from qgis.PyQt import uic
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import QHeaderView, QTableWidgetItem

from ..core import schema
from ..core.errors import LinzhangError
from ..i18n import tr, tr_noop
from ..settings import Settings
from .workspace_panel import WorkspaceDock, WorkspaceLayerPanel, workspace_layer

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORM_CLASS, _ = uic.loadUiType(os.path.join(PLUGIN_DIR, "forms", "grid_panel.ui"))
DOCK_OBJECT_NAME = "linzhang_grid_dock"
COLUMNS = (tr_noop("Zone"), tr_noop("Ranger"), tr_noop("Forest (ha)"), tr_noop("Forest (mu)"),
           tr_noop("± mean"), tr_noop("Compactness"))
GOOD, BAD = "#1a9850", "#d73027"
ZOOM_MARGIN = 1.15
TABLE_ROWS_SHOWN = 12  # a taller table scrolls


def zones_layer(project: QgsProject) -> Optional[QgsVectorLayer]:
    """The management-grid layer of the workspace open in the project (the highest in the layer tree)."""
    return workspace_layer(project, schema.GRID_ZONES.name)


def _area_names(path: str) -> dict[str, str]:
    from ..core.hierarchy.area_store import load_areas
    from ..core.values import normalise_code

    try:
        return {normalise_code(area.values.get("code")): area.values.get("name") or "" for area in load_areas(path)}
    except LinzhangError:
        return {}


class GridPanel(WorkspaceLayerPanel, FORM_CLASS):
    """The dock's content, and the source the map tool asks about zones, shapes and moves."""

    TITLE = tr_noop("Management grid adjustment")
    TABLE = schema.GRID_ZONES.name
    moved = pyqtSignal(str)  # the area code, after a move or an undo was written

    def __init__(self, iface, parent=None) -> None:
        super().__init__(iface, parent)
        self.state = None  # core.grid.adjust_store.AreaZones of the area shown
        self.tool = None
        self._zoom_on_change = True
        self.zoneTable.setColumnCount(len(COLUMNS))
        self.zoneTable.setHorizontalHeaderLabels([tr(name) for name in COLUMNS])
        self.zoneTable.verticalHeader().setVisible(False)
        self.zoneTable.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.zoneTable.horizontalHeader().setStretchLastSection(True)
        self.authorEdit.setText(Settings.inspector() or getpass.getuser())
        self.cellSizeSpin.setEnabled(False)
        self.historyList.setWordWrap(True)

        self.areaCombo.currentIndexChanged.connect(self._area_chosen)
        self.refreshButton.clicked.connect(lambda: self.refresh_workspace(force=True))
        self.cellRadio.toggled.connect(self.cellSizeSpin.setEnabled)
        self.adjustButton.toggled.connect(self.set_adjusting)
        self.undoButton.clicked.connect(self.undo)
        self.zoneTable.itemSelectionChanged.connect(self._select_zone_on_map)

        self._watch_project()
        self.refresh_workspace()

    # --- the workspace ----------------------------------------------------------------------------

    def _layer_removed(self) -> None:
        super()._layer_removed()
        self.set_adjusting(False)

    def show_message(self, text: str) -> None:
        self.set_adjusting(False)
        super().show_message(text)

    def _forget(self) -> None:
        self.layer, self.path, self.state = None, "", None

    def _load_workspace(self) -> None:
        """(Re)load the areas of the workspace that have zones."""
        from ..core.grid import adjust_store

        keep = self.current_code()
        try:
            codes = adjust_store.zone_area_codes(self.path)
        except (LinzhangError, ImportError) as error:
            self.state = None
            self.show_message(str(error))
            return
        if not codes:
            self.state = None
            self.show_message(tr("The workspace has no management-grid zones yet: draw them with the Processing "
                                 "tool “Management grid (one zone per ranger)” (linzhang:managementgrid), then "
                                 "adjust them here."))
            return
        self.pageStack.setCurrentWidget(self.mainPage)
        names = _area_names(self.path)
        self.areaCombo.blockSignals(True)
        self.areaCombo.clear()
        for code in codes:
            self.areaCombo.addItem(f"{code} {names.get(code, '')}".strip(), code)
        self.areaCombo.blockSignals(False)
        index = self.areaCombo.findData(keep) if keep else -1
        self.areaCombo.setCurrentIndex(max(index, 0))
        self._area_chosen()
        self._show_read_only()

    def current_code(self) -> str:
        return str(self.areaCombo.currentData() or "")

    def select_area(self, code: str, zoom: bool = True) -> bool:
        """Show the area ``code`` (and the map on it when ``zoom``); False when it has no zones."""
        index = self.areaCombo.findData(code)
        if index < 0:
            return False
        if index == self.areaCombo.currentIndex():
            return True
        self._zoom_on_change = zoom
        try:
            self.areaCombo.setCurrentIndex(index)  # loads it
        finally:
            self._zoom_on_change = True
        return True

    def _area_chosen(self, *args) -> None:
        self.load_area(self.current_code(), zoom=self._zoom_on_change)

    def load_area(self, code: str, zoom: bool = False) -> None:
        from ..core.grid import adjust_store

        if not code or not self.path:
            return
        try:
            self.state = adjust_store.load_area_zones(self.path, code)
        except LinzhangError as error:
            self.state = None
            self._warn(str(error))
            return
        self._show_state()
        if zoom:
            self.zoom_to_area()

    def _set_editable(self, editable: bool) -> None:
        for widget in (self.adjustButton, self.undoButton, self.authorEdit, self.noteEdit):
            widget.setEnabled(editable)
        if not editable:
            self.set_adjusting(False)

    # --- what is shown ----------------------------------------------------------------------------

    def _show_state(self) -> None:
        from ..core.grid.adjust import BALANCE_GOAL, deviation_from_mean

        zones = self.state.zones if self.state is not None else ()
        areas = [zone.forest_ha for zone in zones]
        deviations = deviation_from_mean(areas)
        extremes = set()
        if areas and self.balance() > BALANCE_GOAL:
            extremes = {areas.index(max(areas)), areas.index(min(areas))}
        self.zoneTable.blockSignals(True)
        self.zoneTable.setRowCount(len(zones))
        for row, (zone, deviation) in enumerate(zip(zones, deviations)):
            cells = (zone.zone_id, zone.ranger or zone.ranger_id, f"{zone.forest_ha:,.2f}", f"{zone.forest_mu:,.1f}",
                     f"{deviation:+.1f}%", f"{zone.compactness:.3f}")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 2:
                    item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
                if column == 4 and row in extremes:  # the largest and the smallest zone make the balance
                    item.setForeground(QBrush(QColor(BAD)))
                self.zoneTable.setItem(row, column, item)
        self.zoneTable.blockSignals(False)
        self._fit_table()
        self._show_balance()
        self._show_history()

    def _fit_table(self) -> None:
        """The table as tall as its rows (up to TABLE_ROWS_SHOWN), the history list below takes the rest."""
        table = self.zoneTable
        shown = min(max(table.rowCount(), 3), TABLE_ROWS_SHOWN)
        rows = sum(table.rowHeight(row) for row in range(min(shown, table.rowCount())))
        rows += (shown - min(shown, table.rowCount())) * table.verticalHeader().defaultSectionSize()
        extra = table.horizontalScrollBar().sizeHint().height() if table.horizontalScrollBar().isVisible() else 0
        table.setFixedHeight(table.horizontalHeader().height() + rows + 2 * table.frameWidth() + extra)

    def balance(self) -> float:
        return self.state.balance if self.state is not None else 1.0

    def _show_balance(self) -> None:
        from ..core.grid.adjust import BALANCE_GOAL

        if self.state is None or not self.state.zones:
            self.balanceLabel.clear()
            return
        value = self.state.balance
        colour = GOOD if value <= BALANCE_GOAL else BAD
        total = sum(zone.forest_ha for zone in self.state.zones)
        shown = "∞" if value == float("inf") else f"{value:.3f}"
        self.balanceLabel.setText(
            tr("Balance (max/min forest): {} — goal ≤ {}").format(
                f"<b style='color:{colour}'>{shown}</b>", f"{BALANCE_GOAL:g}")
            + "<br>" + tr("{} zones, {:,.2f} ha = {:,.0f} mu of forest, {:,.2f} ha per zone on average").format(
                len(self.state.zones), total, total * 15.0, total / len(self.state.zones)))

    def _show_history(self) -> None:
        from ..core.grid import adjust_store

        self.historyList.clear()
        if self.state is None:
            return
        try:
            entries = adjust_store.history(self.path, self.state.area_code)
        except LinzhangError as error:
            self._warn(str(error))
            return
        for entry in reversed(entries):
            when = f"{entry.changed_at:%Y-%m-%d %H:%M}" if entry.changed_at else ""
            text = tr("{} {}: {:.2f} ha from {} to {}").format(when, entry.changed_by, entry.piece_ha or 0.0,
                                                               entry.zone_from, entry.zone_to)
            if entry.note:
                text += f" · {entry.note}"
            self.historyList.addItem(text)

    def zoom_to_area(self) -> None:
        import shapely

        if self.state is None or self.layer is None:
            return
        geometries = [zone.geometry for zone in self.state.zones if zone.geometry is not None]
        if not geometries:
            return
        minx, miny, maxx, maxy = shapely.total_bounds(geometries).tolist()
        box = self._canvas_box(self.layer.crs(), QgsRectangle(minx, miny, maxx, maxy))
        if box is None:
            return
        box.scale(ZOOM_MARGIN)
        self._show_extent(box)

    def _select_zone_on_map(self) -> None:
        if self.layer is None or self.state is None:
            return
        rows = {index.row() for index in self.zoneTable.selectedIndexes()}
        fids = [self.state.zones[row].fid for row in sorted(rows) if row < len(self.state.zones)]
        self.layer.selectByIds(fids)

    # --- the map tool -----------------------------------------------------------------------------

    def set_adjusting(self, on: bool) -> None:
        """Start or stop the map tool (the "Adjust on the map" button follows)."""
        from .grid_tool import GridTool

        if on and (self.state is None or self._edit_blocked()):
            on = False
        if on:
            if self.tool is None:
                self.tool = GridTool(self.iface.mapCanvas(), self)
                self.tool.stopped.connect(lambda: self._button_checked(False))
            self.tool.start()
        elif self.tool is not None:
            self.tool.stop()
        self._button_checked(on)

    def _button_checked(self, on: bool) -> None:
        self.adjustButton.blockSignals(True)
        self.adjustButton.setChecked(on)
        self.adjustButton.blockSignals(False)

    def zones_layer(self) -> Optional[QgsVectorLayer]:
        return self.layer

    def cell_mode(self) -> bool:
        return self.cellRadio.isChecked()

    def cell_size(self) -> float:
        return float(self.cellSizeSpin.value())

    def zone_at(self, x: float, y: float, switch_area: bool = False):
        """The zone at (x, y) (zones layer CRS): of the area shown, else of another area, which becomes the
        area shown when ``switch_area``."""
        import shapely

        from ..core.grid import adjust_store

        if self.state is None:
            return None
        point = shapely.Point(x, y)
        for zone in self.state.zones:
            if zone.geometry is not None and shapely.covers(zone.geometry, point):
                return zone
        try:
            found = adjust_store.zones_at(self.path, x, y)
        except LinzhangError:
            return None
        if not found:
            return None
        zone = found[0]
        if switch_area and self.select_area(zone.area_code, zoom=False) and self.state is not None:
            return self.state.zone(zone.zone_id) or zone
        return zone

    def pressed_outside(self) -> None:
        self._warn(tr("Press on the forest of a management-grid zone."), Qgis.MessageLevel.Info)

    def shape_at(self, zone, x: float, y: float, cell: bool):
        """The stand (its whole polygon) or the square cell under (x, y); None with a message when none."""
        from ..core.grid import adjust, adjust_store

        try:
            if cell:
                return adjust.cell_square(x, y, self.cell_size())
            shape = adjust.best_shape(zone.zone, adjust_store.stands_at(self.path, x, y))
        except LinzhangError as error:
            self._warn(str(error))
            return None
        if shape is None:
            self._warn(tr("No forest stand of zone {} here: hold Shift to move a square cell instead.").format(
                zone.zone_id))
        return shape

    def piece_of(self, zone, shape):
        """The forest of ``zone`` under ``shape`` (what a move would take, before the neighbour is known)."""
        import shapely

        return shapely.intersection(zone.geometry, shape)

    def refusal(self, zone_from: str, zone_to, shape) -> str:
        """Why the piece may not go to ``zone_to`` ("" when it may), from the zones as loaded."""
        from ..core.grid import adjust

        source = self.state.zone(zone_from) if self.state is not None else None
        if source is None:
            return ""
        try:
            adjust.plan_move(source.zone, zone_to.zone, shape)
        except LinzhangError as error:
            return str(error)
        return ""

    def _edit_blocked(self) -> bool:
        return self._writing_refused() or self.state is None

    def move(self, zone_from: str, zone_to, shape) -> bool:
        """Write the move (one transaction with its history row); False and a message when it is refused."""
        from ..core.grid import adjust, adjust_store

        if self._edit_blocked():
            return False
        source = self.state.zone(zone_from)
        if source is None:
            return False
        who = self.authorEdit.text().strip()

        def write():
            adjust.plan_move(source.zone, zone_to.zone, shape)  # other areas' zones are refused here, by name
            return adjust_store.move_piece(self.path, self.state.area_code, self.state.version, zone_from,
                                           zone_to.zone_id, shape, who, self.noteEdit.text().strip())

        new_state = self._write(write, adjust_store.ConflictError, self._reload_area)
        if new_state is None:
            return False
        Settings.set_inspector(who)
        entry = adjust_store.history(self.path, new_state.area_code)[-1]
        self._changed(new_state, tr("Moved {:.2f} ha from {} to {}; balance {:.3f}.").format(
            entry.piece_ha or 0.0, zone_from, zone_to.zone_id, new_state.balance))
        return True

    def undo(self) -> bool:
        from ..core.grid import adjust_store

        if self._edit_blocked():
            return False
        new_state = self._write(lambda: adjust_store.undo_last(
            self.path, self.state.area_code, self.state.version, self.authorEdit.text().strip()),
            adjust_store.ConflictError, self._reload_area)
        if new_state is None:
            return False
        self._changed(new_state, tr("The last move was undone; balance {:.3f}.").format(new_state.balance))
        return True

    def _reload_area(self) -> None:
        """The area shown, as written now (someone else changed it)."""
        self.load_area(self.state.area_code)

    def _changed(self, new_state, message: str) -> None:
        self.state = new_state
        self.noteEdit.clear()
        self._show_state()
        self._reload_layer()
        self._warn(message, Qgis.MessageLevel.Success)
        self.moved.emit(new_state.area_code)

    # --- closing ----------------------------------------------------------------------------------

    def cleanup(self) -> None:
        """Disconnect from the project and take the map tool and its drawings away (the plugin unloads)."""
        super().cleanup()
        if self.tool is not None:
            self.tool.stop()
            self.tool.remove_bands()
            self.tool.deleteLater()
            self.tool = None


class GridDock(WorkspaceDock):
    """管护网格调整 in QGIS's right dock area."""

    PANEL = GridPanel
    OBJECT_NAME = DOCK_OBJECT_NAME


__all__ = ["COLUMNS", "GridDock", "GridPanel", "zones_layer"]
