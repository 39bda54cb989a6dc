"""The ranger's responsibility map (护林员管护责任图): one A4 portrait page per zone, printed through a QGIS layout.

The page holds the title and the ranger, village and zone id; the map of the zone (its outline in red over a
white halo, everything outside it dimmed) with the forest stands beneath coloured by dominant species
(优势树种), the neighbouring zones outlined and labelled with their number and ranger, the village
boundary and the neighbouring villages with their names; a legend with Chinese names (only the species on
the map), a scale bar and a north arrow; a table of the zone (ranger and phone, town and village, zone id,
forest area in 公顷 and 亩, main species, 林种, the chief of the area, the supervisor, the 四至 one direction
per line: see core/grid/responsibility.py), lines for the signatures, and the generation date.

The map shows the zone's bounding box grown by ``MAP_MARGIN`` of its larger side on each side (at least
``MIN_MARGIN_M``), fitted to the map's proportions. Everything is drawn in a private QgsProject: the user's
project is not touched. PDFs are written under a temporary name and renamed, so that no half-written file
is left.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsFillSymbol,
    QgsGeometry,
    QgsInvertedPolygonRenderer,
    QgsLayerTreeLayer,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutMeasurement,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutUtils,
    QgsLegendStyle,
    QgsPalLayerSettings,
    QgsPathResolver,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsRendererCategory,
    QgsScaleBarSettings,
    QgsSimpleFillSymbolLayer,
    QgsSingleSymbolRenderer,
    QgsSymbolLayerUtils,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import QSize, Qt, QVariant
from qgis.PyQt.QtGui import QColor, QFont

from ..core import schema
from ..core.grid.responsibility import ZoneEntry
from ..core.values import normalise_code
from .evidence import NORTH_ARROW, wrap_text
from .styling import cjk_font_family

MM = QgsUnitTypes.LayoutUnit.LayoutMillimeters
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
MARGIN = 12.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
TITLE = "护林员管护责任图"
SOFTWARE = "林长制一张图（linzhang_qgis）"
DEFAULT_DPI = 300
MAP_RECT = (MARGIN, 28.0, CONTENT_WIDTH, 146.0)  # x, y, width, height (mm)
LEGEND_RECT = (MARGIN, MAP_RECT[1] + MAP_RECT[3] + 2.0, CONTENT_WIDTH, 25.0)
TABLE_Y = LEGEND_RECT[1] + LEGEND_RECT[3] + 3.0
FOOTER_Y = PAGE_HEIGHT - 11.0
MAP_MARGIN = 0.12  # of the zone's larger side, on each side
MIN_MARGIN_M = 100.0
SEGMENT_MM = 18.0  # about the length of one scale-bar segment
TABLE_FONT = 9.0  # pt
KEY_WIDTH = 24.0  # mm, the label cells of the table
ROW_HEIGHT = 6.5  # mm, a one-line row
CELL_MARGIN_X, CELL_MARGIN_Y = 1.2, 0.6
MAX_LINES = 2  # a value of a two-column row wraps to at most this many lines
SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")

# map styles
ZONE_OUTLINE, ZONE_HALO = "#d7191c", "#ffffff"
NEIGHBOUR_OUTLINE = "#e6550d"
OWN_VILLAGE, OTHER_VILLAGE = "#7b3294", "#9e9e9e"
MASK = "255,255,255,150"  # over everything outside the zone
SPECIES_COLOURS = {
    "masson_pine": "#1b9e77", "chinese_fir": "#66a61e", "slash_pine": "#c7e9c0", "broadleaf_mix": "#8dd3c7",
    "camphor": "#80b1d3", "moso_bamboo": "#e6f598", "oil_tea": "#fdb462", "eucalyptus": "#bebada",
    "navel_orange": "#fb8072",
}
OTHER_SPECIES = "#e0e0e0"
NON_FOREST_FILL = "#f3eee4"
NON_FOREST_CLASS = "nonforest"
LAYER_TITLES = {
    "zone": "本网格（管护范围）",
    "neighbours": "相邻管护网格（编号、护林员）",
    "stands": "森林资源小班（优势树种）",
    "mask": "网格外",
}


@dataclass
class MapData:
    """What every page draws: all the zones (for the neighbours), the areas of the zones' level with their
    names, and the stands (a GeoDataFrame with ``species`` and ``land_class``), all in ``crs`` (projected,
    metres)."""

    crs: QgsCoordinateReferenceSystem
    zones: Sequence[ZoneEntry]
    areas: Any  # GeoDataFrame: code, name, level, geometry
    stands: Any  # GeoDataFrame: species, land_class, geometry


@dataclass
class RangerPage:
    """A built page: its layout, the items the tests look at, and the layers made for it alone."""

    layout: QgsPrintLayout
    items: dict[str, Any]
    extent: QgsRectangle
    layers: dict[str, QgsVectorLayer] = field(default_factory=dict)


# --- layers ------------------------------------------------------------------------------------------------

def _geometry(shape) -> QgsGeometry:
    geometry = QgsGeometry()
    if shape is not None and not shape.is_empty:
        geometry.fromWkb(shape.wkb)
    return geometry


def _memory_layer(crs: QgsCoordinateReferenceSystem, name: str, columns: Sequence[tuple[str, QVariant.Type]],
                  rows: Sequence[tuple[list, Any]]) -> QgsVectorLayer:
    layer = QgsVectorLayer("MultiPolygon", name, "memory")
    layer.setCrs(crs)
    fields = QgsFields()
    for column, kind in columns:
        fields.append(QgsField(column, kind))
    layer.dataProvider().addAttributes(fields.toList())
    layer.updateFields()
    features = []
    for attributes, shape in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes(attributes)
        geometry = _geometry(shape)
        if not geometry.isNull() and not geometry.isMultipart():
            geometry.convertToMultiType()
        feature.setGeometry(geometry)
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    layer.updateExtents()
    return layer


def _fill(colour: str, outline: str, width: float, style: str = "solid", outline_style: str = "solid"
          ) -> QgsFillSymbol:
    return QgsFillSymbol.createSimple({"color": colour, "style": style, "outline_color": outline,
                                       "outline_width": str(width), "outline_width_unit": "MM",
                                       "outline_style": outline_style, "joinstyle": "round"})


def _text_format(size: float, colour: str = "#202020", bold: bool = False, buffer: bool = True) -> QgsTextFormat:
    text_format = QgsTextFormat()
    text_format.setFont(_font(size, bold))
    text_format.setSize(size)
    text_format.setSizeUnit(QgsUnitTypes.RenderUnit.RenderPoints)
    text_format.setColor(QColor(colour))
    if buffer:
        halo = QgsTextBufferSettings()
        halo.setEnabled(True)
        halo.setSize(0.8)
        halo.setColor(QColor(255, 255, 255, 235))
        text_format.setBuffer(halo)
    return text_format


def stand_class(species: Any, land_class: Any) -> str:
    """How a stand is drawn: its species code, "" for forest of another or no species, NON_FOREST_CLASS for
    the non-forest land classes."""
    land = str(land_class).strip() if isinstance(land_class, str) else ""
    if land and land not in schema.FOREST_LAND_CLASSES:
        return NON_FOREST_CLASS
    return species.strip() if isinstance(species, str) and species.strip() in schema.SPECIES else ""


def stands_layer(data: MapData) -> QgsVectorLayer:
    """The stands coloured by dominant species (every species of the code list; other forest grey; non-forest
    land a pale beige)."""
    land_classes = data.stands["land_class"] if "land_class" in data.stands.columns else [None] * len(data.stands)
    rows = [([stand_class(species, land)], shape)
            for species, land, shape in zip(data.stands["species"], land_classes, data.stands.geometry.values)]
    layer = _memory_layer(data.crs, LAYER_TITLES["stands"], [("map_class", QVariant.Type.String)], rows)
    categories = [QgsRendererCategory(code, _fill(SPECIES_COLOURS.get(code, OTHER_SPECIES), "#7f7f7f", 0.05),
                                      label, True) for code, (label, _en) in schema.SPECIES.items()]
    categories.append(QgsRendererCategory("", _fill(OTHER_SPECIES, "#7f7f7f", 0.05), "其他/未填", True))
    categories.append(QgsRendererCategory(NON_FOREST_CLASS, _fill(NON_FOREST_FILL, "#bdbdbd", 0.05), "非林地", True))
    layer.setRenderer(QgsCategorizedSymbolRenderer("map_class", categories))
    return layer


def _zone_layer(entry: ZoneEntry, data: MapData) -> tuple[QgsVectorLayer, QgsVectorLayer]:
    """The zone (a red outline over a white halo) and the mask that dims everything outside it."""
    string = QVariant.Type.String
    zone = _memory_layer(data.crs, LAYER_TITLES["zone"], [("zone_id", string)], [([entry.zone_id], entry.geometry)])
    halo, line = ({"style": "no", "outline_color": colour, "outline_width": str(width), "outline_width_unit": "MM",
                   "joinstyle": "round"} for colour, width in ((ZONE_HALO, 1.6), (ZONE_OUTLINE, 0.8)))
    symbol = QgsFillSymbol.createSimple(halo)
    symbol.appendSymbolLayer(QgsSimpleFillSymbolLayer.create(line))
    zone.setRenderer(QgsSingleSymbolRenderer(symbol))
    mask = _memory_layer(data.crs, LAYER_TITLES["mask"], [("zone_id", string)], [([entry.zone_id], entry.geometry)])
    mask.setRenderer(QgsInvertedPolygonRenderer(QgsSingleSymbolRenderer(_fill(MASK, MASK, 0.0, outline_style="no"))))
    return zone, mask


def _neighbour_layer(entry: ZoneEntry, nearby: Sequence[ZoneEntry], data: MapData, view) -> QgsVectorLayer:
    """The other zones on the map, outlined and labelled "02号网格" (another village's: "田坪村01号网格") over
    their ranger."""
    import shapely

    string = QVariant.Type.String
    rows = [([other.zone_id, other.short_name(entry.area_code), other.ranger],
             shapely.intersection(other.geometry, view))
            for other in sorted(nearby, key=lambda item: item.zone_id) if other.zone_id != entry.zone_id]
    layer = _memory_layer(data.crs, LAYER_TITLES["neighbours"],
                          [("zone_id", string), ("name", string), ("ranger", string)], rows)
    layer.setRenderer(QgsSingleSymbolRenderer(_fill("0,0,0,0", NEIGHBOUR_OUTLINE, 0.6, "no")))
    settings = QgsPalLayerSettings()
    settings.fieldName = "\"name\" || '\\n' || coalesce(\"ranger\", '')"
    settings.isExpression = True
    settings.setFormat(_text_format(8.0, "#a63603", bold=True))
    settings.priority = 8
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    return layer


def _village_layers(entry: ZoneEntry, nearby: Sequence[ZoneEntry], data: MapData, view
                    ) -> tuple[QgsVectorLayer, QgsVectorLayer]:
    """The zone's village boundary, and the other villages on the map (named unless a zone label names them)."""
    import shapely

    areas = data.areas
    geoms = [geometry if geometry is not None else shapely.Polygon() for geometry in areas.geometry.values]
    named = {other.area_code for other in nearby}  # their zones' labels name these villages already
    own_rows, other_rows = [], []
    for index in sorted(shapely.STRtree(geoms).query(view, predicate="intersects")):
        code = normalise_code(areas["code"].iloc[index])
        name = "" if code in named else str(areas["name"].iloc[index] or "")
        row = ([code, name], shapely.intersection(geoms[index], view))
        (own_rows if code == entry.area_code else other_rows).append(row)
    columns = [("code", QVariant.Type.String), ("name", QVariant.Type.String)]
    village = _memory_layer(data.crs, f"本村界（{entry.village}）", columns, own_rows)
    village.setRenderer(QgsSingleSymbolRenderer(_fill("0,0,0,0", OWN_VILLAGE, 0.7, "no", "dash")))
    others = _memory_layer(data.crs, "相邻村界", columns, other_rows)
    others.setRenderer(QgsSingleSymbolRenderer(_fill("0,0,0,0", OTHER_VILLAGE, 0.45, "no", "dash")))
    settings = QgsPalLayerSettings()
    settings.fieldName = "name"
    settings.setFormat(_text_format(9.0, "#6a51a3"))
    settings.priority = 3
    others.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    others.setLabelsEnabled(True)
    return village, others


def _zone_layers(entry: ZoneEntry, data: MapData, view) -> dict[str, QgsVectorLayer]:
    """The page's own layers: the zone, the mask around it, the neighbouring zones and the villages, cut to
    ``view`` (a shapely box of the map's extent) so that their labels fall on the map."""
    import shapely

    tree = shapely.STRtree([other.geometry for other in data.zones])
    nearby = [data.zones[index] for index in tree.query(view, predicate="intersects")]
    zone, mask = _zone_layer(entry, data)
    village, villages = _village_layers(entry, nearby, data, view)
    return {"zone": zone, "mask": mask, "neighbours": _neighbour_layer(entry, nearby, data, view),
            "village": village, "villages": villages}


def map_extent(entry: ZoneEntry) -> QgsRectangle:
    """The zone's bounding box with ``MAP_MARGIN`` of its larger side on each side (at least ``MIN_MARGIN_M``),
    widened to the map's proportions."""
    xmin, ymin, xmax, ymax = entry.geometry.bounds if entry.geometry is not None and not entry.geometry.is_empty \
        else (0.0, 0.0, 1.0, 1.0)
    larger = max(xmax - xmin, ymax - ymin)
    margin = max(MAP_MARGIN * larger, MIN_MARGIN_M)
    xmin, ymin, xmax, ymax = xmin - margin, ymin - margin, xmax + margin, ymax + margin
    ratio = MAP_RECT[2] / MAP_RECT[3]
    width, height = xmax - xmin, ymax - ymin
    if width / height < ratio:
        grow = (height * ratio - width) / 2
        xmin, xmax = xmin - grow, xmax + grow
    else:
        grow = (width / ratio - height) / 2
        ymin, ymax = ymin - grow, ymax + grow
    return QgsRectangle(xmin, ymin, xmax, ymax)


# --- the page ---------------------------------------------------------------------------------------------

def _font(size: float, bold: bool = False) -> QFont:
    font = QFont(cjk_font_family())
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def _label(layout: QgsPrintLayout, text: str, rect: tuple, size: float = 9.0, bold: bool = False,
           align=Qt.AlignmentFlag.AlignLeft, fill: Optional[str] = None, frame: bool = False,
           colour: str = "#000000") -> QgsLayoutItemLabel:
    x, y, width, height = rect
    label = QgsLayoutItemLabel(layout)
    label.setText(text)
    if hasattr(label, "setTextFormat"):  # QGIS 3.24 and later
        label.setTextFormat(_text_format(size, colour, bold, buffer=False))
    else:
        label.setFont(_font(size, bold))
        label.setFontColor(QColor(colour))
    label.setHAlign(align)
    label.setVAlign(Qt.AlignmentFlag.AlignVCenter)
    label.setMarginX(CELL_MARGIN_X)
    label.setMarginY(CELL_MARGIN_Y)
    layout.addLayoutItem(label)
    label.attemptResize(QgsLayoutSize(width, height, MM))
    label.attemptMove(QgsLayoutPoint(x, y, MM))
    label.setBackgroundEnabled(bool(fill))
    if fill:
        label.setBackgroundColor(QColor(fill))
    label.setFrameEnabled(frame)
    if frame:
        label.setFrameStrokeColor(QColor("#7f7f7f"))
        label.setFrameStrokeWidth(QgsLayoutMeasurement(0.2))
    return label


def _map_item(layout: QgsPrintLayout, layers: list, crs: QgsCoordinateReferenceSystem,
              extent: QgsRectangle) -> QgsLayoutItemMap:
    x, y, width, height = MAP_RECT
    item = QgsLayoutItemMap(layout)
    layout.addLayoutItem(item)
    # resize before moving: in QGIS 3.22 moving a map item that has no size yet makes its extent NaN
    item.attemptResize(QgsLayoutSize(width, height, MM))
    item.attemptMove(QgsLayoutPoint(x, y, MM))
    item.setCrs(crs)
    item.setKeepLayerSet(True)
    item.setLayers(layers)
    item.setExtent(extent)
    item.setFrameEnabled(True)
    item.setFrameStrokeColor(QColor("#404040"))
    item.setBackgroundColor(QColor("#ffffff"))
    item.setId("map")
    return item


def _legend(layout: QgsPrintLayout, map_item: QgsLayoutItemMap, layers: Sequence[QgsVectorLayer]
            ) -> QgsLayoutItemLegend:
    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("图例")
    layout.addLayoutItem(legend)
    legend.setLinkedMap(map_item)
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.clear()
    for layer in layers:
        node = QgsLayerTreeLayer(layer)
        node.setName(layer.name())
        root.addChildNode(node)
    for kind, size, bold in ((QgsLegendStyle.Style.Title, 9.5, True), (QgsLegendStyle.Style.Group, 8.5, True),
                             (QgsLegendStyle.Style.Subgroup, 8.0, True),
                             (QgsLegendStyle.Style.SymbolLabel, 8.0, False)):
        style = legend.rstyle(kind)
        if hasattr(style, "setTextFormat"):  # QGIS 3.30 and later
            style.setTextFormat(_text_format(size, bold=bold, buffer=False))
        else:
            style.setFont(_font(size, bold))
    legend.rstyle(QgsLegendStyle.Style.Title).setMargin(QgsLegendStyle.Side.Bottom, 1.0)
    legend.rstyle(QgsLegendStyle.Style.Subgroup).setMargin(QgsLegendStyle.Side.Top, 0.8)
    legend.rstyle(QgsLegendStyle.Style.Symbol).setMargin(QgsLegendStyle.Side.Top, 1.3)
    legend.setSymbolWidth(6.0)
    legend.setSymbolHeight(3.0)
    legend.setColumnCount(4)
    legend.setSplitLayer(True)
    legend.setEqualColumnWidth(True)
    legend.setColumnSpace(2.5)
    legend.setBoxSpace(1.5)
    legend.setResizeToContents(False)
    legend.setLegendFilterByMapEnabled(True)
    legend.setFrameEnabled(True)
    legend.setFrameStrokeColor(QColor("#bfbfbf"))
    x, y, width, height = LEGEND_RECT
    legend.attemptResize(QgsLayoutSize(width, height, MM))
    legend.attemptMove(QgsLayoutPoint(x, y, MM))
    legend.setId("legend")
    return legend


def nice_step(value: float) -> float:
    """The largest of 1, 2 or 5 times a power of ten not above ``value`` (> 0)."""
    power = 10 ** math.floor(math.log10(value))
    return float(next(factor * power for factor in (5, 2, 1) if factor * power <= value))


def _scale_bar(layout: QgsPrintLayout, map_item: QgsLayoutItemMap, extent: QgsRectangle) -> QgsLayoutItemScaleBar:
    """Two segments of a round length of about ``SEGMENT_MM`` each, in 米 or 公里, inside the map's lower left."""
    bar = QgsLayoutItemScaleBar(layout)
    bar.setStyle("Single Box")
    bar.setLinkedMap(map_item)
    metres = nice_step(SEGMENT_MM * extent.width() / MAP_RECT[2])
    if metres >= 1000:
        bar.setUnits(QgsUnitTypes.DistanceUnit.DistanceKilometers)
        bar.setUnitLabel("公里")
        bar.setUnitsPerSegment(metres / 1000.0)
    else:
        bar.setUnits(QgsUnitTypes.DistanceUnit.DistanceMeters)
        bar.setUnitLabel("米")
        bar.setUnitsPerSegment(metres)
    bar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeMode.SegmentSizeFixed)
    bar.setNumberOfSegments(2)
    bar.setNumberOfSegmentsLeft(0)
    bar.setTextFormat(_text_format(8.0, buffer=False))
    bar.setHeight(2.0)
    bar.setBackgroundEnabled(True)
    bar.setBackgroundColor(QColor(255, 255, 255, 215))
    bar.setBoxContentSpace(1.2)
    layout.addLayoutItem(bar)
    bar.attemptMove(QgsLayoutPoint(MAP_RECT[0] + 2.0, MAP_RECT[1] + MAP_RECT[3] - 12.0, MM))
    bar.setId("scalebar")
    bar.update()
    return bar


