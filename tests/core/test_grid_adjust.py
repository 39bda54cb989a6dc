"""Adjusting management-grid zones by hand (core.grid.adjust, core.grid.adjust_store): the rules of a move, the
GeoPackage blobs read back by OGR, and the transaction with its history, undo, conflict and read-only refusals.

The workspace: two village areas side by side (south 360702101, north 360702102), 600 m × 400 m each, cut
into 100 m forest stands, three zones per area:

    north 360702102:  -01 x 0..300 (11 ha: the field 100..200 × 500..600 is a hole)   -02 x 300..450   -03 x 450..600
    south 360702101:  -01 x 0..300 (12 ha)   -02 x 300..400 (a 4 ha strip)   -03 x 400..600 (8 ha)

(y from 0 to 400 in the south, 400 to 800 in the north; the boundary at x = 450 cuts stands in two.)
"""
from __future__ import annotations

import datetime as dt
import math
import os
import sqlite3
import stat

import pytest

shapely = pytest.importorskip("shapely", reason="the grid tools need shapely (requirements-lock.txt)")

X0, Y0 = 590_000.0, 2_860_000.0  # Ganzhou, EPSG:4547 metres
SOUTH, NORTH = "360702101", "360702102"
FIELD = (100, 500)  # the non-forest stand of the north area (lower-left corner, local metres)
ZONE_COLUMNS = {SOUTH: [(0, 300), (300, 400), (400, 600)], NORTH: [(0, 300), (300, 450), (450, 600)]}
RANGERS = {f"{SOUTH}-01": "张一", f"{SOUTH}-02": "李二", f"{SOUTH}-03": "王三",
           f"{NORTH}-01": "赵四", f"{NORTH}-02": "钱五", f"{NORTH}-03": "孙六"}


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def at(x, y):
    """A point in the local metres of the picture above, in the workspace CRS."""
    return X0 + x, Y0 + y


def zone_geometries() -> dict:
    zones = {}
    for code, columns in ZONE_COLUMNS.items():
        bottom = 0 if code == SOUTH else 400
        for number, (left, right) in enumerate(columns, start=1):
            shape = box(left, bottom, right, bottom + 400)
            if code == NORTH and left <= FIELD[0] < right:
                shape = shape.difference(box(FIELD[0], FIELD[1], FIELD[0] + 100, FIELD[1] + 100))
            zones[f"{code}-{number:02d}"] = shapely.multipolygons(shapely.get_parts(shape))
    return zones


def make_grid_workspace(path: str) -> str:
    """The workspace above, written with OGR (areas, stands, zones with their figures and neighbours)."""
    from osgeo import ogr

    from linzhang_qgis.core.grid.adjust import neighbour_lists, zone_figures
    from linzhang_qgis.core.workspace import create_workspace

    create_workspace(path)
    ogr.UseExceptions()
    dataset = ogr.Open(path, 1)

    def add(layer_name, geometry, **values):
        layer = dataset.GetLayerByName(layer_name)
        feature = ogr.Feature(layer.GetLayerDefn())
        for name, value in values.items():
            feature.SetField(name, value)
        multi = shapely.multipolygons(shapely.get_parts(geometry))
        feature.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(multi)))
        layer.CreateFeature(feature)

    for code, bottom, name in ((SOUTH, 0, "南村"), (NORTH, 400, "北村")):
        add("resp_areas", box(0, bottom, 600, bottom + 400), code=code, name=name, level=3, parent_code="360702",
            chief_name="林长" + name, area_ha=24.0)
    for row in range(8):
        for column in range(6):
            x, y = column * 100, row * 100
            forest = (x, y) != FIELD
            add("forest_stands", box(x, y, x + 100, y + 100), lin_ban=f"{row + 1:02d}", xiao_ban=f"{column + 1:02d}",
                land_class="0111" if forest else "0100", area_code=SOUTH if y < 400 else NORTH, area_ha=1.0,
                area_mu=15.0)
    zones = zone_geometries()
    neighbours = neighbour_lists(zones, {}, list(zones))
    for zone_id, geometry in zones.items():
        figures = zone_figures(geometry)
        add("grid_zones", geometry, zone_id=zone_id, area_code=zone_id[:9], ranger_id="R" + zone_id[-2:],
            ranger=RANGERS[zone_id], neighbours=",".join(neighbours[zone_id]), **figures)
    dataset = None
    return path


