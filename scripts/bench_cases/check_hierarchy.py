"""The hierarchy check at prefecture scale: `linzhang:checkhierarchy` on 50,000 areas vs. the native chain.

The areas tile like real ones: about 143,000 Voronoi cells (jittered grid seeds, 80 km × 60 km) grouped into
48,470 groups of about three cells (nearest group seed), the groups into 1,500 villages and the villages into 30
towns (nearest seed again), all under one district; every area is the coverage union of its cells, so neighbours
share their vertices exactly, as areas dissolved from one stand map do. Then 16 problems are planted, each in its
own village: 3 missing groups (gaps), 3 groups grown 5 m into a sibling (overlaps), 2 grown into a group of the
next village (outside the parent), 2 parent-code typos (orphans), 2 groups pasted twice (duplicate codes), 2 groups
saying they are towns (level jumps) and 2 groups with a spike (invalid). 50,000 features in a GeoPackage
(EPSG:4547). Our run must find exactly those 16.
"""
from __future__ import annotations

import os

NAME = "check_hierarchy"
DESCRIPTION = ("`linzhang:checkhierarchy` (tolerance 1 m²) on 50,000 responsibility areas in 4 levels (1 district, "
               "30 towns, 1,500 villages, 48,470 groups; a Voronoi tessellation dissolved level by level, "
               "GeoPackage, EPSG:4547) with 16 planted problems of the 7 kinds, which ours must find exactly.")
BASELINE = ("`native:fixgeometries`, then for each of the 3 parent levels: `native:extractbyattribute` (parents, "
            "children) → `native:dissolve` (children by parent_code) → `native:difference` (parents − dissolved: "
            "gaps) and `native:difference` (dissolved − parents: outside parts), each → "
            "`native:multiparttosingleparts` → `native:extractbyexpression` ($area > 1); overlaps: "
            "`native:intersection` of the children with themselves → `native:extractbyexpression` (code < o_code, "
            "same parent_code, $area > 1). No orphans, duplicates, level or validity checks: the baseline does less.")
READ_FLOOR = "only reading the 50,000 areas into a frame (`qgis_glue.frames.source_to_frame`), what ours starts with"
COMPARISONS = {"read_floor": READ_FLOOR, "baseline": BASELINE}

ORIGIN = (440000.0, 2760000.0)  # inside EPSG:4547's zone, around Ganzhou
SIZE = (80000.0, 60000.0)
TOWNS, VILLAGES, GROUPS, CELLS_PER_GROUP = 30, 1500, 48470, 3
DISTRICT = "360799"
EXPECTED = {"gap": 3, "overlap": 3, "outside_parent": 2, "orphan": 2, "duplicate_code": 2, "level_mismatch": 2,
            "invalid_geometry": 2}
TOLERANCE = 1.0


def tessellation(seed: int = 5):
    """(cells, group of each cell, village of each group, town of each village)."""
    import numpy as np
    import shapely
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    width, height = SIZE
    spacing = np.sqrt(width * height / (GROUPS * CELLS_PER_GROUP))
    gx, gy = np.meshgrid(np.arange(0, width, spacing), np.arange(0, height, spacing))
    seeds = np.column_stack([gx.ravel(), gy.ravel()]) + rng.uniform(-0.45, 0.45, (gx.size, 2)) * spacing + ORIGIN
    frame = shapely.box(ORIGIN[0] - spacing, ORIGIN[1] - spacing, ORIGIN[0] + width + spacing,
                        ORIGIN[1] + height + spacing)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame))
    inner = shapely.box(ORIGIN[0] + spacing, ORIGIN[1] + spacing, ORIGIN[0] + width - spacing,
                        ORIGIN[1] + height - spacing)
    cells = cells[shapely.contains(inner, cells)]  # whole cells only: every vertex a shared Voronoi vertex
    centres = shapely.get_coordinates(shapely.centroid(cells))
    group_seeds = centres[rng.choice(len(cells), GROUPS, replace=False)]
    group_of_cell = cKDTree(group_seeds).query(centres)[1]
    village_seeds = group_seeds[rng.choice(GROUPS, VILLAGES, replace=False)]
    village_of_group = cKDTree(village_seeds).query(group_seeds)[1]
    town_seeds = village_seeds[rng.choice(VILLAGES, TOWNS, replace=False)]
    town_of_village = cKDTree(town_seeds).query(village_seeds)[1]
    return cells, group_of_cell, village_of_group, town_of_village


