"""Default styles stored in the workspace GeoPackage, and opening the workspace in a project.

Every check reopens the layers with a fresh ``QgsVectorLayer``: what is tested is what plain QGIS,
without the plugin, finds in the file.
"""
from __future__ import annotations

import os
import sqlite3

import pytest
from osgeo import ogr
from qgis.core import QgsLayerTreeGroup, QgsLayerTreeLayer, QgsProject, QgsValueMapFieldFormatter, QgsVectorLayer

from linzhang_qgis.core import schema
from linzhang_qgis.core.errors import WorkspaceError
from linzhang_qgis.core.workspace import create_workspace
from linzhang_qgis.qgis_glue import styling

ogr.UseExceptions()


def _open(path: str, name: str) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    assert layer.isValid(), name
    return layer


def _widget(layer: QgsVectorLayer, field: str):
    return layer.editorWidgetSetup(layer.fields().indexOf(field))


def _value_map(layer: QgsVectorLayer, field: str) -> dict:
    setup = _widget(layer, field)
    assert setup.type() == "ValueMap", field
    merged: dict = {}
    for entry in setup.config()["map"]:
        merged.update(entry)
    return merged


@pytest.fixture
def styled(qgis_app, tmp_path) -> str:
    path = str(tmp_path / "ws.gpkg")
    create_workspace(path)
    assert styling.save_default_styles(path) == [layer.name for layer in schema.WORKSPACE_LAYERS]
    return path


def _add_demo_layer(path: str, name: str = "demo_truth_changes") -> None:
    dataset = ogr.Open(path, 1)
    layer = dataset.CreateLayer(name, None, ogr.wkbMultiPolygon, ["FID=fid"])
    layer.CreateField(ogr.FieldDefn("kind", ogr.OFTString))
    dataset = None


# --- fields ------------------------------------------------------------------------------------

def test_aliases_are_chinese_in_a_fresh_layer(styled):
    layer = _open(styled, "resp_areas")
    assert layer.fields().field("chief_name").alias() == "林长姓名"
    for layer_def in schema.WORKSPACE_LAYERS:
        fresh = _open(styled, layer_def.name)
        aliases = {field.name(): field.alias() for field in fresh.fields()}
        assert {f.name: aliases[f.name] for f in layer_def.fields} == {f.name: f.alias_zh for f in layer_def.fields}


@pytest.mark.parametrize("layer_name, field_name", [
    ("resp_areas", "level"), ("change_spots", "status"), ("change_spots", "suspected_cause"),
    ("change_spots", "verified_cause"), ("forest_stands", "forest_cat"), ("patrol_rules", "period"),
])
def test_value_maps_hold_every_code(styled, layer_name, field_name):
    field_def = schema.layer_def(layer_name).field(field_name)
    codes = schema.CODE_LISTS[field_def.codes]
    mapping = _value_map(_open(styled, layer_name), field_name)
    values = [value for value in mapping.values() if value != QgsValueMapFieldFormatter.NULL_VALUE]
    assert sorted(values, key=str) == sorted(codes, key=str)
    for label, value in mapping.items():
        if value != QgsValueMapFieldFormatter.NULL_VALUE:
            assert codes[value][0] in label  # the Chinese text of that very code
    # an optional coded field offers an empty choice; a required one does not
    assert (QgsValueMapFieldFormatter.NULL_VALUE in mapping.values()) == (not field_def.required)


def test_value_map_labels_follow_the_code_list_order(styled):
    entries = _widget(_open(styled, "change_spots"), "status").config()["map"]
    assert [list(entry)[0] for entry in entries] == [zh for zh, _ in schema.SPOT_STATUSES.values()]
    causes = _widget(_open(styled, "change_spots"), "suspected_cause").config()["map"]
    assert {"采伐 (1)": 1} in causes


def test_bool_and_date_widgets(styled):
    tracks = _open(styled, "patrol_tracks")
    assert _widget(tracks, "on_foot").type() == "CheckBox"
    start = _widget(tracks, "start_time")
    assert start.type() == "DateTime" and start.config()["display_format"] == "yyyy-MM-dd HH:mm:ss"
    spots = _open(styled, "change_spots")
    after = _widget(spots, "after_date")
    assert after.type() == "DateTime" and after.config()["display_format"] == "yyyy-MM-dd"
    assert _widget(spots, "notes").type() in ("", "TextEdit")  # plain text fields keep QGIS's default


def test_english_styles(qgis_app, tmp_path):
    path = str(tmp_path / "en.gpkg")
    create_workspace(path)
    styling.save_default_styles(path, lang="en")
    layer = _open(path, "resp_areas")
    assert layer.fields().field("chief_name").alias() == "chief name"
    assert "district (1)" in _value_map(layer, "level")
    assert [c.label() for c in layer.renderer().categories()] == ["district", "town", "village", "group",
                                                                  "other or empty"]
    assert styling.load_workspace_layers(path)[0].name() == "chief responsibility areas"


