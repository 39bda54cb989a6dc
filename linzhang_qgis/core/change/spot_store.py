"""The workspace's change-spot layer: the spots already there, and adding new ones in one transaction."""
from __future__ import annotations

import datetime as dt
from typing import Callable, Optional, Sequence

import numpy as np
import shapely

from .. import schema
from ..errors import WorkspaceError
from .spots import ExistingSpot, SpotRecord


def _reprojector(source, target) -> Optional[Callable]:
    """A coordinate function for shapely.transform from one CRS to another (WKT or EPSG code), or None
    when they are the same."""
    from pyproj import CRS, Transformer

    source, target = CRS.from_user_input(source), CRS.from_user_input(target)
    if source == target:
        return None
    transformer = Transformer.from_crs(source, target, always_xy=True)
    return lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))


def existing_spots(path: str, crs_wkt: str) -> list[ExistingSpot]:
    """The spots in the workspace at ``path``, their geometry in ``crs_wkt``."""
    from osgeo import ogr

    from ..workspace import read_workspace_info

    info = read_workspace_info(path)
    to_spots_crs = _reprojector(info.epsg, crs_wkt)
    ogr.UseExceptions()
    dataset = ogr.Open(path)
    layer = dataset.GetLayerByName(schema.CHANGE_SPOTS.name)
    spots = []
    for feature in layer:
        geometry_ref = feature.GetGeometryRef()
        if geometry_ref is None:
            continue
        geometry = shapely.from_wkb(bytes(geometry_ref.ExportToIsoWkb()))
        if to_spots_crs is not None:
            geometry = shapely.transform(geometry, to_spots_crs)
        spots.append(ExistingSpot(feature.GetField("spot_no") or "", feature.GetField("round_id") or "", geometry))
    dataset = None
    return spots


def _set(feature, name: str, value) -> None:
    if value is None:
        feature.SetFieldNull(name)
    elif isinstance(value, dt.date):
        feature.SetField(name, value.year, value.month, value.day, 0, 0, 0.0, 0)
    elif isinstance(value, bool):
        feature.SetField(name, int(value))
    else:
        feature.SetField(name, value)


def append_spots(path: str, records: Sequence[SpotRecord], crs_wkt: str) -> int:
    """Add the records that are not repeats to the workspace's change spots in one transaction
    (all or nothing). Returns how many were added."""
    from osgeo import ogr

    from ..workspace import read_workspace_info

    info = read_workspace_info(path)
    reproject = _reprojector(crs_wkt, info.epsg)
    new = [record for record in records if not record.repeat_of]
    ogr.UseExceptions()
    dataset = ogr.Open(path, update=1)
    if dataset is None:
        raise WorkspaceError(f"无法写入工作空间 {path}。", f"Cannot write to the workspace {path}.")
    layer = dataset.GetLayerByName(schema.CHANGE_SPOTS.name)
    dataset.StartTransaction()
    try:
        for record in new:
            feature = ogr.Feature(layer.GetLayerDefn())
            for name, value in record.values.items():
                _set(feature, name, value)
            geometry = record.geometry if reproject is None else shapely.transform(record.geometry, reproject)
            feature.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(shapely.multipolygons(
                shapely.get_parts(geometry)))))
            layer.CreateFeature(feature)
    except Exception:
        dataset.RollbackTransaction()
        raise
    dataset.CommitTransaction()
    dataset = None
    return len(new)
