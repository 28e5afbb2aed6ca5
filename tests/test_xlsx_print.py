"""The workbooks as a team lead opens and prints them (issue 16, item 10): every date, time
and date-time cell carries a Swedish format (ÅÅÅÅ-MM-DD, TT:MM), and every sheet prints on
A4 landscape, one page wide, with the header row on each page. Read back with openpyxl; where
LibreOffice is installed, also opened by it headless (CSV: how the cells read; PDF: pages)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from fieldapp.demo import generate_demo
from fieldapp.domain.periods import Period
from fieldapp.domain.weeks import IsoWeek
from fieldapp.reports.period_files import render_xlsx as render_period_xlsx
from fieldapp.reports.period_summary import build_period_summary
from fieldapp.reports.summary import build_week_summary
from fieldapp.reports.xlsx import render_xlsx
from fieldapp.reports.year import export_year_xlsx
from fieldapp.store.database import open_database

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 11, 26, 12, 0, tzinfo=UTC)
CREATED = dt.datetime(2024, 11, 26, 13, 0, tzinfo=UTC)
WEEK = IsoWeek(2024, 47)
FORMATS = {dt.datetime: {"yyyy-mm-dd", "yyyy-mm-dd hh:mm"}, dt.time: {"hh:mm"}}
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
NO_OFFICE = "LibreOffice (soffice/libreoffice) is not installed on this machine"


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("xlsx") / "demo.sqlite")
    generate_demo(db, seed=7, weeks=4, now=NOW)
    yield db
    db.close()


@pytest.fixture(scope="module")
def week_xlsx(database) -> bytes:
    with database.session() as session:
        summary = build_week_summary(session, WEEK, "team", database.device_id(),
                                     generated_at=CREATED)
    return render_xlsx(summary)


def _check_workbook(workbook, header_rows=("1",)) -> int:
    """Every moment cell formatted, every sheet set up for print; the number of moment cells."""
    moments = 0
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), sheet.title  # A4
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        if sheet.max_row > 1 and sheet.freeze_panes == "A2":
            assert sheet.print_title_rows == "$1:$1", sheet.title
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, (dt.datetime, dt.time)):
                    moments += 1
                    assert cell.number_format in FORMATS[type(cell.value)], (
                        sheet.title, cell.coordinate, cell.number_format)
    return moments


def test_weekly_workbook_has_swedish_moments_and_a_printable_page(week_xlsx):
    workbook = load_workbook(io.BytesIO(week_xlsx))
    assert _check_workbook(workbook) > 20
    shifts = workbook["Pass"]
    assert [c.value for c in shifts[1]][:3] == ["Datum", "Start", "Slut"]
    assert shifts["A2"].number_format == "yyyy-mm-dd"
    assert isinstance(shifts["B2"].value, dt.time) and shifts["B2"].number_format == "hh:mm"
    assert workbook["Översikt"].print_title_rows is None  # no header row on the overview


def test_period_workbook_has_the_same_formats_and_page(database):
    with database.session() as session:
        summary = build_period_summary(session, Period.month(2024, 11), "team",
                                       database.device_id(), generated_at=CREATED)
    workbook = load_workbook(io.BytesIO(render_period_xlsx(summary)))
    _check_workbook(workbook)
    assert len(workbook.worksheets) > 2


def test_year_workbook_has_the_same_formats_and_page(database, tmp_path):
    with database.session() as session:
        counts = export_year_xlsx(session, 2024, tmp_path / "2024.xlsx")
    workbook = load_workbook(tmp_path / "2024.xlsx")
    assert _check_workbook(workbook) == counts.observations + 2 * counts.shifts - sum(
        1 for row in workbook["Pass"].iter_rows(min_row=2, max_col=2, values_only=True)
        if row[1] is None)
    assert workbook["Pass"]["A2"].number_format == "yyyy-mm-dd hh:mm"


# -- opened by LibreOffice -----------------------------------------------------------------------

def _convert(path, target: str, out_dir) -> bytes:
    """``path`` converted by LibreOffice headless (own profile, so a running office and
    parallel tests do not interfere); the converted file's bytes."""
    profile = out_dir / "profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(out_dir), str(path)],
                   check=True, capture_output=True, timeout=180)
    return (out_dir / f"{path.stem}.{target.split(':')[0]}").read_bytes()


@pytest.mark.skipif(SOFFICE is None, reason=NO_OFFICE)
def test_libreoffice_reads_times_as_hours_and_minutes(week_xlsx, tmp_path):
    workbook = load_workbook(io.BytesIO(week_xlsx))
    for name in workbook.sheetnames:  # the CSV filter writes the active sheet: make it "Pass"
        if name != "Pass":
            del workbook[name]
    path = tmp_path / "pass.xlsx"
    workbook.save(path)
    text = _convert(path, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Datum", "Start", "Slut"]
    for row in rows[1:]:
        assert len(row[0]) == 10 and row[0][4] == "-" and row[0][7] == "-", row  # 2024-11-18
        assert len(row[1]) == 5 and row[1][2] == ":", row  # 19:00, never 07:00:00 PM


@pytest.mark.skipif(SOFFICE is None, reason=NO_OFFICE)
def test_libreoffice_prints_fewer_pages_than_without_the_page_setup(week_xlsx, tmp_path):
    printed = tmp_path / "printed.xlsx"
    printed.write_bytes(week_xlsx)
    plain = load_workbook(io.BytesIO(week_xlsx))
    for sheet in plain.worksheets:  # what the writer did before: no page setup at all
        sheet.page_setup.orientation, sheet.page_setup.fitToWidth = "portrait", None
        sheet.page_setup.fitToHeight = None
        sheet.sheet_properties.pageSetUpPr.fitToPage = False
        sheet.print_title_rows = None
    before = tmp_path / "before.xlsx"
    plain.save(before)
    pages_after = len(PdfReader(io.BytesIO(_convert(printed, "pdf", tmp_path))).pages)
    pages_before = len(PdfReader(io.BytesIO(_convert(before, "pdf", tmp_path))).pages)
    assert pages_after < pages_before
    assert pages_after <= len(plain.worksheets) + 2  # about a page a sheet for the demo week
