"""The declared workspace schema is consistent, and its documentation is current."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from linzhang_qgis.core import schema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_docs_workspace_md_is_generated_from_the_schema():
    done = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "schema_doc.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("layer", schema.WORKSPACE_LAYERS, ids=lambda layer: layer.name)
def test_field_names_are_ascii_and_aliases_chinese(layer):
    assert len(set(layer.field_names)) == len(layer.field_names)
    for field in layer.fields:
        assert field.name.isascii() and field.name == field.name.lower()
        assert any("\u4e00" <= char <= "\u9fff" for char in field.alias_zh), field.name
        assert field.alias_en


def test_responsibility_areas_have_the_fields_every_algorithm_uses():
    assert set(schema.RESP_AREAS.field_names) >= {
        "code", "name", "level", "parent_code", "chief_name", "chief_title", "chief_phone"}
    assert set(schema.AREA_LEVELS) == {1, 2, 3, 4}


def test_code_lists_follow_the_domain():
    assert list(schema.SPOT_STATUSES)[0] == "issued" and list(schema.SPOT_STATUSES)[-1] == "closed"
    assert [zh for zh, _ in schema.SPOT_STATUSES.values()] == [
        "下发", "判读审核", "现地核实", "认定", "立案", "整改", "复核", "销号"]
    assert set(schema.SUSPECTED_CAUSES) == set(range(1, 8))
    assert {10, 20, 42, 50, 71, 99} <= set(schema.VERIFIED_CAUSES) and len(schema.VERIFIED_CAUSES) == 20
    assert schema.code_label("suspected_cause", 1) == "采伐"
    assert schema.code_label("suspected_cause", 1, "en") == "logging"
    assert schema.code_label("suspected_cause", 42) == "42"


def test_default_patrol_rules_are_the_seeds():
    rules = {level: (period, count) for level, period, count in schema.DEFAULT_PATROL_RULES}
    assert rules[1] == ("quarter", 1)
    assert all(rules[level] == ("month", 1) for level in (2, 3, 4))


def test_bad_declarations_are_refused():
    with pytest.raises(ValueError):
        schema.FieldDef("x", "text", "甲", "a")
    with pytest.raises(ValueError):
        schema.FieldDef("x", "int", "甲", "a", codes="no_such_list")


def test_attribute_values_are_read_in_all_their_forms():
    from linzhang_qgis.core.values import as_int, is_blank

    assert is_blank(None) and is_blank(float("nan")) and not is_blank(0) and not is_blank("")
    assert [as_int(v) for v in (3, 3.0, "3", " 3 ", 3.5, True, None, "村")] == [3, 3, 3, 3, None, None, None, None]
