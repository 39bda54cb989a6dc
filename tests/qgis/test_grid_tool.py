"""The management-grid dock (管护网格调整) and its map tool in a real QGIS main window (tests/desktop_interface.py), on
a workspace of two areas × three zones and 100 m forest stands (tests/core/test_grid_adjust.py draws it): the
table and the balance, a stand dragged from a zone onto its neighbour with simulated QgsMapMouseEvents, undo,
a cell with Shift, Esc, and the moves and edits that must be refused without writing anything."""
from __future__ import annotations

import importlib.util
import os
import sqlite3
import stat

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsFeatureRequest, QgsPointXY, QgsProject, QgsRectangle
from qgis.gui import QgsMapMouseEvent, QgsMapToolPan
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QPoint, Qt
from qgis.PyQt.QtGui import QKeyEvent

from desktop_interface import DesktopInterface

shapely = pytest.importorskip("shapely", reason="the grid tools need shapely (requirements-lock.txt)")

_SPEC = importlib.util.spec_from_file_location(
    "grid_workspace", os.path.join(os.path.dirname(os.path.dirname(__file__)), "core", "test_grid_adjust.py"))
grid_workspace = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(grid_workspace)
SOUTH, NORTH, X0, Y0 = grid_workspace.SOUTH, grid_workspace.NORTH, grid_workspace.X0, grid_workspace.Y0
LEFT, RIGHT, NONE = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton, Qt.MouseButton.NoButton


@pytest.fixture()
def workspace(qgis_app, tmp_path):
    return grid_workspace.make_grid_workspace(str(tmp_path / "grid.gpkg"))


@pytest.fixture()
def iface(qgis_app):
    QgsProject.instance().clear()
    interface = DesktopInterface()
    interface.mainWindow().resize(1100, 800)
    interface.mainWindow().show()
    interface.mapCanvas().setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4547"))
    yield interface
    interface.close()
    QgsProject.instance().clear()


def _open_dock(iface, workspace):
    from linzhang_qgis.gui.grid_panel import GridDock
    from linzhang_qgis.qgis_glue.styling import add_workspace_to_project

    add_workspace_to_project(workspace, QgsProject.instance())
    dock = GridDock(iface, iface.mainWindow())
    iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.show()
    dock.panel.authorEdit.setText("林长办 小陈")
    QCoreApplication.processEvents()
    return dock


def _close(dock):
    dock.cleanup()
    dock.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture()
def panel(iface, workspace):
    dock = _open_dock(iface, workspace)
    yield dock.panel
    _close(dock)


def rows(path, sql, *args):
    with sqlite3.connect(path) as db:
        return db.execute(sql, args).fetchall()


def zone_area(path, zone_id) -> float:
    [(blob,)] = rows(path, "SELECT geom FROM grid_zones WHERE zone_id = ?", zone_id)
    from linzhang_qgis.core.grid.adjust_store import geometry_from_gpkg

    return geometry_from_gpkg(blob).area


def mouse(canvas, kind, x, y, button, buttons, modifiers=Qt.KeyboardModifier.NoModifier) -> QgsMapMouseEvent:
    """A mouse event at the local metres (x, y) of the test grid."""
    pixel = canvas.getCoordinateTransform().transform(QgsPointXY(X0 + x, Y0 + y))
    return QgsMapMouseEvent(canvas, kind, QPoint(round(pixel.x()), round(pixel.y())), button, buttons, modifiers)


def drag(panel, start, end, modifiers=Qt.KeyboardModifier.NoModifier, release=True):
    """Press at ``start``, move half way and to ``end``, release there (local metres)."""
    canvas, tool = panel.iface.mapCanvas(), panel.tool
    tool.canvasPressEvent(mouse(canvas, QEvent.Type.MouseButtonPress, *start, LEFT, LEFT, modifiers))
    middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    tool.canvasMoveEvent(mouse(canvas, QEvent.Type.MouseMove, *middle, NONE, LEFT, modifiers))
    tool.canvasMoveEvent(mouse(canvas, QEvent.Type.MouseMove, *end, NONE, LEFT, modifiers))
    if release:
        tool.canvasReleaseEvent(mouse(canvas, QEvent.Type.MouseButtonRelease, *end, LEFT, NONE, modifiers))