@pytest.fixture()
def workspace(tmp_path):
    return make_grid_workspace(str(tmp_path / "grid.gpkg"))


def rows(path, sql, *args):
    with sqlite3.connect(path) as db:
        return db.execute(sql, args).fetchall()


def ogr_zones(path) -> dict:
    """zone_id -> (geometry read by OGR, forest_ha, neighbours)."""
    from osgeo import ogr

    dataset = ogr.Open(path)
    layer = dataset.GetLayerByName("grid_zones")
    found = {}
    for feature in layer:
        found[feature.GetField("zone_id")] = (shapely.from_wkb(bytes(feature.GetGeometryRef().ExportToIsoWkb())),
                                              feature.GetField("forest_ha"), feature.GetField("neighbours"))
    return found


# --- the rules, pure -----------------------------------------------------------------------------------

def zone(zone_id, geometry, code=SOUTH):
    from linzhang_qgis.core.grid.adjust import Zone

    return Zone(zone_id, code, geometry)


def test_a_stand_moves_to_the_neighbour_with_its_figures():
    from linzhang_qgis.core.grid.adjust import plan_move

    zones = zone_geometries()
    a, b = zone("S-01", zones[f"{SOUTH}-01"]), zone("S-02", zones[f"{SOUTH}-02"])
    move = plan_move(a, b, box(200, 100, 300, 200))
    assert move.piece_ha == pytest.approx(1.0)
    assert move.new_from.area == pytest.approx(110_000) and move.new_to.area == pytest.approx(50_000)
    assert move.new_from.geom_type == move.new_to.geom_type == "MultiPolygon"
    assert shapely.get_num_geometries(move.new_to) == 1  # the stand joined the strip: one piece
    assert move.new_from.union(move.new_to).equals(a.geometry.union(b.geometry))  # no gap
    assert move.new_from.intersection(move.new_to).area == pytest.approx(0, abs=1e-6)  # no overlap
    figures = move.figures_to
    assert figures["forest_ha"] == pytest.approx(5.0) and figures["forest_mu"] == pytest.approx(75.0)
    assert figures["perimeter_m"] == pytest.approx(2 * 400 + 2 * 100 + 2 * 100)  # strip plus the stand's notch
    assert figures["compactness"] == pytest.approx(4 * math.pi * 50_000 / 1_200 ** 2)


def test_compactness_is_of_the_outline_and_perimeter_counts_holes():
    from linzhang_qgis.core.grid.adjust import zone_figures

    holed = zone_geometries()[f"{NORTH}-01"]
    figures = zone_figures(holed)
    assert figures["forest_ha"] == pytest.approx(11.0)
    assert figures["perimeter_m"] == pytest.approx(1_400 + 400)
    assert figures["compactness"] == pytest.approx(4 * math.pi * 120_000 / 1_400 ** 2)  # the hole filled


def test_a_cell_is_a_square_of_the_grid_aligned_on_its_side():
    from linzhang_qgis.core.grid.adjust import MoveRefused, cell_square

    square = cell_square(X0 + 250.0, Y0 + 130.0, 50.0)
    assert square.bounds == (X0 + 250.0, Y0 + 100.0, X0 + 300.0, Y0 + 150.0)
    with pytest.raises(MoveRefused):
        cell_square(0, 0, 0)


def test_a_cell_cut_by_the_zone_moves_only_the_zones_forest():
    from linzhang_qgis.core.grid.adjust import plan_move

    zones = zone_geometries()
    a, b = zone("S-01", zones[f"{SOUTH}-01"]), zone("S-02", zones[f"{SOUTH}-02"])
    move = plan_move(a, b, box(250, 0, 350, 100))  # a cell across the boundary of A and B
    assert move.piece.area == pytest.approx(5_000)
    assert move.new_to.area == pytest.approx(45_000)


