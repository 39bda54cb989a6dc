"""The acquisition date of an image: from its metadata, else from its file name."""
from __future__ import annotations

import datetime as dt
import os
import re
from typing import Mapping, Optional

ACQUISITION_TAGS = ("ACQUISITION_DATE", "ACQUISITIONDATE", "DATE_ACQUIRED", "SENSING_TIME", "SENSING_DATE",
                    "DATATAKE_1_DATATAKE_SENSING_START", "PRODUCT_START_TIME", "IMAGING_DATE", "DATE")
FILE_DATE_TAG = "TIFFTAG_DATETIME"  # often the processing date, so only the last resort
EIGHT_DIGITS = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
SIX_DIGITS = re.compile(r"(?<!\d)(\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")


def _valid(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def date_in_text(text: str) -> Optional[dt.date]:
    """The first date written as YYYYMMDD, YYYY-MM-DD, YYYY:MM:DD or YYYY_MM_DD in ``text``."""
    match = EIGHT_DIGITS.search(text.replace(":", "-"))
    return _valid(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def date_in_file_name(path: str) -> Optional[dt.date]:
    """A date in the file name: 8 digits (20200807, 2020-08-07) first, else 6 digits (YYMMDD, 180819)."""
    name = os.path.splitext(os.path.basename(path))[0]
    found = date_in_text(name)
    if found:
        return found
    match = SIX_DIGITS.search(name)
    return _valid(2000 + int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def acquisition_date(path: str, tags: Mapping[str, str]) -> tuple[Optional[dt.date], str]:
    """(date, where it came from): an acquisition tag, the file name, or the file's TIFF date."""
    upper = {key.upper(): str(value) for key, value in tags.items()}
    for key in ACQUISITION_TAGS:
        found = date_in_text(upper.get(key, ""))
        if found:
            return found, key
    found = date_in_file_name(path)
    if found:
        return found, "file name"
    found = date_in_text(upper.get(FILE_DATE_TAG, ""))
    return (found, FILE_DATE_TAG) if found else (None, "")
