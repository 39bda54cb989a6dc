"""林长制考核 (core.assessment.scoring): a small district where every indicator, the weighting, the grades, each
yellow-card rule and the negative list have known answers."""
from __future__ import annotations

import datetime as dt
import math

import pytest

gpd = pytest.importorskip("geopandas")
pd = pytest.importorskip("pandas")
shapely = pytest.importorskip("shapely")
from shapely.geometry import LineString, box  # noqa: E402

from linzhang_qgis.core.assessment.indicators import default_indicators, indicators_from_rows  # noqa: E402
from linzhang_qgis.core.assessment.scoring import (  # noqa: E402
    NOT_APPLICABLE,
    AssessmentCanceled,
    Settings,
    assess,
    assessment_period,
    resolve_as_of,
)
from linzhang_qgis.core.errors import InputDataError  # noqa: E402
from linzhang_qgis.core.patrols.rules import default_rules  # noqa: E402

CRS = "EPSG:4547"
D = dt.date
Q1 = assessment_period(2026, 1)
AS_OF = D(2026, 3, 31)
SETTINGS = Settings(compliance_min=80.0, verify_days=30, rectify_days=30, swath_m=100.0)
# the weights of the exact totals below: coverage left out (weight 0)
NO_COVERAGE = indicators_from_rows([
    {"indicator": "patrol_compliance", "weight": 30}, {"indicator": "spots_verified", "weight": 15},
    {"indicator": "illegal_rectified", "weight": 15}, {"indicator": "children_compliant", "weight": 15},
    {"indicator": "spots_patrolled", "weight": 15}])


def areas_frame(code=str):
    """District 1 = towns 11 and 12; town 11 = villages 111 and 112 (1 km squares)."""
    rows = [
        ("1", "示范区", 1, None, "区林长", box(0, 0, 4000, 1000)),
        ("11", "甲镇", 2, "1", "甲", box(0, 0, 2000, 1000)),
        ("12", "乙镇", 2, "1", "乙", box(2000, 0, 4000, 1000)),
        ("111", "丁村", 3, "11", "丁", box(0, 0, 1000, 1000)),
        ("112", "戊村", 3, "11", "戊", box(1000, 0, 2000, 1000)),
    ]
    return gpd.GeoDataFrame({
        "code": [code(r[0]) for r in rows], "name": [r[1] for r in rows], "level": [r[2] for r in rows],
        "parent_code": [None if r[3] is None else code(r[3]) for r in rows], "chief_name": [r[4] for r in rows]},
        geometry=[r[5] for r in rows], crs=CRS)


def patrol(patrol_id, chief, code, day, x0, x1, y):
    return {"patrol_id": patrol_id, "patroller": chief, "area_code": code,
            "start_time": dt.datetime.combine(day, dt.time(9)), "end_time": dt.datetime.combine(day, dt.time(12)),
            "dated": True, "on_foot": True, "geometry": LineString([(x0, y), (x1, y)])}


def tracks_frame(code=str):
    """District once in Q1 (met); 甲 and 丁 every month (3/3); 乙 in January only (1/3); 戊 Jan and Feb (2/3)."""
    rows = [patrol("d1", "区林长", code("1"), D(2026, 2, 10), 0, 4000, 100)]
    for month in (1, 2, 3):
        rows.append(patrol(f"j{month}", "甲", code("11"), D(2026, month, 5), 0, 2000, 300))
        rows.append(patrol(f"d{month}", "丁", code("111"), D(2026, month, 6), 0, 1000, 500))
    rows.append(patrol("y1", "乙", code("12"), D(2026, 1, 7), 2000, 4000, 300))
    for month in (1, 2):
        rows.append(patrol(f"w{month}", "戊", code("112"), D(2026, month, 8), 1000, 2000, 700))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def spot(no, code, after, status="issued", determination=None, verify_date=None, missed=None, before=None):
    return {"spot_no": no, "area_code": code, "status": status, "determination": determination,
            "after_date": after, "before_date": before or D(2025, 10, 1), "verify_date": verify_date,
            "patrol_missed": missed}


