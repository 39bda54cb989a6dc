"""The demo district (示范区): a seeded generator of synthetic data, with no QGIS equivalent."""
from __future__ import annotations

import os

NAME = "demo_district"
DESCRIPTION = ("`linzhang:createdemoworkspace` (seed 2026): the whole demo district: responsibility areas, "
               "forest stands, people, a year of GPX patrol tracks, two 10 m red/NIR images, styles.")
BASELINE = "none, no QGIS equivalent: a generator of synthetic data."
baseline = None


def prepare(workdir: str) -> dict:
    return {"seed": 2026}


def ours(workdir: str, prepared: dict) -> None:
    import processing

    processing.run("linzhang:createdemoworkspace", {"OUTPUT_FOLDER": os.path.join(workdir, "demo"),
                                                    "SEED": prepared["seed"], "ADD_TO_PROJECT": False})
