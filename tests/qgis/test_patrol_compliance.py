"""linzhang:patrolcompliance through Processing: the demo district's chiefs against the demo's truth."""
from __future__ import annotations

import datetime as dt
import glob
import os

import pytest
from qgis.core import (
    QgsApplication,
    QgsFeature,
    QgsGeometry,
    QgsProcessingException,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDateTime

gpd = pytest.importorskip("geopandas")
gpxpy = pytest.importorskip("gpxpy")
openpyxl = pytest.importorskip("openpyxl")
pyproj = pytest.importorskip("pyproj")

from linzhang_qgis.core.demo import generate_demo  # noqa: E402

ALGORITHM = "linzhang:patrolcompliance"
YEAR = {"DATE_FROM": "2025-11-01", "DATE_TO": "2026-10-31"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate_demo(str(tmp_path_factory.mktemp("demo")))


@pytest.fixture(scope="module")
def truth(demo):
    patrols = gpd.read_file(demo.gpkg_path, layer="demo_truth_patrols")
    compliance = gpd.read_file(demo.gpkg_path, layer="demo_truth_compliance")
    return patrols, compliance


def layer(demo, name):
    result = QgsVectorLayer(f"{demo.gpkg_path}|layername={name}", name, "ogr")
    assert result.isValid(), name
    return result


def tracks_from_gpx(folder: str, kinds: dict[str, str]) -> QgsVectorLayer:
    """The demo's GPX files as a patrol-track layer (EPSG:4547), a stand-in for linzhang:importtracks.

    Bad fixes (0, 0) and jumps over 45 km are dropped; the truth marks car drives (not on foot) and the
    broken clock (not dated), as the import step would.
    """
    to_gk = pyproj.Transformer.from_crs(4326, 4547, always_xy=True)
    result = QgsVectorLayer("MultiLineString?crs=EPSG:4547&field=patrol_id:string&field=patroller:string"
                            "&field=area_code:string&field=start_time:datetime&field=dated:boolean"
                            "&field=on_foot:boolean", "patrol_tracks", "memory")
    features = []
    for path in sorted(glob.glob(os.path.join(folder, "*.gpx"))):
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as handle:
            gpx = gpxpy.parse(handle)
        points = [p for track in gpx.tracks for segment in track.segments for p in segment.points]
        kept, last = [], None
        for point in points:
            if abs(point.longitude) < 1e-6 and abs(point.latitude) < 1e-6:
                continue
            x, y = to_gk.transform(point.longitude, point.latitude)
            if last is not None and ((x - last[0]) ** 2 + (y - last[1]) ** 2) ** 0.5 > 45000:
                continue
            kept.append((x, y))
            last = (x, y)
        kind = kinds[name]
        feature = QgsFeature(result.fields())
        feature.setAttributes([name[:-4], gpx.name or gpx.author_name, name.split("_")[0],
                               QDateTime(points[0].time), kind != "broken_time", kind != "car"])
        feature.setGeometry(QgsGeometry.fromWkt("MULTILINESTRING(({}))".format(
            ", ".join(f"{x} {y}" for x, y in kept))))
        features.append(feature)
    result.dataProvider().addFeatures(features)
    return result


def import_tracks(processing, demo, truth):
    """linzhang:importtracks when the plugin has it, else the GPX files read here."""
    if QgsApplication.processingRegistry().algorithmById("linzhang:importtracks") is not None:
        output = processing.run("linzhang:importtracks", {"INPUT": demo.tracks_dir, "AREAS": layer(demo, "resp_areas"),
                                                          "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"]
        return output if isinstance(output, QgsVectorLayer) else QgsVectorLayer(output, "tracks", "ogr")
    patrols, _ = truth
    return tracks_from_gpx(demo.tracks_dir, dict(zip(patrols["file_name"], patrols["kind"])))


_TRACKS: dict = {}  # one import per demo (the GPX files take seconds to read)


@pytest.fixture()
def tracks(processing, demo, truth):
    if demo.tracks_dir not in _TRACKS:
        _TRACKS[demo.tracks_dir] = import_tracks(processing, demo, truth)
    return _TRACKS[demo.tracks_dir]


def summary_of(output) -> dict:
    return {feature["area_code"]: feature for feature in output.getFeatures()}


def test_demo_chiefs_found(processing, demo, truth, tracks, tmp_path):
    ledger = str(tmp_path / "巡林台账.xlsx")
    result = processing.run(ALGORITHM, {
        "AREAS": layer(demo, "resp_areas"), "TRACKS": tracks, **YEAR,
        "OUTPUT": "TEMPORARY_OUTPUT", "PERIODS": "TEMPORARY_OUTPUT", "LEDGER": ledger})
    rows = summary_of(result["OUTPUT"])
    _, compliance = truth
    expected = {row.area_code: row for row in compliance.itertuples()}
    assert set(rows) == set(expected)
    wrong = []
    for code, row in expected.items():
        got = rows[code]
        if (bool(got["compliant"]), got["periods_required"], got["periods_met"]) != (
                bool(row.compliant), row.periods_required, row.periods_met):
            wrong.append((code, row.level, row.compliant, row.periods_met, got["compliant"], got["periods_met"]))
    assert not wrong, wrong
    non_compliant = sum(1 for row in expected.values() if not row.compliant)
    assert result["NON_COMPLIANT"] == non_compliant == demo.n_noncompliant
    assert result["COMPLIANT"] == demo.n_compliant
    # every level has its non-compliant chiefs found and none of its compliant ones flagged
    for level in (1, 2, 3, 4):
        mine = [code for code, row in expected.items() if row.level == level]
        assert {c for c in mine if not rows[c]["compliant"]} == {c for c in mine if not expected[c].compliant}

    periods = result["PERIODS"]
    assert periods.featureCount() == sum(row.periods_required for row in expected.values())
    workbook = openpyxl.load_workbook(ledger)
    assert workbook.sheetnames == ["汇总", "明细", "按级汇总"]
    summary_sheet = workbook["汇总"]
    assert summary_sheet.max_row == 2 + len(expected)
    flagged = sum(1 for r in summary_sheet.iter_rows(min_row=3, values_only=True) if r[6] == "否")
    assert flagged == non_compliant


def test_car_drive_counts_when_vehicles_allowed(processing, demo, truth, tracks):
    patrols, _ = truth
    car = patrols[patrols["kind"] == "car"].iloc[0]
    on_foot = summary_of(processing.run(ALGORITHM, {
        "AREAS": layer(demo, "resp_areas"), "TRACKS": tracks, **YEAR, "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"])
    any_vehicle = summary_of(processing.run(ALGORITHM, {
        "AREAS": layer(demo, "resp_areas"), "TRACKS": tracks, **YEAR, "ON_FOOT_ONLY": False,
        "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"])
    assert any_vehicle[car.area_code]["patrols"] == on_foot[car.area_code]["patrols"] + 1
    assert any_vehicle[car.area_code]["periods_met"] == on_foot[car.area_code]["periods_met"] + 1


def test_rules_table_of_the_workspace(processing, demo, tracks):
    rules = layer(demo, "patrol_rules")
    assert rules.featureCount() == 4
    default = summary_of(processing.run(ALGORITHM, {
        "AREAS": layer(demo, "resp_areas"), "TRACKS": tracks, **YEAR, "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"])
    from_table = summary_of(processing.run(ALGORITHM, {
        "AREAS": layer(demo, "resp_areas"), "TRACKS": tracks, "RULES": rules, **YEAR,
        "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"])
    assert {c: f["compliant"] for c, f in default.items()} == {c: f["compliant"] for c, f in from_table.items()}
    # a weekly rule for villages: nobody keeps it
    weekly = QgsVectorLayer("None?field=level:integer&field=period:string&field=min_count:integer", "r", "memory")
    rows = [(1, "quarter", 1), (2, "month", 1), (3, "week", 1), (4, "month", 1)]
    features = []
    for values in rows:
        feature = QgsFeature(weekly.fields())
        feature.setAttributes(list(values))
        features.append(feature)
    weekly.dataProvider().addFeatures(features)
    strict = summary_of(processing.run(ALGORITHM, {
        "AREAS": layer(demo, "resp_areas"), "TRACKS": tracks, "RULES": weekly, **YEAR,
        "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"])
    villages = [f for f in strict.values() if f["level"] == 3]
    assert villages and not any(f["compliant"] for f in villages)
    assert all(f["periods_required"] == 53 for f in villages)  # 2025-11-01 (a Saturday) to 2026-10-31


def memory_areas(code_type: str, fields=("code", "name", "level", "parent_code", "chief_name")):
    spec = {"code": f"code:{code_type}", "name": "name:string", "level": "level:integer",
            "parent_code": f"parent_code:{code_type}", "chief_name": "chief_name:string"}
    uri = "MultiPolygon?crs=EPSG:4547&" + "&".join("field=" + spec[name] for name in fields)
    areas = QgsVectorLayer(uri, "areas", "memory")
    values = {"code": 3607, "name": "甲镇", "level": 2, "parent_code": None, "chief_name": "甲"}
    feature = QgsFeature(areas.fields())
    feature.setAttributes([values[name] for name in fields])
    feature.setGeometry(QgsGeometry.fromWkt("MULTIPOLYGON(((0 0, 1000 0, 1000 1000, 0 1000, 0 0)))"))
    areas.dataProvider().addFeatures([feature])
    return areas


def memory_tracks():
    tracks = QgsVectorLayer("LineString?crs=EPSG:4547&field=patrol_id:string&field=patroller:string"
                            "&field=area_code:string&field=start_time:datetime", "tracks", "memory")
    feature = QgsFeature(tracks.fields())
    feature.setAttributes(["p1", "someone", " 3607 ", QDateTime(dt.datetime(2026, 1, 10, 9, 0))])
    feature.setGeometry(QgsGeometry.fromWkt("LINESTRING(100 500, 900 500)"))
    tracks.dataProvider().addFeatures([feature])
    return tracks


def test_number_codes_match_text_codes(processing):
    result = processing.run(ALGORITHM, {"AREAS": memory_areas("integer"), "TRACKS": memory_tracks(),
                                        "DATE_FROM": "2026-01-01", "DATE_TO": "2026-01-31",
                                        "OUTPUT": "TEMPORARY_OUTPUT"})
    feature = next(result["OUTPUT"].getFeatures())
    assert feature["area_code"] == "3607" and feature["patrols"] == 1 and feature["compliant"]
    assert feature["last_patrol"].toPyDate() == dt.date(2026, 1, 10)
    assert result["NON_COMPLIANT"] == 0


def test_missing_field_is_explained(processing):
    areas = memory_areas("string", fields=("code", "name", "level", "parent_code"))
    with pytest.raises(QgsProcessingException) as caught:
        processing.run(ALGORITHM, {"AREAS": areas, "TRACKS": memory_tracks(), "DATE_FROM": "2026-01-01",
                                   "DATE_TO": "2026-01-31", "OUTPUT": "TEMPORARY_OUTPUT"})
    assert "chief_name" in str(caught.value) and "缺少字段" in str(caught.value)
