"""The weekly log as an Excel workbook (openpyxl): an overview sheet, then one sheet per
table with typed cells (dates as dates, numbers as numbers) and a frozen header row; Swedish
date and time formats and a printable page (:mod:`fieldapp.reports.sheet_format`)."""

from __future__ import annotations

import datetime as dt
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from fieldapp.i18n import _
from fieldapp.reports.cells import as_text
from fieldapp.reports.sheet_format import DATE_FORMAT, TIME_FORMAT, moment_format, setup_page
from fieldapp.reports.summary import WeekSummary
from fieldapp.reports.tables import DATE, DECIMAL, HOURS, INT, TIME, build_tables
from fieldapp.reports.texts import document_title, overview_lines

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_NUMBER_FORMATS = {DATE: DATE_FORMAT, TIME: TIME_FORMAT, HOURS: "0.0", INT: "0"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("-", title)[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _number_format(kind: str, value) -> str | None:
    if kind == DECIMAL:
        if isinstance(value, float):
            return "0.0#"
        return "0" if isinstance(value, int) else None
    if kind in (DATE, TIME):
        return moment_format(value, date_only=kind == DATE)
    return _NUMBER_FORMATS.get(kind) if value is not None else None


def render_xlsx(summary: WeekSummary, progress=None) -> bytes:
    workbook = Workbook()
    overview = workbook.active
    used: set[str] = set()
    overview.title = _sheet_title(_("Overview"), used)
    as_text(overview.cell(row=1, column=1, value=document_title(summary)))
    overview["A1"].font = Font(bold=True, size=14)
    for n, (label, value) in enumerate(overview_lines(summary), start=3):
        as_text(overview.cell(row=n, column=1, value=label)).font = Font(bold=True)
        cell = as_text(overview.cell(row=n, column=2, value=value))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if moment_format(value):
            cell.number_format = moment_format(value)
    overview.column_dimensions["A"].width = 24
    overview.column_dimensions["B"].width = 90
    setup_page(overview, header_rows=0)

    tables = build_tables(summary)
    for index, table in enumerate(tables):
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        for col, column in enumerate(table.columns, start=1):
            cell = as_text(sheet.cell(row=1, column=col, value=column.title))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            sheet.column_dimensions[get_column_letter(col)].width = column.width + 2
        for r, row in enumerate(table.rows, start=2):
            for col, (column, value) in enumerate(zip(table.columns, row), start=1):
                cell = as_text(sheet.cell(row=r, column=col, value=value))
                number_format = _number_format(column.kind, value)
                if number_format:
                    cell.number_format = number_format
        sheet.freeze_panes = "A2"
        setup_page(sheet)
        if table.rows:
            sheet.auto_filter.ref = (
                f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}")
        if progress:
            progress(index + 1, len(tables))
    workbook.properties.title = document_title(summary)
    workbook.properties.creator = "Fältlogg"
    workbook.properties.created = summary.generated_at.astimezone(dt.timezone.utc).replace(
        tzinfo=None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
