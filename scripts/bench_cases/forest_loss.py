"""Forest loss between two dates: `linzhang:detectforestloss` vs. the read floor and the native raster chain.

The inputs are a synthetic pair of 10 m images (band 1 red, band 2 NIR, surface reflectance x 10000,
uint16, nodata 0; EPSG:4547 near Ganzhou; GeoTIFF tiled 256 x 256, DEFLATE, PREDICTOR=2): mostly
forest (NDVI about 0.8 with smooth texture), fields (NDVI 0.3-0.45, part of them harvested by the
after date: not forest, so not loss), terrain shading, sensor noise, and a few hundred planted
clearings of 0.1-5 ha (ellipses with wobbly edges and rectangles; a third of them centred on a row
that is a multiple of 256, so they cross tile and strip boundaries) whose after-date NDVI is 0.2-0.35.
The images are written strip by strip (STRIP_ROWS rows of both dates at a time), from seeded random
numbers per strip: the same bytes on every run, in little memory. clearings.json lists the planted ones.

This module is the 10,000 x 10,000 case with the comparisons; ``forest_loss_large`` reuses its
generator at 20,000 x 20,000, ours and the read floor only.

LINZHANG_BENCH_SCALE (environment, default 1) multiplies the side of both cases' images, e.g. 0.2 for
a quick try of the harness at 2,000 x 2,000; the case descriptions state the size actually run.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from typing import Any, Iterator

NAME = "forest_loss"
SCALE = float(os.environ.get("LINZHANG_BENCH_SCALE", "1"))
PIXEL = 10.0
ORIGIN = (500000.0, 2800000.0)  # west and north edges, inside EPSG:4547's zone near Ganzhou
EPSG = 4547
STRIP_ROWS = 512  # a multiple of the 256-row tiles: each strip writes whole tiles
TILE = 256
SEED = 2026
CLEARINGS_PER_10K = 400  # clearings per 10,000 x 10,000 pixels (100,000 ha)
MIN_AREA = 666.7  # m², one mu: the minimum mapping unit of both sides
CHAIN_THRESHOLD = 0.18  # NDVI drop; the native chain needs one typed in by hand
FOREST_NDVI = 0.5  # before-date NDVI from which a pixel is forest (the algorithm's default)
LAND_CUT = 1.0  # the land field above this is fields (about 17 % of the area), below it forest
HARVEST_CUT = LAND_CUT + 0.35  # fields above this are harvested by the after date
NOISE = 0.004  # sensor noise, reflectance standard deviation per band and date


def scaled(side: int) -> int:
    """``side`` times LINZHANG_BENCH_SCALE, at least one tile."""
    return max(TILE, int(round(side * SCALE)))


SIDE = scaled(10_000)
DESCRIPTION = (f"`linzhang:detectforestloss` (threshold found from the data, forest = before NDVI ≥ {FOREST_NDVI}, "
               f"at least {MIN_AREA} m²): a {SIDE:,} × {SIDE:,}-pixel pair of two-band uint16 GeoTIFFs (red, "
               "NIR; 10 m; tiled 256 × 256, DEFLATE, PREDICTOR=2), forest and fields with a few hundred planted "
               "clearings of 0.1–5 ha, a third of them across multiples of 256 rows. The read floor and the "
               "native chain run in the same `make bench`; the spots found vs planted: found.json and "
               "chain.json in the runs' folders (kept with --keep).")
BASELINE = (f"`qgis:rastercalculator` (NDVI drop ≥ {CHAIN_THRESHOLD} AND before NDVI ≥ {FOREST_NDVI} → 1/0, from "
            "before@1, before@2, after@1, after@2; a Float32 GeoTIFF) → `gdal:polygonize` (field DN, 4-connected, "
            f"the default) → `native:extractbyexpression` (`\"DN\" = 1 AND $area >= {MIN_AREA}`): the chain a "
            "technician builds. "
            f"Its threshold, {CHAIN_THRESHOLD}, has to be picked by hand, and it neither removes specks nor "
            "fills holes nor adds confidence or cause, so the baseline does less than ours. `gdal:polygonize` "
            "runs GDAL's gdal_polygonize.py in a subprocess, whose memory is not in the figure.")
READ_FLOOR = ("only reading both rasters with rasterio, every band of every 256 × 256 block, nothing else: "
              "the I/O floor no detection can go below. GDAL's settings are the defaults, as for ours: its block "
              "cache (5 % of RAM) keeps the blocks read, which is most of this memory.")
COMPARISONS = {"read_floor": READ_FLOOR, "baseline": BASELINE}


# --- smooth random fields, evaluated strip by strip ---------------------------------------------

class SmoothField:
    """Value noise: coarse grids of normal random numbers (one per octave, ``cells`` pixels apart),
    interpolated with a smoothstep, weighted and summed; about unit standard deviation."""

    def __init__(self, seed: int, side: int, cells: tuple[int, ...], weights: tuple[float, ...]) -> None:
        import numpy as np

        rng = np.random.default_rng(seed)
        self.cells = cells
        norm = math.sqrt(sum(w * w for w in weights)) * 0.8  # interpolation shrinks the spread
        self.weights = tuple(w / norm for w in weights)
        self.grids = [rng.standard_normal((side // cell + 2, side // cell + 2)).astype(np.float32) for cell in cells]

    def strip(self, row0: int, rows: int, cols: int):
        """The field on rows ``row0 .. row0 + rows`` of all ``cols`` columns, float32."""
        import numpy as np

        total = np.zeros((rows, cols), np.float32)
        for grid, cell, weight in zip(self.grids, self.cells, self.weights):
            index_y, weight_y = _stencil(np.arange(row0, row0 + rows), cell)
            index_x, weight_x = _stencil(np.arange(cols), cell)
            along_y = grid[index_y] * (1 - weight_y)[:, None] + grid[index_y + 1] * weight_y[:, None]
            total += weight * (along_y[:, index_x] * (1 - weight_x) + along_y[:, index_x + 1] * weight_x)
        return total

    def at(self, rows, cols):
        """The field at pixel positions (arrays of row and column indices)."""
        import numpy as np

        total = np.zeros(np.shape(rows), np.float32)
        for grid, cell, weight in zip(self.grids, self.cells, self.weights):
            index_y, weight_y = _stencil(np.asarray(rows), cell)
            index_x, weight_x = _stencil(np.asarray(cols), cell)
            top = grid[index_y, index_x] * (1 - weight_x) + grid[index_y, index_x + 1] * weight_x
            bottom = grid[index_y + 1, index_x] * (1 - weight_x) + grid[index_y + 1, index_x + 1] * weight_x
            total += weight * (top * (1 - weight_y) + bottom * weight_y)
        return total


def _stencil(pixels, cell: int):
    """(grid index below, smoothstep weight of the one above) of pixel centres on a grid ``cell`` apart."""
    import numpy as np

    position = (pixels + 0.5) / cell
    index = np.floor(position).astype(np.int64)
    fraction = (position - index).astype(np.float32)
    return index, fraction * fraction * (3 - 2 * fraction)


@dataclass(frozen=True)
class Fields:
    land: SmoothField  # fields above LAND_CUT, forest below
    texture: SmoothField  # canopy and crop texture
    shade: SmoothField  # terrain shading, the same on both dates


def make_fields(side: int) -> Fields:
    return Fields(land=SmoothField(SEED + 1, side, (512, 128), (1.0, 0.4)),
                  texture=SmoothField(SEED + 2, side, (96, 24, 8), (1.0, 0.6, 0.4)),
                  shade=SmoothField(SEED + 3, side, (48, 12), (1.0, 0.5)))


# --- the planted clearings ----------------------------------------------------------------------

@dataclass(frozen=True)
class Clearing:
    """A planted clearing in pixel coordinates: an ellipse with a wobbly edge, or an axis-aligned rectangle."""

    row: float  # centre
    col: float
    shape: str  # "ellipse" or "rectangle"
    half_long: float  # pixels: semi-axes, or half the width and height
    half_short: float
    angle: float  # radians, ellipses only
    wobble: float  # relative amplitude of the edge's three lobes, ellipses only
    phase: float
    ndvi_after: float

    @property
    def reach(self) -> int:
        """Pixels from the centre that hold the whole clearing."""
        return int(math.ceil(max(self.half_long, self.half_short) * (1 + self.wobble))) + 1

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """(first row, end row, first column, end column)."""
        row, col = int(self.row), int(self.col)
        return row - self.reach, row + self.reach + 1, col - self.reach, col + self.reach + 1

    def mask(self, row0: int, row1: int, col0: int, col1: int):
        """Which pixels of rows ``row0 .. row1``, columns ``col0 .. col1`` it covers (pixel centres inside)."""
        import numpy as np

        dy = (np.arange(row0, row1) + 0.5 - self.row)[:, None]
        dx = (np.arange(col0, col1) + 0.5 - self.col)[None, :]
        if self.shape == "rectangle":
            return (np.abs(dx) <= self.half_long) & (np.abs(dy) <= self.half_short)
        cos, sin = math.cos(self.angle), math.sin(self.angle)
        u = (dx * cos + dy * sin) / self.half_long
        v = (-dx * sin + dy * cos) / self.half_short
        return np.hypot(u, v) <= 1 + self.wobble * np.cos(3 * np.arctan2(v, u) + self.phase)

    def pixels(self) -> int:
        return int(self.mask(*self.bbox).sum())


def _candidate(rng, side: int, across_tiles: bool) -> Clearing:
    """A random clearing of 0.1-5 ha (log-uniform), centred on a multiple of 256 rows when ``across_tiles``."""
    pixels = math.exp(rng.uniform(math.log(0.1), math.log(5.0))) * 10000 / PIXEL ** 2
    if rng.uniform() < 0.4:
        aspect = rng.uniform(0.35, 1.0)
        short = max(3.0, math.sqrt(pixels * aspect))
        half_long, half_short, angle, wobble = pixels / short / 2, short / 2, 0.0, 0.0
        if rng.uniform() < 0.5:  # upright rather than lying
            half_long, half_short = half_short, half_long
        shape = "rectangle"
    else:
        aspect = rng.uniform(0.5, 1.0)
        half_long = math.sqrt(pixels / (math.pi * aspect))
        half_short, angle, wobble = aspect * half_long, rng.uniform(0, math.pi), rng.uniform(0.0, 0.15)
        shape = "ellipse"
    margin = max(half_long, half_short) * 1.2 + 8
    offset = rng.uniform(-0.4, 0.4) * min(half_long, half_short)  # the boundary runs through its middle
    boundary = TILE * int(rng.integers(1, max(2, side // TILE)))
    row = boundary + offset if across_tiles else rng.uniform(margin, side - margin)
    return Clearing(float(row), float(rng.uniform(margin, side - margin)), shape, float(half_long),
                    float(half_short), float(angle), float(wobble), float(rng.uniform(0, 2 * math.pi)),
                    float(rng.uniform(0.2, 0.35)))


def _fits(candidate: Clearing, side: int, land: SmoothField, placed: list[Clearing]) -> bool:
    """Inside the image, in forest all over (the land field at 9 points of its box), 4 pixels from the others."""
    import numpy as np

    row0, row1, col0, col1 = candidate.bbox
    if row0 < 4 or col0 < 4 or row1 > side - 4 or col1 > side - 4:
        return False
    rows, cols = np.meshgrid([row0, (row0 + row1) // 2, row1], [col0, (col0 + col1) // 2, col1])
    if (land.at(rows.ravel(), cols.ravel()) >= LAND_CUT - 0.05).any():
        return False
    for other in placed:
        o_row0, o_row1, o_col0, o_col1 = other.bbox
        if row0 < o_row1 + 4 and o_row0 < row1 + 4 and col0 < o_col1 + 4 and o_col0 < col1 + 4:
            return False
    return True


def plant_clearings(side: int, land: SmoothField) -> list[Clearing]:
    """CLEARINGS_PER_10K per 10,000 x 10,000 pixels, a third across tile rows, in forest, apart."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    wanted = max(10, round(CLEARINGS_PER_10K * (side / 10_000) ** 2))
    placed: list[Clearing] = []
    for attempt in range(wanted * 100):
        candidate = _candidate(rng, side, across_tiles=len(placed) % 3 == 0)
        if _fits(candidate, side, land, placed):
            placed.append(candidate)
            if len(placed) == wanted:
                break
    return placed


