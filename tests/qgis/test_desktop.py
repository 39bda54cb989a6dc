"""The plugin inside the real QGIS desktop application on a virtual screen (Xvfb).

QGIS starts with the installed plugin enabled and runs a script (QGIS's --code option) that reloads
the plugin ten times the way the Plugin Reloader does (qgis.utils.reloadPlugin), then counts what
the plugin added. Needs Debian's qgis and xvfb packages, which make test installs.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import textwrap
import time

import pytest

CODE = textwrap.dedent("""
    import json, os
    from qgis.core import QgsApplication
    from qgis.PyQt.QtCore import QTimer
    from qgis.PyQt.QtWidgets import QMenu, QToolBar
    from qgis.utils import iface, plugins, reloadPlugin

    def count():
        window = iface.mainWindow()
        menus = [m for m in window.findChildren(QMenu, "linzhang_menu") if m.menuAction() in window.menuBar().actions()]
        toolbars = [t for t in window.findChildren(QToolBar, "linzhang_toolbar")]
        providers = [p for p in QgsApplication.processingRegistry().providers() if p.id() == "linzhang"]
        return {"menus": len(menus), "toolbars": len(toolbars), "providers": len(providers),
                "menu_title": menus[0].title() if menus else None,
                "algorithms": len(providers[0].algorithms()) if providers else 0}

    def run():
        result = {"loaded": "linzhang_qgis" in plugins, "before": count()}
        for _ in range(10):
            reloadPlugin("linzhang_qgis")
        QgsApplication.processEvents()
        QTimer.singleShot(500, lambda: finish(result))

    def finish(result):
        result["after"] = count()
        with open(os.environ["LINZHANG_RESULT"], "w") as handle:
            json.dump(result, handle, ensure_ascii=False)
        os._exit(0)

    QTimer.singleShot(1000, run)
""")


@pytest.mark.skipif(shutil.which("qgis") is None or shutil.which("Xvfb") is None,
                    reason="the QGIS desktop application or Xvfb is not installed (make test installs both)")
def test_ten_reloads_in_the_desktop_application(enabled_config, tmp_path):
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=enabled_config, QT_QPA_PLATFORM="offscreen")
    display = f":{random.randint(150, 250)}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x900x24"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        script = tmp_path / "reload.py"
        script.write_text(CODE)
        result_path = tmp_path / "result.json"
        env.pop("QT_QPA_PLATFORM")
        env.update(DISPLAY=display, LINZHANG_RESULT=str(result_path))
        subprocess.run(["qgis", "--nologo", "--noversioncheck", "--lang", "zh-Hans", "--code", str(script)],
                       env=env, capture_output=True, timeout=180)
    finally:
        xvfb.terminate()
        xvfb.wait()
    assert result_path.exists(), "QGIS did not run the test script"
    result = json.loads(result_path.read_text())
    assert result["loaded"]
    expected = {"menus": 1, "toolbars": 1, "providers": 1, "menu_title": "林长制"}
    for key, value in expected.items():
        assert result["before"][key] == value, (key, result)
        assert result["after"][key] == value, (key, result)
    assert result["after"]["algorithms"] == result["before"]["algorithms"] >= 2
