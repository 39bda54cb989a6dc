"""A before/after pair of 10 m red/NIR images (surface reflectance x 10000) and the after-date cloud mask.

Each stand has its own brightness and vegetation index (by land class and species), with texture,
terrain shading and sensor noise on top. The after image differs a little (season, calibration),
shows the planted clearings as low-index patches, and has a few clouds.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import shapely

from .clearings import Clearing
from .fields import Terrain, value_noise

PIXEL = 10.0
BEFORE_DATE = dt.date(2025, 10, 20)
AFTER_DATE = dt.date(2026, 10, 18)
ACQUISITION_TIME = dt.time(10, 48, 31)  # local overpass, UTC+8
SCALE = 10000.0
CLOUD_ALPHA_MASK = 0.25  # cloud opacity from which a pixel is flagged cloudy

# land class -> (mean NDVI, spread between stands, NIR reflectance)
CLASS_SPECTRA = {
    "0111": (0.80, 0.018, 0.30), "0131": (0.82, 0.015, 0.33), "0301": (0.66, 0.03, 0.28),
    "0302": (0.55, 0.04, 0.26), "0305": (0.45, 0.05, 0.25), "0307": (0.30, 0.05, 0.22),
    "0100": (0.45, 0.10, 0.26), "0700": (0.15, 0.04, 0.17), "1100": (-0.05, 0.04, 0.03),
}
SPECIES_NDVI = {"navel_orange": 0.70, "oil_tea": 0.74, "eucalyptus": 0.78, "masson_pine": 0.78}


@dataclass(frozen=True)
class Grid:
    x0: float  # west edge
    y0: float  # north edge
    width: int
    height: int

    @property
    def transform(self) -> tuple[float, float, float, float, float, float]:
        return (self.x0, PIXEL, 0.0, self.y0, 0.0, -PIXEL)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        x = self.x0 + PIXEL * (np.arange(self.width) + 0.5)
        y = self.y0 - PIXEL * (np.arange(self.height) + 0.5)
        return np.meshgrid(x, y)


def grid_for(bounds: tuple[float, float, float, float], margin: float = 100.0) -> Grid:
    x0 = np.floor((bounds[0] - margin) / PIXEL) * PIXEL
    y0 = np.ceil((bounds[3] + margin) / PIXEL) * PIXEL
    x1 = np.ceil((bounds[2] + margin) / PIXEL) * PIXEL
    y1 = np.floor((bounds[1] - margin) / PIXEL) * PIXEL
    return Grid(float(x0), float(y0), int(round((x1 - x0) / PIXEL)), int(round((y0 - y1) / PIXEL)))


def rasterize(geometries, values, grid: Grid, epsg: int) -> np.ndarray:
    """Burn ``values`` (int) of the polygons into an int32 array (0 where none), pixel centres inside."""
    from osgeo import gdal, ogr, osr  # noqa: PLC0415

    gdal.UseExceptions()
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    source = ogr.GetDriverByName("Memory").CreateDataSource("")
    layer = source.CreateLayer("burn", srs, ogr.wkbUnknown)
    layer.CreateField(ogr.FieldDefn("value", ogr.OFTInteger))
    for geometry, value in zip(geometries, values):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(geometry)))
        feature.SetField("value", int(value))
        layer.CreateFeature(feature)
    target = gdal.GetDriverByName("MEM").Create("", grid.width, grid.height, 1, gdal.GDT_Int32)
    target.SetGeoTransform(grid.transform)
    target.SetProjection(srs.ExportToWkt())
    gdal.RasterizeLayer(target, [1], layer, options=["ATTRIBUTE=value"])
    return target.GetRasterBand(1).ReadAsArray()


def hillshade(terrain: Terrain, grid: Grid, azimuth: float = 150.0, sun_elevation: float = 48.0) -> np.ndarray:
    """Relative illumination (1 on flat ground) of the terrain under the morning sun."""
    x, y = grid.centres()
    z = terrain(x, y)
    dzdy, dzdx = np.gradient(z, -PIXEL, PIXEL)
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(-dzdx, -dzdy)  # direction the slope faces, clockwise from north
    zenith = np.radians(90.0 - sun_elevation)
    light = (np.cos(zenith) * np.cos(slope)
             + np.sin(zenith) * np.sin(slope) * np.cos(np.radians(azimuth) - aspect))
    return np.clip(light / np.cos(zenith), 0.6, 1.3).astype(np.float32)


def stand_spectra(rng: np.random.Generator, rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per stand (index 1..n; 0 is outside): NDVI before, NDVI change to the after date, NIR."""
    n = len(rows) + 1
    ndvi, change, nir = np.zeros(n, np.float32), np.zeros(n, np.float32), np.full(n, 0.2, np.float32)
    for i, row in enumerate(rows, start=1):
        mean, spread, nir_mean = CLASS_SPECTRA[row["land_class"]]
        if row["land_class"] == "0111":
            mean = SPECIES_NDVI.get(row["species"], mean)
        ndvi[i] = mean + rng.normal(0, spread)
        nir[i] = nir_mean * rng.uniform(0.9, 1.1)
        change[i] = rng.normal(0, 0.12) if row["land_class"] == "0100" else rng.normal(-0.01, 0.01)
    return ndvi, change, nir


def clouds(rng: np.random.Generator, grid: Grid, centres: list[tuple[float, float]]) -> np.ndarray:
    """Cloud opacity (0-1) of a few puffy clouds, the first ones over the given centres."""
    x, y = grid.centres()
    texture = value_noise(rng, (grid.height, grid.width), (40, 12, 4), (1.0, 0.5, 0.25))
    alpha = np.zeros((grid.height, grid.width), np.float32)
    for cx, cy in centres:
        radius = rng.uniform(300.0, 650.0)
        d2 = ((x - cx) ** 2 + (y - cy) ** 2) / radius ** 2
        puff = np.exp(-d2 * np.clip(1.0 + 0.35 * texture, 0.3, None))
        alpha = np.maximum(alpha, np.clip((puff - 0.3) / 0.4, 0.0, 1.0))
    return alpha


