"""The spot review dock on 10,000 spots: filtering the table (see ``inspection_dock`` for the workspace)."""
from __future__ import annotations

import statistics
import time

from bench_cases.inspection_dock import NEEDS_GUI, SPOTS, open_panel, open_project, prepare, unavailable  # noqa: F401

NAME = "inspection_dock_filter"
DESCRIPTION = (f"Filter the review dock's table of {SPOTS:,} spots: the median of typing a village into the search "
               "box, choosing a status, choosing a round and clearing them again (each re-filters and repaints the "
               "table; the dock is open beforehand, not measured). Goal: under 300 ms.")
BASELINE = "None: QGIS's attribute table filters by expression through a dialog, not comparable step for step."
baseline = None


def ours(workdir: str, prepared: dict) -> float:
    from qgis.PyQt.QtWidgets import QApplication

    panel = open_panel(open_project(prepared))
    steps = (lambda: panel.searchEdit.setText("村007"),
             lambda: panel.statusFilter.setCurrentIndex(panel.statusFilter.findData("interpreted")),
             lambda: panel.roundFilter.setCurrentIndex(1),
             lambda: panel.missedOnly.setChecked(True),
             lambda: panel.searchEdit.clear(),
             lambda: panel.statusFilter.setCurrentIndex(0),
             lambda: panel.roundFilter.setCurrentIndex(0),
             lambda: panel.missedOnly.setChecked(False))
    seconds = []
    for step in steps:
        started = time.perf_counter()
        step()
        panel.spotTable.viewport().repaint()
        QApplication.processEvents()
        seconds.append(time.perf_counter() - started)
    assert panel.proxy.rowCount() == SPOTS
    return statistics.median(seconds)
