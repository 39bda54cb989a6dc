"""Patrol compliance (core.patrols): rules, counted patrols, periods, overdue days, roll-up, odd codes."""
from __future__ import annotations

import datetime as dt

import pytest

gpd = pytest.importorskip("geopandas")
shapely = pytest.importorskip("shapely")
from shapely.geometry import LineString, box  # noqa: E402

from linzhang_qgis.core.errors import InputDataError  # noqa: E402
from linzhang_qgis.core.patrols.compliance import (  # noqa: E402
    SUMMARY_COLUMNS,
    calendar_period,
    patrol_compliance,
    periods_between,
)
from linzhang_qgis.core.patrols.rules import PatrolRule, default_rules, rules_from_rows  # noqa: E402

CRS = "EPSG:4547"
JAN1, MAR31 = dt.date(2026, 1, 1), dt.date(2026, 3, 31)


def areas_frame(code_type=str):
    """District 1 = towns 11, 12, 13 side by side; town 11 = villages 111, 112."""
    rows = [
        ("1", "示范区", 1, None, "区林长", box(0, 0, 3000, 1000)),
        ("11", "甲镇", 2, "1", "甲", box(0, 0, 1000, 1000)),
        ("12", "乙镇", 2, "1", "乙", box(1000, 0, 2000, 1000)),
        ("13", "丙镇", 2, "1", "丙", box(2000, 0, 3000, 1000)),
        ("111", "丁村", 3, "11", "丁", box(0, 0, 500, 1000)),
        ("112", "戊村", 3, "11", "戊", box(500, 0, 1000, 1000)),
    ]
    return gpd.GeoDataFrame(
        {"code": [code_type(r[0]) for r in rows], "name": [r[1] for r in rows], "level": [r[2] for r in rows],
         "parent_code": [None if r[3] is None else code_type(r[3]) for r in rows],
         "chief_name": [r[4] for r in rows]},
        geometry=[r[5] for r in rows], crs=CRS)


def track(patrol_id, patroller, area_code, day, x0, x1, y=500.0, dated=True, on_foot=True, hour=9):
    return {"patrol_id": patrol_id, "patroller": patroller, "area_code": area_code,
            "start_time": dt.datetime.combine(day, dt.time(hour, 0)), "dated": dated, "on_foot": on_foot,
            "geometry": LineString([(x0, y), (x1, y)])}


def tracks_frame(rows):
    columns = ("patrol_id", "patroller", "area_code", "start_time", "dated", "on_foot")
    if not rows:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=CRS)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


D = dt.date


def base_tracks():
    return [
        # town 11 (甲): one patrol a month, all inside
        track("a1", "甲", "11", D(2026, 1, 5), 100, 900),
        track("a2", "甲", "11", D(2026, 2, 10), 100, 900),
        track("a3", "甲", "11", D(2026, 3, 3), 100, 900),
        # town 12 (乙): January and March, February missed
        track("b1", "乙", "12", D(2026, 1, 20), 1100, 1900),
        track("b3", "乙", "12", D(2026, 3, 20), 1100, 1900),
        # district chief: one patrol in February, walking in town 13
        track("d1", "区林长", "1", D(2026, 2, 14), 2100, 2900),
        # village 111 (丁): every month
        track("v1", "丁", "111", D(2026, 1, 2), 100, 400),
        track("v2", "丁", "111", D(2026, 2, 2), 100, 400),
        track("v3", "丁", "111", D(2026, 3, 2), 100, 400),
        # village 112 (戊): January only
        track("w1", "戊", "112", D(2026, 1, 9), 600, 900),
    ]


def run(rows, **kwargs):
    kwargs.setdefault("rules", default_rules())
    return patrol_compliance(areas_frame(), tracks_frame(rows), kwargs.pop("rules"), JAN1, MAR31, **kwargs)


def row(result, code):
    summary = result.summary
    return summary[summary["area_code"] == code].iloc[0]


def test_monthly_rule_met_and_missed():
    result = run(base_tracks())
    town = row(result, "11")
    assert (town.periods_required, town.periods_met, town.compliant, town.patrols) == (3, 3, True, 3)
    assert town.last_patrol == D(2026, 3, 3)
    missed = row(result, "12")
    assert (missed.periods_required, missed.periods_met, missed.compliant) == (3, 2, False)
    feb = result.periods[(result.periods["area_code"] == "12") & (result.periods["period_label"] == "2026-02")]
    assert len(feb) == 1 and int(feb.iloc[0]["achieved"]) == 0 and not bool(feb.iloc[0]["compliant"])
    assert feb.iloc[0]["period_start"] == D(2026, 2, 1) and feb.iloc[0]["period_end"] == D(2026, 2, 28)


