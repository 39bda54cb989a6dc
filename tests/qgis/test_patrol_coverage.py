"""linzhang:patrolcoverage through processing.run: reprojection, fields, grid, filters, messages, the demo district."""
from __future__ import annotations

import datetime as dt
import glob
import os

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDate, QDateTime

X0, Y0 = 593000.0, 2858000.0  # near Ganzhou, EPSG:4547
GK = QgsCoordinateReferenceSystem("EPSG:4547")
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
T0 = dt.datetime(2026, 3, 1, 8, 0)


def areas_layer(crs: str = "EPSG:4547"):
    """Two adjacent 1 km squares (A1 west, A2 east) and a far one (A3), built in EPSG:4547."""
    layer = QgsVectorLayer(f"MultiPolygon?crs={crs}&field=code:string&field=name:string&field=level:integer",
                           "责任区", "memory")
    to_crs = QgsCoordinateTransform(GK, QgsCoordinateReferenceSystem(crs), QgsProject.instance())
    features = []
    for code, (x, y) in (("A1", (X0, Y0)), ("A2", (X0 + 1000, Y0)), ("A3", (X0, Y0 + 5000))):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([code, f"{code} 村", 3])
        geometry = QgsGeometry.fromWkt(f"POLYGON(({x} {y},{x + 1000} {y},{x + 1000} {y + 1000},{x} {y + 1000},{x} {y}))")
        geometry = geometry.densifyByDistance(50)
        geometry.transform(to_crs)
        feature.setGeometry(geometry)
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def tracks_layer(rows, crs: str = "EPSG:4326", fields=("patrol_id", "start_time", "end_time", "dated", "on_foot")):
    """rows: (patrol_id, [(x, y) in EPSG:4547], start or None, hours, on_foot); stored in ``crs``."""
    types = {"patrol_id": "string", "start_time": "datetime", "end_time": "datetime", "dated": "boolean",
             "on_foot": "boolean"}
    spec = "&".join(f"field={name}:{types[name]}" for name in fields)
    layer = QgsVectorLayer(f"MultiLineString?crs={crs}&{spec}", "巡林轨迹", "memory")
    to_crs = QgsCoordinateTransform(GK, QgsCoordinateReferenceSystem(crs), QgsProject.instance())
    features = []
    for patrol_id, points, start, hours, on_foot in rows:
        values = {"patrol_id": patrol_id, "start_time": QDateTime(start) if start else None,
                  "end_time": QDateTime(start + dt.timedelta(hours=hours)) if start else None,
                  "dated": start is not None, "on_foot": on_foot}
        feature = QgsFeature(layer.fields())
        feature.setAttributes([values[name] for name in fields])
        geometry = QgsGeometry.fromPolylineXY([QgsPointXY(x, y) for x, y in points]).densifyByDistance(20)
        geometry.transform(to_crs)
        feature.setGeometry(geometry)
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


ACROSS_BOTH = [(X0 - 200, Y0 + 600), (X0 + 2200, Y0 + 600)]  # 2.4 km, 1 km in each of A1 and A2


def run(processing, tracks, areas, **extra):
    params = {"TRACKS": tracks, "AREAS": areas, "SWATH_WIDTH": 100, "OUTPUT": "TEMPORARY_OUTPUT"}
    params.update(extra)
    return processing.run("linzhang:patrolcoverage", params)


def by_code(layer):
    return {feature["code"]: feature for feature in layer.getFeatures()}


def test_tracks_in_wgs84_over_areas_in_gauss_kruger(processing):
    tracks = tracks_layer([("P1", ACROSS_BOTH, T0, 2.4, True)])
    result = run(processing, tracks, areas_layer())
    output = result["OUTPUT"]
    assert output.crs().authid() == "EPSG:4547"
    assert output.fields().names()[:3] == ["code", "name", "level"]
    for name in ("covered_ha", "coverage_pct", "track_km", "patrols", "patrol_days", "hours", "last_patrol"):
        assert name in output.fields().names()
    rows = by_code(output)
    for code in ("A1", "A2"):
        assert rows[code]["covered_ha"] == pytest.approx(10.0, rel=1e-3)  # 100 m swath x 1 km
        assert rows[code]["coverage_pct"] == pytest.approx(10.0, rel=1e-3)
        assert rows[code]["track_km"] == pytest.approx(1.0, rel=1e-3)
        assert rows[code]["patrols"] == 1 and rows[code]["patrol_days"] == 1
        assert rows[code]["hours"] == pytest.approx(1.0, rel=1e-3)
        assert rows[code]["last_patrol"] == QDate(2026, 3, 1)
        assert rows[code]["name"] == f"{code} 村"
    assert rows["A3"]["covered_ha"] == 0 and rows["A3"]["patrols"] == 0


