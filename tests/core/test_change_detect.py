"""Forest-loss detection between two dates (core.change.detect): real Sentinel-2 pairs (a pair with known
clearings, a control pair on offset grids), refused inputs, cancel and progress, and synthetic pairs with
planted clearings of known size."""
from __future__ import annotations

import os
import re

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from linzhang_qgis.core.change.detect import DetectionCanceled, DetectionOptions, detect_forest_loss
from linzhang_qgis.core.change.raster_pair import AlignedPair, Bands
from linzhang_qgis.core.errors import InputDataError

DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data")
MERENSCHWAND = os.path.join(DATA, "s2_merenschwand")
M_BEFORE = os.path.join(MERENSCHWAND, "S2_L2A_T32TMT_20200807_B04_B08.tif")
M_AFTER = os.path.join(MERENSCHWAND, "S2_L2A_T32TMT_20210812_B04_B08.tif")
HERZNACH = os.path.join(DATA, "s2_herznach")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def assert_two_languages(error, *english_words):
    """str(): a Chinese line, then an English one that names the problem."""
    zh, en = str(error).split("\n")
    assert CHINESE.search(zh) and CHINESE.search(error.message_zh)
    assert not CHINESE.search(en) and re.search(r"[A-Za-z]{4,}", en)
    for word in english_words:
        assert word.lower() in en.lower(), en


def spot_area_sum(detection):
    return sum(spot.area_m2 for spot in detection.spots)


# --- Merenschwand: real clearings and storm damage inside the forest ------------------------

@pytest.fixture(scope="module")
def merenschwand_forest():
    with rasterio.open(M_BEFORE) as dataset:
        crs = dataset.crs
    forest = gpd.read_file(os.path.join(MERENSCHWAND, "wa.shp"))
    assert forest.crs.to_epsg() == 2056  # another CRS than the imagery's: reprojected here
    return list(forest.to_crs(crs).geometry)


@pytest.fixture(scope="module")
def merenschwand(merenschwand_forest):
    return detect_forest_loss(M_BEFORE, M_AFTER, DetectionOptions(), forest=merenschwand_forest)


def test_merenschwand_finds_the_clearings_inside_the_forest(merenschwand, merenschwand_forest):
    detection = merenschwand
    assert detection.spots
    assert 5e4 <= spot_area_sum(detection) <= 12e4  # about 7 ha drop more than 0.2 (README)
    forest = shapely.union_all(merenschwand_forest)
    for spot in detection.spots:
        assert spot.geometry.is_valid and spot.area_m2 >= 666.7
        assert shapely.intersection(spot.geometry, forest).area >= 0.95 * spot.geometry.area
        assert spot.area_mu == pytest.approx(spot.area_m2 * 15 / 10000)
        assert spot.mean_dindex >= detection.threshold.value
        assert spot.max_dindex >= spot.mean_dindex
        assert spot.confidence in ("low", "high", "highest")
    assert any(spot.confidence == "highest" for spot in detection.spots)
    assert detection.threshold.from_data and 0.15 <= detection.threshold.value < 0.3
    assert 0 < detection.forest_pixels < detection.valid_pixels <= detection.width * detection.height
    assert not detection.warped  # same grid


def test_merenschwand_dates_come_from_the_acquisition_tags(merenschwand):
    assert str(merenschwand.before_date) == "2020-08-07"
    assert str(merenschwand.after_date) == "2021-08-12"
    assert merenschwand.date_sources == ("ACQUISITION_DATE", "ACQUISITION_DATE")
    assert merenschwand.epsg == 32632


def test_merenschwand_tiny_strips_give_the_same_spots(merenschwand, merenschwand_forest):
    with AlignedPair(M_BEFORE, M_AFTER, Bands()) as pair:
        assert pair.height // pair.strip_rows(5_000) >= 20  # really many strips
    tiny = detect_forest_loss(M_BEFORE, M_AFTER, DetectionOptions(strip_pixels=5_000), forest=merenschwand_forest)
    assert len(tiny.spots) == len(merenschwand.spots)
    assert tiny.threshold == merenschwand.threshold
    assert (tiny.valid_pixels, tiny.forest_pixels) == (merenschwand.valid_pixels, merenschwand.forest_pixels)
    for a, b in zip(tiny.spots, merenschwand.spots):
        assert a.area_m2 == pytest.approx(b.area_m2, rel=1e-6)
        assert shapely.symmetric_difference(a.geometry, b.geometry).area <= 1e-6 * b.area_m2
        assert a.confidence == b.confidence
        assert a.mean_dindex == pytest.approx(b.mean_dindex, rel=1e-5)


