"""Writing a management grid into the workspace (core.grid.store): the zones of the areas drawn replace theirs
in grid_zones in one transaction, the zones of other areas stay, geometries arrive in the workspace's CRS."""
from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from linzhang_qgis.core.grid.inputs import rangers_from_counts
from linzhang_qgis.core.grid.store import replace_zones
from linzhang_qgis.core.grid.zones import management_grid
from linzhang_qgis.core.workspace import create_workspace

ORIGIN = (593000.0, 2858000.0)  # EPSG:4547, near Ganzhou


def grid(codes_and_counts, crs="EPSG:4547"):
    polygons = [box(ORIGIN[0] + 1000 * i, ORIGIN[1], ORIGIN[0] + 1000 * (i + 1), ORIGIN[1] + 1000)
                for i in range(len(codes_and_counts))]
    areas = gpd.GeoDataFrame({"code": list(codes_and_counts)}, geometry=polygons, crs="EPSG:4547")
    result = management_grid(areas, np.array(polygons, dtype=object), rangers=rangers_from_counts(codes_and_counts))
    return result.zones if crs == "EPSG:4547" else result.zones.to_crs(crs)


def stored(path):
    return gpd.read_file(path, layer="grid_zones")


def test_replacing_the_zones_of_one_area_keeps_the_others(tmp_path):
    path = str(tmp_path / "ws.gpkg")
    create_workspace(path)
    first = grid({"A": 2, "B": 3})
    assert replace_zones(path, first, "EPSG:4547") == (0, 5)
    again = grid({"A": 4})
    assert replace_zones(path, again, "EPSG:4547") == (2, 4)
    zones = stored(path)
    assert sorted(zones["zone_id"]) == ["A-01", "A-02", "A-03", "A-04", "B-01", "B-02", "B-03"]
    assert zones.area.sum() == pytest.approx(2_000_000, rel=1e-9)
    row = zones.set_index("zone_id").loc["A-01"]
    assert row["forest_mu"] == pytest.approx(row["forest_ha"] * 15) and row["neighbours"]


def test_zones_in_another_crs_are_reprojected_to_the_workspace(tmp_path):
    path = str(tmp_path / "ws.gpkg")
    create_workspace(path)
    zones = grid({"A": 2}, crs="EPSG:4326")
    replace_zones(path, zones, zones.crs.to_wkt())
    back = stored(path)
    assert back.crs.to_epsg() == 4547
    assert back.total_bounds == pytest.approx([ORIGIN[0], ORIGIN[1], ORIGIN[0] + 1000, ORIGIN[1] + 1000], abs=0.01)


def test_a_failed_write_leaves_the_workspace_as_it_was(tmp_path):
    path = str(tmp_path / "ws.gpkg")
    create_workspace(path)
    replace_zones(path, grid({"A": 2}), "EPSG:4547")
    broken = grid({"A": 3})
    broken.loc[2, "zone_id"] = None  # a required field: fails while writing, after the old zones were deleted
    with pytest.raises(Exception):
        replace_zones(path, broken, "EPSG:4547")
    with sqlite3.connect(path) as db:
        assert sorted(row[0] for row in db.execute("SELECT zone_id FROM grid_zones")) == ["A-01", "A-02"]
