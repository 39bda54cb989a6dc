"""The spot review dock (图斑核查面板), driven with pytest-qt on the demo district's detected spots."""
from __future__ import annotations

import os
import shutil
import sqlite3
import stat

import pytest
from qgis.core import QgsProject, QgsRasterLayer
from qgis.PyQt.QtCore import QCoreApplication, QEvent, Qt


@pytest.fixture(scope="module")
def demo_with_spots(tmp_path_factory, processing_framework):
    """The demo district with its change spots detected into the workspace."""
    from qgis.core import QgsApplication

    from linzhang_qgis.core.demo import generate_demo
    from linzhang_qgis.provider import LinzhangProvider

    demo = generate_demo(str(tmp_path_factory.mktemp("review_demo")))
    registry = QgsApplication.processingRegistry()
    provider = LinzhangProvider()
    assert registry.addProvider(provider)
    try:
        result = processing_framework.run("linzhang:detectforestloss", {
            "BEFORE": demo.before_path, "AFTER": demo.after_path, "CLOUD_MASK": demo.cloud_mask_path,
            "FOREST": f"{demo.gpkg_path}|layername=forest_stands", "AREAS": f"{demo.gpkg_path}|layername=resp_areas",
            "WORKSPACE": demo.gpkg_path, "OUTPUT": "TEMPORARY_OUTPUT"})
    finally:
        registry.removeProvider(provider)
    assert result["ADDED_TO_WORKSPACE"] >= 10
    return demo


@pytest.fixture()
def workspace(demo_with_spots, tmp_path):
    """A private copy of the workspace (each test edits its own), with the two images beside it."""
    path = str(tmp_path / "workspace.gpkg")
    shutil.copy(demo_with_spots.gpkg_path, path)
    return path


@pytest.fixture()
def panel(iface, workspace, demo_with_spots, qtbot):
    from linzhang_qgis.gui.inspection_dock import InspectionDock
    from linzhang_qgis.qgis_glue.styling import add_workspace_to_project

    project = QgsProject.instance()
    add_workspace_to_project(workspace, project)
    for path, name in ((demo_with_spots.before_path, "前时相影像"), (demo_with_spots.after_path, "后时相影像")):
        project.addMapLayer(QgsRasterLayer(path, name))
    dock = InspectionDock(iface, iface.mainWindow())
    iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.show()
    dock.panel.inspectorEdit.setText("Inspector Wang")
    yield dock.panel
    dock.cleanup()
    dock.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # deleted here, not in a later test


def spot_rows(path: str) -> dict:
    with sqlite3.connect(path) as db:
        return {row[0]: row[1:] for row in db.execute(
            "SELECT spot_no, status, determination, verified_cause, false_reason FROM change_spots")}


