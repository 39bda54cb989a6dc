"""Connected regions of a mask fed strip by strip (core.change.regions): the streamed regions must be exactly
those of one whole-array scipy labelling, whatever the strip height; the measures are summed and maximised
per region; small holes are filled; polygons are valid."""
from __future__ import annotations

import os

import numpy as np
import pytest
import rasterio
import shapely
from scipy import ndimage

from linzhang_qgis.core.change.regions import RegionFinder, fill_small_holes, polygonize

HANSEN = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "hansen",
                      "Hansen_GFC-2023-v1.11_lossyear_20N_080W.tif")
EIGHT = np.ones((3, 3), dtype=bool)


def stream(mask, strip_height, min_area, measures=None, row_areas=None):
    """All regions of ``mask`` fed to a RegionFinder in strips of ``strip_height`` rows."""
    height, width = mask.shape
    measures = np.zeros((0, height, width)) if measures is None else measures
    row_areas = np.ones(height) if row_areas is None else row_areas
    finder = RegionFinder(width, measures.shape[0], min_area)
    regions = []
    for row0 in range(0, height, strip_height):
        row1 = min(height, row0 + strip_height)
        regions.extend(finder.add_strip(mask[row0:row1], measures[:, row0:row1], row_areas[row0:row1],
                                        last=row1 == height))
    regions.extend(finder.finish())
    return regions


def pixel_sets(regions):
    """Each region as the frozenset of its (row, column) pixels."""
    sets = []
    for region in regions:
        row0, col0, bitmap = region.bitmap()
        rows, cols = np.nonzero(bitmap)
        sets.append(frozenset(zip((rows + row0).tolist(), (cols + col0).tolist())))
    return sets


def reference_sets(mask, min_area, row_areas=None):
    """The same with one whole-array 8-connected labelling and the area filter."""
    labels, count = ndimage.label(mask, structure=EIGHT)
    row_areas = np.ones(mask.shape[0]) if row_areas is None else row_areas
    area_image = np.broadcast_to(row_areas[:, None], mask.shape)
    areas = ndimage.sum(area_image, labels, np.arange(1, count + 1))
    sets = []
    for label in np.flatnonzero(areas >= min_area) + 1:
        rows, cols = np.nonzero(labels == label)
        sets.append(frozenset(zip(rows.tolist(), cols.tolist())))
    return sets


@pytest.fixture(scope="module")
def lossyear():
    with rasterio.open(HANSEN) as dataset:
        return dataset.read(1), dataset.transform


# --- real data: Hansen loss 2001..2023 -------------------------------------------------------

@pytest.mark.parametrize("strip_height", [1, 2, 7, 64, None])
def test_hansen_loss_regions_equal_whole_array_labelling(lossyear, strip_height):
    values, _ = lossyear
    mask = (values > 0) & (values != 255)
    strip_height = strip_height or mask.shape[0]
    min_pixels = 3
    regions = stream(mask, strip_height, min_pixels)
    expected = reference_sets(mask, min_pixels)
    assert len(expected) > 100  # the real mask has many regions, some of them large and irregular
    got = pixel_sets(regions)
    assert len(got) == len(expected)
    assert set(got) == set(expected)
    for region, pixels in zip(regions, got):
        assert region.pixels == len(pixels)
        assert region.area == pytest.approx(len(pixels))
        row0, col0, bitmap = region.bitmap()
        polygon = polygonize(bitmap, row0, col0)
        assert polygon.is_valid
        assert polygon.area == pytest.approx(region.pixels)  # pixel coordinates: one unit square per pixel


@pytest.mark.parametrize("strip_height", [1, 2, 7, 64])
def test_hansen_regions_with_latitude_dependent_pixel_areas(lossyear, strip_height):
    """Areas that vary by row (a geographic CRS) are summed per row and filtered in the same unit."""
    values, transform = lossyear
    mask = (values > 0) & (values != 255)
    latitudes = transform.f + transform.e * (np.arange(mask.shape[0]) + 0.5)
    side = abs(transform.e) * 111_320.0  # north-south side of a pixel in metres
    row_areas = side * side * np.cos(np.radians(latitudes))
    min_area = 666.7 * 4  # about 3.3 of these ~800 m² pixels
    regions = stream(mask, strip_height, min_area, row_areas=row_areas)
    expected = reference_sets(mask, min_area, row_areas)
    assert set(pixel_sets(regions)) == set(expected)
    for region in regions:
        row0, _, bitmap = region.bitmap()
        rows = np.nonzero(bitmap)[0] + row0
        assert region.area == pytest.approx(row_areas[rows].sum())
        assert region.area >= min_area


