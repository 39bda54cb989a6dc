"""The hierarchy check (core.hierarchy.check) and its sliver fix (core.hierarchy.sliver_fix) on a hand-made
district of squares: 1 district, 2 towns, 8 villages, 48 groups (100 m × 200 m), with planted problems."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from linzhang_qgis.core.errors import InputDataError
from linzhang_qgis.core.hierarchy.check import (
    NOISE_M2,
    PROBLEM_TYPES,
    SQM_PER_MU,
    CheckCanceled,
    check_frame,
    check_hierarchy,
    prepare_areas,
)
from linzhang_qgis.core.hierarchy.sliver_fix import fix_slivers


def district(parents_from_children: bool = True) -> gpd.GeoDataFrame:
    """Towns T1 (west) and T2 (east) of 600 m × 800 m; villages of 300 m × 400 m (2 × 2 per town); groups of
    100 m × 200 m (3 × 2 per village). Parents are the coverage union of their children, or plain boxes."""
    rows = []
    for t in range(2):
        town = f"T{t + 1}"
        for v in range(4):
            village = f"{town}V{v + 1}"
            vx, vy = 600 * t + 300 * (v % 2), 400 * (v // 2)
            for g in range(6):
                gx, gy = vx + 100 * (g % 3), vy + 200 * (g // 3)
                rows.append((f"{village}G{g + 1}", f"第{g + 1}组", 4, village, box(gx, gy, gx + 100, gy + 200)))
    groups = gpd.GeoDataFrame(rows, columns=["code", "name", "level", "parent_code", "geometry"], crs="EPSG:4547")

    def shape(codes, bounds):
        return shapely.coverage_union_all(groups.geometry[groups["code"].str.startswith(codes)].values) \
            if parents_from_children else box(*bounds)

    areas = [("D", "示范区", 1, None, shape("T", (0, 0, 1200, 800)))]
    for t in range(2):
        areas.append((f"T{t + 1}", f"镇{t + 1}", 2, "D", shape(f"T{t + 1}", (600 * t, 0, 600 * t + 600, 800))))
        for v in range(4):
            vx, vy = 600 * t + 300 * (v % 2), 400 * (v // 2)
            areas.append((f"T{t + 1}V{v + 1}", f"村{t + 1}{v + 1}", 3, f"T{t + 1}",
                          shape(f"T{t + 1}V{v + 1}", (vx, vy, vx + 300, vy + 400))))
    upper = gpd.GeoDataFrame(areas, columns=["code", "name", "level", "parent_code", "geometry"], crs="EPSG:4547")
    return gpd.GeoDataFrame(pd_concat(upper, groups), crs="EPSG:4547")


def pd_concat(*frames):
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def at(frame, code):
    return frame.index[frame["code"] == code][0]


def problems_of(result):
    return sorted(zip(result.problems["problem"], result.problems["code"], result.problems["other_code"]))


@pytest.mark.parametrize("from_children", [True, False], ids=["dissolved parents", "drawn parents"])
def test_a_clean_hierarchy_has_no_problem(from_children):
    result = check_frame(district(from_children))
    assert len(result.problems) == 0 and result.slivers == []
    assert result.families == 1 + 2 + 8
    assert result.counts() == {kind: 0 for kind in PROBLEM_TYPES}
    assert "层级完整" in result.summary_zh() and "complete" in result.summary_en()


def test_dissolved_parents_take_the_fast_path_and_drawn_ones_the_overlay():
    assert check_frame(district(True)).overlay_families == 0
    assert check_frame(district(False)).overlay_families > 0


def plant_everything(frame):
    """One problem of each kind, each in its own village so that they do not meet."""
    frame = frame.copy()
    # gap: the group T1V1G1 is missing
    frame = frame.drop(index=at(frame, "T1V1G1")).reset_index(drop=True)
    # overlap: T1V2G1 (x 300-400, y 0-200) reaches 10 m into its sibling T1V2G2 (400-500)
    frame.loc[at(frame, "T1V2G1"), "geometry"] = box(300, 0, 410, 200)
    # outside: T1V3G3 (x 200-300, y 400-600) reaches 10 m into T1V4G1 of the neighbouring village
    frame.loc[at(frame, "T1V3G3"), "geometry"] = box(200, 400, 310, 600)
    # orphan: a typo in the parent code of T2V1G1
    frame.loc[at(frame, "T2V1G1"), "parent_code"] = "T2V9"
    # duplicate code: T2V2G1 pasted twice
    frame = pd_concat(frame, frame.loc[[at(frame, "T2V2G1")]])
    # level jump: T2V3G1 says it is a town
    frame.loc[at(frame, "T2V3G1"), "level"] = 2
    # invalid geometry: T2V4G1 (x 900-1000, y 400-600) with a spike out of its east side
    frame.loc[at(frame, "T2V4G1"), "geometry"] = Polygon(
        [(900, 400), (1000, 400), (1000, 500), (1050, 500), (1000, 500), (1000, 600), (900, 600)])
    return gpd.GeoDataFrame(frame, crs="EPSG:4547")


def test_each_planted_problem_is_found_and_nothing_else():
    result = check_frame(plant_everything(district()))
    found = problems_of(result)
    assert found == sorted([
        ("gap", "T1V1G2", "T1V1"),  # the gap borders T1V1G2 (and G4) most
        ("overlap", "T1V2G1", "T1V2G2"),
        ("outside_parent", "T1V3G3", "T1V3"),
        ("orphan", "T2V1G1", "T2V9"),
        ("duplicate_code", "T2V2G1", ""),
        ("level_mismatch", "T2V3G1", "T2V3"),
        ("invalid_geometry", "T2V4G1", ""),
    ]), found
    rows = result.problems.set_index("problem")
    assert rows.loc["gap", "area_m2"] == pytest.approx(20000.0)
    assert rows.loc["gap", "geometry"].equals(box(0, 0, 100, 200))
    assert rows.loc["overlap", "area_m2"] == pytest.approx(2000.0)
    assert rows.loc["overlap", "geometry"].equals(box(400, 0, 410, 200))
    assert rows.loc["outside_parent", "area_m2"] == pytest.approx(2000.0)
    assert rows.loc["outside_parent", "geometry"].equals(box(300, 400, 310, 600))
    assert rows.loc["invalid_geometry", "geometry"].equals(box(900, 400, 1000, 600))
    assert rows.loc["level_mismatch", "level"] == 2
    assert set(result.problems.geometry.geom_type) == {"MultiPolygon"}
    counts = result.counts()
    assert sum(counts.values()) == 7 and all(counts[kind] == 1 for kind in PROBLEM_TYPES)


def test_descriptions_name_the_areas_and_give_square_metres_and_mu():
    rows = check_frame(plant_everything(district())).problems.set_index("problem")
    gap = rows.loc["gap", "description"]
    assert "村11" in gap and "T1V1" in gap and "20000.0 平方米" in gap and f"{20000 / SQM_PER_MU:.2f} 亩" in gap
    assert "T1V2G1" in rows.loc["overlap", "description"] and "T1V2G2" in rows.loc["overlap", "description"]
    assert "2000.0 m²" in rows.loc["overlap", "description_en"]
    assert "超出其上级" in rows.loc["outside_parent", "description"]
    orphan = rows.loc["orphan", "description"]
    assert "T2V9" in orphan and "不存在" in orphan and "T2V1" in orphan  # the village it lies in is suggested
    assert "2 个责任区" in rows.loc["duplicate_code", "description"]
    assert "镇级" in rows.loc["level_mismatch", "description"] and "村级" in rows.loc["level_mismatch", "description"]
    assert "自相交" in rows.loc["invalid_geometry", "description"] or "环" in rows.loc["invalid_geometry", "description"]
    assert (rows["problem_zh"] != "").all() and rows["description_en"].str.len().min() > 20


def test_codes_as_numbers_and_as_text_match():
    frame = district()
    numeric = {code: 360799000 + i for i, code in enumerate(frame["code"])}
    codes = [numeric[code] for code in frame["code"]]  # integers
    parents = [None if code is None else f" {numeric[code]} " for code in frame["parent_code"]]  # text
    result = check_hierarchy(codes, parents, [float(level) for level in frame["level"]], frame.geometry.values)
    assert len(result.problems) == 0


def test_tolerance_decides_between_a_sliver_and_a_problem():
    frame = district()
    # T1V1G1 stops 5 mm short of T1V1G2: a 0.005 m × 200 m = 1 m² gap ... made 0.5 m² with 2.5 mm
    frame.loc[at(frame, "T1V1G1"), "geometry"] = box(0, 0, 99.9975, 200)
    # T2V1G1 reaches 2.5 mm into its sibling: a 0.5 m² overlap
    frame.loc[at(frame, "T2V1G1"), "geometry"] = box(600, 0, 700.0025, 200)
    loose = check_frame(frame, tolerance=1.0)
    assert len(loose.problems) == 0
    assert sorted((piece.kind, round(piece.area, 3)) for piece in loose.slivers) == [("gap", 0.5), ("overlap", 0.5)]
    strict = check_frame(frame, tolerance=0.1)
    assert problems_of(strict) == [("gap", "T1V1G1", "T1V1"), ("overlap", "T2V1G1", "T2V1G2")]
    assert strict.slivers == []


def test_orphans_without_parent_code_blank_codes_and_circles():
    frame = district()
    frame.loc[at(frame, "T1V1G1"), "parent_code"] = None  # a group without parent code
    frame.loc[at(frame, "T1V2G1"), "code"] = None  # a group without a code
    frame.loc[at(frame, "T2"), "parent_code"] = "T2V1"  # the town T2 and its village T2V1 name each other
    result = check_frame(frame)
    orphans = result.problems[result.problems["problem"] == "orphan"]
    text = dict(zip(orphans["code"], orphans["description"]))
    assert set(text) == {"T1V1G1", "", "T2", "T2V1"}
    assert "没有上级编码" in text["T1V1G1"] and "T1V1" in text["T1V1G1"]
    assert "没有编码" in text[""]
    assert "循环" in text["T2"] and "T2 → T2V1 → T2" in text["T2"]
    # the group without a parent code lies in T1V1, so T1V1 has no gap; the blank code still covers its place
    assert not (result.problems["problem"] == "gap").any()


def test_an_area_without_level_and_a_missing_geometry():
    frame = district()
    frame.loc[at(frame, "T1V1G1"), "level"] = None
    frame.loc[at(frame, "T1V1G2"), "geometry"] = None
    result = check_frame(frame)
    found = problems_of(result)
    assert ("level_mismatch", "T1V1G1", "T1V1") in found
    assert ("invalid_geometry", "T1V1G2", "") in found
    assert ("gap", "T1V1G1", "T1V1") in found or ("gap", "T1V1G3", "T1V1") in found  # where T1V1G2 was
    assert len(found) == 3


def test_bad_input_gives_one_clear_sentence():
    frame = district()
    with pytest.raises(InputDataError) as empty:
        check_frame(frame.iloc[0:0])
    assert "没有要素" in empty.value.message_zh and "no features" in empty.value.message_en
    with pytest.raises(InputDataError) as no_levels:
        check_frame(frame.assign(level=None))
    assert "级别" in no_levels.value.message_zh and "level" in no_levels.value.message_en
    with pytest.raises(InputDataError) as missing:
        check_frame(frame.drop(columns=["parent_code"]))
    assert "parent_code" in missing.value.message_zh and "parent_code" in missing.value.message_en


def test_cancel_stops_the_check():
    with pytest.raises(CheckCanceled):
        check_frame(district(), is_canceled=lambda: True)


def plant_slivers(frame):
    """0.5 m² slivers: a gap (T1V1G1 2.5 mm short of G2), an overlap (T2V1G1 2.5 mm into G2), an outside part
    (T2V2G6 5 mm into the village north of it), and the village T1V4 drawn 2.5 mm short of T1V3 along 200 m (a gap
    in the town T1; its group T1V4G1 then sticks out of it)."""
    frame = frame.copy()
    frame.loc[at(frame, "T1V1G1"), "geometry"] = box(0, 0, 99.9975, 200)
    frame.loc[at(frame, "T2V1G1"), "geometry"] = box(600, 0, 700.0025, 200)
    frame.loc[at(frame, "T2V2G6"), "geometry"] = box(1100, 200, 1200, 400.005)
    village = frame.loc[at(frame, "T1V4"), "geometry"]
    frame.loc[at(frame, "T1V4"), "geometry"] = village.difference(box(300, 400, 300.0025, 600))
    return frame


def test_the_fix_moves_slivers_only_and_leaves_a_tiling():
    frame = plant_slivers(district())
    result = check_frame(frame)
    assert len(result.problems) == 0  # all within the tolerance
    kinds = sorted(piece.kind for piece in result.slivers)
    assert kinds == ["gap", "gap", "outside_parent", "outside_parent", "overlap"], kinds
    fixed = fix_slivers(result.areas, 1.0)
    assert fixed.gaps_filled >= 2 and fixed.overlaps_cut == 1 and fixed.outside_cut >= 1 and fixed.skipped == 0
    assert frame.loc[at(frame, "D"), "geometry"].equals(fixed.geometries[at(frame, "D")])  # the top never moves
    again = check_hierarchy(frame["code"], frame["parent_code"], frame["level"], fixed.geometries, tolerance=0.0)
    assert len(again.problems) == 0 and again.slivers == [], [(p.kind, p.area) for p in again.slivers]
    # the children add up to their parent, and every level to the district
    areas = shapely.area(fixed.geometries)
    for parent in frame["code"][frame["level"] < 4]:
        children = (frame["parent_code"] == parent).to_numpy()
        assert areas[children].sum() == pytest.approx(areas[at(frame, parent)], abs=1e-6)
    for level in (2, 3, 4):
        assert areas[(frame["level"] == level).to_numpy()].sum() == pytest.approx(1200 * 800, abs=1e-6)
    # untouched areas keep their exact geometry
    untouched = ~fixed.changed
    assert untouched.sum() >= len(frame) - 10
    assert all(a.equals_exact(b, 0) for a, b in zip(fixed.geometries[untouched], frame.geometry.values[untouched]))


def test_the_fix_leaves_problems_above_the_tolerance():
    frame = plant_everything(district())
    result = check_frame(frame)
    fixed = fix_slivers(result.areas, 1.0)
    assert fixed.gaps_filled == fixed.overlaps_cut == fixed.outside_cut == 0
    assert list(np.flatnonzero(fixed.changed)) == [at(frame, "T2V4G1")]  # only the invalid one, repaired
    assert fixed.geometries[at(frame, "T2V4G1")].equals(box(900, 400, 1000, 600))
    assert "修复无效几何 1 个" in fixed.summary_zh() and "1 invalid" in fixed.summary_en()


def test_prepared_areas_link_parents_by_first_row():
    frame = plant_everything(district())
    areas = prepare_areas(frame["code"], frame["parent_code"], frame["level"], frame.geometry.values)
    assert areas.hierarchy.duplicates == ["T2V2G1"]
    assert areas.parent_row[at(frame, "T1V1G2")] == at(frame, "T1V1")
    assert areas.suggested_row[at(frame, "T2V1G1")] == at(frame, "T2V1")
    assert areas.top_level == 1 and NOISE_M2 < 1e-3


def test_parents_stored_as_multipolygons_take_the_fast_path():
    frame = district()
    frame["geometry"] = [shapely.multipolygons(shapely.get_parts(g)) for g in frame.geometry]  # as a GeoPackage gives
    result = check_frame(frame)
    assert len(result.problems) == 0 and result.overlay_families == 0
