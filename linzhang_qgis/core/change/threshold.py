"""The loss threshold found from the data: a robust outlier cut-off on the index drop inside the forest.

Most forest pixels do not change between the two dates; their index drop is noise, season and
calibration around a small median. Loss pixels are the outliers on the high side. The cut-off is
``median + K x 1.4826 x MAD`` (a robust z-score of K = 5: MAD is the median absolute deviation,
1.4826 x MAD estimates the standard deviation of the unchanged pixels without being pulled by the
loss itself), never below FLOOR = 0.15 (an NDVI drop smaller than that is within what season and
atmosphere do to unchanged forest). Otsu's method, by contrast, needs two classes of similar size and
splits the unchanged pixels when loss is rare, as it usually is.

The statistics come from a histogram (bins of 0.001) that can be filled strip by strip, so a large
raster is sampled without holding it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

K = 5.0
FLOOR = 0.15
MAD_TO_SIGMA = 1.4826
LOW, HIGH, BIN = -2.0, 2.0, 0.001


@dataclass(frozen=True)
class Threshold:
    value: float
    median: float
    spread: float  # 1.4826 x MAD
    pixels: int  # how many forest pixels the statistics came from
    from_data: bool

    def describe_en(self, index: str) -> str:
        if not self.from_data:
            return f"{index} drop threshold {self.value:.3f} (given)."
        return (f"{index} drop threshold found from the data: median drop {self.median:.3f}, robust spread "
                f"{self.spread:.3f} (1.4826 x MAD) over {self.pixels:,} forest pixels; threshold = "
                f"max({FLOOR}, median + {K:g} x spread) = {self.value:.3f}.")

    def describe_zh(self, index: str) -> str:
        if not self.from_data:
            return f"{index} 降幅阈值 {self.value:.3f}（用户指定）。"
        return (f"{index} 降幅阈值由数据确定：{self.pixels:,} 个林地像元的降幅中位数 {self.median:.3f}，"
                f"稳健离散度 {self.spread:.3f}（1.4826×MAD）；阈值 = max({FLOOR}, 中位数 + {K:g}×离散度) = "
                f"{self.value:.3f}。")


class DropHistogram:
    """A histogram of index drops, filled in parts."""

    def __init__(self) -> None:
        self.edges = np.arange(LOW, HIGH + BIN / 2, BIN)
        self.counts = np.zeros(self.edges.size - 1, dtype=np.int64)

    def add(self, drops: np.ndarray) -> None:
        drops = drops[np.isfinite(drops)]
        if drops.size:
            index = np.clip(((drops - LOW) / BIN).astype(np.int64), 0, self.counts.size - 1)
            self.counts += np.bincount(index, minlength=self.counts.size)

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def quantile(self, q: float, counts: np.ndarray | None = None) -> float:
        counts = self.counts if counts is None else counts
        cumulative = np.cumsum(counts)
        position = int(np.searchsorted(cumulative, q * cumulative[-1]))
        return float(LOW + (position + 0.5) * BIN)

    def threshold(self) -> Threshold:
        median = self.quantile(0.5)
        centres = LOW + (np.arange(self.counts.size) + 0.5) * BIN
        deviations = np.abs(centres - median)
        order = np.argsort(deviations, kind="stable")
        cumulative = np.cumsum(self.counts[order])
        mad = float(deviations[order][int(np.searchsorted(cumulative, 0.5 * cumulative[-1]))])
        spread = max(MAD_TO_SIGMA * mad, BIN)
        return Threshold(max(FLOOR, median + K * spread), median, spread, self.total, True)


def given_threshold(value: float) -> Threshold:
    return Threshold(float(value), float("nan"), float("nan"), 0, False)
