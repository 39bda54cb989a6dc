"""Default styles of the one-map workspace, and opening it in a QGIS project.

``save_default_styles`` writes, for every declared layer and table, a QGIS style (Chinese field
aliases, value maps over the code lists, check boxes, date editors, renderer, labels) into the
GeoPackage's ``layer_styles`` table, marked as the default: the workspace then opens styled in
plain QGIS, without the plugin. Everything read here comes from ``core.schema``.
"""
from __future__ import annotations

import logging
import os
import sqlite3
from typing import Optional, Sequence

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsEditorWidgetSetup,
    QgsFillSymbol,
    QgsLayerTreeGroup,
    QgsLineSymbol,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsProject,
    QgsRendererCategory,
    QgsRuleBasedLabeling,
    QgsSingleSymbolRenderer,
    QgsSymbol,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsValueMapFieldFormatter,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFont, QFontDatabase

from ..core import schema, workspace
from ..core.errors import WorkspaceError

LOG = logging.getLogger(__name__)

DEFAULT_GROUP = "林长制一张图"
DEMO_GROUP = "演示真值"
DEMO_PREFIX = "demo_truth_"
GROUP_PROPERTY = "linzhang/workspace"  # custom property on the layer-tree group: the gpkg's absolute path
STYLE_NAME = "linzhang_default"

# First installed family wins; the name is stored in the style, so QGIS falls back to its own
# default font (which Qt completes with any CJK font of the system) where it is missing.
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
             "WenQuanYi Micro Hei", "SimHei")

# Layer-tree order, top first (= drawn last). Declared layers not named here follow, by geometry.
DRAW_ORDER = ("patrol_tracks", "change_spots", "resp_areas", "grid_zones", "forest_stands")
_GEOMETRY_RANK = {"Point": 0, "MultiLineString": 1, "LineString": 1, "MultiPolygon": 2, "Polygon": 2}

# resp_areas by level: (outline colour, outline width mm, pen style), no fill
_LEVEL_OUTLINES = {
    1: ("#67001f", 1.2, "solid"),
    2: ("#b2182b", 0.8, "solid"),
    3: ("#d6604d", 0.5, "solid"),
    4: ("#f4a582", 0.25, "dash"),
}
# change_spots by status: open ones in reds (darker = earlier in the workflow), closed in grey/green
_STATUS_FILLS = {
    "issued": "#67000d",
    "interpreted": "#a50f15",
    "field_verified": "#cb181d",
    "determined": "#ef3b2c",
    "case_filed": "#fb6a4a",
    "rectifying": "#fc9272",
    "rechecked": "#fcbba1",
    "closed": "#bdbdbd",
}
_CLOSED_STATUSES = ("closed",)
_FOREST_CAT_FILLS = {"public": "#1a9850", "commercial": "#a6d96a"}
# Label visibility: the most zoomed-out scale denominator at which labels show (0 = always).
_LABEL_MIN_SCALE = {"change_spots": 100000, "grid_zones": 50000, "forest_stands": 10000}
_LEVEL_LABEL_MIN_SCALE = {1: 0, 2: 250000, 3: 100000, 4: 25000}
_LEVEL_LABEL_SIZE = {1: 12.0, 2: 10.5, 3: 9.0, 4: 8.0}

_DATE_FORMATS = {"date": "yyyy-MM-dd", "datetime": "yyyy-MM-dd HH:mm:ss"}


# --- fields: aliases and editor widgets --------------------------------------------------------