def test_merenschwand_forest_polygons_limit_the_search(merenschwand):
    """Without polygons the forest is where the before-NDVI is at least 0.5: more ground is searched."""
    without = detect_forest_loss(M_BEFORE, M_AFTER, DetectionOptions())
    assert without.forest_pixels > merenschwand.forest_pixels
    assert spot_area_sum(without) > spot_area_sum(merenschwand)


# --- Herznach: the control pair, grids offset by a few metres -------------------------------

def herznach_stacks(tmp_path):
    from osgeo import gdal

    paths = []
    for date in ("180819", "190617"):
        path = str(tmp_path / f"{date}_red_nir.vrt")
        vrt = gdal.BuildVRT(path, [os.path.join(HERZNACH, f"{date}_b04_ex.tif"),
                                   os.path.join(HERZNACH, f"{date}_b08_ex.tif")], separate=True)
        assert vrt is not None
        vrt = None  # written on close
        paths.append(path)
    return paths


def test_herznach_control_pair_has_no_real_loss(tmp_path):
    before, after = herznach_stacks(tmp_path)
    forest = list(gpd.read_file(os.path.join(HERZNACH, "wa_example.shp")).geometry)
    detection = detect_forest_loss(before, after, DetectionOptions(), forest=forest)
    assert detection.warped  # the AFTER grid is offset by a fraction of a pixel: warped onto BEFORE's
    assert len(detection.spots) == 0 or (len(detection.spots) == 1 and detection.spots[0].confidence == "low")
    assert detection.forest_pixels > 5000
    assert (str(detection.before_date), str(detection.after_date)) == ("2018-08-19", "2019-06-17")
    assert detection.date_sources == ("file name", "file name")


# --- synthetic pairs: planted clearings ------------------------------------------------------

SIZE = 300
PIXEL = 10.0
X0, Y0 = 500_000.0, 3_000_000.0
CRS = "EPSG:4547"
TRANSFORM = from_origin(X0, Y0, PIXEL, PIXEL)
FOREST = (300.0, 3000.0, 1000.0)  # red, NIR, SWIR reflectance: NDVI 0.82, NBR 0.5
NOISE = (15.0, 80.0, 30.0)  # standard deviations: the NDVI drop of unchanged forest varies by about 0.013
CHANGES = {  # (red, NIR, SWIR), noise
    "strong": ((1500.0, 1800.0, 2600.0), NOISE),  # bare soil: NDVI 0.09, NBR -0.18 (drops about 0.73, 0.68)
    # thinned: NDVI 0.6, a drop of 0.22 between the threshold (0.15) and twice it; quieter, so that no
    # pixel passes 0.30 by chance
    "weak": ((300.0, 1200.0, 1000.0), (5.0, 20.0, 30.0)),
    "nbr_only": ((300.0, 3000.0, 3400.0), NOISE),  # only the SWIR changes: NBR -0.06, NDVI as before
}
A = (30, 30, 20, 20, "strong")
B = (140, 200, 20, 20, "strong")  # rows 140..159: crosses row 150, a strip border with 50-row strips
C = (230, 60, 20, 20, "strong")
LINE = (100, 80, 2, 150, "strong")  # a 2-pixel-wide line (a road, a misregistered edge): cleaned away
SPECK = (270, 250, 2, 3, "strong")  # 600 m², under the minimum mapping unit
SMALL = (200, 120, 6, 6, "strong")  # 3600 m²


def box_of(rect):
    row0, col0, height, width, _ = rect
    return shapely.box(X0 + col0 * PIXEL, Y0 - (row0 + height) * PIXEL, X0 + (col0 + width) * PIXEL, Y0 - row0 * PIXEL)


