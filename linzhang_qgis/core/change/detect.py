"""Forest loss between two dates of imagery, as polygons (变化图斑), in strips of bounded memory.

Per strip: a vegetation index per date (NDVI, and NBR when a SWIR band is given, or the index bands
themselves), valid pixels only (not nodata, not zero or saturated reflectance, not under the cloud
mask or within ``cloud_buffer_m`` metres of it, where haze lowers the index), the forest mask of the first date (polygons, or a
before-index of at least ``forest_index_min``), the drop of the index, the loss mask (drop >= the
threshold), a 3 x 3 morphological opening that removes one- and two-pixel lines and specks (edges of
misregistered images, roads), and the connected regions (8-connected, joined across strips) of at
least the minimum mapping unit. Holes smaller than that unit are filled.

Confidence, in tiers like Global Forest Watch's: two independent signals are compared over each spot:
NDVI and NBR when SWIR is given (loss is where either drops past its threshold), otherwise the weak
threshold and a strong one (twice the weak one unless given). ``highest``: they agree over at least
the minimum mapping unit; ``high``: over at least a quarter of it; ``low``: less.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
import shapely
from scipy import ndimage

from ..errors import InputDataError, LinzhangError
from .raster_pair import AlignedPair, Bands, Strip
from .regions import Region, RegionFinder, fill_small_holes, polygonize
from .threshold import DropHistogram, Threshold, given_threshold

MU_PER_M2 = 15.0 / 10000.0
OPENING = np.ones((3, 3), dtype=bool)
BARE_INDEX = 0.2  # an NDVI below this after the change: bare ground, buildings or water


class DetectionCanceled(LinzhangError):
    def __init__(self) -> None:
        super().__init__("已取消。", "Canceled.")


@dataclass(frozen=True)
class DetectionOptions:
    bands: Bands = Bands()
    threshold: Optional[float] = None  # None: found from the data
    strong_threshold: Optional[float] = None  # None: twice the threshold
    nbr_threshold: Optional[float] = None  # None: found from the data (when SWIR is given)
    forest_index_min: float = 0.5
    min_area: float = 666.7  # m²
    cloud_mask: Optional[str] = None
    cloud_buffer_m: float = 60.0  # metres around the cloud mask also left out (haze at cloud edges)
    clean: bool = True
    strip_pixels: int = 4_000_000  # pixels per strip: the memory knob
    sample_pixels: int = 2_000_000  # pixels read (in windows spread over the image) to find a threshold


@dataclass(frozen=True)
class LossSpot:
    geometry: object  # shapely (Multi)Polygon in the BEFORE raster's CRS
    area_m2: float
    mean_dindex: float
    max_dindex: float
    agree_m2: float  # where the second signal agrees
    mean_after_index: float
    confidence: str
    suspected_cause: int

    @property
    def area_mu(self) -> float:
        return self.area_m2 * MU_PER_M2


@dataclass
class Detection:
    spots: list[LossSpot]
    threshold: Threshold
    strong_threshold: float
    nbr_threshold: Optional[Threshold]
    crs_wkt: str
    epsg: Optional[int]
    before_date: Optional[dt.date]
    after_date: Optional[dt.date]
    date_sources: tuple[str, str]
    width: int
    height: int
    warped: bool
    valid_pixels: int = 0
    forest_pixels: int = 0
    loss_pixels: int = 0
    index_is_ndvi: bool = True


def confidence_of(agree_m2: float, min_area: float) -> str:
    if agree_m2 >= min_area:
        return "highest"
    if agree_m2 >= min_area / 4.0:
        return "high"
    return "low"


def suspected_cause_of(mean_after_index: float, index_is_ndvi: bool) -> int:
    """A first guess for the interpreter: 2 占地 (land occupation) when the ground is bare or built after
    the change, else 1 采伐 (logging)."""
    return 2 if index_is_ndvi and mean_after_index < BARE_INDEX else 1


# --- per-pixel arithmetic --------------------------------------------------------------------

def _valid_bands(bands: np.ndarray, nodata, saturated, index_input: bool) -> np.ndarray:
    """Pixels where every band holds a usable value: not nodata, finite, and (reflectance only) above 0
    and below saturation."""
    if index_input or bands.dtype.kind == "f":
        valid = np.isfinite(bands).all(axis=0) if bands.dtype.kind == "f" else np.ones(bands.shape[1:], bool)
        if nodata is not None and not math.isnan(nodata):
            valid &= (bands != nodata).all(axis=0)
        if not index_input:
            valid &= bands.min(axis=0) > 0
        return valid
    lowest, highest = bands.min(axis=0), bands.max(axis=0)
    valid = lowest > 0
    if saturated is not None:
        valid &= highest < saturated
    if nodata is not None and nodata > 0:
        valid &= (bands != nodata).all(axis=0)
    return valid


def normalized_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a - b) / (a + b) in float32 (NaN or inf where a + b is 0: such pixels are invalid anyway)."""
    a = a.astype(np.float32)
    b = b.astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = a + b
        np.subtract(a, b, out=a)
        return np.divide(a, total, out=a)


