"""Write docs/workspace.md from linzhang_qgis/core/schema.py, so the documentation is the code's.

``--check`` exits 1 when docs/workspace.md differs from what the schema gives (a test runs it).
"""
from __future__ import annotations

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from linzhang_qgis.core import schema  # noqa: E402

DOC = os.path.join(ROOT, "docs", "workspace.md")


def layer_section(layer: schema.LayerDef) -> list[str]:
    kind = layer.geometry or "table (no geometry)"
    lines = [f"## `{layer.name}`: {layer.title_zh} ({layer.title_en})", "", f"Geometry: {kind}.", "",
             "| field | type | 中文别名 | alias | code list |", "|---|---|---|---|---|"]
    for field in layer.fields:
        required = " (required)" if field.required else ""
        lines.append(f"| `{field.name}`{required} | {field.type} | {field.alias_zh} | {field.alias_en} | "
                     f"{field.codes or ''} |")
    return lines + [""]


def code_list_section(name: str, codes: dict) -> list[str]:
    lines = [f"### `{name}`", "", "| value | 中文 | English |", "|---|---|---|"]
    lines += [f"| `{value}` | {zh} | {en} |" for value, (zh, en) in codes.items()]
    return lines + [""]


def render() -> str:
    lines = ["# The one-map workspace (一张图工作空间)", "",
             "Generated from `linzhang_qgis/core/schema.py` by `scripts/schema_doc.py`; do not edit by hand.", "",
             f"One GeoPackage; schema version {schema.SCHEMA_VERSION} (table `{schema.META_TABLE}`: "
             "`schema_version`, `epsg`, `created_at`). Default CRS EPSG:"
             f"{schema.DEFAULT_EPSG} (CGCS2000 / 3-degree Gauss-Kruger CM 114E). Every layer has a default "
             "style in the GeoPackage's `layer_styles` table: Chinese aliases, value maps for coded fields, "
             "renderer and labels. Areas are in hectares and 亩 (1 ha = 15 亩).", "",
             "Default patrol rules (the district's plan): " + "; ".join(
                 f"level {level} ({schema.AREA_LEVELS[level][0]}) at least {count} per "
                 f"{schema.PATROL_PERIODS[period][1]}" for level, period, count in schema.DEFAULT_PATROL_RULES) + ".",
             ""]
    for layer in schema.WORKSPACE_LAYERS:
        lines += layer_section(layer)
    lines += ["## Code lists", ""]
    for name, codes in schema.CODE_LISTS.items():
        lines += code_list_section(name, codes)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    text = render()
    if parser.parse_args().check:
        current = open(DOC, encoding="utf-8").read() if os.path.exists(DOC) else ""
        if current != text:
            print("docs/workspace.md is out of date: run python3 scripts/schema_doc.py")
            return 1
        return 0
    with open(DOC, "w", encoding="utf-8") as handle:
        handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
