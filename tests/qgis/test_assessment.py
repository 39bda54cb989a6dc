"""linzhang:assessment through real QGIS Processing, on a copy of the demo district (patrols 2025-11-01..2026-10-31,
16 change spots with after images of 2026-10-18) whose spots are taken through the review with apply_change."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess

import pytest
from qgis.core import QgsProcessingException, QgsProcessingFeedback, QgsVectorLayer

openpyxl = pytest.importorskip("openpyxl")

from linzhang_qgis.core.inspection import store  # noqa: E402

ALGORITHM = "linzhang:assessment"
DISTRICT = "360799"
RUN = {"YEAR": 2026, "QUARTER": 0, "AS_OF": "2026-10-31", "VERIFY_DAYS": 5, "RECTIFY_DAYS": 5}


class Feedback(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.infos: list[str] = []
        self.warnings: list[str] = []

    def pushInfo(self, info):  # noqa: N802
        self.infos.append(info)

    def pushWarning(self, warning):  # noqa: N802
        self.warnings.append(warning)


def walk(path: str, fid: int, steps: list[tuple[str, dict]]) -> None:
    """Take a spot through the review: each step at 10:00 of its day, as an inspector would."""
    state = store.load_spot(path, fid)
    for day, changes in steps:
        state = store.apply_change(path, fid, state.version, changes, "李明", "",
                                   now=dt.datetime.fromisoformat(f"{day}T10:00:00"))


@pytest.fixture(scope="module")
def workspace(full_demo, tmp_path_factory):
    """The demo workspace with spot A verified and rectified on time, B verified on time but determined illegal
    and not rectified past its deadline, C verified late and closed as a false detection; A and C passed by a
    patrol, B missed. The other 13 spots stay issued (下发)."""
    path = str(tmp_path_factory.mktemp("assessment") / "workspace.gpkg")
    shutil.copy(full_demo.gpkg_path, path)
    spots = store.load_spots(path)
    assert len(spots) == 16 and {s.values["after_date"] for s in spots} == {dt.date(2026, 10, 18)}
    a, b, c = spots[0], spots[1], spots[2]
    walk(path, a.fid, [("2026-10-19", {"status": "interpreted", "inspector": "李明"}),
                       ("2026-10-20", {"status": "field_verified"}),
                       ("2026-10-21", {"status": "determined", "determination": "illegal", "verified_cause": 42}),
                       ("2026-10-21", {"status": "case_filed"}),
                       ("2026-10-22", {"status": "rectifying"}),
                       ("2026-10-24", {"status": "rechecked"})])
    walk(path, b.fid, [("2026-10-19", {"status": "interpreted", "inspector": "李明"}),
                       ("2026-10-22", {"status": "field_verified", "verify_date": "2026-10-22"}),
                       ("2026-10-22", {"status": "determined", "determination": "illegal"})])
    walk(path, c.fid, [("2026-10-20", {"status": "interpreted", "inspector": "李明"}),
                       ("2026-10-27", {"status": "field_verified"}),
                       ("2026-10-27", {"status": "determined", "determination": "false", "false_reason": "云或阴影"}),
                       ("2026-10-28", {"status": "closed"})])
    store.set_patrol_missed(path, {a.values["spot_no"]: False, b.values["spot_no"]: True,
                                   c.values["spot_no"]: False})
    return {"path": path, "a": a.values, "b": b.values, "c": c.values,
            "others": [s.values for s in spots[3:]]}


@pytest.fixture(scope="module")
def assessed(workspace, tmp_path_factory, processing_framework):
    from qgis.core import QgsApplication

    from linzhang_qgis.provider import LinzhangProvider

    folder = tmp_path_factory.mktemp("assessed")
    registry = QgsApplication.processingRegistry()
    provider = LinzhangProvider()
    assert registry.addProvider(provider)
    feedback = Feedback()
    try:
        result = processing_framework.run(ALGORITHM, dict(RUN, WORKSPACE=workspace["path"],
                                                          OUTPUT=str(folder / "assessment.gpkg"),
                                                          REPORT=str(folder / "考核.xlsx")), feedback=feedback)
        compliance = processing_framework.run("linzhang:patrolcompliance", {
            "AREAS": f"{workspace['path']}|layername=resp_areas",
            "TRACKS": f"{workspace['path']}|layername=patrol_tracks",
            "RULES": f"{workspace['path']}|layername=patrol_rules", "DATE_FROM": "2026-01-01",
            "DATE_TO": "2026-12-31", "AS_OF": "2026-10-31", "OUTPUT": str(folder / "compliance.gpkg")})
        coverage = processing_framework.run("linzhang:patrolcoverage", {
            "AREAS": f"{workspace['path']}|layername=resp_areas",
            "TRACKS": f"{workspace['path']}|layername=patrol_tracks", "SWATH_WIDTH": 100,
            "DATE_FROM": "2026-01-01", "DATE_TO": "2026-10-31", "ON_FOOT_ONLY": True,
            "OUTPUT": str(folder / "coverage.gpkg")})
    finally:
        registry.removeProvider(provider)
    return {"result": result, "feedback": feedback, "compliance": compliance["OUTPUT"],
            "coverage": coverage["OUTPUT"]}


def rows(path: str) -> dict[str, dict]:
    """The features of an output, as dicts of plain Python values by area code."""
    from linzhang_qgis.qgis_glue.frames import python_value

    layer = QgsVectorLayer(path, "layer", "ogr")
    assert layer.isValid(), path
    names = layer.fields().names()
    key = "code" if "code" in names else "area_code"
    return {feature[key]: {name: python_value(feature[name]) for name in names} for feature in layer.getFeatures()}


def test_every_chief_is_assessed_with_one_score_per_indicator(assessed):
    result = assessed["result"]
    output = rows(result["OUTPUT"])
    assert len(output) == 45 and result["CHIEFS"] == 45
    fields = set(next(iter(output.values())))
    assert {"code", "name", "level", "chief_name", "patrol_compliance", "patrol_coverage", "spots_verified",
            "illegal_rectified", "children_compliant", "spots_patrolled", "total", "grade", "yellow_card",
            "card_reasons"} <= fields
    district = output[DISTRICT]
    assert district["level"] == 1 and district["period"] == "2026年"
    assert district["grade"] in ("优秀", "良好", "合格", "不合格")
    layer = QgsVectorLayer(result["OUTPUT"], "layer", "ogr")
    assert layer.crs().authid() == "EPSG:4547" and layer.geometryType() == 2  # polygons


def test_compliance_and_coverage_agree_with_the_patrol_tools(assessed):
    output = rows(assessed["result"]["OUTPUT"])
    compliance = rows(assessed["compliance"])
    coverage = rows(assessed["coverage"])
    for code, area in output.items():
        expected = 100.0 * compliance[code]["periods_met"] / compliance[code]["periods_required"]
        assert area["patrol_compliance"] == pytest.approx(expected), code
        assert area["patrol_coverage"] == pytest.approx(min(100.0, coverage[code]["coverage_pct"] / 0.8)), code
    assert any(area["patrol_compliance"] < 80 for area in output.values())


def test_spot_indicators_of_the_district(assessed):
    """16 spots due (deadline 10-23): A and B verified on time; A rectified on time, B past its deadline;
    of the linked spots A and C were passed by a patrol, B was not."""
    district = rows(assessed["result"]["OUTPUT"])[DISTRICT]
    assert district["spots_verified"] == pytest.approx(100 * 2 / 16)
    assert district["illegal_rectified"] == pytest.approx(50.0)
    assert district["spots_patrolled"] == pytest.approx(100 * 2 / 3)


def test_yellow_cards_for_overdue_spots_and_low_compliance(assessed, workspace):
    output = rows(assessed["result"]["OUTPUT"])
    b = workspace["b"]
    carded_b = output[b["area_code"]]
    assert carded_b["yellow_card"] and f"{b['spot_no']}（2026-10-27到期，超期4天）" in carded_b["card_reasons"]
    for spot in workspace["others"]:
        area = output[spot["area_code"]]
        assert area["yellow_card"] and spot["spot_no"] in area["card_reasons"] and "超过核实期限" in area["card_reasons"]
    for area in output.values():
        low = area["patrol_compliance"] is not None and area["patrol_compliance"] < 80
        assert not low or ("低于达标线80%" in area["card_reasons"] and area["yellow_card"])
    carded = sum(1 for area in output.values() if area["yellow_card"])
    assert assessed["result"]["YELLOW_CARDS"] == carded


def test_the_report_sheets_and_headers(assessed, workspace):
    book = openpyxl.load_workbook(assessed["result"]["REPORT"])
    assert book.sheetnames == ["考核结果", "黄牌警告", "负面清单", "指标与权重"]
    results = book["考核结果"]
    headers = [cell.value for cell in results[2]]
    assert headers[:4] == ["责任区编码", "责任区名称", "林长级别", "林长"] and "总分" in headers and "等级" in headers
    assert results.max_row == 2 + 45 and results["A3"].value == DISTRICT
    negative = book["负面清单"]
    assert [cell.value for cell in negative[2]][:4] == ["序号", "乡镇(街道)", "乡镇编码", "问题类别"]
    items = [[cell.value for cell in row] for row in negative.iter_rows(min_row=3, max_row=2 + assessed["result"]["NEGATIVE_ITEMS"])]
    kinds = {(row[3], row[7]) for row in items}
    assert ("超期未整改", workspace["b"]["spot_no"]) in kinds and ("巡林未发现", workspace["b"]["spot_no"]) in kinds
    assert all(("超期未核实", spot["spot_no"]) in kinds for spot in workspace["others"])
    cards = book["黄牌警告"]
    assert [cell.value for cell in cards[2]][:3] == ["序号", "责任区编码", "责任区名称"]
    weights = book["指标与权重"]
    assert [cell.value for cell in weights[2]] == ["指标代码", "指标名称", "类别", "权重", "权重占比(%)", "目标值(%)",
                                                   "计分方法"]


def test_figures_are_logged_in_chinese_and_english(assessed):
    text = "\n".join(assessed["feedback"].infos)
    assert "考核期：2026年（2026-01-01 至 2026-10-31）" in text and "Period: 2026 (2026-01-01 to 2026-10-31)" in text
    assert "黄牌警告" in text and "Yellow cards" in text


def test_a_user_weight_table_from_csv(processing, workspace, tmp_path):
    weights = tmp_path / "weights.csv"
    weights.write_text("indicator,weight\n巡林达标率,1\nspots_verified,1\n", encoding="utf-8")
    result = processing.run(ALGORITHM, dict(RUN, WORKSPACE=workspace["path"], INDICATORS=str(weights),
                                            OUTPUT=str(tmp_path / "out.gpkg")))
    district = rows(result["OUTPUT"])[DISTRICT]
    expected = (district["patrol_compliance"] + district["spots_verified"]) / 2
    assert district["total"] == pytest.approx(expected)


def bilingual(error: QgsProcessingException, zh: str, en: str) -> None:
    text = str(error.value if hasattr(error, "value") else error)
    assert zh in text and en in text, text
    assert "Traceback" not in text


def test_bad_input_gives_one_sentence_and_no_output(processing, workspace, tmp_path):
    out, report = tmp_path / "never.gpkg", tmp_path / "never.xlsx"
    outputs = {"OUTPUT": str(out), "REPORT": str(report)}
    with pytest.raises(QgsProcessingException) as error:
        processing.run(ALGORITHM, dict(RUN, YEAR=2020, AS_OF=None, WORKSPACE=workspace["path"], **outputs))
    bilingual(error, "2020年", "no patrol tracks in 2020")
    weights = tmp_path / "zero.csv"
    weights.write_text("indicator,weight\npatrol_compliance,0\n", encoding="utf-8")
    with pytest.raises(QgsProcessingException) as error:
        processing.run(ALGORITHM, dict(RUN, WORKSPACE=workspace["path"], INDICATORS=str(weights), **outputs))
    bilingual(error, "权重之和为0", "add up to 0")

    broken = str(tmp_path / "no_history.gpkg")
    shutil.copy(workspace["path"], broken)
    from osgeo import ogr

    dataset = ogr.Open(broken, 1)
    names = [dataset.GetLayerByIndex(i).GetName() for i in range(dataset.GetLayerCount())]
    dataset.DeleteLayer(names.index("spot_history"))
    dataset = None
    with pytest.raises(QgsProcessingException) as error:
        processing.run(ALGORITHM, dict(RUN, WORKSPACE=broken, **outputs))
    bilingual(error, "缺少图层：spot_history", "lacks the layers: spot_history")

    no_field = str(tmp_path / "no_verify_date.gpkg")
    shutil.copy(workspace["path"], no_field)
    dataset = ogr.Open(no_field, 1)
    spots = dataset.GetLayerByName("change_spots")
    assert spots.DeleteField(spots.GetLayerDefn().GetFieldIndex("verify_date")) == 0
    dataset = spots = None
    with pytest.raises(QgsProcessingException) as error:
        processing.run(ALGORITHM, dict(RUN, WORKSPACE=no_field, **outputs))
    bilingual(error, "缺少字段：verify_date", "lacks the fields: verify_date")
    assert not out.exists() and not report.exists()


class CancelDuringCoverage(QgsProcessingFeedback):
    def setProgress(self, progress):  # noqa: N802
        super().setProgress(progress)
        if progress >= 30:
            self.cancel()


def test_cancel_leaves_no_output(processing, workspace, tmp_path):
    out, report = tmp_path / "never.gpkg", tmp_path / "never.xlsx"
    with pytest.raises(QgsProcessingException, match="Canceled|已取消"):
        processing.run(ALGORITHM, dict(RUN, WORKSPACE=workspace["path"], OUTPUT=str(out), REPORT=str(report)),
                       feedback=CancelDuringCoverage())
    assert not out.exists() and not report.exists()


def test_a_parent_code_pointing_nowhere_is_logged(processing, workspace, tmp_path):
    orphaned = str(tmp_path / "orphan.gpkg")
    shutil.copy(workspace["path"], orphaned)
    areas = QgsVectorLayer(f"{orphaned}|layername=resp_areas", "areas", "ogr")
    town = next(f for f in areas.getFeatures() if f["code"] == "360799102")
    assert areas.dataProvider().changeAttributeValues(
        {town.id(): {areas.fields().indexFromName("parent_code"): "999999"}})
    del areas
    feedback = Feedback()
    result = processing.run(ALGORITHM, dict(RUN, WORKSPACE=orphaned, OUTPUT=str(tmp_path / "out.gpkg")),
                            feedback=feedback)
    assert any("360799102" in text and "999999" in text and "parent code" in text for text in feedback.warnings)
    assert rows(result["OUTPUT"])[DISTRICT]["children_compliant"] is not None


def test_from_qgis_process(enabled_config, workspace, tmp_path):
    out, report = str(tmp_path / "assessment.gpkg"), str(tmp_path / "考核.xlsx")
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=enabled_config, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(["/usr/bin/qgis_process.bin", "run", ALGORITHM, "--json", "--",
                           f"WORKSPACE={workspace['path']}", "YEAR=2026", "QUARTER=3", "AS_OF=2026-09-30",
                           f"OUTPUT={out}", f"REPORT={report}"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(done.stdout[done.stdout.index("{"):])["results"]
    assert results["CHIEFS"] == 45 and os.path.exists(report)
    district = rows(out)[DISTRICT]
    assert district["period"] == "2026年第三季度"
    assert district["spots_verified"] is None  # the spots were issued after the quarter
