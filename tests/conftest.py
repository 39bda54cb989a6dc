"""Test session setup: one real headless QgsApplication, the plugin staged as it is installed.

The plugin folder is assembled (scripts/stage.py) into a private temporary directory, which is
put first on ``sys.path``: tests import ``linzhang_qgis`` exactly as QGIS does. QGIS uses a private
settings folder (QGIS_CUSTOM_CONFIG_PATH) so that tests never touch a user's profile.
"""
from __future__ import annotations

import os
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
SESSION_DIR = tempfile.mkdtemp(prefix="linzhang-tests-")
os.environ["QGIS_CUSTOM_CONFIG_PATH"] = os.path.join(SESSION_DIR, "qgis-config")
PLUGIN_PARENT = os.path.join(SESSION_DIR, "plugins")

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import stage  # noqa: E402

PLUGIN_DIR = stage.stage(PLUGIN_PARENT)
sys.path.insert(0, PLUGIN_PARENT)
sys.path.append("/usr/share/qgis/python/plugins")  # QGIS's own Processing plugin

from qgis.core import Qgis, QgsApplication  # noqa: E402

_QGIS_APP = None


def pytest_report_header(config):
    import numpy

    from osgeo import gdal

    return [f"QGIS {Qgis.QGIS_VERSION}, GDAL (QGIS) {gdal.__version__}, numpy {numpy.__version__}",
            f"plugin staged at {PLUGIN_DIR}"]


def pytest_configure(config):
    global _QGIS_APP
    if QgsApplication.instance() is None:
        QgsApplication.setPrefixPath("/usr", True)
        _QGIS_APP = QgsApplication([], False)
        _QGIS_APP.initQgis()


def pytest_unconfigure(config):
    """Empty QGIS's cache of coordinate transforms while PROJ is still there: at exit QGIS would tear the cache
    down after PROJ and crash now and then (exit 139 after every test passed)."""
    from qgis.core import QgsCoordinateTransform

    QgsCoordinateTransform.invalidateCache()


@pytest.fixture(scope="session")
def qgis_app():
    """The one real QgsApplication of the test session."""
    return QgsApplication.instance()


@pytest.fixture(scope="session")
def processing_framework(qgis_app):
    """QGIS's Processing framework with its native algorithms, initialised once."""
    from processing.core.Processing import Processing

    Processing.initialize()
    import processing as processing_module

    return processing_module


@pytest.fixture()
def processing(processing_framework):
    """Processing with the plugin's provider registered for one test, removed afterwards."""
    from linzhang_qgis.provider import LinzhangProvider

    registry = QgsApplication.processingRegistry()
    provider = LinzhangProvider()
    assert registry.addProvider(provider), "the linzhang provider was already registered"
    yield processing_framework
    registry.removeProvider(provider)


@pytest.fixture(scope="session")
def installed_config(tmp_path_factory):
    """A private QGIS settings folder with the plugin installed by ``make install QGIS_CONFIG_DIR=...``."""
    import subprocess

    config = tmp_path_factory.mktemp("qgis-config")
    done = subprocess.run(["make", "-s", "install", f"QGIS_CONFIG_DIR={config}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return str(config)


@pytest.fixture(scope="session")
def enabled_config(installed_config):
    """``installed_config`` with the plugin enabled by ``qgis_process.bin plugins enable``."""
    import subprocess

    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=installed_config, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(["/usr/bin/qgis_process.bin", "plugins", "enable", "linzhang_qgis"], env=env,
                          capture_output=True, text=True, timeout=120)
    # it exits 1 with "already enabled" on a second call
    assert done.returncode == 0 or "already enabled" in done.stdout + done.stderr, done.stdout + done.stderr
    return installed_config


@pytest.fixture(scope="session")
def plugin_dir():
    return PLUGIN_DIR


@pytest.fixture(scope="session")
def shared_data():
    """The small real datasets beside the project (../shared/data), copied into tests/data when used."""
    return os.path.join(ROOT, "tests", "data")


@pytest.fixture(scope="session")
def full_demo(tmp_path_factory, processing_framework):
    """The demo district with its patrols imported and its change spots detected into the workspace (the
    state ``make demo`` reaches), built once per session. Tests that write copy ``full_demo.gpkg_path`` first."""
    from linzhang_qgis.core.demo import generate_demo
    from linzhang_qgis.provider import LinzhangProvider

    demo = generate_demo(str(tmp_path_factory.mktemp("full_demo")))
    gpkg = demo.gpkg_path
    registry = QgsApplication.processingRegistry()
    provider = LinzhangProvider()
    assert registry.addProvider(provider)
    try:
        imported = processing_framework.run("linzhang:importtracks", {
            "INPUT": demo.tracks_dir, "AREAS": f"{gpkg}|layername=resp_areas", "WORKSPACE": gpkg,
            "OUTPUT": "TEMPORARY_OUTPUT"})
        detected = processing_framework.run("linzhang:detectforestloss", {
            "BEFORE": demo.before_path, "AFTER": demo.after_path, "CLOUD_MASK": demo.cloud_mask_path,
            "FOREST": f"{gpkg}|layername=forest_stands", "AREAS": f"{gpkg}|layername=resp_areas",
            "WORKSPACE": gpkg, "OUTPUT": "TEMPORARY_OUTPUT"})
    finally:
        registry.removeProvider(provider)
    assert imported["IMPORTED"] > 100 and detected["ADDED_TO_WORKSPACE"] >= 10
    return demo