def test_areas_in_a_geographic_crs_are_measured_in_metres(processing):
    tracks = tracks_layer([("P1", ACROSS_BOTH, T0, 2.4, True)], crs="EPSG:4547")
    result = run(processing, tracks, areas_layer("EPSG:4326"))
    assert result["OUTPUT"].crs().authid() == "EPSG:4326"
    rows = by_code(result["OUTPUT"])
    assert rows["A1"]["covered_ha"] == pytest.approx(10.0, rel=2e-3)
    assert rows["A2"]["track_km"] == pytest.approx(1.0, rel=2e-3)


def test_grid_output(processing):
    tracks = tracks_layer([("P1", ACROSS_BOTH, T0, 2.4, True)])
    result = run(processing, tracks, areas_layer(), GRID_SIZE=250, GRID="TEMPORARY_OUTPUT")
    grid = result["GRID"]
    assert grid.crs().authid() == "EPSG:4547"
    assert grid.fields().names() == ["cell_id", "area_code", "km", "patrols", "patrol_days", "visited"]
    cells = list(grid.getFeatures())
    assert len(cells) == 48  # 3 areas x 16 cells of 250 m
    visited = [cell for cell in cells if cell["visited"]]
    assert len(visited) == 8 and {cell["area_code"] for cell in visited} == {"A1", "A2"}
    assert sum(cell["km"] for cell in cells) == pytest.approx(2.0, rel=1e-3)
    assert sum(cell.geometry().area() for cell in cells) == pytest.approx(3e6, rel=1e-3)


def test_without_grid_size_there_is_no_grid(processing):
    result = run(processing, tracks_layer([("P1", ACROSS_BOTH, T0, 2.4, True)]), areas_layer())
    assert "GRID" not in result or not result["GRID"]


def test_date_and_on_foot_filters(processing):
    tracks = tracks_layer([
        ("MARCH", ACROSS_BOTH, dt.datetime(2026, 3, 10, 9), 2.4, True),
        ("MAY", [(X0 - 200, Y0 + 200), (X0 + 2200, Y0 + 200)], dt.datetime(2026, 5, 2, 9), 2.4, True),
        ("CAR", [(X0 + 500, Y0 - 100), (X0 + 500, Y0 + 1100)], dt.datetime(2026, 5, 5, 9), 0.2, False),
        ("NOTIME", [(X0 - 200, Y0 + 900), (X0 + 1100, Y0 + 900)], None, 0, True),
    ])
    everything = by_code(run(processing, tracks, areas_layer())["OUTPUT"])
    assert everything["A1"]["patrols"] == 4 and everything["A1"]["patrol_days"] == 3
    may = by_code(run(processing, tracks, areas_layer(), DATE_FROM=QDate(2026, 4, 1),
                      DATE_TO="2026-05-31")["OUTPUT"])
    assert may["A1"]["patrols"] == 2 and may["A1"]["last_patrol"] == QDate(2026, 5, 5)
    assert may["A2"]["patrols"] == 1 and may["A2"]["covered_ha"] == pytest.approx(10.0, rel=1e-3)
    on_foot = by_code(run(processing, tracks, areas_layer(), ON_FOOT_ONLY=True)["OUTPUT"])
    assert on_foot["A1"]["patrols"] == 3 and on_foot["A1"]["last_patrol"] == QDate(2026, 5, 2)