@pytest.mark.parametrize("shape, words", [
    (box(0, 0, 100, 100), "shares no boundary line"),  # far from B
    (box(200, 300, 300, 400), None),  # a valid move, for contrast
])
def test_only_a_neighbouring_piece_moves(shape, words):
    from linzhang_qgis.core.grid.adjust import MoveRefused, plan_move

    zones = zone_geometries()
    a, b = zone("S-01", zones[f"{SOUTH}-01"]), zone("S-02", zones[f"{SOUTH}-02"])
    if words is None:
        assert plan_move(a, b, shape).piece_ha == pytest.approx(1.0)
        return
    with pytest.raises(MoveRefused) as refused:
        plan_move(a, b, shape)
    assert words in str(refused.value) and "S-02" in str(refused.value)


def test_a_piece_touching_the_other_zone_at_a_corner_only_is_refused():
    from linzhang_qgis.core.grid.adjust import MoveRefused, plan_move

    a = zone("A", shapely.multipolygons([shapely.box(0, 0, 200, 100)]))
    b = zone("B", shapely.multipolygons([shapely.box(200, 100, 300, 200)]))  # meets A at (200, 100)
    with pytest.raises(MoveRefused) as refused:
        plan_move(a, b, shapely.box(100, 0, 200, 100))
    assert "一点" in str(refused.value) and "B" in str(refused.value)


def test_a_move_that_would_split_the_zone_is_refused_naming_it():
    from linzhang_qgis.core.grid.adjust import MoveRefused, plan_move

    zones = zone_geometries()
    strip, west = zone(f"{SOUTH}-02", zones[f"{SOUTH}-02"]), zone(f"{SOUTH}-01", zones[f"{SOUTH}-01"])
    with pytest.raises(MoveRefused) as refused:
        plan_move(strip, west, box(300, 100, 400, 200))  # the strip's second stand from the south
    assert f"{SOUTH}-02" in str(refused.value) and "split" in str(refused.value)
    assert plan_move(strip, west, box(300, 0, 400, 100)).new_from.area == pytest.approx(30_000)  # its end is fine


def test_an_island_zone_keeps_its_islands_whole_but_may_give_one_away():
    from linzhang_qgis.core.grid.adjust import MoveRefused, plan_move

    islands = shapely.multipolygons([shapely.box(0, 0, 300, 100), shapely.box(0, 200, 100, 300)])
    a, b = zone("A", islands), zone("B", shapely.multipolygons([shapely.box(300, 0, 400, 300)]))
    with pytest.raises(MoveRefused):
        plan_move(a, b, shapely.box(100, 0, 200, 100))  # cuts the first island in two
    c = zone("C", shapely.multipolygons([shapely.box(100, 200, 200, 300)]))
    assert plan_move(a, c, shapely.box(0, 200, 100, 300)).new_from.area == pytest.approx(30_000)


def test_a_whole_zone_cannot_be_moved():
    from linzhang_qgis.core.grid.adjust import MoveRefused, plan_move

    zones = zone_geometries()
    strip, west = zone(f"{SOUTH}-02", zones[f"{SOUTH}-02"]), zone(f"{SOUTH}-01", zones[f"{SOUTH}-01"])
    with pytest.raises(MoveRefused) as refused:
        plan_move(strip, west, box(250, -10, 450, 410))
    assert "emptied" in str(refused.value) and f"{SOUTH}-02" in str(refused.value)


def test_zones_of_different_areas_or_the_same_zone_are_refused():
    from linzhang_qgis.core.grid.adjust import MoveRefused, plan_move

    zones = zone_geometries()
    south, north = zone(f"{SOUTH}-01", zones[f"{SOUTH}-01"]), zone(f"{NORTH}-01", zones[f"{NORTH}-01"], NORTH)
    with pytest.raises(MoveRefused) as refused:
        plan_move(south, north, box(0, 300, 100, 400))
    assert NORTH in str(refused.value) and "one responsibility area" in str(refused.value)
    with pytest.raises(MoveRefused):
        plan_move(south, south, box(0, 300, 100, 400))


