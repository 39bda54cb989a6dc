"""Reading attribute values that arrive from QGIS, GeoPackages and pandas in any of their forms."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional


def is_blank(value: Any) -> bool:
    """None, NaN and NaT are blank; everything else (0, False, "") is a value."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):
        return False


def as_int(value: Any) -> Optional[int]:
    """3, 3.0, "3" and " 3 " are 3; blanks, booleans, fractions and text are None."""
    if is_blank(value) or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def as_date(value: Any) -> Optional[dt.date]:
    """A date from a date, a datetime, a pandas Timestamp or ISO text ("2025-10-20", "2025-10-20T08:00");
    None when blank or not a date."""
    if is_blank(value) or value == "":
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "toPyDate"):  # a QDate handed over by QGIS glue that did not convert it
        return value.toPyDate() if value.isValid() else None
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def normalise_code(value: Any) -> str:
    """An area code as trimmed text: 360702, 360702.0 and " 360702 " all give "360702"; blank gives ""."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return normalise_code(value.item())
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        text = text[:-2]
    return text


def as_text(value: Any) -> str:
    """Trimmed text; blanks (None, NaN) give ""."""
    return "" if is_blank(value) else str(value).strip()


def as_float(value: Any) -> Optional[float]:
    """A number from a number or numeric text; None when blank, empty or not a number."""
    if is_blank(value) or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
