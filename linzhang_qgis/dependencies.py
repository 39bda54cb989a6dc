"""Which optional Python packages the plugin needs, where they live, and how to install them.

QGIS runs Debian's /usr/bin/python3, not the project's venv. ``make install`` (or the plugin's own
"install" button) puts the pinned versions of requirements-lock.txt into a folder inside the QGIS
profile, which this module puts first on ``sys.path``. No Qt or QGIS imports here.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from typing import Iterable, Sequence

DEPENDENCIES_FOLDER = "linzhang_qgis_deps"

# import name -> what it is for (zh, en); numpy and scipy come with QGIS on Debian
PACKAGES: dict[str, tuple[str, str]] = {
    "shapely": ("几何运算", "geometry operations"),
    "pyproj": ("坐标转换", "coordinate transformation"),
    "rasterio": ("栅格读写", "raster reading and writing"),
    "geopandas": ("矢量数据表", "vector data frames"),
    "fiona": ("矢量读写", "vector reading and writing"),
    "gpxpy": ("GPX 轨迹", "GPX tracks"),
    "openpyxl": ("Excel 台账", "Excel ledgers"),
    "scipy": ("栅格滤波", "raster filtering"),
    "numpy": ("数组运算", "array computing"),
}


def dependencies_dir(profile_dir: str) -> str:
    """The folder inside a QGIS profile (e.g. ``.../profiles/default``) that holds the packages."""
    return os.path.join(profile_dir, "python", DEPENDENCIES_FOLDER)


def activate(folder: str) -> bool:
    """Put ``folder`` first on ``sys.path`` when it exists; True when it was added."""
    if not os.path.isdir(folder) or folder in sys.path:
        return False
    sys.path.insert(0, folder)
    importlib.invalidate_caches()
    return True


def is_available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_packages(modules: Iterable[str] = PACKAGES) -> list[str]:
    """The import names among ``modules`` that cannot be imported, in the order given."""
    return [name for name in modules if not is_available(name)]


def lock_file(plugin_dir: str) -> str:
    return os.path.join(plugin_dir, "requirements-lock.txt")


def python_executable() -> str:
    """The Python interpreter QGIS runs (inside QGIS ``sys.executable`` is the qgis binary)."""
    for candidate in (os.path.join(sys.exec_prefix, "bin", "python3"), "/usr/bin/python3"):
        if os.path.exists(candidate):
            return candidate
    return sys.executable


def install_command(plugin_dir: str, target: str) -> list[str]:
    """The pip command that installs the pinned packages into ``target``."""
    return [python_executable(), "-m", "pip", "install", "--disable-pip-version-check", "--no-deps",
            "--upgrade", "--target", target, "-r", lock_file(plugin_dir)]


def describe(modules: Sequence[str], lang: str = "zh") -> str:
    """'shapely (几何运算), rasterio (栅格读写)': a list a technician can read."""
    index = 0 if lang == "zh" else 1
    return ", ".join(f"{name} ({PACKAGES.get(name, ('', ''))[index]})" for name in modules)
