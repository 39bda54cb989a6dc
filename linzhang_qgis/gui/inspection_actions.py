"""Menu action: the forest-loss detection dialog, prefilled from the workspace open in the project."""
from __future__ import annotations

from qgis.core import QgsProject, QgsRasterLayer

from .workspace_panel import source_file, workspace_layer

ALGORITHM = "linzhang:detectforestloss"


def dated_rasters(project: QgsProject) -> tuple[list, object]:
    """(raster layers whose file names carry a date, oldest first; a layer whose file name says cloud)."""
    import os

    from ..core.change.dates import date_in_file_name

    dated, cloud = [], None
    for layer in project.mapLayers().values():
        if not isinstance(layer, QgsRasterLayer) or layer.providerType() != "gdal":
            continue
        name = os.path.basename(layer.source())
        if "cloud" in name.lower() or "云" in name:
            cloud = cloud or layer
            continue
        date = date_in_file_name(layer.source())
        if date is not None:
            dated.append((date, layer))
    return [layer for _, layer in sorted(dated, key=lambda pair: pair[0])], cloud


def detection_defaults(project: QgsProject) -> dict:
    """AREAS, FOREST and WORKSPACE from the workspace in the project (its responsibility areas, its
    forest stands, its file; the one highest in the layer tree, as the docks take it); BEFORE and AFTER
    when the project holds two images with dates in their file names (oldest first), and CLOUD_MASK from
    an image named as a cloud mask."""
    defaults: dict = {}
    images, cloud = dated_rasters(project)
    if len(images) == 2:
        defaults["BEFORE"], defaults["AFTER"] = images[0].id(), images[1].id()
        if cloud is not None:
            defaults["CLOUD_MASK"] = cloud.id()
    areas = workspace_layer(project, "resp_areas")
    if areas is not None:
        defaults["AREAS"] = areas.id()
        defaults["WORKSPACE"] = source_file(areas)
    stands = workspace_layer(project, "forest_stands")
    if stands is not None:
        defaults["FOREST"] = stands.id()
    return defaults


def detect_forest_loss(iface) -> None:
    """The standard Processing dialog (progress, cancel, log) with the workspace's layers filled in."""
    import processing

    processing.execAlgorithmDialog(ALGORITHM, detection_defaults(QgsProject.instance()))