@dataclass
class StripIndices:
    """Per pixel of a strip (values at invalid pixels are meaningless: every mask is ANDed with valid)."""

    valid: np.ndarray
    before: np.ndarray  # primary index (NDVI or the given index)
    after: np.ndarray
    drop: np.ndarray
    nbr_drop: Optional[np.ndarray]


def strip_indices(strip: Strip, bands: Bands, invalid: dict, cloud_buffer: int) -> StripIndices:
    valid = _valid_bands(strip.before, *invalid["before"], bands.index_input)
    valid &= _valid_bands(strip.after, *invalid["after"], bands.index_input)
    if strip.cloud is not None and strip.cloud.any():
        cloud = strip.cloud
        if cloud_buffer > 0:
            cloud = ndimage.binary_dilation(cloud, OPENING, iterations=cloud_buffer)
        valid &= ~cloud
    if bands.index_input:
        before = strip.before[0].astype(np.float32)
        after = strip.after[0].astype(np.float32)
    else:
        before = normalized_difference(strip.before[1], strip.before[0])
        after = normalized_difference(strip.after[1], strip.after[0])
    nbr_drop = None
    if bands.swir and not bands.index_input:
        nbr_drop = (normalized_difference(strip.before[1], strip.before[2])
                    - normalized_difference(strip.after[1], strip.after[2]))
    return StripIndices(valid, before, after, before - after, nbr_drop)


class ForestMask:
    """The forest of the first date on a strip: polygons burnt in (pixel centres inside), or the
    before-index at or above a minimum."""

    def __init__(self, polygons: Optional[Sequence], index_min: float, transform) -> None:
        self.index_min = index_min
        self.transform = transform
        self.polygons = None
        if polygons is not None:
            geometries = shapely.make_valid(np.asarray(list(polygons), dtype=object))
            geometries = geometries[~shapely.is_empty(geometries)]
            self.polygons = geometries
            self.tree = shapely.STRtree(geometries)

    def clip(self, geometry):
        """The spot cut to the forest polygons (its pixels' squares overhang their edges)."""
        if self.polygons is None:
            return geometry
        hits = self.tree.query(geometry)
        clipped = shapely.intersection(geometry, shapely.union_all(self.polygons[hits]))
        parts = [p for p in shapely.get_parts(clipped) if p.geom_type == "Polygon" and p.area > 0]
        return shapely.MultiPolygon(parts) if len(parts) > 1 else (parts[0] if parts else geometry)

    def on(self, first_row: int, first_col: int, rows: int, width: int, before_index: np.ndarray) -> np.ndarray:
        if self.polygons is None:
            with np.errstate(invalid="ignore"):
                return before_index >= self.index_min
        from rasterio import features
        from rasterio.transform import Affine

        transform = self.transform * Affine.translation(first_col, first_row)
        xs, ys = zip(*(transform * corner for corner in ((0, 0), (width, 0), (0, rows), (width, rows))))
        hits = self.tree.query(shapely.box(min(xs), min(ys), max(xs), max(ys)))
        if hits.size == 0:
            return np.zeros((rows, width), dtype=bool)
        burnt = features.rasterize(((g, 1) for g in self.polygons[hits]), out_shape=(rows, width),
                                   transform=transform, fill=0, dtype=np.uint8)
        return burnt.astype(bool)


# --- the detection ---------------------------------------------------------------------------

