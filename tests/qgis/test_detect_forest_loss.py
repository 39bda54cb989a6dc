"""linzhang:detectforestloss through real Processing: the demo district against its planted clearings,
the real Sentinel-2 pair with forest polygons in another CRS, the workspace round trip, and bad input."""
from __future__ import annotations

import os
import sqlite3

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from linzhang_qgis.core.change.accuracy import compare

FOREST_SUBSET = "land_class IN ('0111','0131','0301','0302','0305','0307')"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from linzhang_qgis.core.demo import generate_demo

    return generate_demo(str(tmp_path_factory.mktemp("demo") / "district"))


def detect(processing, demo, out, **extra):
    gpkg = demo.gpkg_path
    parameters = {"BEFORE": demo.before_path, "AFTER": demo.after_path, "CLOUD_MASK": demo.cloud_mask_path,
                  "FOREST": f"{gpkg}|layername=forest_stands|subset={FOREST_SUBSET}",
                  "AREAS": f"{gpkg}|layername=resp_areas", "OUTPUT": str(out)}
    parameters.update(extra)
    return processing.run("linzhang:detectforestloss", parameters)


def test_demo_district_precision_recall_and_iou(processing, demo, tmp_path):
    result = detect(processing, demo, tmp_path / "spots.gpkg")
    spots = gpd.read_file(result["OUTPUT"])
    truth = gpd.read_file(demo.gpkg_path, layer="demo_truth_clearings")
    visible = truth[~truth["in_cloud"].astype(bool)]
    assert len(visible) >= 10 and result["SPOTS"] == len(spots)
    everything = compare(spots.geometry.values, visible.geometry.values)
    confident = compare(spots[spots["confidence"] != "low"].geometry.values, visible.geometry.values)
    # Every visible clearing drops NDVI by about 0.45-0.6, three times the threshold: all must be found
    # (one may be lost at the edge of the cloud buffer).
    assert everything.recall >= 0.9, everything.lines()
    # The false spots are haze beyond the cloud mask; they stay weak, so they are all 'low' ...
    assert confident.precision >= 0.9, confident.lines()
    assert everything.precision >= 0.6, everything.lines()
    # ... and the outlines of 10 m pixels follow clearings of 0.1-3 ha closely.
    assert np.median(everything.iou_per_reference) >= 0.7, everything.lines()
    assert everything.iou >= 0.5, everything.lines()


def test_demo_spots_carry_area_chief_dates_and_numbers(processing, demo, tmp_path):
    result = detect(processing, demo, tmp_path / "spots.gpkg")
    spots = gpd.read_file(result["OUTPUT"])
    areas = gpd.read_file(demo.gpkg_path, layer="resp_areas").set_index("code")
    assert (spots["status"] == "issued").all()
    assert set(spots["before_date"].astype(str)) == {"2025-10-20"}
    assert set(spots["after_date"].astype(str)) == {"2026-10-18"}
    assert set(spots["round_id"]) == {"20261018"}
    assert spots["spot_no"].is_unique
    for spot in spots.itertuples():
        area = areas.loc[spot.area_code]
        assert area["level"] == 4  # the deepest level: a group area
        assert area["chief_name"] == spot.chief_name
        assert spot.spot_no.startswith(f"{spot.area_code}-")
        assert area.geometry.intersection(spot.geometry).area >= 0.5 * spot.geometry.area
        assert spot.area_mu == pytest.approx(spot.area_m2 * 15 / 10000, abs=0.01)
        assert spot.area_m2 >= 666.7 and spot.max_dindex >= spot.mean_dindex >= result["THRESHOLD_USED"] * 0.99
    assert set(spots["confidence"]) <= {"low", "high", "highest"} and "highest" in set(spots["confidence"])
    # 县/乡/村/林班/小班 from the stand each spot lies in: the planted clearings' own stands
    truth = gpd.read_file(demo.gpkg_path, layer="demo_truth_clearings")
    matched = 0
    for spot in spots.itertuples():
        hits = truth[truth.intersects(spot.geometry)]
        assert spot.village and spot.lin_ban and spot.xiao_ban
        if len(hits) == 1:
            clearing = hits.iloc[0]
            assert (spot.village, spot.lin_ban, spot.xiao_ban) == (clearing.village, clearing.lin_ban, clearing.xiao_ban)
            matched += 1
    assert matched >= 10