# --- renderers and labels ----------------------------------------------------------------------

@pytest.mark.parametrize("layer_def", [schema.RESP_AREAS, schema.CHANGE_SPOTS, schema.FOREST_STANDS],
                         ids=lambda d: d.name)
def test_categorized_renderers_have_chinese_labels(styled, layer_def):
    layer = _open(styled, layer_def.name)  # keep a reference: the renderer belongs to the layer
    renderer = layer.renderer()
    assert renderer.type() == "categorizedSymbol"
    assert renderer.classAttribute() == layer_def.style_field
    codes = schema.CODE_LISTS[layer_def.field(layer_def.style_field).codes]
    categories = renderer.categories()
    assert [c.label() for c in categories] == [zh for zh, _ in codes.values()] + ["其他/未填"]
    # QGIS reads category values back from the style as text ("1"); it matches them as text too
    assert [str(c.value()) for c in categories[:-1]] == [str(code) for code in codes]
    colours = {c.symbol().color().name() for c in categories[:-1]}
    if layer_def.name != schema.RESP_AREAS.name:
        assert len(colours) == len(codes)  # distinct fills


def test_responsibility_areas_are_outlines_thicker_for_higher_levels(styled):
    layer = _open(styled, "resp_areas")
    categories = layer.renderer().categories()[:4]
    layers = [c.symbol().symbolLayer(0) for c in categories]
    widths = [symbol_layer.strokeWidth() for symbol_layer in layers]
    assert widths == sorted(widths, reverse=True) and widths[0] == pytest.approx(1.2)
    assert all(symbol_layer.brushStyle() == 0 for symbol_layer in layers)  # Qt NoBrush: no fill


def test_closed_spots_are_not_red(styled):
    layer = _open(styled, "change_spots")
    categories = {c.value(): c.symbol().color() for c in layer.renderer().categories()}
    issued, closed = categories["issued"], categories["closed"]
    assert issued.red() > 2 * max(issued.green(), issued.blue())
    assert closed.red() <= closed.green() + 10  # grey or green


def test_single_symbols(styled):
    layer = _open(styled, "patrol_tracks")
    tracks = layer.renderer()
    assert tracks.type() == "singleSymbol"
    assert tracks.symbol().width() == pytest.approx(0.6)
    assert tracks.symbol().color().name() == "#2166ac"
    assert _open(styled, "grid_zones").renderer().type() == "singleSymbol"


def test_labels(styled):
    areas = _open(styled, "resp_areas")
    assert areas.labelsEnabled() and areas.labeling().type() == "rule-based"
    labeling = areas.labeling()
    rules = labeling.rootRule().children()
    assert [rule.description() for rule in rules] == ["区级", "镇级", "村级", "组级"]
    assert rules[0].minimumScale() == 0 and rules[3].minimumScale() > 0  # group names only when zoomed in
    assert rules[0].settings().fieldName == "name"
    assert rules[0].settings().format().font().family() == styling.cjk_font_family()
    assert rules[0].settings().format().buffer().enabled()
    spots = _open(styled, "change_spots")
    settings = spots.labeling().settings()
    assert spots.labelsEnabled() and settings.fieldName == "spot_no"
    assert settings.scaleVisibility and settings.minimumScale > 0
    assert not _open(styled, "forest_stands").labelsEnabled()


# --- the layer_styles table --------------------------------------------------------------------

