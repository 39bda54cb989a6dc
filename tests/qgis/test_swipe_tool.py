"""The swipe tool (卷帘) on a real canvas with two real rasters: what is drawn where, alignment, start and stop."""
from __future__ import annotations

import gc

import numpy as np
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPalettedRasterRenderer,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
)
from qgis.gui import QgsMapCanvas, QgsMapToolPan
from qgis.PyQt.QtCore import QEvent, QPoint, QPointF, Qt
from qgis.PyQt.QtGui import QColor, QImage, QMouseEvent
from qgis.PyQt.QtWidgets import QApplication

from linzhang_qgis.gui.swipe_tool import SwipeItem, SwipeTool

CRS = "EPSG:32632"
ORIGIN = (449000.0, 5237000.0)  # top-left, metres
PIXEL = 10.0
SIZE = 100  # pixels each way: 1 km
BLOCK = 3  # checkerboard cells of 3×3 pixels (30 m)
CANVAS_W, CANVAS_H = 400, 300
VIEW = QgsRectangle(449300.0, 5236300.0, 449700.0, 5236600.0)  # 400 m × 300 m: 1 m per screen pixel
RED, BLUE, WHITE = QColor(255, 0, 0), QColor(0, 0, 255), QColor(255, 255, 255)
RENDER_TIMEOUT_MS = 20000


def write_checkerboard(path: str) -> None:
    import rasterio
    from rasterio.transform import from_origin

    rows, cols = np.indices((SIZE, SIZE))
    values = np.where(((rows // BLOCK) + (cols // BLOCK)) % 2 == 0, 1, 2).astype("uint8")
    with rasterio.open(path, "w", driver="GTiff", width=SIZE, height=SIZE, count=1, dtype="uint8", crs=CRS,
                       transform=from_origin(ORIGIN[0], ORIGIN[1], PIXEL, PIXEL)) as dst:
        dst.write(values, 1)


def checker_layer(path: str, name: str, colour: QColor) -> QgsRasterLayer:
    """The checkerboard with its 1-cells in ``colour`` and its 2-cells white."""
    layer = QgsRasterLayer(path, name, "gdal")
    assert layer.isValid()
    classes = [QgsPalettedRasterRenderer.Class(1, colour, "1"), QgsPalettedRasterRenderer.Class(2, WHITE, "2")]
    layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), 1, classes))
    return layer


@pytest.fixture(scope="module")
def raster_paths(tmp_path_factory):
    folder = tmp_path_factory.mktemp("swipe")
    paths = {}
    for name in ("base", "swiped"):
        paths[name] = str(folder / f"{name}.tif")
        write_checkerboard(paths[name])
    return paths


@pytest.fixture()
def layers(qgis_app, raster_paths):
    project = QgsProject.instance()
    project.clear()
    base = checker_layer(raster_paths["base"], "base (blue)", BLUE)
    swiped = checker_layer(raster_paths["swiped"], "swiped (red)", RED)
    project.addMapLayers([base, swiped])
    yield base, swiped
    project.clear()


@pytest.fixture()
def canvas(qtbot, layers):
    base, _ = layers
    widget = QgsMapCanvas()
    qtbot.addWidget(widget)
    widget.setCanvasColor(WHITE)
    widget.setDestinationCrs(QgsCoordinateReferenceSystem(CRS))
    widget.setLayers([base])
    frame = widget.frameWidth()
    widget.resize(CANVAS_W + 2 * frame, CANVAS_H + 2 * frame)  # a viewport (the map) of CANVAS_W × CANVAS_H
    widget.show()
    qtbot.waitExposed(widget)
    assert (widget.viewport().width(), widget.viewport().height()) == (CANVAS_W, CANVAS_H)
    with qtbot.waitSignal(widget.mapCanvasRefreshed, timeout=RENDER_TIMEOUT_MS):
        widget.setExtent(VIEW)
        widget.refresh()
    return widget


