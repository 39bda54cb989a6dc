"""The 森林督查 workflow rules: every legal step, every illegal jump, what each step needs, bilingual messages."""
from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from linzhang_qgis.core import schema
from linzhang_qgis.core.inspection.workflow import (
    STATUS_ORDER,
    WorkflowError,
    check_change,
    coerce_value,
    next_statuses,
)

HAN = re.compile(r"[\u4e00-\u9fff]")
DETERMINATION_OF = {"illegal": {"determination": "illegal"},
                    "legal": {"determination": "legal", "permit_no": "赣林审字〔2026〕12号"},
                    "false": {"determination": "false", "false_reason": "云或阴影"}}


def spot(status: str, **values) -> dict:
    base = {name: None for name in schema.CHANGE_SPOTS.field_names}
    base.update(spot_no="360702001-0001", status=status, inspector="李核查")
    base.update(values)
    return base


def legal_steps() -> list[tuple[str, str, str]]:
    """(from, to, determination) for every step the workflow allows."""
    steps = []
    for before, after in zip(STATUS_ORDER, STATUS_ORDER[1:]):
        if before == "determined":
            continue
        determination = None if STATUS_ORDER.index(after) <= STATUS_ORDER.index("determined") else "illegal"
        steps.append((before, after, determination))
    steps += [("determined", "case_filed", "illegal"), ("determined", "closed", "legal"),
              ("determined", "closed", "false")]
    return steps


LEGAL = legal_steps()
LEGAL_PAIRS = {(before, after, determination) for before, after, determination in LEGAL}
ILLEGAL = [(before, after, determination)
           for before, after in itertools.permutations(STATUS_ORDER, 2)
           for determination in (["illegal", "legal", "false"] if before == "determined" else
                                 ["illegal"] if STATUS_ORDER.index(before) > 3 else [None])
           if (before, after, determination) not in LEGAL_PAIRS]


def test_status_order_is_the_schemas_workflow():
    assert STATUS_ORDER == tuple(schema.SPOT_STATUSES)
    assert STATUS_ORDER[0] == "issued" and STATUS_ORDER[-1] == "closed"


def test_next_statuses():
    assert next_statuses("issued", None) == ("interpreted",)
    assert next_statuses("interpreted", None) == ("field_verified",)
    assert next_statuses("field_verified", None) == ("determined",)
    assert next_statuses("determined", "illegal") == ("case_filed",)
    assert next_statuses("determined", "legal") == ("closed",)
    assert next_statuses("determined", "false") == ("closed",)
    assert next_statuses("determined", None) == ()
    assert next_statuses("case_filed", "illegal") == ("rectifying",)
    assert next_statuses("rectifying", "illegal") == ("rechecked",)
    assert next_statuses("rechecked", "illegal") == ("closed",)
    for determination in (None, "legal", "illegal", "false"):
        assert next_statuses("closed", determination) == ()
    assert next_statuses("nonsense", None) == ()


@pytest.mark.parametrize("before,after,determination", LEGAL, ids=lambda v: str(v))
def test_every_legal_step_passes(before, after, determination):
    current = spot(before, **DETERMINATION_OF.get(determination, {}))
    changes = {"status": after}
    if after == "determined":  # the determination comes with the step
        current = spot(before)
        changes.update(DETERMINATION_OF["illegal"])
    check_change(current, changes)  # no error


@pytest.mark.parametrize("before,after,determination", ILLEGAL, ids=lambda v: str(v))
def test_every_illegal_jump_is_refused(before, after, determination):
    current = spot(before, **DETERMINATION_OF.get(determination, {}))
    changes = {"status": after}
    if after == "determined":
        changes.update(DETERMINATION_OF["illegal"])
    with pytest.raises(WorkflowError) as caught:
        check_change(current, changes)
    assert HAN.search(caught.value.message_zh) and "cannot move" in caught.value.message_en
    if STATUS_ORDER.index(after) < STATUS_ORDER.index(before):
        assert "undo" in caught.value.message_en and "撤销" in caught.value.message_zh


def test_illegal_jumps_cover_every_other_pair():
    assert len(ILLEGAL) > 60 and ("issued", "closed", None) in ILLEGAL
    assert ("interpreted", "issued", None) in ILLEGAL  # back
    assert ("determined", "case_filed", "legal") in ILLEGAL and ("determined", "closed", "illegal") in ILLEGAL


