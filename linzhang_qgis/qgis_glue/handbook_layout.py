"""The patrol handbook (巡林手册) as a QGIS print layout with an atlas: two A4 portrait pages per chief.

Page 1: the title (area, level, year), the chief and the area, an atlas-driven map of the chief's area
(its boundary highlighted; forest stands coloured by 林种; the areas one level below; management-grid
zones; patrol tracks of the 90 days up to the date; open change spots: all clipped to the area), a legend
with Chinese titles filtered to what the map shows, a scale bar, a north arrow, and the target-task list
(目标任务清单). Page 2: the forest-resource list (森林资源清单: by 林种 and 起源 on the left, by 优势树种 on
the right) and the key-problem list (重点问题清单: open spots, chiefs overdue, spots missed by patrol).

The atlas's coverage layer is a memory layer of the chosen chiefs' areas that carries every text of the
pages as fields (titles and the lists as HTML); the page's label items show them through expressions
(``[% "tasks_html" %]``), so the layout works as an ordinary QGIS atlas. The lists are laid out here
with fixed row heights and text measured with the font, so their height is known: a list longer than
its room shows its first rows and "…另有 M 项" — nothing is cut off silently.

Everything is built in a private QgsProject: the user's project is not touched.
"""
from __future__ import annotations

import datetime as dt
import html
import math
import os
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsCentroidFillSymbolLayer,
    QgsCoordinateReferenceSystem,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLegendStyle,
    QgsLineSymbol,
    QgsMapClippingRegion,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsPrintLayout,
    QgsProject,
    QgsRendererCategory,
    QgsRuleBasedLabeling,
    QgsRuleBasedRenderer,
    QgsScaleBarSettings,
    QgsSingleSymbolRenderer,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt, QVariant

from ..core import schema
from ..core.errors import InputDataError
from ..core.handbook import lists
from ..core.handbook.lists import Handbook, WorkspaceData
from ..core.hierarchy.tree import is_open_spot
from ..core.patrols.compliance import patrol_day
from ..core.values import normalise_code
from .layout_items import (
    CONTENT_WIDTH,
    DEFAULT_DPI,
    MARGIN,
    MM,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    SOFTWARE,
    a4_layout,
    add_features,
    add_label,
    add_legend,
    add_map,
    add_map_north_arrow,
    cjk_font,
    export_pdf,
    fill_symbol,
    memory_layer,
    new_scale_bar,
    open_workspace_layer,
    private_project,
    qgs_geometry,
    render_page_png,
    safe_file_stem,
    text_format,
    unique_name,
    until_canceled,
    with_halo,
    wrap_text,
)
from .styling import cjk_font_family

RECENT_DAYS = 90
BOOK_TITLE = "林长巡林手册"

# page 1 (mm)
TITLE_Y, SUBTITLE_Y = 9.0, 20.0
MAP_RECT = (MARGIN, 28.0, CONTENT_WIDTH, 150.0)  # x, y, width, height
BELOW_MAP_Y = MAP_RECT[1] + MAP_RECT[3] + 2.0
LEGEND_RECT = (MARGIN + 50.0, BELOW_MAP_Y, CONTENT_WIDTH - 50.0, 28.0)
TASKS_Y = BELOW_MAP_Y + LEGEND_RECT[3] + 3.0
FOOTER_Y = PAGE_HEIGHT - 11.0
PAGE_BOTTOM = FOOTER_Y - 1.5
# page 2 (mm, from the page's top)
CONTINUED_Y = 9.0
RESOURCES_Y = 19.0
RESOURCE_GAP = 6.0  # between the left and the right column
MAX_RESOURCES_HEIGHT = 100.0
SEGMENT_MM, MAX_SEGMENT_MM = 16.0, 20.0  # a scale bar segment: about this long, at most that (the legend)
PROBLEMS_GAP = 4.0

# the lists' HTML: sizes in HTML pixels (converted with html_px_mm: 0.24 mm at the layout's 300 dpi)
FONT_PX = 13
LINE_PX = 17  # one line of a table cell
CAPTION_PX = 24  # a list's caption line
SUBCAPTION_PX = 21
CELL_PAD_PX = 4  # left and right
MM_PER_POINT = 25.4 / 72.0
WIDTH_SAFETY = 0.94  # measured text may be this share of the cell at most (WebKit's metrics differ a little)
HEADER_FILL = "#ddebf7"
RED_CELL = "color:#c00000;font-weight:bold"
TOTAL_FILL = "#f2f2f2"

# map styles
USE_COLOURS = {"protection": "#1a9850", "special": "#8073ac", "timber": "#a6d96a", "economic": "#fdae61",
               "energy": "#d8b365"}
UNFILLED_USE, NON_FOREST = "unfilled", "nonforest"
LAYER_TITLES = {
    "boundary": "本责任区边界",
    "children": "下级责任区",
    "stands": "森林资源小班（按林种）",
    "zones": "管护网格",
    "tracks": "近{}天巡林轨迹".format(RECENT_DAYS),
    "spots": "未销号变化图斑",
}
CURRENT_CHILDREN = "\"parent_code\" = attribute(@atlas_feature, 'code')"
COVERAGE_FIELDS = ("code", "name", "level", "chief_name", "file_stem", "title", "subtitle", "tasks_html",
                   "use_html", "species_html", "problems_html", "footer")