def reflectance(rng, values, rects=()):
    """(3, SIZE, SIZE) float reflectance: the forest everywhere, the given change inside ``rects``."""
    bands = np.empty((3, SIZE, SIZE))
    for band, value, noise in zip(bands, values, NOISE):
        band[:] = value + rng.normal(0.0, noise, (SIZE, SIZE))
    for row0, col0, height, width, kind in rects:
        for band, value, noise in zip(bands, *CHANGES[kind]):
            band[row0:row0 + height, col0:col0 + width] = value + rng.normal(0.0, noise, (height, width))
    return bands


def write(path, array, dtype, crs=CRS, transform=TRANSFORM, nodata=None):
    array = np.asarray(array)
    if array.ndim == 2:
        array = array[None]
    profile = dict(driver="GTiff", width=array.shape[2], height=array.shape[1], count=array.shape[0], dtype=dtype,
                   transform=transform, blockysize=10, nodata=nodata)
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(array.astype(dtype))
    return str(path)


def ndvi(bands):
    return (bands[1] - bands[0]) / (bands[1] + bands[0])


def make_pair(tmp_path, rects, bands=2, index=False, seed=0, prefix=""):
    """BEFORE (forest) and AFTER (with the changes) as uint16 reflectance with 2 or 3 bands, or as one
    float32 NDVI band."""
    rng = np.random.default_rng(seed)
    before, after = reflectance(rng, FOREST), reflectance(rng, FOREST, rects)
    paths = []
    for name, values in (("before_20240701", before), ("after_20250703", after)):
        path = tmp_path / f"{prefix}{name}.tif"
        if index:
            paths.append(write(path, ndvi(values), "float32"))
        else:
            paths.append(write(path, np.clip(np.rint(values[:bands]), 1, 10000), "uint16"))
    return paths


def overlap(a, b):
    """The area shared by two geometries (0 when disjoint; intersecting disjoint ones makes GEOS warn)."""
    return shapely.intersection(a, b).area if shapely.intersects(a, b) else 0.0


def matches(detection, rects):
    """For each planted rectangle, the spots that overlap it; asserts no spot lies outside them all."""
    boxes = [box_of(rect) for rect in rects]
    found = [[spot for spot in detection.spots if overlap(spot.geometry, b) > 0] for b in boxes]
    for spot in detection.spots:
        assert sum(overlap(spot.geometry, b) > 0 for b in boxes) == 1, spot
    return found


def assert_found_once(detection, rects, confidence=None):
    for rect, spots in zip(rects, matches(detection, rects)):
        assert len(spots) == 1, rect
        spot = spots[0]
        planted = rect[2] * rect[3] * PIXEL * PIXEL
        assert spot.area_m2 == pytest.approx(planted, rel=0.05)
        assert shapely.intersection(spot.geometry, box_of(rect)).area >= 0.95 * spot.geometry.area
        if confidence:
            assert spot.confidence == confidence, (rect, spot)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("planted")
    return make_pair(tmp_path, [A, B, C, LINE, SPECK])


def test_planted_clearings_are_each_found_once(planted):
    before, after = planted
    with AlignedPair(before, after, Bands()) as pair:
        rows = pair.strip_rows(15_000)
    assert rows == 50 and B[0] < rows * 3 < B[0] + B[2]  # B crosses a strip border
    detection = detect_forest_loss(before, after, DetectionOptions(strip_pixels=15_000))
    assert len(detection.spots) == 3  # not the 2-pixel line, not the speck
    assert_found_once(detection, [A, B, C], confidence="highest")
    assert detection.threshold.value == pytest.approx(0.15)  # quiet noise: the floor
    assert detection.strong_threshold == pytest.approx(0.30)
    for spot in detection.spots:
        assert spot.mean_dindex == pytest.approx(0.73, abs=0.03)
        assert spot.mean_after_index < 0.2 and spot.suspected_cause == 2  # bare ground after
        assert spot.agree_m2 == pytest.approx(spot.area_m2, rel=0.05)
    assert (str(detection.before_date), str(detection.after_date)) == ("2024-07-01", "2025-07-03")
    assert detection.valid_pixels == SIZE * SIZE and detection.forest_pixels == SIZE * SIZE
    assert not detection.warped


