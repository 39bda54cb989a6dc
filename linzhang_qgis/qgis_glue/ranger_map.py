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
import os
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsInvertedPolygonRenderer,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutUtils,
    QgsLegendStyle,
    QgsPalLayerSettings,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import QVariant
from qgis.PyQt.QtGui import QColor

from ..core import schema
from ..core.grid.responsibility import ZoneEntry
from ..core.values import normalise_code
from .layout_items import (
    CELL_MARGIN_X,
    CELL_MARGIN_Y,
    CONTENT_WIDTH,
    MARGIN,
    MM,
    PAGE_HEIGHT,
    a4_layout,
    add_features,
    add_footer,
    add_heading,
    add_label,
    add_legend,
    add_map,
    add_map_north_arrow,
    add_table_header,
    add_table_row,
    cjk_font,
    export_pdf,
    fill_symbol,
    memory_layer,
    new_scale_bar,
    outline_over_halo,
    private_project,
    render_page_png,
    round_step,
    safe_file_stem,
    text_format,
    unique_name,
    until_canceled,
    with_halo,
    wrap_text,
)

TITLE = "护林员管护责任图"
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
MAX_LINES = 2  # a value of a two-column row wraps to at most this many lines

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
TEXT_COLOUR = "#202020"
LABEL_HALO = (0.8, 235)  # mm, opacity: the white halo of the map's labels
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

def _memory_layer(crs: QgsCoordinateReferenceSystem, name: str, columns: Sequence[tuple[str, QVariant.Type]],
                  rows: Sequence[tuple[list, Any]]) -> QgsVectorLayer:
    layer = memory_layer("MultiPolygon", crs, name, columns)
    add_features(layer, rows, multi=True)
    return layer


def _map_text(size: float, colour: str, bold: bool = False) -> QgsTextFormat:
    """The format of a map label: ``colour`` over a white halo."""
    return with_halo(text_format(size, bold, colour), *LABEL_HALO)


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
    categories = [QgsRendererCategory(code, fill_symbol(SPECIES_COLOURS.get(code, OTHER_SPECIES), "#7f7f7f", 0.05),
                                      label, True) for code, (label, _en) in schema.SPECIES.items()]
    categories.append(QgsRendererCategory("", fill_symbol(OTHER_SPECIES, "#7f7f7f", 0.05), "其他/未填", True))
    categories.append(QgsRendererCategory(NON_FOREST_CLASS, fill_symbol(NON_FOREST_FILL, "#bdbdbd", 0.05), "非林地", True))
    layer.setRenderer(QgsCategorizedSymbolRenderer("map_class", categories))
    return layer


def _zone_layer(entry: ZoneEntry, data: MapData) -> tuple[QgsVectorLayer, QgsVectorLayer]:
    """The zone (a red outline over a white halo) and the mask that dims everything outside it."""
    string = QVariant.Type.String
    zone = _memory_layer(data.crs, LAYER_TITLES["zone"], [("zone_id", string)], [([entry.zone_id], entry.geometry)])
    zone.setRenderer(QgsSingleSymbolRenderer(outline_over_halo(ZONE_OUTLINE, 0.8, ZONE_HALO, 1.6)))
    mask = _memory_layer(data.crs, LAYER_TITLES["mask"], [("zone_id", string)], [([entry.zone_id], entry.geometry)])
    mask_symbol = fill_symbol(MASK, MASK, 0.0, outline_style="no")
    mask.setRenderer(QgsInvertedPolygonRenderer(QgsSingleSymbolRenderer(mask_symbol)))
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
    layer.setRenderer(QgsSingleSymbolRenderer(fill_symbol("0,0,0,0", NEIGHBOUR_OUTLINE, 0.6, "no")))
    settings = QgsPalLayerSettings()
    settings.fieldName = "\"name\" || '\\n' || coalesce(\"ranger\", '')"
    settings.isExpression = True
    settings.setFormat(_map_text(8.0, "#a63603", bold=True))
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
    village.setRenderer(QgsSingleSymbolRenderer(fill_symbol("0,0,0,0", OWN_VILLAGE, 0.7, "no", "dash")))
    others = _memory_layer(data.crs, "相邻村界", columns, other_rows)
    others.setRenderer(QgsSingleSymbolRenderer(fill_symbol("0,0,0,0", OTHER_VILLAGE, 0.45, "no", "dash")))
    settings = QgsPalLayerSettings()
    settings.fieldName = "name"
    settings.setFormat(_map_text(9.0, "#6a51a3"))
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