def spots_frame(code=str):
    return pd.DataFrame([
        spot("S1", code("111"), D(2026, 1, 5), "field_verified", verify_date=D(2026, 1, 20), missed=False),
        spot("S2", code("111"), D(2026, 1, 10), "rechecked", "illegal", missed=True),
        spot("S3", code("112"), D(2026, 1, 15)),
        spot("S4", code("112"), D(2026, 1, 1), "case_filed", "illegal", verify_date=D(2026, 1, 20), missed=False),
        spot("S5", code("12"), D(2026, 3, 20), missed=False),
        spot("S6", code("12"), D(2025, 11, 1)),
        spot("S7", code("111"), D(2026, 1, 12), "closed", "false"),
        spot("S8", "999", D(2026, 1, 5)),
        spot("S9", code("12"), D(2026, 1, 1)),
        spot("S10", code("111"), D(2026, 3, 1), "determined", "illegal", verify_date=D(2026, 3, 5)),
    ])


def change(fid, no, when, old, new, note=None):
    return {"fid": fid, "spot_no": no, "changed_at": f"{when}T10:00:00.000", "changed_by": "张三",
            "old_status": old, "new_status": new, "changes": None, "note": note}


def history_frame():
    return pd.DataFrame([
        change(1, "S2", "2026-02-20", "issued", "field_verified"),
        change(2, "S2", "2026-02-21", "field_verified", "determined"),
        change(3, "S2", "2026-02-22", "determined", "case_filed"),
        change(4, "S2", "2026-02-23", "case_filed", "rectifying"),
        change(5, "S2", "2026-03-10", "rectifying", "rechecked"),
        change(6, "S4", "2026-01-25", "field_verified", "determined"),
        change(7, "S4", "2026-01-26", "determined", "case_filed"),
        # S7: verified on 02-10 (on time), undone the next day, verified again on 02-15 (late)
        change(8, "S7", "2026-02-10", "issued", "field_verified"),
        change(9, "S7", "2026-02-11", "field_verified", "issued", note="undo #8 撤销第 8 条记录"),
        change(10, "S7", "2026-02-15", "issued", "field_verified"),
        change(11, "S7", "2026-02-16", "field_verified", "determined"),
        change(12, "S7", "2026-02-17", "determined", "closed"),
        # S9 was issued (下发) on 02-01, a month after its after image
        change(13, "S9", "2026-02-01", None, "issued"),
        change(14, "S10", "2026-03-10", "field_verified", "determined"),
    ])


def run(code=str, indicators=NO_COVERAGE, settings=SETTINGS, **kwargs):
    return assess(areas_frame(code), tracks_frame(code), spots_frame(code), history_frame(), default_rules(), Q1,
                  as_of=AS_OF, indicators=indicators, settings=settings, today=D(2026, 11, 1), **kwargs)


@pytest.fixture(scope="module")
def result():
    return run()


def row(result, code):
    table = result.table
    return table[table["code"] == code].iloc[0]


# --- indicators ---------------------------------------------------------------------------------

@pytest.mark.parametrize("code, expected", [("1", 100.0), ("11", 100.0), ("12", 100 / 3), ("111", 100.0),
                                            ("112", 200 / 3)])
def test_patrol_compliance_is_periods_met_over_due(result, code, expected):
    assert row(result, code)["compliance_pct"] == pytest.approx(expected)
    assert row(result, code)["patrol_compliance"] == pytest.approx(expected)


def test_periods_of_the_district_are_quarters_and_of_the_towns_months(result):
    assert (row(result, "1")["periods_required"], row(result, "1")["periods_met"]) == (1, 1)
    assert (row(result, "12")["periods_required"], row(result, "12")["periods_met"]) == (3, 1)


@pytest.mark.parametrize("code, due, on_time", [("111", 4, 2), ("112", 2, 1), ("11", 6, 3), ("12", 1, 0),
                                                ("1", 7, 3)])
def test_spots_verified_on_time_count_the_area_and_below(result, code, due, on_time):
    """S1 and S10 (verify_date) and S4 on time; S2 late (history); S7 late (its on-time change was undone);
    S3 and S9 not verified past their deadlines; S5's deadline is still to come; S6's fell before the period."""
    assert (row(result, code)["verify_due"], row(result, code)["verify_on_time"]) == (due, on_time)
    assert row(result, code)["spots_verified"] == pytest.approx(100.0 * on_time / due)


@pytest.mark.parametrize("code, due, on_time, expected", [("111", 1, 1, 100.0), ("112", 1, 0, 0.0),
                                                          ("11", 2, 1, 50.0), ("1", 2, 1, 50.0)])