# --- the images, strip by strip -----------------------------------------------------------------

def to_reflectance(ndvi, nir):
    """(red, NIR) with that NDVI: red = NIR (1 - NDVI) / (1 + NDVI)."""
    return nir * (1.0 - ndvi) / (1.0 + ndvi), nir


def to_counts(red, nir, rng):
    """Both bands with sensor noise as uint16 reflectance x 10000, at least 1 (0 is nodata), shape (2, rows, cols)."""
    import numpy as np

    bands = np.stack([red, nir])
    bands += rng.standard_normal(bands.shape, dtype=np.float32) * NOISE
    return np.clip(np.rint(bands * 10000), 1, 10000).astype(np.uint16)


def strip_pair(row0: int, rows: int, side: int, fields: Fields, clearings: list[Clearing]):
    """(before, after) uint16 arrays (2, rows, side) of one strip."""
    import numpy as np

    rng = np.random.default_rng([SEED, row0])
    land = fields.land.strip(row0, rows, side)
    texture = np.clip(fields.texture.strip(row0, rows, side), -2.5, 2.5)
    shade = np.clip(1.0 + 0.12 * fields.shade.strip(row0, rows, side), 0.7, 1.3)
    farm = land >= LAND_CUT
    ndvi = np.where(farm, 0.375 + 0.025 * texture, 0.80 + 0.03 * texture).astype(np.float32)
    nir = np.where(farm, 0.25, 0.30).astype(np.float32) * (1.0 + 0.05 * texture)
    ndvi_after = np.where(land >= HARVEST_CUT, ndvi - 0.15, ndvi)
    nir_after = nir * 1.03
    for clearing in clearings:
        c_row0, c_row1, col0, col1 = clearing.bbox
        top, bottom = max(c_row0, row0), min(c_row1, row0 + rows)
        if top >= bottom:
            continue
        cut = clearing.mask(top, bottom, col0, col1)
        window = (slice(top - row0, bottom - row0), slice(col0, col1))
        ndvi_after[window] = np.where(cut, clearing.ndvi_after + 0.03 * texture[window], ndvi_after[window])
        nir_after[window] = np.where(cut, 0.22 * (1.0 + 0.05 * texture[window]), nir_after[window])
    red, nir = to_reflectance(np.clip(ndvi, 0.05, 0.92), nir)
    before = to_counts(red * shade, nir * shade, rng)
    red, nir = to_reflectance(np.clip(ndvi_after, 0.05, 0.92), nir_after)
    after = to_counts((red * 1.02 + 0.002) * shade, nir * shade, rng)  # a slightly different calibration
    return before, after


