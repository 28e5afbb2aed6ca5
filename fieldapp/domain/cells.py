"""Spreadsheet cells that are never formulas (CSV injection, "formula injection").

A text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel and LibreOffice when a CSV file is opened, and openpyxl writes such a text as
a formula into an XLSX file. A place named ``=HYPERLINK("http://…","klicka")`` would become a
live link in a report for the police. Every cell the app writes to a CSV or XLSX file goes
through :func:`csv_cell` (CSV) or :func:`is_formula_like` (XLSX: the cell is then stored as
text, :func:`fieldapp.reports.cells.text_cell`).

A number stays a number: an ``int``/``float`` is never changed, nor a text that is only a
number (``-3``, ``-2,5``, ``-0.5``), so a negative count or difference is still
summed by the spreadsheet. Any other text with such a first character gets a leading
apostrophe (``'=HYPERLINK(…)``), which both programs show as the text itself (OWASP's advice).
Qt-free, database-free.
"""

from __future__ import annotations

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?[0-9]+(?:[.,][0-9]+)?")


def is_formula_like(value: object) -> bool:
    """True for a text a spreadsheet would read as a formula (not for a plain number)."""
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and _NUMBER.fullmatch(value) is None)


def csv_cell(value: object) -> object:
    """``value`` as it may go into a CSV row: a formula-like text made text (``'`` first);
    everything else unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value


def csv_row(values) -> list:
    """A row of cells through :func:`csv_cell`."""
    return [csv_cell(value) for value in values]


class SafeCsvWriter:
    """A ``csv.writer`` whose every cell goes through :func:`csv_cell`."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row) -> None:
        self._writer.writerow(csv_row(row))

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **options) -> SafeCsvWriter:
    """The one way the app writes CSV: ``csv.writer(stream, **options)``, formula-safe."""
    return SafeCsvWriter(stream, **options)