@dataclass
class HandbookLayout:
    """A built layout, its private project and the items the tests and the exporter look at."""

    project: QgsProject
    layout: QgsPrintLayout
    coverage: QgsVectorLayer
    handbooks: list[Handbook]
    items: dict[str, Any] = field(default_factory=dict)
    layers: dict[str, QgsVectorLayer] = field(default_factory=dict)

    @property
    def atlas(self):
        return self.layout.atlas()

    def close(self) -> None:
        self.project.clear()


# --- reading the workspace -------------------------------------------------------------------------

def read_layer(path: str, layer_def: schema.LayerDef, names: Sequence[str], crs: QgsCoordinateReferenceSystem,
               optional: Sequence[str] = (), feedback=None):
    """A workspace layer's ``names`` (and those of ``optional`` it has) and geometry as a frame in ``crs``;
    InputDataError when the layer or a field is missing."""
    from . import frames

    layer = open_workspace_layer(path, layer_def)
    present = set(layer.fields().names())
    wanted = list(names) + [name for name in optional if name in present]
    return frames.source_to_frame(layer, wanted, crs, feedback, "{} {}".format(layer_def.name, layer_def.title_zh))


def workspace_crs(path: str) -> QgsCoordinateReferenceSystem:
    """The CRS of the workspace's responsibility areas (after checking that ``path`` is a workspace)."""
    from ..core.workspace import read_workspace_info

    read_workspace_info(path)  # WorkspaceError when it is not a one-map workspace
    return open_workspace_layer(path, schema.RESP_AREAS).crs()


def read_rules(path: str, crs: QgsCoordinateReferenceSystem) -> tuple:
    """The workspace's patrol rules; the seed's when its table is empty."""
    from ..core.patrols.rules import default_rules, rules_from_rows

    rows = read_layer(path, schema.PATROL_RULES, lists.RULE_FIELDS, crs)
    return rules_from_rows(rows[list(lists.RULE_FIELDS)].to_dict("records")) or default_rules()


def read_workspace(path: str, feedback=None) -> tuple[WorkspaceData, QgsCoordinateReferenceSystem]:
    """The workspace's layers as the frames the handbook needs, in the CRS of its responsibility areas."""
    crs = workspace_crs(path)

    def read(layer_def: schema.LayerDef, names: Sequence[str], optional: Sequence[str] = ()):
        return read_layer(path, layer_def, names, crs, optional, feedback)

    data = WorkspaceData(
        areas=read(schema.RESP_AREAS, lists.AREA_FIELDS),
        stands=read(schema.FOREST_STANDS, lists.STAND_FIELDS),
        tracks=read(schema.PATROL_TRACKS, lists.TRACK_FIELDS[:4], lists.TRACK_FIELDS[4:]),
        spots=read(schema.CHANGE_SPOTS, lists.SPOT_FIELDS, ("area_m2",)),
        rangers=read(schema.RANGERS, lists.RANGER_FIELDS),
        zones=read(schema.GRID_ZONES, lists.ZONE_FIELDS[:2], lists.ZONE_FIELDS[2:]),
        rules=read_rules(path, crs))
    return data, crs


# --- text measured for the lists -------------------------------------------------------------------

def html_px_mm(layout: Optional[QgsPrintLayout] = None) -> float:
    """Millimetres per HTML pixel in a QGIS 3 label: WebKit lays pages out at 72 pixels per inch of the
    layout's rendering resolution (0.24 mm at its default 300 dpi)."""
    dpi = layout.renderContext().dpi() if layout is not None else DEFAULT_DPI
    return 72.0 / (dpi or DEFAULT_DPI)


class Measure:
    """Wraps and measures list texts in the lists' font (``FONT_PX`` HTML pixels)."""

    def __init__(self, px_mm: float):
        self.px_mm = px_mm
        self.font = cjk_font(FONT_PX * px_mm / MM_PER_POINT)

    def lines(self, text: str, width_px: float, max_lines: int = 1) -> list[str]:
        """``text`` broken to fit ``width_px`` (minus the cell padding), at most ``max_lines`` lines, the
        last ending in "…" when cut."""
        room_mm = (width_px - 2 * CELL_PAD_PX) * self.px_mm * WIDTH_SAFETY
        return wrap_text(text, self.font, room_mm, max_lines) or [""]


@dataclass(frozen=True)
class Column:
    header: str
    width_px: int
    align: str = "left"
    max_lines: int = 1


@dataclass
class Block:
    """A piece of a list's HTML and its height in HTML pixels."""

    html: str
    height_px: int


GAP = Block('<div style="height:6px"></div>', 6)


