"""linzhang:checkhierarchy through real QGIS Processing and qgis_process.bin, on the demo district's areas."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsVectorLayer,
)

ALGORITHM = "linzhang:checkhierarchy"
QGIS_PROCESS = "/usr/bin/qgis_process.bin"
PROBLEM_FIELDS = ["problem", "problem_zh", "description", "description_en", "code", "other_code", "level", "area_m2"]


class Feedback(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def pushInfo(self, info):  # noqa: N802
        self.lines.append(info)

    def pushWarning(self, warning):  # noqa: N802
        self.lines.append(warning)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def areas_uri(demo) -> str:
    return f"{demo.gpkg_path}|layername=resp_areas"


def layer_of(output) -> QgsVectorLayer:
    layer = output if isinstance(output, QgsVectorLayer) else QgsVectorLayer(output, "out", "ogr")
    assert layer.isValid(), output
    return layer


def rows(output) -> list[dict]:
    layer = layer_of(output)
    return [dict(zip(layer.fields().names(), feature.attributes())) | {"geometry": feature.geometry()}
            for feature in layer.getFeatures()]


def memory_copy(demo) -> QgsVectorLayer:
    source = QgsVectorLayer(areas_uri(demo), "resp_areas", "ogr")
    assert source.isValid()
    copy = source.materialize(QgsFeatureRequest())
    copy.setName("resp_areas")
    return copy


def by_code(layer: QgsVectorLayer) -> dict[str, QgsFeature]:
    return {feature["code"]: feature for feature in layer.getFeatures()}


def siblings_sharing_an_edge(layer: QgsVectorLayer) -> tuple[QgsFeature, QgsFeature]:
    """Two groups of the same village that share more than 100 m of boundary."""
    groups = [f for f in layer.getFeatures() if f["level"] == 4]
    for first in groups:
        for second in groups:
            if first["code"] < second["code"] and first["parent_code"] == second["parent_code"]:
                shared = first.geometry().intersection(second.geometry())
                if shared.length() > 100:
                    return first, second
    raise AssertionError("no two sibling groups share an edge")


def run(processing, parameters, feedback=None):
    return processing.run(ALGORITHM, {"OUTPUT": "TEMPORARY_OUTPUT", **parameters}, feedback=feedback)


def test_the_demo_hierarchy_has_no_problem(processing, full_demo, tmp_path):
    out = str(tmp_path / "problems.gpkg")
    feedback = Feedback()
    result = run(processing, {"INPUT": areas_uri(full_demo), "OUTPUT": out}, feedback)
    assert result["PROBLEMS"] == 0 and result["SLIVERS_FIXED"] == 0
    assert all(result[kind] == 0 for kind in ("GAP", "OVERLAP", "OUTSIDE_PARENT", "ORPHAN", "DUPLICATE_CODE",
                                              "LEVEL_MISMATCH", "INVALID_GEOMETRY"))
    layer = layer_of(out)
    assert layer.featureCount() == 0 and layer.fields().names()[1:] == PROBLEM_FIELDS  # after the fid
    assert layer.crs().authid() == "EPSG:4547"
    assert "层级完整" in feedback.text and "the hierarchy is complete" in feedback.text


def with_spike(geometry: QgsGeometry) -> QgsGeometry:
    """``geometry`` with a 10 m spike out of its first vertex: invalid (the ring intersects itself)."""
    polygon = geometry.asMultiPolygon()[0] if geometry.isMultipart() else geometry.asPolygon()
    ring = polygon[0]
    centre = geometry.centroid().asPoint()
    first = ring[0]
    length = ((first.x() - centre.x()) ** 2 + (first.y() - centre.y()) ** 2) ** 0.5
    tip = type(first)(first.x() + 10 * (first.x() - centre.x()) / length,
                      first.y() + 10 * (first.y() - centre.y()) / length)
    spiked = QgsGeometry.fromMultiPolygonXY([[[first, tip] + ring[:-1] + [first]] + polygon[1:]])
    assert not spiked.isGeosValid()
    return spiked


def plant(layer: QgsVectorLayer) -> dict[str, str]:
    """A gap, an overlap, an orphan, a duplicate code, a level jump and an invalid polygon, each in a village of
    its own."""
    areas = by_code(layer)
    first, second = siblings_sharing_an_edge(layer)
    villages_used = {first["parent_code"]}
    picks = []
    for code in sorted(code for code, feature in areas.items() if feature["level"] == 4):
        feature = areas[code]
        if feature["parent_code"] in villages_used or feature.geometry().constGet().numGeometries() != 1:
            continue
        villages_used.add(feature["parent_code"])
        picks.append(code)
        if len(picks) == 5:
            break
    gap, orphan, duplicate, jump, invalid = picks
    provider = layer.dataProvider()
    grown = first.geometry().combine(second.geometry().intersection(first.geometry().buffer(5.0, 8)))
    provider.changeGeometryValues({first.id(): grown, areas[invalid].id(): with_spike(areas[invalid].geometry())})
    provider.deleteFeatures([areas[gap].id()])
    fields = layer.fields()
    provider.changeAttributeValues({
        areas[orphan].id(): {fields.indexOf("parent_code"): "999999"},
        areas[jump].id(): {fields.indexOf("level"): 2},
    })
    copy = QgsFeature(areas[duplicate])
    copy.setId(-1)
    copy.setAttribute(fields.indexOf("fid"), None)
    provider.addFeatures([copy])
    return {"overlap": first["code"], "overlap_with": second["code"], "gap_parent": areas[gap]["parent_code"],
            "orphan": orphan, "orphan_village": areas[orphan]["parent_code"], "duplicate": duplicate, "jump": jump,
            "invalid": invalid}


def test_planted_problems_are_found_and_only_those(processing, full_demo):
    layer = memory_copy(full_demo)
    planted = plant(layer)
    feedback = Feedback()
    result = run(processing, {"INPUT": layer}, feedback)
    found = sorted((row["problem"], row["code"] if row["problem"] != "gap" else row["other_code"])
                   for row in rows(result["OUTPUT"]))
    assert found == sorted([("gap", planted["gap_parent"]), ("overlap", planted["overlap"]),
                            ("orphan", planted["orphan"]), ("duplicate_code", planted["duplicate"]),
                            ("level_mismatch", planted["jump"]), ("invalid_geometry", planted["invalid"])])
    assert result["PROBLEMS"] == 6 and result["GAP"] == result["OVERLAP"] == result["ORPHAN"] == 1
    problems = {row["problem"]: row for row in rows(result["OUTPUT"])}
    assert {problems["overlap"]["code"], problems["overlap"]["other_code"]} == {planted["overlap"],
                                                                               planted["overlap_with"]}
    assert problems["overlap"]["area_m2"] > 100  # a 5 m strip along the shared edge
    assert abs(problems["overlap"]["geometry"].area() - problems["overlap"]["area_m2"]) < 0.01
    assert planted["orphan_village"] in problems["orphan"]["description"]  # where the orphan lies
    assert "亩" in problems["gap"]["description"] and "mu)" in problems["gap"]["description_en"]
    assert problems["gap"]["geometry"].area() > 1000 and problems["gap"]["geometry"].isMultipart()
    assert "缝隙 1 处" in feedback.text and "gap 1" in feedback.text


def test_geographic_layer_is_measured_in_the_local_zone(processing, full_demo):
    layer = memory_copy(full_demo)
    planted = plant(layer)
    reprojected = processing.run("native:reprojectlayer", {
        "INPUT": layer, "TARGET_CRS": "EPSG:4490", "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"]
    feedback = Feedback()
    result = run(processing, {"INPUT": reprojected}, feedback)
    assert "EPSG:4547" in feedback.text and "not in metres" in feedback.text
    output = layer_of(result["OUTPUT"])
    assert output.crs().authid() == "EPSG:4490"
    problems = {row["problem"]: row for row in rows(output)}
    assert set(problems) == {"gap", "overlap", "orphan", "duplicate_code", "level_mismatch", "invalid_geometry"}
    assert planted["overlap"] in (problems["overlap"]["code"], problems["overlap"]["other_code"])
    assert problems["gap"]["geometry"].boundingBox().xMinimum() > 100  # degrees east, not metres


def test_fix_writes_a_corrected_copy_and_leaves_the_input(processing, full_demo, tmp_path):
    layer = memory_copy(full_demo)
    first, second = siblings_sharing_an_edge(layer)
    # a 0.4 m² sliver: the first group reaches a few millimetres into its sibling along their shared edge
    shared = first.geometry().intersection(second.geometry()).length()
    sliver = second.geometry().intersection(first.geometry().buffer(0.4 / shared, 8))
    assert 0.2 < sliver.area() < 1.0
    layer.dataProvider().changeGeometryValues({first.id(): first.geometry().combine(sliver)})
    before = {f.id(): f.geometry().asWkt() for f in layer.getFeatures()}
    fixed_path = str(tmp_path / "fixed.gpkg")
    feedback = Feedback()
    result = run(processing, {"INPUT": layer, "FIX_SLIVERS": True, "FIXED": fixed_path}, feedback)
    assert result["PROBLEMS"] == 0 and result["SLIVERS_FIXED"] == 1
    assert {f.id(): f.geometry().asWkt() for f in layer.getFeatures()} == before  # the input is not changed
    fixed = layer_of(result["FIXED"])
    assert fixed.featureCount() == layer.featureCount()
    assert [f.name() for f in fixed.fields()][1:] == [f.name() for f in layer.fields()][1:]
    assert "细碎修正" in feedback.text and "0 gaps filled, 1 overlaps cut" in feedback.text
    assert f"1 of {layer.featureCount()} areas changed" in feedback.text
    again = run(processing, {"INPUT": fixed_path, "TOLERANCE": 0.0})
    assert again["PROBLEMS"] == 0


def test_fields_chosen_by_parameters_and_codes_as_numbers(processing):
    layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4547&field=bm:integer&field=sjbm:string&field=jb:integer",
                           "areas", "memory")
    shapes = {1: "MULTIPOLYGON(((0 0, 200 0, 200 100, 0 100, 0 0)))",
              2: "MULTIPOLYGON(((0 0, 100 0, 100 100, 0 100, 0 0)))",
              3: "MULTIPOLYGON(((100 0, 200 0, 200 100, 100 100, 100 0)))"}
    features = []
    for code, parent, level in ((1, None, 1), (2, " 1 ", 2), (3, "1", 2)):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([code, parent, level])
        feature.setGeometry(QgsGeometry.fromWkt(shapes[code]))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    feedback = Feedback()
    result = run(processing, {"INPUT": layer, "CODE_FIELD": "bm", "PARENT_FIELD": "sjbm", "LEVEL_FIELD": "jb"},
                 feedback)
    assert result["PROBLEMS"] == 0
    assert "compared as trimmed text" in feedback.text and "按去掉首尾空格的文本比较" in feedback.text


@pytest.mark.parametrize("case", ["missing field", "chosen field absent", "empty layer", "no levels"])
def test_bad_input_gives_one_sentence(processing, case):
    fields = "field=code:string&field=parent_code:string&field=level:integer"
    if case == "missing field":
        fields = "field=code:string&field=level:integer"
    layer = QgsVectorLayer(f"MultiPolygon?crs=EPSG:4547&{fields}", "areas", "memory")
    if case != "empty layer":
        feature = QgsFeature(layer.fields())
        feature.setAttributes(["A"] + ([None] if layer.fields().indexOf("parent_code") >= 0 else []) + [None])
        feature.setGeometry(QgsGeometry.fromWkt("MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))"))
        layer.dataProvider().addFeatures([feature])
    parameters = {"INPUT": layer}
    if case == "chosen field absent":
        parameters["CODE_FIELD"] = "bianma"
    with pytest.raises(QgsProcessingException) as error:
        run(processing, parameters)
    message = str(error.value)
    expected = {"missing field": ("parent_code", "has no field"), "chosen field absent": ("bianma", "has no field"),
                "empty layer": ("没有要素", "no features"), "no levels": ("级别", "level field")}[case]
    assert expected[0] in message and expected[1] in message, message
    assert "Traceback" not in message


def qgis_process(config: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=config, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([QGIS_PROCESS, *args], env=env, capture_output=True, text=True, timeout=300)


def test_from_qgis_process(enabled_config, full_demo, tmp_path):
    out = str(tmp_path / "problems.gpkg")
    done = qgis_process(enabled_config, "run", ALGORITHM, "--json", "--", f"INPUT={areas_uri(full_demo)}",
                        "TOLERANCE=1", f"OUTPUT={out}")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(done.stdout[done.stdout.index("{"):])["results"]
    assert results["PROBLEMS"] == 0 and results["GAP"] == 0
    layer = layer_of(out)
    assert layer.featureCount() == 0 and "description" in layer.fields().names()


def test_bad_input_from_qgis_process(enabled_config, full_demo, tmp_path):
    out = str(tmp_path / "problems.gpkg")
    done = qgis_process(enabled_config, "run", ALGORITHM, "--", f"INPUT={full_demo.gpkg_path}|layername=forest_stands",
                        f"OUTPUT={out}")
    text = done.stdout + done.stderr
    assert done.returncode != 0
    assert "没有字段" in text and "has no field 'code' (code)" in text, text[-2000:]
    assert "Traceback" not in text and not os.path.exists(out)
