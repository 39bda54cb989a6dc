"""The evidence sheet (图斑核查取证表): one A4 portrait page per change spot, printed through a QGIS layout.

The page holds the title and the spot number, the before and after image chips side by side (each a map
of one raster and the spot's outline, both at the same extent: the spot's bounding box grown to a square
with a margin, at least 300 m), their dates, a scale bar and a north arrow, a table of the spot (location,
area, causes, status, determination, responsible chief, patrol link, round), a box for the field
verification with signature lines, and the generation date.

Everything is drawn in a private QgsProject: the user's project is not touched. Without imagery the
chips show the spot only, and the page says so.
"""
from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from qgis.core import (
    QgsContrastEnhancement,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsLayoutItemMap,
    QgsLayoutPoint,
    QgsLayoutUtils,
    QgsMultiBandColorRenderer,
    QgsPointXY,
    QgsPrintLayout,
    QgsProject,
    QgsRasterLayer,
    QgsRasterMinMaxOrigin,
    QgsRectangle,
    QgsSingleSymbolRenderer,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QByteArray, Qt

from ..core.inspection import ledger as values
from .layout_items import (
    CELL_MARGIN_X,
    CELL_MARGIN_Y,
    CONTENT_WIDTH,
    MARGIN,
    MM,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    a4_layout,
    add_box,
    add_features,
    add_footer,
    add_heading,
    add_label,
    add_map,
    add_north_arrow,
    add_table_header,
    add_table_row,
    cjk_font,
    export_pdf,
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
    wrap_text,
)

CHIP_SIZE = 90.0  # mm, square
CHIP_TOP = 31.0
CHIP_GAP = CONTENT_WIDTH - 2 * CHIP_SIZE
# (x, y, width, height) of the two chips on the page, in mm
BEFORE_CHIP = (MARGIN, CHIP_TOP, CHIP_SIZE, CHIP_SIZE)
AFTER_CHIP = (MARGIN + CHIP_SIZE + CHIP_GAP, CHIP_TOP, CHIP_SIZE, CHIP_SIZE)
MIN_CHIP_M = 300.0  # the smallest side of a chip on the ground
CHIP_MARGIN = 0.35  # around the spot: this share of its larger side on each side (at least 40 m)
MIN_MARGIN_M = 40.0
SPOT_OUTLINE = "#ffff00"
SPOT_HALO = "#202020"
TITLE = "森林督查图斑核查取证表"
UNLINKED = "未关联"
NO_IMAGE = "无影像"
TABLE_FONT = 9.0  # pt
KEY_WIDTH = 25.0  # mm, the label cells of the table
ROW_HEIGHT = 6.5  # mm, a one-line row
HEADER_HEIGHT = 6.5
MAX_LINES = 3  # a value cell wraps to at most this many lines; the notes take what room is left
MIN_OPINION, MAX_OPINION = 12.0, 24.0  # mm, the box for the field verification opinion
PAGE_BOTTOM = PAGE_HEIGHT - 15.0  # above the footer


@dataclass(frozen=True)
class ChipPlacement:
    """Where the chips of an exported page are: their common extent in ``map_crs`` and their rectangles on
    the page (mm)."""

    extent: QgsRectangle
    map_crs: QgsCoordinateReferenceSystem
    before_rect: tuple = BEFORE_CHIP
    after_rect: tuple = AFTER_CHIP


@dataclass
class EvidencePage:
    """A built page: the layout, its two chips and their common extent."""

    layout: QgsPrintLayout
    before_map: QgsLayoutItemMap
    after_map: QgsLayoutItemMap
    extent: QgsRectangle  # of both chips, in ``map_crs``
    map_crs: QgsCoordinateReferenceSystem


# --- geometry ------------------------------------------------------------------------------------

def spot_geometry(spot: Mapping[str, Any]) -> QgsGeometry:
    """The spot's 'geometry' as a QgsGeometry (given as one, as WKB in bytes or a QByteArray, as WKT or as a
    shapely geometry); empty when missing."""
    geometry = spot.get("geometry")
    if isinstance(geometry, QgsGeometry):
        return QgsGeometry(geometry)
    result = QgsGeometry()
    if isinstance(geometry, (bytes, bytearray, memoryview, QByteArray)):
        result.fromWkb(bytes(geometry))
    elif isinstance(geometry, str):
        result = QgsGeometry.fromWkt(geometry)
    elif geometry is not None and hasattr(geometry, "wkb"):  # a shapely geometry
        result.fromWkb(bytes(geometry.wkb))
    return result


def map_crs_for(crs: QgsCoordinateReferenceSystem, geometry: QgsGeometry) -> QgsCoordinateReferenceSystem:
    """The CRS the chips are drawn in: ``crs`` when it is projected, else the UTM zone of the spot."""
    if crs.isValid() and not crs.isGeographic():
        return crs
    centre = geometry.centroid().asPoint() if not geometry.isEmpty() else QgsPointXY(0, 0)
    if crs.isValid() and crs.isGeographic() and crs.authid() != "EPSG:4326":
        to_wgs84 = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
        centre = to_wgs84.transform(centre)
    zone = min(max(int(math.floor((centre.x() + 180.0) / 6.0)) + 1, 1), 60)
    return QgsCoordinateReferenceSystem(f"EPSG:{32600 + zone if centre.y() >= 0 else 32700 + zone}")


def chip_extent(bbox: QgsRectangle) -> QgsRectangle:
    """A square around ``bbox`` (in metres): its larger side plus a margin on each side, at least 300 m."""
    larger = max(bbox.width(), bbox.height())
    side = max(larger + 2 * max(CHIP_MARGIN * larger, MIN_MARGIN_M), MIN_CHIP_M)
    centre = bbox.center()
    return QgsRectangle(centre.x() - side / 2, centre.y() - side / 2, centre.x() + side / 2, centre.y() + side / 2)


def covers(layer, spot: Mapping[str, Any], crs: QgsCoordinateReferenceSystem) -> bool:
    """Whether the extent of ``layer`` (a raster in any CRS) holds the whole spot."""
    geometry = spot_geometry(spot)
    if geometry.isEmpty():
        return True
    if layer.crs().isValid() and crs.isValid() and layer.crs() != crs:
        geometry.transform(QgsCoordinateTransform(crs, layer.crs(), QgsProject.instance()))
    return layer.extent().contains(geometry.boundingBox())


def _lon_lat(geometry: QgsGeometry, crs: QgsCoordinateReferenceSystem) -> str:
    if geometry.isEmpty() or not crs.isValid():
        return ""
    point = geometry.pointOnSurface().asPoint()
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    if crs != wgs84:
        point = QgsCoordinateTransform(crs, wgs84, QgsProject.instance()).transform(point)
    return "{:.5f}°{}，{:.5f}°{}".format(abs(point.x()), "E" if point.x() >= 0 else "W",
                                        abs(point.y()), "N" if point.y() >= 0 else "S")


# --- layers ----------------------------------------------------------------------------------------

def style_imagery(layer: QgsRasterLayer) -> None:
    """A default look for an image loaded from a file: two bands (red, near-infrared as the detection
    reads them) in near-infrared false colour (forest red, bare ground grey), other images as QGIS draws
    them; stretched to the 2-98 % cumulative cut."""
    if layer.bandCount() == 2:
        layer.setRenderer(QgsMultiBandColorRenderer(layer.dataProvider(), 2, 1, 1))
    layer.setContrastEnhancement(QgsContrastEnhancement.ContrastEnhancementAlgorithm.StretchToMinimumMaximum,
                                 QgsRasterMinMaxOrigin.Limits.CumulativeCut)


def _outline_layer(geometry: QgsGeometry, crs: QgsCoordinateReferenceSystem) -> QgsVectorLayer:
    """The spot as a memory layer: a yellow outline over a dark halo, no fill (visible on any image)."""
    layer = memory_layer("MultiPolygon", crs, "图斑范围", [])
    add_features(layer, [([], geometry)])
    layer.setRenderer(QgsSingleSymbolRenderer(outline_over_halo(SPOT_OUTLINE, 0.55, SPOT_HALO, 1.1)))
    return layer


# --- the page ----------------------------------------------------------------------------------------

def _chip(layout: QgsPrintLayout, rect: tuple, layers: list, crs: QgsCoordinateReferenceSystem,
          extent: QgsRectangle, blank: bool) -> QgsLayoutItemMap:
    chip = add_map(layout, rect, crs, layers, "#eeeeee" if blank else "#ffffff")
    chip.setExtent(extent)
    return chip


def _date_text(value) -> str:
    day = values.as_date(value)
    return day.isoformat() if day else "日期不详"


def table_rows(spot: Mapping[str, Any], lon_lat: str = "") -> list[tuple[str, str, str, str]]:
    """The (label, value, label, value) rows of the spot table; a row with empty third and fourth items
    spans the page."""
    mu, ha = values.area_mu(spot), values.area_ha(spot)
    area = "" if mu is None else "{:.2f} 亩（{:.4f} 公顷）".format(mu, ha if ha is not None else mu / 15.0)
    t = values.text
    location = " / ".join(part for part in (t(spot.get("lin_ban")), t(spot.get("xiao_ban"))) if part)
    return [
        ("县(区)", t(spot.get("county")), "乡镇(街道)", t(spot.get("town"))),
        ("村", t(spot.get("village")), "林班/小班", location),
        ("面积", area, "置信度", values.coded_text("confidence", spot.get("confidence"))),
        ("疑似变化原因", values.cause_text("suspected_cause", spot.get("suspected_cause")),
         "核实变化原因", values.cause_text("verified_cause", spot.get("verified_cause"))),
        ("核查状态", values.coded_text("spot_status", spot.get("status")),
         "认定结果", values.coded_text("determination", spot.get("determination"))),
        ("伪变化原因", t(spot.get("false_reason")), "批准文号", t(spot.get("permit_no"))),
        ("责任林长", t(spot.get("chief_name")), "责任区编码", t(spot.get("area_code"))),
        ("巡林未发现", values.patrol_text(spot.get("patrol_missed"), UNLINKED), "核查轮次", t(spot.get("round_id"))),
        ("核查人", t(spot.get("inspector")), "核查日期",
         values.as_date(spot.get("verify_date")).isoformat() if values.as_date(spot.get("verify_date")) else ""),
        ("中心经纬度", lon_lat, "重复图斑", t(spot.get("repeat_of"))),
        ("数据源", t(spot.get("data_source")), "", ""),
        ("备注", t(spot.get("notes")), "", ""),
    ]


def _row_height(lines: int) -> float:
    return max(ROW_HEIGHT, lines * QgsLayoutUtils.fontHeightMM(cjk_font(TABLE_FONT)) + 2 * CELL_MARGIN_Y + 0.5)


def _layout_table(rows: list[tuple[str, str, str, str]], room: float) -> list[tuple[tuple, float]]:
    """The rows with their values wrapped to their cells and each row's height; a row without a second
    label spans the page (its second label is None). The last spanning row (the notes) takes the room
    that is left, so that the page stays one page."""
    font = cjk_font(TABLE_FONT)
    half = CONTENT_WIDTH / 2 - KEY_WIDTH - 2 * CELL_MARGIN_X - 0.5
    wide = CONTENT_WIDTH - KEY_WIDTH - 2 * CELL_MARGIN_X - 0.5
    laid = []
    for key1, value1, key2, value2 in rows[:-1]:
        if not key2 and not value2:
            first = wrap_text(value1, font, wide, MAX_LINES)
            laid.append(((key1, "\n".join(first), None, None), _row_height(len(first))))
        else:
            first, second = wrap_text(value1, font, half, MAX_LINES), wrap_text(value2, font, half, MAX_LINES)
            laid.append(((key1, "\n".join(first), key2, "\n".join(second)),
                         _row_height(max(len(first), len(second)))))
    key, value, _key2, _value2 = rows[-1]
    left = room - sum(height for _row, height in laid)
    line_height = QgsLayoutUtils.fontHeightMM(font)
    max_lines = max(1, int((left - 2 * CELL_MARGIN_Y - 0.5) // line_height))
    lines = wrap_text(value, font, wide, max_lines)
    laid.append(((key, "\n".join(lines), None, None), max(_row_height(len(lines)), _row_height(2))))
    return laid


def build_evidence_page(spot: Mapping[str, Any], crs: QgsCoordinateReferenceSystem,
                        before_layer: Optional[QgsRasterLayer], after_layer: Optional[QgsRasterLayer],
                        project: QgsProject, generated: Optional[dt.date] = None) -> EvidencePage:
    """The layout of one spot's evidence sheet, in ``project`` (a private one: layers are added to it)."""
    geometry = spot_geometry(spot)
    map_crs = map_crs_for(crs, geometry)
    outline = _outline_layer(geometry, crs)
    project.addMapLayer(outline, False)
    bbox = geometry.boundingBox()
    if map_crs != crs and not geometry.isEmpty():
        projected = QgsGeometry(geometry)
        projected.transform(QgsCoordinateTransform(crs, map_crs, project))
        bbox = projected.boundingBox()
    extent = chip_extent(bbox)

    spot_no = values.text(spot.get("spot_no")) or "（无编号）"
    layout = a4_layout(project, f"{TITLE} {spot_no}")
    status = values.coded_text("spot_status", spot.get("status"))
    subtitle = "监测编号：{}　　核查轮次：{}　　核查状态：{}".format(
        spot_no, values.text(spot.get("round_id")) or "—", status or "—")
    add_heading(layout, TITLE, subtitle, 9.0)

    chips = []
    for rect, raster, name, date_field in ((BEFORE_CHIP, before_layer, "前时相", "before_date"),
                                           (AFTER_CHIP, after_layer, "后时相", "after_date")):
        layers = [outline] + ([raster] if raster is not None else [])
        chips.append(_chip(layout, rect, layers, map_crs, extent, raster is None))
        caption = "{} {}".format(name, _date_text(spot.get(date_field)))
        if raster is None:
            caption += "（{}）".format(NO_IMAGE)
        x, y, width, height = rect
        add_label(layout, caption, (x, y + height + 1, width, 6.5), size=10.5, bold=True,
                  align=Qt.AlignmentFlag.AlignHCenter)
    before_map, after_map = chips

    row_y = CHIP_TOP + CHIP_SIZE + 9
    _scale_bar(layout, before_map, extent, row_y)
    add_north_arrow(layout, (PAGE_WIDTH - MARGIN - 9, row_y - 1, 9, 11))
    add_label(layout, _chip_note(before_layer, after_layer), (MARGIN + 52, row_y - 0.5, CONTENT_WIDTH - 52 - 12, 9),
              size=8.5, colour="#404040", align=Qt.AlignmentFlag.AlignHCenter)

    table_top = row_y + 12
    add_table_header(layout, "图斑信息", table_top, HEADER_HEIGHT, 10.5)
    rows = table_rows(spot, _lon_lat(geometry, crs))
    # below the table: a gap, the opinion header, its box (at least MIN_OPINION high) and the signatures
    below = 4 + HEADER_HEIGHT + MIN_OPINION + 3 + 7
    room = PAGE_BOTTOM - below - (table_top + HEADER_HEIGHT)
    y = table_top + HEADER_HEIGHT
    for cells, height in _layout_table(rows, room):
        add_table_row(layout, y, height, cells, KEY_WIDTH, TABLE_FONT)
        y += height

    opinion_top = y + 4
    add_table_header(layout, "现场核实意见", opinion_top, HEADER_HEIGHT, 10.5)
    box_height = min(MAX_OPINION, PAGE_BOTTOM - 10 - (opinion_top + HEADER_HEIGHT))
    add_box(layout, (MARGIN, opinion_top + HEADER_HEIGHT, CONTENT_WIDTH, box_height))
    signature_y = opinion_top + HEADER_HEIGHT + box_height + 3
    add_label(layout, "核查人（签字）：______________　　审核人（签字）：______________　　日期：______年____月____日",
              (MARGIN, signature_y, CONTENT_WIDTH, 7), size=9.5)
    add_footer(layout, (generated or dt.date.today()).isoformat(), spot_no, PAGE_HEIGHT - 12, 8)
    return EvidencePage(layout, before_map, after_map, extent, map_crs)


def _scale_bar(layout: QgsPrintLayout, chip: QgsLayoutItemMap, extent: QgsRectangle, top: float) -> None:
    """Two segments in 米 of a fifth of the chip's side (rounded down, at least 1 m), at the left below the chips."""
    step = round_step(max(extent.width() / 5.0, 1.0))
    bar = new_scale_bar(layout, chip, QgsUnitTypes.DistanceUnit.DistanceMeters, "米", step, text_format(8), 2.5)
    layout.addLayoutItem(bar)
    bar.attemptMove(QgsLayoutPoint(MARGIN, top, MM))
    bar.update()


def _chip_note(before_layer: Optional[QgsRasterLayer], after_layer: Optional[QgsRasterLayer]) -> str:
    if before_layer is None and after_layer is None:
        return "黄色线框为图斑范围。未提供前、后时相影像，图中仅显示图斑范围。"
    if before_layer is None or after_layer is None:
        return "黄色线框为图斑范围。未提供{}影像，该图中仅显示图斑范围。".format("前时相" if before_layer is None else "后时相")
    return "黄色线框为图斑范围；两图范围、比例尺相同。"


# --- exporting ----------------------------------------------------------------------------------------

def sheet_file_name(spot_no: str) -> str:
    """<spot_no>.pdf, with characters a file name cannot hold replaced."""
    return "{}.pdf".format(safe_file_stem(spot_no.strip()) or "spot")


def _private_project(crs: QgsCoordinateReferenceSystem, before_layer, after_layer, project: Optional[QgsProject]):
    """A private project holding copies of the imagery (the user's project is left as it is)."""
    private = private_project(crs, project)
    copies = []
    for layer in (before_layer, after_layer):
        if layer is None:
            copies.append(None)
            continue
        copy = layer.clone()
        private.addMapLayer(copy, False)
        copies.append(copy)
    return private, copies[0], copies[1]


def export_evidence_sheets(spots: Sequence[Mapping[str, Any]], crs: QgsCoordinateReferenceSystem,
                           before_layer: Optional[QgsRasterLayer], after_layer: Optional[QgsRasterLayer],
                           out_folder: str, project: Optional[QgsProject] = None, feedback=None) -> list[str]:
    """One A4 portrait PDF per spot, <spot_no>.pdf in ``out_folder``; returns their paths.

    ``spots``: dicts with the fields of the change spots layer and 'geometry' (QgsGeometry or WKB) in
    ``crs``. The rasters (any CRS) are drawn with their own renderers. ``project`` only lends its
    transform context: layers are added to a private project. Stops between spots when ``feedback`` is
    canceled (the PDFs written so far are kept and returned).
    """
    os.makedirs(out_folder, exist_ok=True)
    private, before, after = _private_project(crs, before_layer, after_layer, project)
    written: list[str] = []
    used: set[str] = set()  # two spots with one number (or none) do not overwrite each other
    generated = dt.date.today()
    try:
        for spot in until_canceled(spots, feedback):
            path = os.path.join(out_folder, unique_name(sheet_file_name(values.text(spot.get("spot_no"))), used))
            page = build_evidence_page(spot, crs, before, after, private, generated)
            export_pdf(page.layout, path)
            written.append(path)
            private.removeMapLayers([layer.id() for layer in page.before_map.layers()
                                     if isinstance(layer, QgsVectorLayer)])
    finally:
        private.clear()
    return written


def export_evidence_image(spot: Mapping[str, Any], crs: QgsCoordinateReferenceSystem,
                          before_layer: Optional[QgsRasterLayer], after_layer: Optional[QgsRasterLayer],
                          path: str, dpi: int = 100, project: Optional[QgsProject] = None) -> ChipPlacement:
    """The same page as an image (PNG) at ``dpi``: for checking and for documentation. Returns where the
    chips are (their extent and CRS say where the spot is on the image)."""
    private, before, after = _private_project(crs, before_layer, after_layer, project)
    try:
        page = build_evidence_page(spot, crs, before, after, private)
        render_page_png(page.layout, 0, path, dpi)
        return ChipPlacement(QgsRectangle(page.extent), QgsCoordinateReferenceSystem(page.map_crs))
    finally:
        private.clear()