@pytest.mark.parametrize("strip_pixels", [3_000, 4_000_000])
def test_planted_clearings_do_not_depend_on_strips(planted, strip_pixels):
    before, after = planted
    reference = detect_forest_loss(before, after, DetectionOptions(strip_pixels=15_000))
    other = detect_forest_loss(before, after, DetectionOptions(strip_pixels=strip_pixels))
    assert [s.area_m2 for s in other.spots] == pytest.approx([s.area_m2 for s in reference.spots], rel=1e-9)
    for a, b in zip(other.spots, reference.spots):
        assert a.geometry.equals(b.geometry)


def test_the_line_is_removed_only_by_the_clean_up(planted):
    before, after = planted
    raw = detect_forest_loss(before, after, DetectionOptions(clean=False, strip_pixels=15_000))
    lines = matches(raw, [A, B, C, LINE, SPECK])
    assert len(lines[3]) == 1 and lines[3][0].area_m2 == pytest.approx(2 * 150 * PIXEL * PIXEL, rel=0.05)
    assert lines[4] == []  # the speck is under the minimum mapping unit even without the clean-up


def test_minimum_mapping_unit(tmp_path):
    before, after = make_pair(tmp_path, [A, SMALL, SPECK])
    default = detect_forest_loss(before, after, DetectionOptions())
    found = matches(default, [A, SMALL, SPECK])
    assert [len(spots) for spots in found] == [1, 1, 0]
    assert found[1][0].area_m2 == pytest.approx(3600.0, rel=0.05)
    assert found[1][0].confidence == "highest"  # 3600 m² agree: at least the 666.7 m² unit
    larger = detect_forest_loss(before, after, DetectionOptions(min_area=5000.0))
    assert [len(spots) for spots in matches(larger, [A, SMALL, SPECK])] == [1, 0, 0]


def test_weak_drop_is_found_with_low_confidence(tmp_path):
    weak = (150, 150, 20, 20, "weak")
    before, after = make_pair(tmp_path, [A, weak])
    detection = detect_forest_loss(before, after, DetectionOptions(strip_pixels=15_000))
    strong_spot, weak_spot = (spots[0] for spots in matches(detection, [A, weak]))
    assert strong_spot.confidence == "highest"
    assert weak_spot.confidence == "low" and weak_spot.agree_m2 < 666.7 / 4
    assert weak_spot.area_m2 == pytest.approx(40_000, rel=0.05)
    assert weak_spot.mean_dindex == pytest.approx(0.22, abs=0.03)
    assert weak_spot.suspected_cause == 1  # still green after: logging rather than land occupation
    given = detect_forest_loss(before, after, DetectionOptions(threshold=0.1, strong_threshold=0.2))
    assert not given.threshold.from_data and given.threshold.value == 0.1
    assert matches(given, [A, weak])[1][0].confidence == "highest"  # 0.22 passes the given strong threshold


def test_swir_band_adds_nbr(tmp_path):
    nbr_only = (150, 150, 20, 20, "nbr_only")
    before, after = make_pair(tmp_path, [A, C, nbr_only], bands=3)
    with_swir = detect_forest_loss(before, after, DetectionOptions(bands=Bands(swir=3), strip_pixels=15_000))
    assert with_swir.nbr_threshold is not None and with_swir.nbr_threshold.from_data
    a, c, n = matches(with_swir, [A, C, nbr_only])
    assert len(a) == len(c) == len(n) == 1
    assert a[0].confidence == c[0].confidence == "highest"  # NDVI and NBR agree over the whole clearing
    assert n[0].confidence == "low" and n[0].agree_m2 == 0  # only NBR dropped
    assert n[0].area_m2 == pytest.approx(40_000, rel=0.05)
    ndvi_only = detect_forest_loss(before, after, DetectionOptions(strip_pixels=15_000))  # bands 1, 2 only
    assert ndvi_only.nbr_threshold is None
    assert [len(spots) for spots in matches(ndvi_only, [A, C, nbr_only])] == [1, 1, 0]


