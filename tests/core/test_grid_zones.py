"""The management grid (core.grid.zones.management_grid) against its rules, on real forest polygons (Aargau)
and generated villages: the zones of an area cover its forest and nothing else (within 0.1 %), do not
overlap, stay inside their area, are connected wherever the forest is, hold balanced forest (max/min at
most 1.15), one per ranger; and every kind of bad input gets one clear Chinese and English sentence."""
from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from linzhang_qgis.core.errors import InputDataError
from linzhang_qgis.core.grid.inputs import rangers_from_counts, rangers_from_rows
from linzhang_qgis.core.grid.zones import GridCanceled, management_grid

DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data")
CRS = "EPSG:4547"


def make_areas(polygons, codes, crs=CRS):
    return gpd.GeoDataFrame({"code": codes}, geometry=list(polygons), crs=crs)


@np.errstate(invalid="ignore")  # GEOS 3.11 warns on the empty intersections of disjoint shapes
def check_rules(result, areas, forest, counts, max_balance=1.15):
    """Every rule of the grid for every area; returns the balance of each area."""
    zones = result.zones
    forest_union = shapely.union_all(np.asarray(forest, dtype=object))
    balances = {}
    for code, area in zip(areas["code"], areas.geometry):
        k = counts.get(code, 0)
        mine = zones[zones["area_code"] == code]
        assert len(mine) == k, f"{code}: {len(mine)} zones for {k} rangers"
        if not k:
            continue
        expected = shapely.intersection(forest_union, area)
        geoms = np.asarray(mine.geometry.values, dtype=object)
        tolerance = 1e-3 * expected.area
        assert abs(shapely.area(geoms).sum() - expected.area) <= tolerance  # all of the forest, within 0.1 %
        union = shapely.union_all(geoms)
        assert shapely.difference(expected, union).area <= tolerance  # no gap
        assert shapely.difference(union, expected).area <= tolerance  # nothing but forest
        first, second = np.triu_indices(k, 1)
        overlap = shapely.area(shapely.intersection(geoms[first], geoms[second])).sum()
        assert overlap <= 1e-6 * expected.area  # no overlap
        assert shapely.area(shapely.difference(geoms, area)).sum() <= 1e-6 * expected.area  # inside the area
        for piece in shapely.get_parts(expected):  # connected wherever the forest is
            for zone_id, geometry in zip(mine["zone_id"], geoms):
                parts = shapely.get_parts(shapely.intersection(geometry, piece))
                parts = parts[(shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 1e-3)]
                assert len(parts) <= 1, f"{zone_id} is in {len(parts)} pieces within one piece of forest"
        assert np.allclose(mine["forest_ha"], shapely.area(geoms) / 10_000, rtol=1e-9)
        assert np.allclose(mine["forest_mu"], mine["forest_ha"] * 15)
        assert np.allclose(mine["perimeter_m"], shapely.length(geoms))
        assert ((mine["compactness"] > 0) & (mine["compactness"] <= 1)).all()
        balances[code] = mine["forest_ha"].max() / mine["forest_ha"].min()
        assert balances[code] <= max_balance, f"{code}: balance {balances[code]:.3f}"
    return balances


def neighbours_are_real(result):
    zones = result.zones.set_index("zone_id")
    for zone_id, row in zones.iterrows():
        for other in filter(None, row["neighbours"].split(",")):
            assert zone_id in zones.loc[other, "neighbours"].split(",")  # symmetric
            assert shapely.distance(row.geometry, zones.loc[other].geometry) < 0.1


# --- real forest polygons ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def merenschwand():
    """The two real forest polygons near Merenschwand (LV95), and two areas cutting across them."""
    forest = gpd.read_file(os.path.join(DATA, "s2_merenschwand", "wa.shp"))
    xmin, ymin, xmax, ymax = forest.total_bounds
    middle = (ymin + ymax) / 2
    areas = make_areas([box(xmin - 50, middle, xmax + 50, ymax + 50), box(xmin - 50, ymin - 50, xmax + 50, middle)],
                       ["N", "S"], crs=forest.crs)
    return areas, forest.geometry.values


def test_real_forest_split_by_two_areas_keeps_every_rule(merenschwand):
    areas, forest = merenschwand
    counts = {"N": 4, "S": 5}
    result = management_grid(areas, forest, rangers=rangers_from_counts(counts))
    balances = check_rules(result, areas, forest, counts)
    assert max(balances.values()) <= 1.05
    assert result.balance == pytest.approx(max(balances.values()))
    assert result.compactness == pytest.approx(result.zones["compactness"].mean())
    assert 0.3 < result.compactness < 0.9
    neighbours_are_real(result)
    # zones on either side of the area boundary that share it are neighbours across areas
    crossing = [row for row in result.zones.itertuples() if any(
        other.split("-")[0] != row.area_code for other in row.neighbours.split(",") if other)]
    assert crossing