def _grouped_union(geometries, labels, count: int):
    import numpy as np
    import shapely

    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(count + 1))
    return np.array([shapely.coverage_union_all(geometries[order[bounds[i]:bounds[i + 1]]]) for i in range(count)],
                    dtype=object)


def make_areas():
    """The 50,000 areas as a GeoDataFrame (code, name, level, parent_code), parents first, before planting."""
    import geopandas as gpd
    import numpy as np
    import shapely

    cells, group_of_cell, village_of_group, town_of_village = tessellation()
    groups = _grouped_union(cells, group_of_cell, GROUPS)
    villages = _grouped_union(groups, village_of_group, VILLAGES)
    towns = _grouped_union(villages, town_of_village, TOWNS)
    district = shapely.coverage_union_all(towns)
    town_codes = [f"{DISTRICT}{t + 101:03d}" for t in range(TOWNS)]
    village_codes = [f"{town_codes[town_of_village[v]]}{v + 1:04d}" for v in range(VILLAGES)]
    group_codes = [f"{village_codes[village_of_group[g]]}{g + 1:05d}" for g in range(GROUPS)]
    rows = {
        "code": [DISTRICT] + town_codes + village_codes + group_codes,
        "name": ["示范区"] + [f"镇{t + 1:02d}" for t in range(TOWNS)] + [f"村{v + 1:04d}" for v in range(VILLAGES)]
        + [f"第{g % 12 + 1}组" for g in range(GROUPS)],
        "level": [1] + [2] * TOWNS + [3] * VILLAGES + [4] * GROUPS,
        "parent_code": [None] + [DISTRICT] * TOWNS + [town_codes[t] for t in town_of_village]
        + [village_codes[v] for v in village_of_group],
    }
    geometries = np.concatenate([[district], towns, villages, groups])
    return gpd.GeoDataFrame(rows, geometry=list(geometries), crs="EPSG:4547")


def plant(areas, seed: int = 17):
    """The 16 problems of the module docstring, each in a village of its own."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    rng = np.random.default_rng(seed)
    groups = np.flatnonzero((areas["level"] == 4).to_numpy())
    tree = shapely.STRtree(areas.geometry.values[groups])
    parents = areas["parent_code"].to_numpy()
    used: set[str] = set()

    def pick(neighbour_in_same_village=None):
        """A group in an unused village (and, if asked, a neighbour sharing > 20 m of boundary, same village
        or not); the neighbour's village is used up too."""
        while True:
            row = int(groups[rng.integers(len(groups))])
            if parents[row] in used:
                continue
            if neighbour_in_same_village is None:
                used.add(parents[row])
                return row, None
            near = groups[tree.query(areas.geometry.iat[row], predicate="intersects")]
            for other in near:
                same = parents[other] == parents[row]
                if other == row or same != neighbour_in_same_village or parents[other] in used:
                    continue
                if shapely.length(shapely.intersection(areas.geometry.iat[row], areas.geometry.iat[other])) > 20:
                    used.update((parents[row], parents[other]))
                    return row, int(other)

    geometry = areas.geometry.values.copy()
    for same_village in [True] * EXPECTED["overlap"] + [False] * EXPECTED["outside_parent"]:
        row, other = pick(same_village)
        geometry[row] = shapely.union(geometry[row],
                                      shapely.intersection(geometry[other], shapely.buffer(geometry[row], 5.0)))
    for _ in range(EXPECTED["invalid_geometry"]):
        row, _ = pick()
        while shapely.get_type_id(geometry[row]) != 3:  # a single polygon, so that the spike is the only change
            used.discard(parents[row])
            row, _ = pick()
        geometry[row] = _with_spike(geometry[row])
    areas = areas.set_geometry(geometry)
    for _ in range(EXPECTED["orphan"]):
        row, _ = pick()
        areas.loc[row, "parent_code"] = "999999999999"
    for _ in range(EXPECTED["level_mismatch"]):
        row, _ = pick()
        areas.loc[row, "level"] = 2
    pasted = [pick()[0] for _ in range(EXPECTED["duplicate_code"])]
    missing = [pick()[0] for _ in range(EXPECTED["gap"])]
    areas = pd.concat([areas.drop(index=missing), areas.loc[pasted]], ignore_index=True)
    return gpd.GeoDataFrame(areas, geometry="geometry", crs="EPSG:4547")