def _strips(side: int) -> Iterator[tuple[int, int]]:
    for row0 in range(0, side, STRIP_ROWS):
        yield row0, min(STRIP_ROWS, side - row0)


def _open_for_writing(path: str, side: int, date: str):
    import rasterio
    from rasterio.transform import from_origin

    dataset = rasterio.open(path, "w", driver="GTiff", width=side, height=side, count=2, dtype="uint16",
                            crs=f"EPSG:{EPSG}", transform=from_origin(*ORIGIN, PIXEL, PIXEL), nodata=0,
                            tiled=True, blockxsize=TILE, blockysize=TILE, compress="deflate", predictor=2,
                            bigtiff="IF_SAFER", num_threads="ALL_CPUS")
    dataset.descriptions = ("red", "nir")
    dataset.update_tags(ACQUISITION_DATE=date)
    return dataset


def _write_strip(datasets: tuple, pair: tuple, row0: int) -> None:
    for dataset, bands in zip(datasets, pair):
        dataset.write(bands, window=((row0, row0 + bands.shape[1]), (0, bands.shape[2])))


def write_pair(workdir: str, side: int) -> dict:
    """before.tif and after.tif of ``side`` x ``side`` pixels and clearings.json in ``workdir``: the prepared dict.
    A thread compresses and writes a strip while the next one is computed; GDAL's cache is kept small."""
    from concurrent.futures import ThreadPoolExecutor

    import rasterio

    fields = make_fields(side)
    clearings = plant_clearings(side, fields.land)
    paths = {"before": os.path.join(workdir, "before.tif"), "after": os.path.join(workdir, "after.tif")}
    with rasterio.Env(GDAL_CACHEMAX=256), ThreadPoolExecutor(max_workers=1) as writer, \
            _open_for_writing(paths["before"], side, "2025-10-20") as before, \
            _open_for_writing(paths["after"], side, "2026-10-18") as after:
        pending = None
        for row0, rows in _strips(side):
            pair = strip_pair(row0, rows, side, fields, clearings)
            if pending is not None:
                pending.result()
            pending = writer.submit(_write_strip, (before, after), pair, row0)
        pending.result()
    for path in paths.values():  # on disk now, so no write-back of them runs during the measured calls
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    paths["clearings"] = os.path.join(workdir, "clearings.json")
    with open(paths["clearings"], "w", encoding="utf-8") as handle:
        json.dump([dict(asdict(c), pixels=c.pixels(), bbox=c.bbox) for c in clearings], handle)
    return {**paths, "side": side, "planted": len(clearings)}


