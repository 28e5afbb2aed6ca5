"""Reading an old log file into sheets of rows, as the cells are written.

XLSX through openpyxl: every sheet, with the value of a merged cell copied into every cell
it spans (a date written once beside five rows belongs to all five). CSV: the text is UTF-8
(with or without a byte-order mark) or, when it is not valid UTF-8, Windows-1252; the
delimiter (``;`` or ``,``) is sniffed and then confirmed by the header: the delimiter that
splits the header into more known column words wins.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fieldapp.i18n import _


class ImportFileError(ValueError):
    """A file that cannot be read at all; the message says why."""


@dataclass
class Sheet:
    name: str
    # (row number as the user sees it, 1-based, the cells of the row)
    rows: list[tuple[int, list]] = field(default_factory=list)


@dataclass
class SourceFile:
    path: Path
    kind: str  # "xlsx" or "csv"
    sheets: list[Sheet]
    encoding: str | None = None
    delimiter: str | None = None


def read_file(path: Path, header_score: Callable[[list], int] | None = None) -> SourceFile:
    """Read ``path`` by its suffix (.xlsx/.xlsm or .csv/.txt). ``header_score`` counts the
    known column words in a row; it confirms a CSV's delimiter."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(_("{path} was not found.").format(path=path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return read_csv(path, header_score)
    raise ImportFileError(_("{path}: only .xlsx and .csv files can be imported.").format(path=path))


def read_xlsx(path: Path) -> SourceFile:
    import zipfile

    from openpyxl import load_workbook

    try:
        # Not read-only: the merged-cell ranges are only known to a fully loaded sheet.
        workbook = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportFileError(_("{path} cannot be read as an Excel file: {error}").format(
            path=path, error=exc)) from exc
    sheets = []
    for worksheet in workbook.worksheets:
        grid = {}
        for row in worksheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    grid[(cell.row, cell.column)] = cell.value
        for merged in worksheet.merged_cells.ranges:
            value = grid.get((merged.min_row, merged.min_col))
            for row_number in range(merged.min_row, merged.max_row + 1):
                for column in range(merged.min_col, merged.max_col + 1):
                    if value is not None:
                        grid[(row_number, column)] = value
        width = max((c for _r, c in grid), default=0)
        sheet = Sheet(worksheet.title)
        for row_number in sorted({r for r, _c in grid}):
            cells = [grid.get((row_number, c)) for c in range(1, width + 1)]
            sheet.rows.append((row_number, [_clean(v) for v in cells]))
        sheets.append(sheet)
    workbook.close()
    return SourceFile(path, "xlsx", sheets)


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 (a BOM is dropped), else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _split(text: str, delimiter: str) -> list[list]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def read_csv(path: Path, header_score: Callable[[list], int] | None = None) -> SourceFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(_("{path} cannot be read: {error}").format(path=path, error=exc)) from exc
    text, encoding = decode(data)
    try:
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=";,").delimiter
    except csv.Error:
        delimiter = ";" if text.count(";") >= text.count(",") else ","
    if header_score is not None:
        def best(d: str) -> int:
            return max((header_score(row) for row in _split(text, d)[:10]), default=0)

        other = "," if delimiter == ";" else ";"
        if best(other) > best(delimiter):
            delimiter = other
    sheet = Sheet(path.stem)
    for number, row in enumerate(_split(text, delimiter), start=1):
        cells = [_clean(v) for v in row]
        if any(v is not None for v in cells):
            sheet.rows.append((number, cells))
    return SourceFile(path, "csv", [sheet], encoding=encoding, delimiter=delimiter)