def _north_arrow(layout: QgsPrintLayout, map_item: QgsLayoutItemMap) -> QgsLayoutItemPicture:
    north = QgsLayoutItemPicture(layout)
    north.setPicturePath(QgsSymbolLayerUtils.svgSymbolNameToPath(NORTH_ARROW, QgsPathResolver()))
    layout.addLayoutItem(north)
    north.attemptResize(QgsLayoutSize(9, 12, MM))
    north.attemptMove(QgsLayoutPoint(MAP_RECT[0] + MAP_RECT[2] - 12.0, MAP_RECT[1] + 3.0, MM))
    north.setLinkedMap(map_item)
    north.setBackgroundEnabled(True)
    north.setBackgroundColor(QColor(255, 255, 255, 215))
    north.setId("north_arrow")
    return north


def _chief_text(entry: ZoneEntry) -> str:
    details = "，".join(part for part in (entry.chief_title, entry.chief_phone) if part)
    return f"{entry.chief}（{details}）" if entry.chief and details else entry.chief


def table_rows(entry: ZoneEntry) -> list[tuple[str, str, Optional[str], Optional[str]]]:
    """The (label, value, label, value) rows of the zone table; a row whose second label is None spans the
    page."""
    area = "{:,.2f} 公顷（{:,.1f} 亩）".format(entry.forest_ha, entry.forest_mu)
    place = " ".join(part for part in (entry.town, entry.village) if part)
    return [
        ("护林员", entry.ranger, "联系电话", entry.phone or "—"),
        ("乡镇、村", place, "网格编号", entry.zone_id),
        ("林地面积", area, "林种", entry.forest_use_text or "—"),
        ("主要树种", entry.species_text or "—", "基层监管员", entry.supervisor or "—"),
        ("责任区林长", _chief_text(entry) or "—", None, None),
        ("四至", "\n".join(entry.four_sides_lines()) or "—", None, None),
    ]


