"""How every workbook the app writes looks in a spreadsheet program and on paper: Swedish
date and time formats (``ÅÅÅÅ-MM-DD``, ``TT:MM``; stored as the file format's codes
``yyyy-mm-dd``, ``hh:mm``) and a printable page (A4 landscape, one page wide, the header row
on every page). Used by the weekly, period and year workbooks alike. Qt-free."""

from __future__ import annotations

import datetime as dt

from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "hh:mm"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def moment_format(value, *, date_only: bool = False) -> str | None:
    """The number format for a date, time or date-time ``value`` (None for anything else).
    ``date_only``: a date-time that stands for a day (midnight) is shown as a date."""
    if isinstance(value, dt.datetime):
        return DATE_FORMAT if date_only else DATETIME_FORMAT
    if isinstance(value, dt.date):
        return DATE_FORMAT
    if isinstance(value, dt.time):
        return TIME_FORMAT
    return None


def setup_page(sheet, header_rows: int = 1) -> None:
    """A4 landscape, fit to one page wide (as many pages tall as needed), and the first
    ``header_rows`` rows repeated at the top of every printed page (none when 0). Works on
    normal and write-only sheets (before any row is written)."""
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows:
        sheet.print_title_rows = f"1:{header_rows}"


__all__ = ["DATETIME_FORMAT", "DATE_FORMAT", "TIME_FORMAT", "moment_format", "setup_page"]