def test_quarterly_rule_for_the_district():
    result = run(base_tracks())
    district = row(result, "1")
    assert (district.period_kind, district.periods_required, district.periods_met, district.compliant) == (
        "quarter", 1, 1, True)
    labels = list(result.periods[result.periods["area_code"] == "1"]["period_label"])
    assert labels == ["2026Q1"]


def test_town_with_no_patrol_fails_every_period():
    result = run(base_tracks())
    town = row(result, "13")
    assert (town.periods_required, town.periods_met, town.compliant, town.patrols) == (3, 0, False, 0)
    assert town.last_patrol is None


def test_patrol_mostly_outside_the_area_does_not_count():
    # 丙 walks 1200..2200: only 200 m of 1000 m in town 13
    rows = [track("c1", "丙", "13", D(2026, 1, 10), 1200, 2200)]
    assert row(run(rows), "13").patrols == 0
    assert row(run(rows, min_inside=0.2), "13").patrols == 1
    # 60 % inside passes the default threshold
    assert row(run([track("c2", "丙", "13", D(2026, 1, 10), 1600, 2600)]), "13").patrols == 1


def test_undated_track_does_not_count():
    rows = [track("c1", "丙", "13", D(2026, 1, 10), 2100, 2900, dated=False)]
    assert row(run(rows), "13").patrols == 0
    missing_time = track("c2", "丙", "13", D(2026, 1, 10), 2100, 2900)
    missing_time["start_time"] = None
    assert row(run([missing_time]), "13").patrols == 0


def test_car_counts_only_when_vehicles_are_allowed():
    rows = [track("c1", "丙", "13", D(2026, 1, 10), 2100, 2900, on_foot=False)]
    assert row(run(rows), "13").patrols == 0
    assert row(run(rows, on_foot_only=False), "13").patrols == 1


def test_another_chiefs_patrol_does_not_count():
    # 丁 (village 111) walks inside town 11: it counts for 111, not for the town chief 甲
    result = run([track("v1", "丁", "111", D(2026, 1, 2), 100, 400)])
    assert row(result, "111").patrols == 1
    assert row(result, "11").patrols == 0
    # ... but a track filed under the town's code counts for the town whoever recorded it
    result = run([track("t1", "甲的秘书", "11", D(2026, 1, 2), 100, 400)])
    assert row(result, "11").patrols == 1


def test_patroller_name_alone_is_enough():
    result = run([track("t1", "甲", None, D(2026, 1, 2), 100, 900)])
    assert row(result, "11").patrols == 1


def test_features_of_one_patrol_count_once():
    rows = [track("p", "甲", "11", D(2026, 1, 2), 100, 500), track("p", "甲", "11", D(2026, 1, 2), 500, 900, hour=13)]
    result = run(rows)
    assert row(result, "11").patrols == 1


def test_roll_up_shares():
    result = run(base_tracks())
    town = row(result, "11")  # villages 111 compliant, 112 not
    assert (town.children, town.children_compliant, town.children_compliant_pct) == (2, 1, 50.0)
    district = row(result, "1")  # towns 11 compliant, 12 and 13 not
    assert (district.children, district.children_compliant) == (3, 1)
    assert district.children_compliant_pct == pytest.approx(100 / 3)
    village = row(result, "111")
    assert village.children == 0 and village.children_compliant_pct != village.children_compliant_pct  # NaN


def test_days_overdue_and_next_due():
    result = run(base_tracks())
    assert row(result, "11").days_overdue == 0 and row(result, "11").next_due == D(2026, 4, 30)
    # 12 missed February but patrolled in March: up to date again
    assert row(result, "12").days_overdue == 0
    # 112 patrolled in January only: behind since the end of February
    village = row(result, "112")
    assert village.days_overdue == (MAR31 - D(2026, 2, 28)).days == 31
    assert village.next_due == D(2026, 3, 31)
    # the district met its quarter: next due at the end of the next quarter
    assert row(result, "1").next_due == D(2026, 6, 30)


def test_as_of_inside_the_range():
    result = run(base_tracks(), as_of=D(2026, 3, 15))
    town = row(result, "12")  # January met, February missed, March still open (patrol on the 20th is later)
    assert (town.periods_required, town.periods_met, town.compliant) == (2, 1, False)
    assert town.days_overdue == 15 and town.next_due == D(2026, 3, 31)
    assert town.patrols == 1 and town.last_patrol == D(2026, 1, 20)
    march = result.periods[(result.periods["area_code"] == "12") & (result.periods["period_label"] == "2026-03")]
    assert not bool(march.iloc[0]["due"])