def table(panel):
    return [[panel.zoneTable.item(row, column).text() for column in range(panel.zoneTable.columnCount())]
            for row in range(panel.zoneTable.rowCount())]


def messages(iface) -> str:
    return " | ".join(item.text() for item in iface.messageBar().items())


def show_both_areas(iface):
    iface.mapCanvas().setExtent(QgsRectangle(X0 - 50, Y0 - 50, X0 + 650, Y0 + 850))


def start_tool(panel):
    panel.adjustButton.click()
    assert panel.adjustButton.isChecked() and panel.iface.mapCanvas().mapTool() is panel.tool


def test_the_panel_shows_the_zones_and_the_balance_of_an_area(panel, iface):
    assert panel.pageStack.currentWidget() is panel.mainPage
    assert [panel.areaCombo.itemData(i) for i in range(panel.areaCombo.count())] == [SOUTH, NORTH]
    assert panel.areaCombo.itemText(0) == f"{SOUTH} 南村"
    assert table(panel) == [
        [f"{SOUTH}-01", "张一", "12.00", "180.0", "+50.0%", "0.769"],
        [f"{SOUTH}-02", "李二", "4.00", "60.0", "-50.0%", "0.503"],
        [f"{SOUTH}-03", "王三", "8.00", "120.0", "+0.0%", "0.698"]]
    assert "3.000" in panel.balanceLabel.text() and "#d73027" in panel.balanceLabel.text()  # red: above 1.15
    extent = iface.mapCanvas().extent()  # the map shows the area
    assert extent.contains(QgsRectangle(X0, Y0, X0 + 600, Y0 + 400)) and extent.height() < 1000
    panel.areaCombo.setCurrentIndex(1)
    assert [row[0] for row in table(panel)] == [f"{NORTH}-01", f"{NORTH}-02", f"{NORTH}-03"]
    assert table(panel)[0][2] == "11.00" and "1.833" in panel.balanceLabel.text()


def test_dragging_a_stand_onto_the_neighbour_moves_it_and_undo_restores_it(panel, workspace, iface):
    before = grid_workspace.ogr_zones(workspace)
    start_tool(panel)
    drag(panel, (250, 150), (350, 150), release=False)
    bands = panel.tool._bands
    assert bands["zone"].isVisible() and bands["piece"].isVisible() and bands["target"].isVisible()
    assert bands["piece"].asGeometry().area() == pytest.approx(10_000)  # the stand's part in zone -01
    assert bands["target"].strokeColor().name() == "#1a9850"  # green: it may go there
    panel.tool.canvasReleaseEvent(mouse(iface.mapCanvas(), QEvent.Type.MouseButtonRelease, 350, 150, LEFT, NONE))
    assert not bands["piece"].isVisible()

    assert zone_area(workspace, f"{SOUTH}-01") == pytest.approx(110_000)
    assert zone_area(workspace, f"{SOUTH}-02") == pytest.approx(50_000)
    [(zone_from, zone_to, piece_ha, who)] = rows(workspace, "SELECT zone_from, zone_to, piece_ha, changed_by "
                                                            "FROM grid_history")
    assert (zone_from, zone_to, who) == (f"{SOUTH}-01", f"{SOUTH}-02", "林长办 小陈") and piece_ha == pytest.approx(1.0)
    assert table(panel)[0][2:4] == ["11.00", "165.0"] and table(panel)[1][2:4] == ["5.00", "75.0"]
    assert "2.200" in panel.balanceLabel.text()
    assert panel.historyList.count() == 1 and f"{SOUTH}-01" in panel.historyList.item(0).text()
    feature = next(f for f in panel.layer.getFeatures() if f["zone_id"] == f"{SOUTH}-02")
    assert feature.geometry().area() == pytest.approx(50_000)  # the layer was reloaded
    def zones_in(x, y):  # what QGIS finds in a 20 m square there, through the spatial index
        request = QgsFeatureRequest(QgsRectangle(X0 + x - 10, Y0 + y - 10, X0 + x + 10, Y0 + y + 10))
        return {f["zone_id"] for f in panel.layer.getFeatures(request)}

    assert zones_in(250, 150) == {f"{SOUTH}-02"} and zones_in(250, 250) == {f"{SOUTH}-01"}
    assert panel.tool.is_active()  # ready for the next move

    panel.undoButton.click()
    after = grid_workspace.ogr_zones(workspace)
    for zone_id, (geometry, ha, neighbours) in before.items():
        assert after[zone_id][0].symmetric_difference(geometry).area == pytest.approx(0, abs=1e-6)
        assert after[zone_id][1] == pytest.approx(ha) and after[zone_id][2] == neighbours
    assert "3.000" in panel.balanceLabel.text() and table(panel)[0][2] == "12.00"
    assert panel.historyList.count() == 2 and "undo #" in panel.historyList.item(0).text()


