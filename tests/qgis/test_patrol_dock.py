"""The patrol dock (巡林面板) on the demo district: search, numbers against the core, overlay, QA notes, unload."""
from __future__ import annotations

import datetime as dt
import os

import pytest
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsProject,
    QgsVectorLayer,
)
from qgis.gui import QgsDockWidget

from linzhang_qgis import dependencies
from linzhang_qgis.gui import patrol_summary

CORE_READY = (not dependencies.missing_packages(patrol_summary.REQUIRED_PACKAGES)
              and patrol_summary.core_problem() is None)
needs_core = pytest.mark.skipif(
    not CORE_READY,
    reason="linzhang_qgis.core.patrols (coverage, compliance, rules) or geopandas/shapely/pyproj cannot be imported")

SUMMARY_TIMEOUT_MS = 30000
QA_NOTES = {  # what the import step would write (used only while linzhang:importtracks does not exist)
    "car": "Median speed 32 km/h: driven, not counted as a foot patrol.",
    "broken_time": "The clock says 1901: the track is undated.",
    "bad_fixes": "3 fixes at (0, 0) and a 55 km jump removed.",
    "gap": "A 2 h gap without fixes.",
}


# --- fixtures ---------------------------------------------------------------------------------------

def fill_patrol_tracks(gpkg: str) -> int:
    """The demo's truth tracks copied into the workspace's patrol_tracks layer, as the import step fills it.

    Same geometry (EPSG:4547), patroller, area code and times; a car drive is not on foot, the broken
    clock is undated, each planted problem gets a QA note.
    """
    truth = QgsVectorLayer(f"{gpkg}|layername=demo_truth_patrols", "truth", "ogr")
    tracks = QgsVectorLayer(f"{gpkg}|layername=patrol_tracks", "tracks", "ogr")
    assert truth.isValid() and tracks.isValid()
    features = []
    for source in truth.getFeatures():
        kind = source["kind"]
        feature = QgsFeature(tracks.fields())
        feature.setGeometry(source.geometry())
        start, end = source["start_time"], source["end_time"]
        values = {
            "patrol_id": os.path.splitext(source["file_name"])[0],
            "patroller": source["patroller"],
            "area_code": source["area_code"],
            "start_time": start,
            "end_time": end,
            "duration_h": start.secsTo(end) / 3600.0,
            "length_km": source["length_km"],
            "n_points": source["n_points"],
            "on_foot": kind != "car",
            "dated": kind != "broken_time",
            "qa_note": QA_NOTES.get(kind, ""),
            "source_file": source["file_name"],
        }
        for name, value in values.items():
            feature[name] = value
        features.append(feature)
    ok, _ = tracks.dataProvider().addFeatures(features)
    assert ok
    return len(features)


def import_with_processing(processing_module, demo) -> bool:
    """Fill the workspace with linzhang:importtracks (the real import step); False when it does not exist yet."""
    from qgis.core import QgsApplication

    from linzhang_qgis.provider import LinzhangProvider

    registry = QgsApplication.processingRegistry()
    provider = LinzhangProvider()
    if not registry.addProvider(provider):
        provider = None  # registered by someone else: use theirs, leave it
    try:
        if registry.algorithmById("linzhang:importtracks") is None:
            return False
        result = processing_module.run("linzhang:importtracks", {
            "INPUT": demo.tracks_dir, "AREAS": f"{demo.gpkg_path}|layername=resp_areas",
            "OUTPUT": "TEMPORARY_OUTPUT", "WORKSPACE": demo.gpkg_path})
        assert result["ADDED_TO_WORKSPACE"] >= demo.n_tracks - 1
        return True
    finally:
        if provider is not None:
            registry.removeProvider(provider)


@pytest.fixture(scope="module")
def demo_gpkg(tmp_path_factory, processing_framework):
    """The demo district with its patrol tracks imported (by linzhang:importtracks, else from the demo's truth)."""
    from linzhang_qgis.core.demo import generate_demo

    demo = generate_demo(str(tmp_path_factory.mktemp("patrol_dock_demo")))
    if not (CORE_READY and import_with_processing(processing_framework, demo)):
        assert fill_patrol_tracks(demo.gpkg_path) == demo.n_tracks
    return demo.gpkg_path


@pytest.fixture()
def opened(iface, demo_gpkg):
    from linzhang_qgis.qgis_glue.styling import add_workspace_to_project

    add_workspace_to_project(demo_gpkg, QgsProject.instance())
    return iface


@pytest.fixture()
def dock(opened, qtbot):
    from qgis.PyQt.QtCore import Qt

    from linzhang_qgis.gui.patrol_dock import PatrolDock

    widget = PatrolDock(opened, opened.mainWindow())
    opened.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, widget)
    widget.show()
    yield widget
    widget.cleanup()
    opened.removeDockWidget(widget)
    widget.deleteLater()
    qtbot.wait(1)


