"""The assessment's indicator table (core.assessment.indicators): defaults, scoring, a user's weights, bad tables."""
from __future__ import annotations

import pytest

from linzhang_qgis.core.assessment.indicators import (
    CATEGORIES,
    INDICATOR_KEYS,
    default_indicators,
    indicators_from_rows,
    weight_shares,
)
from linzhang_qgis.core.errors import InputDataError


def by_key(indicators):
    return {indicator.key: indicator for indicator in indicators}


def test_defaults_cover_the_three_categories_of_the_seed_and_add_up_to_100():
    indicators = default_indicators()
    assert {indicator.category for indicator in indicators} == set(CATEGORIES)
    assert sum(indicator.weight for indicator in indicators) == pytest.approx(100.0)
    assert len(set(INDICATOR_KEYS)) == len(INDICATOR_KEYS) == 6
    assert all(indicator.name_zh and indicator.method_zh and indicator.method_en for indicator in indicators)
    assert by_key(indicators)["patrol_compliance"].category_zh == "保护性"


def test_score_is_the_value_against_the_target_capped_at_100():
    coverage = by_key(default_indicators())["patrol_coverage"]
    assert coverage.target == 80.0
    assert coverage.score(40.0) == pytest.approx(50.0)
    assert coverage.score(95.0) == 100.0
    assert coverage.score(None) is None
    assert by_key(default_indicators())["spots_verified"].score(62.5) == pytest.approx(62.5)


def test_weight_shares():
    shares = weight_shares(indicators_from_rows([{"indicator": "patrol_compliance", "weight": 3},
                                                 {"indicator": "spots_verified", "weight": 1}]))
    assert shares["patrol_compliance"] == pytest.approx(75.0) and shares["spots_verified"] == pytest.approx(25.0)
    assert shares["patrol_coverage"] == 0.0


def test_a_user_table_replaces_the_weights_and_unlisted_indicators_get_zero():
    indicators = by_key(indicators_from_rows([
        {"indicator": "patrol_compliance", "weight": "40", "category": "", "target": None},
        {"indicator": "patrol_coverage", "weight": 20, "category": "建设性", "target": "50%"},
        {"indicator": "", "weight": None, "category": None, "target": None},  # an empty row is skipped
    ]))
    assert [key for key in INDICATOR_KEYS] == list(indicators)
    assert indicators["patrol_compliance"].weight == 40.0 and indicators["patrol_compliance"].category == "protective"
    assert indicators["patrol_coverage"].category == "constructive" and indicators["patrol_coverage"].target == 50.0
    assert indicators["spots_verified"].weight == 0.0 and indicators["spots_patrolled"].weight == 0.0


def test_chinese_headers_and_names():
    indicators = by_key(indicators_from_rows([
        {"指标": "巡林达标率", "权重": 50, "类别": "保护性指标"},
        {"指标": "图斑巡林到位率", "权重": "50", "目标值": 90},
        {"指标": "Patrol coverage", "权重": 0},
    ]))
    assert indicators["patrol_compliance"].weight == 50.0
    assert indicators["spots_patrolled"].weight == 50.0 and indicators["spots_patrolled"].target == 90.0
    assert indicators["patrol_coverage"].weight == 0.0


@pytest.mark.parametrize("rows, zh, en", [
    ([], "是空的", "is empty"),
    ([{"name": "patrol_compliance", "weight": 1}], "缺少列：indicator", "lacks the columns: indicator"),
    ([{"indicator": "patrol_compliance", "value": 1}], "缺少列：weight", "lacks the columns: weight"),
    ([{"indicator": "forest_fire", "weight": 1}], "不认识指标“forest_fire”", "'forest_fire' is not known"),
    ([{"indicator": "patrol_compliance", "weight": -5}], "为负数", "is negative"),
    ([{"indicator": "patrol_compliance", "weight": "abc"}], "不是数字", "is not a number"),
    ([{"indicator": "patrol_compliance", "weight": None}], "没有权重", "has no weight"),
    ([{"indicator": "patrol_compliance", "weight": 0}, {"indicator": "spots_verified", "weight": 0}],
     "权重之和为0", "add up to 0"),
    ([{"indicator": "patrol_compliance", "weight": 1}, {"indicator": "巡林达标率", "weight": 2}],
     "出现了不止一次", "more than once"),
    ([{"indicator": "patrol_compliance", "weight": 1, "category": "经济性"}], "类别“经济性”无效",
     "category '经济性' is not known"),
    ([{"indicator": "patrol_coverage", "weight": 1, "target": 0}], "目标值 0", "target 0"),
    ([{"indicator": "patrol_coverage", "weight": 1, "target": 150}], "目标值 150", "target 150"),
])
def test_bad_tables_give_one_clear_sentence(rows, zh, en):
    with pytest.raises(InputDataError) as error:
        indicators_from_rows(rows)
    assert zh in error.value.message_zh and en in error.value.message_en


def test_an_unknown_indicator_lists_the_known_ones():
    with pytest.raises(InputDataError) as error:
        indicators_from_rows([{"indicator": "fire", "weight": 1}])
    assert all(key in error.value.message_en for key in INDICATOR_KEYS)
    assert "巡林达标率" in error.value.message_zh and "第1行" in error.value.message_zh
