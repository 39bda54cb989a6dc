"""The spot review dock on a workspace of 10,000 change spots: opening it (this case), filtering it
(``inspection_dock_filter``) and moving to the next spot (``inspection_dock_next``).

The workspace is made once: 10,000 spots of 0.1-2 ha scattered over 20 km x 20 km in EPSG:4547, in
12 towns and 120 villages, two detection rounds, statuses spread along the workflow. The dock runs
in a QGIS started with widgets (offscreen) beside a stand-in of QGIS's main window (tests/desktop_interface.py)
with the workspace open in the project, as an inspector has it.
"""
from __future__ import annotations

import os
import sys
import time

NAME = "inspection_dock"
NEEDS_GUI = True
SPOTS = 10_000
DESCRIPTION = (f"Open the spot review dock (图斑核查面板) on a workspace of {SPOTS:,} change spots: read them with "
               "their history counts, fill the table and the counts per status, select and show the first spot. "
               "Goal: under 1 s.")
BASELINE = ("QGIS's own attribute table of the same layer (`QgsDualView` in table mode with its feature cache, "
            "what Layer › Open Attribute Table builds): a list only, without the workflow, the counts or the form.")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def unavailable() -> str | None:
    try:
        from linzhang_qgis.core.inspection import store  # noqa: F401
        from linzhang_qgis.gui import inspection_dock  # noqa: F401
    except ImportError as error:
        return f"the review dock cannot be imported: {error}"
    return None


def make_workspace(path: str, n_spots: int = SPOTS, seed: int = 5):
    """A workspace with ``n_spots`` spots in various states (one transaction)."""
    import datetime as dt

    import numpy as np
    import shapely
    from pyproj import CRS

    from linzhang_qgis.core import schema
    from linzhang_qgis.core.change.spot_store import append_spots
    from linzhang_qgis.core.change.spots import SpotRecord
    from linzhang_qgis.core.workspace import create_workspace

    create_workspace(path, 4547)
    rng = np.random.default_rng(seed)
    statuses = list(schema.SPOT_STATUSES)
    x = 500_000 + rng.uniform(0, 20_000, n_spots)
    y = 2_800_000 + rng.uniform(0, 20_000, n_spots)
    side = np.sqrt(rng.uniform(1_000, 20_000, n_spots))
    records = []
    for i in range(n_spots):
        town, village = i % 12, i % 120
        area = float(side[i] ** 2)
        values = dict.fromkeys(schema.CHANGE_SPOTS.field_names)
        values.update(spot_no=f"3607{town:02d}{village:03d}-{i:05d}", town=f"镇{town:02d}", village=f"村{village:03d}",
                      area_code=f"3607{town:02d}{village:03d}", chief_name=f"林长{village:03d}",
                      before_date=dt.date(2025, 10, 20), after_date=dt.date(2026, 10, 18),
                      area_m2=area, area_mu=area * 15 / 10000, mean_dindex=0.4, max_dindex=0.6,
                      confidence=("low", "high", "highest")[i % 3], suspected_cause=1 + i % 4,
                      round_id=("20251018", "20261018")[i % 2], status=statuses[min(int(rng.exponential(1.5)), 7)],
                      patrol_missed=bool(i % 5 == 0))
        records.append(SpotRecord(shapely.box(x[i], y[i], x[i] + side[i], y[i] + side[i]), values))
    append_spots(path, records, CRS.from_epsg(4547).to_wkt())


def prepare(workdir: str) -> dict:
    path = os.path.join(workdir, "review.gpkg")
    make_workspace(path)
    return {"workspace": path}


def open_project(prepared: dict):
    """The stand-in main window with the workspace open in the project (not measured)."""
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from desktop_interface import DesktopInterface
    from qgis.core import QgsProject

    from linzhang_qgis.qgis_glue.styling import add_workspace_to_project

    iface = DesktopInterface()
    iface.mainWindow().resize(1400, 900)
    iface.mainWindow().show()
    project = QgsProject.instance()
    add_workspace_to_project(prepared["workspace"], project)
    # the stand-in has no layer-tree bridge: the canvas shows the workspace's visible layers, as QGIS would
    visible = [node.layer() for node in project.layerTreeRoot().findLayers() if node.isVisible() and node.layer()]
    iface.mapCanvas().setDestinationCrs(project.crs())
    iface.mapCanvas().setLayers(visible)
    return iface


def open_panel(iface):
    from qgis.PyQt.QtWidgets import QApplication

    from linzhang_qgis.gui.inspection_dock import InspectionDock

    dock = InspectionDock(iface, iface.mainWindow())
    iface.mainWindow().addDockWidget(dock_area(), dock)
    dock.show()
    QApplication.processEvents()
    return dock.panel


def dock_area():
    from qgis.PyQt.QtCore import Qt

    return Qt.DockWidgetArea.RightDockWidgetArea


def ours(workdir: str, prepared: dict) -> float:
    iface = open_project(prepared)
    started = time.perf_counter()
    panel = open_panel(iface)
    seconds = time.perf_counter() - started
    assert panel.model.rowCount() == SPOTS, panel.model.rowCount()
    return seconds


def baseline(workdir: str, prepared: dict) -> float:
    from qgis.core import QgsProject
    from qgis.gui import QgsAttributeEditorContext, QgsDualView
    from qgis.PyQt.QtWidgets import QApplication

    iface = open_project(prepared)
    layer = next(layer for layer in QgsProject.instance().mapLayers().values()
                 if layer.source().endswith("|layername=change_spots"))
    started = time.perf_counter()
    view = QgsDualView(iface.mainWindow())
    view.init(layer, iface.mapCanvas(), context=QgsAttributeEditorContext())
    view.setView(QgsDualView.ViewMode.AttributeTable)
    view.show()
    QApplication.processEvents()
    seconds = time.perf_counter() - started
    assert view.featureCount() == SPOTS, view.featureCount()
    return seconds