def _with_spike(polygon):
    """``polygon`` with a 10 m spike out of its first vertex (invalid: a self-intersecting ring)."""
    import numpy as np
    import shapely

    part = polygon
    ring = shapely.get_coordinates(part.exterior)
    centre = shapely.get_coordinates(part.centroid)[0]
    direction = (ring[0] - centre) / np.linalg.norm(ring[0] - centre)
    spiked = np.vstack([ring[:1], ring[:1] + 10.0 * direction, ring[:-1], ring[:1]])
    return shapely.Polygon(spiked, [interior.coords for interior in part.interiors])


def prepare(workdir: str) -> dict:
    areas = plant(make_areas())
    path = os.path.join(workdir, "areas.gpkg")
    areas.to_file(path, layer="areas", driver="GPKG")
    return {"areas": f"{path}|layername=areas", "count": len(areas)}


def ours(workdir: str, prepared: dict) -> None:
    import processing

    result = processing.run("linzhang:checkhierarchy", {
        "INPUT": prepared["areas"], "TOLERANCE": TOLERANCE, "OUTPUT": os.path.join(workdir, "problems.gpkg")})
    found = {kind: int(result[kind.upper()]) for kind in EXPECTED}
    print(f"ours found: {found}")
    assert found == EXPECTED, f"found {found}, planted {EXPECTED}"


def read_floor(workdir: str, prepared: dict) -> None:
    from linzhang_qgis.qgis_glue.frames import source_to_frame
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(prepared["areas"], "areas", "ogr")
    frame = source_to_frame(layer, ["code", "parent_code", "level", "name"], layer.crs())
    assert len(frame) == prepared["count"]


def baseline(workdir: str, prepared: dict) -> None:
    import processing
    from qgis.core import QgsVectorLayer

    def run(algorithm: str, parameters: dict):
        return processing.run(algorithm, {**parameters, "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"]

    def problems(layer) -> object:
        single = run("native:multiparttosingleparts", {"INPUT": layer})
        return run("native:extractbyexpression", {"INPUT": single, "EXPRESSION": f"$area > {TOLERANCE}"})

    fixed = run("native:fixgeometries", {"INPUT": prepared["areas"]})
    found = {"gap": 0, "outside_parent": 0, "overlap": 0}
    for level in (1, 2, 3):
        parents = run("native:extractbyattribute", {"INPUT": fixed, "FIELD": "level", "OPERATOR": 0, "VALUE": level})
        children = run("native:extractbyattribute", {"INPUT": fixed, "FIELD": "level", "OPERATOR": 0,
                                                     "VALUE": level + 1})
        dissolved = run("native:dissolve", {"INPUT": children, "FIELD": ["parent_code"]})
        found["gap"] += problems(run("native:difference", {"INPUT": parents, "OVERLAY": dissolved})).featureCount()
        found["outside_parent"] += problems(run("native:difference", {"INPUT": dissolved, "OVERLAY": parents})
                                            ).featureCount()
        pairs = run("native:intersection", {"INPUT": children, "OVERLAY": children,
                                            "INPUT_FIELDS": ["code", "parent_code"],
                                            "OVERLAY_FIELDS": ["code", "parent_code"], "OVERLAY_FIELDS_PREFIX": "o_"})
        found["overlap"] += run("native:extractbyexpression", {
            "INPUT": pairs, "EXPRESSION": f"\"code\" < \"o_code\" AND \"parent_code\" = \"o_parent_code\" "
                                          f"AND $area > {TOLERANCE}"}).featureCount()
    print(f"native chain found: {found}")
    assert isinstance(fixed, QgsVectorLayer) and found["gap"] >= 1