def test_illegal_spots_rectified_on_time(result, code, due, on_time, expected):
    """S2 determined 02-21, re-checked 03-10 (deadline 03-23); S4 determined 01-25, not rectified by 02-24;
    S10's deadline (04-09) is after the as-of date."""
    assert (row(result, code)["rectify_due"], row(result, code)["rectify_on_time"]) == (due, on_time)
    assert row(result, code)["illegal_rectified"] == pytest.approx(expected)


def test_indicators_without_a_case_are_not_applicable(result):
    town = row(result, "12")
    assert math.isnan(town["illegal_rectified"]) and math.isnan(town["children_compliant"])
    assert "违法图斑按期整改率" in town["not_applicable"] and "下级林长巡林达标率" in town["not_applicable"]
    assert row(result, "1")["not_applicable"] == ""


@pytest.mark.parametrize("code, expected", [("1", 50.0), ("11", 50.0)])
def test_children_compliant_share(result, code, expected):
    assert row(result, code)["children_compliant"] == pytest.approx(expected)
    assert math.isnan(row(result, "111")["children_compliant"])


@pytest.mark.parametrize("code, linked, patrolled", [("111", 2, 1), ("112", 1, 1), ("11", 3, 2), ("12", 1, 1),
                                                     ("1", 4, 3)])
def test_spots_reached_by_patrol(result, code, linked, patrolled):
    assert (row(result, code)["linked"], row(result, code)["patrolled"]) == (linked, patrolled)
    assert row(result, code)["spots_patrolled"] == pytest.approx(100.0 * patrolled / linked)


def test_coverage_is_the_union_of_the_buffered_tracks_against_the_target():
    result = run(indicators=default_indicators())
    tracks = tracks_frame()
    union = shapely.union_all([line.buffer(50.0, quad_segs=8) for line in tracks.geometry])
    for code, polygon in zip(areas_frame()["code"], areas_frame().geometry):
        expected = 100.0 * union.intersection(polygon).area / polygon.area
        assert row(result, code)["coverage_pct"] == pytest.approx(expected, rel=1e-6)
        assert row(result, code)["patrol_coverage"] == pytest.approx(min(100.0, expected / 80.0 * 100.0), rel=1e-6)


# --- weighting and grades -------------------------------------------------------------------------

@pytest.mark.parametrize("code, total, grade", [
    ("112", (30 * 200 / 3 + 15 * 50 + 15 * 0 + 15 * 100) / 75, "不合格"),
    ("111", 80.0, "良好"),  # (30·100 + 15·50 + 15·100 + 15·50) / 75: exactly on the 良好 line
    ("11", (30 * 100 + 15 * 50 + 15 * 50 + 15 * 50 + 15 * 200 / 3) / 90, "合格"),
    ("12", (30 * 100 / 3 + 15 * 0 + 15 * 100) / 60, "不合格"),
    ("1", (30 * 100 + 15 * 300 / 7 + 15 * 50 + 15 * 50 + 15 * 75) / 90, "合格"),
])
def test_total_is_the_weighted_mean_of_the_indicators_that_apply(result, code, total, grade):
    assert row(result, code)["total"] == pytest.approx(total)
    assert row(result, code)["grade"] == grade


def test_grades_by_threshold():
    settings = Settings()
    assert [settings.grade(value) for value in (95, 90, 89.9, 80, 60, 59.9, None)] == [
        "优秀", "优秀", "良好", "良好", "合格", "不合格", NOT_APPLICABLE]


def test_an_indicator_with_weight_zero_is_shown_but_not_weighted(result):
    assert not math.isnan(row(result, "1")["patrol_coverage"])  # computed, weight 0 in NO_COVERAGE


def test_no_indicator_applies_gives_no_total():
    only_rectified = indicators_from_rows([{"indicator": "illegal_rectified", "weight": 1}])
    result = run(indicators=only_rectified)
    assert math.isnan(row(result, "12")["total"]) and row(result, "12")["grade"] == NOT_APPLICABLE
    assert row(result, "112")["total"] == pytest.approx(0.0) and row(result, "112")["grade"] == "不合格"
    assert result.chiefs_assessed == 4


# --- yellow cards and the negative list -------------------------------------------------------------

