"""The period report as CSV (UTF-8 with BOM, semicolons, decimal comma), XLSX (an overview
sheet, one sheet per table, typed cells) and JSON (the PeriodSummary itself, for scripts).

Every cell is data, never a formula: the app's one rule for it (:mod:`fieldapp.domain.cells`,
:mod:`fieldapp.reports.cells`) writes a text a spreadsheet would read as one as plain text.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import uuid

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from fieldapp.domain.cells import csv_cell
from fieldapp.i18n import _
from fieldapp.reports.cells import as_text
from fieldapp.reports.csv_json import BOM, _csv_cell
from fieldapp.reports.period_data import PeriodSummary
from fieldapp.reports.period_tables import build_tables, document_title, key_figures, overview_lines
from fieldapp.reports.sheet_format import moment_format, setup_page
from fieldapp.reports.tables import HOURS, INT
from fieldapp.reports.xlsx import _sheet_title

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
def data_text(value):
    """A CSV cell that is data, never a formula (:func:`fieldapp.domain.cells.csv_cell`)."""
    return csv_cell(value)


def _cell(sheet, row: int, column: int, value):
    """An XLSX cell that is data, never a formula (:func:`fieldapp.reports.cells.as_text`)."""
    return as_text(sheet.cell(row=row, column=column, value=value))


def render_csv(summary: PeriodSummary, progress=None) -> bytes:
    """One file with a section per table: a title line, a header line, the rows, a blank
    line."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([data_text(document_title(summary))])
    for label, value in overview_lines(summary):
        writer.writerow([data_text(label), data_text(_csv_cell(value, ""))])
    writer.writerow([])
    tables = build_tables(summary)
    for index, table in enumerate(tables):
        writer.writerow([data_text(table.title)])
        writer.writerow([data_text(c.title) for c in table.columns])
        for row in table.rows:
            writer.writerow([data_text(_csv_cell(v, c.kind))
                             for c, v in zip(table.columns, row)])
        writer.writerow([])
        if progress:
            progress(index + 1, len(tables))
    return (BOM + out.getvalue()).encode("utf-8")


def render_xlsx(summary: PeriodSummary, progress=None) -> bytes:
    workbook = Workbook()
    overview = workbook.active
    used: set[str] = set()
    overview.title = _sheet_title(_("Overview"), used)
    _cell(overview, 1, 1, document_title(summary)).font = Font(bold=True, size=14)
    for n, (label, value) in enumerate(overview_lines(summary), start=3):
        _cell(overview, n, 1, label).font = Font(bold=True)
        cell = _cell(overview, n, 2, value)
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
            cell = _cell(sheet, 1, col, column.title)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            sheet.column_dimensions[get_column_letter(col)].width = column.width + 2
        for r, row in enumerate(table.rows, start=2):
            for col, (column, value) in enumerate(zip(table.columns, row), start=1):
                cell = _cell(sheet, r, col, value)
                if column.kind == HOURS and isinstance(value, float):
                    cell.number_format = "0.0"
                elif column.kind == INT and isinstance(value, int):
                    cell.number_format = "0"
                elif moment_format(value):
                    cell.number_format = moment_format(value)
        sheet.freeze_panes = "A2"
        setup_page(sheet)
        if progress:
            progress(index + 1, len(tables))
    workbook.properties.title = document_title(summary)
    workbook.properties.creator = "Fältlogg"
    workbook.properties.created = summary.generated_at.astimezone(dt.timezone.utc).replace(
        tzinfo=None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float):
        return round(value, 2)
    return value


def summary_to_dict(summary: PeriodSummary) -> dict:
    data = {f.name: _plain(getattr(summary, f.name)) for f in dataclasses.fields(summary)
            if f.name not in ("period", "year_before")}
    period, before = summary.period, summary.year_before
    data["period"] = {"id": str(period), "kind": period.kind.value, "label": period.label(),
                      "first": period.first.isoformat(), "last": period.last.isoformat()}
    data["year_before"] = {"id": str(before), "label": before.label(),
                           "first": before.first.isoformat(), "last": before.last.isoformat()}
    data["scope"] = summary.scope.value
    data["title"] = document_title(summary)
    data["key_figures"] = [{"key": k.key, "label": k.label, "value": k.value}
                           for k in key_figures(summary)]
    return data


def render_json(summary: PeriodSummary, progress=None) -> bytes:
    text = json.dumps(summary_to_dict(summary), ensure_ascii=False, indent=2)
    if progress:
        progress(1, 1)
    return (text + "\n").encode("utf-8")


__all__ = ["data_text", "render_csv", "render_json", "render_xlsx", "summary_to_dict"]
