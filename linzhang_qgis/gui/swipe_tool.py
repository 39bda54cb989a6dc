"""Swipe (卷帘) on the main map: chosen layers drawn over the map on one side of a line that follows the mouse.

The chosen layers are rendered with the canvas's own map settings (same extent, size, CRS, rotation,
device pixel ratio), only those layers, on a transparent background. The image sits in a map canvas
item placed exactly as QGIS places its own map image, so it lines up with the map pixel for pixel; the
item shows it only left of a vertical line (or above a horizontal one). The image is re-rendered when
the extent, the canvas or a chosen layer changes.

Left button held: the line follows the mouse. O: vertical/horizontal line. Esc or right click: stop and
go back to the map tool that was active before. The owner starts and stops the tool (e.g. a QAction).
"""
from __future__ import annotations

from functools import partial
from typing import Optional

from qgis.core import QgsMapLayer, QgsMapRendererParallelJob, QgsMapSettings, QgsRectangle
from qgis.gui import QgsMapCanvas, QgsMapCanvasItem, QgsMapTool
from qgis.PyQt.QtCore import QPointF, QRectF, Qt, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QColor, QCursor, QImage, QPainter, QPainterPath, QPen, QPolygonF

SWIPE_Z = -9.0  # above the canvas's own map image (-10), below rubber bands, markers and annotations
LINE_COLOR = QColor(255, 255, 255)
LINE_HALO = QColor(0, 0, 0, 160)
RERENDER_DELAY_MS = 30


def settings_key(settings: QgsMapSettings) -> tuple:
    """What decides the rendered image: when it changes, render again."""
    extent = settings.extent()
    return (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum(),
            settings.outputSize().width(), settings.outputSize().height(), settings.rotation(),
            settings.devicePixelRatio(), settings.outputDpi(), settings.destinationCrs().toWkt(),
            settings.magnificationFactor())


def image_rect(settings: QgsMapSettings) -> QgsRectangle:
    """Where an image rendered with ``settings`` goes, encoded the way QgsMapCanvasItem.setRect expects:
    the map position of its top-left pixel and its size (logical pixels) in map units."""
    m2p = settings.mapToPixel()
    top_left = m2p.toMapCoordinates(0, 0)
    res = m2p.mapUnitsPerPixel()
    size = settings.outputSize()
    return QgsRectangle(top_left.x(), top_left.y() - size.height() * res,
                        top_left.x() + size.width() * res, top_left.y())


class SwipeItem(QgsMapCanvasItem):
    """The rendered image of the chosen layers, painted only on the swiped side of the line."""

    def __init__(self, canvas: QgsMapCanvas) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        self.image: Optional[QImage] = None
        self.fraction = 0.5
        self.vertical = True
        self.setZValue(SWIPE_Z)

    def set_content(self, image: QImage, rect: QgsRectangle) -> None:
        self.image = image
        self.setRect(rect, True)
        self.update()

    def clear(self) -> None:
        self.image = None
        self.update()

    def _view_polygon(self) -> QPolygonF:
        """The swiped part of the canvas's viewport, in this item's coordinates."""
        viewport = self.canvas.viewport().rect()
        width, height = viewport.width(), viewport.height()
        if self.vertical:
            part = QRectF(0, 0, width * self.fraction, height)
        else:
            part = QRectF(0, 0, width, height * self.fraction)
        scene = self.canvas.mapToScene(part.toAlignedRect())
        return self.mapFromScene(scene)

    def _line(self) -> tuple[QPointF, QPointF]:
        viewport = self.canvas.viewport().rect()
        width, height = viewport.width(), viewport.height()
        if self.vertical:
            x = width * self.fraction
            ends = (QPointF(x, 0), QPointF(x, height))
        else:
            y = height * self.fraction
            ends = (QPointF(0, y), QPointF(width, y))
        return tuple(self.mapFromScene(self.canvas.mapToScene(end.toPoint())) for end in ends)

    def paint(self, painter, *args) -> None:  # *args: QGraphicsItem's (option, widget) form on some platforms
        if self.image is None or self.image.isNull():
            return
        size = self.boundingRect().size()
        target = QRectF(0, 0, size.width() - 2, size.height() - 2)  # as QgsMapCanvasMap draws the map
        clip = QPainterPath()
        clip.addPolygon(self._view_polygon())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.setClipPath(clip)
        painter.drawImage(target, self.image)
        painter.restore()
        start, end = self._line()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(LINE_HALO, 4))
        painter.drawLine(start, end)
        painter.setPen(QPen(LINE_COLOR, 2))
        painter.drawLine(start, end)
        painter.restore()


def _layer_id(layer: QgsMapLayer) -> Optional[str]:
    """The layer's id; None once it is being deleted (its wrapper is dead when willBeDeleted arrives)."""
    try:
        return layer.id()
    except RuntimeError:
        return None


