"""The bridge between QGIS feature sources and GeoDataFrames: geometry, CRS, dates, NULLs, missing fields."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDateTime, QVariant

from linzhang_qgis.core.errors import InputDataError
from linzhang_qgis.qgis_glue import frames


@pytest.fixture()
def layer(qgis_app):
    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string&field=seen:datetime&field=n:integer",
                           "points", "memory")
    features = []
    for name, seen, n, (lon, lat) in (("甲", QDateTime(2026, 3, 1, 8, 30), 3, (114.93, 25.83)),
                                      ("乙", None, None, (114.95, 25.85))):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([name, seen, n])
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def test_source_to_frame_reprojects_and_converts_values(layer):
    frame = frames.source_to_frame(layer, ["name", "seen", "n"], QgsCoordinateReferenceSystem("EPSG:4547"))
    assert list(frame["name"]) == ["甲", "乙"]
    assert frame["seen"][0] == dt.datetime(2026, 3, 1, 8, 30) and pd.isna(frame["seen"][1])
    assert pd.isna(frame["n"][1])
    assert abs(frame.geometry[0].x - 593245.6) < 1 and abs(frame.geometry[0].y - 2858330.6) < 1


def test_missing_field_is_named_in_both_languages(layer):
    with pytest.raises(InputDataError) as caught:
        frames.source_to_frame(layer, ["name", "chief_name"], QgsCoordinateReferenceSystem("EPSG:4547"),
                               layer_label="责任区")
    assert "chief_name" in caught.value.message_zh and "lacks the fields" in caught.value.message_en


def test_frame_to_sink_round_trip(layer):
    frame = frames.source_to_frame(layer, ["name", "seen", "n"], layer.crs())
    fields = frames.qgis_fields([("name", QVariant.String), ("seen", QVariant.DateTime), ("n", QVariant.Int)])
    out = QgsVectorLayer("Point?crs=EPSG:4326", "out", "memory")
    out.dataProvider().addAttributes(list(fields))
    out.updateFields()
    assert frames.frame_to_sink(frame, out.dataProvider(), out.fields()) == 2
    written = list(out.getFeatures())
    assert written[0]["name"] == "甲" and written[0]["seen"] == QDateTime(2026, 3, 1, 8, 30)
    assert written[1]["n"] is None or (isinstance(written[1]["n"], QVariant) and written[1]["n"].isNull())
    assert written[1].geometry().asPoint().x() == pytest.approx(114.95)
