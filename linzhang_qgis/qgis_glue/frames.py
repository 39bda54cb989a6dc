"""QGIS feature sources ⇄ geopandas GeoDataFrames, the one bridge between Processing and the core.

Geometries cross as WKB (vectorised with shapely on the way in), dates and times as Python
datetimes (naive, as stored); NULL becomes pandas' missing value (None, NaN or NaT by column type). Every loop checks the feedback for cancel.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional, Sequence

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QVariant

from ..core.errors import InputDataError
from ..i18n import bilingual, tr, tr_noop


# Qgis.WkbType from QGIS 3.30 (QGIS 4 has only it); QgsWkbTypes.Type before
WKB_TYPE = getattr(Qgis, "WkbType", None) or QgsWkbTypes.Type
# the workspace schema's field types (core/schema.py) as QGIS field types
FIELD_TYPES = {"str": QVariant.Type.String, "int": QVariant.Type.Int, "real": QVariant.Type.Double,
               "datetime": QVariant.Type.DateTime, "date": QVariant.Type.Date, "bool": QVariant.Type.Bool}

def python_value(value):
    """A QGIS attribute value as plain Python (QDateTime → datetime, NULL → None)."""
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    if isinstance(value, QDateTime):
        return value.toPyDateTime() if value.isValid() else None
    if isinstance(value, QDate):
        return value.toPyDate() if value.isValid() else None
    return value


def require_fields(source, names: Iterable[str], layer_label: str) -> None:
    """A clear error naming the missing fields (Chinese and English) instead of a KeyError later."""
    present = set(source.fields().names())
    missing = [name for name in names if name not in present]
    if missing:
        raise InputDataError(
            "图层“{}”缺少字段：{}。".format(layer_label, "、".join(missing)),
            "The layer '{}' lacks the fields: {}.".format(layer_label, ", ".join(missing)),
        )


def source_to_frame(source, field_names: Sequence[str], target_crs: QgsCoordinateReferenceSystem,
                    feedback: Optional[QgsProcessingFeedback] = None, layer_label: str = ""):
    """Read ``field_names`` and the geometry of every feature of ``source`` into a GeoDataFrame in ``target_crs``.

    Features without geometry keep a None geometry; the column ``fid`` holds the feature id.
    """
    import geopandas as gpd
    import shapely

    require_fields(source, field_names, layer_label or source.sourceName())
    transform = None
    if source.sourceCrs().isValid() and source.sourceCrs() != target_crs:
        transform = QgsCoordinateTransform(source.sourceCrs(), target_crs, QgsProject.instance())
    request = QgsFeatureRequest().setSubsetOfAttributes(list(field_names), source.fields())
    total = max(source.featureCount(), 1)
    records: dict[str, list] = {name: [] for name in ("fid", *field_names)}
    wkbs: list = []
    for index, feature in enumerate(source.getFeatures(request)):
        if feedback is not None and index % 1000 == 0:
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Canceled."))
            feedback.setProgress(100.0 * index / total)
        records["fid"].append(feature.id())
        for name in field_names:
            records[name].append(python_value(feature[name]))
        geometry = feature.geometry()
        if geometry is None or geometry.isNull():
            wkbs.append(None)
            continue
        if transform is not None:
            geometry = QgsGeometry(geometry)
            geometry.transform(transform)
        wkbs.append(bytes(geometry.asWkb()))
    geometries = shapely.from_wkb(wkbs) if wkbs else []
    return gpd.GeoDataFrame(records, geometry=gpd.GeoSeries(geometries, crs=target_crs.toWkt() or None))


def schema_fields(layer_def) -> QgsFields:
    """The fields of a workspace layer (a core.schema.LayerDef), for an output with the same fields."""
    return qgis_fields([(field.name, FIELD_TYPES[field.type]) for field in layer_def.fields])


def qgis_fields(columns: Sequence[tuple[str, QVariant.Type]]) -> QgsFields:
    fields = QgsFields()
    for name, kind in columns:
        fields.append(QgsField(name, kind))
    return fields


def _qgis_value(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return QDateTime(value)
    if isinstance(value, dt.date):
        return QDate(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def frame_to_sink(frame, sink: QgsFeatureSink, fields: QgsFields,
                  feedback: Optional[QgsProcessingFeedback] = None) -> int:
    """Write the rows of ``frame`` (columns named as ``fields``, geometry in the sink's CRS) to ``sink``."""
    import pandas as pd

    total = max(len(frame), 1)
    names = fields.names()
    has_geometry = "geometry" in frame.columns
    wkbs = frame.geometry.to_wkb() if has_geometry else None
    written = 0
    for index, row in enumerate(frame.itertuples(index=False)):
        if feedback is not None and index % 500 == 0:
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Canceled."))
            feedback.setProgress(100.0 * index / total)
        feature = QgsFeature(fields)
        values = row._asdict()
        feature.setAttributes([_qgis_value(None if _is_missing(values.get(name), pd) else values.get(name))
                               for name in names])
        if has_geometry and wkbs.iloc[index] is not None:
            geometry = QgsGeometry()
            geometry.fromWkb(wkbs.iloc[index])
            feature.setGeometry(geometry)
        if not sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert):
            message = tr_noop("Could not write a feature to the output.")
            raise QgsProcessingException(bilingual(tr(message), message))
        written += 1
    return written


def add_multi_feature(sink: QgsFeatureSink, fields: QgsFields, geometry: QgsGeometry, attributes: list) -> None:
    """Write one feature with ``geometry`` made multi-part (the sinks are declared Multi*) or a clear error."""
    out = QgsFeature(fields)
    geometry = QgsGeometry(geometry)
    if not geometry.isNull() and not geometry.isMultipart():
        geometry.convertToMultiType()
    out.setGeometry(geometry)
    out.setAttributes(attributes)
    if not sink.addFeature(out, QgsFeatureSink.Flag.FastInsert):
        message = tr_noop("Could not write a feature to the output.")
        raise QgsProcessingException(bilingual(tr(message), message))


def _is_missing(value, pd) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
