"""The loss threshold from the data (core.change.threshold): the histogram's robust rule
max(0.15, median + 5 x 1.4826 x MAD) against numpy's exact median and MAD."""
from __future__ import annotations

import numpy as np
import pytest

from linzhang_qgis.core.change.threshold import BIN, FLOOR, K, MAD_TO_SIGMA, DropHistogram, given_threshold


def numpy_rule(drops):
    median = float(np.median(drops))
    mad = float(np.median(np.abs(drops - median)))
    return median, mad, max(FLOOR, median + K * MAD_TO_SIGMA * mad)


def noisy_drops(seed, median, sigma, n=200_000, outliers=0.02):
    """Unchanged forest (normal noise) plus ``outliers`` of real loss: large drops that must not pull the
    threshold."""
    rng = np.random.default_rng(seed)
    drops = rng.normal(median, sigma, n)
    lost = rng.random(n) < outliers
    drops[lost] = rng.uniform(0.3, 0.8, int(lost.sum()))
    return drops


@pytest.mark.parametrize("seed, median, sigma", [(1, 0.05, 0.04), (2, -0.03, 0.06), (3, 0.10, 0.03)])
def test_histogram_threshold_equals_numpy_median_and_mad(seed, median, sigma):
    drops = noisy_drops(seed, median, sigma)
    histogram = DropHistogram()
    histogram.add(drops)
    found = histogram.threshold()
    np_median, np_mad, np_value = numpy_rule(drops)
    assert np_value > FLOOR  # these cases are above the floor: the rule itself is compared
    assert found.from_data and found.pixels == drops.size
    assert abs(found.median - np_median) <= BIN
    assert abs(found.spread / MAD_TO_SIGMA - np_mad) <= BIN
    assert abs(found.value - np_value) <= (1 + K * MAD_TO_SIGMA) * BIN
    # robust: the 2 % loss moves it by little, unlike a mean + 5 sd rule
    assert found.value < median + K * sigma * 1.15
    assert np.mean(drops) + K * np.std(drops) > found.value + 0.1


def test_filled_in_parts_equals_filled_at_once():
    drops = noisy_drops(4, 0.02, 0.05)
    whole, parts = DropHistogram(), DropHistogram()
    whole.add(drops)
    for part in np.array_split(drops, 37):
        parts.add(part)
    assert np.array_equal(whole.counts, parts.counts)
    assert whole.threshold() == parts.threshold()


def test_floor_applies_to_quiet_forest():
    drops = np.random.default_rng(5).normal(0.01, 0.01, 50_000)
    histogram = DropHistogram()
    histogram.add(drops)
    found = histogram.threshold()
    assert numpy_rule(drops)[2] == FLOOR  # median + 5 x 0.0148 = 0.084 < 0.15
    assert found.value == FLOOR
    assert found.median == pytest.approx(0.01, abs=2 * BIN)
    assert found.median + K * found.spread < FLOOR


def test_identical_drops_keep_a_minimal_spread():
    histogram = DropHistogram()
    histogram.add(np.full(1000, 0.2))
    found = histogram.threshold()
    assert found.median == pytest.approx(0.2, abs=BIN)
    assert found.spread == BIN  # never zero
    assert found.value == pytest.approx(0.2 + K * BIN, abs=BIN)


def test_nan_and_out_of_range_values():
    histogram = DropHistogram()
    histogram.add(np.array([np.nan, np.inf, -np.inf, 0.1, 0.1, 0.1, 5.0, -5.0]))
    assert histogram.total == 5  # the non-finite values are ignored, the extreme ones kept in the end bins
    assert histogram.counts[0] == 1 and histogram.counts[-1] == 1
    assert histogram.quantile(0.5) == pytest.approx(0.1, abs=BIN)


def test_given_threshold_and_descriptions():
    given = given_threshold(0.25)
    assert given.value == 0.25 and not given.from_data
    assert "0.250" in given.describe_en("NDVI") and "用户指定" in given.describe_zh("NDVI")
    histogram = DropHistogram()
    histogram.add(noisy_drops(6, 0.05, 0.04, n=10_000))
    found = histogram.threshold()
    assert f"{found.value:.3f}" in found.describe_en("NDVI")
    assert "10,000" in found.describe_en("NDVI") and "10,000" in found.describe_zh("NDVI")
