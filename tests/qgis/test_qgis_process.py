"""The installed plugin, used the way a technician scripts it: make install, then qgis_process.bin."""
from __future__ import annotations

import json
import os
import subprocess

from linzhang_qgis.core import workspace

QGIS_PROCESS = "/usr/bin/qgis_process.bin"


def qgis_process(config: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=config, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([QGIS_PROCESS, *args], env=env, capture_output=True, text=True, timeout=300)


def test_install_puts_plugin_and_pinned_packages_in_the_profile(installed_config):
    profile = os.path.join(installed_config, "profiles", "default", "python")
    assert os.path.exists(os.path.join(profile, "plugins", "linzhang_qgis", "metadata.txt"))
    assert os.path.exists(os.path.join(profile, "plugins", "linzhang_qgis", "resources", "i18n",
                                       "linzhang_qgis_zh_CN.qm"))
    assert os.path.isdir(os.path.join(profile, "linzhang_qgis_deps", "shapely"))


def test_enable_then_list_shows_the_algorithms(enabled_config):
    listing = qgis_process(enabled_config, "list")
    assert "linzhang:createworkspace" in listing.stdout
    assert "linzhang:createdemoworkspace" in listing.stdout


def test_createworkspace_from_qgis_process(enabled_config, tmp_path):
    path = str(tmp_path / "ws.gpkg")
    done = qgis_process(enabled_config, "run", "linzhang:createworkspace", "--json", "--", f"OUTPUT={path}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout[done.stdout.index("{"):])["results"]["OUTPUT"] == path
    assert workspace.read_workspace_info(path).schema_version >= 1


def test_demo_algorithm_runs_inside_qgis_python_with_installed_packages(enabled_config, tmp_path):
    """qgis_process runs Debian's Python: the packages must come from the profile's folder, not the venv."""
    env_python_path = os.environ.get("PYTHONPATH", "")
    assert ".venv" not in env_python_path
    done = qgis_process(enabled_config, "run", "linzhang:createdemoworkspace", "--json", "--",
                        f"OUTPUT_FOLDER={tmp_path}", "ADD_TO_PROJECT=false")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(done.stdout[done.stdout.index("{"):])["results"]
    assert workspace.read_workspace_info(results["OUTPUT"]).epsg == 4547
    assert os.path.exists(results["BEFORE"]) and os.path.exists(results["AFTER"])


def test_detectforestloss_from_qgis_process_on_real_sentinel2(enabled_config, shared_data, tmp_path):
    """The real pair (UTM 32N) with the forest polygons in LV95, as a technician scripts it."""
    folder = os.path.join(shared_data, "s2_merenschwand")
    out = str(tmp_path / "spots.gpkg")
    done = qgis_process(enabled_config, "run", "linzhang:detectforestloss", "--json", "--",
                        f"BEFORE={folder}/S2_L2A_T32TMT_20200807_B04_B08.tif",
                        f"AFTER={folder}/S2_L2A_T32TMT_20210812_B04_B08.tif", f"FOREST={folder}/wa.shp",
                        "MIN_AREA=1000", f"OUTPUT={out}")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(done.stdout[done.stdout.index("{"):])["results"]
    assert results["SPOTS"] >= 3 and results["THRESHOLD_USED"] >= 0.15
    assert os.path.exists(out)


def test_detectforestloss_bad_band_from_qgis_process(enabled_config, shared_data, tmp_path):
    folder = os.path.join(shared_data, "s2_merenschwand")
    out = str(tmp_path / "spots.gpkg")
    done = qgis_process(enabled_config, "run", "linzhang:detectforestloss", "--",
                        f"BEFORE={folder}/S2_L2A_T32TMT_20200807_B04_B08.tif",
                        f"AFTER={folder}/S2_L2A_T32TMT_20210812_B04_B08.tif", "SWIR_BAND=5", f"OUTPUT={out}")
    assert done.returncode != 0
    assert "没有第 5 波段" in done.stdout + done.stderr and "band 5 does not exist" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr and not os.path.exists(out)
