"""linzhang:linkspotspatrols through real Processing: the demo district (tracks imported, spots detected, then
linked) against a direct shapely computation and the workspace rows, other CRSs, and bad input; and what
QGIS reads of the dates the spot store writes."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3

import geopandas as gpd
import pytest
import shapely
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsProcessingException,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDate, QDateTime

ALGORITHM = "linzhang:linkspotspatrols"
FOREST_SUBSET = "land_class IN ('0111','0131','0301','0302','0305','0307')"
HAN = re.compile(r"[\u4e00-\u9fff]")
GK = QgsCoordinateReferenceSystem("EPSG:4547")
X0, Y0 = 593000.0, 2858000.0


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from linzhang_qgis.core.demo import generate_demo

    return generate_demo(str(tmp_path_factory.mktemp("demo") / "district"))


@pytest.fixture(scope="module")
def demo_workspace(demo, processing_framework, tmp_path_factory):
    """The demo workspace with its year of tracks imported and the forest-loss spots detected into it."""
    from qgis.core import QgsApplication

    from linzhang_qgis.provider import LinzhangProvider

    registry = QgsApplication.processingRegistry()
    provider = LinzhangProvider()
    assert registry.addProvider(provider)
    try:
        folder = tmp_path_factory.mktemp("linked")
        workspace = str(folder / "workspace.gpkg")
        shutil.copy(demo.gpkg_path, workspace)
        run = processing_framework.run
        imported = run("linzhang:importtracks", {"INPUT": demo.tracks_dir, "OUTPUT": "TEMPORARY_OUTPUT",
                                                 "WORKSPACE": workspace,
                                                 "AREAS": f"{workspace}|layername=resp_areas"})
        assert imported["ADDED_TO_WORKSPACE"] > 100
        detected = run("linzhang:detectforestloss", {
            "BEFORE": demo.before_path, "AFTER": demo.after_path, "CLOUD_MASK": demo.cloud_mask_path,
            "FOREST": f"{workspace}|layername=forest_stands|subset={FOREST_SUBSET}",
            "AREAS": f"{workspace}|layername=resp_areas", "OUTPUT": str(folder / "spots.gpkg"),
            "WORKSPACE": workspace})
        assert detected["ADDED_TO_WORKSPACE"] >= 10
    finally:
        registry.removeProvider(provider)
    return workspace


def direct_patrols(workspace: str, distance: float) -> dict:
    """spot_no -> the number of dated tracks within ``distance`` started between the spot's dates: a plain
    loop over every pair with shapely.distance."""
    spots = gpd.read_file(workspace, layer="change_spots")
    tracks = gpd.read_file(workspace, layer="patrol_tracks")
    result = {}
    for spot in spots.itertuples():
        first, last = dt.date.fromisoformat(str(spot.before_date)[:10]), dt.date.fromisoformat(str(spot.after_date)[:10])
        result[spot.spot_no] = sum(
            1 for track in tracks.itertuples()
            if track.dated and track.start_time == track.start_time and track.start_time is not None
            and first <= track.start_time.date() <= last and shapely.distance(spot.geometry, track.geometry) <= distance)
    return result


def link(processing, workspace, out, **extra):
    parameters = {"SPOTS": f"{workspace}|layername=change_spots", "TRACKS": f"{workspace}|layername=patrol_tracks",
                  "DISTANCE": 200.0, "OUTPUT": str(out)}
    parameters.update(extra)
    return processing.run(ALGORITHM, parameters)


def test_demo_district_spots_linked_to_the_imported_patrols(processing, demo_workspace, tmp_path):
    workspace = str(tmp_path / "workspace.gpkg")
    shutil.copy(demo_workspace, workspace)
    with sqlite3.connect(workspace) as db:
        history_before = db.execute("SELECT count(*) FROM spot_history").fetchone()[0]
    for distance in (0.0, 200.0):
        result = link(processing, workspace, tmp_path / f"linked_{int(distance)}.gpkg", DISTANCE=distance,
                      WORKSPACE=workspace)
        output = gpd.read_file(result["OUTPUT"])
        spots = gpd.read_file(workspace, layer="change_spots")
        assert len(output) == len(spots) >= 10 and result["WORKSPACE_UPDATED"] == len(spots)
        assert set(spots.columns) <= set(output.columns) and {"patrols", "patrol_missed"} <= set(output.columns)
        expected = direct_patrols(workspace, distance)
        mine = dict(zip(output["spot_no"], output["patrols"]))
        assert mine == expected, distance
        missed = {n: bool(m) for n, m in zip(output["spot_no"], output["patrol_missed"])}
        assert missed == {n: count == 0 for n, count in expected.items()}
        assert result["MISSED"] == sum(missed.values()) and result["LINKED"] == len(missed) - result["MISSED"]
        assert result["UNCHECKED"] == 0
        # the workspace rows carry the same flag
        with sqlite3.connect(workspace) as db:
            stored = dict(db.execute("SELECT spot_no, patrol_missed FROM change_spots").fetchall())
        assert stored == {n: int(m) for n, m in missed.items()}
        if distance == 0.0:  # the demo has spots a patrol crossed and spots none touched
            assert result["MISSED"] > 0 and result["LINKED"] > 0
        else:
            assert result["LINKED"] > 0
    with sqlite3.connect(workspace) as db:  # a derived flag: no history rows
        assert db.execute("SELECT count(*) FROM spot_history").fetchone()[0] == history_before
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    from linzhang_qgis.core.inspection import store

    assert {s.values["patrol_missed"] for s in store.load_spots(workspace)} <= {True, False}


def memory_spots(rows, crs="EPSG:4547", fields=("spot_no", "before_date", "after_date")):
    types = {"spot_no": "string", "before_date": "date", "after_date": "date"}
    spec = "&".join(f"field={name}:{types[name]}" for name in fields)
    layer = QgsVectorLayer(f"MultiPolygon?crs={crs}&{spec}", "变化图斑", "memory")
    to_crs = QgsCoordinateTransform(GK, QgsCoordinateReferenceSystem(crs), QgsProject.instance())
    features = []
    for number, (x, y), first, last in rows:
        values = {"spot_no": number, "before_date": QDate(first) if first else None,
                  "after_date": QDate(last) if last else None}
        feature = QgsFeature(layer.fields())
        feature.setAttributes([values[name] for name in fields])
        geometry = QgsGeometry.fromWkt(f"POLYGON(({x} {y},{x + 100} {y},{x + 100} {y + 100},{x} {y + 100},{x} {y}))")
        geometry.transform(to_crs)
        feature.setGeometry(geometry)
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def memory_tracks(rows, crs="EPSG:4547", fields=("patrol_id", "start_time", "dated")):
    types = {"patrol_id": "string", "start_time": "datetime", "dated": "boolean"}
    spec = "&".join(f"field={name}:{types[name]}" for name in fields)
    layer = QgsVectorLayer(f"MultiLineString?crs={crs}&{spec}", "巡林轨迹", "memory")
    to_crs = QgsCoordinateTransform(GK, QgsCoordinateReferenceSystem(crs), QgsProject.instance())
    features = []
    for patrol_id, points, start in rows:
        values = {"patrol_id": patrol_id, "start_time": QDateTime(start) if start else None,
                  "dated": start is not None}
        feature = QgsFeature(layer.fields())
        feature.setAttributes([values[name] for name in fields])
        geometry = QgsGeometry.fromWkt("LINESTRING({})".format(", ".join(f"{x} {y}" for x, y in points)))
        geometry.transform(to_crs)
        feature.setGeometry(geometry)
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


SPOT_ROWS = [("S1", (X0, Y0), dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
             ("S2", (X0 + 2000, Y0), dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
             ("S3", (X0 + 4000, Y0), None, dt.date(2026, 6, 30))]
TRACK_ROWS = [("P1", [(X0 - 100, Y0 + 250), (X0 + 200, Y0 + 250)], dt.datetime(2026, 3, 1, 8)),   # 150 m from S1
              ("P2", [(X0 - 100, Y0 + 50), (X0 + 200, Y0 + 50)], dt.datetime(2025, 12, 1, 8)),   # crosses S1, too early
              ("P3", [(X0 + 1900, Y0 + 50), (X0 + 2200, Y0 + 50)], None),                        # crosses S2, undated
              ("P4", [(X0 + 3900, Y0 + 50), (X0 + 4200, Y0 + 50)], dt.datetime(2026, 3, 1, 8))]  # crosses S3


@pytest.mark.parametrize("spots_crs,tracks_crs", [("EPSG:4547", "EPSG:4547"), ("EPSG:4326", "EPSG:4326"),
                                                  ("EPSG:4547", "EPSG:32650")])
def test_synthetic_spots_and_tracks_in_any_crs(processing, spots_crs, tracks_crs):
    spots = memory_spots(SPOT_ROWS, spots_crs)
    tracks = memory_tracks(TRACK_ROWS, tracks_crs)
    result = processing.run(ALGORITHM, {"SPOTS": spots, "TRACKS": tracks, "DISTANCE": 200.0,
                                        "OUTPUT": "TEMPORARY_OUTPUT"})
    output = {f["spot_no"]: f for f in result["OUTPUT"].getFeatures()}
    assert result["OUTPUT"].crs().authid() == spots_crs
    assert (output["S1"]["patrols"], output["S1"]["patrol_missed"]) == (1, False)
    assert (output["S2"]["patrols"], output["S2"]["patrol_missed"]) == (0, True)
    unchecked = output["S3"]["patrol_missed"]
    assert output["S3"]["patrols"] == 0 and (unchecked is None or unchecked.isNull())  # no before date
    assert (result["MISSED"], result["LINKED"], result["UNCHECKED"], result["WORKSPACE_UPDATED"]) == (1, 1, 1, 0)
    narrow = processing.run(ALGORITHM, {"SPOTS": spots, "TRACKS": tracks, "DISTANCE": 100.0,
                                        "OUTPUT": "TEMPORARY_OUTPUT"})
    assert narrow["MISSED"] == 2 and narrow["LINKED"] == 0  # P1 is 150 m away


def assert_bilingual(error: QgsProcessingException, english: str):
    text = str(error)
    assert english in text and HAN.search(text), text


def test_missing_fields_and_empty_layers_are_refused_without_output(processing, tmp_path):
    out = tmp_path / "never.gpkg"
    no_dates = memory_spots([("S1", (X0, Y0), None, None)], fields=("spot_no",))
    with pytest.raises(QgsProcessingException) as caught:
        processing.run(ALGORITHM, {"SPOTS": no_dates, "TRACKS": memory_tracks(TRACK_ROWS), "OUTPUT": str(out)})
    assert_bilingual(caught.value, "lacks the fields: before_date, after_date")
    undated_layer = memory_tracks(TRACK_ROWS, fields=("patrol_id",))
    with pytest.raises(QgsProcessingException) as caught:
        processing.run(ALGORITHM, {"SPOTS": memory_spots(SPOT_ROWS), "TRACKS": undated_layer, "OUTPUT": str(out)})
    assert_bilingual(caught.value, "lacks the fields: start_time, dated")
    with pytest.raises(QgsProcessingException) as caught:
        processing.run(ALGORITHM, {"SPOTS": memory_spots(SPOT_ROWS), "TRACKS": memory_tracks([]), "OUTPUT": str(out)})
    assert_bilingual(caught.value, "import the tracks first")
    with pytest.raises(QgsProcessingException) as caught:
        processing.run(ALGORITHM, {"SPOTS": memory_spots([]), "TRACKS": memory_tracks(TRACK_ROWS), "OUTPUT": str(out)})
    assert_bilingual(caught.value, "has no features")
    assert not out.exists()


def test_a_read_only_workspace_is_refused_before_any_output(processing, tmp_path):
    from linzhang_qgis.core.workspace import create_workspace

    workspace = str(tmp_path / "ws.gpkg")
    create_workspace(workspace)
    os.chmod(workspace, 0o444)
    out = tmp_path / "never.gpkg"
    try:
        with pytest.raises(QgsProcessingException) as caught:
            processing.run(ALGORITHM, {"SPOTS": memory_spots(SPOT_ROWS), "TRACKS": memory_tracks(TRACK_ROWS),
                                       "WORKSPACE": workspace, "OUTPUT": str(out)})
    finally:
        os.chmod(workspace, 0o644)
    assert_bilingual(caught.value, "read-only file")
    assert not out.exists()


def test_qgis_reads_what_the_spot_store_writes(qgis_app, tmp_path):
    """Dates, the history time and the patrol flag written by sqlite3 appear in QGIS as QDate, QDateTime
    and bool, with the times as written (no time-zone shift)."""
    import shapely as shp
    from pyproj import CRS

    from linzhang_qgis.core.change.spot_store import append_spots
    from linzhang_qgis.core.change.spots import SpotRecord
    from linzhang_qgis.core.inspection import store
    from linzhang_qgis.core.workspace import create_workspace

    workspace = str(tmp_path / "ws.gpkg")
    create_workspace(workspace)
    append_spots(workspace, [SpotRecord(shp.box(X0, Y0, X0 + 50, Y0 + 50), {
        "spot_no": "Q-0001", "status": "issued", "before_date": dt.date(2025, 10, 20),
        "after_date": dt.date(2026, 10, 18)})], CRS.from_epsg(4547).to_wkt())
    state = store.load_spots(workspace)[0]
    store.apply_change(workspace, state.fid, state.version,
                       {"status": "interpreted", "inspector": "李核查", "verify_date": dt.date(2026, 12, 31)},
                       "李核查", now=dt.datetime(2026, 11, 2, 9, 30, 15, 250000))
    store.set_patrol_missed(workspace, {"Q-0001": True})
    spots = QgsVectorLayer(f"{workspace}|layername=change_spots", "spots", "ogr")
    assert spots.isValid()
    [feature] = list(spots.getFeatures())
    assert feature["verify_date"] == QDate(2026, 12, 31) and feature["before_date"] == QDate(2025, 10, 20)
    assert feature["status"] == "interpreted" and feature["patrol_missed"] is True
    history = QgsVectorLayer(f"{workspace}|layername=spot_history", "history", "ogr")
    [entry] = list(history.getFeatures())
    changed_at = entry["changed_at"]
    assert isinstance(changed_at, QDateTime)
    assert changed_at.date() == QDate(2026, 11, 2)
    assert (changed_at.time().hour(), changed_at.time().minute(), changed_at.time().second()) == (9, 30, 15)
    assert entry["changed_by"] == "李核查" and entry["new_status"] == "interpreted"