def _text(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def value_map_config(field: schema.FieldDef, lang: str = "zh") -> dict:
    """The ValueMap editor configuration of a coded field: ``{'map': [{label: value}, ...]}``.

    The list form keeps the code-list order. Integer codes show their number too ("采伐 (1)"),
    as technicians know the national codes; optional fields start with an empty choice so that a
    new feature is not silently given the first code.
    """
    entries: list[dict] = []
    if not field.required:
        entries.append({"(空)" if lang == "zh" else "(empty)": QgsValueMapFieldFormatter.NULL_VALUE})
    for value, pair in schema.CODE_LISTS[field.codes].items():
        label = _text(pair, lang)
        if isinstance(value, int):
            label = f"{label} ({value})"
        entries.append({label: value})
    return {"map": entries}


def _widget_setup(field: schema.FieldDef, lang: str) -> Optional[QgsEditorWidgetSetup]:
    if field.codes:
        return QgsEditorWidgetSetup("ValueMap", value_map_config(field, lang))
    if field.type == "bool":
        return QgsEditorWidgetSetup("CheckBox", {"CheckedState": "", "UncheckedState": ""})
    if field.type in _DATE_FORMATS:
        fmt = _DATE_FORMATS[field.type]
        return QgsEditorWidgetSetup("DateTime", {
            "allow_null": not field.required, "calendar_popup": True,
            "display_format": fmt, "field_format": fmt, "field_iso_format": False,
        })
    return None


def _configure_fields(layer: QgsVectorLayer, layer_def: schema.LayerDef, lang: str) -> None:
    fields = layer.fields()
    for field in layer_def.fields:
        index = fields.indexOf(field.name)
        if index < 0:
            raise WorkspaceError(
                "图层 {} 缺少字段 {}（{}）。".format(layer_def.name, field.name, field.alias_zh),
                "The layer {} lacks the field {} ({}).".format(layer_def.name, field.name, field.alias_en),
            )
        layer.setFieldAlias(index, field.alias_zh if lang == "zh" else field.alias_en)
        setup = _widget_setup(field, lang)
        if setup is not None:
            layer.setEditorWidgetSetup(index, setup)


# --- renderers ---------------------------------------------------------------------------------

def _fill(fill: str, outline: str, width: float, style: str = "solid", outline_style: str = "solid") -> QgsFillSymbol:
    return QgsFillSymbol.createSimple({
        "color": fill, "style": style, "outline_color": outline,
        "outline_width": str(width), "outline_width_unit": "MM", "outline_style": outline_style,
    })


def _with_alpha(colour: str, alpha: int) -> str:
    qcolour = QColor(colour)
    return f"{qcolour.red()},{qcolour.green()},{qcolour.blue()},{alpha}"


def _category_symbol(layer_def: schema.LayerDef, value) -> QgsSymbol:
    if layer_def.name == schema.RESP_AREAS.name:
        colour, width, pen = _LEVEL_OUTLINES.get(value, (layer_def.outline, 0.5, "solid"))
        return _fill("0,0,0,0", colour, width, style="no", outline_style=pen)
    if layer_def.name == schema.CHANGE_SPOTS.name:
        colour = _STATUS_FILLS.get(value, layer_def.fill)
        outline = "#1a9850" if value in _CLOSED_STATUSES else "#67000d"
        return _fill(_with_alpha(colour, 190), outline, 0.4)
    if layer_def.name == schema.FOREST_STANDS.name:
        colour = _FOREST_CAT_FILLS.get(value, layer_def.fill)
        return _fill(_with_alpha(colour, 160), "#00441b", 0.1)
    return _single_symbol(layer_def)


def _categorized_renderer(layer_def: schema.LayerDef, lang: str) -> QgsCategorizedSymbolRenderer:
    codes = schema.CODE_LISTS[layer_def.field(layer_def.style_field).codes]
    categories = [QgsRendererCategory(value, _category_symbol(layer_def, value), _text(pair, lang), True)
                  for value, pair in codes.items()]
    # the empty value is QGIS's "all other values" category: features with a missing or unknown code stay visible
    other = _fill("0,0,0,0", "#737373", 0.3, style="no", outline_style="dot")
    categories.append(QgsRendererCategory("", other, "其他/未填" if lang == "zh" else "other or empty", True))
    return QgsCategorizedSymbolRenderer(layer_def.style_field, categories)


def _single_symbol(layer_def: schema.LayerDef) -> QgsSymbol:
    if layer_def.geometry in ("MultiLineString", "LineString"):
        return QgsLineSymbol.createSimple({"color": layer_def.fill, "width": "0.6", "width_unit": "MM",
                                           "capstyle": "round", "joinstyle": "round"})
    if layer_def.geometry == "Point":
        return QgsMarkerSymbol.createSimple({"color": layer_def.fill, "outline_color": layer_def.outline,
                                             "size": "2.5"})
    fill = QColor(layer_def.fill)
    style = "no" if fill.alpha() == 0 else "solid"
    return _fill(_with_alpha(layer_def.fill, min(fill.alpha(), 150)), layer_def.outline, 0.4, style=style)


def _renderer(layer_def: schema.LayerDef, lang: str):
    if layer_def.style_field and layer_def.geometry in ("MultiPolygon", "Polygon"):
        return _categorized_renderer(layer_def, lang)
    return QgsSingleSymbolRenderer(_single_symbol(layer_def))


# --- labels ------------------------------------------------------------------------------------

def cjk_font_family() -> str:
    """The first installed CJK-capable family of ``CJK_FONTS``, else the first of them."""
    try:
        installed = set(QFontDatabase.families())  # Qt 6: static
    except TypeError:
        installed = set(QFontDatabase().families())  # Qt 5
    for family in CJK_FONTS:
        if family in installed:
            return family
    return CJK_FONTS[0]


def _label_settings(field_name: str, size: float, min_scale: int) -> QgsPalLayerSettings:
    text = QgsTextFormat()
    font = QFont(cjk_font_family())
    text.setFont(font)
    text.setSize(size)
    text.setColor(QColor("#202020"))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)  # millimetres, the default unit
    buffer.setColor(QColor(255, 255, 255, 220))
    text.setBuffer(buffer)
    settings = QgsPalLayerSettings()
    settings.fieldName = field_name
    settings.isExpression = False
    settings.setFormat(text)
    settings.scaleVisibility = min_scale > 0
    settings.minimumScale = float(min_scale)  # the most zoomed-out scale denominator shown
    settings.maximumScale = 0.0
    return settings


