"""Two dates of imagery on one pixel grid, read strip by strip with rasterio.

The BEFORE raster's grid is the working grid. AFTER (and the optional cloud mask) are read straight
through a window when they share that grid up to a whole-pixel offset, and otherwise warped onto it
(``WarpedVRT``: bilinear for reflectance, nearest for the mask). Only the overlap of the two dates is
processed. Reading happens in one background thread, one strip ahead of the computation, so that
decompression and arithmetic overlap; only that thread touches the datasets.
"""
from __future__ import annotations

import datetime as dt
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterator, Optional

import numpy as np

from ..errors import InputDataError

GDAL_CACHE_BYTES = 96 * 1024 * 1024  # enough for a row of blocks of both dates when windows are not aligned


@dataclass(frozen=True)
class Bands:
    red: int = 1
    nir: int = 2
    swir: Optional[int] = None
    index_input: bool = False  # each raster holds the index itself, in band ``red``

    def needed(self) -> tuple[int, ...]:
        if self.index_input:
            return (self.red,)
        return (self.red, self.nir) + ((self.swir,) if self.swir else ())


@dataclass
class Strip:
    """Rows ``row0 .. row0 + height`` of the overlap (plus ``halo`` rows above and below where there are
    any: ``top_halo`` and ``bottom_halo`` tell how many), from column ``col0`` on."""

    row0: int
    height: int
    top_halo: int
    bottom_halo: int
    before: np.ndarray  # (bands, rows, cols) as stored
    after: np.ndarray
    cloud: Optional[np.ndarray]  # bool, True = cloud
    col0: int = 0

    def rows(self, first: int, count: int) -> "Strip":
        """``count`` rows of this strip's arrays from array row ``first`` (no halo)."""
        cut = slice(first, first + count)
        return Strip(self.row0 - self.top_halo + first, count, 0, 0, self.before[:, cut], self.after[:, cut],
                     None if self.cloud is None else self.cloud[cut], self.col0)


def _stacked(parts: list[Strip], row0: int, height: int, top: int, bottom: int) -> Strip:
    """One strip made of consecutive row blocks (the last rows of the previous block, this block, the
    first rows of the next) so that halo rows are never read twice."""
    if len(parts) == 1:
        part = parts[0]
        return Strip(row0, height, top, bottom, part.before, part.after, part.cloud)
    cloud = None if parts[0].cloud is None else np.concatenate([p.cloud for p in parts], axis=0)
    return Strip(row0, height, top, bottom, np.concatenate([p.before for p in parts], axis=1),
                 np.concatenate([p.after for p in parts], axis=1), cloud)


def _read_window(dataset, bands, window):
    """A window of ``dataset``; parts outside it are 0. A boundless read (through a VRT, much slower) only
    when the window does leave the dataset."""
    inside = (window.col_off >= 0 and window.row_off >= 0 and window.col_off + window.width <= dataset.width
              and window.row_off + window.height <= dataset.height)
    return dataset.read(bands, window=window, boundless=not inside, fill_value=0)


def _name(path: str) -> str:
    return os.path.basename(path)


def open_raster(path: str):
    import rasterio
    from rasterio.errors import RasterioIOError

    try:
        return rasterio.open(path)
    except RasterioIOError as error:
        raise InputDataError(f"无法读取栅格 {_name(path)}：{error}", f"Cannot read the raster {_name(path)}: {error}") \
            from error


def _check_raster(dataset, path: str, bands: tuple[int, ...], role_zh: str, role_en: str) -> None:
    if dataset.crs is None:
        raise InputDataError(f"{role_zh}影像 {_name(path)} 没有坐标参考系，请先在 QGIS 中为其指定坐标系。",
                             f"The {role_en} image {_name(path)} has no coordinate reference system; "
                             "assign one in QGIS first.")
    for band in bands:
        if not 1 <= band <= dataset.count:
            raise InputDataError(f"{role_zh}影像 {_name(path)} 只有 {dataset.count} 个波段，没有第 {band} 波段。",
                                 f"The {role_en} image {_name(path)} has {dataset.count} band(s); band {band} "
                                 "does not exist.")