def move_canvas(qtbot, canvas, extent: QgsRectangle, tool: SwipeTool) -> None:
    """Set the extent and wait for both the map and the swipe image to be rendered again."""
    with qtbot.waitSignals([canvas.mapCanvasRefreshed, tool.rendered], timeout=RENDER_TIMEOUT_MS):
        canvas.setExtent(extent)
        canvas.refresh()


def start(qtbot, tool: SwipeTool) -> None:
    with qtbot.waitSignal(tool.rendered, timeout=RENDER_TIMEOUT_MS):
        assert tool.start()


def render(settings: QgsMapSettings, layers) -> QImage:
    """A direct render of ``layers`` with ``settings`` (transparent background), as a plain image."""
    settings = QgsMapSettings(settings)
    settings.setLayers(layers)
    settings.setBackgroundColor(QColor(0, 0, 0, 0))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage()


def pixels(image: QImage) -> np.ndarray:
    """H×W×4 uint8 (B, G, R, A) of an image."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    height, width = image.height(), image.width()
    data = image.constBits().asstring(image.bytesPerLine() * height)
    return np.frombuffer(data, np.uint8).reshape(height, image.bytesPerLine() // 4, 4)[:, :width].copy()


def is_red(px: np.ndarray) -> np.ndarray:
    return (px[..., 2] > 200) & (px[..., 1] < 60) & (px[..., 0] < 60)


def is_blue(px: np.ndarray) -> np.ndarray:
    return (px[..., 0] > 200) & (px[..., 1] < 60) & (px[..., 2] < 60)


def is_white(px: np.ndarray) -> np.ndarray:
    return (px[..., :3] > 200).all(axis=-1)


def grab(canvas) -> np.ndarray:
    return pixels(canvas.viewport().grab().toImage())


def assert_swiped(canvas, tool: SwipeTool, base) -> None:
    """Left of the line: the swiped layer's red cells; right: the base map's blue cells; both where the
    base map has its coloured cells (the checkerboard continues across the line: nothing shifted)."""
    shot = grab(canvas)
    assert shot.shape[:2] == (CANVAS_H, CANVAS_W)
    line = int(round(tool.position() * CANVAS_W))
    expected = pixels(render(canvas.mapSettings(), [base]))
    coloured = is_blue(expected)  # the 1-cells as the canvas itself draws them
    assert coloured.mean() > 0.3
    left, right = slice(0, line - 3), slice(line + 3, CANVAS_W)
    assert (is_red(shot[:, left]) == coloured[:, left]).all()
    assert not is_blue(shot[:, left]).any()
    assert (is_blue(shot[:, right]) == coloured[:, right]).all()
    assert not is_red(shot[:, right]).any()
    assert is_white(shot[:, left][~coloured[:, left]]).all()


def assert_aligned(canvas, tool: SwipeTool, swiped) -> None:
    """The swipe image is exactly what QGIS renders for that layer with the canvas's settings."""
    image = tool.rendered_image()
    assert image is not None
    direct = render(canvas.mapSettings(), [swiped])
    assert (image.width(), image.height()) == (direct.width(), direct.height())
    difference = np.abs(pixels(image).astype(int) - pixels(direct).astype(int))
    assert difference.max() <= 1


# --- tests ----------------------------------------------------------------------------------------------

def test_start_needs_a_layer(canvas, qtbot):
    pan = QgsMapToolPan(canvas)
    canvas.setMapTool(pan)
    tool = SwipeTool(canvas)
    assert tool.layers() == []
    assert tool.start() is False
    assert not tool.is_active()
    assert canvas.mapTool() is pan
    assert not [item for item in canvas.scene().items() if isinstance(item, SwipeItem)]


