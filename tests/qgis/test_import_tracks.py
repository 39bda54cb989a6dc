"""linzhang:importtracks through real QGIS Processing, on the demo district's year of GPX tracks."""
from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from qgis.core import QgsProcessingException, QgsProcessingFeedback, QgsVectorLayer

from linzhang_qgis.core.demo import generate_demo

ALGORITHM = "linzhang:importtracks"


class Feedback(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.errors: list[str] = []
        self.infos: list[str] = []

    def reportError(self, error, fatalError=False):  # noqa: N802, N803
        self.errors.append(error)

    def pushInfo(self, info):  # noqa: N802
        self.infos.append(info)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate_demo(str(tmp_path_factory.mktemp("demo")))


def features(path, layer: str = "") -> list:
    """The features of a file (or of one of its layers), or of a layer object (TEMPORARY_OUTPUT)."""
    if isinstance(path, QgsVectorLayer):
        return list(path.getFeatures())
    uri = f"{path}|layername={layer}" if layer else path
    vector = QgsVectorLayer(uri, "layer", "ogr")
    assert vector.isValid(), uri
    return list(vector.getFeatures())


def truth(demo) -> dict:
    return {f["file_name"]: f for f in features(demo.gpkg_path, "demo_truth_patrols")}


def copy_tracks(demo, folder, names) -> None:
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(os.path.join(demo.tracks_dir, name), folder / name)


def names_of_kind(demo, kind: str) -> list[str]:
    return sorted(name for name, row in truth(demo).items() if row["kind"] == kind)


def test_imports_the_demo_year_against_the_truth(processing, demo, tmp_path):
    out = str(tmp_path / "patrols.gpkg")
    result = processing.run(ALGORITHM, {"INPUT": demo.tracks_dir, "OUTPUT": out,
                                        "AREAS": f"{demo.gpkg_path}|layername=resp_areas"})
    rows = truth(demo)
    assert result["SKIPPED_FILES"] == 0 and result["IMPORTED"] == len(rows) + 1  # the gap track gives two
    by_file: dict[str, list] = {}
    for feature in features(result["OUTPUT"]):
        by_file.setdefault(feature["source_file"], []).append(feature)
    assert set(by_file) == set(rows)
    for name, row in rows.items():
        mine = sorted(by_file[name], key=lambda f: f["patrol_id"])
        kind = row["kind"]
        assert [f["patrol_id"] for f in mine] == [f"{name[:-4]}#{i + 1}" for i in range(len(mine))]
        assert len(mine) == (2 if kind == "gap" else 1), name
        assert {(f["patroller"], f["area_code"]) for f in mine} == {(row["patroller"], row["area_code"])}
        assert all(f["on_foot"] is (kind != "car") for f in mine if kind != "broken_time"), name
        assert all(f["dated"] is (kind != "broken_time") for f in mine), name
        assert sum(f["length_km"] for f in mine) == pytest.approx(row["length_km"], rel=0.02), name
        points = sum(f["n_points"] for f in mine)
        assert points == row["n_points"] - (4 if kind == "bad_fixes" else 0), name
        if kind != "broken_time":  # times in Beijing time; the truth has them in UTC
            start = mine[0]["start_time"].toPyDateTime()
            assert start - dt.timedelta(hours=8) == row["start_time"].toPyDateTime().replace(tzinfo=None), name
        else:
            assert mine[0]["start_time"] is None or mine[0]["start_time"].isNull()
    [bad] = [f for f in by_file[names_of_kind(demo, "bad_fixes")[0]]]
    assert "删除异常点 4 个" in bad["qa_note"]
    assert all(f.geometry().constGet().partCount() >= 1 for fs in by_file.values() for f in fs)


def test_a_malformed_file_is_reported_and_the_rest_imported(processing, demo, tmp_path):
    folder = tmp_path / "tracks"
    copy_tracks(demo, folder, names_of_kind(demo, "foot")[:3])
    (folder / "broken.gpx").write_text('<?xml version="1.0"?><gpx><trk><trkseg><trkpt lat="25.8"', encoding="utf-8")
    feedback = Feedback()
    result = processing.run(ALGORITHM, {"INPUT": str(folder), "OUTPUT": str(tmp_path / "out.gpkg")},
                            feedback=feedback)
    assert result["IMPORTED"] == 3 and result["SKIPPED_FILES"] == 1
    assert len(features(result["OUTPUT"])) == 3
    [error] = feedback.errors
    assert "broken.gpx" in error and "XML 格式错误" in error and "malformed XML" in error
    assert any("3 patrols from 3 files; 1 files skipped" in info for info in feedback.infos)


def test_appending_to_the_workspace_twice_adds_nothing_the_second_time(processing, demo, tmp_path):
    folder = tmp_path / "tracks"
    copy_tracks(demo, folder, names_of_kind(demo, "gap") + names_of_kind(demo, "car") + names_of_kind(demo, "foot")[:2])
    workspace = str(tmp_path / "ws.gpkg")
    processing.run("linzhang:createworkspace", {"OUTPUT": workspace, "CRS": "EPSG:4547", "ADD_TO_PROJECT": False})
    parameters = {"INPUT": str(folder), "OUTPUT": "TEMPORARY_OUTPUT", "WORKSPACE": workspace,
                  "AREAS": f"{demo.gpkg_path}|layername=resp_areas", "PATROLLER_SOURCE": 0}
    first = processing.run(ALGORITHM, parameters)
    assert first["IMPORTED"] == 5 and first["ADDED_TO_WORKSPACE"] == 5
    second = processing.run(ALGORITHM, parameters)
    assert second["IMPORTED"] == 5 and second["ADDED_TO_WORKSPACE"] == 0
    stored = features(workspace, "patrol_tracks")
    assert len(stored) == 5 and len({f["patrol_id"] for f in stored}) == 5
    rows = truth(demo)
    for feature in stored:  # the area code in the file name names the chief
        row = rows[feature["source_file"]]
        assert (feature["patroller"], feature["area_code"]) == (row["patroller"], row["area_code"])
    [car] = [f for f in stored if rows[f["source_file"]]["kind"] == "car"]
    assert car["on_foot"] is False and car["dated"] is True and car["start_time"].isValid()
    assert features(first["OUTPUT"])[0].geometry().wkbType() == features(workspace, "patrol_tracks")[0].geometry().wkbType()


def test_a_workspace_in_another_crs_gets_reprojected_lines(processing, demo, tmp_path):
    folder = tmp_path / "tracks"
    copy_tracks(demo, folder, names_of_kind(demo, "foot")[:1])
    workspace = str(tmp_path / "ws.gpkg")
    processing.run("linzhang:createworkspace", {"OUTPUT": workspace, "CRS": "EPSG:32650", "ADD_TO_PROJECT": False})
    result = processing.run(ALGORITHM, {"INPUT": str(folder), "OUTPUT": "TEMPORARY_OUTPUT", "WORKSPACE": workspace})
    [out] = features(result["OUTPUT"])
    [stored] = features(workspace, "patrol_tracks")
    assert out.geometry().length() == pytest.approx(stored.geometry().length(), rel=0.01)
    assert abs(out.geometry().centroid().asPoint().x() - stored.geometry().centroid().asPoint().x()) > 1000


@pytest.mark.parametrize("files, extra, zh, en", [
    ({"one.gpx": "<gpx><trk><trkseg><trkpt"}, {}, "XML 格式错误", "malformed XML"),
    ({"empty.gpx": ""}, {}, "文件是空的", "the file is empty"),
    ({"a.csv": "名称,时间\n甲,2025-11-03 08:00\n"}, {}, "找不到经度、纬度列", "no longitude and latitude columns"),
    ({"a.csv": "lon,lat\n25.8,114.9\n25.9,114.9\n"}, {}, "可能写反了", "look swapped"),
    ({"a.csv": "lon,lat\n114.9,25.8\n514.9,25.8\n"}, {}, "超出范围", "out of range"),
    ({}, {}, "没有轨迹文件", "holds no track files"),
    ({}, {"INPUT": "/no/such/folder"}, "找不到文件或文件夹", "No such file or folder"),
    ({"a.csv": "lon,lat\n114.9,25.8\n114.91,25.81\n114.92,25.82\n"}, {"WORKSPACE": "__notgpkg__"},
     "不是 GeoPackage", "not a GeoPackage"),
])
def test_bad_input_gives_two_sentences_and_no_traceback(processing, tmp_path, files, extra, zh, en):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    single = str(folder / next(iter(files))) if len(files) == 1 else str(folder)
    parameters = {"INPUT": single, "OUTPUT": "TEMPORARY_OUTPUT", **extra}
    if parameters.get("WORKSPACE") == "__notgpkg__":
        (tmp_path / "ws.gpkg").write_text("hello")
        parameters["WORKSPACE"] = str(tmp_path / "ws.gpkg")
    with pytest.raises(QgsProcessingException) as caught:
        processing.run(ALGORITHM, parameters)
    message = str(caught.value)
    assert zh in message and en in message
    assert "Traceback" not in message


def test_plugin_level_bad_input(processing, tmp_path, shared_data):
    gpx = os.path.join(shared_data, "gpx")
    with pytest.raises(QgsProcessingException, match="Give the patroller's name"):
        processing.run(ALGORITHM, {"INPUT": gpx, "PATROLLER_SOURCE": 2, "OUTPUT": "TEMPORARY_OUTPUT"})
    with pytest.raises(QgsProcessingException, match="projected CRS"):
        processing.run(ALGORITHM, {"INPUT": gpx, "TARGET_CRS": "EPSG:4490", "OUTPUT": "TEMPORARY_OUTPUT"})
    with pytest.raises(QgsProcessingException, match="lacks the fields: code, chief_name"):
        processing.run(ALGORITHM, {"INPUT": gpx, "OUTPUT": "TEMPORARY_OUTPUT",
                                   "AREAS": QgsVectorLayer("Polygon?crs=EPSG:4547&field=id:integer", "a", "memory")})