def test_a_piece_with_a_part_away_from_the_neighbour_moves_only_the_touching_part():
    from linzhang_qgis.core.grid.adjust import plan_move

    a = zone("A", shapely.multipolygons([shapely.Polygon([(0, 0), (300, 0), (300, 100), (100, 100), (100, 300),
                                                          (0, 300)])]))
    b = zone("B", shapely.multipolygons([shapely.box(300, 0, 400, 300)]))
    stand = shapely.box(100, 50, 350, 100).union(shapely.box(0, 200, 100, 250))  # two parts inside A
    move = plan_move(a, b, stand)
    assert move.piece.area == pytest.approx(10_000)  # only 100..300 × 50..100, which touches B
    assert move.new_from.covers(shapely.box(0, 200, 100, 250))  # the far part stayed in A (it would cut A)


def test_balance_deviation_and_neighbour_lists():
    from linzhang_qgis.core.grid.adjust import balance, deviation_from_mean, neighbour_lists

    assert balance([12, 4, 8]) == pytest.approx(3.0) and balance([]) == 1.0 and balance([1, 0]) == math.inf
    assert deviation_from_mean([12, 4, 8]) == pytest.approx([50.0, -50.0, 0.0])
    zones = zone_geometries()
    lists = neighbour_lists(zones, {}, list(zones))
    assert lists[f"{SOUTH}-01"] == [f"{SOUTH}-02", f"{NORTH}-01"]  # across the area boundary too
    assert lists[f"{SOUTH}-02"] == [f"{SOUTH}-01", f"{SOUTH}-03", f"{NORTH}-02"]
    assert lists[f"{SOUTH}-03"] == [f"{SOUTH}-02", f"{NORTH}-02", f"{NORTH}-03"]
    # the strip gives its north end to the west zone: the west zone now touches north zone 02 more, and
    # zones that did not change keep their lists except for the changed ones
    moved = dict(zones)
    moved[f"{SOUTH}-02"] = shapely.multipolygons([box(300, 0, 400, 300)])
    moved[f"{SOUTH}-01"] = shapely.multipolygons([box(0, 0, 300, 400).union(box(300, 300, 400, 400))])
    after = neighbour_lists(moved, lists, [f"{SOUTH}-01", f"{SOUTH}-02"])
    assert f"{NORTH}-02" not in after[f"{SOUTH}-02"] and f"{SOUTH}-02" not in after[f"{NORTH}-02"]
    assert after[f"{SOUTH}-03"] == [f"{SOUTH}-01", f"{SOUTH}-02", f"{NORTH}-02", f"{NORTH}-03"]  # + the west zone
    assert after[f"{NORTH}-02"] == [f"{SOUTH}-01", f"{SOUTH}-03", f"{NORTH}-01", f"{NORTH}-03"]


# --- GeoPackage blobs ----------------------------------------------------------------------------------

def test_the_blob_encoder_writes_what_ogr_reads_back(workspace):
    from osgeo import ogr

    from linzhang_qgis.core.gpkg_sqlite import envelope, register_functions
    from linzhang_qgis.core.gpkg_sqlite import geometry_from_gpkg, gpkg_geometry, layer_srs_id

    shape = shapely.multipolygons([box(-990, 20, -970, 60).difference(box(-985, 25, -980, 30)),
                                   box(-960, 40, -959, 41)])  # west of every zone
    with sqlite3.connect(workspace) as db:
        register_functions(db)
        srs_id = layer_srs_id(db, "grid_zones")
        blob = gpkg_geometry(shape, srs_id)
        assert blob[:4] == b"GP\x00\x03" and int.from_bytes(blob[4:8], "little") == 4547
        assert envelope(blob) == (X0 - 990, X0 - 959, Y0 + 20, Y0 + 60)
        assert geometry_from_gpkg(blob).equals_exact(shape, 0)
        fid = db.execute("SELECT fid FROM grid_zones WHERE zone_id = ?", (f"{SOUTH}-02",)).fetchone()[0]
        db.execute("UPDATE grid_zones SET geom = ? WHERE fid = ?", (blob, fid))
        # the R-tree follows the new geometry
        indexed = db.execute("SELECT minx, maxx, miny, maxy FROM rtree_grid_zones_geom WHERE id = ?", (fid,)).fetchone()
        assert indexed == pytest.approx((X0 - 990, X0 - 959, Y0 + 20, Y0 + 60), abs=1e-3)
        empty = gpkg_geometry(shapely.from_wkt("MULTIPOLYGON EMPTY"), srs_id)
        assert empty[3] & 0x10 and geometry_from_gpkg(empty).is_empty
    dataset = ogr.Open(workspace)
    layer = dataset.GetLayerByName("grid_zones")
    feature = layer.GetFeature(fid)
    read = shapely.from_wkb(bytes(feature.GetGeometryRef().ExportToIsoWkb()))
    assert read.equals_exact(shape, 0) and feature.GetGeometryRef().GetGeometryName() == "MULTIPOLYGON"
    layer.SetSpatialFilterRect(X0 - 965, Y0 + 35, X0 - 955, Y0 + 45)  # served by the R-tree
    assert [f.GetFID() for f in layer] == [fid]
    dataset = None