def test_yellow_cards_by_rule(result):
    cards = {(card.area_code, card.rule): card for card in result.cards}
    assert set(cards) == {("12", "compliance"), ("12", "verification"), ("112", "compliance"),
                          ("112", "verification"), ("112", "rectification")}
    assert cards[("12", "compliance")].reason_zh == "巡林达标率33.3%（3个巡林周期中达标1个），低于达标线80%。"
    assert cards[("12", "verification")].spots == ("S6", "S9")  # most overdue first
    assert "S6（2025-12-01到期，超期120天）" in cards[("12", "verification")].reason_zh
    assert "S9（2026-03-03到期，超期28天）" in cards[("12", "verification")].reason_zh
    assert cards[("112", "rectification")].spots == ("S4",)
    assert "超期35天" in cards[("112", "rectification")].reason_zh
    assert "not rectified past the deadline (30 days" in cards[("112", "rectification")].reason_en
    assert list(result.table["yellow_card"]) == [False, False, True, False, True]
    assert result.carded == 2
    assert row(result, "112")["card_reasons"].count("。") == 3


def test_negative_list_per_town(result):
    items = [(item.town_code, item.kind, item.subject) for item in result.negative_list]
    assert items == [
        ("11", "noncompliant", "戊"), ("11", "verify_overdue", "S3"), ("11", "rectify_overdue", "S4"),
        ("11", "unrectified", "S10"), ("11", "missed", "S2"),
        ("12", "noncompliant", "乙"), ("12", "verify_overdue", "S6"), ("12", "verify_overdue", "S9"),
    ]
    sentences = {item.subject: item.sentence_zh for item in result.negative_list}
    assert sentences["S3"] == "图斑S3（戊村）2026-01-15下发，核实期限2026-02-14，截至2026-03-31仍未现地核实，超期45天。"
    assert sentences["S10"] == "违法图斑S10（丁村）2026-03-10认定，截至2026-03-31尚未整改（整改期限2026-04-09）。"
    assert sentences["戊"] == "戊村（村级）林长戊巡林达标率66.7%，低于达标线80%。"
    assert "无巡林轨迹经过" in sentences["S2"]
    assert list(result.table["negative_items"].fillna(-1)) == [-1, 5, 3, -1, -1]


def test_a_stricter_minimum_cards_more_chiefs():
    result = run(settings=Settings(compliance_min=100.0, verify_days=30, rectify_days=30))
    assert {card.area_code for card in result.cards if card.rule == "compliance"} == {"12", "112"}
    lenient = run(settings=Settings(compliance_min=30.0, verify_days=30, rectify_days=30))
    assert not [card for card in lenient.cards if card.rule == "compliance"]
    assert row(lenient, "1")["children_compliant"] == pytest.approx(100.0)


def test_longer_deadlines_remove_the_overdue_cards():
    result = run(settings=Settings(verify_days=200, rectify_days=200))
    assert {card.rule for card in result.cards} == {"compliance"}
    assert not [item for item in result.negative_list if item.kind in ("verify_overdue", "rectify_overdue")]


# --- odd input ------------------------------------------------------------------------------------

def test_codes_as_numbers_in_one_layer_and_text_in_another_match_and_are_reported():
    areas = areas_frame(code=int)
    result = assess(areas, tracks_frame(str), spots_frame(str), history_frame(), default_rules(), Q1, as_of=AS_OF,
                    indicators=NO_COVERAGE, settings=SETTINGS, today=D(2026, 11, 1))
    reference = run()
    assert list(result.table["total"].round(6)) == list(reference.table["total"].round(6))
    assert any("存为数字" in zh and "compared as text" in en for zh, en in result.warnings)
    assert not any("存为数字" in zh for zh, _ in reference.warnings)


def test_a_parent_code_pointing_nowhere_is_reported():
    areas = areas_frame()
    areas.loc[areas["code"] == "12", "parent_code"] = "9"
    result = assess(areas, tracks_frame(), spots_frame(), history_frame(), default_rules(), Q1, as_of=AS_OF,
                    settings=SETTINGS, today=D(2026, 11, 1))
    assert any("12（乙镇）的上级编码 9" in zh and "parent code 9 of area 12" in en for zh, en in result.warnings)
    assert row(result, "1")["children_assessed"] == 1


def test_spots_of_unknown_areas_are_reported(result):
    assert any("999" in zh and "match no area" in en for zh, en in result.warnings)


