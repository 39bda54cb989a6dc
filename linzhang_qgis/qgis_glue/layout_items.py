"""What the plugin's print layouts (the evidence sheet, the patrol handbook, the ranger map) draw alike.

Every page is A4 portrait with ``MARGIN`` mm on each side, laid out in millimetres, its texts in the
installed CJK font (``styling.cjk_font_family``) at sizes in points. Here are, once:

- fonts and text formats (``cjk_font``, ``text_format``, ``with_halo``) and text wrapped to a width in mm
  (``wrap_text``);
- layout items placed by a rectangle (x, y, width, height) in mm: labels, boxes, the title and subtitle,
  the cells of a key/value table, the footer with the generation date, map items, legends, scale bars and
  north arrows;
- the symbols and memory layers the maps are drawn with;
- a private QgsProject (the user's project is never touched) and an A4 layout in it;
- exporting: safe file names, PDFs written under a temporary name and renamed (no half-written file),
  pages rendered to PNG, and the output folder of a run (staged files moved into it at the end, the
  folders a failed run created removed again).

Only what the pages really share is here; their own sizes, colours and texts stay in their modules and are
passed as arguments.
"""
from __future__ import annotations

import math
import os
import re
from typing import Any, Iterable, Iterator, Optional, Sequence

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayerTreeLayer,
    QgsLayoutExporter,
    QgsLayoutItem,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutItemShape,
    QgsLayoutMeasurement,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutUtils,
    QgsLegendStyle,
    QgsPathResolver,
    QgsPrintLayout,
    QgsProject,
    QgsScaleBarSettings,
    QgsSimpleFillSymbolLayer,
    QgsSymbolLayerUtils,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize, Qt, QVariant
from qgis.PyQt.QtGui import QColor, QFont

from ..core import schema
from ..core.errors import InputDataError
from .styling import cjk_font_family

MM = QgsUnitTypes.LayoutUnit.LayoutMillimeters
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0  # A4 portrait
MARGIN = 12.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
DEFAULT_DPI = 300
SOFTWARE = "林长制一张图（linzhang_qgis）"
NORTH_ARROW = "arrows/NorthArrow_02.svg"  # in QGIS's SVG folders
SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")  # what a file name may not hold
CELL_MARGIN_X, CELL_MARGIN_Y = 1.2, 0.6  # mm, inside a label
HEADER_FILL, KEY_FILL = "#ddebf7", "#f2f2f2"  # a table's header and its key cells
CELL_STROKE = "#7f7f7f"
MAP_FRAME = "#404040"
FOOTER_COLOUR = "#595959"
FOOTER_HEIGHT = 6.0
LEGEND_KINDS = (QgsLegendStyle.Style.Title, QgsLegendStyle.Style.Group, QgsLegendStyle.Style.Subgroup,
                QgsLegendStyle.Style.SymbolLabel)
Rect = tuple  # (x, y, width, height) in mm


# --- fonts and texts -------------------------------------------------------------------------------

def cjk_font(size: float, bold: bool = False) -> QFont:
    """The CJK font at ``size`` points."""
    font = QFont(cjk_font_family())
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def text_format(size: float, bold: bool = False, colour: Optional[str] = None) -> QgsTextFormat:
    """A text format in the CJK font at ``size`` points (QGIS's black unless ``colour`` is given)."""
    result = QgsTextFormat()
    result.setFont(cjk_font(size, bold))
    result.setSize(size)
    result.setSizeUnit(QgsUnitTypes.RenderUnit.RenderPoints)
    if colour is not None:
        result.setColor(QColor(colour))
    return result


def with_halo(text: QgsTextFormat, width_mm: float, opacity: int) -> QgsTextFormat:
    """``text`` with a white halo of ``width_mm`` and ``opacity`` (0-255): map labels stay legible."""
    halo = QgsTextBufferSettings()
    halo.setEnabled(True)
    halo.setSize(width_mm)
    halo.setColor(QColor(255, 255, 255, opacity))
    text.setBuffer(halo)
    return text