def test_hansen_measures_are_summed_and_maximised_per_region(lossyear):
    values, _ = lossyear
    mask = (values > 0) & (values != 255)
    rng = np.random.default_rng(7)
    noise = rng.normal(size=mask.shape)
    measures = np.stack([values.astype(float), noise])
    regions = stream(mask, 5, 1, measures=measures)
    labels, count = ndimage.label(mask, structure=EIGHT)
    assert len(regions) == count
    for region in regions:
        row0, col0, bitmap = region.bitmap()
        rows, cols = np.nonzero(bitmap)
        label = labels[rows[0] + row0, cols[0] + col0]
        inside = labels == label
        assert region.sums[0] == pytest.approx(values[inside].sum(dtype=float))
        assert region.sums[1] == pytest.approx(noise[inside].sum())
        assert region.maxima[0] == values[inside].max()
        assert region.maxima[1] == pytest.approx(noise[inside].max())
        assert region.means()[0] == pytest.approx(values[inside].mean())


# --- synthetic shapes that only join several strips later --------------------------------------

def u_shape():
    mask = np.zeros((30, 20), dtype=bool)
    mask[2:28, 3] = True  # left arm
    mask[2:28, 15] = True  # right arm
    mask[27, 3:16] = True  # joined only at the bottom
    return mask


def spiral(size=41):
    """A one-pixel-wide rectangular spiral: every turn meets the previous one many strips later."""
    mask = np.zeros((size, size), dtype=bool)
    top, left, bottom, right = 0, 0, size - 1, size - 1
    while top <= bottom and left <= right:
        mask[top, left:right + 1] = True
        mask[top:bottom + 1, right] = True
        if bottom - top >= 2:
            mask[bottom, left:right + 1] = True
        if right - left >= 2 and bottom - top >= 4:
            mask[top + 2:bottom + 1, left] = True
        top, left, bottom, right = top + 2, left + 2, bottom - 2, right - 2
        if top <= bottom:
            mask[top - 1, left] = True  # the step inwards to the next turn
    return mask


def diagonal_comb():
    """Several vertical arms, each joined to the next only by a diagonal touch at the bottom, one row lower
    for every arm: they become one region at the last strip."""
    mask = np.zeros((40, 40), dtype=bool)
    for i, col in enumerate(range(2, 38, 4)):
        mask[0:30 + i, col] = True
        if col + 4 < 38:
            mask[29 + i, col + 1:col + 3] = True  # foot ending one pixel short
            mask[30 + i, col + 3] = True  # touches the next arm diagonally
    return mask


