"""Chinese first: under QGIS's Simplified Chinese locale the menu, provider and algorithms are Chinese."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HAN = re.compile(r"[\u4e00-\u9fff]")

SCRIPT = textwrap.dedent("""
    import json, os, sys
    sys.path[:0] = [os.environ["PLUGIN_PARENT"], os.environ["TESTS_DIR"]]
    sys.path.append("/usr/share/qgis/python/plugins")
    from qgis.core import QgsApplication, QgsSettings
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False); app.initQgis()
    settings = QgsSettings()
    settings.setValue("locale/userLocale", os.environ["QGIS_LOCALE"])
    settings.setValue("locale/overrideFlag", True)
    from desktop_interface import DesktopInterface
    from qgis.PyQt.QtWidgets import QMenu
    iface = DesktopInterface()
    import linzhang_qgis
    plugin = linzhang_qgis.classFactory(iface)
    plugin.initGui()
    menu = iface.mainWindow().findChild(QMenu, "linzhang_menu")
    provider = QgsApplication.processingRegistry().providerById("linzhang")
    algorithm = provider.algorithms()[0]
    print(json.dumps({
        "menu": menu.title(),
        "actions": [a.text() for a in menu.actions() if not a.isSeparator()],
        "provider": provider.name(),
        "algorithms": [a.displayName() for a in provider.algorithms()],
        "groups": [a.group() for a in provider.algorithms()],
        "help": [a.shortHelpString() for a in provider.algorithms()],
        "parameters": [p.description() for a in provider.algorithms() for p in a.parameterDefinitions()],
    }, ensure_ascii=False))
    plugin.unload()
""")


def run_plugin(plugin_dir: str, tmp_path, locale: str) -> dict:
    env = dict(os.environ, PLUGIN_PARENT=os.path.dirname(plugin_dir), TESTS_DIR=os.path.dirname(HERE),
               QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / locale), QT_QPA_PLATFORM="offscreen", QGIS_LOCALE=locale)
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_names_are_chinese_under_zh_hans(plugin_dir, tmp_path):
    shown = run_plugin(plugin_dir, tmp_path, "zh-Hans")
    assert shown["menu"] == "林长制"
    assert shown["provider"] == "林长制"
    for text in shown["actions"] + shown["algorithms"] + shown["groups"] + shown["help"] + shown["parameters"]:
        assert HAN.search(text), f"not translated: {text!r}"


def test_english_stays_english(plugin_dir, tmp_path):
    shown = run_plugin(plugin_dir, tmp_path, "en_US")
    assert shown["menu"] == "Forest Chief System"
    assert not HAN.search(shown["algorithms"][0])


def test_every_string_has_a_translation():
    done = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "update_translations.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
