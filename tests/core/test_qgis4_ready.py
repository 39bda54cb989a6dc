"""Code written for QGIS 3 and 4 alike: Qt only through qgis.PyQt, exec() not exec_(), no Qt in the core."""
from __future__ import annotations

import ast
import glob
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCES = sorted(glob.glob(os.path.join(ROOT, "linzhang_qgis", "**", "*.py"), recursive=True)
                 + glob.glob(os.path.join(ROOT, "processing_algorithms", "**", "*.py"), recursive=True)
                 + glob.glob(os.path.join(ROOT, "scripts", "*.py")))
CORE = [path for path in SOURCES if os.sep + "core" + os.sep in path]


def imported_modules(path: str) -> list[str]:
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: os.path.relpath(p, ROOT))
def test_no_direct_pyqt_and_no_exec_underscore(path):
    modules = imported_modules(path)
    assert not [m for m in modules if m.split(".")[0] in ("PyQt5", "PyQt6", "sip")], "import Qt via qgis.PyQt"
    source = open(path, encoding="utf-8").read()
    old_exec = ".exec" + "_("  # spelled in two parts so that this file does not match itself
    assert old_exec not in source, "exec_() is gone in Qt 6: use exec()"


@pytest.mark.parametrize("path", CORE, ids=lambda p: os.path.relpath(p, ROOT))
def test_core_is_pure(path):
    modules = imported_modules(path)
    assert not [m for m in modules if m.split(".")[0] in ("qgis", "PyQt5", "PyQt6", "processing")]


def test_the_check_finds_what_it_looks_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from PyQt5.QtCore import Qt\nimport qgis.core\n")
    assert "PyQt5.QtCore" in imported_modules(str(bad))
