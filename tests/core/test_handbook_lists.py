"""The patrol handbook's three lists (core.handbook.lists) on a small hand-built district with known answers."""
from __future__ import annotations

import datetime as dt

import pytest

gpd = pytest.importorskip("geopandas")
pd = pytest.importorskip("pandas")
from shapely.geometry import LineString, box  # noqa: E402

from linzhang_qgis.core.errors import InputDataError  # noqa: E402
from linzhang_qgis.core.handbook import lists  # noqa: E402
from linzhang_qgis.core.patrols.rules import PatrolRule, default_rules  # noqa: E402

CRS = "EPSG:4547"
AS_OF = dt.date(2026, 3, 31)  # the end of the first quarter


def areas_frame():
    """District 1 = towns 11 (= village 111 = groups 1111, 1112) and 12."""
    rows = [
        ("1", "示范区", 1, None, "区长", "区委书记", box(0, 0, 4000, 1000)),
        ("11", "甲镇", 2, "1", "甲", "镇党委书记", box(0, 0, 2000, 1000)),
        ("12", "乙镇", 2, "1", "乙", "镇党委书记", box(2000, 0, 4000, 1000)),
        ("111", "丙村", 3, "11", "丙", "村党支部书记", box(0, 0, 2000, 1000)),
        ("1111", "第一组", 4, "111", "丁", "村民小组长", box(0, 0, 1000, 1000)),
        ("1112", "第二组", 4, "111", "戊", "村民小组长", box(1000, 0, 2000, 1000)),
    ]
    return gpd.GeoDataFrame({
        "code": [r[0] for r in rows], "name": [r[1] for r in rows], "level": [r[2] for r in rows],
        "parent_code": [r[3] for r in rows], "chief_name": [r[4] for r in rows], "chief_title": [r[5] for r in rows],
        "chief_phone": ["1390000000{}".format(i) for i in range(len(rows))], "supervisor": [None] * len(rows),
        "area_ha": [area.area / 10_000 for *_rest, area in rows]}, geometry=[r[6] for r in rows], crs=CRS)


def patrol(patrol_id, chief, code, day, x0, x1):
    return {"patrol_id": patrol_id, "patroller": chief, "area_code": code,
            "start_time": dt.datetime.combine(day, dt.time(9)), "dated": True, "on_foot": True,
            "geometry": LineString([(x0, 500), (x1, 500)])}


def tracks_frame():
    d = dt.date
    rows = [patrol("p1", "区长", "1", d(2026, 2, 10), 100, 3900)]
    rows += [patrol(f"a{m}", "甲", "11", d(2026, m, 5), 100, 1900) for m in (1, 2, 3)]
    rows += [patrol("b1", "乙", "12", d(2026, 1, 10), 2100, 3900)]
    rows += [patrol(f"d{m}", "丁", "1111", d(2026, m, 8), 100, 900) for m in (1, 2, 3)]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def stands_frame():
    columns = ("area_code", "land_class", "origin", "forest_cat", "forest_use", "species", "area_ha", "area_mu")
    rows = [
        ("1111", "0111", "natural", "public", "protection", "masson_pine", 10.0, 150.0),
        ("1111", "0111", "planted", "commercial", "timber", "chinese_fir", 20.0, 300.0),
        ("1112", "0131", "planted", "commercial", "economic", "moso_bamboo", None, 45.0),  # 45 亩 = 3 ha
        ("1112", "0100", "planted", "commercial", "timber", "chinese_fir", 5.0, 75.0),  # cropland: not forest
        ("12", "0301", "natural", "public", "protection", None, 7.0, 105.0),
        ("12", None, None, None, None, "odd_tree", 1.0, 15.0),  # no land class: forest; an unknown species code
    ]
    return pd.DataFrame(rows, columns=columns)


def spots_frame():
    columns = ("spot_no", "town", "village", "area_code", "chief_name", "area_mu", "status", "determination",
               "patrol_missed", "area_m2")
    rows = [
        ("S1", "甲镇", "丙村", "1111", "丁", 6.0, "issued", None, 1, 4000.0),
        ("S2", "甲镇", "丙村", "1112", "戊", 3.0, "closed", "legal", 0, 2000.0),
        ("S3", "甲镇", "丙村", "1112", "戊", 2.0, "determined", "false", 0, 1333.0),
        ("S4", "乙镇", "", "12", "乙", None, "rectifying", "illegal", 0, 2000.0),  # 2000 m² = 3 亩
    ]
    return pd.DataFrame(rows, columns=columns)


