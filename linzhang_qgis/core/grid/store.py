"""The workspace's management-grid layer (grid_zones): replacing the zones of some areas in one transaction."""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from .. import schema
from ..errors import WorkspaceError


def _reprojector(source, target) -> Optional[Callable]:
    """A coordinate function for shapely.transform between two CRSs (WKT or EPSG code); None when equal."""
    from pyproj import CRS, Transformer

    source, target = CRS.from_user_input(source), CRS.from_user_input(target)
    if source == target:
        return None
    transformer = Transformer.from_crs(source, target, always_xy=True)
    return lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def replace_zones(path: str, zones, crs_wkt: str) -> tuple[int, int]:
    """Delete the workspace zones of the areas in ``zones`` (column area_code) and add ``zones`` (the
    fields of schema.GRID_ZONES, geometry in ``crs_wkt``), all in one transaction. Returns (deleted, added)."""
    import shapely
    from osgeo import ogr

    from ..workspace import read_workspace_info

    info = read_workspace_info(path)
    reproject = _reprojector(crs_wkt, info.epsg)
    ogr.UseExceptions()
    dataset = ogr.Open(path, update=1)
    if dataset is None:
        raise WorkspaceError(f"无法写入工作空间 {path}。", f"Cannot write to the workspace {path}.")
    layer = dataset.GetLayerByName(schema.GRID_ZONES.name)
    codes = sorted({str(code) for code in zones["area_code"]})
    names = [name for name in schema.GRID_ZONES.field_names if name in zones.columns]
    dataset.StartTransaction()
    try:
        deleted = 0
        if codes:
            layer.SetAttributeFilter("area_code IN ({})".format(", ".join(_quoted(code) for code in codes)))
            fids = [feature.GetFID() for feature in layer]
            layer.SetAttributeFilter(None)
            for fid in fids:
                layer.DeleteFeature(fid)
            deleted = len(fids)
        for row, geometry in zip(zones[names].itertuples(index=False), zones.geometry.values):
            feature = ogr.Feature(layer.GetLayerDefn())
            for name, value in zip(names, row):
                if value is None or (isinstance(value, float) and value != value):
                    feature.SetFieldNull(name)
                else:
                    feature.SetField(name, value.item() if hasattr(value, "item") else value)
            if reproject is not None:
                geometry = shapely.transform(geometry, reproject)
            feature.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(
                shapely.multipolygons(shapely.get_parts(geometry)))))
            layer.CreateFeature(feature)
    except Exception:
        dataset.RollbackTransaction()
        raise
    dataset.CommitTransaction()
    dataset = None
    return deleted, len(zones)
