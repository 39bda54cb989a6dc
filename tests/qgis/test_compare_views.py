"""Before/after side by side on two real Sentinel-2 images: views that move together, the spot, the choosers."""
from __future__ import annotations

import os

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsMapLayerComboBox, QgsRubberBand
from qgis.PyQt.QtCore import QCoreApplication, QEvent
from qgis.PyQt.QtWidgets import QLabel

from linzhang_qgis.gui.compare_views import CompareViews, spot_view_extent

HERE = os.path.dirname(os.path.abspath(__file__))
S2 = os.path.join(os.path.dirname(HERE), "data", "s2_merenschwand")
BEFORE_TIF = os.path.join(S2, "S2_L2A_T32TMT_20200807_B04_B08.tif")
AFTER_TIF = os.path.join(S2, "S2_L2A_T32TMT_20210812_B04_B08.tif")
UTM32 = QgsCoordinateReferenceSystem("EPSG:32632")
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
# inside both images (449280..453570 E, 5232670..5236230 N)
SPOT_UTM = "POLYGON((451000 5234000, 451400 5234000, 451400 5234250, 451150 5234350, 451000 5234250, 451000 5234000))"
TIMEOUT_MS = 10000


@pytest.fixture()
def project_layers(qgis_app):
    project = QgsProject.instance()
    project.clear()
    project.setCrs(UTM32)
    before = QgsRasterLayer(BEFORE_TIF, "S2 2020-08-07", "gdal")
    after = QgsRasterLayer(AFTER_TIF, "S2 2021-08-12", "gdal")
    spots = QgsVectorLayer("Polygon?crs=EPSG:32632", "spots", "memory")
    assert before.isValid() and after.isValid() and spots.isValid()
    project.addMapLayers([before, after, spots])
    yield before, after
    project.clear()


@pytest.fixture()
def views(qtbot, project_layers):
    widget = CompareViews(project=QgsProject.instance())
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.shutdown()
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # deleted here, not in a later test


def canvases(views):
    return views.before_canvas(), views.after_canvas()


def close(a: QgsRectangle, b: QgsRectangle, tolerance: float = 1e-6) -> bool:
    size = max(a.width(), a.height(), 1e-9)
    return all(abs(x - y) <= tolerance * size for x, y in (
        (a.xMinimum(), b.xMinimum()), (a.yMinimum(), b.yMinimum()),
        (a.xMaximum(), b.xMaximum()), (a.yMaximum(), b.yMaximum())))


def outlines(canvas) -> list[QgsRubberBand]:
    return [item for item in canvas.scene().items() if isinstance(item, QgsRubberBand) and item.isVisible()]


def test_message_until_both_images_are_chosen(views, project_layers):
    before, after = project_layers
    assert views.layers() == (None, None)
    assert views.message() == "Choose the before and after imagery layers"
    views.set_layers(before, None)
    assert views.layers() == (before, None)
    assert views.message() == "Choose the after imagery layer"
    hint = [label for label in views.findChildren(QLabel) if label.text() == views.message()]
    assert hint and hint[0].isVisible()
    views.set_layers(None, after)
    assert views.message() == "Choose the before imagery layer"
    views.set_layers(before, after)
    assert views.layers() == (before, after)
    assert views.message() == ""
    assert not hint[0].isVisible()


def test_each_view_shows_its_image(views, project_layers, qtbot):
    before, after = project_layers
    with qtbot.waitSignal(views.layersChanged, timeout=1000):
        views.set_layers(before, after)
    first, second = canvases(views)
    assert first.layers() == [before] and second.layers() == [after]
    assert first.mapSettings().destinationCrs() == UTM32 == second.mapSettings().destinationCrs()
    # the first image chosen brings the views to it
    assert first.extent().intersects(before.extent())


def test_the_choosers_list_rasters_only_and_change_the_views(views, project_layers, qtbot):
    before, after = project_layers
    views.set_layers(before, after)
    combos = views.findChildren(QgsMapLayerComboBox)
    assert len(combos) == 2
    left, right = combos if combos[0].currentLayer() is before else combos[::-1]
    assert left.count() == 3  # the empty entry and the two rasters; no vector layer
    with qtbot.waitSignal(views.layersChanged, timeout=1000):
        left.setLayer(after)
    assert views.layers() == (after, after)
    assert views.before_canvas().layers() == [after]
    with qtbot.waitSignal(views.layersChanged, timeout=1000):
        right.setLayer(None)
    assert views.after_canvas().layers() == []
    assert views.message() == "Choose the after imagery layer"
    # a layer leaving the project leaves its view
    with qtbot.waitSignal(views.layersChanged, timeout=1000):
        QgsProject.instance().removeMapLayer(after.id())
    assert views.layers() == (None, None)
    assert views.before_canvas().layers() == []