def test_real_forest_with_many_rangers_and_a_given_cell_size():
    forest = gpd.read_file(os.path.join(DATA, "s2_herznach", "wa_example.shp"))
    area = make_areas([box(*forest.total_bounds).buffer(100)], ["H"], crs=forest.crs)
    counts = {"H": 12}
    result = management_grid(area, forest.geometry.values, rangers=rangers_from_counts(counts), cell_size=25.0)
    check_rules(result, area, forest.geometry.values, counts)
    assert result.areas.iloc[0]["cell_size_m"] == 25.0
    assert result.zones["zone_id"].tolist() == [f"H-{n:02d}" for n in range(1, 13)]


# --- generated villages -------------------------------------------------------------------------------

def village_stands(seed=5, n=400, size=3000.0):
    """Voronoi stands over a square village, a third of them non-forest in clumps, some of them islands."""
    rng = np.random.default_rng(seed)
    village = box(0, 0, size, size)
    points = shapely.multipoints(rng.uniform(0, size, (n, 2)))
    stands = shapely.intersection(shapely.get_parts(shapely.voronoi_polygons(points, extend_to=village)), village)
    centre = shapely.get_coordinates(shapely.centroid(stands))
    field = np.sin(centre[:, 0] / 450) + np.cos(centre[:, 1] / 380) + rng.normal(0, 0.3, len(stands))
    return village, stands[field > np.quantile(field, 0.33)]


def test_a_village_with_holes_and_islands_keeps_every_rule():
    village, stands = village_stands()
    areas = make_areas([village], ["360799001201"])
    rows = ([{"ranger_id": f"R{n:02d}", "name": f"护林员{n}", "role": "ranger", "area_code": 360799001201}
             for n in range(7, 0, -1)]
            + [{"ranger_id": "S01", "name": "监管员", "role": "supervisor", "area_code": "360799001201"}])
    result = management_grid(areas, stands, rangers=rangers_from_rows(rows))
    check_rules(result, areas, stands, {"360799001201": 7})
    assert result.areas.iloc[0]["patches"] > 1  # there are islands
    # the rangers (codes as numbers in one table and text in the other), not the supervisor, in id order
    assert result.zones["ranger_id"].tolist() == [f"R{n:02d}" for n in range(1, 8)]
    assert result.zones["ranger"].tolist() == [f"护林员{n}" for n in range(1, 8)]
    neighbours_are_real(result)


def test_scattered_forest_islands_are_shared_out_whole_and_balanced():
    rng = np.random.default_rng(11)
    corner = rng.uniform(0, 6000, (500, 2))
    side = rng.uniform(20, 120, 500)
    islands = shapely.box(corner[:, 0], corner[:, 1], corner[:, 0] + side, corner[:, 1] + side)
    areas = make_areas([box(0, 0, 6200, 6200)], ["S"])
    result = management_grid(areas, islands, rangers=rangers_from_counts({"S": 12}))
    assert result.areas.iloc[0]["patches"] > 300
    check_rules(result, areas, islands, {"S": 12})


def test_reading_order_numbers_zones_from_north_to_south():
    forest = np.array([box(0, 0, 400, 1600)], dtype=object)  # a tall strip: four zones stacked
    result = management_grid(make_areas([box(0, 0, 400, 1600)], ["A"]), forest, rangers=rangers_from_counts({"A": 4}))
    north = [shapely.centroid(geometry).y for geometry in result.zones.geometry]
    assert result.zones["zone_id"].tolist() == ["A-01", "A-02", "A-03", "A-04"]
    assert north == sorted(north, reverse=True)
    assert result.zones.loc[0, "neighbours"] == "A-02" and result.zones.loc[1, "neighbours"] == "A-01,A-03"


def test_target_area_per_ranger_sets_the_number_of_zones():
    village, stands = village_stands(seed=8)
    forest_ha = shapely.union_all(stands).area / 10_000
    result = management_grid(make_areas([village], ["V"]), stands, target_ha=forest_ha / 5.2)
    assert len(result.zones) == 5 and result.balance <= 1.15


def test_areas_without_rangers_get_no_zones_and_stray_rangers_are_noted():
    village, stands = village_stands()
    areas = make_areas([village, box(5000, 0, 6000, 1000)], ["V", "EMPTY"])
    rangers = rangers_from_counts({"V": 3, "ELSEWHERE": 2})
    result = management_grid(areas, stands, rangers=rangers)
    assert set(result.zones["area_code"]) == {"V"}
    assert any("ELSEWHERE" in en for _, en in result.notes)


