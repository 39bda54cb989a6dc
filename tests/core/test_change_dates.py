"""Acquisition dates (core.change.dates): acquisition tags first, then the file name, the TIFF date last."""
from __future__ import annotations

import datetime as dt

import pytest

from linzhang_qgis.core.change.dates import acquisition_date, date_in_file_name, date_in_text

D = dt.date


@pytest.mark.parametrize("name, expected", [
    ("/data/S2_L2A_T32TMT_20200807_B04_B08.tif", D(2020, 8, 7)),
    ("S2_L2A_T32TMT_20210812_B04_B08.tif", D(2021, 8, 12)),
    ("/x/180819_b04_ex.tif", D(2018, 8, 19)),
    ("190617_red_nir.vrt", D(2019, 6, 17)),
    ("before_20251020.tif", D(2025, 10, 20)),
    ("after-2024-05-31.tif", D(2024, 5, 31)),
    ("S2A_MSIL2A_20190617T102031_N0212_R065_T32TMT_20190617T134411.tif", D(2019, 6, 17)),
    ("LC08_L2SP_119038_20230912_20230919_02_T1_SR_B4.TIF", D(2023, 9, 12)),
])
def test_date_in_file_name(name, expected):
    assert date_in_file_name(name) == expected


@pytest.mark.parametrize("name", ["forest_before.tif", "T32TMT_B04.tif", "image_20201340.tif", "tile_123.tif",
                                  "scene_2345678901.tif", "/dir_20200807/image.tif"])
def test_no_date_in_file_name(name):
    """No date, an impossible one (month 13), digits that are part of a longer number, a date in a folder."""
    assert date_in_file_name(name) is None


def test_impossible_day_is_not_a_date():
    assert date_in_text("20210230") is None  # 30 February
    assert date_in_text("taken 2021:02:28 10:00") == D(2021, 2, 28)


def test_acquisition_tag_comes_first():
    tags = {"ACQUISITION_DATE": "2020-08-07", "TIFFTAG_DATETIME": "2023:01:05 10:00:00"}
    assert acquisition_date("/d/after_20211231.tif", tags) == (D(2020, 8, 7), "ACQUISITION_DATE")


@pytest.mark.parametrize("key, value, expected", [
    ("acquisition_date", "2020-08-07", D(2020, 8, 7)),  # tag names in any case
    ("SENSING_TIME", "2019-06-17T10:20:31.024Z", D(2019, 6, 17)),
    ("DATE_ACQUIRED", "2023-09-12", D(2023, 9, 12)),
    ("PRODUCT_START_TIME", "2022-07-01T03:04:05Z", D(2022, 7, 1)),
])
def test_other_acquisition_tags(key, value, expected):
    assert acquisition_date("image.tif", {key: value}) == (expected, key.upper())


def test_file_name_before_tiff_datetime():
    tags = {"TIFFTAG_DATETIME": "2023:01:05 10:00:00", "ACQUISITION_DATE": "unknown"}
    assert acquisition_date("/d/S2_L2A_T32TMT_20200807_B04_B08.tif", tags) == (D(2020, 8, 7), "file name")
    assert acquisition_date("/d/180819_b04_ex.tif", {}) == (D(2018, 8, 19), "file name")


def test_tiff_datetime_is_the_last_resort():
    assert acquisition_date("/d/mosaic.tif", {"TIFFTAG_DATETIME": "2023:01:05 10:00:00"}) == \
        (D(2023, 1, 5), "TIFFTAG_DATETIME")


def test_no_date_anywhere():
    assert acquisition_date("/d/mosaic.tif", {"AREA_OR_POINT": "Area", "TIFFTAG_DATETIME": "unknown"}) == (None, "")
    assert acquisition_date("mosaic.tif", {}) == (None, "")
