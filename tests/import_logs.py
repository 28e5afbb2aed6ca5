"""Builds realistic old logs for the import tests: an Excel workbook the way teams keep
them (one sheet per month, a title row or two above the header, a date merged down the rows
of one evening, every date, time and count form, place-name variants, a summary sheet
without a header, a few rows that cannot be read) and a Windows-1252 CSV with ``;``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HEADER = ["Datum", "Tid", "Pass", "Plats", "Kategori", "Antal", "Ungdomar", "Samverkan",
          "Anteckning"]

# (Excel row, cells) of the May sheet; the header is on row 3.
MAY_ROWS = [
    (4, [dt.datetime(2023, 5, 12), "19-23", "Nattvandring", "Älvsjö C", "Ungdomssamling",
         "ca 15", 10, "Älvsjö AIK", "Lugnt vid pendeln"]),
    (5, [None, "19-23", "Nattvandring", "Liljeholmstorget/torget", "langning", "10-15", None,
         None, None]),
    (6, [None, "19-23", "Nattvandring", None, None, None, None, "LPO Skärholmen",
         "Passet gick bra"]),
    (7, ["2023-05-13", "19.00–23.30", "Fältpass", "trekantparken", "Klotter", None, None, None,
         None]),
    (8, ["fre 19/5", "22-02", "Nattvandring", "fruängen centrum", "fylla", "många", "4", None,
         None]),
    (9, ["20 maj 2023", "kl 22", None, "Älvsjö torg", "Skadegörelse", 3, None, None, None]),
    (10, ["25/5", "kl 9", "Utsättningsmöte", "Älvsjö centrum", None, None, None,
          "LPO Skärholmen", "Lägesbild inför helgen"]),
    (11, ["31/2", "19-23", "Nattvandring", "Älvsjö C", "Bråk", 2, None, None, None]),
    (12, ["26/5", None, "Nattvandring", "Älvsjö C", "Bråk", 2, None, None, None]),
    (13, ["27/5", "19-23", "Nattvandring", "Älvsjö C", "Bråk", "ett par", None, None, None]),
    (14, ["tor 26/5", "19-23", "Nattvandring", "Älvsjö C", "Bråk", 2, None, None, None]),
]

# The June sheet: one title row, the header on row 2, columns in another order.
JUNE_HEADER = ["Datum", "Plats", "Kategori", "Tid", "Pass", "Antal", "Ungdomar", "Samverkan"]
JUNE_ROWS = [
    (3, ["2/6", "Liljeholmstorget", "Ungdomssamling", "19-23", "Nattvandring", 20, 20,
         "Polisen"]),
    (4, ["2/6", "Liljeholmstorgt", "Narkotikaförsäljnig", "19-23", "Nattvandring", "2", None,
         None]),
]

CSV_TEXT = (
    "Datum;Tid;Plats;Kategori;Antal;Anteckning\r\n"
    "2023-09-01;20-23;Älvsjö centrum;Nedskräpning;;Skräp vid bänkarna\r\n"
    "2023-09-01;20-23;Västertorps centrum;Berusade personer/alkohol;ca 5;Två kände vi igen\r\n"
    "2023-09-02;20-23;Hägerstensåsens BP;Ungdomssamling;xx;\r\n"
)


def build_workbook(path: Path) -> Path:
    """The May and June 2023 sheets and a summary sheet; returns ``path``."""
    workbook = Workbook()
    may = workbook.active
    may.title = "Maj 2023"
    may["A1"] = "Fältassistenterna Hägersten-Älvsjö – logg maj 2023"
    may.merge_cells("A1:I1")
    may["A2"] = "Förd av teamet, alla kvällspass"
    for column, text in enumerate(HEADER, start=1):
        may.cell(row=3, column=column, value=text)
    for row, cells in MAY_ROWS:
        for column, value in enumerate(cells, start=1):
            if value is not None:
                may.cell(row=row, column=column, value=value)
    may.merge_cells("A4:A6")  # one evening's date, written once
    may["A4"].number_format = "yyyy-mm-dd"

    june = workbook.create_sheet("Juni 2023")
    june["A1"] = "Logg juni"
    for column, text in enumerate(JUNE_HEADER, start=1):
        june.cell(row=2, column=column, value=text)
    for row, cells in JUNE_ROWS:
        for column, value in enumerate(cells, start=1):
            if value is not None:
                june.cell(row=row, column=column, value=value)

    summary = workbook.create_sheet("Sammanställning")
    summary["A1"] = "Summa pass"
    summary["B1"] = 4
    workbook.save(path)
    return path


def build_csv(path: Path) -> Path:
    """The September 2023 CSV, Windows-1252 with ``;`` (as Excel on a Swedish PC saves it)."""
    path.write_bytes(CSV_TEXT.encode("cp1252"))
    return path