def wrap_text(text: str, font: QFont, width: float, max_lines: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` mm in ``font``: Chinese between any two
    characters, Latin words and numbers whole unless a word alone is too wide. More than ``max_lines``
    lines are cut, the last ending in "…"."""
    def fits(line: str) -> bool:
        return QgsLayoutUtils.textWidthMM(font, line) <= width

    lines: list[str] = []
    for paragraph in (text or "").split("\n"):
        line = ""
        for token in re.findall(r"[A-Za-z0-9_.,:;%()\-/+°]+|\s+|.", paragraph):
            if fits(line + token):
                line += token
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = token.lstrip()
            while line and not fits(line):  # a word wider than the cell: cut it
                cut = len(line) - 1
                while cut > 1 and not fits(line[:cut]):
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line.rstrip())
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and not fits(last + "…"):
            last = last[:-1]
        lines = lines[:max_lines - 1] + [last + "…"]
    return lines


# --- items -----------------------------------------------------------------------------------------

def place(item: QgsLayoutItem, rect: Rect, page: int = -1) -> None:
    """Size ``item`` and move it to ``rect`` (mm; on ``page`` when given, else on the layout). The size
    comes first: in QGIS 3.22 moving a map item that has no size yet makes its extent NaN."""
    x, y, width, height = rect
    item.attemptResize(QgsLayoutSize(width, height, MM))
    if page < 0:
        item.attemptMove(QgsLayoutPoint(x, y, MM))
    else:
        item.attemptMove(QgsLayoutPoint(x, y, MM), page=page)


def add_label(layout: QgsPrintLayout, text: str, rect: Rect, size: float = 9.0, bold: bool = False,
              colour: str = "#000000", align=Qt.AlignmentFlag.AlignLeft, valign=Qt.AlignmentFlag.AlignVCenter,
              margins: tuple[float, float] = (CELL_MARGIN_X, CELL_MARGIN_Y), fill: Optional[str] = None,
              frame: bool = False, html: bool = False, page: int = -1, item_id: str = "") -> QgsLayoutItemLabel:
    """A label in ``rect``: ``size`` points, ``margins`` (x, y) mm inside, a ``fill`` behind it and a thin
    grey ``frame`` when asked; ``html`` labels render their text as HTML."""
    label = QgsLayoutItemLabel(layout)
    if html:
        label.setMode(QgsLayoutItemLabel.Mode.ModeHtml)
    label.setText(text)
    if hasattr(label, "setTextFormat"):  # QGIS 3.24 and later
        label.setTextFormat(text_format(size, bold, colour))
    else:
        label.setFont(cjk_font(size, bold))
        label.setFontColor(QColor(colour))
    label.setHAlign(align)
    label.setVAlign(valign)
    label.setMarginX(margins[0])
    label.setMarginY(margins[1])
    layout.addLayoutItem(label)
    place(label, rect, page)
    label.setBackgroundEnabled(bool(fill))
    if fill:
        label.setBackgroundColor(QColor(fill))
    label.setFrameEnabled(frame)
    if frame:
        label.setFrameStrokeColor(QColor(CELL_STROKE))
        label.setFrameStrokeWidth(QgsLayoutMeasurement(0.2))
    if item_id:
        label.setId(item_id)
    return label


def add_box(layout: QgsPrintLayout, rect: Rect, fill: str = "#ffffff", stroke: str = CELL_STROKE
            ) -> QgsLayoutItemShape:
    """A rectangle with a thin outline (a box to write in)."""
    shape = QgsLayoutItemShape(layout)
    shape.setShapeType(QgsLayoutItemShape.Shape.Rectangle)
    shape.setSymbol(QgsFillSymbol.createSimple({"color": fill, "outline_color": stroke, "outline_width": "0.2",
                                                "outline_width_unit": "MM"}))
    layout.addLayoutItem(shape)
    place(shape, rect)
    return shape


def add_heading(layout: QgsPrintLayout, title: str, subtitle: str, top: float
                ) -> tuple[QgsLayoutItemLabel, QgsLayoutItemLabel]:
    """The page's title (18 pt bold) from ``top`` and the subtitle line below it, both centred."""
    centre = Qt.AlignmentFlag.AlignHCenter
    return (add_label(layout, title, (MARGIN, top, CONTENT_WIDTH, 10.0), size=18, bold=True, align=centre),
            add_label(layout, subtitle, (MARGIN, top + 11.0, CONTENT_WIDTH, 7.0), size=10.5, align=centre))


def add_table_header(layout: QgsPrintLayout, text: str, top: float, height: float, size: float
                     ) -> QgsLayoutItemLabel:
    """A table's caption row across the page."""
    return add_label(layout, text, (MARGIN, top, CONTENT_WIDTH, height), size=size, bold=True, fill=HEADER_FILL,
                     frame=True)


def add_table_row(layout: QgsPrintLayout, top: float, height: float,
                  cells: tuple[str, str, Optional[str], Optional[str]], key_width: float, size: float) -> None:
    """One row of a key/value table across the page: (key, value, key, value), or one key and its value
    across the page when the second key is None."""
    key1, value1, key2, value2 = cells
    add_label(layout, key1, (MARGIN, top, key_width, height), size=size, fill=KEY_FILL, frame=True)
    if key2 is None:
        add_label(layout, value1, (MARGIN + key_width, top, CONTENT_WIDTH - key_width, height), size=size,
                  frame=True)
        return
    value_width = CONTENT_WIDTH / 2 - key_width
    add_label(layout, value1, (MARGIN + key_width, top, value_width, height), size=size, frame=True)
    add_label(layout, key2, (MARGIN + key_width + value_width, top, key_width, height), size=size, fill=KEY_FILL,
              frame=True)
    add_label(layout, value2 or "", (MARGIN + 2 * key_width + value_width, top, value_width, height), size=size,
              frame=True)


def add_footer(layout: QgsPrintLayout, generated_iso: str, right_text: str, top: float, size: float) -> None:
    """The footer line: the generation date and the software on the left, ``right_text`` on the right."""
    add_label(layout, "生成日期：{}　　{}".format(generated_iso, SOFTWARE),
              (MARGIN, top, CONTENT_WIDTH / 2 + 20, FOOTER_HEIGHT), size=size, colour=FOOTER_COLOUR)
    add_label(layout, right_text, (PAGE_WIDTH / 2, top, CONTENT_WIDTH / 2, FOOTER_HEIGHT), size=size,
              colour=FOOTER_COLOUR, align=Qt.AlignmentFlag.AlignRight)


def add_map(layout: QgsPrintLayout, rect: Rect, crs: QgsCoordinateReferenceSystem, layers: list,
            background: str = "#ffffff") -> QgsLayoutItemMap:
    """A framed map item in ``rect`` drawing ``layers`` (first on top) in ``crs``; its extent is the caller's."""
    item = QgsLayoutItemMap(layout)
    layout.addLayoutItem(item)
    place(item, rect)
    item.setCrs(crs)
    item.setKeepLayerSet(True)
    item.setLayers(layers)
    item.setFrameEnabled(True)
    item.setFrameStrokeColor(QColor(MAP_FRAME))
    item.setBackgroundColor(QColor(background))
    return item


def add_legend(layout: QgsPrintLayout, map_item: QgsLayoutItemMap, layers: Sequence[QgsVectorLayer], rect: Rect,
               sizes: Sequence[float], columns: int, column_space: float, symbol_height: float,
               colour: Optional[str] = None) -> QgsLayoutItemLegend:
    """A framed legend "图例" in ``rect`` of ``layers`` (by their names) linked to ``map_item`` and showing what
    the map shows, in ``columns`` (a layer's classes may go on in the next column). ``sizes`` are the points of
    its title, groups, subgroups (bold) and item labels."""
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
    for kind, size in zip(LEGEND_KINDS, sizes):
        bold = kind != QgsLegendStyle.Style.SymbolLabel
        style = legend.rstyle(kind)
        if hasattr(style, "setTextFormat"):  # QGIS 3.30 and later
            style.setTextFormat(text_format(size, bold, colour))
        else:
            style.setFont(cjk_font(size, bold))
    legend.setSymbolWidth(6.0)
    legend.setSymbolHeight(symbol_height)
    legend.setColumnCount(columns)
    legend.setSplitLayer(True)
    legend.setEqualColumnWidth(True)
    legend.setColumnSpace(column_space)
    legend.setBoxSpace(1.5)
    legend.setResizeToContents(False)
    legend.setLegendFilterByMapEnabled(True)
    legend.setFrameEnabled(True)
    legend.setFrameStrokeColor(QColor("#bfbfbf"))
    place(legend, rect)
    legend.setId("legend")
    return legend


def new_scale_bar(layout: QgsPrintLayout, map_item: QgsLayoutItemMap, units: QgsUnitTypes.DistanceUnit,
                  unit_label: str, units_per_segment: float, text: QgsTextFormat, height: float,
                  fit_width: Optional[tuple[float, float]] = None) -> QgsLayoutItemScaleBar:
    """A "Single Box" scale bar of ``map_item`` with two segments right of zero, not yet in the layout (the
    caller adds it where it belongs): segments of ``units_per_segment``, or fitted to a bar of ``fit_width``
    (the least and the most mm) when given."""
    bar = QgsLayoutItemScaleBar(layout)
    bar.setStyle("Single Box")
    bar.setLinkedMap(map_item)
    # keep this order: QGIS resizes a scale bar while some of these are set, so it decides the item's width
    bar.setUnits(units)
    bar.setUnitLabel(unit_label)
    bar.setUnitsPerSegment(units_per_segment)
    if fit_width is None:
        bar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeMode.SegmentSizeFixed)
    else:
        bar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeMode.SegmentSizeFitWidth)
        bar.setMinimumBarWidth(fit_width[0])
        bar.setMaximumBarWidth(fit_width[1])
    bar.setNumberOfSegments(2)
    bar.setNumberOfSegmentsLeft(0)
    bar.setTextFormat(text)
    bar.setHeight(height)
    return bar


def round_step(value: float) -> float:
    """The largest of 1, 2 or 5 times a power of ten not above ``value`` (> 0): a scale-bar segment."""
    power = 10 ** math.floor(math.log10(value))
    return float(next(factor * power for factor in (5, 2, 1) if factor * power <= value))


def add_north_arrow(layout: QgsPrintLayout, rect: Rect, map_item: Optional[QgsLayoutItemMap] = None,
                    background: Optional[QColor] = None) -> QgsLayoutItemPicture:
    """QGIS's north arrow in ``rect``; turned with ``map_item`` when given, on ``background`` when given."""
    north = QgsLayoutItemPicture(layout)
    north.setPicturePath(QgsSymbolLayerUtils.svgSymbolNameToPath(NORTH_ARROW, QgsPathResolver()))
    layout.addLayoutItem(north)
    place(north, rect)
    if map_item is not None:
        north.setLinkedMap(map_item)
    if background is not None:
        north.setBackgroundEnabled(True)
        north.setBackgroundColor(background)
    return north


def add_map_north_arrow(layout: QgsPrintLayout, map_item: QgsLayoutItemMap, map_rect: Rect, opacity: int
                        ) -> QgsLayoutItemPicture:
    """The north arrow inside the top right corner of the map in ``map_rect``, turned with it, on white of
    ``opacity`` (0-255); its id is "north_arrow"."""
    x, y, width, _height = map_rect
    north = add_north_arrow(layout, (x + width - 12.0, y + 3.0, 9, 12), map_item, QColor(255, 255, 255, opacity))
    north.setId("north_arrow")
    return north


# --- symbols and memory layers ----------------------------------------------------------------------

def fill_symbol(colour: str, outline: str, width: float, style: str = "solid", outline_style: str = "solid"
                ) -> QgsFillSymbol:
    """A simple fill with an outline ``width`` mm wide and round joins."""
    return QgsFillSymbol.createSimple({"color": colour, "style": style, "outline_color": outline,
                                       "outline_width": str(width), "outline_width_unit": "MM",
                                       "outline_style": outline_style, "joinstyle": "round"})


def outline_over_halo(colour: str, width: float, halo: str, halo_width: float) -> QgsFillSymbol:
    """No fill; an outline of ``colour`` over a wider one of ``halo`` (visible on any background)."""
    halo_line, line = ({"style": "no", "outline_color": stroke, "outline_width": str(stroke_width),
                        "outline_width_unit": "MM", "joinstyle": "round"}
                       for stroke, stroke_width in ((halo, halo_width), (colour, width)))
    symbol = QgsFillSymbol.createSimple(halo_line)
    symbol.appendSymbolLayer(QgsSimpleFillSymbolLayer.create(line))
    return symbol


def qgs_geometry(shape: Any) -> QgsGeometry:
    """A shapely geometry as a QgsGeometry (a null one for None or an empty geometry)."""
    geometry = QgsGeometry()
    if shape is not None and hasattr(shape, "wkb") and not shape.is_empty:
        geometry.fromWkb(bytes(shape.wkb))
    return geometry


def memory_layer(kind: str, crs: QgsCoordinateReferenceSystem, name: str,
                 columns: Sequence[tuple[str, QVariant.Type]]) -> QgsVectorLayer:
    """An empty memory layer of geometry ``kind`` (e.g. "MultiPolygon") in ``crs`` with ``columns``."""
    layer = QgsVectorLayer(f"{kind}?crs={crs.authid() or 'EPSG:4326'}", name, "memory")
    if not crs.authid():
        layer.setCrs(crs)
    fields = QgsFields()
    for column, column_type in columns:
        fields.append(QgsField(column, column_type))
    layer.dataProvider().addAttributes(fields.toList())
    layer.updateFields()
    return layer


def add_features(layer: QgsVectorLayer, rows: Iterable[tuple[list, Any]], multi: bool = False) -> None:
    """Adds (attributes, geometry) ``rows`` to ``layer``; geometries are QgsGeometry or shapely, made
    multi-part when ``multi``."""
    features = []
    for attributes, shape in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes(attributes)
        geometry = shape if isinstance(shape, QgsGeometry) else qgs_geometry(shape)
        if multi and not geometry.isNull() and not geometry.isMultipart():
            geometry.convertToMultiType()
        feature.setGeometry(geometry)
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    layer.updateExtents()


# --- the project and the layout ---------------------------------------------------------------------

def private_project(crs: QgsCoordinateReferenceSystem, project: Optional[QgsProject] = None) -> QgsProject:
    """A new project in ``crs`` for the layouts' layers; ``project`` (the user's) only lends its transform
    context."""
    private = QgsProject()
    if project is not None:
        private.setTransformContext(project.transformContext())
    private.setCrs(crs)
    return private


def a4_layout(project: QgsProject, name: str, pages: int = 1) -> QgsPrintLayout:
    """An empty print layout ``name`` of ``pages`` A4 portrait pages in ``project``."""
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(name)
    collection = layout.pageCollection()
    collection.page(0).setPageSize("A4", QgsLayoutItemPage.Orientation.Portrait)
    for _number in range(1, pages):
        page = QgsLayoutItemPage(layout)
        page.setPageSize("A4", QgsLayoutItemPage.Orientation.Portrait)
        collection.addPage(page)
    return layout


def open_workspace_layer(path: str, layer_def: schema.LayerDef) -> QgsVectorLayer:
    """The workspace layer ``layer_def`` of the GeoPackage ``path``; InputDataError when it is missing."""
    layer = QgsVectorLayer(f"{path}|layername={layer_def.name}", layer_def.name, "ogr")
    if not layer.isValid():
        name = os.path.basename(path)
        raise InputDataError(f"工作空间 {name} 缺少图层 {layer_def.name}（{layer_def.title_zh}）或无法读取。",
                             f"The workspace {name} lacks the layer {layer_def.name} ({layer_def.title_en}) or "
                             "it cannot be read.")
    return layer


# --- exporting -------------------------------------------------------------------------------------

def safe_file_stem(text: str) -> str:
    """``text`` with the characters a file name cannot hold replaced by "_" ("" when nothing is left)."""
    return SAFE_NAME.sub("_", text).strip("._")


def unique_name(name: str, used: set[str]) -> str:
    """``name`` (a file name ending in .pdf) or, when ``used`` has it, <stem>_2.pdf, <stem>_3.pdf, …; the
    result is added to ``used``."""
    stem, number, result = name[:-4], 1, name
    while result in used:
        number += 1
        result = f"{stem}_{number}.pdf"
    used.add(result)
    return result


def until_canceled(items: Sequence[Any], feedback=None) -> Iterator[Any]:
    """``items`` one by one, stopping before the next when ``feedback`` is canceled; the share done is
    reported as progress after each."""
    for index, item in enumerate(items):
        if feedback is not None and feedback.isCanceled():
            return
        yield item
        if feedback is not None:
            feedback.setProgress(100.0 * (index + 1) / max(len(items), 1))


def export_pdf(layout: QgsPrintLayout, path: str, dpi: int = DEFAULT_DPI) -> None:
    """The layout (its current atlas feature) as a PDF at ``path``, written under a temporary name and renamed:
    no half-written file is left. OSError when QGIS fails."""
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = dpi
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = False
    settings.exportMetadata = True
    temporary = path + ".part"
    try:
        result = QgsLayoutExporter(layout).exportToPdf(temporary, settings)
        if result != QgsLayoutExporter.ExportResult.Success:
            raise OSError(f"PDF export failed ({result}): {path}")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def render_page_png(layout: QgsPrintLayout, page: int, path: str, dpi: int) -> None:
    """Page ``page`` of the layout as a PNG image at ``dpi``. OSError when it cannot be written."""
    image = QgsLayoutExporter(layout).renderPageToImage(page, QSize(), dpi)
    if image.isNull() or not image.save(path):
        raise OSError(f"image export failed: {path}")


def first_missing(path: str) -> str:
    """The outermost folder of ``path`` that does not exist yet ("" when it exists): what making it creates."""
    missing = ""
    path = os.path.abspath(path)
    while path and not os.path.exists(path):
        missing, parent = path, os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return missing


def remove_empty_folders(root: str) -> None:
    """Remove ``root`` and the folders below it when they hold no file."""
    if not root or not os.path.isdir(root):
        return
    for folder, _subfolders, _files in os.walk(root, topdown=False):
        if not os.listdir(folder):
            os.rmdir(folder)


def move_into(paths: Iterable[str], folder: str) -> list[str]:
    """Moves the files ``paths`` (from a staging folder) into ``folder`` under their names; their new paths."""
    moved = []
    for path in paths:
        target = os.path.join(folder, os.path.basename(path))
        os.replace(path, target)
        moved.append(target)
    return moved