def _labeling(layer_def: schema.LayerDef):
    if not layer_def.label_field or layer_def.geometry is None:
        return None
    if layer_def.name == schema.RESP_AREAS.name:
        # one rule per level: district names always, group names only when zoomed in
        root = QgsRuleBasedLabeling.Rule(None)
        for level, pair in schema.AREA_LEVELS.items():
            min_scale = _LEVEL_LABEL_MIN_SCALE.get(level, 25000)
            settings = _label_settings(layer_def.label_field, _LEVEL_LABEL_SIZE.get(level, 9.0), 0)
            settings.priority = max(0, 12 - 2 * int(level))  # a district name wins over a town's
            rule = QgsRuleBasedLabeling.Rule(settings, 0, min_scale, f'"level" = {int(level)}', pair[0])
            root.appendChild(rule)
        return QgsRuleBasedLabeling(root)
    settings = _label_settings(layer_def.label_field, 9.0, _LABEL_MIN_SCALE.get(layer_def.name, 0))
    return QgsVectorLayerSimpleLabeling(settings)


# --- public API --------------------------------------------------------------------------------

def configure_layer(layer: QgsVectorLayer, layer_def: schema.LayerDef, lang: str = "zh") -> None:
    """Give ``layer`` the declared aliases, editor widgets, renderer, labels and title."""
    _configure_fields(layer, layer_def, lang)
    layer.setName(layer_def.title_zh if lang == "zh" else layer_def.title_en)
    if layer_def.geometry is None or not layer.isSpatial():
        return
    layer.setRenderer(_renderer(layer_def, lang))
    labeling = _labeling(layer_def)
    if labeling is not None:
        layer.setLabeling(labeling)
        layer.setLabelsEnabled(True)
    else:
        layer.setLabelsEnabled(False)


def _layer_uri(gpkg_path: str, name: str) -> str:
    return f"{gpkg_path}|layername={name}"


def _open_layer(gpkg_path: str, name: str) -> QgsVectorLayer:
    return QgsVectorLayer(_layer_uri(gpkg_path, name), name, "ogr")


def _forget_saved_styles(gpkg_path: str, layer_defs: Sequence[schema.LayerDef]) -> None:
    """Delete the styles this module saved before, so that saving again replaces them.

    QGIS 3.22's OGR provider asks "A style named ... already exists ... overwrite it?" in a modal
    message box when a style name is reused, which blocks a script or a headless run.
    """
    names = [layer_def.name for layer_def in layer_defs]
    try:
        db = sqlite3.connect(gpkg_path)
        try:
            exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'layer_styles'").fetchone()
            if exists:
                with db:
                    db.execute("DELETE FROM layer_styles WHERE styleName = ? AND f_table_name IN ({})".format(
                        ", ".join("?" * len(names))), [STYLE_NAME, *names])
        finally:
            db.close()
    except sqlite3.Error as error:
        raise WorkspaceError(
            "无法读取 {}：文件已损坏（{}）。".format(os.path.basename(gpkg_path), error),
            "Cannot read {}: the file is damaged ({}).".format(os.path.basename(gpkg_path), error),
        ) from error


def save_default_styles(gpkg_path: str, lang: str = "zh",
                        extra_layers: Sequence[schema.LayerDef] = ()) -> list[str]:
    """Style every declared layer and table and store it as its default style in the GeoPackage.

    ``extra_layers`` declares further layers of the file to style the same way (the demo's truth layers).
    """
    if not os.path.isfile(gpkg_path):
        raise WorkspaceError("找不到工作空间文件：{}".format(gpkg_path),
                             "The workspace file does not exist: {}".format(gpkg_path))
    layer_defs = (*schema.WORKSPACE_LAYERS, *extra_layers)
    _forget_saved_styles(gpkg_path, layer_defs)
    styled: list[str] = []
    for layer_def in layer_defs:
        layer = _open_layer(gpkg_path, layer_def.name)
        if not layer.isValid():
            raise WorkspaceError(
                "无法打开图层 {}（{}）：图层缺失或文件已损坏：{}".format(layer_def.name, layer_def.title_zh, gpkg_path),
                "Cannot open the layer {} ({}): it is missing or the file is damaged: {}".format(
                    layer_def.name, layer_def.title_en, gpkg_path),
            )
        configure_layer(layer, layer_def, lang)
        description = "{} 默认样式 / default style of {}".format(layer_def.title_zh, layer_def.title_en)
        error = layer.saveStyleToDatabase(STYLE_NAME, description, True, "")
        if error:
            raise WorkspaceError(
                "无法将图层 {} 的样式写入 {}：{}".format(layer_def.name, gpkg_path, error),
                "Could not save the style of {} into {}: {}".format(layer_def.name, gpkg_path, error),
            )
        styled.append(layer_def.name)
    return styled


