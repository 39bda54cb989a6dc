"""Management grid (管护网格) of a town: `linzhang:managementgrid`, 20,000 forest stands and 200 rangers.

The town is generated: an irregular outline of about 210 km² in a 20 × 15 km box (EPSG:4547, near Ganzhou) cut into 20
villages (Voronoi cells of jittered seeds); about 25,000 stands (Voronoi cells of jittered grid points,
their edges cut into 20 m steps and bent, on a 1 cm grid, split at the village boundaries), of which the 20,000 in the higher
ground of a smooth random field are forest (land classes 0111 to 0307) and the rest cropland, built-up
land or water: the forest falls apart into patches and islands as in real valleys. 200 rangers are shared
among the villages in proportion to their forest (largest remainder), in a rangers table as the
workspace has. The run checks its own result (total zone area = forest within 0.1 %, balance at most
1.15), prints the balance and compactness reached and writes them to ``figures.json`` in its folder.
"""
from __future__ import annotations

import json
import os

NAME = "management_grid"
N_FOREST_STANDS = 20_000
N_RANGERS = 200
N_VILLAGES = 20
FOREST_SHARE = 0.8
DESCRIPTION = (f"`linzhang:managementgrid`: a generated town (about 210 km², EPSG:4547) of {N_VILLAGES} villages "
               f"and {N_FOREST_STANDS:,} forest stands among about 25,000 stands, {N_RANGERS} rangers in a table "
               "shared among the villages by forest area, the default cell size; GeoPackage in and out. The run "
               "asserts that the zones cover the forest within 0.1 % and that the balance (max/min forest per "
               "ranger in a village) is at most 1.15; the zones, balance and compactness it reached are listed below.")
BASELINE = ("none: QGIS has no balanced, contiguity-preserving partition (native:kmeansclustering groups points "
            "by distance with neither equal forest area nor connected zones).")
baseline = None
ORIGIN = (585000.0, 2850000.0)
SIZE = (20_000.0, 15_000.0)
FOREST_CLASSES = ("0111", "0131", "0301", "0302", "0305")
OTHER_CLASSES = ("0100", "0700", "1100")


def _outline(rng):
    """An irregular town outline: a wobbly ellipse filling most of SIZE."""
    import numpy as np
    import shapely

    angles = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    radius = 1 + 0.08 * np.sin(3 * angles + rng.uniform(0, 6)) + 0.05 * np.sin(7 * angles + rng.uniform(0, 6))
    x = ORIGIN[0] + SIZE[0] / 2 * (1 + 0.95 * radius * np.cos(angles))
    y = ORIGIN[1] + SIZE[1] / 2 * (1 + 0.95 * radius * np.sin(angles))
    return shapely.Polygon(np.stack([x, y], axis=1))


def _voronoi(points, outline):
    import numpy as np
    import shapely

    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=outline.buffer(1000)))
    return np.asarray([cell for cell in shapely.intersection(cells, outline) if not cell.is_empty], dtype=object)


def _bend(xy):
    """Edges bent into gentle curves (the same shift for the same point, so neighbours still fit)."""
    import numpy as np

    shift = 4.0 * np.stack([np.sin(xy[:, 1] / 37.0), np.cos(xy[:, 0] / 41.0)], axis=1)
    return xy + shift


def _field(x, y, rng):
    """A smooth random height field: sums of waves of 1.5 to 6 km."""
    import numpy as np

    total = np.zeros_like(x)
    for _ in range(8):
        angle, length, phase = rng.uniform(0, np.pi), rng.uniform(1500, 6000), rng.uniform(0, 2 * np.pi)
        total += np.sin((x * np.cos(angle) + y * np.sin(angle)) * 2 * np.pi / length + phase)
    return total


def _multipolygons(geoms):
    """Each geometry as a MultiPolygon of its polygonal parts."""
    import shapely

    parts, index = shapely.get_parts(geoms, return_index=True)
    polygon = shapely.get_type_id(parts) == 3
    return shapely.multipolygons(parts[polygon], indices=index[polygon])