def test_duplicate_area_codes_are_refused():
    areas = areas_frame()
    areas.loc[areas["code"] == "112", "code"] = "111"
    with pytest.raises(InputDataError, match="责任区编码重复：111"):
        assess(areas, tracks_frame(), spots_frame(), history_frame(), default_rules(), Q1, as_of=AS_OF)


@pytest.mark.parametrize("frame, column, label", [("areas", "chief_name", "责任区图层"), ("spots", "status", "变化图斑"),
                                                  ("history", "changed_at", "图斑核查记录"),
                                                  ("tracks", "start_time", "巡林轨迹")])
def test_a_missing_field_is_named(frame, column, label):
    inputs = {"areas": areas_frame(), "tracks": tracks_frame(), "spots": spots_frame(), "history": history_frame()}
    inputs[frame] = inputs[frame].drop(columns=[column])
    with pytest.raises(InputDataError) as error:
        assess(inputs["areas"], inputs["tracks"], inputs["spots"], inputs["history"], default_rules(), Q1,
               as_of=AS_OF)
    assert label in error.value.message_zh and column in error.value.message_zh
    assert column in error.value.message_en


def test_a_year_without_patrols_is_refused_with_the_dates_there_are():
    with pytest.raises(InputDataError) as error:
        assess(areas_frame(), tracks_frame(), spots_frame(), history_frame(), default_rules(),
               assessment_period(2024), today=D(2026, 11, 1))
    assert "2024年" in error.value.message_zh and "2026-01-05 至 2026-03-06" in error.value.message_zh
    assert "no patrol tracks in 2024" in error.value.message_en


def test_no_spots_and_no_history_leave_the_spot_indicators_not_applicable():
    result = assess(areas_frame(), tracks_frame(), None, None, default_rules(), Q1, as_of=AS_OF,
                    settings=SETTINGS, today=D(2026, 11, 1))
    assert result.table["spots_verified"].isna().all() and result.table["spots_patrolled"].isna().all()
    assert {item.kind for item in result.negative_list} == {"noncompliant"}
    assert {card.rule for card in result.cards} == {"compliance"}


def test_cancel_through_progress():
    with pytest.raises(AssessmentCanceled):
        run(progress=lambda percent: percent < 30)


def test_bad_settings_are_refused():
    with pytest.raises(InputDataError, match="巡林达标线"):
        run(settings=Settings(compliance_min=120))
    with pytest.raises(InputDataError, match="巡林带宽"):
        run(settings=Settings(swath_m=0))


# --- period and as-of date --------------------------------------------------------------------------

def test_periods():
    assert (Q1.first, Q1.last, Q1.label_zh, Q1.label_en) == (D(2026, 1, 1), D(2026, 3, 31), "2026年第一季度", "2026 Q1")
    q4 = assessment_period("2025", 4)
    assert (q4.first, q4.last) == (D(2025, 10, 1), D(2025, 12, 31))
    year = assessment_period(2026, 0)
    assert (year.first, year.last, year.label_zh) == (D(2026, 1, 1), D(2026, 12, 31), "2026年")
    with pytest.raises(InputDataError, match="季度"):
        assessment_period(2026, 5)
    with pytest.raises(InputDataError, match="考核年度"):
        assessment_period("二〇二六")


def test_as_of_defaults_to_the_period_end_or_today():
    year = assessment_period(2026)
    assert resolve_as_of(year, today=D(2026, 11, 28)) == D(2026, 11, 28)
    assert resolve_as_of(Q1, today=D(2026, 11, 28)) == D(2026, 3, 31)
    warnings: list = []
    assert resolve_as_of(Q1, D(2026, 6, 1), warnings=warnings) == D(2026, 3, 31) and warnings
    with pytest.raises(InputDataError, match="早于考核期开始"):
        resolve_as_of(assessment_period(2027), today=D(2026, 11, 28))


def test_an_earlier_as_of_date_ignores_what_happened_later():
    """As of 02-15: S2's verification (02-20) has not happened, S4's rectification deadline (02-24) not come."""
    result = assess(areas_frame(), tracks_frame(), spots_frame(), history_frame(), default_rules(), Q1,
                    as_of=D(2026, 2, 15), settings=SETTINGS, today=D(2026, 11, 1))
    cards = {(card.area_code, card.rule): card for card in result.cards}
    assert "S2" in cards[("111", "verification")].spots
    assert ("112", "rectification") not in cards
    assert row(result, "111")["periods_required"] == 1  # only January has ended