def test_left_shows_the_swiped_layer_right_the_map(canvas, layers, qtbot):
    base, swiped = layers
    tool = SwipeTool(canvas)
    tool.set_layers([swiped])
    assert tool.layers() == [swiped]
    start(qtbot, tool)
    assert tool.is_active() and canvas.mapTool() is tool
    tool.set_position(0.5)
    assert tool.position() == 0.5
    assert_swiped(canvas, tool, base)
    assert_aligned(canvas, tool, swiped)
    # the rendered image covers the whole canvas; only the part left of the line is shown
    assert is_red(pixels(tool.rendered_image())).mean() > 0.3
    tool.set_position(0.8)
    assert_swiped(canvas, tool, base)
    tool.stop()


def test_pan_and_zoom_render_again_and_stay_aligned(canvas, layers, qtbot):
    base, swiped = layers
    tool = SwipeTool(canvas)
    tool.set_layers([swiped])
    start(qtbot, tool)
    tool.set_position(0.4)
    first = tool.rendered_image()
    panned = QgsRectangle(VIEW)
    panned.setXMinimum(VIEW.xMinimum() + 7.3)
    panned.setXMaximum(VIEW.xMaximum() + 7.3)
    panned.setYMinimum(VIEW.yMinimum() - 11.6)
    panned.setYMaximum(VIEW.yMaximum() - 11.6)
    move_canvas(qtbot, canvas, panned, tool)
    assert pixels(tool.rendered_image()).tobytes() != pixels(first).tobytes()
    assert_aligned(canvas, tool, swiped)
    assert_swiped(canvas, tool, base)
    zoomed = QgsRectangle(panned)
    zoomed.scale(0.63)
    move_canvas(qtbot, canvas, zoomed, tool)
    assert_aligned(canvas, tool, swiped)
    assert_swiped(canvas, tool, base)
    tool.stop()


def test_a_style_change_renders_again(canvas, layers, qtbot):
    base, swiped = layers
    tool = SwipeTool(canvas)
    tool.set_layers([swiped])
    start(qtbot, tool)
    green = QColor(0, 200, 0)
    with qtbot.waitSignal(tool.rendered, timeout=RENDER_TIMEOUT_MS):
        swiped.setRenderer(QgsPalettedRasterRenderer(swiped.dataProvider(), 1, [
            QgsPalettedRasterRenderer.Class(1, green, "1"), QgsPalettedRasterRenderer.Class(2, WHITE, "2")]))
        swiped.triggerRepaint()
    px = pixels(tool.rendered_image())
    assert ((px[..., 1] > 150) & (px[..., 2] < 60)).mean() > 0.3
    tool.stop()


def send_mouse(canvas, kind, pos: QPoint, button, buttons) -> None:
    event = QMouseEvent(kind, QPointF(pos), button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas.viewport(), event)


def test_the_line_follows_the_mouse_while_the_left_button_is_held(canvas, layers, qtbot):
    _, swiped = layers
    tool = SwipeTool(canvas)
    tool.set_layers([swiped])
    start(qtbot, tool)
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    send_mouse(canvas, QEvent.Type.MouseButtonPress, QPoint(100, 150), left, left)
    assert tool.position() == pytest.approx(100 / CANVAS_W)
    send_mouse(canvas, QEvent.Type.MouseMove, QPoint(300, 120), none, left)
    assert tool.position() == pytest.approx(300 / CANVAS_W)
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, QPoint(300, 120), left, none)
    send_mouse(canvas, QEvent.Type.MouseMove, QPoint(50, 120), none, none)
    assert tool.position() == pytest.approx(300 / CANVAS_W)  # not held: the line stays
    tool.stop()