def to_reflectance(ndvi: np.ndarray, nir: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(red, NIR) with that NDVI: red = NIR (1 - NDVI) / (1 + NDVI)."""
    red = nir * (1.0 - ndvi) / (1.0 + ndvi)
    return red, nir


def to_counts(reflectance: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """uint16 reflectance x 10000, at least 1 inside the district (0 is nodata), 0 outside."""
    counts = np.clip(np.rint(reflectance * SCALE), 1, SCALE).astype(np.uint16)
    counts[~inside] = 0
    return counts


@dataclass(frozen=True)
class Scene:
    before: np.ndarray  # (2, rows, cols) uint16
    after: np.ndarray
    cloud_mask: np.ndarray  # (rows, cols) uint8, 1 = cloud
    cloud_fraction: dict[str, float]  # clearing id -> share of its pixels under the cloud mask


def make_scene(rng: np.random.Generator, faces: np.ndarray, rows: list[dict], clearings: list[Clearing],
               terrain: Terrain, grid: Grid, epsg: int) -> Scene:
    stand_id = rasterize(faces, np.arange(1, len(faces) + 1), grid, epsg)
    inside = stand_id > 0
    base_ndvi, change, base_nir = stand_spectra(rng, rows)
    shape = (grid.height, grid.width)
    texture = value_noise(rng, shape, (24, 6, 2), (1.0, 0.6, 0.4))
    grain = value_noise(rng, shape, (3, 1), (1.0, 0.7))
    built = np.isin(stand_id, [i + 1 for i, r in enumerate(rows) if r["land_class"] == "0700"])
    ndvi = base_ndvi[stand_id] + 0.018 * texture + np.where(built, 0.05, 0.008) * grain
    nir = base_nir[stand_id] * (1.0 + 0.05 * texture + np.where(built, 0.15, 0.02) * grain)
    shade = hillshade(terrain, grid)
    red_b, nir_b = to_reflectance(np.clip(ndvi, -0.3, 0.95), nir)
    before = np.stack([red_b * shade, nir_b * shade]) + rng.normal(0, 0.004, (2,) + shape)

    ndvi_a = ndvi + change[stand_id]
    nir_a = nir.copy()
    clearing_id = rasterize([c.geometry for c in clearings], np.arange(1, len(clearings) + 1), grid, epsg)
    cut = clearing_id > 0
    cut_ndvi = np.array([0.0] + [c.ndvi_after for c in clearings], np.float32)
    ndvi_a[cut] = cut_ndvi[clearing_id[cut]] + 0.03 * texture[cut]
    nir_a[cut] = 0.22 * (1.0 + 0.05 * grain[cut])
    red_a, nir_a = to_reflectance(np.clip(ndvi_a, -0.3, 0.95), nir_a * 1.03)
    after = np.stack([(red_a * 1.02 + 0.002) * shade, nir_a * shade])
    centres = [tuple(shapely.get_coordinates(clearings[0].geometry.centroid)[0])] if clearings else []
    x, y = grid.centres()
    for _ in range(int(rng.integers(2, 4))):
        row, col = rng.integers(0, grid.height), rng.integers(0, grid.width)
        centres.append((float(x[row, col]), float(y[row, col])))
    alpha = clouds(rng, grid, centres)
    after = after * (1.0 - alpha) + alpha * np.stack([np.full(shape, 0.42), np.full(shape, 0.45)])
    after = after + rng.normal(0, 0.004, (2,) + shape)
    mask = (alpha >= CLOUD_ALPHA_MASK).astype(np.uint8)
    fraction = {c.clearing_id: float(mask[clearing_id == i].mean()) if (clearing_id == i).any() else 0.0
                for i, c in enumerate(clearings, start=1)}
    return Scene(np.stack([to_counts(b, inside) for b in before]),
                 np.stack([to_counts(b, inside) for b in after]), mask, fraction)


def write_geotiff(path: str, bands: np.ndarray, grid: Grid, epsg: int, date: dt.date | None,
                  descriptions: tuple[str, ...], nodata: int | None, extra: dict[str, str]) -> None:
    """A tiled, deflate-compressed GeoTIFF with the acquisition date in TIFFTAG_DATETIME and ACQUISITION_DATE."""
    from osgeo import gdal, osr  # noqa: PLC0415

    gdal.UseExceptions()
    bands = bands if bands.ndim == 3 else bands[None]
    data_type = gdal.GDT_UInt16 if bands.dtype == np.uint16 else gdal.GDT_Byte
    options = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE", "PREDICTOR=2"]
    dataset = gdal.GetDriverByName("GTiff").Create(path, grid.width, grid.height, len(bands), data_type, options)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    dataset.SetProjection(srs.ExportToWkt())
    dataset.SetGeoTransform(grid.transform)
    metadata = dict(extra)
    if date is not None:
        metadata["TIFFTAG_DATETIME"] = dt.datetime.combine(date, ACQUISITION_TIME).strftime("%Y:%m:%d %H:%M:%S")
        metadata["ACQUISITION_DATE"] = date.isoformat()
    dataset.SetMetadata(metadata)
    for index, (array, description) in enumerate(zip(bands, descriptions), start=1):
        band = dataset.GetRasterBand(index)
        band.SetDescription(description)
        if nodata is not None:
            band.SetNoDataValue(nodata)
        band.WriteArray(array)
    dataset.FlushCache()
    dataset = None