def _same_grid_offset(reference, other) -> Optional[tuple[int, int]]:
    """(row, column) of the reference's origin in ``other``'s grid when both grids coincide up to a
    whole-pixel shift, else None."""
    if other.crs != reference.crs:
        return None
    a, b = reference.transform, other.transform
    if not all(math.isclose(x, y, rel_tol=0, abs_tol=1e-9 * max(1.0, abs(y))) for x, y in
               ((a.a, b.a), (a.b, b.b), (a.d, b.d), (a.e, b.e))):
        return None
    col, row = ~b * (a.c, a.f)
    if abs(col - round(col)) > 1e-6 or abs(row - round(row)) > 1e-6:
        return None
    return int(round(row)), int(round(col))


class AlignedPair:
    """BEFORE, AFTER and the optional cloud mask over their common window of BEFORE's grid."""

    def __init__(self, before_path: str, after_path: str, bands: Bands, cloud_path: Optional[str] = None,
                 halo: int = 0) -> None:
        self.before_path, self.after_path, self.cloud_path = before_path, after_path, cloud_path
        self.bands = bands
        self.halo = halo
        self._datasets: list = []
        self._executor: Optional[ThreadPoolExecutor] = None
        self._gdal_cache: Optional[int] = None

    def __enter__(self) -> "AlignedPair":
        self._limit_gdal_cache()
        try:
            self._open()
        except Exception:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        for dataset in reversed(self._datasets):
            dataset.close()
        self._datasets = []
        if self._gdal_cache is not None:
            from osgeo import gdal

            gdal.SetCacheMax(self._gdal_cache)
            self._gdal_cache = None

    def _limit_gdal_cache(self) -> None:
        """Every block is read once, so GDAL's block cache (by default 5 % of RAM, and process-wide) would
        only fill memory with blocks never read again: it is capped while the pair is open."""
        from osgeo import gdal

        self._gdal_cache = gdal.GetCacheMax()
        gdal.SetCacheMax(min(self._gdal_cache, GDAL_CACHE_BYTES))

    # --- opening -----------------------------------------------------------------------------

    def _open(self) -> None:
        from rasterio.windows import Window

        needed = self.bands.needed()
        self.before = self._keep(open_raster(self.before_path))
        _check_raster(self.before, self.before_path, needed, "前时相", "before")
        after = self._keep(open_raster(self.after_path))
        _check_raster(after, self.after_path, needed, "后时相", "after")
        self.window = self._overlap(after)
        self.after_source = after
        self.after, self.after_window = self._aligned(after, "bilinear")
        self.warped = self.after is not after
        self.cloud, self.cloud_window, self.cloud_warped = None, None, False
        if self.cloud_path:
            cloud = self._keep(open_raster(self.cloud_path))
            _check_raster(cloud, self.cloud_path, (1,), "云掩膜", "cloud-mask")
            if self._overlap_of(cloud) is None:
                raise InputDataError("云掩膜与影像不重叠。", "The cloud mask does not overlap the images.")
            self.cloud, self.cloud_window = self._aligned(cloud, "nearest")
            self.cloud_warped = self.cloud is not cloud
        self.transform = self.before.window_transform(Window(self.window.col_off, self.window.row_off,
                                                             self.window.width, self.window.height))
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linzhang-read")

    def _keep(self, dataset):
        self._datasets.append(dataset)
        return dataset

    def _overlap_of(self, other):
        from rasterio.warp import transform_bounds
        from rasterio.windows import Window, from_bounds

        bounds = transform_bounds(other.crs, self.before.crs, *other.bounds, densify_pts=21)
        exact = from_bounds(*bounds, transform=self.before.transform)
        col0 = max(0, math.floor(exact.col_off + 1e-6))
        row0 = max(0, math.floor(exact.row_off + 1e-6))
        col1 = min(self.before.width, math.ceil(exact.col_off + exact.width - 1e-6))
        row1 = min(self.before.height, math.ceil(exact.row_off + exact.height - 1e-6))
        if col1 - col0 < 1 or row1 - row0 < 1:
            return None
        window = Window(col0, row0, col1 - col0, row1 - row0)
        return Window(int(window.col_off), int(window.row_off), int(window.width), int(window.height))

    def _overlap(self, after):
        window = self._overlap_of(after)
        if window is None:
            raise InputDataError(f"前后两期影像 {_name(self.before_path)} 与 {_name(self.after_path)} 没有重叠区域。",
                                 f"The two images {_name(self.before_path)} and {_name(self.after_path)} do "
                                 "not overlap.")
        return window

    def _aligned(self, dataset, resampling: str):
        """(dataset to read, window offset (row, col) of the BEFORE window's origin in it)."""
        from rasterio.enums import Resampling
        from rasterio.vrt import WarpedVRT

        offset = _same_grid_offset(self.before, dataset)
        if offset is not None:
            return dataset, (offset[0] + int(self.window.row_off), offset[1] + int(self.window.col_off))
        nodata = dataset.nodata
        if nodata is None and np.dtype(dataset.dtypes[0]).kind == "f":
            nodata = float("nan")
        vrt = self._keep(WarpedVRT(dataset, crs=self.before.crs, transform=self.before.transform,
                                   width=self.before.width, height=self.before.height, nodata=nodata,
                                   resampling=getattr(Resampling, resampling)))
        return vrt, (int(self.window.row_off), int(self.window.col_off))

    # --- facts -------------------------------------------------------------------------------

    @property
    def width(self) -> int:
        return int(self.window.width)

    @property
    def height(self) -> int:
        return int(self.window.height)

    @property
    def crs_wkt(self) -> str:
        return self.before.crs.to_wkt()

    @property
    def epsg(self) -> Optional[int]:
        return self.before.crs.to_epsg()

    @property
    def geographic(self) -> bool:
        return bool(self.before.crs.is_geographic)

    def strip_rows(self, target_pixels: int) -> int:
        """Rows per strip: at most about ``target_pixels`` pixels (memory does not grow with the image), a
        whole number of the BEFORE file's blocks where a row of blocks fits (no block is decompressed
        twice); in a wider image a block row is cut across strips and GDAL's capped cache keeps it."""
        block = max(1, self.before.block_shapes[0][0])
        rows = max(1, target_pixels // max(self.width, 1))
        return rows // block * block if rows >= block else rows

    def unit_factor(self) -> float:
        """Metres per unit of a projected CRS."""
        factor = self.before.crs.linear_units_factor
        return float(factor[1]) if factor else 1.0

    def geod(self):
        """The CRS's ellipsoid (pyproj.Geod), made once."""
        if getattr(self, "_geod", None) is None:
            from pyproj import CRS

            self._geod = CRS.from_wkt(self.crs_wkt).get_geod()
        return self._geod

    def pixel_size_m(self) -> float:
        """The side of a pixel in metres (in a geographic CRS: its north-south side)."""
        t = self.transform
        if self.geographic:
            return abs(t.e) * 111_320.0
        return math.sqrt(abs(t.a * t.e - t.b * t.d)) * self.unit_factor()

    def row_pixel_areas(self, row0: int, height: int) -> np.ndarray:
        """The area (m²) of one pixel in each row: constant in a projected CRS, by latitude in a
        geographic one (on the CRS's ellipsoid)."""
        t = self.transform
        if not self.geographic:
            return np.full(height, abs(t.a * t.e - t.b * t.d) * self.unit_factor() ** 2)
        geod = self.geod()
        rows = np.arange(row0, row0 + height, dtype=float)
        top = t.f + t.e * rows
        bottom = top + t.e
        areas = np.empty(height)
        for i, (y0, y1) in enumerate(zip(top, bottom)):
            lons = [t.c, t.c + t.a, t.c + t.a, t.c]
            lats = [y0, y0, y1, y1]
            areas[i] = abs(geod.polygon_area_perimeter(lons, lats)[0])
        return areas

    def tags(self, which: str) -> dict:
        dataset = self.before if which == "before" else self.after_source
        return dict(dataset.tags())

    def date(self, which: str) -> tuple[Optional[dt.date], str]:
        from .dates import acquisition_date

        path = self.before_path if which == "before" else self.after_path
        return acquisition_date(path, self.tags(which))

    def invalid_values(self, which: str) -> tuple[Optional[float], Optional[float]]:
        """(nodata, saturation value) of a date's raster; saturation only for integer reflectance."""
        dataset = self.before if which == "before" else self.after_source
        nodata = dataset.nodata
        dtype = np.dtype(dataset.dtypes[0])
        saturated = float(np.iinfo(dtype).max) if dtype.kind in "ui" and not self.bands.index_input else None
        return nodata, saturated

    # --- reading -------------------------------------------------------------------------------

    def _read(self, row0: int, height: int, col0: int = 0, width: Optional[int] = None) -> Strip:
        """Rows ``row0 .. row0 + height`` (and columns ``col0 .. col0 + width``) of the overlap, no halo."""
        from rasterio.windows import Window

        width = self.width - col0 if width is None else width
        left, top = int(self.window.col_off) + col0, int(self.window.row_off) + row0
        before = self.before.read(self.bands.needed(), window=Window(left, top, width, height))
        after_row, after_col = self.after_window
        after = _read_window(self.after, self.bands.needed(), Window(after_col + col0, after_row + row0, width, height))
        cloud = None
        if self.cloud is not None:
            cloud_row, cloud_col = self.cloud_window
            values = _read_window(self.cloud, 1, Window(cloud_col + col0, cloud_row + row0, width, height))
            cloud = values != 0
            if self.cloud.nodata is not None:
                cloud &= values != self.cloud.nodata
        return Strip(row0, height, 0, 0, before, after, cloud, col0)

    def _prefetched(self, reads: list[tuple]) -> Iterator[Strip]:
        """The results of ``_read(*args)`` for each args in turn, each read while the previous one is used."""
        if not reads:
            return
        pending = self._executor.submit(self._read, *reads[0])
        for i in range(len(reads)):
            block = pending.result()
            if i + 1 < len(reads):
                pending = self._executor.submit(self._read, *reads[i + 1])
            yield block

    def strips(self, rows_per_strip: int) -> Iterator[Strip]:
        """The overlap from the top in strips of ``rows_per_strip`` rows, each with up to ``halo`` rows of
        its neighbours above and below. Every row is read once: halo rows come from the blocks read for
        the neighbouring strips."""
        starts = list(range(0, self.height, rows_per_strip))
        blocks = self._prefetched([(start, min(rows_per_strip, self.height - start)) for start in starts])
        previous: Optional[Strip] = None
        current = next(blocks, None)
        while current is not None:
            following = next(blocks, None)
            parts, top, bottom = [current], 0, 0
            if previous is not None and self.halo:
                top = min(self.halo, previous.height)
                parts.insert(0, previous.rows(previous.height - top, top))
            if following is not None and self.halo:
                bottom = min(self.halo, following.height)
                parts.append(following.rows(0, bottom))
            yield _stacked(parts, current.row0, current.height, top, bottom)
            previous, current = current, following

    def sample_windows(self, target_pixels: int) -> list[tuple[int, int, int, int]]:
        """(row, column, rows, columns) of about ``target_pixels`` pixels in windows of the BEFORE file's
        block size, spread evenly over the overlap; the whole overlap when it is not larger."""
        if self.width * self.height <= target_pixels:
            return [(0, 0, self.height, self.width)]
        block_rows, block_cols = (max(16, n) for n in self.before.block_shapes[0])
        block_cols = min(max(block_cols, 256), self.width)
        block_rows = min(max(block_rows, max(1, 65536 // block_cols)), self.height)
        count = max(1, target_pixels // (block_rows * block_cols))
        per_side = max(1, int(math.ceil(math.sqrt(count))))
        rows = np.linspace(0, self.height - block_rows, per_side).astype(int)
        cols = np.linspace(0, self.width - block_cols, per_side).astype(int)
        return [(int(r), int(c), block_rows, block_cols) for r in rows for c in cols]

    def windows(self, windows: list[tuple[int, int, int, int]]) -> Iterator[Strip]:
        """The given windows (no halo), each read while the previous one is used."""
        return self._prefetched([(row, rows, col, cols) for row, col, rows, cols in windows])
