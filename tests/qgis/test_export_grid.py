"""linzhang:exportgrid through real Processing on the demo district: the 包山包人 responsibility list (Excel) and
one responsibility map (PDF) per ranger from the management grid that linzhang:managementgrid writes into a
copy of the full demo workspace; what the list and the maps say, the print layout's items, and bad input."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess

import pytest

openpyxl = pytest.importorskip("openpyxl")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
)
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402
from test_export_inspection import pdf_page_count, pdf_text, squeeze  # noqa: E402

FOREST_SUBSET = "land_class IN ('0111','0131','0301','0302','0305','0307')"
TOWN = "360799101"  # 水口镇: four villages, seven rangers


@pytest.fixture(scope="module")
def grid(tmp_path_factory, processing_framework, full_demo):
    """A copy of the full demo workspace with its management grid (one zone per ranger of each village) and
    one ranger without a phone."""
    from linzhang_qgis.provider import LinzhangProvider

    gpkg = str(tmp_path_factory.mktemp("grid") / "workspace.gpkg")
    shutil.copyfile(full_demo.gpkg_path, gpkg)
    registry = QgsApplication.processingRegistry()
    provider = LinzhangProvider()
    assert registry.addProvider(provider)
    try:
        result = processing_framework.run("linzhang:managementgrid", {
            "AREAS": f"{gpkg}|layername=resp_areas|subset=\"level\" = 3",
            "FOREST": f"{gpkg}|layername=forest_stands|subset={FOREST_SUBSET}",
            "RANGERS": f"{gpkg}|layername=rangers", "WORKSPACE": gpkg, "OUTPUT": "TEMPORARY_OUTPUT"})
    finally:
        registry.removeProvider(provider)
    with sqlite3.connect(gpkg) as db:
        zones = db.execute("SELECT zone_id, area_code, ranger_id, ranger, forest_ha FROM grid_zones "
                           "ORDER BY zone_id").fetchall()
        db.execute("UPDATE rangers SET phone = NULL WHERE ranger_id = ?", (zones[1][2],))
        phones = dict(db.execute("SELECT ranger_id, phone FROM rangers"))
    assert result["ZONES"] == len(zones) >= 10
    return gpkg, zones, phones


def export(processing, gpkg: str, **parameters) -> dict:
    return processing.run("linzhang:exportgrid", dict({"WORKSPACE": gpkg}, **parameters))


def assert_fails(processing, parameters: dict, out, *needles, feedback=None) -> None:
    folder, workbook = out / "maps", out / "list.xlsx"
    with pytest.raises(QgsProcessingException) as raised:
        processing.run("linzhang:exportgrid", dict(parameters, LIST=str(workbook), MAP_FOLDER=str(folder)),
                       feedback=feedback)
    message = str(raised.value)
    assert "Traceback" not in message
    for needle in needles:
        assert needle in message, message
    assert not folder.exists() and not workbook.exists()  # nothing half-written, no empty folder


def test_list_and_one_map_per_ranger(processing, grid, tmp_path):
    gpkg, zones, phones = grid
    project_layers = len(QgsProject.instance().mapLayers())
    result = export(processing, gpkg, LIST=str(tmp_path / "责任清单.xlsx"), MAP_FOLDER=str(tmp_path / "maps"))
    assert len(QgsProject.instance().mapLayers()) == project_layers  # nothing left in the user's project
    assert result["ZONES"] == result["MAPS"] == len(zones)
    assert result["LIST"] == str(tmp_path / "责任清单.xlsx") and result["MAP_FOLDER"] == str(tmp_path / "maps")

    workbook = openpyxl.load_workbook(tmp_path / "责任清单.xlsx")
    assert workbook.sheetnames == ["责任清单", "按村汇总"]
    sheet = workbook["责任清单"]
    assert sheet["A1"].value == "示范区护林员“包山包人”责任清单"
    headers = [cell.value for cell in sheet[2]]
    assert headers == ["序号", "乡镇", "村", "网格编号", "护林员", "联系电话", "林地面积(公顷)", "林地面积(亩)",
                       "主要树种", "林种", "四至", "责任区林长"]
    rows = [dict(zip(headers, row)) for row in sheet.iter_rows(min_row=3, max_row=2 + len(zones), values_only=True)]
    assert [row["网格编号"] for row in rows] == [zone[0] for zone in zones]  # the ids sort as town, village, zone
    assert [row["序号"] for row in rows] == list(range(1, len(zones) + 1))
    for row, (zone_id, _code, ranger_id, ranger, forest_ha) in zip(rows, zones):
        assert row["护林员"] == ranger and row["联系电话"] == phones[ranger_id]
        assert row["林地面积(公顷)"] == pytest.approx(forest_ha, abs=0.006)
        assert row["林地面积(亩)"] == pytest.approx(forest_ha * 15, abs=0.06)
        assert row["乡镇"] and row["村"].endswith("村") and row["责任区林长"]
        assert row["主要树种"] and "%" in row["主要树种"] and row["林种"]
        sides = row["四至"].split("\n")
        assert 3 <= len(sides) <= 4 and all(side[:2] in ("东至", "南至", "西至", "北至") for side in sides)
    assert rows[1]["联系电话"] is None  # the ranger without a phone: blank
    assert any("网格（" in row["四至"] for row in rows) and any("区界" in row["四至"] for row in rows)
    total = [cell.value for cell in sheet[3 + len(zones)]]
    assert total[0] == "合计" and total[6] == pytest.approx(sum(zone[4] for zone in zones), abs=0.01)

    summary = list(workbook["按村汇总"].iter_rows(min_row=3, values_only=True))
    with sqlite3.connect(gpkg) as db:
        villages = db.execute("SELECT count(DISTINCT area_code) FROM grid_zones").fetchone()[0]
    assert len(summary) == villages + 1 and summary[-1][0] == "合计" and summary[-1][2] == len(zones)
    assert all(row[8] is None or 1.0 <= row[8] <= 1.15 for row in summary)  # the grid's balance goal

    folder = tmp_path / "maps"
    expected = sorted(f"管护责任图_{zone[0]}_{zone[3]}.pdf" for zone in zones)
    assert sorted(os.listdir(folder)) == expected  # no temporary files either
    data = (folder / expected[0]).read_bytes()
    assert data.startswith(b"%PDF") and pdf_page_count(data) == 1 and b"/MediaBox [0 0 595" in data
    text = squeeze(pdf_text(str(folder / expected[0])))
    first = rows[0]
    for needle in ("护林员管护责任图", first["护林员"], first["网格编号"], first["村"], "图例", "本网格", "相邻管护网格",
                   "森林资源小班", "网格信息", "联系电话", "公顷", "亩", "四至", first["四至"].split("\n")[0],
                   "责任区林长", first["责任区林长"], "签字", "生成日期"):
        assert squeeze(needle) in text, needle


def test_page_has_map_legend_scale_bar_and_north_arrow(grid, tmp_path):
    from linzhang_qgis.processing_algorithms.export_grid import ExportGridAlgorithm
    from linzhang_qgis.core.grid.responsibility import responsibility_entries
    from linzhang_qgis.qgis_glue import ranger_map

    gpkg, zones, _phones = grid
    frames, crs = ExportGridAlgorithm.read_workspace(gpkg)
    rangers = frames["rangers"].drop(columns=["geometry", "fid"]).to_dict("records")
    entries = responsibility_entries(frames["zones"], frames["areas"], rangers, frames["stands"])
    data = ranger_map.MapData(crs, entries, ExportGridAlgorithm.map_areas(frames["areas"], {zones[0][1]}),
                              frames["stands"])
    private = QgsProject()
    stands = ranger_map.stands_layer(data)
    private.addMapLayer(stands, False)
    try:
        entry = entries[0]
        page = ranger_map.build_ranger_page(entry, data, private, stands)
        items = page.layout.items()
        maps = [item for item in items if isinstance(item, QgsLayoutItemMap)]
        legends = [item for item in items if isinstance(item, QgsLayoutItemLegend)]
        bars = [item for item in items if isinstance(item, QgsLayoutItemScaleBar)]
        arrows = [item for item in items if isinstance(item, QgsLayoutItemPicture)]
        assert len(maps) == len(legends) == len(bars) == len(arrows) == 1
        assert os.path.exists(arrows[0].picturePath()) and arrows[0].linkedMap() is maps[0]
        assert bars[0].linkedMap() is maps[0] and bars[0].unitLabel() in ("米", "公里")
        xmin, ymin, xmax, ymax = entry.geometry.bounds
        extent = maps[0].extent()
        assert extent.xMinimum() < xmin and extent.yMinimum() < ymin and extent.xMaximum() > xmax
        assert extent.yMaximum() > ymax and extent.width() < 3 * max(xmax - xmin, ymax - ymin)
        legend = legends[0]
        assert legend.linkedMap() is maps[0] and legend.title() == "图例"
        names = [node.name() for node in legend.model().rootGroup().children()]
        assert names == ["本网格（管护范围）", "相邻管护网格（编号、护林员）", f"本村界（{entry.village}）", "相邻村界",
                         "森林资源小班（优势树种）"]
        categories = [category.label() for category in stands.renderer().categories()]
        assert "马尾松" in categories and "非林地" in categories
        neighbours = page.layers["neighbours"]
        labelled = {feature["zone_id"] for feature in neighbours.getFeatures()}
        assert set(entry.neighbours) <= labelled and entry.zone_id not in labelled
        assert all(feature["ranger"] for feature in neighbours.getFeatures())

        from qgis.core import QgsLayoutExporter
        from qgis.PyQt.QtCore import QSize

        image = QgsLayoutExporter(page.layout).renderPageToImage(0, QSize(), 60)
        red = QColor(ranger_map.ZONE_OUTLINE)
        hits = sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height() // 2, 2)
                   if _close(QColor(image.pixel(x, y)), red))
        assert hits > 50  # the zone's outline is drawn on the map
    finally:
        private.clear()


def _close(colour: QColor, target: QColor, tolerance: int = 40) -> bool:
    return (abs(colour.red() - target.red()) + abs(colour.green() - target.green())
            + abs(colour.blue() - target.blue())) <= tolerance


def test_page_as_png_and_safe_file_names(grid, tmp_path):
    from linzhang_qgis.processing_algorithms.export_grid import ExportGridAlgorithm
    from linzhang_qgis.core.grid.responsibility import responsibility_entries
    from linzhang_qgis.qgis_glue import ranger_map

    gpkg, zones, _phones = grid
    frames, crs = ExportGridAlgorithm.read_workspace(gpkg)
    rangers = frames["rangers"].drop(columns=["geometry", "fid"]).to_dict("records")
    entries = responsibility_entries(frames["zones"], frames["areas"], rangers, frames["stands"])
    data = ranger_map.MapData(crs, entries, ExportGridAlgorithm.map_areas(frames["areas"], {zones[0][1]}),
                              frames["stands"])
    png = str(tmp_path / "page.png")
    ranger_map.export_ranger_image(entries[0], data, png, dpi=50)
    image = QImage(png)
    assert image.width() == pytest.approx(210 / 25.4 * 50, abs=2) and image.height() > image.width()
    odd = entries[0]
    odd.ranger = "李/四 "
    assert ranger_map.map_file_name(odd) == f"管护责任图_{odd.zone_id}_李_四.pdf"
    paths = ranger_map.export_ranger_maps([odd, odd], data, str(tmp_path / "twins"))
    assert [os.path.basename(path) for path in paths] == [f"管护责任图_{odd.zone_id}_李_四.pdf",
                                                          f"管护责任图_{odd.zone_id}_李_四_2.pdf"]


def test_area_codes_choose_a_town(processing, grid, tmp_path):
    gpkg, zones, _phones = grid
    mine = [zone for zone in zones if zone[1].startswith(TOWN)]
    result = export(processing, gpkg, AREA_CODES=f"{TOWN}，", LIST=str(tmp_path / "town.xlsx"))
    assert result["ZONES"] == len(mine) and result["MAPS"] == 0 and result["MAP_FOLDER"] is None
    sheet = openpyxl.load_workbook(tmp_path / "town.xlsx")["责任清单"]
    ids = [row[3] for row in sheet.iter_rows(min_row=3, max_row=2 + len(mine), values_only=True)]
    assert ids == [zone[0] for zone in mine] and sheet.cell(row=3 + len(mine), column=1).value == "合计"
    assert {row[1] for row in sheet.iter_rows(min_row=3, max_row=2 + len(mine), values_only=True)} == {"水口镇"}
    village = mine[0][1]
    result = export(processing, gpkg, AREA_CODES=village, MAP_FOLDER=str(tmp_path / "one"))
    assert result["MAPS"] == sum(1 for zone in zones if zone[1] == village) == len(os.listdir(tmp_path / "one"))


def test_bad_input(processing, grid, tmp_path):
    from osgeo import ogr

    from linzhang_qgis.core.workspace import create_workspace

    gpkg, zones, _phones = grid
    with pytest.raises(QgsProcessingException) as raised:  # neither output
        processing.run("linzhang:exportgrid", {"WORKSPACE": gpkg})
    assert "请选择责任清单" in str(raised.value) and "Choose the responsibility list" in str(raised.value)

    plain = str(tmp_path / "plain.gpkg")  # a GeoPackage, but not a workspace
    ogr.GetDriverByName("GPKG").CreateDataSource(plain).CreateLayer("things")
    assert_fails(processing, {"WORKSPACE": plain}, tmp_path, "not a one-map workspace")
    assert_fails(processing, {"WORKSPACE": str(tmp_path / "nowhere.gpkg")}, tmp_path, "不存在", "does not exist")

    empty = str(tmp_path / "empty.gpkg")
    create_workspace(empty)
    assert_fails(processing, {"WORKSPACE": empty}, tmp_path, "没有管护网格", "管护网格划分",
                 "holds no management-grid zones", "linzhang:managementgrid")

    assert_fails(processing, {"WORKSPACE": gpkg, "AREA_CODES": "999999"}, tmp_path, "999999",
                 "no area coded 999999")

    unstaffed = str(tmp_path / "unstaffed.gpkg")
    shutil.copyfile(gpkg, unstaffed)
    dataset = ogr.Open(unstaffed, 1)
    dataset.ExecuteSQL(f"UPDATE grid_zones SET ranger_id = NULL, ranger = NULL WHERE zone_id = '{zones[0][0]}'")
    dataset = None
    assert_fails(processing, {"WORKSPACE": unstaffed}, tmp_path, zones[0][0], "没有护林员", "have no ranger")

    no_field = str(tmp_path / "no_field.gpkg")
    shutil.copyfile(gpkg, no_field)
    dataset = ogr.Open(no_field, 1)
    layer = dataset.GetLayerByName("grid_zones")
    layer.DeleteField(layer.GetLayerDefn().GetFieldIndex("ranger_id"))
    dataset = None
    assert_fails(processing, {"WORKSPACE": no_field}, tmp_path, "缺少字段", "ranger_id", "lacks the fields")
    assert sorted(os.listdir(tmp_path)) == ["empty.gpkg", "no_field.gpkg", "plain.gpkg", "unstaffed.gpkg"]


def test_cancel_leaves_no_output(processing, grid, tmp_path):
    gpkg, _zones, _phones = grid
    feedback = QgsProcessingFeedback()
    feedback.cancel()
    assert_fails(processing, {"WORKSPACE": gpkg}, tmp_path, "已取消", "Canceled", feedback=feedback)


def test_exportgrid_from_qgis_process(enabled_config, grid, tmp_path):
    gpkg, zones, _phones = grid
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=enabled_config, QT_QPA_PLATFORM="offscreen")
    workbook, folder = str(tmp_path / "list.xlsx"), str(tmp_path / "maps")
    village = zones[0][1]
    done = subprocess.run(["/usr/bin/qgis_process.bin", "run", "linzhang:exportgrid", "--json", "--",
                           f"WORKSPACE={gpkg}", f"AREA_CODES={village}", f"LIST={workbook}", f"MAP_FOLDER={folder}"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(done.stdout[done.stdout.index("{"):])["results"]
    mine = [zone for zone in zones if zone[1] == village]
    assert results["ZONES"] == results["MAPS"] == len(mine)
    assert sorted(os.listdir(folder)) == sorted(f"管护责任图_{zone[0]}_{zone[3]}.pdf" for zone in mine)
    sheet = openpyxl.load_workbook(workbook)["责任清单"]
    assert [row[3] for row in sheet.iter_rows(min_row=3, max_row=2 + len(mine), values_only=True)] == [
        zone[0] for zone in mine]
