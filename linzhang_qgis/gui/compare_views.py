"""Before/after side by side (前后时相对比): two map views that move together, one image each.

The inspection dock embeds ``CompareViews`` to show a change spot on the older image (left) and the
newer one (right). Panning or zooming either view moves the other to the same centre and scale; a
yellow outline marks the spot on both. Each view has a raster-layer chooser above it and a caption
below it (the layer's name and the image date).
"""
from __future__ import annotations

from typing import Optional

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsGeometry,
    QgsMapLayer,
    QgsMapLayerProxyModel,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsUnitTypes,
    QgsWkbTypes,
)
from qgis.gui import QgsMapCanvas, QgsMapLayerComboBox, QgsMapToolPan, QgsRubberBand
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ..i18n import tr

# names that moved: Qgis.LayerFilter (3.34, QGIS 4 has only it), Qgis.GeometryType and Qgis.DistanceUnit (3.30)
RASTER_FILTER = (Qgis.LayerFilter.RasterLayer if hasattr(Qgis, "LayerFilter")
                 else QgsMapLayerProxyModel.Filter.RasterLayer)
POLYGON = Qgis.GeometryType.Polygon if hasattr(Qgis, "GeometryType") else QgsWkbTypes.GeometryType.PolygonGeometry
METERS = Qgis.DistanceUnit.Meters if hasattr(Qgis, "DistanceUnit") else QgsUnitTypes.DistanceUnit.DistanceMeters

MIN_SPOT_VIEW_M = 200.0
OUTLINE_COLOR = QColor(255, 230, 0)
OUTLINE_HALO = QColor(0, 0, 0, 140)
MESSAGE_STYLE = "color: #b35806; font-weight: bold;"
BEFORE, AFTER = 0, 1


def spot_view_extent(box: QgsRectangle, margin: float, min_size: float) -> QgsRectangle:
    """``box`` scaled by ``margin`` around its centre, at least ``min_size`` wide and high (map units)."""
    center = box.center()
    width = max(box.width() * margin, min_size)
    height = max(box.height() * margin, min_size)
    return QgsRectangle(center.x() - width / 2, center.y() - height / 2,
                        center.x() + width / 2, center.y() + height / 2)


