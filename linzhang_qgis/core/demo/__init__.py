"""A seeded, deterministic demo district (示范区) near Ganzhou, Jiangxi, for trying every tool of the plugin.

``generate_demo(out_dir, seed)`` writes into ``out_dir``:

- ``linzhang_demo.gpkg``: a one-map workspace (EPSG:4547) with the responsibility areas of four levels
  (1 district, 3 towns, 3-4 villages each, 2-3 groups each; children tile their parent exactly),
  forest stands tiling every group, rangers and supervisors, and the truth layers
  ``demo_truth_clearings``, ``demo_truth_patrols`` and ``demo_truth_compliance``;
- ``tracks/``: a year (2025-11-01 to 2026-10-31) of GPX patrol tracks, ``{area_code}_{YYYYMMDD}_{n}.gpx``;
- ``imagery/before_20251020.tif``, ``imagery/after_20261018.tif`` (10 m, red and NIR reflectance x 10000,
  nodata 0 outside the district) and ``imagery/cloud_mask_20261018.tif`` (1 = cloud).

The same seed always gives the same data (the workspace's creation time aside).
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from .. import schema
from ..workspace import create_workspace
from . import clearings as clearing_mod
from . import geometry, hierarchy, imagery, people, stands, tracks, writer
from .fields import make_terrain, wave_field

log = logging.getLogger(__name__)

EPSG = 4547
CENTRE = (593250.0, 2858330.0)  # lon 114.93, lat 25.83 (near Ganzhou) in CGCS2000 / 3-degree GK CM 114E
TARGET_STANDS = 1300
GPKG_NAME = "linzhang_demo.gpkg"

ProgressCallback = Callable[[float, str], None]


@dataclass(frozen=True)
class DemoResult:
    gpkg_path: str
    before_path: str
    after_path: str
    cloud_mask_path: str
    tracks_dir: str
    seed: int
    area_counts: dict[int, int] = field(default_factory=dict)  # level -> number of areas
    n_stands: int = 0
    n_rangers: int = 0
    n_tracks: int = 0
    n_clearings: int = 0
    n_compliant: int = 0  # chiefs meeting the seed's patrol rules in every period
    n_noncompliant: int = 0
    seconds: float = 0.0

    def summary_lines(self) -> list[str]:
        levels = "，".join(f"{schema.AREA_LEVELS[level][0]} {n}" for level, n in sorted(self.area_counts.items()))
        return [
            f"示范区工作空间 Demo workspace: {self.gpkg_path}",
            f"责任区 Areas: {levels}",
            f"森林资源小班 Forest stands: {self.n_stands}；"
            f"护林员与监管员 rangers and supervisors: {self.n_rangers}",
            f"巡林轨迹 GPX tracks: {self.n_tracks}（{self.tracks_dir}）",
            f"林长巡林达标 Compliant chiefs: {self.n_compliant}，未达标 non-compliant: {self.n_noncompliant}",
            f"预设采伐斑块 Planted clearings: {self.n_clearings}；"
            f"影像 images: {self.before_path}, {self.after_path}",
        ]


class _Steps:
    """Progress reports and cancel checks between (and inside) the stages."""

    def __init__(self, progress: Optional[ProgressCallback], is_canceled: Optional[Callable[[], bool]]):
        self.progress = progress
        self.is_canceled = is_canceled

    def __call__(self, fraction: float, message: str = "") -> None:
        if self.is_canceled is not None and self.is_canceled():
            raise InterruptedError("demo generation canceled")
        if self.progress is not None:
            self.progress(min(1.0, max(0.0, fraction)), message)


def generate_demo(out_dir: str, seed: int = 2026, progress: Optional[ProgressCallback] = None,
                  is_canceled: Optional[Callable[[], bool]] = None) -> DemoResult:
    """Write the demo district for ``seed`` into ``out_dir`` (created; earlier demo files are replaced)."""
    started = time.perf_counter()
    step = _Steps(progress, is_canceled)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(9)]
    os.makedirs(os.path.join(out_dir, "imagery"), exist_ok=True)

    step(0.0, "生成区域轮廓与小班 / outline and stands")
    outline = geometry.district_outline(rngs[0], CENTRE)
    terrain = make_terrain(rngs[1], CENTRE)
    faces = geometry.stand_faces(rngs[2], outline, TARGET_STANDS, wave_field(rngs[2], 6, (1500.0, 5000.0), CENTRE))
    step(0.08, "划分镇、村、组责任区 / responsibility areas")
    names = people.NameMaker(rngs[3])
    areas = hierarchy.build_areas(rngs[4], faces, names)
    step(0.15, "小班属性 / stand attributes")
    stand_rows = stands.stand_rows(rngs[5], faces, areas, terrain)
    ranger_rows = people.rangers(names, [(a.code, a.supervisor) for a in areas if a.level == 3])
    cleared = clearing_mod.make_clearings(rngs[6], faces, stand_rows)

    step(0.2, "巡林轨迹 / patrol tracks")
    tracks_dir = os.path.join(out_dir, "tracks")
    track_truth, compliance = tracks.write_tracks(rngs[7], areas, terrain, EPSG, tracks_dir,
                                                  lambda f: step(0.2 + 0.4 * f), is_canceled)

    step(0.6, "卫星影像 / imagery")
    grid = imagery.grid_for(outline.bounds)
    scene = imagery.make_scene(rngs[8], faces, stand_rows, cleared, terrain, grid, EPSG)
    paths = _write_images(out_dir, scene, grid)

    step(0.85, "写入工作空间 / writing the workspace")
    gpkg_path = os.path.join(out_dir, GPKG_NAME)
    _write_workspace(gpkg_path, areas, faces, stand_rows, ranger_rows, cleared, scene, track_truth, compliance)
    step(1.0, "完成 / done")
    counts = {level: sum(1 for a in areas if a.level == level) for level in (1, 2, 3, 4)}
    result = DemoResult(gpkg_path, paths[0], paths[1], paths[2], tracks_dir, seed, counts, len(faces),
                        len(ranger_rows), len(track_truth), len(cleared), sum(c.compliant for c in compliance),
                        sum(not c.compliant for c in compliance), round(time.perf_counter() - started, 2))
    log.info("demo written: %s", result)
    return result


def _write_images(out_dir: str, scene: imagery.Scene, grid: imagery.Grid) -> tuple[str, str, str]:
    folder = os.path.join(out_dir, "imagery")
    before = os.path.join(folder, f"before_{imagery.BEFORE_DATE:%Y%m%d}.tif")
    after = os.path.join(folder, f"after_{imagery.AFTER_DATE:%Y%m%d}.tif")
    mask = os.path.join(folder, f"cloud_mask_{imagery.AFTER_DATE:%Y%m%d}.tif")
    about = {"TIFFTAG_IMAGEDESCRIPTION": "linzhang_qgis demo: synthetic surface reflectance x 10000 "
                                         "(band 1 red, band 2 NIR)",
             "REFLECTANCE_SCALE": "10000", "SENSOR": "synthetic (Sentinel-2-like, 10 m)"}
    imagery.write_geotiff(before, scene.before, grid, EPSG, imagery.BEFORE_DATE, ("red", "nir"), 0, about)
    imagery.write_geotiff(after, scene.after, grid, EPSG, imagery.AFTER_DATE, ("red", "nir"), 0, about)
    imagery.write_geotiff(mask, scene.cloud_mask, grid, EPSG, imagery.AFTER_DATE, ("cloud",), None,
                          {"TIFFTAG_IMAGEDESCRIPTION": "linzhang_qgis demo: cloud mask (1 = cloud)"})
    return before, after, mask


def _write_workspace(path, areas, faces, stand_rows, ranger_rows, cleared, scene, track_truth, compliance) -> None:
    create_workspace(path, epsg=EPSG, overwrite=True)
    dataset = writer.open_for_update(path)
    try:
        area_rows = [{"code": a.code, "name": a.name, "level": a.level, "parent_code": a.parent_code,
                      "chief_name": a.chief_name, "chief_title": a.chief_title, "chief_phone": a.chief_phone,
                      "supervisor": a.supervisor, "area_ha": round(a.area_ha, 4)} for a in areas]
        writer.write_layer(dataset, schema.RESP_AREAS.name, area_rows, [a.geometry for a in areas])
        writer.write_layer(dataset, schema.FOREST_STANDS.name, stand_rows, faces)
        writer.write_layer(dataset, schema.RANGERS.name, ranger_rows)
        writer.add_truth_layers(dataset, EPSG)
        writer.write_layer(dataset, writer.TRUTH_CLEARINGS.name,
                           [_clearing_row(c, stand_rows[c.stand], scene) for c in cleared],
                           [c.geometry for c in cleared])
        writer.write_layer(dataset, writer.TRUTH_PATROLS.name,
                           [{k: getattr(t, k) for k in writer.TRUTH_PATROLS.field_names} for t in track_truth],
                           [t.geometry for t in track_truth])
        writer.write_layer(dataset, writer.TRUTH_COMPLIANCE.name,
                           [{k: getattr(c, k) for k in writer.TRUTH_COMPLIANCE.field_names} for c in compliance])
    finally:
        dataset = None


def _clearing_row(clearing: clearing_mod.Clearing, stand: dict, scene: imagery.Scene) -> dict:
    fraction = scene.cloud_fraction.get(clearing.clearing_id, 0.0)
    area = float(clearing.geometry.area)
    return {"clearing_id": clearing.clearing_id, "area_m2": round(area, 2), "area_mu": round(area / 666.667, 3),
            "cause": clearing.cause, "in_cloud": fraction >= 0.5, "cloud_frac": round(fraction, 3),
            "ndvi_after": round(clearing.ndvi_after, 3), "area_code": stand["area_code"],
            "village": stand["village"], "lin_ban": stand["lin_ban"], "xiao_ban": stand["xiao_ban"]}
