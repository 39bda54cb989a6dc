"""Patrol coverage at district scale: 2,000,000 GPS fixes over 5,000 areas (ours only)."""
from __future__ import annotations

from bench_cases.patrol_coverage import run_ours, write_inputs

NAME = "patrol_coverage_large"
DESCRIPTION = ("`linzhang:patrolcoverage` (swath 100 m): 2,000,000 GPS fixes in 2,000 walking tracks × 5,000 "
               "responsibility areas (GeoPackage inputs, EPSG:4547); the generator of `patrol_coverage`.")
BASELINE = ("none run: the native chain of `patrol_coverage` (dissolved buffer then overlap analysis) is "
            "compared there, at 100,000 fixes.")
baseline = None


def prepare(workdir: str) -> dict:
    return write_inputs(workdir, 2_000_000, 2_000, 5_000, points=False)


def ours(workdir: str, prepared: dict) -> None:
    run_ours(workdir, prepared)
