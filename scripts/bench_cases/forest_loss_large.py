"""Forest loss on a larger pair: 20,000 x 20,000 pixels, ours and the read floor only.

The generator of ``forest_loss`` at four times the pixels (and clearings). The goal it checks: the peak
memory of ours stays under 1 GB whatever the raster size, and its time within 2 times the read floor.
"""
from __future__ import annotations

from bench_cases.forest_loss import FOREST_NDVI, MIN_AREA, READ_FLOOR, run_ours, scaled, write_pair
from bench_cases.forest_loss import read_floor, unavailable  # noqa: F401 - the harness calls them from here

NAME = "forest_loss_large"
SIDE = scaled(20_000)
DESCRIPTION = (f"`linzhang:detectforestloss` (threshold found from the data, forest = before NDVI ≥ {FOREST_NDVI}, "
               f"at least {MIN_AREA} m²): a {SIDE:,} × {SIDE:,}-pixel pair, the generator of `forest_loss` with "
               "four times its pixels and clearings; how the peak memory and the multiple of the read floor behave "
               "as the raster grows.")
BASELINE = ("none run: the native chain of `forest_loss` (raster calculator → polygonize → extract by "
            "expression) is compared there, at a quarter of the pixels.")
COMPARISONS = {"read_floor": READ_FLOOR}
baseline = None


def prepare(workdir: str) -> dict:
    return write_pair(workdir, SIDE)


def ours(workdir: str, prepared: dict) -> None:
    run_ours(workdir, prepared)