def test_invalid_polygons_are_repaired_and_noted():
    bow_tie = Polygon([(0, 0), (1000, 1000), (1000, 0), (0, 1000), (0, 0)])  # self-intersecting area
    forest = np.array([box(0, 0, 1000, 1000), Polygon([(0, 0), (400, 400), (400, 0), (0, 400), (0, 0)])],
                      dtype=object)
    areas = make_areas([bow_tie], ["B"])
    result = management_grid(areas, forest, rangers=rangers_from_counts({"B": 2}))
    repaired_area = shapely.make_valid(bow_tie)
    assert result.zones.area.sum() == pytest.approx(repaired_area.area, rel=1e-6)
    assert sum("make_valid" in en for _, en in result.notes) == 2
    assert any("无效多边形" in zh for zh, _ in result.notes)


# --- bad input: one clear sentence, Chinese and English ----------------------------------------------------

def raises(match_zh: str, match_en: str, *args, **kwargs) -> InputDataError:
    with pytest.raises(InputDataError) as caught:
        management_grid(*args, **kwargs)
    assert match_zh in caught.value.message_zh and match_en in caught.value.message_en, str(caught.value)
    return caught.value


def test_more_rangers_than_the_forest_allows():
    forest = np.array([box(0, 0, 50, 50)], dtype=object)  # 0.25 ha for 10 rangers: under 1 亩 each
    raises("不够分给 10 名护林员", "too little for 10 rangers", make_areas([box(0, 0, 100, 100)], ["A"]), forest,
           rangers=rangers_from_counts({"A": 10}))


def test_more_rangers_than_cells_of_the_given_size():
    forest = np.array([box(0, 0, 200, 200)], dtype=object)
    raises("少于 5 名护林员", "gives only 4 cells for 5 rangers", make_areas([box(0, 0, 200, 200)], ["A"]), forest,
           rangers=rangers_from_counts({"A": 5}), cell_size=100.0)


def test_an_area_without_forest():
    forest = np.array([box(0, 0, 100, 100)], dtype=object)
    areas = make_areas([box(0, 0, 100, 100), box(500, 0, 600, 100)], ["A", "BARE"])
    raises("BARE 内没有林地", "BARE holds no forest", areas, forest, rangers=rangers_from_counts({"A": 1, "BARE": 1}))


def test_a_target_area_where_no_area_holds_forest():
    raises("都没有林地", "None of the areas holds forest", make_areas([box(0, 0, 100, 100)], ["A"]),
           np.array([box(500, 500, 600, 600)], dtype=object), target_ha=10.0)


def test_no_number_of_rangers_at_all():
    raises("没有护林员人数", "no number of rangers", make_areas([box(0, 0, 100, 100)], ["A"]),
           np.array([box(0, 0, 100, 100)], dtype=object))


def test_rangers_of_no_area_given():
    raises("没有一个责任区有护林员", "No area has a ranger", make_areas([box(0, 0, 100, 100)], ["A"]),
           np.array([box(0, 0, 100, 100)], dtype=object), rangers=rangers_from_counts({"B": 2}))


def test_areas_in_degrees():
    raises("地理坐标系", "geographic CRS", make_areas([box(114, 25, 114.1, 25.1)], ["A"], crs="EPSG:4490"),
           np.array([box(114, 25, 114.1, 25.1)], dtype=object), rangers=rangers_from_counts({"A": 1}))


def test_overlapping_areas_of_two_levels():
    areas = make_areas([box(0, 0, 1000, 1000), box(0, 0, 500, 500)], ["TOWN", "VILLAGE"])
    raises("相互重叠", "overlap", areas, np.array([box(0, 0, 1000, 1000)], dtype=object),
           rangers=rangers_from_counts({"TOWN": 2, "VILLAGE": 1}))


def test_duplicate_area_codes():
    areas = make_areas([box(0, 0, 100, 100), box(100, 0, 200, 100)], ["A", "A"])
    raises("编码重复", "more than once", areas, np.array([box(0, 0, 200, 100)], dtype=object),
           rangers=rangers_from_counts({"A": 1}))


def test_a_cell_size_far_too_small():
    raises("太小", "too small", make_areas([box(0, 0, 10_000, 10_000)], ["A"]),
           np.array([box(0, 0, 10_000, 10_000)], dtype=object), rangers=rangers_from_counts({"A": 2}), cell_size=1.0)


def test_a_count_that_is_not_a_number():
    with pytest.raises(InputDataError) as caught:
        rangers_from_counts({"A": "two"})
    assert "不是数字" in caught.value.message_zh and "not a number" in caught.value.message_en


def test_cancel_stops_the_work():
    village, stands = village_stands()
    with pytest.raises(GridCanceled):
        management_grid(make_areas([village], ["V"]), stands, rangers=rangers_from_counts({"V": 4}),
                        progress=lambda percent: percent < 20)
