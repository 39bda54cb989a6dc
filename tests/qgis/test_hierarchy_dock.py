"""The hierarchy dock (林长责任区面板) driven with pytest-qt on the demo workspace, in a real QGIS main window
(tests/desktop_interface.py): the tree and its figures, search, zoom and selection, editing a chief's details
with its history, and the edits that must be refused."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import stat

import pytest
from qgis.core import QgsProject
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import QCoreApplication, QDate, QEvent, Qt

AS_OF = dt.date(2026, 11, 15)  # inside the demo's year of patrols (2025-11-01 .. 2026-10-31) plus a fortnight


@pytest.fixture()
def workspace(full_demo, tmp_path):
    path = str(tmp_path / "workspace.gpkg")
    shutil.copy(full_demo.gpkg_path, path)
    return path


def _open_panel(iface, workspace):
    from linzhang_qgis.gui.hierarchy_dock import HierarchyDock
    from linzhang_qgis.qgis_glue.styling import add_workspace_to_project

    add_workspace_to_project(workspace, QgsProject.instance())
    dock = HierarchyDock(iface, iface.mainWindow())
    iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.show()
    dock.panel.asOfDate.setDate(QDate(AS_OF.year, AS_OF.month, AS_OF.day))
    dock.panel.authorEdit.setText("林长办 小陈")
    return dock


@pytest.fixture()
def panel(iface, workspace):
    dock = _open_panel(iface, workspace)
    yield dock.panel
    dock.cleanup()
    dock.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def rows(path, sql, *args):
    with sqlite3.connect(path) as db:
        return db.execute(sql, args).fetchall()


def walk(model, parent=None, depth=1):
    """(depth, code, [cell texts]) of every row of the tree, parents first."""
    from linzhang_qgis.gui.hierarchy_model import CODE_ROLE

    parent = parent if parent is not None else model.index(-1, -1)
    found = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        cells = [model.index(row, column, parent).data() for column in range(model.columnCount(parent))]
        found.append((depth, index.data(CODE_ROLE), cells))
        found += walk(model, index, depth + 1)
    return found


def test_the_tree_has_the_four_levels_with_their_figures(panel, workspace):
    from linzhang_qgis.core.hierarchy.figures import load_workspace_figures

    shown = walk(panel.proxy)
    levels = dict(rows(workspace, "SELECT code, level FROM resp_areas"))
    assert len(shown) == len(levels) == 45
    assert all(depth == levels[code] for depth, code, _ in shown)  # 区 → 镇 → 村 → 组 nesting
    district = shown[0]
    forest_ha = rows(workspace, "SELECT sum(area_ha) FROM forest_stands WHERE land_class IN "
                                "('0111','0131','0301','0302','0305','0307')")[0][0]
    hectares, mu = (float(part.replace(",", "")) for part in district[2][2].split("/"))
    assert hectares == pytest.approx(forest_ha, abs=0.1) and mu == pytest.approx(forest_ha * 15, abs=1)
    open_spots = rows(workspace, "SELECT count(*) FROM change_spots WHERE status != 'closed'")[0][0]
    assert district[2][4] == str(open_spots) and open_spots >= 10
    _, figures = load_workspace_figures(workspace, AS_OF)
    overdue = [code for code, f in figures.items() if f.days_overdue > 0]
    assert overdue and all("overdue" in cells[3] or "逾期" in cells[3] for _, code, cells in shown if code in overdue)
    town = panel.figures[shown[1][1]]
    assert town.period_label == "2026-11" and f"{town.period_done}/1" in shown[1][2][3]  # monthly rule


def test_states_are_coloured_and_counted_in_the_summary(panel):
    from linzhang_qgis.gui.hierarchy_model import STATE_ROLE

    states = [panel.proxy.index(0, 0).data(STATE_ROLE)]
    assert states[0] in ("ok", "attention", "overdue", "none")
    counts = {}
    for figures in panel.figures.values():
        counts[figures.state] = counts.get(figures.state, 0) + 1
    text = panel.summaryLabel.text()
    assert "45" in text and all(f"<b>{count}</b>" in text for count in counts.values())
    assert panel.proxy.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is not None


def test_search_by_name_code_or_chief(panel, workspace):
    code, name, chief = rows(workspace, "SELECT code, name, chief_name FROM resp_areas WHERE level = 3 "
                                        "ORDER BY code LIMIT 1")[0]
    for text in (name, code, chief):
        panel.searchEdit.setText(text)
        codes = [c for _, c, _ in walk(panel.proxy)]
        assert code in codes and len(codes) < 45
    panel.searchEdit.setText("没有这个名字")
    assert panel.proxy.rowCount() == 0
    panel.searchEdit.clear()
    assert len(walk(panel.proxy)) == 45


def test_clicking_an_area_zooms_to_it_and_selects_it(panel, iface, workspace):
    code, fid = rows(workspace, "SELECT code, fid FROM resp_areas WHERE level = 4 ORDER BY code LIMIT 1")[0]
    assert panel.select_code(code)
    assert panel.layer.selectedFeatureIds() == [fid]
    box = panel.layer.getFeature(fid).geometry().boundingBox()
    extent = iface.mapCanvas().extent()
    assert extent.contains(box) and extent.width() < 3 * max(box.width(), box.height())
    assert panel.chiefNameEdit.text() == rows(workspace, "SELECT chief_name FROM resp_areas WHERE fid = ?", fid)[0][0]


def test_editing_a_chief_writes_it_with_history_and_undo_restores_it(panel, workspace):
    code, fid, old_phone = rows(workspace, "SELECT code, fid, chief_phone FROM resp_areas WHERE level = 2 "
                                           "ORDER BY code LIMIT 1")[0]
    panel.select_code(code)
    panel.chiefNameEdit.setText("新林长")
    panel.chiefPhoneEdit.setText("0797-8888888")
    panel.noteEdit.setText("换届")
    assert panel.save()
    assert rows(workspace, "SELECT chief_name, chief_phone FROM resp_areas WHERE fid = ?", fid) == [
        ("新林长", "0797-8888888")]
    [(who, changes, note)] = rows(workspace, "SELECT changed_by, changes, note FROM area_history WHERE code = ?", code)
    assert who == "林长办 小陈" and "新林长" in changes and note == "换届"
    assert panel.historyList.count() == 1 and "新林长" in panel.historyList.item(0).text()
    assert any(c == code and cells[1] == "新林长" for _, c, cells in walk(panel.proxy))  # the tree follows
    assert panel.undo()
    assert rows(workspace, "SELECT chief_phone FROM resp_areas WHERE fid = ?", fid) == [(old_phone,)]
    assert panel.chiefPhoneEdit.text() == old_phone and panel.historyList.count() == 2


def test_a_bad_phone_is_refused_with_a_message_and_nothing_written(panel, iface, workspace):
    code = rows(workspace, "SELECT code FROM resp_areas WHERE level = 1")[0][0]
    panel.select_code(code)
    before = rows(workspace, "SELECT * FROM resp_areas ORDER BY fid")
    panel.chiefPhoneEdit.setText("打电话")
    assert not panel.save()
    assert rows(workspace, "SELECT * FROM resp_areas ORDER BY fid") == before
    assert rows(workspace, "SELECT count(*) FROM area_history") == [(0,)]
    assert any("电话" in item.text() for item in iface.messageBar().items())


def test_edits_are_refused_while_the_layer_is_being_edited_in_qgis(panel, workspace, iface):
    code = rows(workspace, "SELECT code FROM resp_areas WHERE level = 1")[0][0]
    panel.select_code(code)
    panel.layer.startEditing()
    try:
        panel.chiefTitleEdit.setText("区委书记、区长")
        assert not panel.save()
        assert any("being edited" in item.text() or "正在编辑" in item.text() for item in iface.messageBar().items())
    finally:
        panel.layer.rollBack()
    assert rows(workspace, "SELECT count(*) FROM area_history") == [(0,)]


def test_a_change_made_elsewhere_is_not_overwritten(panel, workspace):
    from linzhang_qgis.core import gpkg_sqlite

    code, fid = rows(workspace, "SELECT code, fid FROM resp_areas WHERE level = 3 ORDER BY code LIMIT 1")[0]
    panel.select_code(code)
    with sqlite3.connect(workspace) as db:
        gpkg_sqlite.register_functions(db)
        db.execute("UPDATE resp_areas SET chief_title = '别处改的' WHERE fid = ?", (fid,))
    panel.chiefTitleEdit.setText("这里改的")
    assert not panel.save()
    assert rows(workspace, "SELECT chief_title FROM resp_areas WHERE fid = ?", fid) == [("别处改的",)]
    assert panel.chiefTitleEdit.text() == "别处改的"  # re-read


def test_a_read_only_workspace_opens_for_viewing_only(iface, workspace):
    os.chmod(workspace, stat.S_IRUSR | stat.S_IRGRP)
    dock = _open_panel(iface, workspace)
    try:
        panel = dock.panel
        assert len(walk(panel.proxy)) == 45
        assert not panel.saveButton.isEnabled() and not panel.chiefNameEdit.isEnabled()
    finally:
        dock.cleanup()
        dock.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        os.chmod(workspace, 0o644)


def test_without_a_workspace_the_dock_says_what_to_do(iface):
    from linzhang_qgis.gui.hierarchy_dock import HierarchyDock

    dock = HierarchyDock(iface, iface.mainWindow())
    try:
        assert dock.panel.pageStack.currentWidget() is dock.panel.messagePage
        assert "workspace" in dock.panel.messageLabel.text() or "工作空间" in dock.panel.messageLabel.text()
    finally:
        dock.cleanup()
        dock.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_the_plugin_action_opens_the_dock_and_unload_removes_it(iface, workspace, qtbot):
    import linzhang_qgis
    from linzhang_qgis.qgis_glue.styling import add_workspace_to_project

    add_workspace_to_project(workspace, QgsProject.instance())
    window = iface.mainWindow()
    plugin = linzhang_qgis.classFactory(iface)
    plugin.initGui()
    try:
        assert window.findChildren(QgsDockWidget, "linzhang_hierarchy_dock") == []
        plugin.hierarchy_action.trigger()
        [dock] = window.findChildren(QgsDockWidget, "linzhang_hierarchy_dock")
        assert dock.isVisible() and plugin.hierarchy_action.isChecked()
        assert dock.panel.pageStack.currentWidget() is dock.panel.mainPage
        plugin.hierarchy_action.trigger()
        assert not dock.isVisible() and not plugin.hierarchy_action.isChecked()
    finally:
        plugin.unload()
    qtbot.wait(1)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChildren(QgsDockWidget, "linzhang_hierarchy_dock") == []