def test_missing_track_field_is_named(processing):
    tracks = tracks_layer([("P1", ACROSS_BOTH, T0, 2.4, True)], fields=("patrol_id", "start_time", "end_time"))
    with pytest.raises(QgsProcessingException, match="dated, on_foot"):
        run(processing, tracks, areas_layer())


def test_empty_tracks_give_zeros(processing):
    result = run(processing, tracks_layer([]), areas_layer())
    rows = by_code(result["OUTPUT"])
    assert len(rows) == 3 and all(row["covered_ha"] == 0 and row["patrols"] == 0 for row in rows.values())


def test_reversed_dates_are_refused(processing):
    with pytest.raises(QgsProcessingException, match="after the 'to' date"):
        run(processing, tracks_layer([]), areas_layer(), DATE_FROM="2026-05-01", DATE_TO="2026-04-01")


def test_geopackage_inputs_and_output(processing, tmp_path):
    paths = {}
    for name, layer in (("areas", areas_layer()), ("tracks", tracks_layer([("P1", ACROSS_BOTH, T0, 2.4, True)]))):
        paths[name] = str(tmp_path / f"{name}.gpkg")
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GPKG"
        error = QgsVectorFileWriter.writeAsVectorFormatV3(layer, paths[name], QgsProject.instance().transformContext(),
                                                          options)
        assert error[0] == QgsVectorFileWriter.WriterError.NoError, error
    out = str(tmp_path / "coverage.gpkg")
    result = run(processing, paths["tracks"], paths["areas"], OUTPUT=out, GRID_SIZE=500,
                 GRID=str(tmp_path / "grid.gpkg"))
    output = QgsVectorLayer(result["OUTPUT"], "coverage", "ogr")
    rows = by_code(output)
    assert rows["A1"]["covered_ha"] == pytest.approx(10.0, rel=1e-3)
    assert rows["A2"]["last_patrol"] == QDate(2026, 3, 1)
    grid = QgsVectorLayer(result["GRID"], "grid", "ogr")
    assert grid.featureCount() == 12 and grid.crs().authid() == "EPSG:4547"


def test_demo_district_tracks(processing, tmp_path):
    """A few of the demo's GPX patrols (read with gpxpy) over its responsibility areas."""
    gpxpy = pytest.importorskip("gpxpy")
    from linzhang_qgis.core.demo import GPKG_NAME, generate_demo

    generate_demo(str(tmp_path))
    files = sorted(glob.glob(str(tmp_path / "tracks" / "*.gpx")))[::97][:8]
    assert files
    layer = QgsVectorLayer("MultiLineString?crs=EPSG:4326&field=patrol_id:string&field=start_time:datetime"
                           "&field=end_time:datetime&field=dated:boolean&field=on_foot:boolean", "demo", "memory")
    expected_codes = set()
    features = []
    for path in files:
        with open(path, encoding="utf-8") as handle:
            parsed = gpxpy.parse(handle)
        points = [p for track in parsed.tracks for segment in track.segments for p in segment.points]
        times = [p.time for p in points if p.time is not None]
        feature = QgsFeature(layer.fields())
        start = QDateTime(times[0].replace(tzinfo=None)) if times else None
        end = QDateTime(times[-1].replace(tzinfo=None)) if times else None
        feature.setAttributes([os.path.basename(path), start, end, bool(times), True])
        feature.setGeometry(QgsGeometry.fromPolylineXY([QgsPointXY(p.longitude, p.latitude) for p in points]))
        features.append(feature)
        expected_codes.add(os.path.basename(path).rsplit("_", 2)[0])
    layer.dataProvider().addFeatures(features)
    areas = f"{tmp_path / GPKG_NAME}|layername=resp_areas"
    result = run(processing, layer, areas, GRID_SIZE=500, GRID="TEMPORARY_OUTPUT")
    rows = by_code(result["OUTPUT"])
    for code in expected_codes:
        assert rows[code]["track_km"] > 0 and rows[code]["covered_ha"] > 0, code
        assert 0 < rows[code]["coverage_pct"] <= 100
    district = [row for row in rows.values() if row["level"] == 1]
    assert district and district[0]["patrols"] == len(files)
    assert any(cell["visited"] for cell in result["GRID"].getFeatures())