def test_stands_layer_counts_only_the_forest_land_classes(processing, demo, tmp_path):
    """Given the whole forest_stands layer (farmland, built land and water included), only the stands
    of the forest land classes are forest: the same spots as with an explicit filter."""
    filtered = detect(processing, demo, tmp_path / "filtered.gpkg")
    whole = detect(processing, demo, tmp_path / "whole.gpkg", FOREST=f"{demo.gpkg_path}|layername=forest_stands")
    index_only = detect(processing, demo, tmp_path / "index.gpkg", FOREST=None)
    assert whole["SPOTS"] == filtered["SPOTS"]
    assert gpd.read_file(whole["OUTPUT"]).area.sum() == pytest.approx(gpd.read_file(filtered["OUTPUT"]).area.sum())
    assert index_only["SPOTS"] > filtered["SPOTS"]  # farmland with a high index counts as forest then


def test_workspace_append_then_repeats_are_not_added_twice(processing, demo, tmp_path):
    import shutil

    workspace = str(tmp_path / "workspace.gpkg")
    shutil.copy(demo.gpkg_path, workspace)
    first = detect(processing, demo, tmp_path / "first.gpkg", WORKSPACE=workspace)
    assert first["ADDED_TO_WORKSPACE"] == first["SPOTS"] > 0 and first["REPEATS"] == 0
    with sqlite3.connect(workspace) as db:
        stored = dict(db.execute("SELECT spot_no, round_id FROM change_spots").fetchall())
    assert len(stored) == first["SPOTS"] and set(stored.values()) == {"20261018"}

    again = detect(processing, demo, tmp_path / "again.gpkg", WORKSPACE=workspace, ROUND_ID="2027-Q1")
    assert again["ADDED_TO_WORKSPACE"] == 0 and again["REPEATS"] == first["SPOTS"]
    repeats = gpd.read_file(again["OUTPUT"])
    assert set(repeats["repeat_of"]) == set(stored) and set(repeats["round_id"]) == {"2027-Q1"}
    with sqlite3.connect(workspace) as db:
        assert db.execute("SELECT count(*) FROM change_spots").fetchone()[0] == len(stored)


def test_real_sentinel2_pair_with_forest_polygons_in_another_crs(processing, shared_data, tmp_path):
    folder = os.path.join(shared_data, "s2_merenschwand")
    forest_path = os.path.join(folder, "wa.shp")
    result = processing.run("linzhang:detectforestloss", {
        "BEFORE": os.path.join(folder, "S2_L2A_T32TMT_20200807_B04_B08.tif"),
        "AFTER": os.path.join(folder, "S2_L2A_T32TMT_20210812_B04_B08.tif"),
        "FOREST": forest_path, "OUTPUT": str(tmp_path / "spots.gpkg")})
    spots = gpd.read_file(result["OUTPUT"])
    assert spots.crs.to_epsg() == 32632
    forest = shapely.union_all(gpd.read_file(forest_path).to_crs(32632).geometry.values)
    inside = shapely.area(shapely.intersection(spots.geometry.values, forest)).sum()
    assert inside == pytest.approx(spots.area.sum(), rel=1e-4)  # nothing outside the forest
    # The clearings and storm damage: NDVI drops > 0.2 over about 7 ha inside the forest.
    assert 5.0 <= spots["area_m2"].sum() / 10_000 <= 12.0
    assert {str(d)[:10] for d in spots["after_date"]} == {"2021-08-12"}


# --- bad input ---------------------------------------------------------------------------------

def write_raster(path, array, origin=(500_000.0, 2_800_000.0), crs="EPSG:4547", nodata=0):
    array = np.asarray(array)
    bands = array if array.ndim == 3 else array[None]
    profile = {"driver": "GTiff", "width": bands.shape[2], "height": bands.shape[1], "count": bands.shape[0],
               "dtype": bands.dtype, "transform": from_origin(origin[0], origin[1], 10.0, 10.0), "nodata": nodata}
    if crs:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(bands)
    return str(path)


def forest_pair(tmp_path, name="pair"):
    rng = np.random.default_rng(1)
    red = rng.integers(250, 300, (50, 50)).astype(np.uint16)
    nir = rng.integers(2900, 3100, (50, 50)).astype(np.uint16)
    return (write_raster(tmp_path / f"{name}_20250101.tif", np.stack([red, nir])),
            write_raster(tmp_path / f"{name}_20260101.tif", np.stack([red, nir])))