def history_count(path: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM spot_history").fetchone()[0]


def test_table_counts_search_and_filters(panel, workspace):
    total = len(spot_rows(workspace))
    assert total >= 10 and panel.model.rowCount() == total == panel.proxy.rowCount()
    assert f"下发 <b>{total}</b>" in panel.countsLabel.text()
    first = panel.model.state(0).values["spot_no"]
    panel.searchEdit.setText(first)
    assert panel.proxy.rowCount() == 1
    panel.searchEdit.clear()
    panel.statusFilter.setCurrentIndex(panel.statusFilter.findData("closed"))
    assert panel.proxy.rowCount() == 0
    panel.statusFilter.setCurrentIndex(0)
    panel.spotTable.sortByColumn(7, Qt.SortOrder.DescendingOrder)  # area in 亩, largest first
    areas = [panel.model.state(panel.proxy.mapToSource(panel.proxy.index(r, 0)).row()).values["area_mu"]
             for r in range(panel.proxy.rowCount())]
    assert areas == sorted(areas, reverse=True)


def test_selecting_a_spot_zooms_the_map_to_it(panel, iface):
    assert panel.select_row(3)
    state = panel.current_state()
    geometry = panel.layer.getFeature(state.fid).geometry()
    extent = iface.mapCanvas().extent()
    assert extent.contains(geometry.boundingBox())
    assert extent.width() < 5 * max(geometry.boundingBox().width(), geometry.boundingBox().height(), 100) + 1


def test_keyboard_triage_through_many_spots_then_undo(panel, workspace, qtbot):
    panel.spotTable.setFocus()
    before = spot_rows(workspace)
    done = []
    for i in range(6):
        qtbot.keyClick(panel.spotTable, Qt.Key.Key_N if i else Qt.Key.Key_Home)
        if i == 0:
            panel.select_row(0)
        qtbot.keyClick(panel.spotTable, Qt.Key.Key_3)  # false detection
        qtbot.keyClick(panel.spotTable, Qt.Key.Key_4)  # cause 20 森林采伐
        qtbot.keyClick(panel.spotTable, Qt.Key.Key_Return)
        done.append(panel.current_state().values["spot_no"])
    after = spot_rows(workspace)
    assert len(set(done)) == 6
    for spot_no in done:
        assert before[spot_no][0] == "issued"
        assert after[spot_no][:3] == ("interpreted", "false", 20)
        assert after[spot_no][3]  # a false detection keeps its reason (the first preset)
    assert history_count(workspace) == 6
    qtbot.keyClick(panel.spotTable, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    reverted = spot_rows(workspace)
    assert reverted[done[-1]] == before[done[-1]]
    assert all(reverted[n] == after[n] for n in done[:-1])
    assert history_count(workspace) == 7  # the undo is itself in the history
    assert panel.current_state().values["spot_no"] == done[-1]


def test_workflow_rules_are_enforced_in_the_form(panel, workspace, iface, qtbot):
    panel.select_row(0)
    spot_no = panel.current_state().values["spot_no"]
    assert [panel.nextStatusCombo.itemData(i) for i in range(panel.nextStatusCombo.count())] == ["interpreted", None]
    assert panel.apply()  # 下发 → 判读审核
    assert panel.apply()  # 判读审核 → 现地核实
    assert panel.current_state().values["status"] == "field_verified"
    panel.determinationCombo.setCurrentIndex(0)  # no determination
    assert panel.nextStatusCombo.currentData() == "determined"
    assert not panel.apply()  # refused: 认定 needs a determination
    assert spot_rows(workspace)[spot_no][0] == "field_verified"
    panel.determinationCombo.setCurrentIndex(panel.determinationCombo.findData("false"))
    panel.falseReasonCombo.setEditText("")
    assert not panel.apply()  # refused: a false detection needs its reason
    panel.falseReasonCombo.setEditText("季节差异")
    assert panel.apply()
    state = panel.current_state()
    assert state.values["status"] == "determined"
    assert [panel.nextStatusCombo.itemData(i) for i in range(panel.nextStatusCombo.count())] == ["closed", None]


def test_a_change_made_elsewhere_is_not_overwritten(panel, workspace):
    from linzhang_qgis.core.inspection import store

    panel.select_row(1)
    state = panel.current_state()
    store.apply_change(workspace, state.fid, state.version, {"status": "interpreted", "inspector": "Li"},
                       "another window")
    panel.notesEdit.setText("my note")
    assert not panel.apply()  # the panel's copy is stale: refused, then reloaded
    assert panel.current_state().values["status"] == "interpreted"
    assert spot_rows(workspace)[state.values["spot_no"]][0] == "interpreted"
    assert panel.apply()  # now on the fresh state


def test_read_only_workspace_disables_editing(iface, workspace, demo_with_spots, qtbot):
    from linzhang_qgis.gui.inspection_dock import InspectionPanel
    from linzhang_qgis.qgis_glue.styling import add_workspace_to_project

    add_workspace_to_project(workspace, QgsProject.instance())
    os.chmod(workspace, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        panel = InspectionPanel(iface)
        assert panel.read_only_reason
        assert not panel.applyButton.isEnabled()
        assert panel.model.rowCount() > 0  # still readable
        assert not panel.apply()
    finally:
        os.chmod(workspace, stat.S_IRUSR | stat.S_IWUSR)
        panel.cleanup()


def test_spot_without_geometry_gives_a_message(panel, workspace, iface):
    from osgeo import ogr

    fid = min(state.fid for state in panel.model.states())
    dataset = ogr.Open(workspace, update=1)
    layer = dataset.GetLayerByName("change_spots")
    feature = layer.GetFeature(fid)
    feature.SetGeometry(None)
    layer.SetFeature(feature)
    dataset = None
    panel.layer.reload()
    if panel.current_fid == fid:
        panel.select_row(panel.proxy.rowCount() - 1)
    before = iface.mapCanvas().center()
    assert panel.select_fid(fid) and panel.current_fid == fid
    assert iface.mapCanvas().center() == before  # not moved (the message bar may change its height)
    item = iface.messageBar().currentItem()
    assert item is not None and ("geometry" in item.text() or "几何" in item.text())
    assert panel.current_state().values["spot_no"]  # still listed and editable


def test_edits_survive_closing_and_reopening(panel, workspace, iface):
    from linzhang_qgis.gui.inspection_dock import InspectionPanel

    panel.select_row(2)
    spot_no = panel.current_state().values["spot_no"]
    panel.notesEdit.setText("现场已核实")
    assert panel.apply()
    panel.cleanup()
    QgsProject.instance().clear()
    from linzhang_qgis.qgis_glue.styling import add_workspace_to_project

    add_workspace_to_project(workspace, QgsProject.instance())
    reopened = InspectionPanel(iface)
    try:
        row = next(r for r in range(reopened.model.rowCount()) if reopened.model.state(r).values["spot_no"] == spot_no)
        state = reopened.model.state(row)
        assert state.values["status"] == "interpreted" and state.values["notes"] == "现场已核实"
        assert state.history_count == 1
    finally:
        reopened.cleanup()


def test_compare_views_and_swipe_from_the_keyboard(panel, iface, qtbot):
    panel.select_row(0)
    panel.spotTable.setFocus()
    qtbot.keyClick(panel.spotTable, Qt.Key.Key_C)
    assert panel.compare is not None and panel.compare_dock.isVisible()
    before_layer, after_layer = panel.compare.layers()
    assert before_layer.name() == "前时相影像" and after_layer.name() == "后时相影像"
    geometry = panel.layer.getFeature(panel.current_fid).geometry()
    qtbot.waitUntil(lambda: panel.compare.after_canvas().extent().contains(geometry.boundingBox()), timeout=3000)
    qtbot.keyClick(panel.spotTable, Qt.Key.Key_S)
    assert panel.swipe is not None and panel.swipe.is_active()
    assert iface.mapCanvas().mapTool() is panel.swipe
    qtbot.keyClick(panel.spotTable, Qt.Key.Key_S)
    assert not panel.swipe.is_active()
    qtbot.keyClick(panel.spotTable, Qt.Key.Key_C)
    assert not panel.compare_dock.isVisible()
