"""make demo's script: the project opens the workspace styled, the map is drawn, the summary is written."""
from __future__ import annotations

import os
import re
import subprocess
import sys

from qgis.core import QgsProject, QgsRasterLayer
from qgis.PyQt.QtGui import QImage

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_demo_script_fills_demo_output(tmp_path):
    out = tmp_path / "demo_output"
    done = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "demo.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert {"linzhang_demo.qgz", "linzhang_demo_map.png", "summary.md", "workspace",
            "empty_workspace.gpkg", "巡林台账.xlsx", "patrols"} <= set(os.listdir(out))
    assert {"coverage.gpkg", "effort_grid.gpkg", "compliance.gpkg"} <= set(os.listdir(out / "patrols"))

    image = QImage(str(out / "linzhang_demo_map.png"))
    assert image.width() > 1000
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 50, "the map looks empty"

    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "linzhang:createdemoworkspace" in summary and "linzhang:createworkspace" in summary
    assert "镇级" in summary and "亩" in summary
    assert "missed: 0; wrongly flagged: 0" in summary  # compliance finds exactly the planted chiefs
    assert "linzhang:detectforestloss" in summary and "变化图斑 change spots:" in summary
    assert os.path.exists(out / "forest_loss" / "change_spots.gpkg")
    recall = re.search(r"all spots: precision \d+/\d+ = ([\d.]+); recall \d+/\d+ = ([\d.]+)", summary)
    assert recall and float(recall.group(2)) >= 0.9, summary  # every visible planted clearing is found

    # the verification ledger and one evidence sheet (A4 PDF) per change spot of the workspace
    import sqlite3

    import openpyxl

    with sqlite3.connect(out / "workspace" / "linzhang_demo.gpkg") as db:
        spot_numbers = sorted(row[0] for row in db.execute("SELECT spot_no FROM change_spots"))
    assert spot_numbers and "linzhang:exportinspection" in summary
    assert f"图斑核查取证表 evidence sheets: {len(spot_numbers)} PDFs" in summary
    ledger = openpyxl.load_workbook(out / "inspection" / "核查台账.xlsx")
    assert ledger.sheetnames == ["图斑台账", "按状态汇总", "核查记录"]
    assert [row[0] for row in ledger["图斑台账"].iter_rows(min_row=3, values_only=True)] == spot_numbers
    evidence = out / "inspection" / "evidence"
    assert sorted(os.listdir(evidence)) == [f"{number}.pdf" for number in spot_numbers]
    for number in spot_numbers:
        data = (evidence / f"{number}.pdf").read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 20_000  # the two image chips are in it

    # issue 6: the demo hierarchy is clean; the assessment, the district chief's handbook and the public list
    assert "层级检查 hierarchy check: 0 problems" in summary
    chiefs = out / "chiefs"
    assessment = openpyxl.load_workbook(chiefs / "林长制考核.xlsx")
    assert {"考核结果", "黄牌警告", "负面清单", "指标与权重"} <= set(assessment.sheetnames)
    handbooks = [name for name in os.listdir(chiefs / "handbooks") if name.endswith(".pdf")]
    assert len(handbooks) == 1 and handbooks[0].startswith("巡林手册_")
    assert (chiefs / "handbooks" / handbooks[0]).read_bytes().startswith(b"%PDF")
    assert (chiefs / "林长公示名单.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    assert os.path.exists(chiefs / "林长公示名单.xlsx")

    # issue 7: one zone per ranger, written into the workspace, the 包山包人 list and one map per ranger
    with sqlite3.connect(out / "workspace" / "linzhang_demo.gpkg") as db:
        zones = db.execute("SELECT count(*) FROM grid_zones").fetchone()[0]
        rangers = db.execute("SELECT count(*) FROM rangers WHERE role = 'ranger'").fetchone()[0]
    assert zones == rangers > 0 and f"管护网格 management grid: {zones} zones" in summary
    listing = openpyxl.load_workbook(out / "grid" / "护林员包山包人责任清单.xlsx")
    assert "责任清单" in listing.sheetnames
    assert len([name for name in os.listdir(out / "grid" / "ranger_maps") if name.endswith(".pdf")]) == zones

    project = QgsProject.instance()
    project.clear()
    assert project.read(str(out / "linzhang_demo.qgz"))
    group = project.layerTreeRoot().findGroup("林长制一张图")
    assert group is not None
    layers = [node.layer() for node in group.findLayers()]
    assert layers and all(layer.isValid() for layer in layers)
    areas = project.mapLayersByName("林长责任区")[0]
    assert areas.featureCount() > 20
    assert areas.attributeDisplayName(areas.fields().indexOf("chief_name")) == "林长姓名"
    rasters = [layer for layer in project.mapLayers().values() if isinstance(layer, QgsRasterLayer)]
    assert len(rasters) == 3 and all(layer.isValid() for layer in rasters)  # before, after, cloud mask
    from linzhang_qgis.gui.inspection_actions import detection_defaults

    defaults = detection_defaults(project)  # the 检测森林减少 dialog finds the imagery and the workspace
    assert {"BEFORE", "AFTER", "CLOUD_MASK", "AREAS", "FOREST", "WORKSPACE"} <= set(defaults)
    project.clear()
