"""Collect every user-visible string into resources/i18n/linzhang_qgis_zh_CN.ts, keeping translations.

Why not pylupdate5: it files each ``tr()`` call under its enclosing class, while this plugin
translates through one context ("linzhang") from modules, algorithms and class attributes
(DISPLAY_NAME, GROUP, HELP, TAGS). ``tr_noop()`` marks a string translated later. Python sources are read with ``ast`` (implicit string
concatenation included); .ui forms under the form's class name, as ``uic`` translates them.
``--check`` exits 1 when a string is missing from the .ts or has no translation.
"""
from __future__ import annotations

import argparse
import ast
import glob
import os
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TS_PATH = os.path.join(ROOT, "resources", "i18n", "linzhang_qgis_zh_CN.ts")
CONTEXT = "linzhang"
TRANSLATED_ATTRIBUTES = {"DISPLAY_NAME", "GROUP", "HELP", "TAGS"}
SOURCE_GLOBS = ("linzhang_qgis/**/*.py", "processing_algorithms/**/*.py")


def _constant_string(node: ast.AST):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def python_strings(path: str) -> list[str]:
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("tr", "tr_noop"):
            if node.args and _constant_string(node.args[0]):
                found.append(node.args[0].value)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in TRANSLATED_ATTRIBUTES and _constant_string(node.value):
                found.append(node.value.value)
    return found


def ui_strings(path: str) -> tuple[str, list[str]]:
    root = ET.parse(path).getroot()
    context = root.findtext("class")
    texts = [s.text for s in root.iter("string") if s.text and s.get("notr") != "true"]
    return context, texts


def collect() -> dict[str, list[str]]:
    contexts: dict[str, list[str]] = {CONTEXT: []}
    for pattern in SOURCE_GLOBS:
        for path in sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True)):
            contexts[CONTEXT] += python_strings(path)
    for path in sorted(glob.glob(os.path.join(ROOT, "forms", "*.ui"))):
        context, texts = ui_strings(path)
        contexts.setdefault(context, []).extend(texts)
    return {name: list(dict.fromkeys(texts)) for name, texts in contexts.items()}


def read_ts(path: str) -> dict[tuple[str, str], str]:
    if not os.path.exists(path):
        return {}
    known = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is not None and translation.text and translation.get("type") != "unfinished":
                known[(name, message.findtext("source"))] = translation.text
    return known


def write_ts(path: str, contexts: dict[str, list[str]], known: dict[tuple[str, str], str]) -> list[tuple[str, str]]:
    root = ET.Element("TS", version="2.1", language="zh_CN", sourcelanguage="en")
    untranslated = []
    for name, texts in contexts.items():
        context = ET.SubElement(root, "context")
        ET.SubElement(context, "name").text = name
        for text in texts:
            message = ET.SubElement(context, "message")
            ET.SubElement(message, "source").text = text
            translation = ET.SubElement(message, "translation")
            if (name, text) in known:
                translation.text = known[(name, text)]
            else:
                translation.set("type", "unfinished")
                untranslated.append((name, text))
    ET.indent(root)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        handle.write(ET.tostring(root, encoding="unicode"))
        handle.write("\n")
    return untranslated


def missing_translations() -> list[tuple[str, str]]:
    known = read_ts(TS_PATH)
    return [(name, text) for name, texts in collect().items() for text in texts if (name, text) not in known]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report strings without a translation")
    args = parser.parse_args()
    if args.check:
        missing = missing_translations()
    else:
        missing = write_ts(TS_PATH, collect(), read_ts(TS_PATH))
    for name, text in missing:
        print(f"untranslated [{name}]: {text}")
    return 1 if (args.check and missing) else 0


if __name__ == "__main__":
    sys.exit(main())