def data(rules=None, zones=True) -> lists.WorkspaceData:
    rangers = pd.DataFrame([("R1", "监管甲", "supervisor", "111"), ("R2", "护林甲", "ranger", "111"),
                            ("R3", "护林乙", "ranger", "111"), ("R4", "护林丙", "ranger", "12")],
                           columns=("ranger_id", "name", "role", "area_code"))
    zone_rows = pd.DataFrame([("Z1", "1111", "护林甲")] if zones else [], columns=("zone_id", "area_code", "ranger"))
    return lists.WorkspaceData(areas_frame(), stands_frame(), tracks_frame(), spots_frame(), rangers, zone_rows,
                               tuple(rules or default_rules()))


@pytest.fixture(scope="module")
def books():
    workspace = data()
    return {book.code: book for book in lists.build_handbooks(workspace, ["1", "11", "1112"], AS_OF)}


# --- the forest-resource list ------------------------------------------------------------------------

def test_resources_sum_forest_land_by_use_origin_and_species(books):
    summary = books["1"].resources
    assert summary.stands == 5 and summary.ha == pytest.approx(41.0) and summary.mu == pytest.approx(615.0)
    assert [(row.label, row.stands, round(row.ha, 6)) for row in summary.by_use] == [
        ("防护林", 2, 17.0), ("用材林", 1, 20.0), ("经济林", 1, 3.0), ("未填", 1, 1.0)]
    assert [(row.label, round(row.ha, 6)) for row in summary.by_origin] == [("天然", 17.0), ("人工", 23.0), ("未填", 1.0)]
    assert [(row.label, round(row.ha, 6)) for row in summary.by_species] == [
        ("马尾松", 10.0), ("杉木", 20.0), ("毛竹", 3.0), ("odd_tree", 1.0), ("未填", 7.0)]
    assert sum(row.share for row in summary.by_use) == pytest.approx(1.0)
    assert summary.by_use[0].share == pytest.approx(17 / 41) and summary.by_use[0].mu == pytest.approx(255.0)
    assert summary.public_ha == pytest.approx(17.0) and summary.natural_ha == pytest.approx(17.0)


def test_resources_of_a_group_and_area_fallbacks():
    summary = lists.resource_summary([
        {"land_class": "0111", "forest_use": "timber", "area_ha": None, "area_mu": 30.0},
        {"land_class": "0111", "forest_use": "timber", "area_ha": None, "area_mu": None, "geometry": box(0, 0, 100, 200)},
        {"land_class": "1100", "forest_use": "timber", "area_ha": 99.0},
    ])
    assert summary.stands == 2 and summary.ha == pytest.approx(4.0)  # 30 亩 = 2 ha, 20,000 m² = 2 ha
    assert [(row.code, row.stands) for row in summary.by_use] == [("timber", 2)]


def test_group_resources_are_its_own_stands(books):
    summary = books["1112"].resources
    assert summary.stands == 1 and summary.ha == pytest.approx(3.0)  # the cropland stand is left out


# --- the target tasks ------------------------------------------------------------------------------

def test_district_tasks_are_derived_from_the_data(books):
    tasks = {task.task: task for task in books["1"].tasks}
    assert list(tasks) == ["林长巡林", "督导下级林长", "森林资源保护", "图斑核实整改", "两长两员与网格"]
    patrol = tasks["林长巡林"]
    assert patrol.target == "按每季度1次的要求巡林，2026年不少于4次"
    assert patrol.progress == "已巡林1次；已到期1个季度中1个达标；下次巡林截止2026-06-30" and patrol.met is True
    supervision = tasks["督导下级林长"]
    assert supervision.target == "督促下级镇级林长2名按期巡林、履职尽责"
    assert supervision.progress == "下级林长到期达标1/2名；各级下级林长5名中巡林超期3名" and supervision.met is False
    assert tasks["森林资源保护"].target == "管护林地41.0公顷（615亩），其中公益林17.0公顷、天然林17.0公顷"
    assert tasks["森林资源保护"].progress == "监测发现变化图斑4个，共14.0亩" and tasks["森林资源保护"].met is None
    assert tasks["图斑核实整改"].target == "变化图斑4个全部现地核实、整改到位并销号"
    assert tasks["图斑核实整改"].progress == "已销号或排除2个；未销号2个（9.0亩），其中未现地核实1个"
    assert tasks["图斑核实整改"].met is False and tasks["图斑核实整改"].state_zh == "未达标"
    assert tasks["两长两员与网格"].progress == "基层监管员1名、护林员3名；管护网格1个"
    assert tasks["两长两员与网格"].met is True


def test_a_group_has_no_supervision_task_and_borrows_its_villages_rangers(books):
    tasks = {task.task: task for task in books["1112"].tasks}
    assert "督导下级林长" not in tasks
    assert tasks["林长巡林"].target == "按每月1次的要求巡林，2026年不少于12次"
    assert tasks["林长巡林"].progress == "已巡林0次；已到期3个月中0个达标；已超期59天；下次巡林截止2026-03-31"
    assert tasks["林长巡林"].met is False
    assert tasks["两长两员与网格"].progress == "丙村基层监管员1名、护林员2名；尚未划定管护网格"
    assert tasks["两长两员与网格"].met is False