def _map_item(layout: QgsPrintLayout, layers: list, crs: QgsCoordinateReferenceSystem,
              extent: QgsRectangle) -> QgsLayoutItemMap:
    item = add_map(layout, MAP_RECT, crs, layers)
    item.setExtent(extent)
    item.setId("map")
    return item


def _legend(layout: QgsPrintLayout, map_item: QgsLayoutItemMap, layers: Sequence[QgsVectorLayer]
            ) -> QgsLayoutItemLegend:
    legend = add_legend(layout, map_item, layers, LEGEND_RECT, (9.5, 8.5, 8.0, 8.0), columns=4, column_space=2.5,
                        symbol_height=3.0, colour=TEXT_COLOUR)
    legend.rstyle(QgsLegendStyle.Style.Title).setMargin(QgsLegendStyle.Side.Bottom, 1.0)
    legend.rstyle(QgsLegendStyle.Style.Subgroup).setMargin(QgsLegendStyle.Side.Top, 0.8)
    legend.rstyle(QgsLegendStyle.Style.Symbol).setMargin(QgsLegendStyle.Side.Top, 1.3)
    return legend


def _scale_bar(layout: QgsPrintLayout, map_item: QgsLayoutItemMap, extent: QgsRectangle) -> QgsLayoutItemScaleBar:
    """Two segments of a round length of about ``SEGMENT_MM`` each, in 米 or 公里, inside the map's lower left."""
    metres = round_step(SEGMENT_MM * extent.width() / MAP_RECT[2])
    units, label, length = ((QgsUnitTypes.DistanceUnit.DistanceKilometers, "公里", metres / 1000.0) if metres >= 1000
                            else (QgsUnitTypes.DistanceUnit.DistanceMeters, "米", metres))
    bar = new_scale_bar(layout, map_item, units, label, length, text_format(8.0, colour=TEXT_COLOUR), 2.0)
    bar.setBackgroundEnabled(True)
    bar.setBackgroundColor(QColor(255, 255, 255, 215))
    bar.setBoxContentSpace(1.2)
    layout.addLayoutItem(bar)
    bar.attemptMove(QgsLayoutPoint(MAP_RECT[0] + 2.0, MAP_RECT[1] + MAP_RECT[3] - 12.0, MM))
    bar.setId("scalebar")
    bar.update()
    return bar


def _chief_text(entry: ZoneEntry) -> str:
    details = "，".join(part for part in (entry.chief_title, entry.chief_phone) if part)
    return f"{entry.chief}（{details}）" if entry.chief and details else entry.chief


def table_rows(entry: ZoneEntry) -> list[tuple[str, str, Optional[str], Optional[str]]]:
    """The (label, value, label, value) rows of the zone table; a row whose second label is None spans the
    page."""
    area = "{:,.2f} 公顷（{:,.1f} 亩）".format(entry.forest_ha, entry.forest_mu)
    town_village = " ".join(part for part in (entry.town, entry.village) if part)
    return [
        ("护林员", entry.ranger, "联系电话", entry.phone or "—"),
        ("乡镇、村", town_village, "网格编号", entry.zone_id),
        ("林地面积", area, "林种", entry.forest_use_text or "—"),
        ("主要树种", entry.species_text or "—", "基层监管员", entry.supervisor or "—"),
        ("责任区林长", _chief_text(entry) or "—", None, None),
        ("四至", "\n".join(entry.four_sides_lines()) or "—", None, None),
    ]


def _row_height(lines: int) -> float:
    return max(ROW_HEIGHT, lines * QgsLayoutUtils.fontHeightMM(cjk_font(TABLE_FONT)) + 2 * CELL_MARGIN_Y + 1.0)