# --- the transaction -----------------------------------------------------------------------------------

def test_a_move_updates_both_zones_neighbours_and_history_in_the_workspace(workspace):
    from linzhang_qgis.core.grid import adjust_store

    state = adjust_store.load_area_zones(workspace, SOUTH)
    assert state.balance == pytest.approx(3.0) and len(state.zones) == 3
    [stand] = adjust_store.stands_at(workspace, *at(250, 150))
    when = dt.datetime(2026, 5, 4, 9, 30)
    after = adjust_store.move_piece(workspace, SOUTH, state.version, f"{SOUTH}-01", f"{SOUTH}-02", stand, "林长办 小陈",
                                    "便于巡护", now=when)
    assert after.balance == pytest.approx(11 / 5) and after.version != state.version
    read = ogr_zones(workspace)
    assert read[f"{SOUTH}-01"][0].area == pytest.approx(110_000) and read[f"{SOUTH}-01"][1] == pytest.approx(11.0)
    assert read[f"{SOUTH}-02"][0].area == pytest.approx(50_000) and read[f"{SOUTH}-02"][1] == pytest.approx(5.0)
    [(mu,)] = rows(workspace, "SELECT forest_mu FROM grid_zones WHERE zone_id = ?", f"{SOUTH}-02")
    assert mu == pytest.approx(75.0)
    [(code, zone_from, zone_to, piece_hex, piece_ha, changed_at, who, note)] = rows(
        workspace, "SELECT area_code, zone_from, zone_to, piece_wkb, piece_ha, changed_at, changed_by, note "
                   "FROM grid_history")
    assert (code, zone_from, zone_to, who, note) == (SOUTH, f"{SOUTH}-01", f"{SOUTH}-02", "林长办 小陈", "便于巡护")
    assert changed_at == "2026-05-04T09:30:00.000" and piece_ha == pytest.approx(1.0)
    assert shapely.from_wkb(bytes.fromhex(piece_hex)).equals(box(200, 100, 300, 200))
    with sqlite3.connect(workspace) as db:  # the spatial index knows the new outlines
        ids = db.execute("SELECT g.zone_id FROM rtree_grid_zones_geom r JOIN grid_zones g ON g.fid = r.id "
                         "WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?",
                         (X0 + 250, X0 + 250, Y0 + 150, Y0 + 150)).fetchall()
    assert {zone_id for (zone_id,) in ids} == {f"{SOUTH}-01", f"{SOUTH}-02"}
    assert [z.zone_id for z in adjust_store.zones_at(workspace, *at(250, 150))] == [f"{SOUTH}-02"]


def test_neighbours_follow_a_move_across_the_area_boundary(workspace):
    from linzhang_qgis.core.grid import adjust_store

    state = adjust_store.load_area_zones(workspace, SOUTH)
    adjust_store.move_piece(workspace, SOUTH, state.version, f"{SOUTH}-02", f"{SOUTH}-03",
                            box(300, 300, 400, 400), "小陈")
    read = ogr_zones(workspace)
    assert read[f"{SOUTH}-02"][2] == f"{SOUTH}-01,{SOUTH}-03"  # no longer touches the north area
    assert read[f"{NORTH}-02"][2] == f"{SOUTH}-03,{NORTH}-01,{NORTH}-03"
    assert read[f"{SOUTH}-03"][2] == f"{SOUTH}-01,{SOUTH}-02,{NORTH}-02,{NORTH}-03"
    assert read[f"{SOUTH}-01"][2] == f"{SOUTH}-02,{SOUTH}-03,{NORTH}-01"