@pytest.mark.parametrize("start, end, words", [
    ((50, 150), (500, 150), ("shares no boundary", "没有共同边界")),  # -01 and -03 are not neighbours
    ((350, 150), (250, 150), ("split", "不相连")),  # the strip -02 would fall in two
])
def test_a_refused_move_writes_nothing_and_says_why(panel, workspace, iface, start, end, words):
    before = rows(workspace, "SELECT * FROM grid_zones ORDER BY fid")
    start_tool(panel)
    drag(panel, start, end, release=False)
    assert panel.tool._bands["target"].strokeColor().name() == "#d73027"  # red while over the refusing zone
    panel.tool.canvasReleaseEvent(mouse(iface.mapCanvas(), QEvent.Type.MouseButtonRelease, *end, LEFT, NONE))
    assert rows(workspace, "SELECT * FROM grid_zones ORDER BY fid") == before
    assert rows(workspace, "SELECT count(*) FROM grid_history") == [(0,)]
    assert any(word in messages(iface) for word in words)
    assert "3.000" in panel.balanceLabel.text() and panel.historyList.count() == 0


def test_shift_moves_a_square_cell_of_the_panels_size(panel, workspace):
    panel.cellSizeSpin.setValue(50)
    start_tool(panel)
    drag(panel, (280, 120), (320, 120), Qt.KeyboardModifier.ShiftModifier)
    assert zone_area(workspace, f"{SOUTH}-02") == pytest.approx(42_500)  # the 50 m square 250..300 × 100..150
    panel.cellRadio.setChecked(True)  # in cell mode, Shift takes the stand
    drag(panel, (250, 320), (350, 320), Qt.KeyboardModifier.ShiftModifier)
    assert zone_area(workspace, f"{SOUTH}-02") == pytest.approx(52_500)
    assert [r[0] for r in rows(workspace, "SELECT piece_ha FROM grid_history ORDER BY fid")] == [
        pytest.approx(0.25), pytest.approx(1.0)]


def test_escape_cancels_a_drag_and_right_click_ends_the_tool(panel, workspace, iface):
    pan = QgsMapToolPan(iface.mapCanvas())
    iface.mapCanvas().setMapTool(pan)
    start_tool(panel)
    drag(panel, (250, 150), (350, 150), release=False)
    assert panel.tool.dragging()
    panel.tool.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier))
    assert not panel.tool.dragging() and not panel.tool._bands["piece"].isVisible()
    panel.tool.canvasReleaseEvent(mouse(iface.mapCanvas(), QEvent.Type.MouseButtonRelease, 350, 150, LEFT, NONE))
    assert rows(workspace, "SELECT count(*) FROM grid_history") == [(0,)]
    panel.tool.canvasPressEvent(mouse(iface.mapCanvas(), QEvent.Type.MouseButtonPress, 350, 150, RIGHT, RIGHT))
    assert not panel.adjustButton.isChecked() and iface.mapCanvas().mapTool() is pan  # the previous tool is back