def date_text(value) -> str:
    """A date for the captions: strings as given, QDate/QDateTime/date/datetime as YYYY-MM-DD, None/NULL as ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if hasattr(value, "isNull") and value.isNull():  # QDate(), QVariant NULL
        return ""
    if hasattr(value, "toPyDateTime"):  # QDateTime
        value = value.toPyDateTime()
    elif hasattr(value, "toPyDate"):  # QDate
        value = value.toPyDate()
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def same_view(a: QgsMapCanvas, b: QgsMapCanvas) -> bool:
    """True when ``b`` already shows what ``a`` shows: same CRS, rotation, centre and scale (to a tiny tolerance)."""
    if a.mapSettings().destinationCrs() != b.mapSettings().destinationCrs() or abs(a.rotation() - b.rotation()) > 1e-9:
        return False
    mupp_a, mupp_b = a.mapUnitsPerPixel(), b.mapUnitsPerPixel()
    if mupp_a <= 0 or abs(mupp_a - mupp_b) > 1e-9 * mupp_a:
        return False
    ca, cb = a.center(), b.center()
    return abs(ca.x() - cb.x()) <= 1e-3 * mupp_a and abs(ca.y() - cb.y()) <= 1e-3 * mupp_a


class CompareViews(QWidget):
    """Two synchronised map views: before (left) and after (right), each with its imagery chooser and caption."""

    layersChanged = pyqtSignal()

    def __init__(self, parent=None, project: Optional[QgsProject] = None) -> None:
        super().__init__(parent)
        self.project = project or QgsProject.instance()
        self._syncing = False
        self._batch = False
        self._zoomed = False
        self._dates = ["", ""]
        self._shown: list[Optional[str]] = [None, None]  # the id of the layer each view shows
        self._bands: list[Optional[QgsRubberBand]] = [None, None]
        self._spot: Optional[tuple[QgsGeometry, QgsCoordinateReferenceSystem]] = None  # as given

        self._message = QLabel(self)
        self._message.setStyleSheet(MESSAGE_STYLE)
        self._message.setWordWrap(True)
        self._combos: list[QgsMapLayerComboBox] = []
        self._canvases: list[QgsMapCanvas] = []
        self._captions: list[QLabel] = []
        self._pan_tools = []
        views = QHBoxLayout()
        views.setSpacing(6)
        for side, title in ((BEFORE, tr("Before image")), (AFTER, tr("After image"))):
            views.addLayout(self._build_side(side, title), 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._message)
        layout.addLayout(views, 1)

        # bound methods, not lambdas: Qt drops these connections when the widget goes away
        self._canvases[BEFORE].extentsChanged.connect(self._before_moved)
        self._canvases[AFTER].extentsChanged.connect(self._after_moved)
        self._canvases[BEFORE].rotationChanged.connect(self._before_moved)
        self._canvases[AFTER].rotationChanged.connect(self._after_moved)
        self._combos[BEFORE].layerChanged.connect(self._before_chosen)
        self._combos[AFTER].layerChanged.connect(self._after_chosen)
        self.project.crsChanged.connect(self._project_crs_changed)
        self.project.layersWillBeRemoved.connect(self._layers_will_be_removed)
        self._apply_crs()
        self._update_texts()

    def _build_side(self, side: int, title: str) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(2)
        header = QHBoxLayout()
        heading = QLabel(title, self)
        heading.setStyleSheet("font-weight: bold;")
        combo = QgsMapLayerComboBox(self)
        if hasattr(combo, "setProject"):  # QGIS 3.24+
            combo.setProject(self.project)
        combo.setFilters(RASTER_FILTER)
        combo.setAllowEmptyLayer(True)
        combo.setLayer(None)
        combo.setToolTip(tr("The before image (older)") if side == BEFORE else tr("The after image (newer)"))
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header.addWidget(heading)
        header.addWidget(combo, 1)
        canvas = QgsMapCanvas(self)
        canvas.setObjectName("compare_before_canvas" if side == BEFORE else "compare_after_canvas")
        canvas.setCanvasColor(QColor(Qt.GlobalColor.white))
        canvas.enableAntiAliasing(True)
        canvas.setMinimumSize(120, 120)
        canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        canvas.setProject(self.project)
        pan = QgsMapToolPan(canvas)
        canvas.setMapTool(pan)
        caption = QLabel(self)
        caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addLayout(header)
        column.addWidget(canvas, 1)
        column.addWidget(caption)
        self._combos.append(combo)
        self._canvases.append(canvas)
        self._captions.append(caption)
        self._pan_tools.append(pan)
        return column

    # --- the public API ---------------------------------------------------------------------------------

    def before_canvas(self) -> QgsMapCanvas:
        return self._canvases[BEFORE]

    def after_canvas(self) -> QgsMapCanvas:
        return self._canvases[AFTER]

    def set_layers(self, before: Optional[QgsRasterLayer], after: Optional[QgsRasterLayer]) -> None:
        """Show ``before`` left and ``after`` right (layers of the project; None for none)."""
        old = self.layers()
        self._batch = True
        try:
            for side, layer in ((BEFORE, before), (AFTER, after)):
                self._combos[side].setLayer(layer)
                self._show_layer(side)
        finally:
            self._batch = False
        self._update_texts()
        if self.layers() != old:
            self.layersChanged.emit()

    def layers(self) -> tuple[Optional[QgsRasterLayer], Optional[QgsRasterLayer]]:
        return self._layer(BEFORE), self._layer(AFTER)

    def show_spot(self, geometry: QgsGeometry, crs: QgsCoordinateReferenceSystem, before_date: str = "",
                  after_date: str = "", margin: float = 1.5) -> None:
        """Zoom both views to the spot (its bounding box scaled by margin, at least 200 m wide) and outline it."""
        self._dates = [date_text(before_date), date_text(after_date)]
        self._update_texts()
        given_crs = QgsCoordinateReferenceSystem(crs) if crs is not None else QgsCoordinateReferenceSystem()
        self._spot = (QgsGeometry(geometry), given_crs) if geometry is not None else None
        spot = self._draw_spot()
        if spot is None:
            return
        destination = self._canvases[BEFORE].mapSettings().destinationCrs()
        factor = QgsUnitTypes.fromUnitToUnitFactor(METERS, destination.mapUnits()) if destination.isValid() else 1.0
        self._zoom_to(spot_view_extent(spot.boundingBox(), margin, MIN_SPOT_VIEW_M * factor))

    def shutdown(self) -> None:
        """Before the views go away: stop their rendering and take the outlines off, so that nothing of
        theirs is left running or owned twice when Qt deletes them later."""
        self.clear_spot()
        for canvas in self._canvases:
            canvas.stopRendering()
            canvas.setLayers([])

    def clear_spot(self) -> None:
        self._remove_bands()
        self._spot = None
        self._dates = ["", ""]
        self._update_texts()

    def message(self) -> str:
        """'' when both images are chosen, else a short hint (also shown above the views)."""
        before, after = self.layers()
        if before is None and after is None:
            return tr("Choose the before and after imagery layers")
        if before is None:
            return tr("Choose the before imagery layer")
        if after is None:
            return tr("Choose the after imagery layer")
        return ""

    # --- layers -------------------------------------------------------------------------------------------

    def _layer(self, side: int) -> Optional[QgsRasterLayer]:
        layer = self._combos[side].currentLayer()
        return layer if isinstance(layer, QgsRasterLayer) else None

    def _before_chosen(self, *args) -> None:
        self._combo_changed(BEFORE)

    def _after_chosen(self, *args) -> None:
        self._combo_changed(AFTER)

    def _combo_changed(self, side: int) -> None:
        if self._batch:
            return
        self._show_layer(side)
        self._update_texts()
        self.layersChanged.emit()

    def _layers_will_be_removed(self, layer_ids) -> None:
        """A chosen image leaving the project leaves its view empty (its chooser would silently show
        the next layer of the list, without saying so)."""
        gone = set(layer_ids)
        sides = [side for side, layer_id in enumerate(self._shown) if layer_id in gone]
        if not sides:
            return
        self._batch = True
        try:
            for side in sides:
                self._combos[side].setLayer(None)
                self._show_layer(side)
        finally:
            self._batch = False
        self._update_texts()
        self.layersChanged.emit()

    def _show_layer(self, side: int) -> None:
        layer = self._layer(side)
        canvas = self._canvases[side]
        self._shown[side] = layer.id() if layer is not None else None
        canvas.setLayers([layer] if layer is not None else [])
        if layer is None:
            canvas.refresh()
            return
        if not self.project.crs().isValid() and not canvas.mapSettings().destinationCrs().isValid():
            self._set_crs(layer.crs())
        if not self._zoomed:
            self._zoom_to_layer(layer)
        canvas.refresh()

    def _zoom_to_layer(self, layer: QgsMapLayer) -> None:
        extent = layer.extent()
        destination = self._canvases[BEFORE].mapSettings().destinationCrs()
        if destination.isValid() and layer.crs().isValid() and layer.crs() != destination:
            try:
                extent = QgsCoordinateTransform(layer.crs(), destination, self.project).transformBoundingBox(extent)
            except QgsCsException:
                return
        if not extent.isEmpty():
            self._zoom_to(extent)

    def _zoom_to(self, extent: QgsRectangle) -> None:
        self._zoomed = True
        source = self._canvases[BEFORE]
        source.setExtent(extent)  # the after view follows through _extent_changed
        source.refresh()

    # --- keeping the two views together ------------------------------------------------------------------

    def _before_moved(self, *args) -> None:
        self._extent_changed(BEFORE)

    def _after_moved(self, *args) -> None:
        self._extent_changed(AFTER)

    def _extent_changed(self, side: int) -> None:
        if self._syncing:
            return
        source, target = self._canvases[side], self._canvases[1 - side]
        if source.extent().isEmpty() or same_view(source, target):
            return
        self._syncing = True
        try:
            if target.mapSettings().destinationCrs() != source.mapSettings().destinationCrs():
                target.setDestinationCrs(source.mapSettings().destinationCrs())
            if abs(target.rotation() - source.rotation()) > 1e-9:
                target.setRotation(source.rotation())
            target.setExtent(self._matching_extent(source, target))
            target.refresh()
        finally:
            self._syncing = False

    @staticmethod
    def _matching_extent(source: QgsMapCanvas, target: QgsMapCanvas) -> QgsRectangle:
        """The extent that puts ``target`` at ``source``'s centre and scale, whatever its size."""
        size = target.mapSettings().outputSize()
        if size.width() <= 0 or size.height() <= 0:
            return source.extent()
        center, mupp = source.center(), source.mapUnitsPerPixel()
        half_w, half_h = size.width() * mupp / 2, size.height() * mupp / 2
        return QgsRectangle(center.x() - half_w, center.y() - half_h, center.x() + half_w, center.y() + half_h)

    def _project_crs_changed(self) -> None:
        self._apply_crs()

    def _apply_crs(self) -> None:
        crs = self.project.crs()
        if crs.isValid():
            self._set_crs(crs)

    def _set_crs(self, crs: QgsCoordinateReferenceSystem) -> None:
        self._syncing = True
        try:
            for canvas in self._canvases:
                if canvas.mapSettings().destinationCrs() != crs:
                    canvas.setDestinationCrs(crs)
        finally:
            self._syncing = False
        self._draw_spot()  # the outline, in the new CRS
        self._extent_changed(BEFORE)

    # --- outline and texts -------------------------------------------------------------------------------

    def _draw_spot(self) -> Optional[QgsGeometry]:
        """Outline the spot on both views; the spot in the views' CRS (None when there is none)."""
        self._remove_bands()
        if self._spot is None or self._spot[0].isEmpty():
            return None
        spot, crs = QgsGeometry(self._spot[0]), self._spot[1]
        destination = self._canvases[BEFORE].mapSettings().destinationCrs()
        if crs.isValid() and destination.isValid() and crs != destination:
            try:
                spot.transform(QgsCoordinateTransform(crs, destination, self.project))
            except QgsCsException:
                return None
        for side, canvas in enumerate(self._canvases):
            band = QgsRubberBand(canvas, POLYGON)
            band.setStrokeColor(OUTLINE_COLOR)
            band.setFillColor(QColor(0, 0, 0, 0))
            band.setSecondaryStrokeColor(OUTLINE_HALO)
            band.setWidth(2)
            band.setToGeometry(spot)  # already in the views' CRS
            band.show()
            self._bands[side] = band
        return spot

    def _remove_bands(self) -> None:
        for side, band in enumerate(self._bands):
            if band is not None:
                try:
                    scene = band.scene()
                    if scene is not None:
                        scene.removeItem(band)
                except RuntimeError:  # the canvas (and its items) already went away
                    pass
            self._bands[side] = None

    def _update_texts(self) -> None:
        for side, caption in enumerate(self._captions):
            layer = self._layer(side)
            name = layer.name() if layer is not None else tr("no image chosen")
            date = self._dates[side]
            text = f"{name}  {date}" if date else name
            caption.setText((tr("Before: {}") if side == BEFORE else tr("After: {}")).format(text))
        message = self.message()
        self._message.setText(message)
        self._message.setVisible(bool(message))