def test_a_status_change_needs_an_inspector():
    with pytest.raises(WorkflowError, match="inspector"):
        check_change(spot("issued", inspector=None), {"status": "interpreted"})
    with pytest.raises(WorkflowError, match="核查人"):
        check_change(spot("issued", inspector="  "), {"status": "interpreted"})
    check_change(spot("issued", inspector=None), {"status": "interpreted", "inspector": "王五"})
    # other fields without an inspector are fine
    check_change(spot("issued", inspector=None), {"notes": "云多，待复判", "photos": "a.jpg"})


def test_determined_needs_a_determination():
    with pytest.raises(WorkflowError, match="determination"):
        check_change(spot("field_verified"), {"status": "determined"})
    with pytest.raises(WorkflowError, match="not a determination"):
        check_change(spot("field_verified"), {"status": "determined", "determination": "maybe"})
    check_change(spot("field_verified"), {"status": "determined", "determination": "illegal"})


def test_false_detection_needs_a_reason_and_legal_needs_a_permit():
    with pytest.raises(WorkflowError, match="false detection") as caught:
        check_change(spot("field_verified"), {"status": "determined", "determination": "false"})
    assert "伪变化原因" in caught.value.message_zh
    check_change(spot("field_verified"), {"status": "determined", "determination": "false", "false_reason": "季节"})
    with pytest.raises(WorkflowError, match="permit"):
        check_change(spot("field_verified"), {"status": "determined", "determination": "legal", "permit_no": ""})
    check_change(spot("field_verified"), {"status": "determined", "determination": "legal", "permit_no": "林采证 88"})
    # clearing the reason of a determined false spot is refused too
    with pytest.raises(WorkflowError):
        check_change(spot("determined", determination="false", false_reason="季节"), {"false_reason": None})
    # closing a legal spot whose permit is stored passes
    check_change(spot("determined", determination="legal", permit_no="林采证 88"), {"status": "closed"})


def test_codes_are_checked():
    with pytest.raises(WorkflowError, match="verified-cause"):
        check_change(spot("field_verified"), {"verified_cause": 43})
    check_change(spot("field_verified"), {"verified_cause": 42})
    check_change(spot("field_verified"), {"verified_cause": "42"})  # a form's text is read as the code
    with pytest.raises(WorkflowError, match="not a status"):
        check_change(spot("issued"), {"status": "done"})
    with pytest.raises(WorkflowError, match="not a determination"):
        check_change(spot("issued"), {"determination": "unknown"})
    with pytest.raises(WorkflowError, match="no field"):
        check_change(spot("issued"), {"colour": "red"})
    with pytest.raises(WorkflowError, match="whole number"):
        check_change(spot("issued"), {"verified_cause": "forty-two"})


def test_the_spot_number_and_a_settled_determination_do_not_change():
    with pytest.raises(WorkflowError, match="spot number"):
        check_change(spot("issued"), {"spot_no": "other"})
    with pytest.raises(WorkflowError, match="undo first"):
        check_change(spot("case_filed", determination="illegal"),
                     {"determination": "legal", "permit_no": "x"})
    # the same value again is no change
    check_change(spot("case_filed", determination="illegal"), {"determination": "illegal", "status": "rectifying"})


def test_unchanged_values_are_no_change():
    current = spot("closed", determination="legal", permit_no="x")
    check_change(current, {"status": "closed", "determination": "legal"})
    check_change(current, {"notes": "销号后补充说明"})  # non-workflow fields of a closed spot are fine


def test_coerce_value():
    assert coerce_value("verify_date", "2026-03-01") == dt.date(2026, 3, 1)
    assert coerce_value("verify_date", dt.datetime(2026, 3, 1, 9, 30)) == dt.date(2026, 3, 1)
    assert coerce_value("patrol_missed", 1) is True and coerce_value("patrol_missed", "false") is False
    assert coerce_value("notes", "") is None and coerce_value("notes", float("nan")) is None
    assert coerce_value("area_m2", "12.5") == 12.5
    with pytest.raises(WorkflowError):
        coerce_value("verify_date", "yesterday")


def test_messages_are_chinese_then_english():
    with pytest.raises(WorkflowError) as caught:
        check_change(spot("issued"), {"status": "closed"})
    error = caught.value
    assert isinstance(error, ValueError)
    zh, en = str(error).split("\n")
    assert HAN.search(zh) and "下发" in zh and "销号" in zh
    assert not HAN.search(en) and en.startswith("Spot 360702001-0001 cannot move from issued")
