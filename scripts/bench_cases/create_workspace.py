"""A new, empty one-map workspace: our writer vs. building the same layers by hand in QGIS."""
from __future__ import annotations

import os

NAME = "create_workspace"
DESCRIPTION = ("`linzhang:createworkspace`: an empty one-map workspace GeoPackage (8 layers and tables, "
               "Chinese aliases, value maps, the default patrol rules, a default style per layer).")
BASELINE = ("8 memory layers with the same fields (QgsVectorLayer + QgsField), Chinese aliases and value maps "
            "set, the 4 patrol rules typed in, then `native:package` (SAVE_STYLES) into one GeoPackage; "
            "renderers and labels are not set, so the baseline does less than ours.")


def prepare(workdir: str) -> dict:
    return {}


def ours(workdir: str, prepared: dict) -> None:
    import processing

    processing.run("linzhang:createworkspace",
                   {"OUTPUT": os.path.join(workdir, "workspace.gpkg"), "ADD_TO_PROJECT": False})


def baseline(workdir: str, prepared: dict) -> None:
    import processing
    from linzhang_qgis.core import schema
    from qgis.core import QgsEditorWidgetSetup, QgsFeature, QgsField, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    types = {"str": QVariant.String, "int": QVariant.Int, "real": QVariant.Double,
             "date": QVariant.Date, "datetime": QVariant.DateTime, "bool": QVariant.Bool}
    layers = []
    for layer_def in schema.WORKSPACE_LAYERS:
        layer = QgsVectorLayer(f"{layer_def.geometry or 'None'}?crs=EPSG:{schema.DEFAULT_EPSG}", layer_def.name,
                               "memory")
        layer.dataProvider().addAttributes([QgsField(f.name, types[f.type], len=f.width) for f in layer_def.fields])
        layer.updateFields()
        for index, fld in enumerate(layer_def.fields):
            layer.setFieldAlias(index, fld.alias_zh)
            if fld.codes:
                entries = [{zh: value} for value, (zh, _en) in schema.CODE_LISTS[fld.codes].items()]
                layer.setEditorWidgetSetup(index, QgsEditorWidgetSetup("ValueMap", {"map": entries}))
        if layer_def is schema.PATROL_RULES:
            for rule in schema.DEFAULT_PATROL_RULES:
                feature = QgsFeature(layer.fields())
                feature.setAttributes([*rule, "章贡区林长巡林工作方案"])
                layer.dataProvider().addFeature(feature)
        layers.append(layer)
    processing.run("native:package", {"LAYERS": layers, "OUTPUT": os.path.join(workdir, "workspace.gpkg"),
                                      "OVERWRITE": True, "SAVE_STYLES": True})