def test_numbers_and_text_codes_match():
    areas = areas_frame(code_type=int)
    areas["parent_code"] = [None, 1.0, 1.0, 1.0, 11.0, 11.0]  # a real-number column, as some layers store it
    rows = [track("a1", "someone", " 11 ", D(2026, 1, 5), 100, 900)]
    result = patrol_compliance(areas, tracks_frame(rows), default_rules(), JAN1, MAR31)
    assert row(result, "11").patrols == 1
    assert row(result, "11").children == 2 and row(result, "1").children == 3


def test_summary_is_aligned_with_areas():
    areas = areas_frame()
    areas.index = [10, 20, 30, 40, 50, 60]
    result = patrol_compliance(areas, tracks_frame(base_tracks()), default_rules(), JAN1, MAR31)
    assert list(result.summary.index) == [10, 20, 30, 40, 50, 60]
    assert tuple(result.summary.columns) == SUMMARY_COLUMNS


def test_level_without_rule_is_not_assessed():
    rules = [PatrolRule(1, "quarter", 1), PatrolRule(2, "month", 1)]
    result = run(base_tracks(), rules=rules)
    assert row(result, "111").compliant is None and row(result, "111").periods_required == 0
    assert pd_isnan(row(result, "11").children_compliant_pct)


def pd_isnan(value):
    return value != value


def test_weekly_rule_with_two_patrols():
    rules = [PatrolRule(level, "week", 2) for level in (1, 2, 3, 4)]
    rows = [track("a1", "甲", "11", D(2026, 1, 5), 100, 900), track("a2", "甲", "11", D(2026, 1, 7), 100, 900),
            track("a3", "甲", "11", D(2026, 1, 14), 100, 900)]
    result = patrol_compliance(areas_frame(), tracks_frame(rows), rules, D(2026, 1, 5), D(2026, 1, 18))
    periods = result.periods[result.periods["area_code"] == "11"]
    assert list(periods["period_label"]) == ["2026-W02", "2026-W03"]
    assert list(periods["achieved"]) == [2, 1] and list(periods["compliant"]) == [True, False]


def test_empty_tracks():
    result = run([])
    assert (result.summary["patrols"] == 0).all() and not result.summary["compliant"].any()


def test_bad_input_is_explained():
    with pytest.raises(InputDataError) as caught:
        patrol_compliance(areas_frame().drop(columns=["chief_name"]), tracks_frame([]), default_rules(), JAN1, MAR31)
    assert "chief_name" in caught.value.message_zh and "chief_name" in caught.value.message_en
    with pytest.raises(InputDataError):
        patrol_compliance(areas_frame(), tracks_frame([]), default_rules(), MAR31, JAN1)
    with pytest.raises(InputDataError):
        patrol_compliance(areas_frame(), tracks_frame([]), default_rules(), JAN1, MAR31, min_inside=1.5)


def test_calendar_periods():
    assert calendar_period("quarter", D(2026, 11, 15)) == (D(2026, 10, 1), D(2026, 12, 31), "2026Q4")
    assert calendar_period("month", D(2026, 12, 31)) == (D(2026, 12, 1), D(2026, 12, 31), "2026-12")
    assert calendar_period("week", D(2026, 1, 1)) == (D(2025, 12, 29), D(2026, 1, 4), "2026-W01")
    assert periods_between("quarter", D(2025, 11, 1), D(2026, 10, 31))[0] == (D(2025, 11, 1), D(2025, 12, 31),
                                                                              "2025Q4")
    assert len(periods_between("month", D(2025, 11, 1), D(2026, 10, 31))) == 12
    assert len(periods_between("quarter", D(2025, 11, 1), D(2026, 10, 31))) == 5


def test_rules_from_rows():
    rules = rules_from_rows([{"level": 1, "period": "季度", "min_count": 1},
                             {"level": "3", "period": "Week", "min_count": 2.0},
                             {"level": None, "period": None, "min_count": None}])
    assert rules == (PatrolRule(1, "quarter", 1), PatrolRule(3, "week", 2))
    assert default_rules()[0] == PatrolRule(1, "quarter", 1) and len(default_rules()) == 4
    for bad, word in (({"level": 5, "period": "month", "min_count": 1}, "level"),
                      ({"level": 2, "period": "fortnight", "min_count": 1}, "period"),
                      ({"level": 2, "period": "month", "min_count": 0}, "minimum")):
        with pytest.raises(InputDataError) as caught:
            rules_from_rows([bad])
        assert word in caught.value.message_en and caught.value.message_zh
    with pytest.raises(InputDataError) as caught:
        rules_from_rows([{"level": 2, "period": "month", "min_count": 1}, {"level": 2, "period": "week", "min_count": 1}])
    assert "more than once" in caught.value.message_en and "不止一次" in caught.value.message_zh
