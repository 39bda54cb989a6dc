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

# Built from source against the GEOS, PROJ and GDAL that QGIS itself loads: their wheels bundle other
# copies, which clash with QGIS's inside the QGIS process (see requirements-lock.txt).
FROM_SOURCE = ("shapely", "pyproj", "rasterio", "pyogrio")

# import name -> what it is for (zh, en); numpy and scipy come with QGIS on Debian
PACKAGES: dict[str, tuple[str, str]] = {
    "shapely": ("几何运算", "geometry operations"),
    "pyproj": ("坐标转换", "coordinate transformation"),
    "rasterio": ("栅格读写", "raster reading and writing"),
    "geopandas": ("矢量数据表", "vector data frames"),
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


def install_commands(plugin_dir: str, target: str) -> list[list[str]]:
    """The pip commands that install the pinned packages into ``target``, to run in order.

    pyproj is built first and alone, under build-constraints.txt (Cython < 3.1); the second command
    reuses that build from pip's cache. Run both with ``install_environment``.
    """
    pip = [python_executable(), "-m", "pip", "install", "--disable-pip-version-check", "--no-deps", "--upgrade",
           "--use-feature=no-binary-enable-wheel-cache", "--no-binary", ",".join(FROM_SOURCE), "--target", target]
    pins = [line.strip() for line in open(lock_file(plugin_dir), encoding="utf-8") if line.strip()[:1].isalnum()]
    pyproj = [pin for pin in pins if pin.startswith("pyproj==")]
    return [pip + pyproj, pip + ["-r", lock_file(plugin_dir)]]


def install_environment(plugin_dir: str, base: dict, step: int) -> dict:
    """The environment of install step ``step``: the Cython pin reaches pip's build environment only by PIP_CONSTRAINT."""
    if step == 0:
        return dict(base, PIP_CONSTRAINT=os.path.join(plugin_dir, "build-constraints.txt"))
    return dict(base)


def describe(modules: Sequence[str], lang: str = "zh") -> str:
    """'shapely (几何运算), rasterio (栅格读写)': a list a technician can read."""
    index = 0 if lang == "zh" else 1
    return ", ".join(f"{name} ({PACKAGES.get(name, ('', ''))[index]})" for name in modules)