def workspace_layer(name: str) -> QgsVectorLayer:
    return next(layer for layer in QgsProject.instance().mapLayers().values()
                if patrol_summary.table_name(layer) == name)


def visible_codes(panel) -> list[str]:
    from linzhang_qgis.gui.area_model import CODE_ROLE

    proxy = panel.area_proxy
    return [proxy.index(row, 0).data(CODE_ROLE) for row in range(proxy.rowCount())]


def busiest_area(gpkg: str) -> tuple[str, dt.date]:
    """The village (level 3) with the most foot patrols, and the day of its latest one."""
    truth = QgsVectorLayer(f"{gpkg}|layername=demo_truth_patrols", "truth", "ogr")
    counts: dict[str, list[dt.date]] = {}
    for feature in truth.getFeatures():
        if feature["kind"] == "foot" and feature["level"] == 3:
            counts.setdefault(feature["area_code"], []).append(feature["patrol_date"].toPyDate())
    code = max(sorted(counts), key=lambda c: len(counts[c]))
    return code, max(counts[code])


def type_text(widget, text: str) -> None:
    """Type ``text`` key by key: QTest's keyClicks only knows ASCII keys, so each character goes as a key event."""
    from qgis.PyQt.QtCore import QEvent, Qt
    from qgis.PyQt.QtGui import QKeyEvent
    from qgis.PyQt.QtWidgets import QApplication

    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def choose(panel, qtbot, code: str) -> object:
    with qtbot.waitSignal(panel.summaryShown, timeout=SUMMARY_TIMEOUT_MS) as blocker:
        assert panel.select_area(code)
    return blocker.args[0]


# --- pure helpers -------------------------------------------------------------------------------------