def test_moving_either_view_moves_the_other_once(views, project_layers, qtbot):
    before, after = project_layers
    views.set_layers(before, after)
    first, second = canvases(views)
    qtbot.waitUntil(lambda: close(first.extent(), second.extent()), timeout=TIMEOUT_MS)
    qtbot.wait(100)  # the layout settles (the hint above the views went away: the views grew)
    emitted = {"first": 0, "second": 0}
    first.extentsChanged.connect(lambda: emitted.__setitem__("first", emitted["first"] + 1))
    second.extentsChanged.connect(lambda: emitted.__setitem__("second", emitted["second"] + 1))

    first.setExtent(QgsRectangle(450000, 5233000, 451200, 5234000))
    first.refresh()
    qtbot.waitUntil(lambda: close(first.extent(), second.extent()), timeout=TIMEOUT_MS)
    assert second.scale() == pytest.approx(first.scale(), rel=1e-9)
    assert second.center().x() == pytest.approx(first.center().x())
    qtbot.wait(200)  # nothing bounces back
    assert emitted == {"first": 1, "second": 1}

    # zoom and pan the right one: the left follows
    second.zoomByFactor(0.5)
    second.refresh()
    qtbot.waitUntil(lambda: close(first.extent(), second.extent()), timeout=TIMEOUT_MS)
    assert first.scale() == pytest.approx(second.scale(), rel=1e-9)
    second.setCenter(QgsPointXY(452000, 5235000))
    second.refresh()
    qtbot.waitUntil(lambda: close(first.extent(), second.extent()), timeout=TIMEOUT_MS)
    assert first.center().x() == pytest.approx(452000) and first.center().y() == pytest.approx(5235000)
    qtbot.wait(200)
    assert emitted == {"first": 3, "second": 3}


def test_show_spot_zooms_both_views_and_outlines_the_spot(views, project_layers, qtbot):
    before, after = project_layers
    views.set_layers(before, after)
    spot = QgsGeometry.fromWkt(SPOT_UTM)
    # given in WGS 84: the views reproject it
    spot_wgs84 = QgsGeometry(spot)
    spot_wgs84.transform(QgsCoordinateTransform(UTM32, WGS84, QgsProject.instance()))
    views.show_spot(spot_wgs84, WGS84, "2020-08-07", "2021-08-12")
    first, second = canvases(views)
    qtbot.waitUntil(lambda: close(first.extent(), second.extent()), timeout=TIMEOUT_MS)
    wanted = spot_view_extent(spot.boundingBox(), 1.5, 200.0)
    for canvas in (first, second):
        extent = canvas.extent()
        assert extent.contains(wanted.buffered(-0.01))
        # fitted: as wide or as high as the wanted box
        assert min(extent.width() / wanted.width(), extent.height() / wanted.height()) == pytest.approx(1, rel=1e-3)
        assert extent.center().x() == pytest.approx(spot.boundingBox().center().x(), abs=0.01)
        bands = outlines(canvas)
        assert len(bands) == 1
        outline = bands[0].asGeometry()
        assert outline.area() == pytest.approx(spot.area(), rel=1e-4)
        assert outline.symDifference(spot).area() < 1e-3 * spot.area()
        assert bands[0].strokeColor().name() == "#ffe600"
        assert bands[0].fillColor().alpha() == 0
    captions = [label.text() for label in views.findChildren(QLabel)]
    assert "Before: S2 2020-08-07  2020-08-07" in captions
    assert "After: S2 2021-08-12  2021-08-12" in captions

    views.clear_spot()
    assert outlines(first) == [] and outlines(second) == []
    assert "Before: S2 2020-08-07" in [label.text() for label in views.findChildren(QLabel)]


def test_a_small_spot_still_shows_200_metres(views, project_layers, qtbot):
    before, after = project_layers
    views.set_layers(before, after)
    small = QgsGeometry.fromRect(QgsRectangle(451000, 5234000, 451020, 5234020))
    views.show_spot(small, UTM32)
    first, second = canvases(views)
    qtbot.waitUntil(lambda: close(first.extent(), second.extent()), timeout=TIMEOUT_MS)
    for canvas in (first, second):
        assert min(canvas.extent().width(), canvas.extent().height()) == pytest.approx(200, rel=1e-3)
        assert canvas.center().x() == pytest.approx(451010) and canvas.center().y() == pytest.approx(5234010)
    # a second spot replaces the first outline
    views.show_spot(QgsGeometry.fromWkt(SPOT_UTM), UTM32)
    assert len(outlines(first)) == 1 and len(outlines(second)) == 1


def test_spot_view_extent():
    box = QgsRectangle(0, 0, 400, 100)
    assert spot_view_extent(box, 1.5, 200) == QgsRectangle(-100, -50, 500, 150)
    assert spot_view_extent(QgsRectangle(0, 0, 10, 10), 1.5, 200) == QgsRectangle(-95, -95, 105, 105)


def test_dates_from_attributes_read_as_days():
    import datetime as dt

    from qgis.core import NULL
    from qgis.PyQt.QtCore import QDate, QDateTime

    from linzhang_qgis.gui.compare_views import date_text

    assert date_text("2025/10/20") == "2025/10/20"
    assert date_text(QDate(2025, 10, 20)) == "2025-10-20"
    assert date_text(QDateTime(QDate(2026, 1, 2))) == "2026-01-02"
    assert date_text(dt.date(2020, 1, 3)) == "2020-01-03"
    assert [date_text(v) for v in (None, NULL, QDate(), "")] == ["", "", "", ""]


def test_a_new_project_crs_reprojects_views_and_outline(views, project_layers, qtbot):
    before, after = project_layers
    views.set_layers(before, after)
    spot = QgsGeometry.fromWkt(SPOT_UTM)
    views.show_spot(spot, UTM32)
    first, second = canvases(views)
    mercator = QgsCoordinateReferenceSystem("EPSG:3857")
    QgsProject.instance().setCrs(mercator)
    for canvas in (first, second):
        assert canvas.mapSettings().destinationCrs() == mercator
        expected = QgsGeometry(spot)
        expected.transform(QgsCoordinateTransform(UTM32, mercator, QgsProject.instance()))
        bands = outlines(canvas)
        assert len(bands) == 1
        assert bands[0].asGeometry().symDifference(expected).area() < 1e-3 * expected.area()
        assert canvas.extent().contains(expected.boundingBox())
    qtbot.waitUntil(lambda: close(first.extent(), second.extent()), timeout=TIMEOUT_MS)