def test_the_rules_of_the_workspace_decide_the_patrol_target():
    workspace = data(rules=[PatrolRule(1, "month", 2), PatrolRule(2, "week", 1)])
    book = lists.build_handbooks(workspace, ["1"], AS_OF)[0]
    assert book.tasks[0].target == "按每月2次的要求巡林，2026年不少于24次"
    assert book.tasks[0].met is False  # one patrol in three months
    town = lists.build_handbooks(workspace, ["11"], AS_OF)[0]
    assert town.tasks[0].target == "按每周1次的要求巡林，2026年不少于53次"  # 53 calendar weeks meet 2026


def test_an_area_without_spots_has_met_the_spot_task():
    workspace = data()
    workspace.spots = workspace.spots.iloc[0:0]
    book = lists.build_handbooks(workspace, ["11"], AS_OF)[0]
    spot_task = [task for task in book.tasks if task.task == "图斑核实整改"][0]
    assert (spot_task.progress, spot_task.met) == ("暂无变化图斑", True)


# --- the key problems ------------------------------------------------------------------------------

def test_open_spots_leave_out_closed_and_false_detections(books):
    problems = books["1"].problems
    assert [(spot.spot_no, spot.mu, spot.status_zh) for spot in problems.open_spots] == [
        ("S1", 6.0, "下发"), ("S4", pytest.approx(3.0), "整改")]
    assert problems.open_mu == pytest.approx(9.0)
    assert [spot.spot_no for spot in problems.missed] == ["S1"]


def test_overdue_chiefs_longest_first_with_the_group_named_by_its_village(books):
    overdue = books["1"].problems.overdue
    assert [(chief.code, chief.place, chief.chief_name, chief.days_overdue, chief.own) for chief in overdue] == [
        ("111", "丙村", "丙", 59, False), ("1112", "丙村第二组", "戊", 59, False), ("12", "乙镇", "乙", 31, False)]
    assert overdue[2].last_patrol == dt.date(2026, 1, 10) and overdue[0].last_patrol is None


def test_the_chiefs_own_overdue_patrol_comes_first(books):
    overdue = books["1112"].problems.overdue
    assert [(chief.code, chief.own, chief.level_zh) for chief in overdue] == [("1112", True, "组级")]


# --- choosing the chiefs, and bad input -------------------------------------------------------------

def test_select_codes_by_level_or_by_code():
    tree = data().tree()
    assert lists.select_codes(tree, 2) == ["11", "12"]
    assert lists.select_codes(tree, 4) == ["1111", "1112"]
    assert lists.select_codes(tree, 1, lists.parse_codes(" 12，1111 ;12")) == ["12", "1111"]
    assert lists.parse_codes("360799, 360799001、360799101；") == ["360799", "360799001", "360799101"]


def test_unknown_codes_and_an_empty_level_are_clear_errors():
    tree = data().tree()
    with pytest.raises(InputDataError) as error:
        lists.select_codes(tree, 1, ["11", "99", "98"])
    assert "99、98" in error.value.message_zh and "99, 98" in error.value.message_en
    workspace = data()
    workspace.areas = workspace.areas[workspace.areas["level"] != 4]
    with pytest.raises(InputDataError) as error:
        lists.select_codes(workspace.tree(), 4)
    assert "组级" in error.value.message_zh and "group" in error.value.message_en


def test_an_area_without_stands_is_a_clear_error():
    workspace = data()
    workspace.stands = workspace.stands[workspace.stands["area_code"] != "12"]
    with pytest.raises(InputDataError) as error:
        lists.build_handbooks(workspace, ["12"], AS_OF)
    assert "乙镇" in error.value.message_zh and "no forest stands" in error.value.message_en


def test_a_missing_field_names_the_layer():
    workspace = data()
    workspace.spots = workspace.spots.drop(columns=["status"])
    with pytest.raises(InputDataError) as error:
        lists.build_handbooks(workspace, ["1"], AS_OF)
    assert "change_spots" in error.value.message_zh and "status" in error.value.message_en


def test_default_as_of_is_the_latest_patrol_day():
    assert lists.default_as_of(tracks_frame()) == dt.date(2026, 3, 8)
    empty = tracks_frame().iloc[0:0]
    assert lists.default_as_of(empty, today=dt.date(2030, 1, 2)) == dt.date(2030, 1, 2)


def test_codes_stored_as_numbers_still_match():
    workspace = data()
    workspace.stands = workspace.stands.assign(area_code=[1111.0, 1111, 1112, 1112, 12, 12])
    book = lists.build_handbooks(workspace, [1], AS_OF)[0]
    assert book.resources.ha == pytest.approx(41.0)
