"""Assemble the installable plugin folder ``build/linzhang_qgis`` from the repository.

The repository keeps the plugin's parts side by side so that the layout shows the architecture
(``linzhang_qgis/`` the Python package, ``processing_algorithms/``, ``forms/``, ``resources/``,
``metadata.txt``); QGIS wants them in one folder named after the plugin. Tests, ``make install``
and ``make package`` all use this staged folder, so what is tested is what is installed.
"""
from __future__ import annotations

import argparse
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARTS = ("processing_algorithms", "forms", "resources")
FILES = ("metadata.txt", "LICENSE", "requirements-lock.txt", "build-constraints.txt")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.ts", ".pytest_cache")


def stage(target_parent: str) -> str:
    target = os.path.join(target_parent, "linzhang_qgis")
    if os.path.exists(target):
        shutil.rmtree(target)
    shutil.copytree(os.path.join(ROOT, "linzhang_qgis"), target, ignore=IGNORE)
    for part in PARTS:
        shutil.copytree(os.path.join(ROOT, part), os.path.join(target, part), ignore=IGNORE)
    for name in FILES:
        if os.path.exists(os.path.join(ROOT, name)):
            shutil.copy2(os.path.join(ROOT, name), target)
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--into", default=os.path.join(ROOT, "build"))
    print(stage(parser.parse_args().into))