def _esc(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def _cell(lines: Sequence[str], column: Column, height: int, tag: str = "td", extra: str = "") -> str:
    style = "width:{}px;height:{}px;text-align:{};{}".format(column.width_px - 2 * CELL_PAD_PX - 1, height,
                                                               column.align, extra)
    return '<{0} style="{1}">{2}</{0}>'.format(tag, style, "<br>".join(_esc(line) for line in lines))


def header_lines(columns: Sequence[Column], measure: Measure) -> list[list[str]]:
    return [measure.lines(column.header, column.width_px, 2) for column in columns]


def table_overhead(columns: Sequence[Column], measure: Measure) -> int:
    """The height of an empty table: its top border, the header row and the border below it."""
    return 1 + max(len(lines) for lines in header_lines(columns, measure)) * LINE_PX + 1


def table_block(columns: Sequence[Column], rows: Sequence[Sequence[Any]], measure: Measure,
                capacity_px: Optional[int] = None, total_row: Optional[Sequence[Any]] = None,
                flagged: Sequence[bool] = (), flag_column: int = -1) -> tuple[Block, int]:
    """A table (header, rows, optional total row) no higher than ``capacity_px``: rows that do not fit are
    replaced by one "…另有 M 项" row. Cells of ``flag_column`` in ``flagged`` rows are red. Returns the block
    and the number of data rows shown."""
    heads = header_lines(columns, measure)
    header_height = max(len(lines) for lines in heads) * LINE_PX
    parts = ["<tr>" + "".join(_cell(lines, column, header_height, "th", f"background:{HEADER_FILL}")
                              for lines, column in zip(heads, columns)) + "</tr>"]
    used = table_overhead(columns, measure)
    laid = []
    for row in rows:
        cells = [measure.lines("" if value is None else str(value), column.width_px, column.max_lines)
                 for value, column in zip(row, columns)]
        laid.append((cells, max(len(lines) for lines in cells) * LINE_PX))
    total_height = LINE_PX + 1 if total_row is not None else 0
    limit = capacity_px if capacity_px is not None else 10 ** 9
    shown = len(laid)
    if used + sum(height + 1 for _cells, height in laid) + total_height > limit:
        shown, room = 0, limit - used - total_height - (LINE_PX + 1)
        for _cells, height in laid:
            if room < height + 1:
                break
            room -= height + 1
            shown += 1
    flag_index = flag_column % len(columns)
    for index, (cells, height) in enumerate(laid[:shown]):
        red = index < len(flagged) and flagged[index]
        parts.append("<tr>" + "".join(
            _cell(lines, column, height, extra=RED_CELL if red and i == flag_index else "")
            for i, (lines, column) in enumerate(zip(cells, columns))) + "</tr>")
        used += height + 1
    if shown < len(laid):
        parts.append('<tr><td colspan="{}" style="height:{}px;color:#595959">{}</td></tr>'.format(
            len(columns), LINE_PX, _esc("…另有 {} 项".format(len(laid) - shown))))
        used += LINE_PX + 1
    if total_row is not None:
        cells = [measure.lines("" if value is None else str(value), column.width_px, 1)
                 for value, column in zip(total_row, columns)]
        parts.append("<tr>" + "".join(_cell(lines, column, LINE_PX, extra=f"background:{TOTAL_FILL};font-weight:bold")
                                      for lines, column in zip(cells, columns)) + "</tr>")
        used += total_height
    return Block('<table class="t">' + "".join(parts) + "</table>", used), shown


def caption_block(text: str, size_px: int = CAPTION_PX, font_px: int = 15) -> Block:
    return Block('<div style="height:{0}px;line-height:{0}px;font-size:{1}px;font-weight:bold;white-space:nowrap">'
                 '{2}</div>'.format(size_px, font_px, _esc(text)), size_px)


def _subcaption(text: str) -> Block:
    return caption_block(text, SUBCAPTION_PX, 13)


def note_block(text: str) -> Block:
    return Block('<div style="height:{0}px;line-height:{0}px;color:#404040">{1}</div>'.format(LINE_PX, _esc(text)),
                 LINE_PX)


def page_html(blocks: Sequence[Block]) -> str:
    """A whole label: the style sheet and the blocks one below the other."""
    style = ("body{{margin:0;padding:0;font-family:'{font}';font-size:{size}px;color:#000}}"
             "table.t{{border-collapse:collapse;table-layout:fixed;margin:0}}"
             "table.t th,table.t td{{border:1px solid #8c8c8c;padding:0 {pad}px;line-height:{line}px;"
             "white-space:nowrap;overflow:hidden;vertical-align:top;font-size:{size}px}}"
             "table.t th{{font-weight:bold;text-align:center}}").format(
        font=cjk_font_family(), size=FONT_PX, pad=CELL_PAD_PX, line=LINE_PX)
    return "<html><head><meta charset=\"utf-8\"><style>{}</style></head><body>{}</body></html>".format(
        style, "".join(block.html for block in blocks))


def blocks_height(blocks: Sequence[Block]) -> int:
    return sum(block.height_px for block in blocks)


# --- the three lists as HTML -----------------------------------------------------------------------

def _fmt(value: Optional[float], digits: int = 1) -> str:
    return "" if value is None else "{:,.{}f}".format(value, digits)


def tasks_blocks(book: Handbook, measure: Measure, width_px: int, capacity_px: int) -> list[Block]:
    caption = caption_block("一、目标任务清单（{}年度，截至 {}）".format(book.year, book.as_of.isoformat()))
    fixed = [40, 120, 0, 0, 58]
    rest = width_px - sum(fixed)
    columns = [Column("序号", 40, "center"), Column("任务", 120), Column("目标", rest // 2, max_lines=3),
               Column("完成情况", rest - rest // 2, max_lines=3), Column("状态", 58, "center")]
    rows = [(number, task.task, task.target, task.progress, task.state_zh)
            for number, task in enumerate(book.tasks, start=1)]
    table, _shown = table_block(columns, rows, measure, capacity_px - caption.height_px,
                                flagged=[task.met is False for task in book.tasks])
    return [caption, table]


def _resource_rows(rows: Sequence[lists.ResourceRow]) -> list[tuple]:
    return [(row.label, "{:,}".format(row.stands), _fmt(row.ha), _fmt(row.mu, 0), "{:.1f}%".format(100 * row.share))
            for row in rows]


def _resource_columns(width_px: int, label: str) -> list[Column]:
    numbers = [("小班数", 0.16), ("面积(公顷)", 0.22), ("面积(亩)", 0.22), ("占比", 0.15)]
    widths = [int(width_px * share) for _header, share in numbers]
    first = width_px - sum(widths)
    return [Column(label, first)] + [Column(header, w, "right") for (header, _share), w in zip(numbers, widths)]


def _total(summary: lists.ResourceSummary) -> tuple:
    share = "100.0%" if summary.ha > 0 else ""
    return ("合计", "{:,}".format(summary.stands), _fmt(summary.ha), _fmt(summary.mu, 0), share)


def resource_blocks(book: Handbook, measure: Measure, width_px: int, capacity_px: int) -> tuple[list[Block], list[Block]]:
    """(left: by 林种 then by 起源, right: by 优势树种), each within ``capacity_px``."""
    summary = book.resources
    if not summary.stands:
        note = note_block("责任区域内没有林地小班。")
        return [_subcaption("（一）按林种"), note], [_subcaption("（三）按优势树种")]
    left: list[Block] = []
    room = capacity_px
    for caption_text, rows, label in (("（一）按林种", summary.by_use, "林种"),
                                      ("（二）按起源", summary.by_origin, "起源")):
        caption = _subcaption(caption_text)
        table, _shown = table_block(_resource_columns(width_px, label), _resource_rows(rows), measure,
                                    room - caption.height_px, total_row=_total(summary))
        left += [caption, table]
        room -= caption.height_px + table.height_px + 6
        left.append(GAP)
    caption = _subcaption("（三）按优势树种")
    table, _shown = table_block(_resource_columns(width_px, "优势树种"), _resource_rows(summary.by_species),
                                measure, capacity_px - caption.height_px, total_row=_total(summary))
    return left[:-1], [caption, table]


def problem_sections(book: Handbook) -> list[tuple[str, list[Column], list[tuple]]]:
    """(caption, columns with widths as shares of 1000, rows) of the three key-problem lists."""
    problems = book.problems
    spots = [(n, spot.spot_no, spot.town, spot.village, _fmt(spot.mu, 2), spot.status_zh, spot.chief_name)
             for n, spot in enumerate(problems.open_spots, start=1)]
    overdue = [(n, chief.level_zh, chief.place, chief.chief_name,
                chief.last_patrol.isoformat() if chief.last_patrol else "本年度未巡林", chief.days_overdue)
               for n, chief in enumerate(problems.overdue, start=1)]
    missed = [(n, spot.spot_no, spot.town, spot.village, _fmt(spot.mu, 2), spot.status_zh, spot.chief_name)
              for n, spot in enumerate(problems.missed, start=1)]
    spot_columns = [Column("序号", 60, "center"), Column("监测编号", 250), Column("乡镇(街道)", 140),
                    Column("村", 130), Column("面积(亩)", 110, "right"), Column("核查状态", 140),
                    Column("责任林长", 170)]
    chief_columns = [Column("序号", 60, "center"), Column("林长级别", 120), Column("责任区域", 300),
                     Column("林长", 150), Column("最近巡林", 200), Column("超期天数", 170, "right")]
    return [
        ("（一）未销号变化图斑 {} 个，共 {} 亩".format(len(spots), _fmt(problems.open_mu, 2)), spot_columns, spots),
        ("（二）巡林超期的林长 {} 名（本年度巡林规则，截至 {}）".format(len(overdue), book.as_of.isoformat()),
         chief_columns, overdue),
        ("（三）巡林未发现的变化图斑 {} 个".format(len(missed)), spot_columns, missed),
    ]


def _scaled(columns: Sequence[Column], width_px: int) -> list[Column]:
    total = sum(column.width_px for column in columns)
    widths = [int(column.width_px * width_px / total) for column in columns]
    widths[-1] += width_px - sum(widths)
    return [Column(column.header, w, column.align, column.max_lines) for column, w in zip(columns, widths)]


def share_rows(needs: Sequence[int], capacity: int) -> list[int]:
    """Rows for each section when together they may have ``capacity``: all when they fit, else the room is
    shared, a small section keeping all its rows and the rest split evenly (water filling); a section with
    rows gets at least one (its "…另有 M 项")."""
    if sum(needs) <= capacity:
        return list(needs)
    given = [min(need, 1) for need in needs]
    left = capacity - sum(given)
    open_sections = sorted((i for i in range(len(needs)) if needs[i] > 1), key=lambda i: needs[i])
    while open_sections and left > 0:
        fair = left // len(open_sections)
        index = open_sections.pop(0)
        extra = min(needs[index] - given[index], max(fair, 0))
        given[index] += extra
        left -= extra
    return given


def problem_blocks(book: Handbook, measure: Measure, width_px: int, capacity_px: int) -> list[Block]:
    """The key-problem list within ``capacity_px``: the room left after the captions and table headers is
    shared between the three tables by rows (one line each)."""
    blocks = [caption_block("三、重点问题清单")]
    sections = [(caption, _scaled(columns, width_px), rows) for caption, columns, rows in problem_sections(book)]
    fixed = blocks_height(blocks)
    for _caption, columns, rows in sections:
        fixed += SUBCAPTION_PX + (table_overhead(columns, measure) if rows else LINE_PX) + GAP.height_px
    row_px = LINE_PX + 1
    counts = share_rows([len(rows) for _caption, _columns, rows in sections], max((capacity_px - fixed) // row_px, 0))
    for (caption, columns, rows), count in zip(sections, counts):
        blocks.append(_subcaption(caption))
        if not rows:
            blocks.append(note_block("无。"))
        else:  # room for ``count`` rows in all, "…另有 M 项" included when it is cut
            table, _shown = table_block(columns, rows, measure, table_overhead(columns, measure) + count * row_px)
            blocks.append(table)
        blocks.append(GAP)
    return blocks


# --- titles --------------------------------------------------------------------------------------------

def place_name(book: Handbook) -> str:
    """The area's name, with its village's before a group's (第一组 alone says little)."""
    return book.parent_name + book.name if book.level == 4 else book.name


def book_title(book: Handbook) -> str:
    return "{}{}林长巡林手册（{}年度）".format(place_name(book), book.level_zh, book.year)


def book_subtitle(book: Handbook) -> str:
    chief = book.chief_name or "（未设林长）"
    if book.chief_title:
        chief += "（{}）".format(book.chief_title)
    area = book.area_ha if book.area_ha is not None else None
    parts = ["{}林长：{}".format(book.level_zh, chief), "责任区域：{}（{}）".format(place_name(book), book.code)]
    if area is not None:
        parts.append("面积 {} 公顷（{} 亩）".format(_fmt(area), _fmt(area * lists.MU_PER_HA, 0)))
    return "　".join(parts)


def book_footer(book: Handbook, generated: dt.date) -> str:
    return "统计截至 {}　生成日期 {}　{}".format(book.as_of.isoformat(), generated.isoformat(), SOFTWARE)


def handbook_file_name(book: Handbook) -> str:
    """巡林手册_<code>_<chief>.pdf, characters a file name cannot hold replaced."""
    stem = "巡林手册_{}_{}".format(book.code, book.chief_name or "未设林长")
    return safe_file_stem(stem) + ".pdf"


# --- memory layers ---------------------------------------------------------------------------------

def _text(value: Any) -> str:
    return "" if value is None or value != value else str(value).strip()


def stand_class(stand: dict) -> str:
    """The class a stand is drawn in: its 林种 on forest land, 'unfilled' without one, 'nonforest' off it."""
    if not lists.is_forest_land(stand):
        return NON_FOREST
    use = _text(stand.get("forest_use"))
    return use if use in schema.FOREST_USES else UNFILLED_USE


def recent_tracks(tracks, as_of: dt.date) -> list[dict]:
    """The track features of the ``RECENT_DAYS`` days up to ``as_of`` (both ends included)."""
    first = as_of - dt.timedelta(days=RECENT_DAYS - 1)
    rows = lists.records(tracks, lists.TRACK_FIELDS[:4])
    return [row for row in rows if (day := patrol_day(row.get("start_time"))) is not None and first <= day <= as_of]


def _area_codes(handbooks: Sequence[Handbook]) -> set[str]:
    return {code for book in handbooks for code in book.codes}


def map_layers(handbooks: Sequence[Handbook], data: WorkspaceData, crs: QgsCoordinateReferenceSystem,
               as_of: dt.date) -> dict[str, QgsVectorLayer]:
    """The map's layers (besides the coverage): stands, child areas, grid zones, recent tracks, open spots."""
    codes = _area_codes(handbooks)
    chosen = {book.code for book in handbooks}
    string, integer = QVariant.Type.String, QVariant.Type.Int
    stands = memory_layer("MultiPolygon", crs, LAYER_TITLES["stands"], [("area_code", string), ("map_class", string)])
    add_features(stands, [([normalise_code(row.get("area_code")), stand_class(row)], row.get("geometry"))
                         for row in lists.records(data.stands, ("area_code", "land_class", "forest_use"))
                         if normalise_code(row.get("area_code")) in codes])
    children = memory_layer("MultiPolygon", crs, LAYER_TITLES["children"],
                             [("code", string), ("name", string), ("parent_code", string), ("level", integer)])
    add_features(children, [([normalise_code(row.get("code")), _text(row.get("name")),
                             normalise_code(row.get("parent_code")), row.get("level")], row.get("geometry"))
                           for row in lists.records(data.areas, ("code", "name", "parent_code", "level"))
                           if normalise_code(row.get("parent_code")) in chosen])
    zones = memory_layer("MultiPolygon", crs, LAYER_TITLES["zones"], [("zone_id", string)])
    add_features(zones, [([_text(row.get("zone_id"))], row.get("geometry"))
                        for row in lists.records(data.zones, ("zone_id", "area_code"))
                        if normalise_code(row.get("area_code")) in codes])
    tracks = memory_layer("MultiLineString", crs, LAYER_TITLES["tracks"], [("patrol_id", string)])
    add_features(tracks, [([_text(row.get("patrol_id"))], row.get("geometry"))
                         for row in recent_tracks(data.tracks, as_of)])
    spots = memory_layer("MultiPolygon", crs, LAYER_TITLES["spots"], [("spot_no", string)])
    add_features(spots, [([_text(row.get("spot_no"))], row.get("geometry"))
                        for row in lists.records(data.spots, lists.SPOT_FIELDS)
                        if is_open_spot(row) and normalise_code(row.get("area_code")) in codes])
    return {"stands": stands, "children": children, "zones": zones, "tracks": tracks, "spots": spots}


def _label_format(size: float, colour: str = "#202020") -> QgsTextFormat:
    """The format of the map's labels: ``colour`` over a white halo."""
    return with_halo(text_format(size, colour=colour), 0.7, 230)


def style_layers(layers: dict[str, QgsVectorLayer], coverage: QgsVectorLayer) -> None:
    """The map's look; every legend title and class in Chinese."""
    categories = [QgsRendererCategory(code, fill_symbol(USE_COLOURS[code], "#4d4d4d", 0.05), label, True)
                  for code, (label, _en) in schema.FOREST_USES.items()]
    categories.append(QgsRendererCategory(UNFILLED_USE, fill_symbol("#d9d9d9", "#4d4d4d", 0.05), "林种未填", True))
    categories.append(QgsRendererCategory(NON_FOREST, fill_symbol("#f7f7f7", "#969696", 0.05), "非林地", True))
    layers["stands"].setRenderer(QgsCategorizedSymbolRenderer("map_class", categories))
    # the children of the atlas's current area only (the layer holds those of every chosen area)
    layers["children"].setRenderer(_one_rule(fill_symbol("0,0,0,0", "#404040", 0.35, "no", "dash"), CURRENT_CHILDREN))
    settings = QgsPalLayerSettings()
    settings.fieldName = "name"
    settings.setFormat(_label_format(8.5))
    labels = QgsRuleBasedLabeling.Rule(None)
    labels.appendChild(QgsRuleBasedLabeling.Rule(settings, 0, 0, CURRENT_CHILDREN))
    layers["children"].setLabeling(QgsRuleBasedLabeling(labels))
    layers["children"].setLabelsEnabled(True)
    layers["zones"].setRenderer(QgsSingleSymbolRenderer(fill_symbol("0,0,0,0", "#f46d43", 0.3, "no", "dot")))
    layers["tracks"].setRenderer(QgsSingleSymbolRenderer(QgsLineSymbol.createSimple(
        {"color": "33,102,172,210", "width": "0.3", "width_unit": "MM", "capstyle": "round", "joinstyle": "round"})))
    spot = fill_symbol("227,26,28,230", "#67000d", 0.3)
    marker = QgsMarkerSymbol.createSimple({"name": "circle", "color": "227,26,28,0", "outline_color": "#e31a1c",
                                           "outline_width": "0.5", "outline_width_unit": "MM", "size": "3.2"})
    centroid = QgsCentroidFillSymbolLayer()  # a ring around each spot: small spots stay visible at district scale
    centroid.setSubSymbol(marker)
    spot.appendSymbolLayer(centroid)
    layers["spots"].setRenderer(QgsSingleSymbolRenderer(spot))
    # the boundary: only the atlas's current area; a single rule without a label shows as one legend line
    coverage.setRenderer(_one_rule(fill_symbol("0,0,0,0", "#b2001a", 0.9, "no"), "$id = @atlas_featureid"))


def _one_rule(symbol, expression: str) -> QgsRuleBasedRenderer:
    """Draws the features matching ``expression``; one rule without a label is one legend line."""
    root = QgsRuleBasedRenderer.Rule(None)
    root.appendChild(QgsRuleBasedRenderer.Rule(symbol, 0, 0, expression, ""))
    return QgsRuleBasedRenderer(root)


def coverage_layer(handbooks: Sequence[Handbook], data: WorkspaceData, crs: QgsCoordinateReferenceSystem,
                   texts: Sequence[dict]) -> QgsVectorLayer:
    """The atlas's coverage: one feature per handbook with its area's polygon and all its page texts."""
    string = QVariant.Type.String
    columns = [(name, QVariant.Type.Int if name == "level" else string) for name in COVERAGE_FIELDS]
    layer = memory_layer("MultiPolygon", crs, LAYER_TITLES["boundary"], columns)
    geometries = {normalise_code(row.get("code")): row.get("geometry")
                  for row in reversed(lists.records(data.areas, ("code",)))}
    shapeless = [book.code for book in handbooks if qgs_geometry(geometries.get(book.code)).isEmpty()]
    if shapeless:
        raise InputDataError("责任区 {} 没有图形，无法制图。".format("、".join(shapeless)),
                             "The responsibility areas {} have no polygon to map.".format(", ".join(shapeless)))
    add_features(layer, [([text[name] for name in COVERAGE_FIELDS], geometries.get(book.code))
                        for book, text in zip(handbooks, texts)])
    return layer


# --- the layout ----------------------------------------------------------------------------------------

def _label(layout: QgsPrintLayout, text: str, rect: tuple, page: int = 0, size: float = 9.0, bold: bool = False,
           align=Qt.AlignmentFlag.AlignLeft, html_mode: bool = False, colour: str = "#000000",
           item_id: str = "") -> QgsLayoutItemLabel:
    """A label on ``page`` without fill or frame; an HTML label (the lists) from its top, without margins."""
    return add_label(layout, text, rect, size=size, bold=bold, colour=colour, align=align,
                     valign=Qt.AlignmentFlag.AlignTop if html_mode else Qt.AlignmentFlag.AlignVCenter,
                     margins=(0.0 if html_mode else 1.0, 0.0), html=html_mode, page=page, item_id=item_id)


def _map_item(layout: QgsPrintLayout, layers: list, clipped: list, crs: QgsCoordinateReferenceSystem,
              extent) -> QgsLayoutItemMap:
    item = add_map(layout, MAP_RECT, crs, layers)
    # a first extent, fitted into the item: a map without one takes the first atlas extent's proportions
    item.zoomToExtent(extent)
    item.setAtlasDriven(True)
    item.setAtlasScalingMode(QgsLayoutItemMap.AtlasScalingMode.Auto)
    item.setAtlasMargin(0.06)
    clipping = item.atlasClippingSettings()
    clipping.setEnabled(True)
    clipping.setFeatureClippingType(QgsMapClippingRegion.FeatureClippingType.ClipPainterOnly)
    clipping.setForceLabelsInsideFeature(True)
    clipping.setRestrictToLayers(True)
    clipping.setLayersToClip(clipped)
    item.setId("map")
    return item


def _legend(layout: QgsPrintLayout, map_item: QgsLayoutItemMap, order: list) -> QgsLayoutItemLegend:
    legend = add_legend(layout, map_item, order, LEGEND_RECT, (10.0, 9.0, 8.5, 8.0), columns=3, column_space=3.0,
                        symbol_height=3.2)
    legend.rstyle(QgsLegendStyle.Style.Subgroup).setMargin(QgsLegendStyle.Side.Top, 1.0)
    legend.rstyle(QgsLegendStyle.Style.Symbol).setMargin(QgsLegendStyle.Side.Top, 0.8)
    legend.setLegendFilterOutAtlas(True)
    return legend


def _scale_bar(layout: QgsPrintLayout, map_item: QgsLayoutItemMap) -> QgsLayoutItemScaleBar:
    """Two segments in 公里, fitted to 22-40 mm until ``fit_scale_bar`` rounds them for the atlas feature."""
    bar = new_scale_bar(layout, map_item, QgsUnitTypes.DistanceUnit.DistanceKilometers, "公里", 0.5, text_format(8),
                        2.2, fit_width=(22.0, 40.0))
    layout.addLayoutItem(bar)
    bar.attemptMove(QgsLayoutPoint(MARGIN + 1.0, BELOW_MAP_Y + 8.0, MM))
    bar.setId("scalebar")
    return bar


@dataclass(frozen=True)
class Rooms:
    """Heights (mm) and widths (HTML px) the lists are laid out in."""

    px_mm: float
    tasks_height: float
    resources_height: float
    problems_y: float

    @property
    def width_px(self) -> int:
        return int(CONTENT_WIDTH / self.px_mm) - 2

    @property
    def half_px(self) -> int:
        return int((CONTENT_WIDTH - RESOURCE_GAP) / 2 / self.px_mm) - 2

    def px(self, mm: float) -> int:
        return int(mm / self.px_mm)


def page_texts(books: Sequence[Handbook], px_mm: float, generated: dt.date) -> tuple[list[dict], Rooms]:
    """The texts of every handbook and the rooms of the lists (the resources' height is the tallest needed,
    at most ``MAX_RESOURCES_HEIGHT``, so that the problems start at one place on every page)."""
    measure = Measure(px_mm)
    tasks_height = PAGE_BOTTOM - TASKS_Y
    probe = Rooms(px_mm, tasks_height, MAX_RESOURCES_HEIGHT, 0.0)
    needed = 0
    for book in books:
        left, right = resource_blocks(book, measure, probe.half_px, probe.px(MAX_RESOURCES_HEIGHT))
        needed = max(needed, blocks_height(left), blocks_height(right))
    resources_height = min(MAX_RESOURCES_HEIGHT, needed * px_mm + 1.0)
    problems_y = RESOURCES_Y + 8.0 + resources_height + PROBLEMS_GAP
    rooms = Rooms(px_mm, tasks_height, resources_height, problems_y)
    texts = []
    for book in books:
        left, right = resource_blocks(book, measure, rooms.half_px, rooms.px(resources_height))
        texts.append({
            "code": book.code, "name": book.name, "level": book.level, "chief_name": book.chief_name,
            "file_stem": handbook_file_name(book)[:-4], "title": book_title(book), "subtitle": book_subtitle(book),
            "tasks_html": page_html(tasks_blocks(book, measure, rooms.width_px, rooms.px(tasks_height))),
            "use_html": page_html(left), "species_html": page_html(right),
            "problems_html": page_html(problem_blocks(book, measure, rooms.width_px,
                                                      rooms.px(PAGE_BOTTOM - problems_y))),
            "footer": book_footer(book, generated),
        })
    return texts, rooms


def build_handbook_layout(handbooks: Sequence[Handbook], data: WorkspaceData, crs: QgsCoordinateReferenceSystem,
                          as_of: dt.date, generated: Optional[dt.date] = None,
                          project: Optional[QgsProject] = None) -> HandbookLayout:
    """The atlas layout of ``handbooks`` in a private project (``project`` only lends its transform context)."""
    generated = generated or dt.date.today()
    private = private_project(crs, project)
    layout = a4_layout(private, BOOK_TITLE, pages=2)

    texts, rooms = page_texts(handbooks, html_px_mm(layout), generated)
    coverage = coverage_layer(handbooks, data, crs, texts)
    layers = map_layers(handbooks, data, crs, as_of)
    style_layers(layers, coverage)
    order = [coverage, layers["spots"], layers["tracks"], layers["children"], layers["zones"], layers["stands"]]
    private.addMapLayers(order, False)

    atlas = layout.atlas()
    atlas.setCoverageLayer(coverage)
    atlas.setHideCoverage(False)
    atlas.setPageNameExpression('"name"')
    atlas.setFilenameExpression('"file_stem"')
    atlas.setEnabled(True)

    items: dict[str, Any] = {}
    items["title"] = _label(layout, '[% "title" %]', (MARGIN, TITLE_Y, CONTENT_WIDTH, 10), size=17, bold=True,
                            align=Qt.AlignmentFlag.AlignHCenter, item_id="title")
    items["subtitle"] = _label(layout, '[% "subtitle" %]', (MARGIN, SUBTITLE_Y, CONTENT_WIDTH, 6.5), size=9.5,
                               align=Qt.AlignmentFlag.AlignHCenter, item_id="subtitle")
    clipped = [layers[name] for name in ("spots", "tracks", "children", "zones", "stands")]
    items["map"] = _map_item(layout, order, clipped, crs, coverage.extent())
    items["north_arrow"] = add_map_north_arrow(layout, items["map"], MAP_RECT, 200)
    items["scalebar"] = _scale_bar(layout, items["map"])
    items["legend"] = _legend(layout, items["map"], order)
    items["map_note"] = _label(layout, "巡林轨迹：{}至{}".format(
        (as_of - dt.timedelta(days=RECENT_DAYS - 1)).isoformat(), as_of.isoformat()),
        (MARGIN, BELOW_MAP_Y + 0.5, 48.0, 6.0), size=7.5, colour="#404040", item_id="map_note")
    items["tasks"] = _label(layout, '[% "tasks_html" %]', (MARGIN, TASKS_Y, CONTENT_WIDTH, rooms.tasks_height),
                            html_mode=True, item_id="tasks")
    items["continued"] = _label(layout, '[% "title" || \'（续）\' %]', (MARGIN, CONTINUED_Y, CONTENT_WIDTH, 8),
                                page=1, size=12, bold=True, align=Qt.AlignmentFlag.AlignHCenter, item_id="continued")
    items["resources_caption"] = _label(layout, "二、森林资源清单（林地）", (MARGIN, RESOURCES_Y, CONTENT_WIDTH, 7),
                                        page=1, size=11, bold=True, item_id="resources_caption")
    half = (CONTENT_WIDTH - RESOURCE_GAP) / 2
    items["resources_use"] = _label(layout, '[% "use_html" %]', (MARGIN, RESOURCES_Y + 8.0, half,
                                                                   rooms.resources_height),
                                    page=1, html_mode=True, item_id="resources_use")
    items["resources_species"] = _label(layout, '[% "species_html" %]',
                                        (MARGIN + half + RESOURCE_GAP, RESOURCES_Y + 8.0, half, rooms.resources_height),
                                        page=1, html_mode=True, item_id="resources_species")
    items["problems"] = _label(layout, '[% "problems_html" %]',
                               (MARGIN, rooms.problems_y, CONTENT_WIDTH, PAGE_BOTTOM - rooms.problems_y),
                               page=1, html_mode=True, item_id="problems")
    for page in (0, 1):
        _label(layout, '[% "footer" %]', (MARGIN, FOOTER_Y, CONTENT_WIDTH - 20, 6), page=page, size=7.5,
               colour="#595959", item_id=f"footer_{page + 1}")
        _label(layout, "第 {} 页 / 共 2 页".format(page + 1), (PAGE_WIDTH - MARGIN - 30, FOOTER_Y, 30, 6), page=page,
               size=7.5, colour="#595959", align=Qt.AlignmentFlag.AlignRight, item_id=f"page_{page + 1}")
    return HandbookLayout(private, layout, coverage, list(handbooks), items, layers)


# --- exporting -------------------------------------------------------------------------------------------

def seek(book_layout: HandbookLayout, index: int) -> None:
    """Show the handbook ``index`` (the atlas feature) in the layout."""
    atlas = book_layout.atlas
    if not atlas.beginRender():
        raise OSError("the handbook atlas has no features")
    if not atlas.seekTo(index):
        raise OSError(f"no handbook {index}")
    book_layout.layout.refresh()
    fit_scale_bar(book_layout.items["scalebar"], book_layout.items["map"])


def nice_step(value: float, largest: float) -> float:
    """The length of 1, 2 or 5 times a power of ten nearest to ``value`` (> 0) by ratio, not above ``largest``."""
    power = 10 ** math.floor(math.log10(value))
    steps = [factor * power for factor in (0.5, 1, 2, 5, 10) if factor * power <= largest] or [0.5 * power]
    return float(min(steps, key=lambda step: abs(math.log(step / value))))


def fit_scale_bar(bar: QgsLayoutItemScaleBar, map_item: QgsLayoutItemMap) -> None:
    """Two segments of a round length (1, 2 or 5 × 10ⁿ km) of about ``SEGMENT_MM`` each, for a map in metres;
    other maps keep QGIS's fit to width."""
    width_m = map_item.extent().width()
    if map_item.crs().mapUnits() != QgsUnitTypes.DistanceUnit.DistanceMeters or not width_m > 0:
        return
    km_per_mm = width_m / 1000.0 / map_item.rect().width()
    bar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeMode.SegmentSizeFixed)
    bar.setUnitsPerSegment(nice_step(SEGMENT_MM * km_per_mm, MAX_SEGMENT_MM * km_per_mm))
    bar.update()


def export_handbook_pdfs(book_layout: HandbookLayout, folder: str, feedback=None) -> list[str]:
    """One two-page PDF per handbook in ``folder`` (巡林手册_<code>_<chief>.pdf). Each is written under a
    temporary name and renamed; stops between handbooks when ``feedback`` is canceled (the PDFs finished
    so far are kept and returned)."""
    os.makedirs(folder, exist_ok=True)
    written: list[str] = []
    used: set[str] = set()
    atlas = book_layout.atlas
    atlas.beginRender()
    try:
        for index, book in until_canceled(list(enumerate(book_layout.handbooks)), feedback):
            seek(book_layout, index)
            path = os.path.join(folder, unique_name(handbook_file_name(book), used))
            export_pdf(book_layout.layout, path)
            written.append(path)
    finally:
        atlas.endRender()
    return written


def render_handbook_page(book_layout: HandbookLayout, index: int, page: int, path: str, dpi: int = 100) -> None:
    """Page ``page`` (0 or 1) of handbook ``index`` as an image (PNG), for checking and documentation."""
    seek(book_layout, index)
    render_page_png(book_layout.layout, page, path, dpi)