# --- the measured functions ---------------------------------------------------------------------

def unavailable() -> str | None:
    from qgis.core import QgsApplication

    if QgsApplication.processingRegistry().algorithmById("linzhang:detectforestloss") is None:
        return ("the algorithm `linzhang:detectforestloss` (processing_algorithms/detect_forest_loss.py) "
                "is not there yet")
    return None


def prepare(workdir: str) -> dict:
    return write_pair(workdir, SIDE)


def run_ours(workdir: str, prepared: dict) -> None:
    """The algorithm with its defaults, then found.json: the spots found, the clearings planted, the threshold."""
    import processing

    result = processing.run("linzhang:detectforestloss", {
        "BEFORE": prepared["before"], "AFTER": prepared["after"], "RED_BAND": 1, "NIR_BAND": 2,
        "MIN_AREA": MIN_AREA, "OUTPUT": os.path.join(workdir, "spots.gpkg")})
    _record(os.path.join(workdir, "found.json"), result["SPOTS"], prepared, threshold=result["THRESHOLD_USED"])


def ours(workdir: str, prepared: dict) -> None:
    run_ours(workdir, prepared)


def read_floor(workdir: str, prepared: dict) -> None:
    import rasterio

    for path in (prepared["before"], prepared["after"]):
        with rasterio.open(path) as dataset:
            for _, window in dataset.block_windows(1):
                dataset.read(window=window)