def _style_rows(path: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT f_table_name, useAsDefault FROM layer_styles ORDER BY id").fetchall()
    finally:
        db.close()


def test_layer_styles_table_has_one_default_per_layer(styled):
    rows = _style_rows(styled)
    assert sorted(name for name, _ in rows) == sorted(layer.name for layer in schema.WORKSPACE_LAYERS)
    assert all(default for _, default in rows)


def test_saving_again_replaces_the_styles(styled):
    styling.save_default_styles(styled, lang="en")  # QGIS 3.22 would block on a dialog if not handled
    assert len(_style_rows(styled)) == len(schema.WORKSPACE_LAYERS)
    assert _open(styled, "resp_areas").fields().field("chief_name").alias() == "chief name"


def test_missing_layer_is_a_workspace_error(qgis_app, tmp_path):
    path = str(tmp_path / "partial.gpkg")
    create_workspace(path)
    dataset = ogr.Open(path, 1)
    names = [dataset.GetLayerByIndex(i).GetName() for i in range(dataset.GetLayerCount())]
    dataset.DeleteLayer(names.index("grid_zones"))
    dataset = None
    with pytest.raises(WorkspaceError) as caught:
        styling.save_default_styles(path)
    assert "grid_zones" in caught.value.message_zh and "grid_zones" in caught.value.message_en


# --- loading and the project -------------------------------------------------------------------

def test_load_workspace_layers_in_declared_order_then_demo(styled):
    _add_demo_layer(styled)
    layers = styling.load_workspace_layers(styled)
    assert [layer.name() for layer in layers] == [d.title_zh for d in schema.WORKSPACE_LAYERS] + ["demo_truth_changes"]
    # the default style came along without any call to loadDefaultStyle()
    assert layers[0].renderer().type() == "categorizedSymbol"
    assert layers[3].fields().field("status").alias() == "核查状态"


def _layer_names(group: QgsLayerTreeGroup) -> list[str]:
    return [child.name() for child in group.children() if isinstance(child, QgsLayerTreeLayer)]


def test_add_workspace_twice_gives_one_group(styled):
    _add_demo_layer(styled)
    project = QgsProject()
    project.layerTreeRoot().addGroup("其他图层")
    styling.add_workspace_to_project(styled, project)
    group = styling.add_workspace_to_project(styled, project)
    root = project.layerTreeRoot()
    assert [child.name() for child in root.children()] == ["林长制一张图", "其他图层"]
    assert root.children()[0] is group
    assert len(project.mapLayers()) == len(schema.WORKSPACE_LAYERS) + 1
    assert len(group.findLayers()) == len(schema.WORKSPACE_LAYERS) + 1
    names = _layer_names(group)
    assert names[:2] == ["巡林轨迹", "森林督查变化图斑"]  # drawn on top
    assert names.index("森林资源小班") == 4  # the last spatial layer: drawn at the bottom
    assert names[5:] == ["图斑核查记录", "护林员与监管员", "巡林规则", "林长信息变更记录", "管护网格调整记录"]  # tables last
    demo = group.findGroup("演示真值")
    assert demo is not None and not demo.itemVisibilityChecked()
    assert _layer_names(demo) == ["demo_truth_changes"]
    assert group.findLayer(group.findLayers()[1].layerId()).itemVisibilityChecked()


def test_another_workspace_keeps_its_own_group(styled, tmp_path):
    other = str(tmp_path / "other.gpkg")
    create_workspace(other)
    project = QgsProject()
    styling.add_workspace_to_project(styled, project)
    styling.add_workspace_to_project(other, project)
    assert [child.name() for child in project.layerTreeRoot().children()] == ["林长制一张图", "林长制一张图"]
    assert len(project.mapLayers()) == 2 * len(schema.WORKSPACE_LAYERS)


def test_damaged_file_is_a_workspace_error(qgis_app, tmp_path):
    path = str(tmp_path / "broken.gpkg")
    with open(path, "wb") as handle:
        handle.write(b"SQLite format 3\x00" + os.urandom(3000))
    project = QgsProject()
    with pytest.raises(WorkspaceError):
        styling.add_workspace_to_project(path, project)
    assert project.layerTreeRoot().children() == [] and not project.mapLayers()
    with pytest.raises(WorkspaceError):
        styling.save_default_styles(path)
    assert styling.load_workspace_layers(path) == []


def test_not_a_geopackage_is_a_workspace_error(qgis_app, tmp_path):
    path = str(tmp_path / "garbage.gpkg")
    with open(path, "wb") as handle:
        handle.write(b"this is not a geopackage\n" * 40)
    with pytest.raises(WorkspaceError):
        styling.add_workspace_to_project(path, QgsProject())
    with pytest.raises(WorkspaceError):
        styling.save_default_styles(path)


def test_extra_layers_are_styled_too(qgis_app, tmp_path):
    """The demo's truth layers get their Chinese aliases and style through ``extra_layers``."""
    from linzhang_qgis.core.demo.writer import TRUTH_CLEARINGS
    from linzhang_qgis.core.workspace import create_layer

    path = str(tmp_path / "ws.gpkg")
    create_workspace(path)
    dataset = ogr.Open(path, 1)
    create_layer(dataset, TRUTH_CLEARINGS, 4547)
    dataset = None
    styled = styling.save_default_styles(path, extra_layers=(TRUTH_CLEARINGS,))
    assert "demo_truth_clearings" in styled
    layer = QgsVectorLayer(f"{path}|layername=demo_truth_clearings", "truth", "ogr")
    assert layer.attributeDisplayName(layer.fields().indexOf("in_cloud")) == "被云遮挡"
    assert layer.editorWidgetSetup(layer.fields().indexOf("cause")).type() == "ValueMap"