def make_town(seed: int = 20):
    """(villages, stands, rangers) GeoDataFrames / DataFrame of the generated town."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    rng = np.random.default_rng(seed)
    outline = _outline(rng)
    village_seeds = shapely.get_coordinates(shapely.points(
        rng.uniform(ORIGIN[0], ORIGIN[0] + SIZE[0], 400), rng.uniform(ORIGIN[1], ORIGIN[1] + SIZE[1], 400)))
    village_seeds = village_seeds[shapely.contains_xy(outline, village_seeds[:, 0], village_seeds[:, 1])][:N_VILLAGES]
    villages = _voronoi(village_seeds, outline)
    n_stands = int(N_FOREST_STANDS / FOREST_SHARE)
    step = np.sqrt(outline.area / n_stands)
    gx, gy = np.meshgrid(np.arange(ORIGIN[0], ORIGIN[0] + SIZE[0] * 1.05, step),
                         np.arange(ORIGIN[1], ORIGIN[1] + SIZE[1] * 1.05, step))
    points = np.stack([gx.ravel(), gy.ravel()], axis=1) + rng.uniform(-0.35, 0.35, (gx.size, 2)) * step
    points = points[shapely.contains_xy(outline, points[:, 0], points[:, 1])]
    stands = shapely.set_precision(shapely.transform(shapely.segmentize(_voronoi(points, outline), 20.0), _bend), 0.01)
    tree = shapely.STRtree(villages)
    stand_index, village_index = tree.query(stands, predicate="intersects")
    pieces = shapely.intersection(stands[stand_index], villages[village_index])
    keep = shapely.area(pieces) > 1.0
    pieces, village_index = pieces[keep], village_index[keep]
    centre = shapely.get_coordinates(shapely.point_on_surface(pieces))
    height = _field(centre[:, 0], centre[:, 1], rng)
    forest = height >= np.quantile(height, 1 - N_FOREST_STANDS / len(pieces))
    land_class = np.where(forest, rng.choice(FOREST_CLASSES, len(pieces), p=[0.7, 0.1, 0.1, 0.05, 0.05]),
                          rng.choice(OTHER_CLASSES, len(pieces), p=[0.7, 0.2, 0.1]))
    codes = np.array([f"360799101{200 + i + 1}" for i in range(len(villages))])
    stand_frame = gpd.GeoDataFrame({"land_class": land_class, "area_code": codes[village_index]},
                                   geometry=_multipolygons(pieces), crs="EPSG:4547")
    forest_m2 = np.bincount(village_index[forest], weights=shapely.area(pieces[forest]), minlength=len(villages))
    quota = forest_m2 / forest_m2.sum() * N_RANGERS
    counts = np.floor(quota).astype(int)
    counts[np.argsort(counts - quota)[:N_RANGERS - counts.sum()]] += 1
    village_frame = gpd.GeoDataFrame({"code": codes, "name": [f"村{i + 1}" for i in range(len(villages))],
                                      "level": 3, "rangers": counts}, geometry=villages, crs="EPSG:4547")
    rangers = pd.DataFrame([{"ranger_id": f"{code}-R{n + 1:02d}", "name": f"护林员{code[-3:]}{n + 1:02d}",
                             "role": "ranger", "area_code": code}
                            for code, count in zip(codes, counts) for n in range(count)])
    return village_frame, stand_frame, rangers


def prepare(workdir: str) -> dict:
    import geopandas as gpd

    villages, stands, rangers = make_town()
    path = os.path.join(workdir, "town.gpkg")
    villages.to_file(path, layer="villages", driver="GPKG")
    stands.to_file(path, layer="forest_stands", driver="GPKG")
    table = gpd.GeoDataFrame(rangers, geometry=[None] * len(rangers))
    table.to_file(path, layer="rangers", driver="GPKG")
    n_forest = int(stands.land_class.isin(FOREST_CLASSES).sum())
    return {"gpkg": path, "stands": len(stands), "forest_stands": n_forest, "forest_m2": float(
        stands[stands.land_class.isin(FOREST_CLASSES)].area.sum())}


def ours(workdir: str, prepared: dict) -> None:
    import processing
    from qgis.core import QgsVectorLayer

    gpkg = prepared["gpkg"]
    out = os.path.join(workdir, "zones.gpkg")
    result = processing.run("linzhang:managementgrid", {
        "AREAS": f"{gpkg}|layername=villages", "FOREST": f"{gpkg}|layername=forest_stands",
        "RANGERS": f"{gpkg}|layername=rangers", "OUTPUT": out})
    layer = QgsVectorLayer(result["OUTPUT"], "zones", "ogr")
    total = sum(feature.geometry().area() for feature in layer.getFeatures())
    figures = {"zones": layer.featureCount(), "balance": result["BALANCE"], "compactness": result["COMPACTNESS"],
               "forest_m2": prepared["forest_m2"], "zones_m2": total,
               "area_difference_pct": abs(total - prepared["forest_m2"]) / prepared["forest_m2"] * 100}
    with open(os.path.join(workdir, "figures.json"), "w", encoding="utf-8") as handle:
        json.dump(figures, handle)
    print(f"management grid: {figures}")
    assert figures["zones"] == N_RANGERS, figures
    assert figures["area_difference_pct"] <= 0.1, figures
    assert figures["balance"] <= 1.15, figures
    return {"figures": {"zones": f"{figures['zones']}",
                        "balance (max/min forest per ranger in a village)": f"{figures['balance']:.3f}",
                        "mean compactness (Polsby-Popper)": f"{figures['compactness']:.3f}",
                        "zone area vs forest": f"{figures['area_difference_pct']:.1e} %"}}