def test_undo_moves_the_piece_back_with_a_history_row_of_its_own(workspace):
    from linzhang_qgis.core.grid import adjust_store

    before = ogr_zones(workspace)
    state = adjust_store.load_area_zones(workspace, SOUTH)
    moved = adjust_store.move_piece(workspace, SOUTH, state.version, f"{SOUTH}-01", f"{SOUTH}-02",
                                    adjust_store.stands_at(workspace, *at(250, 150))[0], "小陈")
    restored = adjust_store.undo_last(workspace, SOUTH, moved.version, "小王")
    after = ogr_zones(workspace)
    for zone_id, (geometry, ha, neighbours) in before.items():
        assert after[zone_id][0].symmetric_difference(geometry).area == pytest.approx(0, abs=1e-6)
        assert shapely.get_num_geometries(after[zone_id][0]) == shapely.get_num_geometries(geometry)
        assert after[zone_id][1] == pytest.approx(ha, rel=1e-12) and after[zone_id][2] == neighbours
    assert restored.balance == pytest.approx(state.balance)
    entries = adjust_store.history(workspace, SOUTH)
    assert [(e.zone_from, e.zone_to, e.changed_by) for e in entries] == [
        (f"{SOUTH}-01", f"{SOUTH}-02", "小陈"), (f"{SOUTH}-02", f"{SOUTH}-01", "小王")]
    assert entries[1].undoes == entries[0].fid and entries[1].note.startswith(f"undo #{entries[0].fid}")
    with pytest.raises(adjust_store.NothingToUndo):
        adjust_store.undo_last(workspace, SOUTH, restored.version, "小王")


def test_undo_puts_back_a_piece_that_had_joined_two_islands():
    from linzhang_qgis.core.grid.adjust import MoveRefused, plan_move

    a = zone("A", shapely.multipolygons([shapely.box(100, 0, 200, 200)]))
    b = zone("B", shapely.multipolygons([shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100)]))
    move = plan_move(a, b, shapely.box(100, 0, 200, 100))
    assert shapely.get_num_geometries(move.new_to) == 1  # the piece joined B's two islands
    joined, rest = zone("B", move.new_to), zone("A", move.new_from)
    with pytest.raises(MoveRefused):
        plan_move(joined, rest, move.piece)  # by hand: it would split B
    back = plan_move(joined, rest, move.piece, given_piece=True)  # an undo restores what was
    assert back.new_to.equals(a.geometry) and back.new_from.equals(b.geometry)


def test_a_refused_move_writes_nothing(workspace):
    from linzhang_qgis.core.grid import adjust_store
    from linzhang_qgis.core.grid.adjust import MoveRefused

    before = rows(workspace, "SELECT * FROM grid_zones ORDER BY fid")
    state = adjust_store.load_area_zones(workspace, SOUTH)
    with pytest.raises(MoveRefused):
        adjust_store.move_piece(workspace, SOUTH, state.version, f"{SOUTH}-02", f"{SOUTH}-01",
                                box(300, 100, 400, 200), "小陈")  # would split the strip
    with pytest.raises(MoveRefused):
        adjust_store.move_piece(workspace, SOUTH, state.version, f"{SOUTH}-01", f"{SOUTH}-03",
                                box(200, 100, 300, 200), "小陈")  # not neighbours
    with pytest.raises(adjust_store.WorkspaceError):
        adjust_store.move_piece(workspace, SOUTH, state.version, f"{SOUTH}-01", f"{NORTH}-01",
                                box(0, 300, 100, 400), "小陈")  # another area
    with pytest.raises(adjust_store.InputDataError):
        adjust_store.move_piece(workspace, SOUTH, state.version, f"{SOUTH}-01", f"{SOUTH}-02",
                                box(200, 100, 300, 200), "  ")  # no author
    assert rows(workspace, "SELECT * FROM grid_zones ORDER BY fid") == before
    assert rows(workspace, "SELECT count(*) FROM grid_history") == [(0,)]