def _demo_layer_names(gpkg_path: str) -> list[str]:
    try:
        db = sqlite3.connect(f"file:{gpkg_path}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name").fetchall()
        finally:
            db.close()
    except sqlite3.Error as error:
        LOG.warning("cannot list the layers of %s: %s", gpkg_path, error)
        return []
    return [row[0] for row in rows if row[0].startswith(DEMO_PREFIX)]


def _name_from_style(layer: QgsVectorLayer) -> None:
    """Name a declared layer by its title, in the language of the aliases its default style gave it."""
    try:
        layer_def = schema.layer_def(layer.name())
    except KeyError:
        return
    first = layer_def.fields[0]
    index = layer.fields().indexOf(first.name)
    english = index >= 0 and layer.fields().at(index).alias() == first.alias_en != first.alias_zh
    layer.setName(layer_def.title_en if english else layer_def.title_zh)


def load_workspace_layers(gpkg_path: str) -> list[QgsVectorLayer]:
    """The valid declared layers in ``schema.WORKSPACE_LAYERS`` order, then any ``demo_truth_*`` layers.

    QGIS applies the default style stored in ``layer_styles`` when a GeoPackage layer is opened.
    """
    layers: list[QgsVectorLayer] = []
    names = [layer_def.name for layer_def in schema.WORKSPACE_LAYERS] + _demo_layer_names(gpkg_path)
    for name in names:
        layer = _open_layer(gpkg_path, name)
        if layer.isValid():
            _name_from_style(layer)
            layers.append(layer)
        else:
            LOG.warning("skipped the invalid layer %s of %s", name, gpkg_path)
    return layers


def _source_path(layer) -> str:
    return os.path.normcase(os.path.abspath(layer.source().split("|")[0]))


def _group_points_to(group: QgsLayerTreeGroup, path: str) -> bool:
    if group.customProperty(GROUP_PROPERTY) == path:
        return True
    layers = [node.layer() for node in group.findLayers() if node.layer() is not None]
    return bool(layers) and all(_source_path(layer) == path for layer in layers)


def _draw_rank(layer: QgsVectorLayer) -> tuple[int, int, int]:
    name = layer.source().split("layername=")[-1].split("|")[0]
    try:
        layer_def = schema.layer_def(name)
    except KeyError:
        return (1, 0, 0)
    if layer_def.geometry is None:
        return (2, 0, schema.WORKSPACE_LAYERS.index(layer_def))
    if name in DRAW_ORDER:
        return (0, DRAW_ORDER.index(name), 0)
    return (0, len(DRAW_ORDER) + _GEOMETRY_RANK.get(layer_def.geometry, 3), schema.WORKSPACE_LAYERS.index(layer_def))


def add_workspace_to_project(gpkg_path: str, project: QgsProject,
                             group_name: str = DEFAULT_GROUP) -> QgsLayerTreeGroup:
    """Add the workspace's layers to ``project`` in one group at the top of the layer tree.

    The ``demo_truth_*`` layers first, in an unchecked subgroup (drawn over the rest when switched
    on), then lines and change spots, responsibility areas and grids, stands at the bottom, tables
    last. A group of the same name for the same file is replaced.
    """
    workspace.read_workspace_info(gpkg_path)
    path = os.path.normcase(os.path.abspath(gpkg_path))
    root = project.layerTreeRoot()
    for child in list(root.children()):
        if isinstance(child, QgsLayerTreeGroup) and child.name() == group_name and _group_points_to(child, path):
            layer_ids = [node.layerId() for node in child.findLayers()]
            root.removeChildNode(child)
            project.removeMapLayers(layer_ids)
    layers = load_workspace_layers(gpkg_path)
    group = root.insertGroup(0, group_name)
    group.setCustomProperty(GROUP_PROPERTY, path)
    demo = [layer for layer in layers if _draw_rank(layer)[0] == 1]
    if demo:
        subgroup = group.addGroup(DEMO_GROUP)
        for layer in demo:
            project.addMapLayer(layer, False)
            subgroup.addLayer(layer)
        subgroup.setItemVisibilityChecked(False)
    for layer in sorted((layer for layer in layers if layer not in demo), key=_draw_rank):
        project.addMapLayer(layer, False)
        group.addLayer(layer)
    return group