def _remove_item(item: SwipeItem, *args) -> None:
    """Take the item off its canvas (the tool went away while active); nothing when the canvas is gone."""
    try:
        scene = item.scene()
        if scene is not None:
            scene.removeItem(item)
    except RuntimeError:
        pass


class SwipeTool(QgsMapTool):
    """Swipe the chosen layers over the main map: shown left of a vertical line (or above a horizontal one)."""

    stopped = pyqtSignal()
    rendered = pyqtSignal()  # a new image of the chosen layers is on the canvas

    def __init__(self, canvas: QgsMapCanvas) -> None:
        super().__init__(canvas)
        self._canvas = canvas
        self._layers: list[QgsMapLayer] = []
        self._active = False
        self._stopping = False
        self._dragging = False
        self._fraction = 0.5
        self._vertical = True
        self._previous: Optional[QgsMapTool] = None
        self._item: Optional[SwipeItem] = None
        self._job: Optional[QgsMapRendererParallelJob] = None
        self._retired_jobs: list = []  # cancelled jobs kept alive until they finish
        self._image: Optional[QImage] = None
        self._rendered_key: Optional[tuple] = None  # the settings of the image shown, or being rendered
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RERENDER_DELAY_MS)
        self._timer.timeout.connect(self._render)
        self.setCursor(QCursor(Qt.CursorShape.SplitHCursor))

    # --- the public API ---------------------------------------------------------------------------------

    def set_layers(self, layers: list[QgsMapLayer]) -> None:
        self._watch_layers(False)
        self._layers = [layer for layer in layers if layer is not None]
        self._watch_layers(True)
        if self._active:
            if self._layers:
                self._schedule(force=True)
            else:
                self.stop()

    def layers(self) -> list[QgsMapLayer]:
        return list(self._layers)

    def start(self) -> bool:
        """Make this the canvas's map tool; False (and nothing happens) when no layer is set."""
        if not self._layers:
            return False
        if self._active:
            return True
        previous = self._canvas.mapTool()
        self._set_previous(previous if previous is not self else None)
        if self._item is None:
            self._item = SwipeItem(self._canvas)
            self.destroyed.connect(partial(_remove_item, self._item))
        elif self._item.scene() is None:
            self._canvas.scene().addItem(self._item)
        self._item.fraction, self._item.vertical = self._fraction, self._vertical
        self._active = True
        self._connect_canvas(True)
        self._canvas.setMapTool(self)
        self._render()
        return True

    def stop(self) -> None:
        """Remove the swipe and give the canvas back its previous map tool."""
        if not self._active or self._stopping:
            return
        self._stopping = True
        try:
            previous = self._previous
            self._teardown()
            if self._canvas.mapTool() is self:
                if previous is not None:
                    self._canvas.setMapTool(previous)
                else:
                    self._canvas.unsetMapTool(self)
        finally:
            self._stopping = False
        self.stopped.emit()

    def is_active(self) -> bool:
        return self._active

    def position(self) -> float:
        """The swipe line as a fraction 0..1 of the canvas width (vertical line) or height (horizontal)."""
        return self._fraction

    def set_position(self, fraction: float) -> None:
        self._fraction = min(max(float(fraction), 0.0), 1.0)
        if self._item is not None:
            self._item.fraction = self._fraction
            self._item.update()

    def is_vertical(self) -> bool:
        return self._vertical

    def set_vertical(self, vertical: bool) -> None:
        """A vertical line (the layers left of it) or a horizontal one (the layers above it)."""
        self._vertical = bool(vertical)
        cursor = QCursor(Qt.CursorShape.SplitHCursor if self._vertical else Qt.CursorShape.SplitVCursor)
        self.setCursor(cursor)
        if self._active:
            self._canvas.setCursor(cursor)
        if self._item is not None:
            self._item.vertical = self._vertical
            self._item.update()

    def rendered_image(self) -> Optional[QImage]:
        """The last full image of the chosen layers (device pixels, transparent where they draw nothing)."""
        return QImage(self._image) if self._image is not None else None

    # --- QgsMapTool -------------------------------------------------------------------------------------

    def canvasPressEvent(self, event) -> None:  # noqa: N802 - QgsMapTool names
        if event.button() == Qt.MouseButton.RightButton:
            self.stop()
        elif event.button() == Qt.MouseButton.LeftButton:
            self._dragging = True
            self._follow(event.pixelPoint())

    def canvasMoveEvent(self, event) -> None:  # noqa: N802
        if self._dragging:  # the left button is down (its release ends the drag, wherever it happens)
            self._follow(event.pixelPoint())

    def canvasReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = False

    def keyPressEvent(self, event) -> None:  # noqa: N802
        # QgsMapCanvas: a key the tool ignores is consumed; an accepted one gets the canvas's own handling
        if event.key() == Qt.Key.Key_Escape:
            event.ignore()
            self.stop()
        elif event.key() == Qt.Key.Key_O and not event.isAutoRepeat():
            event.ignore()
            self.set_vertical(not self._vertical)

    def deactivate(self) -> None:
        """Another map tool took the canvas: the swipe ends (without putting back the previous tool)."""
        if self._active and not self._stopping:
            self._teardown()
            super().deactivate()
            self.stopped.emit()
            return
        super().deactivate()

    # --- internals ----------------------------------------------------------------------------------------

    def _follow(self, pos) -> None:
        viewport = self._canvas.viewport()
        if self._vertical:
            self.set_position(pos.x() / max(viewport.width(), 1))
        else:
            self.set_position(pos.y() / max(viewport.height(), 1))

    def _set_previous(self, tool: Optional[QgsMapTool]) -> None:
        if self._previous is not None:
            try:
                self._previous.destroyed.disconnect(self._previous_destroyed)
            except (TypeError, RuntimeError):
                pass
        self._previous = tool
        if tool is not None:
            tool.destroyed.connect(self._previous_destroyed)

    def _previous_destroyed(self, *args) -> None:
        self._previous = None

    def _teardown(self) -> None:
        self._active = False
        self._dragging = False
        self._timer.stop()
        self._connect_canvas(False)
        self._cancel_job()
        if self._item is not None:
            self._item.clear()
            _remove_item(self._item)
        self._set_previous(None)

    def _connect_canvas(self, connect: bool) -> None:
        try:
            signals = ((self._canvas.extentsChanged, self._extent_changed),
                       (self._canvas.mapCanvasRefreshed, self._canvas_refreshed),
                       (self._canvas.destinationCrsChanged, self._extent_changed))
        except RuntimeError:  # the canvas is going away (it deactivates its tool as it does)
            return
        for signal, slot in signals:
            if connect:
                signal.connect(slot)
            else:
                try:
                    signal.disconnect(slot)
                except (TypeError, RuntimeError):
                    pass

    # bound methods, not partials: Qt drops these connections when the tool is deleted
    def _layer_signals(self, layer: QgsMapLayer) -> tuple:
        return ((layer.repaintRequested, self._layer_repaint), (layer.rendererChanged, self._layer_repaint),
                (layer.willBeDeleted, self._layer_deleted))

    def _watch_layers(self, watch: bool) -> None:
        for layer in self._layers:
            try:
                for signal, slot in self._layer_signals(layer):
                    signal.connect(slot) if watch else signal.disconnect(slot)
            except (TypeError, RuntimeError):
                pass

    def _layer_repaint(self, *args) -> None:
        if self._active:
            self._schedule(force=True)

    def _layer_deleted(self) -> None:
        # the wrapper of the layer being deleted is already dead: that is how it is recognised
        self._layers = [layer for layer in self._layers if _layer_id(layer) is not None]
        if self._active and not self._layers:
            self.stop()
        elif self._active:
            self._schedule(force=True)

    def _extent_changed(self) -> None:
        self._schedule(force=True)

    def _canvas_refreshed(self) -> None:
        # a refresh without an extent change (layers, styles, CRS): render again only when the settings differ
        self._schedule(force=False)

    def _schedule(self, force: bool) -> None:
        if not self._active:
            return
        if force or settings_key(self._canvas.mapSettings()) != self._rendered_key:
            self._timer.start()

    def _settings(self) -> QgsMapSettings:
        settings = QgsMapSettings(self._canvas.mapSettings())
        settings.setLayers(self._layers)
        settings.setBackgroundColor(QColor(0, 0, 0, 0))
        return settings

    def _render(self) -> None:
        """Render the chosen layers with the canvas's current settings (in the background)."""
        self._timer.stop()
        if not self._active or not self._layers:
            return
        self._cancel_job()
        self._retired_jobs = [job for job in self._retired_jobs if job.isActive()]
        settings = self._settings()
        self._rendered_key = settings_key(settings)
        job = QgsMapRendererParallelJob(settings)
        job.finished.connect(self._job_finished)
        self._job = job
        job.start()

    def _cancel_job(self) -> None:
        self._rendered_key = None
        if self._job is not None:
            job, self._job = self._job, None
            if job.isActive():
                job.cancelWithoutBlocking()
                self._retired_jobs.append(job)

    def _job_finished(self) -> None:
        job = self._job
        if job is None or job.isActive():
            return  # a cancelled job: the current one is still on its way
        self._job = None
        settings = job.mapSettings()
        image = job.renderedImage()
        image.setDevicePixelRatio(settings.devicePixelRatio())
        self._image = image
        if self._active and self._item is not None:
            self._item.set_content(image, image_rect(settings))
        self.rendered.emit()