def test_a_zone_changed_elsewhere_is_a_conflict_and_nothing_is_written(workspace):
    from linzhang_qgis.core.grid import adjust_store

    from linzhang_qgis.core.gpkg_sqlite import register_functions

    state = adjust_store.load_area_zones(workspace, SOUTH)
    with sqlite3.connect(workspace) as db:
        register_functions(db)  # the R-tree triggers name ST_IsEmpty ...
        db.execute("UPDATE grid_zones SET ranger = '别处改的' WHERE zone_id = ?", (f"{SOUTH}-03",))
    before = rows(workspace, "SELECT * FROM grid_zones ORDER BY fid")
    with pytest.raises(adjust_store.ConflictError) as conflict:
        adjust_store.move_piece(workspace, SOUTH, state.version, f"{SOUTH}-01", f"{SOUTH}-02",
                                box(200, 100, 300, 200), "小陈")
    assert SOUTH in str(conflict.value) and "nothing was written" in str(conflict.value)
    assert rows(workspace, "SELECT * FROM grid_zones ORDER BY fid") == before
    assert rows(workspace, "SELECT count(*) FROM grid_history") == [(0,)]
    with pytest.raises(adjust_store.ConflictError):
        adjust_store.undo_last(workspace, SOUTH, state.version, "小陈")
    fresh = adjust_store.load_area_zones(workspace, SOUTH)
    assert adjust_store.move_piece(workspace, SOUTH, fresh.version, f"{SOUTH}-01", f"{SOUTH}-02",
                                   box(200, 100, 300, 200), "小陈").zone(f"{SOUTH}-03").ranger == "别处改的"


def test_a_read_only_workspace_is_refused_with_a_sentence(workspace):
    from linzhang_qgis.core.errors import WorkspaceError
    from linzhang_qgis.core.grid import adjust_store

    state = adjust_store.load_area_zones(workspace, SOUTH)
    os.chmod(workspace, stat.S_IRUSR | stat.S_IRGRP)
    try:
        with pytest.raises(WorkspaceError) as refused:
            adjust_store.move_piece(workspace, SOUTH, state.version, f"{SOUTH}-01", f"{SOUTH}-02",
                                    box(200, 100, 300, 200), "小陈")
        assert "read-only" in str(refused.value) and "只读" in str(refused.value)
    finally:
        os.chmod(workspace, 0o644)
    assert rows(workspace, "SELECT count(*) FROM grid_history") == [(0,)]


def test_a_version_1_workspace_is_migrated_before_the_first_move(workspace):
    from linzhang_qgis.core.grid import adjust_store
    from linzhang_qgis.core.workspace import read_workspace_info

    with sqlite3.connect(workspace) as db:
        db.execute("DROP TABLE grid_history")
        db.execute("DELETE FROM gpkg_contents WHERE table_name = 'grid_history'")
        db.execute("DELETE FROM gpkg_ogr_contents WHERE table_name = 'grid_history'")
        db.execute("UPDATE linzhang_meta SET value = '1' WHERE key = 'schema_version'")
    assert adjust_store.history(workspace, SOUTH) == []
    state = adjust_store.load_area_zones(workspace, SOUTH)
    adjust_store.move_piece(workspace, SOUTH, state.version, f"{SOUTH}-01", f"{SOUTH}-02", box(200, 100, 300, 200),
                            "小陈")
    assert read_workspace_info(workspace).schema_version == 2
    assert len(adjust_store.history(workspace, SOUTH)) == 1


def test_area_codes_and_a_missing_area(workspace):
    from linzhang_qgis.core.errors import WorkspaceError
    from linzhang_qgis.core.grid import adjust_store

    assert adjust_store.zone_area_codes(workspace) == [SOUTH, NORTH]
    with pytest.raises(WorkspaceError) as missing:
        adjust_store.load_area_zones(workspace, "999")
    assert "999" in str(missing.value)
    assert adjust_store.stands_at(workspace, *at(-50, -50)) == []