def test_periods_and_cell_sizes():
    assert patrol_summary.period_range("month", dt.date(2026, 2, 14)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert patrol_summary.period_range("quarter", dt.date(2026, 11, 3)) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert patrol_summary.period_range("year", dt.date(2026, 5, 1)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert patrol_summary.shift_period("month", dt.date(2026, 1, 1), dt.date(2026, 1, 31), -1) == (
        dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert patrol_summary.shift_period("custom", dt.date(2026, 1, 1), dt.date(2026, 1, 10), 1) == (
        dt.date(2026, 1, 11), dt.date(2026, 1, 20))
    assert patrol_summary.cell_size_for(300 * 10000) == 100.0  # a group's 300 ha: 100 m cells
    assert patrol_summary.cell_size_for(8600 * 10000) == 400.0  # the district
    subset = patrol_summary.track_subset("36'07", dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert "'36''07'" in subset and "'2026-02-01'" in subset


# --- no workspace, missing packages ------------------------------------------------------------------

def test_without_a_workspace_the_dock_says_so(iface, qtbot):
    from linzhang_qgis.gui.patrol_dock import PatrolDock

    widget = PatrolDock(iface, iface.mainWindow())
    try:
        panel = widget.panel
        assert panel.pageStack.currentWidget() is panel.messagePage
        text = panel.messageLabel.text()
        assert "workspace" in text or "工作空间" in text
        assert "Traceback" not in text
    finally:
        widget.cleanup()
        widget.deleteLater()


def test_missing_packages_are_named(iface, monkeypatch):
    from linzhang_qgis.gui.patrol_dock import PatrolDock

    monkeypatch.setattr(patrol_summary, "missing_packages", lambda: ["geopandas", "shapely"])
    widget = PatrolDock(iface, iface.mainWindow())
    try:
        panel = widget.panel
        assert panel.pageStack.currentWidget() is panel.messagePage
        assert "geopandas" in panel.messageLabel.text() and "shapely" in panel.messageLabel.text()
    finally:
        widget.cleanup()
        widget.deleteLater()


# --- with the demo workspace ---------------------------------------------------------------------------

def test_search_filters_by_name_code_and_chief(dock, qtbot):
    panel = dock.panel
    assert panel.pageStack.currentWidget() is panel.mainPage
    entries = panel.area_model.entries()
    assert len(entries) == 45 and all(e.label == f"{e.name} ({e.code}) · {e.chief_name}" for e in entries)
    town = next(e for e in entries if e.level == 2)
    qtbot.keyClicks(panel.searchEdit, town.code)
    assert sorted(visible_codes(panel)) == sorted(e.code for e in entries if e.code.startswith(town.code))
    panel.searchEdit.clear()
    assert len(visible_codes(panel)) == 45
    type_text(panel.searchEdit, town.chief_name)
    assert town.code in visible_codes(panel)
    assert all(town.chief_name in e.search_text for e in entries if e.code in visible_codes(panel))
    panel.searchEdit.clear()
    type_text(panel.searchEdit, town.name)
    assert town.code in visible_codes(panel) and len(visible_codes(panel)) < 45
    panel.searchEdit.clear()
    qtbot.keyClicks(panel.searchEdit, "no such area")
    assert visible_codes(panel) == []


@needs_core
def test_numbers_overlay_and_cells_match_the_core(dock, qtbot, demo_gpkg):
    from linzhang_qgis.core.patrols.compliance import patrol_compliance
    from linzhang_qgis.core.patrols.coverage import area_coverage, effort_grid
    from linzhang_qgis.core.patrols.rules import default_rules
    from linzhang_qgis.gui.patrol_dock import compliance_text
    from linzhang_qgis.qgis_glue.frames import source_to_frame

    panel = dock.panel
    code, last_day = busiest_area(demo_gpkg)
    panel.set_period("quarter", last_day)
    first, last = patrol_summary.period_range("quarter", last_day)
    assert panel.period() == (first, last)
    summary = choose(panel, qtbot, code)
    assert summary.entry.code == code and panel.summary is summary

    # the same numbers straight from the core, on frames read independently of the dock
    crs = QgsCoordinateReferenceSystem("EPSG:4547")
    areas_layer = QgsVectorLayer(f"{demo_gpkg}|layername=resp_areas", "a", "ogr")
    areas_layer.setSubsetString(f"\"code\" = '{code}'")
    areas = source_to_frame(areas_layer, ["code", "name", "level", "parent_code", "chief_name"], crs)
    tracks_layer = QgsVectorLayer(f"{demo_gpkg}|layername=patrol_tracks", "t", "ogr")
    tracks_layer.setSubsetString(f"\"area_code\" = '{code}'")
    tracks = source_to_frame(tracks_layer, ["patrol_id", "patroller", "area_code", "start_time", "end_time",
                                            "on_foot", "dated"], crs)
    coverage = area_coverage(tracks, areas, swath_m=100.0, date_from=first, date_to=last).iloc[0]
    as_of = max(first, min(last, dt.date.today()))
    compliance = patrol_compliance(areas, tracks, default_rules(), first, last, as_of=as_of)
    row = compliance.summary.iloc[0]
    cells = effort_grid(tracks, areas, summary.cell_size_m, date_from=first, date_to=last)

    assert summary.coverage_pct == pytest.approx(coverage["coverage_pct"]) and 0 < summary.coverage_pct < 100
    assert summary.covered_ha == pytest.approx(coverage["covered_ha"])
    assert summary.patrols_done == row["patrols"] >= 1
    assert summary.patrols_required == int(compliance.periods["required"].sum()) == 3  # monthly rule, a quarter
    assert (summary.periods_met, summary.periods_required) == (row["periods_met"], row["periods_required"])
    assert summary.last_patrol == row["last_patrol"] == last_day
    assert summary.compliant == bool(row["compliant"])
    assert summary.n_cells == len(cells) and summary.never_visited == int((~cells["visited"]).sum()) > 0

    # what the dock shows is those numbers
    assert f"{coverage['coverage_pct']:.1f}" in panel.coverageValue.text()
    assert str(int(row["patrols"])) in panel.patrolsValue.text() and "3" in panel.patrolsValue.text()
    assert panel.lastPatrolValue.text() == last_day.isoformat()
    assert panel.complianceValue.text() == compliance_text(summary)
    assert str(summary.never_visited) in panel.cellsValue.text()

    # the map: the workspace's track layer shows this area's tracks of the period, replayable in time
    shown = workspace_layer("patrol_tracks")
    assert code in shown.subsetString() and first.isoformat() in shown.subsetString()
    assert {f["area_code"] for f in shown.getFeatures()} == {code}
    props = shown.temporalProperties()
    assert props.isActive()
    assert props.mode() == Qgis.VectorTemporalMode.FeatureDateTimeStartAndEndFromFields
    assert (props.startField(), props.endField()) == ("start_time", "end_time")
    assert panel.track_model.rowCount() == len(list(shown.getFeatures())) >= summary.patrols_done

    # the never-visited cells: one temporary layer, drawn just under the tracks
    temporary = patrol_summary.temporary_layers(QgsProject.instance())
    assert len(temporary) == 1 and temporary[0].featureCount() == summary.n_cells
    never = [f for f in temporary[0].getFeatures() if not f["visited"]]
    assert len(never) == summary.never_visited
    group = QgsProject.instance().layerTreeRoot().findLayer(shown.id()).parent()
    layer_ids = [child.layerId() for child in group.children() if hasattr(child, "layerId")]
    assert layer_ids.index(temporary[0].id()) == layer_ids.index(shown.id()) + 1

    # another period replaces the cells layer rather than adding one
    with qtbot.waitSignal(panel.summaryShown, timeout=SUMMARY_TIMEOUT_MS):
        panel.prevButton.click()
    assert panel.period() == patrol_summary.shift_period("quarter", first, last, -1)
    assert len(patrol_summary.temporary_layers(QgsProject.instance())) == 1


@needs_core
def test_selecting_a_track_shows_its_qa_note(dock, qtbot, demo_gpkg):
    panel = dock.panel
    truth = QgsVectorLayer(f"{demo_gpkg}|layername=demo_truth_patrols", "truth", "ogr")
    car = next(f for f in truth.getFeatures() if f["kind"] == "car")
    panel.set_period("year", car["patrol_date"].toPyDate())
    choose(panel, qtbot, car["area_code"])
    shown = workspace_layer("patrol_tracks")
    notes = {f.id(): (f["source_file"], f["qa_note"]) for f in shown.getFeatures()}
    rows = panel.track_model.rows()
    row = next(i for i, track in enumerate(rows) if notes[track.fid][0] == car["file_name"])
    assert rows[row].on_foot is False and panel.track_model.index(row, 3).data() in ("no", "否")
    panel.trackTable.selectRow(row)
    assert panel.qaNoteLabel.text() == notes[rows[row].fid][1] != ""
    assert shown.selectedFeatureIds() == [rows[row].fid]

    # a track selected on the map selects its row and shows its note
    other = next(i for i, track in enumerate(rows) if i != row)
    shown.selectByIds([rows[other].fid])
    assert panel.trackTable.currentIndex().row() == other
    assert panel.qaNoteLabel.text() in (notes[rows[other].fid][1], panel.tr_no_note())


@needs_core
def test_undated_tracks_are_listed_with_their_note(dock, qtbot, demo_gpkg):
    panel = dock.panel
    truth = QgsVectorLayer(f"{demo_gpkg}|layername=demo_truth_patrols", "truth", "ogr")
    broken = next(f for f in truth.getFeatures() if f["kind"] == "broken_time")
    panel.set_period("month", dt.date(2026, 6, 1))
    summary = choose(panel, qtbot, broken["area_code"])
    assert summary.entry.code == broken["area_code"]
    shown = workspace_layer("patrol_tracks")
    undated = [track for track in panel.track_model.rows() if track.dated is False]
    assert len(undated) == 1 and (undated[0].start_time is None or undated[0].start_time.year == 1901)
    assert undated[0].qa_note and undated[0].qa_note == shown.getFeature(undated[0].fid)["qa_note"]
    assert panel.track_model.rows()[-1] == undated[0]  # undated ones last


@needs_core
def test_closing_restores_and_reopening_reapplies(dock, qtbot, demo_gpkg):
    panel = dock.panel
    code, day = busiest_area(demo_gpkg)
    panel.set_period("month", day)
    choose(panel, qtbot, code)
    shown = workspace_layer("patrol_tracks")
    assert shown.subsetString()
    dock.close()
    assert shown.subsetString() == "" and not shown.temporalProperties().isActive()
    assert patrol_summary.temporary_layers(QgsProject.instance()) == []
    with qtbot.waitSignal(panel.summaryShown, timeout=SUMMARY_TIMEOUT_MS):
        dock.show()
    assert code in shown.subsetString()


@needs_core
def test_plugin_action_opens_the_dock_and_unload_removes_everything(opened, qtbot, demo_gpkg):
    import linzhang_qgis

    window = opened.mainWindow()
    plugin = linzhang_qgis.classFactory(opened)
    plugin.initGui()
    unloaded = False
    try:
        assert window.findChildren(QgsDockWidget, "linzhang_patrol_dock") == []  # created on first use
        plugin.patrol_action.trigger()
        docks = window.findChildren(QgsDockWidget, "linzhang_patrol_dock")
        assert len(docks) == 1 and docks[0].isVisible() and plugin.patrol_action.isChecked()
        code, day = busiest_area(demo_gpkg)
        docks[0].panel.set_period("month", day)
        choose(docks[0].panel, qtbot, code)
        assert len(patrol_summary.temporary_layers(QgsProject.instance())) == 1
        plugin.patrol_action.trigger()  # unchecked: the dock closes
        assert not docks[0].isVisible() and not plugin.patrol_action.isChecked()
        plugin.patrol_action.trigger()
        assert docks[0].isVisible()
        plugin.unload()
        unloaded = True
        qtbot.wait(1)  # deleteLater
        assert window.findChildren(QgsDockWidget, "linzhang_patrol_dock") == []
        assert patrol_summary.temporary_layers(QgsProject.instance()) == []
        shown = workspace_layer("patrol_tracks")
        assert shown.subsetString() == "" and not shown.temporalProperties().isActive()
    finally:
        if not unloaded:
            plugin.unload()