def test_o_turns_the_line_horizontal(canvas, layers, qtbot):
    base, swiped = layers
    tool = SwipeTool(canvas)
    tool.set_layers([swiped])
    start(qtbot, tool)
    canvas.setFocus()
    assert tool.is_vertical()
    qtbot.keyClick(canvas, Qt.Key.Key_O)
    assert not tool.is_vertical()
    assert tool.is_active()
    tool.set_position(0.5)
    shot = grab(canvas)
    expected = is_blue(pixels(render(canvas.mapSettings(), [base])))
    top, bottom = slice(0, CANVAS_H // 2 - 3), slice(CANVAS_H // 2 + 3, CANVAS_H)
    assert (is_red(shot[top]) == expected[top]).all() and not is_blue(shot[top]).any()
    assert (is_blue(shot[bottom]) == expected[bottom]).all() and not is_red(shot[bottom]).any()
    left = Qt.MouseButton.LeftButton
    send_mouse(canvas, QEvent.Type.MouseButtonPress, QPoint(100, 75), left, left)
    assert tool.position() == pytest.approx(75 / CANVAS_H)
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, QPoint(100, 75), left, Qt.MouseButton.NoButton)
    tool.stop()


def swipe_items(canvas) -> list:
    return [item for item in canvas.scene().items() if isinstance(item, SwipeItem)]


def test_escape_stops_and_restores_the_previous_tool(canvas, layers, qtbot):
    base, swiped = layers
    pan = QgsMapToolPan(canvas)
    canvas.setMapTool(pan)
    tool = SwipeTool(canvas)
    tool.set_layers([swiped])
    start(qtbot, tool)
    assert len(swipe_items(canvas)) == 1
    canvas.setFocus()
    extent = canvas.extent()
    with qtbot.waitSignal(tool.stopped, timeout=1000):
        qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert not tool.is_active()
    assert canvas.mapTool() is pan
    assert swipe_items(canvas) == []
    assert canvas.extent() == extent
    # the map is the base map again, everywhere
    qtbot.wait(50)
    shot = grab(canvas)
    assert not is_red(shot).any() and is_blue(shot).mean() > 0.3
    # and it starts again
    start(qtbot, tool)
    assert len(swipe_items(canvas)) == 1
    with qtbot.waitSignal(tool.stopped, timeout=1000):
        tool.stop()
    assert swipe_items(canvas) == [] and canvas.mapTool() is pan


def test_right_click_stops(canvas, layers, qtbot):
    _, swiped = layers
    tool = SwipeTool(canvas)
    tool.set_layers([swiped])
    start(qtbot, tool)
    right = Qt.MouseButton.RightButton
    with qtbot.waitSignal(tool.stopped, timeout=1000):
        send_mouse(canvas, QEvent.Type.MouseButtonPress, QPoint(200, 150), right, right)
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, QPoint(200, 150), right, Qt.MouseButton.NoButton)
    assert not tool.is_active()
    assert canvas.mapTool() is None  # there was no tool before
    assert swipe_items(canvas) == []


def test_another_map_tool_ends_the_swipe(canvas, layers, qtbot):
    _, swiped = layers
    tool = SwipeTool(canvas)
    tool.set_layers([swiped])
    start(qtbot, tool)
    pan = QgsMapToolPan(canvas)
    with qtbot.waitSignal(tool.stopped, timeout=1000):
        canvas.setMapTool(pan)
    assert not tool.is_active() and canvas.mapTool() is pan
    assert swipe_items(canvas) == []


def test_no_layers_left_ends_the_swipe(canvas, layers, qtbot):
    _, swiped = layers
    tool = SwipeTool(canvas)
    tool.set_layers([swiped])
    start(qtbot, tool)
    with qtbot.waitSignal(tool.stopped, timeout=1000):
        QgsProject.instance().removeMapLayer(swiped.id())
    assert tool.layers() == [] and not tool.is_active()
    assert swipe_items(canvas) == []


def test_deleting_the_tool_removes_its_item(canvas, layers, qtbot):
    _, swiped = layers
    tool = SwipeTool(canvas)
    tool.set_layers([swiped])
    start(qtbot, tool)
    assert len(swipe_items(canvas)) == 1
    tool.deleteLater()
    del tool
    qtbot.wait(20)
    gc.collect()
    assert swipe_items(canvas) == []
    assert canvas.mapTool() is None
