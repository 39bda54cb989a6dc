"""Menu action: the forest-loss detection dialog, prefilled from the workspace open in the project."""
from __future__ import annotations

from qgis.core import QgsProject, QgsVectorLayer

ALGORITHM = "linzhang:detectforestloss"


def _workspace_layer(project: QgsProject, layer_name: str):
    """The first vector layer of the project that is ``layer_name`` of a GeoPackage (a workspace's)."""
    for layer in project.mapLayers().values():
        if isinstance(layer, QgsVectorLayer) and layer.source().endswith(f"|layername={layer_name}"):
            return layer
    return None


def detection_defaults(project: QgsProject) -> dict:
    """AREAS, FOREST and WORKSPACE from the workspace in the project (its responsibility areas, its
    forest stands, its file); nothing when none is open."""
    defaults: dict = {}
    areas = _workspace_layer(project, "resp_areas")
    if areas is not None:
        defaults["AREAS"] = areas.id()
        defaults["WORKSPACE"] = areas.source().split("|")[0]
    stands = _workspace_layer(project, "forest_stands")
    if stands is not None:
        defaults["FOREST"] = stands.id()
    return defaults


def detect_forest_loss(iface) -> None:
    """The standard Processing dialog (progress, cancel, log) with the workspace's layers filled in."""
    import processing

    processing.execAlgorithmDialog(ALGORITHM, detection_defaults(QgsProject.instance()))