def _table(layout: QgsPrintLayout, entry: ZoneEntry, top: float, bottom: float) -> float:
    """The zone table from ``top``; the 四至 takes at most the room left above ``bottom``. Returns its bottom."""
    font = cjk_font(TABLE_FONT)
    half_value = CONTENT_WIDTH / 2 - KEY_WIDTH
    wide_value = CONTENT_WIDTH - KEY_WIDTH
    y = top
    add_table_header(layout, "网格信息", y, ROW_HEIGHT, 10.0)
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
            cells = (key1, "\n".join(wrapped), None, None)
        else:
            first = wrap_text(value1, font, half_value - 2 * CELL_MARGIN_X - 0.5, MAX_LINES)
            second = wrap_text(value2 or "", font, half_value - 2 * CELL_MARGIN_X - 0.5, MAX_LINES)
            height = _row_height(max(len(first), len(second)))
            cells = (key1, "\n".join(first), key2, "\n".join(second))
        add_table_row(layout, y, height, cells, KEY_WIDTH, TABLE_FONT)
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

    layout = a4_layout(project, f"{TITLE} {entry.zone_id}")
    items: dict[str, Any] = {}
    town_village = " ".join(part for part in (entry.town, entry.village) if part)
    subtitle = "护林员：{}　　{}　　网格编号：{}".format(entry.ranger, town_village, entry.zone_id)
    items["title"], items["subtitle"] = add_heading(layout, TITLE, subtitle, 8.0)
    order = [layers["zone"], layers["village"], layers["villages"], layers["neighbours"], layers["mask"], stands]
    items["map"] = _map_item(layout, order, data.crs, extent)
    items["north_arrow"] = add_map_north_arrow(layout, items["map"], MAP_RECT, 215)
    items["scalebar"] = _scale_bar(layout, items["map"], items["map"].extent())
    items["map"].addLabelBlockingItem(items["north_arrow"])  # no label under the arrow or the scale bar
    items["map"].addLabelBlockingItem(items["scalebar"])
    items["legend"] = _legend(layout, items["map"], [layers["zone"], layers["neighbours"], layers["village"],
                                                     layers["villages"], stands])
    signature_y = FOOTER_Y - 10.0
    _table(layout, entry, TABLE_Y, signature_y - 2.0)
    add_label(layout, "护林员（签字）：____________　　责任区林长（签字）：____________　　日期：______年____月____日",
              (MARGIN, signature_y, CONTENT_WIDTH, 7.0), size=9.5)
    add_footer(layout, (generated or dt.date.today()).isoformat(), entry.zone_id, FOOTER_Y, 7.5)
    return RangerPage(layout, items, items["map"].extent(), layers)


# --- exporting --------------------------------------------------------------------------------------------

def map_file_name(entry: ZoneEntry) -> str:
    """管护责任图_<zone_id>_<ranger>.pdf, with characters a file name cannot hold replaced."""
    stem = "_".join(part for part in ("管护责任图", entry.zone_id, entry.ranger) if part)
    return safe_file_stem(stem) + ".pdf"


def _private_project(data: MapData, project: Optional[QgsProject]) -> tuple[QgsProject, QgsVectorLayer]:
    private = private_project(data.crs, project)
    stands = stands_layer(data)
    private.addMapLayer(stands, False)
    return private, stands


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
        for entry in until_canceled(entries, feedback):
            name = unique_name(map_file_name(entry), used)
            page = build_ranger_page(entry, data, private, stands, generated)
            path = os.path.join(out_folder, name)
            export_pdf(page.layout, path)
            written.append(path)
            private.removeMapLayers([layer.id() for layer in page.layers.values()])
    finally:
        private.clear()
    return written


def export_ranger_image(entry: ZoneEntry, data: MapData, path: str, dpi: int = 100,
                        project: Optional[QgsProject] = None) -> None:
    """The page of one zone as an image (PNG) at ``dpi``: for checking and for documentation."""
    private, stands = _private_project(data, project)
    try:
        page = build_ranger_page(entry, data, private, stands)
        render_page_png(page.layout, 0, path, dpi)
    finally:
        private.clear()