def test_index_input_finds_the_same_clearings(tmp_path, planted):
    before, after = make_pair(tmp_path, [A, B, C, LINE, SPECK], index=True)
    with rasterio.open(before) as dataset:
        assert dataset.count == 1 and dataset.dtypes[0] == "float32"
    detection = detect_forest_loss(before, after, DetectionOptions(bands=Bands(red=1, index_input=True),
                                                                   strip_pixels=15_000))
    assert len(detection.spots) == 3
    assert_found_once(detection, [A, B, C], confidence="highest")
    reflectance_run = detect_forest_loss(*planted, DetectionOptions(strip_pixels=15_000))
    assert [s.area_m2 for s in detection.spots] == pytest.approx([s.area_m2 for s in reflectance_run.spots], rel=0.02)


def test_cloud_mask_hides_the_clearing_under_it(tmp_path, planted):
    before, after = planted
    cloud = np.zeros((SIZE, SIZE), dtype=np.uint8)
    cloud[A[0]:A[0] + A[2], A[1]:A[1] + A[3]] = 1
    cloud_path = write(tmp_path / "cloud.tif", cloud, "uint8")
    detection = detect_forest_loss(before, after, DetectionOptions(cloud_mask=cloud_path, strip_pixels=15_000))
    assert [len(spots) for spots in matches(detection, [A, B, C])] == [0, 1, 1]
    assert_found_once(detection, [B, C], confidence="highest")
    buffer = 6  # 60 m around the cloud, 10 m pixels
    assert detection.valid_pixels == SIZE * SIZE - (A[2] + 2 * buffer) * (A[3] + 2 * buffer)
    unbuffered = detect_forest_loss(before, after, DetectionOptions(cloud_mask=cloud_path, cloud_buffer_m=0,
                                                                    strip_pixels=15_000))
    assert unbuffered.valid_pixels == SIZE * SIZE - A[2] * A[3]
    assert [len(spots) for spots in matches(unbuffered, [A, B, C])] == [0, 1, 1]


