"""The map tool that moves a piece of forest from one management-grid zone to a neighbouring one (管护网格调整).

Press the left button on forest of zone A: the piece is the forest stand under the mouse (its part inside
A), or with the panel's cell mode a square cell; Shift at the press takes the other of the two. Drag: the
rubber bands show A (blue outline), the piece (filled) and the zone under the mouse, B (green where the
piece may go, red where it may not, with the reason in the status tip). Release inside B: the panel writes
the move (one transaction with its history row) or says in the message bar why it refuses. Esc or a right
click cancels a drag; without a drag they end the tool and give the canvas back its previous map tool.

The tool knows nothing of the workspace: it asks its ``source`` (the grid panel) for the zone at a point,
the shape under it, a preview of a move, and to make the move. Points are in the zones layer's CRS.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from qgis.core import Qgis, QgsGeometry, QgsPointXY, QgsWkbTypes
from qgis.gui import QgsMapCanvas, QgsMapTool, QgsRubberBand
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QCursor

# moved in QGIS 3.30: Qgis.GeometryType (QGIS 4 has only it)
POLYGON = Qgis.GeometryType.Polygon if hasattr(Qgis, "GeometryType") else QgsWkbTypes.GeometryType.PolygonGeometry
ZONE_COLOUR = QColor(33, 102, 172)  # the zone giving: blue, apart from the grid layer's orange outline
PIECE_COLOUR = QColor(255, 215, 0, 150)
TARGET_OK = QColor(26, 152, 80)
TARGET_REFUSED = QColor(215, 48, 39)


def shapely_to_qgs(geometry) -> QgsGeometry:
    import shapely

    result = QgsGeometry()
    result.fromWkb(shapely.to_wkb(geometry, output_dimension=2))
    return result


@dataclass
class _Drag:
    zone_id: str
    shape: object  # the stand or cell, shapely, layer CRS
    cell: bool
    target: Optional[str] = None  # the zone under the mouse
    refusal: str = ""  # why the piece may not go there ("" = it may)


class GridTool(QgsMapTool):
    """Drag a piece of forest from a zone onto a neighbouring zone (see the module docstring)."""

    stopped = pyqtSignal()

    def __init__(self, canvas: QgsMapCanvas, source) -> None:
        super().__init__(canvas)
        self._canvas = canvas
        self._source = source
        self._drag: Optional[_Drag] = None
        self._previous: Optional[QgsMapTool] = None
        self._active = False
        self._bands = {name: self._band(fill, outline, width) for name, fill, outline, width in (
            ("zone", QColor(0, 0, 0, 0), ZONE_COLOUR, 3), ("target", QColor(0, 0, 0, 0), TARGET_OK, 3),
            ("piece", PIECE_COLOUR, QColor(120, 90, 0), 2))}
        self.setCursor(QCursor(Qt.CursorShape.CrossCursor))

    def _band(self, fill: QColor, outline: QColor, width: int) -> QgsRubberBand:
        band = QgsRubberBand(self._canvas, POLYGON)
        band.setFillColor(fill)
        band.setStrokeColor(outline)
        band.setWidth(width)
        band.hide()
        return band

    # --- start and stop -----------------------------------------------------------------------------------

    def start(self) -> None:
        if self._active:
            return
        previous = self._canvas.mapTool()
        self._previous = previous if previous is not self else None
        self._active = True
        self._canvas.setMapTool(self)

    def stop(self) -> None:
        """Cancel any drag, give the canvas back its previous map tool, emit ``stopped``."""
        if not self._active:
            return
        previous, self._previous = self._previous, None
        self._active = False
        self.cancel()
        if self._canvas.mapTool() is self:
            if previous is not None:
                try:
                    self._canvas.setMapTool(previous)
                except RuntimeError:  # the previous tool was deleted meanwhile
                    self._canvas.unsetMapTool(self)
            else:
                self._canvas.unsetMapTool(self)
        self.stopped.emit()

    def is_active(self) -> bool:
        return self._active

    def deactivate(self) -> None:
        """Another map tool took the canvas: the adjustment ends."""
        was_active = self._active
        self._active = False
        self._previous = None
        self.cancel()
        super().deactivate()
        if was_active:
            self.stopped.emit()

    def cancel(self) -> None:
        """Drop the drag in progress (nothing is written)."""
        self._drag = None
        for band in self._bands.values():
            try:
                band.reset(POLYGON)
                band.hide()
            except RuntimeError:  # the canvas is being deleted
                pass

    def dragging(self) -> bool:
        return self._drag is not None

    def remove_bands(self) -> None:
        """Take the rubber bands off the canvas (the owner calls this before the tool goes away)."""
        for band in self._bands.values():
            try:
                scene = band.scene()
                if scene is not None:
                    scene.removeItem(band)
            except RuntimeError:
                pass
        self._bands = {}

    # --- QgsMapTool ---------------------------------------------------------------------------------------

    def _layer_point(self, event) -> Optional[QgsPointXY]:
        layer = self._source.zones_layer()
        if layer is None:
            return None
        return self.toLayerCoordinates(layer, event.mapPoint())

    def canvasPressEvent(self, event) -> None:  # noqa: N802 - QgsMapTool names
        if event.button() == Qt.MouseButton.RightButton:
            if self._drag is not None:
                self.cancel()
            else:
                self.stop()
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = self._layer_point(event)
        if point is None:
            return
        zone = self._source.zone_at(point.x(), point.y(), switch_area=True)
        if zone is None:
            self._source.pressed_outside()
            return
        cell = self._source.cell_mode() != bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        shape = self._source.shape_at(zone, point.x(), point.y(), cell)
        if shape is None:
            return
        self._drag = _Drag(zone.zone_id, shape, cell)
        self._show("zone", zone.geometry)
        self._show("piece", self._source.piece_of(zone, shape))

    def canvasMoveEvent(self, event) -> None:  # noqa: N802
        if self._drag is None:
            return
        point = self._layer_point(event)
        zone = self._source.zone_at(point.x(), point.y(), switch_area=False) if point is not None else None
        target = zone.zone_id if zone is not None else None
        if target == self._drag.target:
            return
        self._drag.target = target
        if zone is None or target == self._drag.zone_id:
            self._drag.refusal = ""
            self._bands["target"].hide()
            return
        self._drag.refusal = self._source.refusal(self._drag.zone_id, zone, self._drag.shape)
        band = self._bands["target"]
        band.setStrokeColor(TARGET_REFUSED if self._drag.refusal else TARGET_OK)
        self._show("target", zone.geometry)
        self._canvas.setToolTip(self._drag.refusal)

    def canvasReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self._drag is None:
            return
        drag = self._drag
        self.cancel()
        self._canvas.setToolTip("")
        point = self._layer_point(event)
        zone = self._source.zone_at(point.x(), point.y(), switch_area=False) if point is not None else None
        if zone is None or zone.zone_id == drag.zone_id:
            return  # released where it started, or outside the grid: nothing to do
        self._source.move(drag.zone_id, zone, drag.shape)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        # QgsMapCanvas: a key the tool ignores is consumed; an accepted one gets the canvas's own handling
        if event.key() == Qt.Key.Key_Escape:
            event.ignore()
            if self._drag is not None:
                self.cancel()
            else:
                self.stop()

    def _show(self, name: str, geometry) -> None:
        band = self._bands.get(name)
        if band is None or geometry is None:
            return
        band.setToGeometry(shapely_to_qgs(geometry), self._source.zones_layer())
        band.show()


__all__ = ["GridTool", "shapely_to_qgs"]