def test_pressing_a_zone_of_the_other_area_shows_that_area(panel, workspace, iface):
    start_tool(panel)
    show_both_areas(iface)
    centre, height = iface.mapCanvas().extent().center(), iface.mapCanvas().extent().height()
    drag(panel, (250, 750), (350, 750))  # north -01 (its north-east stand) → north -02
    assert panel.current_code() == NORTH
    assert iface.mapCanvas().extent().center() == centre and iface.mapCanvas().extent().height() == height  # no zoom
    assert zone_area(workspace, f"{NORTH}-02") == pytest.approx(70_000)
    assert rows(workspace, "SELECT area_code FROM grid_history") == [(NORTH,)]


def test_a_drop_on_a_zone_of_another_area_is_refused_by_name(panel, workspace, iface):
    start_tool(panel)
    show_both_areas(iface)
    drag(panel, (150, 350), (150, 450))  # south -01 → north -01
    assert rows(workspace, "SELECT count(*) FROM grid_history") == [(0,)]
    assert NORTH in messages(iface)


def test_moves_are_refused_while_the_zones_layer_is_being_edited(panel, workspace, iface):
    start_tool(panel)
    panel.layer.startEditing()
    try:
        drag(panel, (250, 150), (350, 150))
        assert "being edited" in messages(iface) or "正在编辑" in messages(iface)
    finally:
        panel.layer.rollBack()
    assert rows(workspace, "SELECT count(*) FROM grid_history") == [(0,)]


def test_a_change_made_elsewhere_is_not_overwritten(panel, workspace, iface):
    from linzhang_qgis.core.gpkg_sqlite import register_functions

    with sqlite3.connect(workspace) as db:
        register_functions(db)
        db.execute("UPDATE grid_zones SET ranger = '别处改的' WHERE zone_id = ?", (f"{SOUTH}-03",))
    start_tool(panel)
    drag(panel, (250, 150), (350, 150))
    assert rows(workspace, "SELECT count(*) FROM grid_history") == [(0,)]
    assert "changed elsewhere" in messages(iface) or "别处" in messages(iface)
    assert table(panel)[2][1] == "别处改的"  # reloaded
    drag(panel, (250, 150), (350, 150))  # now it goes through
    assert rows(workspace, "SELECT count(*) FROM grid_history") == [(1,)]


def test_a_read_only_workspace_can_be_viewed_but_not_adjusted(iface, workspace):
    os.chmod(workspace, stat.S_IRUSR | stat.S_IRGRP)
    dock = _open_dock(iface, workspace)
    try:
        panel = dock.panel
        assert len(table(panel)) == 3
        assert not panel.adjustButton.isEnabled() and not panel.undoButton.isEnabled()
        panel.set_adjusting(True)
        assert panel.tool is None or not panel.tool.is_active()
        assert "read-only" in messages(iface) or "只读" in messages(iface)
    finally:
        _close(dock)
        os.chmod(workspace, 0o644)


def test_without_zones_or_workspace_the_dock_says_what_to_do(iface, tmp_path):
    from linzhang_qgis.core.workspace import create_workspace
    from linzhang_qgis.gui.grid_panel import DOCK_OBJECT_NAME, GridDock
    from linzhang_qgis.qgis_glue.styling import add_workspace_to_project

    dock = GridDock(iface, iface.mainWindow())
    try:
        assert dock.objectName() == DOCK_OBJECT_NAME == "linzhang_grid_dock"
        assert dock.panel.pageStack.currentWidget() is dock.panel.messagePage
        assert "workspace" in dock.panel.messageLabel.text() or "工作空间" in dock.panel.messageLabel.text()
        empty = str(tmp_path / "empty.gpkg")
        create_workspace(empty)
        add_workspace_to_project(empty, QgsProject.instance())
        dock.panel.refresh_workspace(force=True)
        assert "Management grid" in dock.panel.messageLabel.text() or "管护网格" in dock.panel.messageLabel.text()
    finally:
        _close(dock)