def baseline(workdir: str, prepared: dict) -> None:
    import processing
    from qgis.core import QgsVectorLayer

    before = '("before@2" - "before@1") / ("before@2" + "before@1")'
    after = '("after@2" - "after@1") / ("after@2" + "after@1")'
    loss = processing.run("qgis:rastercalculator", {
        "EXPRESSION": f"(({before}) - ({after}) >= {CHAIN_THRESHOLD}) AND (({before}) >= {FOREST_NDVI})",
        "LAYERS": [prepared["before"], prepared["after"]], "CELLSIZE": 0, "EXTENT": None, "CRS": None,
        "OUTPUT": os.path.join(workdir, "loss.tif")})["OUTPUT"]
    polygons = processing.run("gdal:polygonize", {
        "INPUT": loss, "BAND": 1, "FIELD": "DN", "EIGHT_CONNECTEDNESS": False,
        "OUTPUT": os.path.join(workdir, "polygons.gpkg")})["OUTPUT"]
    output = os.path.join(workdir, "spots_chain.gpkg")
    processing.run("native:extractbyexpression", {
        "INPUT": polygons, "EXPRESSION": f'"DN" = 1 AND $area >= {MIN_AREA}', "OUTPUT": output})
    found = QgsVectorLayer(output, "spots", "ogr").featureCount()  # a count from the GeoPackage: milliseconds
    _record(os.path.join(workdir, "chain.json"), found, prepared, threshold=CHAIN_THRESHOLD)


def _record(path: str, found: int, prepared: dict, threshold: float) -> None:
    """{"found": spots, "planted": clearings, "threshold": NDVI drop} into ``path``."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"found": found, "planted": prepared["planted"], "threshold": threshold}, handle)
    print(f"{os.path.basename(path)}: {found} spots, {prepared['planted']} clearings planted, threshold {threshold}")


def match(spots_path: str, clearings_path: str) -> dict[str, Any]:
    """Not measured: which planted clearings a spot layer found (a spot meets the clearing's box), and the
    spots that meet none, with the sizes of the clearings missed. For looking at a kept run's outputs."""
    import geopandas as gpd
    import shapely

    with open(clearings_path, encoding="utf-8") as handle:
        clearings = json.load(handle)
    spots = gpd.read_file(spots_path)
    boxes = []
    for clearing in clearings:
        row0, row1, col0, col1 = clearing["bbox"]
        boxes.append(shapely.box(ORIGIN[0] + col0 * PIXEL, ORIGIN[1] - row1 * PIXEL,
                                 ORIGIN[0] + col1 * PIXEL, ORIGIN[1] - row0 * PIXEL))
    box_index, spot_index = shapely.STRtree(boxes).query(spots.geometry.values, predicate="intersects")[::-1]
    found = set(box_index.tolist())
    missed = [clearings[i]["pixels"] * PIXEL ** 2 / 10000 for i in range(len(clearings)) if i not in found]
    return {"planted": len(clearings), "spots": len(spots), "clearings_found": len(found),
            "spots_on_no_clearing": len(spots) - len(set(spot_index.tolist())),
            "missed_ha": sorted(round(ha, 3) for ha in missed)}
