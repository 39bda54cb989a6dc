"""The spot review dock on 10,000 spots: moving to the next spot (see ``inspection_dock`` for the workspace)."""
from __future__ import annotations

import statistics
import time

from bench_cases.inspection_dock import NEEDS_GUI, SPOTS, open_panel, open_project, prepare, unavailable  # noqa: F401

NAME = "inspection_dock_next"
DESCRIPTION = (f"Move to the next spot still to be determined in the review dock ({SPOTS:,} spots), as the N key "
               "does: select it, fill the form and its history, zoom the map to it and render the map once; the "
               "median of 30 moves (the dock is open beforehand, not measured). Goal: under 200 ms.")
BASELINE = "None: QGIS has no next-unverified-feature step; in the attribute table it is a search by hand."
baseline = None


def ours(workdir: str, prepared: dict) -> float:
    from qgis.core import QgsMapRendererSequentialJob
    from qgis.PyQt.QtWidgets import QApplication

    iface = open_project(prepared)
    panel = open_panel(iface)
    canvas = iface.mapCanvas()
    seconds = []
    for _ in range(30):
        started = time.perf_counter()
        assert panel.step(1)
        QApplication.processEvents()
        job = QgsMapRendererSequentialJob(canvas.mapSettings())  # the map at the spot, drawn once, synchronously
        job.start()
        job.waitForFinished()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)
