"""The demo district (示范区): a seeded generator of synthetic data, with no QGIS equivalent."""
from __future__ import annotations

import os
from typing import Optional

NAME = "demo_district"
DESCRIPTION = ("`linzhang:createdemoworkspace` (seed 2026): the whole demo district: responsibility areas, "
               "forest stands, people, a year of GPX patrol tracks, two 10 m red/NIR images, styles.")
BASELINE = "none, no QGIS equivalent: a generator of synthetic data."
baseline = None


def unavailable() -> Optional[str]:
    try:
        from linzhang_qgis.core.demo import generate_demo  # noqa: F401
    except ImportError as error:
        return f"the demo generator (linzhang_qgis.core.demo.generate_demo) is not there yet ({error})"
    return None


def prepare(workdir: str) -> dict:
    return {"seed": 2026}


def ours(workdir: str, prepared: dict) -> None:
    import processing

    processing.run("linzhang:createdemoworkspace", {"OUTPUT_FOLDER": os.path.join(workdir, "demo"),
                                                    "SEED": prepared["seed"], "ADD_TO_PROJECT": False})
