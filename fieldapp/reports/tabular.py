"""The one writer of the app's report workbooks and CSV files: a title, overview lines and
typed tables (:class:`fieldapp.reports.tables.Table`) in, bytes out. The weekly log, the
period report (and whatever report comes next) lay out their own tables and hand them here,
so every file has the same layout:

- XLSX: an overview sheet (the title, then label/value lines), then one sheet per table
  with a styled, frozen and filtered header row, typed cells (dates as dates, numbers as
  numbers) in Swedish formats and a printable page (:mod:`fieldapp.reports.sheet_format`);
- CSV: UTF-8 with BOM, semicolons, decimal comma (what Swedish Excel expects); the title
  line, the overview lines, then a section per table (title line, header line, rows,
  blank line).

Every cell is data, never a formula (:mod:`fieldapp.domain.cells`, :mod:`.cells`).
:func:`csv_value` (how one value is written as CSV text) and :func:`plain` (a value as
JSON-ready data) are the app's one version of each. Qt-free.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import uuid
from collections.abc import Callable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from fieldapp.domain.cells import csv_writer
from fieldapp.i18n import _
from fieldapp.reports.cells import as_text
from fieldapp.reports.sheet_format import moment_format, setup_page
from fieldapp.reports.tables import DATE, HOURS, Table

BOM = "\ufeff"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

Overview = Sequence[tuple[str, object]]
TableProgress = Callable[[int, int], None] | None


# -- values ---------------------------------------------------------------------------------------

def csv_value(value, kind: str = "") -> str:
    """``value`` as CSV text: numbers with a decimal comma (hours with one decimal, other
    decimals with up to two), dates ISO, times HH:MM, booleans 1/0, None empty. Not yet
    formula-safe: the CSV writer (:func:`fieldapp.domain.cells.csv_writer`) does that."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = f"{value:.1f}" if kind == HOURS else f"{value:.2f}"
        if text.endswith("0") and kind != HOURS:
            text = text[:-1]
        return text.replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def plain(value, digits: int | None = None):
    """``value`` as JSON-ready data: dataclasses and dicts as dicts (keys as text), lists
    and tuples as lists, dates, times and UUIDs as text, floats rounded to ``digits`` when
    given."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name), digits) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, digits) for v in value]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float) and digits is not None:
        return round(value, digits)
    return value


def number_format(kind: str, value) -> str | None:
    """The spreadsheet format of ``value`` in a column of ``kind`` (None: the default)."""
    if value is None or isinstance(value, bool):
        return None
    moment = moment_format(value, date_only=kind == DATE)
    if moment:
        return moment
    if isinstance(value, float):
        return "0.0" if kind == HOURS else "0.0#"
    if isinstance(value, int):
        return "0"
    return None


def sheet_title(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts (no ``[]:*?/\\``, at most 31 characters), unique in
    ``used`` (case-insensitively), which it joins."""
    base = _BAD_SHEET_CHARS.sub("-", title)[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


# -- CSV ------------------------------------------------------------------------------------------

def render_csv(title: str, overview: Overview, tables: Sequence[Table],
               progress: TableProgress = None) -> bytes:
    """One file: the title line, the overview lines, a blank line, then per table its title
    line, header line, rows and a blank line. ``progress(done, total)`` after each table."""
    out = io.StringIO()
    writer = csv_writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([title])
    for label, value in overview:
        writer.writerow([label, csv_value(value)])
    writer.writerow([])
    for index, table in enumerate(tables):
        writer.writerow([table.title])
        writer.writerow([c.title for c in table.columns])
        for row in table.rows:
            writer.writerow([csv_value(v, c.kind) for c, v in zip(table.columns, row)])
        writer.writerow([])
        if progress:
            progress(index + 1, len(tables))
    return (BOM + out.getvalue()).encode("utf-8")


# -- XLSX -----------------------------------------------------------------------------------------

def _overview_sheet(sheet, title: str, overview: Overview) -> None:
    as_text(sheet.cell(row=1, column=1, value=title)).font = Font(bold=True, size=14)
    for n, (label, value) in enumerate(overview, start=3):
        as_text(sheet.cell(row=n, column=1, value=label)).font = Font(bold=True)
        cell = as_text(sheet.cell(row=n, column=2, value=value))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if moment_format(value):
            cell.number_format = moment_format(value)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90
    setup_page(sheet, header_rows=0)


def _table_sheet(sheet, table: Table) -> None:
    for col, column in enumerate(table.columns, start=1):
        cell = as_text(sheet.cell(row=1, column=col, value=column.title))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col)].width = column.width + 2
    for r, row in enumerate(table.rows, start=2):
        for col, (column, value) in enumerate(zip(table.columns, row), start=1):
            cell = as_text(sheet.cell(row=r, column=col, value=value))
            fmt = number_format(column.kind, value)
            if fmt:
                cell.number_format = fmt
    sheet.freeze_panes = "A2"
    setup_page(sheet)
    if table.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"


def render_xlsx(title: str, overview: Overview, tables: Sequence[Table], created: dt.datetime,
                progress: TableProgress = None) -> bytes:
    """The workbook: an overview sheet, then one sheet per table; ``created`` (aware) goes
    into the file's properties. ``progress(done, total)`` after each table."""
    workbook = Workbook()
    used: set[str] = set()
    overview_sheet = workbook.active
    overview_sheet.title = sheet_title(_("Overview"), used)
    _overview_sheet(overview_sheet, title, overview)
    for index, table in enumerate(tables):
        _table_sheet(workbook.create_sheet(sheet_title(table.title, used)), table)
        if progress:
            progress(index + 1, len(tables))
    workbook.properties.title = title
    workbook.properties.creator = "Fältlogg"
    workbook.properties.created = created.astimezone(dt.timezone.utc).replace(tzinfo=None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["BOM", "HEADER_FILL", "HEADER_FONT", "csv_value", "number_format", "plain",
           "render_csv", "render_xlsx", "sheet_title"]
