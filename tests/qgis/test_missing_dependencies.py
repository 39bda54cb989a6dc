"""Without its optional packages the plugin still loads, says which are missing, and disables only what needs them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))

SCRIPT = textwrap.dedent("""
    import importlib.abc, json, os, sys
    HIDDEN = {"shapely", "rasterio", "geopandas", "gpxpy", "pyproj", "openpyxl"}

    class Hide(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] in HIDDEN:
                raise ModuleNotFoundError(name)
            return None

    sys.meta_path.insert(0, Hide())
    sys.path[:0] = [os.environ["PLUGIN_PARENT"], os.environ["TESTS_DIR"]]
    sys.path.append("/usr/share/qgis/python/plugins")
    from qgis.core import QgsApplication
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False); app.initQgis()
    from desktop_interface import DesktopInterface
    iface = DesktopInterface()
    import linzhang_qgis
    plugin = linzhang_qgis.classFactory(iface)
    plugin.initGui()
    registry = QgsApplication.processingRegistry()
    demo = registry.algorithmById("linzhang:createdemoworkspace")
    create = registry.algorithmById("linzhang:createworkspace")
    messages = [w.text() for w in iface.messageBar().items()]
    from linzhang_qgis import dependencies
    print(json.dumps({"missing": dependencies.missing_packages(), "demo": demo.canExecute(),
                      "create": create.canExecute(), "bar": len(iface.messageBar().items())}))
    plugin.unload()
    plugin = linzhang_qgis.classFactory(iface); plugin.initGui()
    print(json.dumps({"bar_after_reload": len(iface.messageBar().items())}))
    plugin.unload()
""")


def test_plugin_loads_and_disables_only_what_needs_missing_packages(plugin_dir, tmp_path):
    env = dict(os.environ, PLUGIN_PARENT=os.path.dirname(plugin_dir), TESTS_DIR=os.path.dirname(HERE),
               QGIS_CUSTOM_CONFIG_PATH=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    first, second = lines
    assert {"shapely", "rasterio", "gpxpy"} <= set(first["missing"])
    can_run, message = first["demo"]
    assert can_run is False and "shapely" in message
    assert first["create"][0] is True
    assert first["bar"] == 1  # told once ...
    assert second["bar_after_reload"] == 1  # ... and not again for the same missing packages
