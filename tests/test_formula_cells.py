"""Every CSV/XLSX cell the app writes that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is text, never a formula (fieldapp.domain.cells): the weekly CSV and XLSX, the
year XLSX, the redacted CSV, the audit-log CSV and the import's refused-rows CSV. A negative
number stays a number."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os

import pytest
from openpyxl import load_workbook

from fieldapp.domain.cells import csv_cell, is_formula_like
from fieldapp.reports.export import export_week
from fieldapp.reports.redacted import export_redacted
from fieldapp.reports.year import export_year_xlsx
from fieldapp.store.services import Services
from test_redacted import NOW, WEEK, _log_a_night_walk

EVIL = '=HYPERLINK("http://evil.example/?q=1","Klicka här")'
OTHERS = ("+SUM(1,2)", "-2+3", "@SUM(A1)", "\tTab-plats", "\rCR-plats")


@pytest.mark.parametrize("value,expected", [
    (EVIL, "'" + EVIL), ("+SUM(1,2)", "'+SUM(1,2)"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("-2+3", "'-2+3"), ("-5", "-5"), ("-2,5", "-2,5"), ("+3", "+3"),
    (-5, -5), (-2.5, -2.5), ("Älvsjö torg", "Älvsjö torg"), ("", ""), (None, None),
])
def test_csv_cell(value, expected):
    assert csv_cell(value) == expected


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row]


def _no_formula_cells(cells) -> None:
    for cell in cells:
        assert not is_formula_like(cell), repr(cell)


def _xlsx_cells(path) -> list:
    workbook = load_workbook(path)  # not read-only: data_type says "f" for a formula
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    workbook.close()
    return cells


def test_every_export_writes_formula_like_text_as_text(database, tmp_path):
    _log_a_night_walk(database, EVIL)
    with database.session() as session:
        services = Services(session, database.device_id(), clock=lambda: NOW)
        area = services.reference.areas()[0]
        for name in OTHERS:
            services.places.create(name=name, area_id=area.id)
    paths = {}
    for fmt in ("csv", "xlsx"):
        paths[fmt] = tmp_path / f"vecka.{fmt}"
        export_week(database, WEEK, "team", fmt, paths[fmt], created_at=NOW)
    paths["redacted"] = tmp_path / "utdrag.csv"
    export_redacted(database, WEEK, "team", "csv", paths["redacted"], "LPO Skärholmen",
                    created_at=NOW)
    paths["year"] = tmp_path / "ar.xlsx"
    with database.session() as session:
        export_year_xlsx(session, 2024, paths["year"])
        audit = Services(session, database.device_id())
        audit.audit.record("export", {"place": EVIL})
        paths["audit"] = audit.audit.export_csv(tmp_path / "logg.csv")

    for name in ("csv", "redacted", "audit"):
        cells = _csv_cells(paths[name].read_bytes())
        _no_formula_cells(cells)
    assert "'" + EVIL in _csv_cells(paths["csv"].read_bytes())
    assert "'" + EVIL + " (" in paths["redacted"].read_bytes().decode("utf-8-sig").replace('""', '"')
    for name in ("xlsx", "year"):
        cells = _xlsx_cells(paths[name])
        assert not [c.value for c in cells if c.data_type == "f"], name
        assert EVIL in [c.value for c in cells], name  # the text itself, stored as text
        numbers = [c.value for c in cells if isinstance(c.value, (int, float))]
        assert numbers, name  # counts are still numbers
    for path in paths.values():
        assert os.stat(path).st_mode & 0o077 == 0, path  # owner only


def test_the_refused_rows_csv_writes_formulas_as_text(tmp_path):
    from fieldapp.imports.apply import write_refused
    from fieldapp.imports.plan import Refused

    target = tmp_path / "refused.csv"
    refused = [Refused(sheet="Blad1", row=2, values={"Plats": EVIL, "Antal": "-3"},
                       reason="Okänd plats")]
    write_refused(target, ["Plats", "Antal"], refused)
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    assert rows[1][:2] == ["'" + EVIL, "-3"]
    assert os.stat(target).st_mode & 0o077 == 0


def test_a_negative_number_stays_a_number_in_xlsx(tmp_path):
    from openpyxl import Workbook

    from fieldapp.reports.cells import as_text, safe_row

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("x")
    sheet.append(safe_row(sheet, [-5, "-5", EVIL, "@x", dt.date(2024, 1, 1)]))
    path = tmp_path / "x.xlsx"
    workbook.save(path)
    cells = _xlsx_cells(path)
    assert [c.value for c in cells[:4]] == [-5, "-5", EVIL, "@x"]
    assert [c.data_type for c in cells[:4]] == ["n", "s", "s", "s"]
    assert as_text(cells[0]).data_type == "n"
