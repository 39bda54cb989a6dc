"""Writing the demo into the workspace GeoPackage with GDAL's OGR, one transaction per layer.

The truth layers (demo_truth_*) are declared here like the workspace layers in ``schema``, so that
they get the same Chinese aliases; they are not part of the workspace schema.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional, Sequence

import numpy as np
import shapely

from .. import schema
from ..workspace import create_layer

F = schema.FieldDef

TRUTH_CLEARINGS = schema.LayerDef(
    "demo_truth_clearings", "示范数据：预设采伐斑块", "demo truth: planted clearings", "MultiPolygon",
    (
        F("clearing_id", "str", "斑块编号", "clearing id", 16, required=True),
        F("area_m2", "real", "面积(平方米)", "area (m²)"),
        F("area_mu", "real", "面积(亩)", "area (mu)"),
        F("cause", "int", "变化原因", "cause", codes="suspected_cause"),
        F("in_cloud", "bool", "被云遮挡", "under cloud"),
        F("cloud_frac", "real", "云覆盖比例", "cloud fraction"),
        F("ndvi_after", "real", "后时相NDVI", "NDVI after"),
        F("area_code", "str", "责任区编码", "area code", 32),
        F("village", "str", "村", "village", 32),
        F("lin_ban", "str", "林班号", "compartment", 8),
        F("xiao_ban", "str", "小班号", "sub-compartment", 8),
    ),
    fill="#b4ff7f00", outline="#b30000",
)

TRUTH_PATROLS = schema.LayerDef(
    "demo_truth_patrols", "示范数据：巡林轨迹真值", "demo truth: patrol tracks", "MultiLineString",
    (
        F("file_name", "str", "文件名", "file name", 64, required=True),
        F("patroller", "str", "巡林人", "patroller", 32),
        F("area_code", "str", "责任区编码", "area code", 32),
        F("level", "int", "林长级别", "chief level", codes="area_level"),
        F("kind", "str", "轨迹类型", "kind", 16),
        F("start_time", "datetime", "开始时间(文件)", "start time (as in file)"),
        F("end_time", "datetime", "结束时间(文件)", "end time (as in file)"),
        F("patrol_date", "date", "实际巡林日期", "real patrol date"),
        F("n_points", "int", "轨迹点数", "points"),
        F("length_km", "real", "里程(公里)", "length (km)"),
        F("counts", "bool", "计入巡林", "credited as patrol"),
    ),
    fill="#6a3d9a",
)

TRUTH_COMPLIANCE = schema.LayerDef(
    "demo_truth_compliance", "示范数据：巡林达标真值", "demo truth: patrol compliance", None,
    (
        F("area_code", "str", "责任区编码", "area code", 32, required=True),
        F("level", "int", "林长级别", "chief level", codes="area_level"),
        F("chief_name", "str", "林长姓名", "chief name", 32),
        F("period_kind", "str", "周期", "period", 8, codes="patrol_period"),
        F("periods_required", "int", "应巡周期数", "periods required"),
        F("periods_met", "int", "达标周期数", "periods met"),
        F("compliant", "bool", "是否达标", "compliant"),
    ),
)

TRUTH_LAYERS = (TRUTH_CLEARINGS, TRUTH_PATROLS, TRUTH_COMPLIANCE)


def _ogr():
    from osgeo import ogr  # noqa: PLC0415

    ogr.UseExceptions()
    return ogr


def _multi(geometry):
    kind = geometry.geom_type
    if kind == "Polygon":
        return shapely.MultiPolygon([geometry])
    if kind == "LineString":
        return shapely.MultiLineString([geometry])
    return geometry


def _set(feature, name: str, value) -> None:
    if value is None:
        feature.SetFieldNull(name)
    elif isinstance(value, (bool, np.bool_)):
        feature.SetField(name, int(value))
    elif isinstance(value, dt.datetime):
        utc = value.astimezone(dt.timezone.utc)
        feature.SetField(name, utc.year, utc.month, utc.day, utc.hour, utc.minute, float(utc.second), 100)
    elif isinstance(value, dt.date):
        feature.SetField(name, value.year, value.month, value.day, 0, 0, 0.0, 0)
    elif isinstance(value, np.integer):
        feature.SetField(name, int(value))
    elif isinstance(value, np.floating):
        feature.SetField(name, float(value))
    else:
        feature.SetField(name, value)


def write_layer(dataset, name: str, rows: Sequence[dict], geometries: Optional[Iterable] = None) -> int:
    """Append ``rows`` (field name -> value) and their geometries to a layer, in one transaction."""
    ogr = _ogr()
    layer = dataset.GetLayerByName(name)
    definition = layer.GetLayerDefn()
    geometries = list(geometries) if geometries is not None else [None] * len(rows)
    dataset.StartTransaction()
    try:
        for row, geometry in zip(rows, geometries):
            feature = ogr.Feature(definition)
            for key, value in row.items():
                _set(feature, key, value)
            if geometry is not None:
                feature.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(_multi(geometry))))
            layer.CreateFeature(feature)
    except Exception:
        dataset.RollbackTransaction()
        raise
    dataset.CommitTransaction()
    return len(rows)


def open_for_update(path: str):
    ogr = _ogr()
    return ogr.Open(path, update=1)


def add_truth_layers(dataset, epsg: int) -> None:
    for layer in TRUTH_LAYERS:
        create_layer(dataset, layer, epsg)
