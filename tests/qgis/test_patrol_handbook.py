"""linzhang:patrolhandbook on the demo district: one PDF per chief through a real QGIS atlas, what the layout
holds, a rendered page, bad input, cancel, and a run through qgis_process.bin."""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess

import pytest

pytest.importorskip("geopandas")

from qgis.core import (  # noqa: E402
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsProcessingException,
    QgsProcessingFeedback,
)
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402

QGIS_PROCESS = "/usr/bin/qgis_process.bin"
DISTRICT, TOWN, GROUP = "360799", "360799001", "360799001203002"


def chiefs(gpkg: str) -> dict[str, str]:
    with sqlite3.connect(gpkg) as db:
        return dict(db.execute("SELECT code, chief_name FROM resp_areas"))


def pdf_pages(path: str) -> int:
    with open(path, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    return max(int(count) for count in re.findall(rb"/Count (\d+)", data))


def run(processing, **parameters) -> dict:
    return processing.run("linzhang:patrolhandbook", parameters)


@pytest.fixture(scope="module")
def town_layout(full_demo):
    """The atlas layout of the three town chiefs and the group 360799001203002."""
    from linzhang_qgis.core.handbook import lists
    from linzhang_qgis.qgis_glue.handbook_layout import build_handbook_layout, read_workspace

    data, crs = read_workspace(full_demo.gpkg_path)
    as_of = lists.default_as_of(data.tracks)
    codes = lists.select_codes(data.tree(), 2) + [GROUP]
    books = lists.build_handbooks(data, codes, as_of)
    book_layout = build_handbook_layout(books, data, crs, as_of)
    yield book_layout
    book_layout.close()


# --- Processing ------------------------------------------------------------------------------------

def test_one_pdf_for_the_district_chief(processing, full_demo, tmp_path):
    folder = tmp_path / "out"
    result = run(processing, WORKSPACE=full_demo.gpkg_path, OUTPUT_FOLDER=str(folder))
    name = "巡林手册_{}_{}.pdf".format(DISTRICT, chiefs(full_demo.gpkg_path)[DISTRICT])
    assert result["FILES"] == 1 and result["OUTPUT_FOLDER"] == str(folder)
    assert os.listdir(folder) == [name]  # no temporary file or staging folder left
    assert pdf_pages(str(folder / name)) == 2 and os.path.getsize(folder / name) > 50_000


def test_pdfs_for_given_codes_of_any_level(processing, full_demo, tmp_path):
    names = chiefs(full_demo.gpkg_path)
    result = run(processing, WORKSPACE=full_demo.gpkg_path, AREA_CODES=f"{TOWN}，{GROUP}", LEVEL=0,
                 AS_OF="2026-09-30", OUTPUT_FOLDER=str(tmp_path))
    assert result["FILES"] == 2
    assert sorted(os.listdir(tmp_path)) == sorted("巡林手册_{}_{}.pdf".format(code, names[code]) for code in (TOWN, GROUP))


def test_every_chief_of_a_level(processing, full_demo, tmp_path):
    result = run(processing, WORKSPACE=full_demo.gpkg_path, LEVEL=1, OUTPUT_FOLDER=str(tmp_path))
    with sqlite3.connect(full_demo.gpkg_path) as db:
        towns = [row[0] for row in db.execute("SELECT code FROM resp_areas WHERE level = 2")]
    assert result["FILES"] == len(towns) == 3
    assert sorted(name.split("_")[1] for name in os.listdir(tmp_path)) == sorted(towns)


# --- the layout ------------------------------------------------------------------------------------

def test_the_atlas_has_one_feature_per_chief(town_layout):
    atlas = town_layout.atlas
    assert atlas.enabled() and atlas.coverageLayer() is town_layout.coverage
    assert atlas.updateFeatures() == 4 and atlas.count() == 4
    assert town_layout.layout.pageCollection().pageCount() == 2


def test_the_layout_has_map_legend_scale_bar_and_north_arrow(town_layout):
    items = town_layout.items
    assert isinstance(items["map"], QgsLayoutItemMap) and items["map"].atlasDriven()
    assert items["map"].atlasClippingSettings().enabled()
    legend = items["legend"]
    assert isinstance(legend, QgsLayoutItemLegend) and legend.linkedMap() is items["map"]
    assert legend.legendFilterByMapEnabled() and legend.title() == "图例"
    assert isinstance(items["scalebar"], QgsLayoutItemScaleBar) and items["scalebar"].linkedMap() is items["map"]
    assert isinstance(items["north_arrow"], QgsLayoutItemPicture)
    assert os.path.exists(items["north_arrow"].picturePath())
    for name in ("title", "subtitle", "tasks", "resources_use", "resources_species", "problems"):
        assert isinstance(items[name], QgsLayoutItemLabel), name
    assert items["tasks"].mode() == QgsLayoutItemLabel.Mode.ModeHtml
    assert town_layout.layout.itemById("map") is items["map"]


def test_the_list_items_show_the_current_chief(town_layout):
    from linzhang_qgis.qgis_glue.handbook_layout import seek

    items = town_layout.items
    books = town_layout.handbooks
    seek(town_layout, 0)
    first = books[0]
    assert items["title"].currentText() == "{}镇级林长巡林手册（{}年度）".format(first.name, first.year)
    assert first.chief_name in items["subtitle"].currentText()
    tasks = items["tasks"].currentText()
    assert "一、目标任务清单" in tasks and "林长巡林" in tasks and "督导下级林长" in tasks
    assert "按每月1次的要求巡林" in tasks
    assert "防护林" in items["resources_use"].currentText() and "（二）按起源" in items["resources_use"].currentText()
    assert "马尾松" in items["resources_species"].currentText()
    problems = items["problems"].currentText()
    assert "三、重点问题清单" in problems
    assert all(spot.spot_no in problems for spot in first.problems.open_spots[:5])
    seek(town_layout, 3)  # the group
    assert items["title"].currentText().startswith("下山村第二组组级林长巡林手册")
    assert "督导下级林长" not in items["tasks"].currentText()
    assert GROUP + "-0001" in items["problems"].currentText()


def test_a_long_list_shows_its_first_rows_and_how_many_more(full_demo):
    from linzhang_qgis.core.handbook import lists
    from linzhang_qgis.qgis_glue.handbook_layout import Measure, html_px_mm, problem_blocks, read_workspace

    data, _crs = read_workspace(full_demo.gpkg_path)
    book = lists.build_handbooks(data, [DISTRICT], lists.default_as_of(data.tracks))[0]
    assert len(book.problems.overdue) > 20
    measure = Measure(html_px_mm())
    roomy = "".join(block.html for block in problem_blocks(book, measure, 700, 10_000))
    tight_blocks = problem_blocks(book, measure, 700, 600)
    tight = "".join(block.html for block in tight_blocks)
    assert "另有" not in roomy and roomy.count("<tr>") > len(book.problems.overdue)
    shown = len(re.findall(r"<tr><td style=\"width:\d+px;height:\d+px;text-align:center;\">\d+</td>", tight))
    more = sum(int(n) for n in re.findall(r"…另有 (\d+) 项", tight))
    assert more > 0 and shown + more == (len(book.problems.open_spots) + len(book.problems.overdue)
                                          + len(book.problems.missed))
    assert sum(block.height_px for block in tight_blocks) <= 600


def test_rows_are_shared_between_the_problem_tables_and_scale_bars_are_round():
    from linzhang_qgis.qgis_glue.handbook_layout import nice_step, share_rows

    assert share_rows([3, 40, 10], 100) == [3, 40, 10]
    assert share_rows([3, 40, 10], 30) == [3, 17, 10]  # the short tables keep theirs, the long one takes the rest
    assert share_rows([0, 40, 30], 20) == [0, 10, 10]
    assert share_rows([5, 5, 5], 2) == [1, 1, 1]  # each table keeps one row: its "…另有 M 项"
    assert [nice_step(value, 100) for value in (0.37, 0.8, 1.4, 2.9, 3.3, 7.9)] == [0.5, 1.0, 1.0, 2.0, 5.0, 10.0]
    assert nice_step(7.9, 6.0) == 5.0


def test_a_rendered_page_is_a_map_not_a_blank(town_layout, tmp_path):
    from linzhang_qgis.qgis_glue.handbook_layout import MAP_RECT, USE_COLOURS, render_handbook_page

    path = str(tmp_path / "page.png")
    render_handbook_page(town_layout, 0, 0, path, dpi=60)
    image = QImage(path)
    assert not image.isNull() and image.width() == round(210 / 25.4 * 60)
    x, y, width, height = (round(value / 25.4 * 60) for value in MAP_RECT)
    colours = {image.pixelColor(x + i, y + j).name() for i in range(2, width - 2, 3) for j in range(2, height - 2, 3)}
    assert len(colours) > 20
    protection = QColor(USE_COLOURS["protection"])
    assert any(abs(QColor(c).red() - protection.red()) + abs(QColor(c).green() - protection.green())
               + abs(QColor(c).blue() - protection.blue()) < 30 for c in colours)
    # the legend now holds only what this town's map shows: no grid zones in the demo
    legend = town_layout.items["legend"]
    shown = {node.name(): [n.data(0) for n in legend.model().layerLegendNodes(node)]
             for node in legend.model().rootGroup().findLayers()}
    assert shown["本责任区边界"] == ["本责任区边界"] and shown["管护网格"] == []
    assert "防护林" in shown["森林资源小班（按林种）"] and "下级责任区" in shown["下级责任区"]
    render_handbook_page(town_layout, 3, 0, path, dpi=30)  # the group: no areas below it
    shown = {node.name(): [n.data(0) for n in legend.model().layerLegendNodes(node)]
             for node in legend.model().rootGroup().findLayers()}
    assert shown["下级责任区"] == [] and shown["未销号变化图斑"] == ["未销号变化图斑"]


def test_page_two_is_rendered_too(town_layout, tmp_path):
    from linzhang_qgis.qgis_glue.handbook_layout import render_handbook_page

    path = str(tmp_path / "page2.png")
    render_handbook_page(town_layout, 1, 1, path, dpi=60)
    image = QImage(path)
    inked = [j for j in range(image.height()) if any(image.pixelColor(i, j).lightness() < 160
                                                     for i in range(0, image.width(), 2))]
    assert len(inked) > image.height() // 4  # the tables' text and lines fill many rows of the page
    header = QColor("#ddebf7")  # the tables' header fill
    assert any(image.pixelColor(i, j) == header for i in range(0, image.width(), 3) for j in inked)


# --- bad input, cancel -------------------------------------------------------------------------------

def broken_copy(full_demo, tmp_path, edit) -> str:
    from osgeo import ogr

    path = str(tmp_path / "broken.gpkg")
    shutil.copy(full_demo.gpkg_path, path)
    dataset = ogr.Open(path, 1)
    edit(dataset)
    dataset = None
    return path


def expect_error(processing, tmp_path, zh: str, en: str, **parameters) -> None:
    folder = tmp_path / "never"
    with pytest.raises(QgsProcessingException) as error:
        run(processing, OUTPUT_FOLDER=str(folder), **parameters)
    assert zh in str(error.value) and en in str(error.value), str(error.value)
    assert not folder.exists()


def test_a_missing_layer(processing, full_demo, tmp_path):
    def drop(dataset):
        dataset.DeleteLayer(next(i for i in range(dataset.GetLayerCount())
                                 if dataset.GetLayerByIndex(i).GetName() == "grid_zones"))
    expect_error(processing, tmp_path, "grid_zones", "grid_zones", WORKSPACE=broken_copy(full_demo, tmp_path, drop))


def test_a_missing_field(processing, full_demo, tmp_path):
    def drop(dataset):
        layer = dataset.GetLayerByName("forest_stands")
        layer.DeleteField(layer.GetLayerDefn().GetFieldIndex("forest_use"))
    expect_error(processing, tmp_path, "缺少字段", "forest_use", WORKSPACE=broken_copy(full_demo, tmp_path, drop))


def test_codes_that_match_nothing(processing, full_demo, tmp_path):
    expect_error(processing, tmp_path, "没有编码为 999、888 的责任区", "no responsibility area with the code 999, 888",
                 WORKSPACE=full_demo.gpkg_path, AREA_CODES="999, 888")


def test_an_area_without_stands(processing, full_demo, tmp_path):
    path = broken_copy(full_demo, tmp_path,
                       lambda dataset: dataset.ExecuteSQL(f"DELETE FROM forest_stands WHERE area_code = '{GROUP}'"))
    expect_error(processing, tmp_path, "没有森林资源小班", "no forest stands", WORKSPACE=path, AREA_CODES=GROUP)


def test_a_level_without_areas(processing, tmp_path):
    from linzhang_qgis.core.workspace import create_workspace

    path = str(tmp_path / "empty.gpkg")
    create_workspace(path)
    expect_error(processing, tmp_path, "没有区级责任区", "no district responsibility areas", WORKSPACE=path)


def test_not_a_workspace(processing, tmp_path):
    path = tmp_path / "notes.gpkg"
    path.write_text("not a GeoPackage")
    expect_error(processing, tmp_path, "不是 GeoPackage", "not a GeoPackage", WORKSPACE=str(path))


def test_cancel_leaves_no_pdf(processing, full_demo, tmp_path):
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda progress: feedback.cancel() if progress > 70 else None)
    folder = tmp_path / "new" / "handbooks"
    with pytest.raises(QgsProcessingException) as error:
        processing.run("linzhang:patrolhandbook", {"WORKSPACE": full_demo.gpkg_path, "LEVEL": 1,
                                                    "OUTPUT_FOLDER": str(folder)}, feedback=feedback)
    assert "已取消" in str(error.value) and "Canceled" in str(error.value)
    assert not (tmp_path / "new").exists()


# --- qgis_process.bin ---------------------------------------------------------------------------------

def test_from_qgis_process(enabled_config, full_demo, tmp_path):
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=enabled_config, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([QGIS_PROCESS, "run", "linzhang:patrolhandbook", "--json", "--",
                           f"WORKSPACE={full_demo.gpkg_path}", f"AREA_CODES={TOWN}", f"OUTPUT_FOLDER={tmp_path}"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(done.stdout[done.stdout.index("{"):])["results"]
    assert results["FILES"] == 1
    name = "巡林手册_{}_{}.pdf".format(TOWN, chiefs(full_demo.gpkg_path)[TOWN])
    assert os.listdir(tmp_path) == [name] and pdf_pages(str(tmp_path / name)) == 2