class LossDetector:
    def __init__(self, before_path: str, after_path: str, options: DetectionOptions = DetectionOptions(),
                 forest: Optional[Sequence] = None, progress: Callable[[float], None] = lambda p: None,
                 is_canceled: Callable[[], bool] = lambda: False) -> None:
        self.before_path, self.after_path = before_path, after_path
        self.options = options
        self.forest_polygons = forest
        self.progress, self.is_canceled = progress, is_canceled
        self.cloud_buffer = 0

    def run(self) -> Detection:
        options = self.options
        with AlignedPair(self.before_path, self.after_path, options.bands, options.cloud_mask, halo=2) as pair:
            self.pair = pair
            if options.cloud_mask and options.cloud_buffer_m > 0:
                self.cloud_buffer = int(math.ceil(options.cloud_buffer_m / pair.pixel_size_m()))
                pair.halo = 2 + self.cloud_buffer
            self.invalid = {"before": pair.invalid_values("before"), "after": pair.invalid_values("after")}
            self.forest = ForestMask(self.forest_polygons, options.forest_index_min, pair.transform)
            self.rows = max(pair.strip_rows(options.strip_pixels), pair.halo)
            threshold, nbr_threshold = self._thresholds()
            strong = options.strong_threshold if options.strong_threshold is not None else 2.0 * threshold.value
            detection = self._detection(pair, threshold, strong, nbr_threshold)
            self._find_spots(detection)
        self._check_inputs_had_data(detection)
        return detection

    def _detection(self, pair: AlignedPair, threshold, strong, nbr_threshold) -> Detection:
        (before_date, before_source), (after_date, after_source) = pair.date("before"), pair.date("after")
        return Detection([], threshold, strong, nbr_threshold, pair.crs_wkt, pair.epsg, before_date, after_date,
                         (before_source, after_source), pair.width, pair.height, pair.warped,
                         index_is_ndvi=not self.options.bands.index_input)

    def _check(self) -> None:
        if self.is_canceled():
            raise DetectionCanceled()

    def _strip_inputs(self, strip: Strip):
        indices = strip_indices(strip, self.options.bands, self.invalid, self.cloud_buffer)
        first = strip.row0 - strip.top_halo
        rows, width = indices.valid.shape
        forest = self.forest.on(first, strip.col0, rows, width, indices.before) & indices.valid
        return indices, forest

    # --- pass 1: thresholds from a sample of windows ----------------------------------------

    def _thresholds(self) -> tuple[Threshold, Optional[Threshold]]:
        options = self.options
        swir = bool(options.bands.swir and not options.bands.index_input)
        need_ndvi = options.threshold is None
        need_nbr = swir and options.nbr_threshold is None
        ndvi = None if need_ndvi else given_threshold(options.threshold)
        nbr = (None if need_nbr else given_threshold(options.nbr_threshold)) if swir else None
        if not (need_ndvi or need_nbr):
            return ndvi, nbr
        windows = self.pair.sample_windows(self.options.sample_pixels)
        histograms = self._sample(swir, self.pair.windows(windows), len(windows))
        if histograms[0].total < 1000 and len(windows) > 1:  # a sparse forest: look at every strip
            histograms = self._sample(swir, self.pair.strips(self.rows), math.ceil(self.pair.height / self.rows))
        if histograms[0].total == 0:
            self._raise_no_forest_or_data()
        if need_ndvi:
            ndvi = histograms[0].threshold()
        if need_nbr:
            nbr = histograms[1].threshold()
        return ndvi, nbr

    def _sample(self, swir: bool, blocks, count: int) -> tuple[DropHistogram, DropHistogram]:
        """Histograms of the NDVI (and NBR) drop over the forest pixels of ``blocks``."""
        histograms = (DropHistogram(), DropHistogram())
        self.sample_valid = self.sample_forest = 0
        for done, strip in enumerate(blocks, start=1):
            self._check()
            indices, forest = self._strip_inputs(strip)
            core = slice(strip.top_halo, strip.top_halo + strip.height)
            forest = forest[core]
            self.sample_valid += int(indices.valid[core].sum())
            self.sample_forest += int(forest.sum())
            histograms[0].add(indices.drop[core][forest])
            if swir:
                histograms[1].add(indices.nbr_drop[core][forest])
            self.progress(0.1 * done / count)
        return histograms

    def _raise_no_forest_or_data(self, valid: Optional[int] = None) -> None:
        valid = self.sample_valid if valid is None else valid
        if valid == 0:
            raise InputDataError("两期影像的重叠区域内没有有效像元（全部为无数据值、零值、饱和值或云）。",
                                 "The overlap of the two images has no valid pixel (all nodata, zero, saturated "
                                 "or under cloud).")
        if self.forest.polygons is not None:
            raise InputDataError("林地范围图层与影像的有效区域不重叠，没有可检测的林地像元。",
                                 "The forest polygons do not overlap the valid part of the images: there is no "
                                 "forest pixel to check.")
        raise InputDataError(f"没有前时相指数不低于 {self.options.forest_index_min} 的林地像元；请降低林地指数下限或提供林地范围图层。",
                             f"No pixel has a before-index of at least {self.options.forest_index_min} (forest); "
                             "lower that minimum or give the forest polygons.")

    # --- pass 2: loss regions --------------------------------------------------------------

    def _loss_mask(self, indices: StripIndices, forest: np.ndarray, detection: Detection):
        with np.errstate(invalid="ignore"):
            ndvi_loss = indices.drop >= detection.threshold.value
            if indices.nbr_drop is not None:
                nbr_loss = indices.nbr_drop >= detection.nbr_threshold.value
                loss, agree = (ndvi_loss | nbr_loss) & forest, ndvi_loss & nbr_loss
            else:
                loss, agree = ndvi_loss & forest, indices.drop >= detection.strong_threshold
        return loss, agree

    def _find_spots(self, detection: Detection) -> None:
        pair = self.pair
        finder = RegionFinder(pair.width, 3, self.options.min_area)
        regions: list[Region] = []
        n_strips = math.ceil(pair.height / self.rows)
        start = 0.1 if self.options.threshold is None else 0.0
        for done, strip in enumerate(pair.strips(self.rows), start=1):
            self._check()
            indices, forest = self._strip_inputs(strip)
            loss, agree = self._loss_mask(indices, forest, detection)
            core = slice(strip.top_halo, strip.top_halo + strip.height)
            loss = loss[core]
            detection.valid_pixels += int(indices.valid[core].sum())
            detection.forest_pixels += int(forest[core].sum())
            detection.loss_pixels += int(loss.sum())
            measures = [indices.drop[core], agree[core], indices.after[core]]
            regions.extend(finder.add_strip(loss, measures, pair.row_pixel_areas(strip.row0, strip.height),
                                            last=done == n_strips))
            self.progress(start + (0.9 - start) * done / n_strips)
        regions.extend(finder.finish())
        spots = (self._spot(region, detection) for region in regions)
        detection.spots = [spot for spot in spots if spot is not None and spot.area_m2 >= self.options.min_area]
        detection.spots.sort(key=lambda s: (-shapely.get_coordinates(s.geometry.centroid)[0][1],
                                            shapely.get_coordinates(s.geometry.centroid)[0][0]))
        self.progress(1.0)

    def _spot(self, region: Region, detection: Detection) -> Optional[LossSpot]:
        """The spot of a region, or None when clean-up removes it (no 3 x 3 block of loss pixels)."""
        from shapely import affinity

        row0, col0, bitmap = region.bitmap()
        if self.options.clean and not ndimage.binary_erosion(bitmap, OPENING).any():
            return None
        pixel_area = region.area / max(region.pixels, 1)
        bitmap = fill_small_holes(bitmap, int(math.ceil(self.options.min_area / pixel_area)))
        t = self.pair.transform
        geometry = affinity.affine_transform(polygonize(bitmap, row0, col0), [t.a, t.b, t.d, t.e, t.c, t.f])
        geometry = shapely.normalize(self.forest.clip(geometry))
        area = self._area_m2(geometry)
        mean_drop, _, mean_after = region.means()
        agree_m2 = float(region.sums[1]) * pixel_area
        return LossSpot(geometry, float(area), float(mean_drop), float(region.maxima[0]), agree_m2,
                        float(mean_after), confidence_of(agree_m2, self.options.min_area),
                        suspected_cause_of(float(mean_after), not self.options.bands.index_input))

    def _area_m2(self, geometry) -> float:
        if self.pair.geographic:
            return abs(self.pair.geod().geometry_area_perimeter(geometry)[0])
        return float(geometry.area) * self.pair.unit_factor() ** 2

    def _check_inputs_had_data(self, detection: Detection) -> None:
        if detection.valid_pixels == 0 or detection.forest_pixels == 0:
            self._raise_no_forest_or_data(detection.valid_pixels)


def detect_forest_loss(before_path: str, after_path: str, options: DetectionOptions = DetectionOptions(),
                       forest: Optional[Sequence] = None, progress: Callable[[float], None] = lambda p: None,
                       is_canceled: Callable[[], bool] = lambda: False) -> Detection:
    """The forest-loss spots between ``before_path`` and ``after_path`` (see the module's description).
    ``forest``: optional shapely polygons in the BEFORE raster's CRS."""
    return LossDetector(before_path, after_path, options, forest, progress, is_canceled).run()
