"""Excel workbooks of the plugin (台账), written with openpyxl in one house style.

Each table has a bold title row, a header row filled light blue, thin borders, set column widths and
number formats; rows can be marked red (Excel's "bad" style). ``save_atomically`` writes the workbook
under a temporary name beside the target and moves it into place, so a failed run never leaves half a
workbook. Used by the patrol ledger (巡林台账) and the verification ledger (核查台账).
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from typing import Any, Optional, Sequence

from .values import is_blank

BAD_FILL = "FFC7CE"  # Excel's "bad" red
BAD_FONT = "9C0006"
HEADER_FILL = "DDEBF7"
TOTAL_FILL = "F2F2F2"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
PERCENT_FORMAT = "0.0%"


def plain(value: Any, keep_time: bool = False) -> Any:
    """Cell values openpyxl writes: numpy scalars → Python, missing → None, Timestamp → datetime.

    A datetime becomes its date unless ``keep_time``; a time zone is dropped (Excel has none), the wall
    clock is kept as stored.
    """
    if is_blank(value):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if keep_time else value.date()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def write_table(sheet, top: int, title: Optional[str], headers: Sequence[str], rows: Sequence[Sequence],
                bad_rows: Optional[Sequence[bool]] = None, date_columns: Sequence[int] = (),
                datetime_columns: Sequence[int] = (), percent_columns: Sequence[int] = (),
                number_formats: Optional[dict[int, str]] = None, total_rows: Sequence[bool] = ()) -> int:
    """Write a table at row ``top`` of ``sheet``: the title (merged over the table, when given), the
    headers and the rows. Columns are counted from 1. Returns the row number of the header."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    row = top
    if title:
        sheet.cell(row=row, column=1, value=title).font = Font(bold=True, size=14)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(len(headers), 1))
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="center")
        sheet.row_dimensions[row].height = 24
        row += 1
    header_row = row
    thin = Side(style="thin", color="A6A6A6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    bad_fill, bad_font = PatternFill("solid", fgColor=BAD_FILL), Font(color=BAD_FONT)
    total_fill, total_font = PatternFill("solid", fgColor=TOTAL_FILL), Font(bold=True)
    formats = dict(number_formats or {})
    for column in date_columns:
        formats[column] = DATE_FORMAT
    for column in datetime_columns:
        formats[column] = DATETIME_FORMAT
    for column in percent_columns:
        formats[column] = PERCENT_FORMAT
    for offset, values in enumerate(rows):
        bad = bool(bad_rows[offset]) if bad_rows is not None and offset < len(bad_rows) else False
        total = bool(total_rows[offset]) if offset < len(total_rows) else False
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=header_row + 1 + offset, column=column,
                              value=plain(value, keep_time=column in datetime_columns))
            cell.border = border
            if column in formats:
                cell.number_format = formats[column]
            if bad:
                cell.fill, cell.font = bad_fill, bad_font
            elif total:
                cell.fill, cell.font = total_fill, total_font
    return header_row


def set_widths(sheet, widths: Sequence[float]) -> None:
    from openpyxl.utils import get_column_letter

    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def add_sheet(workbook, name: str, title: str, headers: Sequence[str], rows: list[list], widths: Sequence[float],
              bad_rows: Optional[Sequence[bool]] = None, date_columns: Sequence[int] = (),
              percent_columns: Sequence[int] = (), datetime_columns: Sequence[int] = (),
              number_formats: Optional[dict[int, str]] = None):
    """A sheet holding one table: title in row 1, headers in row 2 (frozen, with an auto filter)."""
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(name)
    write_table(sheet, 1, title, headers, rows, bad_rows, date_columns, datetime_columns, percent_columns,
                number_formats)
    set_widths(sheet, widths)
    sheet.freeze_panes = "A3"
    if rows:
        sheet.auto_filter.ref = "A2:{}{}".format(get_column_letter(len(headers)), 2 + len(rows))
    return sheet


def save_atomically(workbook, path: str, prefix: str = ".ledger-") -> None:
    """Save ``workbook`` to ``path``: written beside it under a temporary name, then moved into place.
    Raises OSError when it cannot be written; nothing is left behind then."""
    folder = os.path.dirname(os.path.abspath(path))
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=".xlsx", dir=folder)
        os.close(handle)
        workbook.save(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes the file private
        os.replace(temporary, path)
    except BaseException:
        if temporary and os.path.exists(temporary):
            os.remove(temporary)
        raise
