"""XLSX cells that are never formulas: openpyxl stores a text that begins with ``=`` as a
formula; a cell whose text looks like one (:func:`fieldapp.domain.cells.is_formula_like`) is
given the data type "s" (text), so Excel and LibreOffice show the text and never evaluate it.
Numbers, dates and other values are left as they are."""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell

from fieldapp.domain.cells import is_formula_like

STRING = "s"


def as_text(cell):
    """``cell`` stored as text when its value looks like a formula; returns the cell."""
    if is_formula_like(cell.value):
        cell.data_type = STRING
    return cell


def safe_row(sheet, row) -> list:
    """A row for a write-only ``sheet.append``: formula-like texts become text cells."""
    return [as_text(WriteOnlyCell(sheet, value=value)) if is_formula_like(value) else value
            for value in row]