def _row_height(lines: int) -> float:
    return max(ROW_HEIGHT, lines * QgsLayoutUtils.fontHeightMM(_font(TABLE_FONT)) + 2 * CELL_MARGIN_Y + 1.0)


def _table(layout: QgsPrintLayout, entry: ZoneEntry, top: float, bottom: float) -> float:
    """The zone table from ``top``; the 四至 takes at most the room left above ``bottom``. Returns its bottom."""
    font = _font(TABLE_FONT)
    half_value = CONTENT_WIDTH / 2 - KEY_WIDTH
    wide_value = CONTENT_WIDTH - KEY_WIDTH
    y = top
    _label(layout, "网格信息", (MARGIN, y, CONTENT_WIDTH, ROW_HEIGHT), size=10.0, bold=True, fill="#ddebf7",
           frame=True)
    y += ROW_HEIGHT
    rows = table_rows(entry)
    line_height = QgsLayoutUtils.fontHeightMM(font)
    for key1, value1, key2, value2 in rows:
        if key2 is None:
            room = bottom - y - 2 * CELL_MARGIN_Y - 1.0
            wrapped: list[str] = []
            for paragraph in value1.split("\n"):
                wrapped += wrap_text(paragraph, font, wide_value - 2 * CELL_MARGIN_X - 0.5, 3)
            max_lines = max(1, int(room // line_height))
            if len(wrapped) > max_lines:
                wrapped = wrapped[:max_lines - 1] + [wrapped[max_lines - 1].rstrip("…") + "…"]
            height = _row_height(len(wrapped))
            _label(layout, key1, (MARGIN, y, KEY_WIDTH, height), size=TABLE_FONT, fill="#f2f2f2", frame=True)
            _label(layout, "\n".join(wrapped), (MARGIN + KEY_WIDTH, y, wide_value, height), size=TABLE_FONT,
                   frame=True)
        else:
            first = wrap_text(value1, font, half_value - 2 * CELL_MARGIN_X - 0.5, MAX_LINES)
            second = wrap_text(value2 or "", font, half_value - 2 * CELL_MARGIN_X - 0.5, MAX_LINES)
            height = _row_height(max(len(first), len(second)))
            _label(layout, key1, (MARGIN, y, KEY_WIDTH, height), size=TABLE_FONT, fill="#f2f2f2", frame=True)
            _label(layout, "\n".join(first), (MARGIN + KEY_WIDTH, y, half_value, height), size=TABLE_FONT,
                   frame=True)
            _label(layout, key2, (MARGIN + KEY_WIDTH + half_value, y, KEY_WIDTH, height), size=TABLE_FONT,
                   fill="#f2f2f2", frame=True)
            _label(layout, "\n".join(second), (MARGIN + 2 * KEY_WIDTH + half_value, y, half_value, height),
                   size=TABLE_FONT, frame=True)
        y += height
    return y


def build_ranger_page(entry: ZoneEntry, data: MapData, project: QgsProject, stands: QgsVectorLayer,
                      generated: Optional[dt.date] = None) -> RangerPage:
    """The layout of one zone's responsibility map in ``project`` (a private one: the page's layers are added
    to it); ``stands`` is ``stands_layer(data)``, already in the project."""
    from shapely.geometry import box

    extent = map_extent(entry)
    # the page's layers are cut to the map: QGIS cuts them again for their labels, and an edge just outside
    # the map may leave it a sliver without area
    view = box(extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
    layers = _zone_layers(entry, data, view)
    project.addMapLayers(list(layers.values()), False)

    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.pageCollection().page(0).setPageSize("A4", QgsLayoutItemPage.Orientation.Portrait)
    layout.setName(f"{TITLE} {entry.zone_id}")
    items: dict[str, Any] = {}
    items["title"] = _label(layout, TITLE, (MARGIN, 8.0, CONTENT_WIDTH, 10.0), size=18, bold=True,
                            align=Qt.AlignmentFlag.AlignHCenter)
    place = " ".join(part for part in (entry.town, entry.village) if part)
    subtitle = "护林员：{}　　{}　　网格编号：{}".format(entry.ranger, place, entry.zone_id)
    items["subtitle"] = _label(layout, subtitle, (MARGIN, 19.0, CONTENT_WIDTH, 7.0), size=10.5,
                               align=Qt.AlignmentFlag.AlignHCenter)
    order = [layers["zone"], layers["village"], layers["villages"], layers["neighbours"], layers["mask"], stands]
    items["map"] = _map_item(layout, order, data.crs, extent)
    items["north_arrow"] = _north_arrow(layout, items["map"])
    items["scalebar"] = _scale_bar(layout, items["map"], items["map"].extent())
    items["map"].addLabelBlockingItem(items["north_arrow"])  # no label under the arrow or the scale bar
    items["map"].addLabelBlockingItem(items["scalebar"])
    items["legend"] = _legend(layout, items["map"], [layers["zone"], layers["neighbours"], layers["village"],
                                                     layers["villages"], stands])
    signature_y = FOOTER_Y - 10.0
    _table(layout, entry, TABLE_Y, signature_y - 2.0)
    _label(layout, "护林员（签字）：____________　　责任区林长（签字）：____________　　日期：______年____月____日",
           (MARGIN, signature_y, CONTENT_WIDTH, 7.0), size=9.5)
    _label(layout, "生成日期：{}　　{}".format((generated or dt.date.today()).isoformat(), SOFTWARE),
           (MARGIN, FOOTER_Y, CONTENT_WIDTH / 2 + 20, 6.0), size=7.5, colour="#595959")
    _label(layout, entry.zone_id, (PAGE_WIDTH / 2, FOOTER_Y, CONTENT_WIDTH / 2, 6.0), size=7.5, colour="#595959",
           align=Qt.AlignmentFlag.AlignRight)
    return RangerPage(layout, items, items["map"].extent(), layers)


# --- exporting --------------------------------------------------------------------------------------------

def map_file_name(entry: ZoneEntry) -> str:
    """管护责任图_<zone_id>_<ranger>.pdf, with characters a file name cannot hold replaced."""
    stem = "_".join(part for part in ("管护责任图", entry.zone_id, entry.ranger) if part)
    return SAFE_NAME.sub("_", stem).strip("._") + ".pdf"


def _private_project(data: MapData, project: Optional[QgsProject]) -> tuple[QgsProject, QgsVectorLayer]:
    private = QgsProject()
    if project is not None:
        private.setTransformContext(project.transformContext())
    private.setCrs(data.crs)
    stands = stands_layer(data)
    private.addMapLayer(stands, False)
    return private, stands


def _export_pdf(layout: QgsPrintLayout, path: str) -> None:
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = DEFAULT_DPI
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = False
    settings.exportMetadata = True
    temporary = path + ".part"
    result = QgsLayoutExporter(layout).exportToPdf(temporary, settings)
    if result != QgsLayoutExporter.ExportResult.Success:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise OSError(f"PDF export failed ({result}): {path}")
    os.replace(temporary, path)


def export_ranger_maps(entries: Sequence[ZoneEntry], data: MapData, out_folder: str,
                       project: Optional[QgsProject] = None, feedback=None) -> list[str]:
    """One A4 PDF per zone of ``entries`` in ``out_folder`` (``map_file_name``); returns their paths. Stops
    between pages when ``feedback`` is canceled (the PDFs written so far are kept and returned)."""
    os.makedirs(out_folder, exist_ok=True)
    private, stands = _private_project(data, project)
    written: list[str] = []
    used: set[str] = set()
    generated = dt.date.today()
    try:
        for index, entry in enumerate(entries):
            if feedback is not None and feedback.isCanceled():
                break
            name = map_file_name(entry)
            stem, number = name[:-4], 1
            while name in used:
                number += 1
                name = f"{stem}_{number}.pdf"
            used.add(name)
            page = build_ranger_page(entry, data, private, stands, generated)
            path = os.path.join(out_folder, name)
            _export_pdf(page.layout, path)
            written.append(path)
            private.removeMapLayers([layer.id() for layer in page.layers.values()])
            if feedback is not None:
                feedback.setProgress(100.0 * (index + 1) / max(len(entries), 1))
    finally:
        private.clear()
    return written


def export_ranger_image(entry: ZoneEntry, data: MapData, path: str, dpi: int = 100,
                        project: Optional[QgsProject] = None) -> None:
    """The page of one zone as an image (PNG) at ``dpi``: for checking and for documentation."""
    private, stands = _private_project(data, project)
    try:
        page = build_ranger_page(entry, data, private, stands)
        image = QgsLayoutExporter(page.layout).renderPageToImage(0, QSize(), dpi)
        if image.isNull() or not image.save(path):
            raise OSError(f"image export failed: {path}")
    finally:
        private.clear()
