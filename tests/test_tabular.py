"""The one workbook/CSV writer (fieldapp.reports.tabular): any report's title, overview
lines and tables in, a workbook and a CSV file out, parsed back; the weekly log and the
period report are written by it and so look the same."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

from openpyxl import load_workbook

from fieldapp.domain.periods import Period
from fieldapp.reports import tabular
from fieldapp.reports.tables import DATE, DECIMAL, HOURS, INT, TEXT, Column, Table

CREATED = dt.datetime(2026, 5, 4, 8, 30, tzinfo=dt.timezone.utc)
TABLES = [
    Table("places", "Platser: vecka [1]", (Column("Plats", TEXT, 30), Column("Dag", DATE),
                                           Column("Antal", INT), Column("Timmar", HOURS),
                                           Column("Andel", DECIMAL)),
          (("Älvsjö centrum", dt.date(2026, 4, 30), 12, 4.5, 0.25),
           ("=HYPERLINK(\"http://x\")", dt.date(2026, 5, 1), -3, 0.0, 1.0))),
    Table("empty", "Platser: vecka [1]", (Column("Plats"),), ()),
]
OVERVIEW = [("Period", "tertial 1 2026"), ("Första dag", dt.date(2026, 1, 1)),
            ("Skapad", dt.datetime(2026, 5, 4, 10, 30))]


def test_a_workbook_of_any_report_reads_back_typed_and_never_as_formulas():
    steps = []
    data = tabular.render_xlsx("Lägesbild v. 18", OVERVIEW, TABLES, CREATED,
                               lambda done, total: steps.append((done, total)))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Översikt", "Platser- vecka -1-", "Platser- vecka -1- (2)"]
    overview = book["Översikt"]
    assert overview["A1"].value == "Lägesbild v. 18" and overview["A1"].font.b
    assert overview["B4"].value == dt.datetime(2026, 1, 1)
    assert overview["B4"].number_format == "yyyy-mm-dd"
    sheet = book["Platser- vecka -1-"]
    assert [c.value for c in sheet[1]] == ["Plats", "Dag", "Antal", "Timmar", "Andel"]
    assert sheet["A1"].fill.fgColor.rgb.endswith("1F4E79") and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E3"
    assert (sheet["B2"].value, sheet["B2"].number_format) == (dt.datetime(2026, 4, 30),
                                                              "yyyy-mm-dd")
    assert (sheet["C3"].value, sheet["C3"].number_format) == (-3, "0")
    assert (sheet["D2"].value, sheet["D2"].number_format) == (4.5, "0.0")
    assert sheet["E2"].number_format == "0.0#"
    assert sheet["A3"].data_type == "s" and sheet["A3"].value.startswith("=HYPERLINK")
    assert book.properties.title == "Lägesbild v. 18"
    assert book.properties.created == dt.datetime(2026, 5, 4, 8, 30)
    assert steps == [(1, 2), (2, 2)]


def test_the_csv_of_any_report_is_swedish_excel_text_and_never_a_formula():
    data = tabular.render_csv("Lägesbild v. 18", OVERVIEW, TABLES)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[:5] == [["Lägesbild v. 18"], ["Period", "tertial 1 2026"],
                        ["Första dag", "2026-01-01"], ["Skapad", "2026-05-04 10:30"], []]
    assert rows[5:9] == [["Platser: vecka [1]"], ["Plats", "Dag", "Antal", "Timmar", "Andel"],
                         ["Älvsjö centrum", "2026-04-30", "12", "4,5", "0,25"],
                         ["'=HYPERLINK(\"http://x\")", "2026-05-01", "-3", "0,0", "1,0"]]


def test_plain_values_for_json():
    period = Period.tertial(2026, 1)
    assert tabular.plain({"a": (1.23456, uuid.UUID(int=1)), 2: [dt.time(19, 30)]}, 2) == {
        "a": [1.23, "00000000-0000-0000-0000-000000000001"], "2": ["19:30:00"]}
    assert tabular.plain(period)["first"] == "2026-01-01"
    assert tabular.plain(0.123456) == 0.123456