def test_cloud_mask_on_a_coarser_grid_is_warped(tmp_path, planted):
    cloud = np.zeros((SIZE // 2, SIZE // 2), dtype=np.uint8)
    cloud[A[0] // 2:(A[0] + A[2]) // 2, A[1] // 2:(A[1] + A[3]) // 2] = 1  # 20 m pixels over clearing A
    cloud_path = write(tmp_path / "cloud_20m.tif", cloud, "uint8", transform=from_origin(X0, Y0, 20.0, 20.0))
    detection = detect_forest_loss(*planted, DetectionOptions(cloud_mask=cloud_path, cloud_buffer_m=0,
                                                              strip_pixels=15_000))
    assert detection.valid_pixels == SIZE * SIZE - A[2] * A[3]
    assert [len(spots) for spots in matches(detection, [A, B, C])] == [0, 1, 1]


def test_after_on_the_same_grid_shifted_by_whole_pixels(tmp_path):
    """AFTER starts 50 columns east of BEFORE on the same grid: read through a window, not warped; only the
    overlap is searched, and the spots stay where they are on the ground."""
    rng = np.random.default_rng(3)
    before = reflectance(rng, FOREST)
    after = reflectance(rng, FOREST, [A, B, C])
    shift = 50
    shifted = np.concatenate([after[:2, :, shift:], reflectance(rng, FOREST)[:2, :, :shift]], axis=2)
    before_path = write(tmp_path / "before.tif", np.clip(np.rint(before[:2]), 1, 10000), "uint16")
    after_path = write(tmp_path / "after.tif", np.clip(np.rint(shifted), 1, 10000), "uint16",
                       transform=from_origin(X0 + shift * PIXEL, Y0, PIXEL, PIXEL))
    detection = detect_forest_loss(before_path, after_path, DetectionOptions(strip_pixels=3_000))
    assert not detection.warped
    assert (detection.width, detection.height) == (SIZE - shift, SIZE)
    assert detection.valid_pixels == (SIZE - shift) * SIZE
    assert [len(spots) for spots in matches(detection, [A, B, C])] == [0, 1, 1]  # A lies west of the overlap
    assert_found_once(detection, [B, C], confidence="highest")


def test_geographic_crs_areas_are_geodesic(tmp_path):
    from pyproj import Geod

    rng = np.random.default_rng(4)
    before, after = reflectance(rng, FOREST), reflectance(rng, FOREST, [A, B, C])
    step = 0.0001  # degrees: about 11 m x 9.6 m at 30° N
    transform = from_origin(114.0, 30.0, step, step)
    paths = [write(tmp_path / f"{name}.tif", np.clip(np.rint(values[:2]), 1, 10000), "uint16", crs="EPSG:4326",
                   transform=transform) for name, values in (("b", before), ("a", after))]
    detection = detect_forest_loss(*paths, DetectionOptions(strip_pixels=3_000))
    geod = Geod(ellps="WGS84")
    assert len(detection.spots) == 3
    for row0, col0, height, width, _ in (A, B, C):
        box = shapely.box(114.0 + col0 * step, 30.0 - (row0 + height) * step, 114.0 + (col0 + width) * step,
                          30.0 - row0 * step)
        spots = [spot for spot in detection.spots if overlap(spot.geometry, box) > 0]
        assert len(spots) == 1
        assert spots[0].area_m2 == pytest.approx(abs(geod.geometry_area_perimeter(box)[0]), rel=0.01)
        assert 40_000 < spots[0].area_m2 < 45_000  # not 400 "square degrees"


# --- cancel and progress ---------------------------------------------------------------------

def test_cancel_raises(planted):
    before, after = planted
    with pytest.raises(DetectionCanceled) as raised:
        detect_forest_loss(before, after, DetectionOptions(strip_pixels=3_000), is_canceled=lambda: True)
    assert_two_languages(raised.value, "cancel")
    calls = []

    def cancel_later():
        calls.append(1)
        return len(calls) > 20  # one check for the sample (the whole small raster), then one per strip (30)

    with pytest.raises(DetectionCanceled):
        detect_forest_loss(before, after, DetectionOptions(strip_pixels=3_000), is_canceled=cancel_later)
    assert len(calls) == 21  # stopped at the first True


def test_progress_increases_to_one(planted):
    before, after = planted
    values = []
    detect_forest_loss(before, after, DetectionOptions(strip_pixels=3_000), progress=values.append)
    assert len(values) >= 30  # 30 strips of 10 rows
    assert all(0.0 <= v <= 1.0 for v in values)
    assert all(b >= a for a, b in zip(values, values[1:]))
    assert values[-1] == 1.0 and values[0] < 0.2


# --- refused inputs --------------------------------------------------------------------------

def test_rasters_that_do_not_overlap(tmp_path, planted):
    far = write(tmp_path / "far_20250703.tif", np.full((2, 20, 20), 500), "uint16",
                transform=from_origin(X0 + 100_000, Y0 - 100_000, PIXEL, PIXEL))
    with pytest.raises(InputDataError) as raised:
        detect_forest_loss(planted[0], far)
    assert_two_languages(raised.value, "overlap")


def test_missing_band():
    with pytest.raises(InputDataError) as raised:
        detect_forest_loss(M_BEFORE, M_AFTER, DetectionOptions(bands=Bands(red=1, nir=2, swir=3)))
    assert_two_languages(raised.value, "band 3")
    assert "S2_L2A_T32TMT_20200807_B04_B08.tif" in str(raised.value)


@pytest.mark.parametrize("nodata", [None, 0])
def test_all_nodata_input(tmp_path, planted, nodata):
    empty = write(tmp_path / "empty.tif", np.zeros((2, SIZE, SIZE)), "uint16", nodata=nodata)
    with pytest.raises(InputDataError) as raised:
        detect_forest_loss(planted[0], empty)
    assert_two_languages(raised.value, "no valid pixel")


def test_raster_without_crs(tmp_path, planted):
    with rasterio.open(planted[1]) as dataset:
        values = dataset.read()
    bare = write(tmp_path / "no_crs.tif", values, "uint16", crs=None)
    with rasterio.open(bare) as dataset:
        assert dataset.crs is None
    with pytest.raises(InputDataError) as raised:
        detect_forest_loss(planted[0], bare)
    assert_two_languages(raised.value, "coordinate reference system")
    assert "no_crs.tif" in str(raised.value)


def test_forest_polygons_outside_the_images(planted):
    away = [shapely.box(X0 + 50_000, Y0 - 10_000, X0 + 51_000, Y0 - 9_000)]
    with pytest.raises(InputDataError) as raised:
        detect_forest_loss(*planted, forest=away)
    assert_two_languages(raised.value, "forest")
