"""The 林长制 › 检测森林减少 action: its Processing dialog comes prefilled from the open workspace."""
from __future__ import annotations

from qgis.core import QgsProject

from linzhang_qgis.gui.inspection_actions import detection_defaults


def test_defaults_come_from_the_workspace_in_the_project(qgis_app, tmp_path):
    from linzhang_qgis.core.workspace import create_workspace
    from linzhang_qgis.qgis_glue.styling import add_workspace_to_project

    project = QgsProject()
    assert detection_defaults(project) == {}
    path = str(tmp_path / "ws.gpkg")
    create_workspace(path)
    add_workspace_to_project(path, project)
    defaults = detection_defaults(project)
    assert defaults["WORKSPACE"] == path
    assert project.mapLayer(defaults["AREAS"]).source().endswith("|layername=resp_areas")
    assert project.mapLayer(defaults["FOREST"]).source().endswith("|layername=forest_stands")
    assert "BEFORE" not in defaults  # no imagery in the project


def test_dated_images_fill_before_after_and_cloud_mask(qgis_app, tmp_path):
    import numpy as np
    import rasterio
    from qgis.core import QgsRasterLayer
    from rasterio.transform import from_origin

    project = QgsProject()
    paths = {}
    for name in ("after_20261018.tif", "before_20251020.tif", "cloud_mask_20261018.tif"):
        paths[name] = str(tmp_path / name)
        with rasterio.open(paths[name], "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8",
                           crs="EPSG:4547", transform=from_origin(500000, 2800000, 10, 10)) as dataset:
            dataset.write(np.ones((1, 4, 4), np.uint8))
        project.addMapLayer(QgsRasterLayer(paths[name], name))
    defaults = detection_defaults(project)
    assert project.mapLayer(defaults["BEFORE"]).source() == paths["before_20251020.tif"]
    assert project.mapLayer(defaults["AFTER"]).source() == paths["after_20261018.tif"]
    assert project.mapLayer(defaults["CLOUD_MASK"]).source() == paths["cloud_mask_20261018.tif"]