@pytest.mark.parametrize("shape", [u_shape, spiral, diagonal_comb])
@pytest.mark.parametrize("strip_height", [1, 2, 3, 7])
def test_shape_joined_several_strips_later_is_one_region(shape, strip_height):
    mask = shape()
    labels, count = ndimage.label(mask, structure=EIGHT)
    assert count == 1  # the shape is one 8-connected region
    assert ndimage.label(mask[: mask.shape[0] // 2], structure=EIGHT)[1] > 1  # but its top half is several
    regions = stream(mask, strip_height, 1)
    assert len(regions) == 1
    assert regions[0].pixels == int(mask.sum())
    row0, col0, bitmap = regions[0].bitmap()
    whole = np.zeros_like(mask)
    whole[row0:row0 + bitmap.shape[0], col0:col0 + bitmap.shape[1]] = bitmap
    assert np.array_equal(whole, mask)


def test_diagonal_touch_across_a_strip_border_joins():
    mask = np.zeros((4, 9), dtype=bool)
    mask[0:2, 1] = True
    mask[2:4, 2] = True  # touches (1, 1) only by a corner, across the border of 2-row strips
    mask[0:2, 8] = True
    mask[2:4, 6] = True  # (2, 6) and (1, 8) are two columns apart: not joined
    regions = stream(mask, 2, 1)
    assert sorted(region.pixels for region in regions) == [2, 2, 4]
    assert set(pixel_sets(regions)) == set(reference_sets(mask, 1))


def test_small_regions_are_dropped_and_measures_follow_joins():
    mask = np.zeros((12, 10), dtype=bool)
    mask[1:11, 2] = True  # 10 px, crossing every strip
    mask[10, 3:6] = True  # its foot: 13 px
    mask[1:11, 8] = True  # 10 px, separate
    mask[5, 5] = True  # 1 px: below the minimum
    measure = np.zeros(mask.shape)
    measure[1, 2], measure[10, 5], measure[3, 8], measure[5, 5] = 5.0, 9.0, 4.0, 100.0
    ones = mask.astype(float)
    regions = stream(mask, 3, 2, measures=np.stack([measure, ones]))
    by_size = sorted(regions, key=lambda r: r.pixels)
    assert [r.pixels for r in by_size] == [10, 13]
    assert by_size[0].sums[0] == 4.0 and by_size[0].maxima[0] == 4.0
    assert by_size[1].sums[0] == 14.0 and by_size[1].maxima[0] == 9.0
    assert by_size[1].sums[1] == 13.0 and by_size[1].means()[1] == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("strip_height", [1, 3, 16])
def test_random_masks_equal_whole_array_labelling(seed, strip_height):
    rng = np.random.default_rng(seed)
    density = (0.3, 0.45, 0.55, 0.6, 0.35, 0.5)[seed]
    mask = rng.random((60, 45)) < density
    assert set(pixel_sets(stream(mask, strip_height, 4))) == set(reference_sets(mask, 4))


def test_empty_strips_between_regions():
    mask = np.zeros((20, 8), dtype=bool)
    mask[0:3, 0:3] = True
    mask[10:13, 4:8] = True
    regions = stream(mask, 4, 1)
    assert sorted(r.pixels for r in regions) == [9, 12]


# --- holes and polygons -------------------------------------------------------------------------

def test_fill_small_holes_fills_small_and_keeps_large():
    bitmap = np.ones((20, 30), dtype=bool)
    bitmap[3:5, 3:5] = False  # 4 px hole
    bitmap[8, 20] = False  # 1 px hole
    bitmap[10:16, 5:11] = False  # 36 px hole
    bitmap[0, 25:28] = False  # a notch open to the outside: not a hole
    filled = fill_small_holes(bitmap, 10)
    assert filled[3:5, 3:5].all() and filled[8, 20]
    assert not filled[10:16, 5:11].any()
    assert not filled[0, 25:28].any()
    assert filled.sum() == bitmap.sum() + 5
    assert np.array_equal(fill_small_holes(bitmap, 0), bitmap)
    assert fill_small_holes(bitmap, 37)[10:16, 5:11].all()
    assert not fill_small_holes(bitmap, 36)[10:16, 5:11].any()  # "fewer than": a 36 px hole stays


def test_fill_small_holes_inside_an_eight_connected_ring():
    """A diamond ring is 8-connected; its inside touches the outside only at corners, so it is a hole."""
    bitmap = np.zeros((9, 9), dtype=bool)
    for i in range(5):
        bitmap[4 - i, i] = bitmap[4 + i, i] = bitmap[4 - i, 8 - i] = bitmap[4 + i, 8 - i] = True
    filled = fill_small_holes(bitmap, 100)
    assert filled[4, 1:8].all() and filled[1:8, 4].all()
    assert not filled[0, 0]  # the outside corners stay empty
    assert filled.sum() == 41  # the filled diamond: 1 + 3 + 5 + 7 + 9 + 7 + 5 + 3 + 1


def test_polygonize_checkerboard_is_valid_and_exact():
    bitmap = (np.indices((6, 7)).sum(axis=0) % 2 == 0)
    geometry = polygonize(bitmap, 10, 20)
    assert geometry.is_valid
    assert geometry.geom_type == "MultiPolygon"
    assert len(geometry.geoms) == int(bitmap.sum())  # corner-touching pixels are separate polygons
    assert geometry.area == pytest.approx(bitmap.sum())
    assert geometry.bounds == (20.0, 10.0, 27.0, 16.0)  # x = column, y = row


def test_polygonize_diagonal_ring_and_hole_shapes_are_valid():
    diagonal = np.eye(8, dtype=bool) | np.eye(8, k=1, dtype=bool)[:, ::-1]
    ring = np.ones((7, 7), dtype=bool)
    ring[2:5, 2:5] = False
    ring[1, 1] = False  # a pixel of background that touches the hole by a corner
    pinched = np.zeros((5, 5), dtype=bool)
    pinched[1:4, 1:4] = True
    pinched[2, 2] = False
    pinched[0, 0] = pinched[4, 4] = True  # corner contacts with the ring
    for bitmap in (diagonal, ring, pinched):
        geometry = polygonize(bitmap, 0, 0)
        assert geometry.is_valid, shapely.is_valid_reason(geometry)
        assert geometry.area == pytest.approx(bitmap.sum())
        raster = np.zeros(bitmap.shape, dtype=bool)
        centres = shapely.points(np.indices(bitmap.shape)[1].ravel() + 0.5, np.indices(bitmap.shape)[0].ravel() + 0.5)
        raster.ravel()[:] = shapely.contains(geometry, centres)
        assert np.array_equal(raster, bitmap)
    single = np.zeros((3, 3), dtype=bool)
    single[1, 1] = True
    polygon = polygonize(single, 5, 7)
    assert polygon.geom_type == "Polygon"
    assert polygon.equals(shapely.box(8, 6, 9, 7))


@pytest.mark.parametrize("seed", range(4))
def test_polygonize_random_bitmaps_are_valid(seed):
    rng = np.random.default_rng(100 + seed)
    bitmap = rng.random((25, 25)) < 0.5
    geometry = polygonize(bitmap, 3, 4)
    assert geometry.is_valid, shapely.is_valid_reason(geometry)
    assert geometry.area == pytest.approx(bitmap.sum())