def assert_bilingual_failure(processing, parameters, out, *needles):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as raised:
        processing.run("linzhang:detectforestloss", dict(parameters, OUTPUT=str(out)))
    message = str(raised.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    for needle in needles:
        assert needle in message, message
    assert not os.path.exists(out)  # no half-written output


def test_rasters_that_do_not_overlap(processing, tmp_path):
    before, _ = forest_pair(tmp_path)
    far = write_raster(tmp_path / "far.tif", np.full((2, 20, 20), 500, np.uint16), origin=(600_000.0, 2_900_000.0))
    assert_bilingual_failure(processing, {"BEFORE": before, "AFTER": far}, tmp_path / "out.gpkg", "do not overlap")


def test_band_that_does_not_exist(processing, tmp_path):
    before, after = forest_pair(tmp_path)
    assert_bilingual_failure(processing, {"BEFORE": before, "AFTER": after, "SWIR_BAND": 3},
                             tmp_path / "out.gpkg", "band 3 does not exist")


def test_all_nodata_input(processing, tmp_path):
    before = write_raster(tmp_path / "a_20250101.tif", np.zeros((2, 30, 30), np.uint16))
    after = write_raster(tmp_path / "b_20260101.tif", np.zeros((2, 30, 30), np.uint16))
    assert_bilingual_failure(processing, {"BEFORE": before, "AFTER": after}, tmp_path / "out.gpkg", "no valid pixel")


def test_raster_without_crs(processing, tmp_path):
    before, _ = forest_pair(tmp_path)
    bare = write_raster(tmp_path / "bare.tif", np.full((2, 50, 50), 500, np.uint16), crs=None)
    assert_bilingual_failure(processing, {"BEFORE": before, "AFTER": bare}, tmp_path / "out.gpkg",
                             "no coordinate reference system")


def test_forest_layer_that_misses_the_images_and_areas_without_code(processing, tmp_path):
    before, after = forest_pair(tmp_path)
    far = gpd.GeoDataFrame({"name": ["far"]}, geometry=[shapely.box(0, 0, 100, 100)], crs="EPSG:4547")
    far.to_file(tmp_path / "far_forest.gpkg")
    assert_bilingual_failure(processing, {"BEFORE": before, "AFTER": after,
                                          "FOREST": str(tmp_path / "far_forest.gpkg")},
                             tmp_path / "out1.gpkg", "do not overlap")
    far.to_file(tmp_path / "areas.gpkg")
    assert_bilingual_failure(processing, {"BEFORE": before, "AFTER": after, "AREAS": str(tmp_path / "areas.gpkg")},
                             tmp_path / "out2.gpkg", "lacks the field code")


def test_unchanged_forest_gives_an_empty_layer_not_an_error(processing, tmp_path):
    before, after = forest_pair(tmp_path)
    result = processing.run("linzhang:detectforestloss", {"BEFORE": before, "AFTER": after,
                                                          "OUTPUT": str(tmp_path / "none.gpkg")})
    assert result["SPOTS"] == 0 and len(gpd.read_file(result["OUTPUT"])) == 0
    assert result["THRESHOLD_USED"] >= 0.15


def test_open_spot_layer_shows_the_new_spots_and_cancel_leaves_no_output(processing, demo, tmp_path):
    import shutil

    from qgis.core import QgsProcessingException, QgsProcessingFeedback, QgsProject, QgsVectorLayer

    workspace = str(tmp_path / "workspace.gpkg")
    shutil.copy(demo.gpkg_path, workspace)
    layer = QgsVectorLayer(f"{workspace}|layername=change_spots", "spots")
    QgsProject.instance().addMapLayer(layer)
    try:
        assert layer.featureCount() == 0
        result = detect(processing, demo, tmp_path / "spots.gpkg", WORKSPACE=workspace)
        assert result["ADDED_TO_WORKSPACE"] > 0
        assert layer.featureCount() == result["ADDED_TO_WORKSPACE"]  # re-read after the run
    finally:
        QgsProject.instance().removeMapLayer(layer.id())

    feedback = QgsProcessingFeedback()
    feedback.cancel()
    out = tmp_path / "canceled.gpkg"
    with pytest.raises(QgsProcessingException) as raised:
        processing.run("linzhang:detectforestloss", {"BEFORE": demo.before_path, "AFTER": demo.after_path,
                                                     "WORKSPACE": workspace, "OUTPUT": str(out)}, feedback=feedback)
    assert "取消" in str(raised.value) and "Canceled" in str(raised.value)
    assert not out.exists()
    with sqlite3.connect(workspace) as db:
        assert db.execute("SELECT count(*) FROM change_spots").fetchone()[0] == result["ADDED_TO_WORKSPACE"]
