"""Reading attribute values that arrive from QGIS, GeoPackages and pandas in any of their forms."""
from __future__ import annotations

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
