"""The import guide in the window (Arkiv → Importera gamla loggar…), driven like a user would:
a messy workbook written here with openpyxl goes through every page into a real SQLite
file; a place name the matcher is unsure of must be confirmed, one it does not know is added
as a new place; the second import of the same file adds nothing; a broken file says so.

Set FIELDAPP_IMPORT_SHOTS to a folder to keep a screenshot of every page (1366x768 screen)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from openpyxl import Workbook
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget, QWizard
from ui_helpers import *  # noqa: F403 - the fixtures
from ui_helpers import activate, query, save_dialog, type_text

from fieldapp.domain.ids import reference_id
from fieldapp.ui.dialogs.import_wizard import FOLDER_KEY, ImportWizard

HEADER = ["Datum", "Tid", "Pass", "Plats", "Kategori", "Antal", "Anteckning"]
SEPTEMBER = [
    [dt.datetime(2024, 9, 13), "19-23", "Nattvandring", "Västertorp", "Ungdomssamling", "10-15",
     "Lugnt vid bänkarna"],
    [None, "19-23", "Nattvandring", "Fruängsgården", "Bråk", "ca 6", None],
    [None, "19-23", "Nattvandring", "Älvsjö C", "Klotter", "många", None],
    ["31/2", "19-23", "Nattvandring", "Älvsjö C", "Bråk", 2, None],
]
MAY = [["12/5", "20-23", "Fältpass", "Älvsjö C", "Nedskräpning", 3, None]]


def write_log(path: Path) -> Path:
    """A September 2024 sheet under a title row with one evening's date merged down three
    rows, and a May 2023 sheet (past the retention limit on 22 November 2024)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Sep 2024"
    sheet["A1"] = "Fältassistenterna – logg september"
    sheet.merge_cells("A1:G1")
    for row, cells in enumerate([HEADER] + SEPTEMBER, start=2):
        for column, value in enumerate(cells, start=1):
            if value is not None:
                sheet.cell(row=row, column=column, value=value)
    sheet.merge_cells("A3:A5")
    may = book.create_sheet("Maj 2023")
    for row, cells in enumerate([HEADER] + MAY, start=1):
        for column, value in enumerate(cells, start=1):
            may.cell(row=row, column=column, value=value)
    book.save(path)
    return path


@pytest.fixture
def log_file(tmp_path) -> Path:
    return write_log(tmp_path / "logg.xlsx")


def shoot(wizard, name: str) -> None:
    """Nothing on the page is squeezed or reaches outside the guide; a screenshot when asked."""
    QApplication.processEvents()
    hint = wizard.minimumSizeHint()
    assert hint.width() <= wizard.width() and hint.height() <= wizard.height(), name
    for widget in wizard.currentPage().findChildren(QWidget):
        if widget.isVisible() and not widget.isWindow():
            corner = widget.mapTo(wizard, QPoint(0, 0))
            assert corner.x() + widget.width() <= wizard.width(), (name, widget)
            assert corner.y() + widget.height() <= wizard.height(), (name, widget)
    folder = os.environ.get("FIELDAPP_IMPORT_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        wizard.grab().save(str(Path(folder) / f"{name}.png"))


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def next_page(qtbot, wizard, expected: int) -> None:
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton)
          if wizard.currentId() != ImportWizard.PREVIEW
          else wizard.button(QWizard.WizardButton.CommitButton))
    qtbot.waitUntil(lambda: wizard.currentId() == expected, timeout=2000)


def open_guide(qtbot, window) -> ImportWizard:
    window.resize(1366, 768)
    window.action_import_logs.trigger()
    wizard = window.last_dialog
    assert isinstance(wizard, ImportWizard) and wizard.isVisible()
    # What a 1366x768 screen leaves for a dialog (the frame, the task bar): it must fit.
    assert wizard.width() <= 1366 and wizard.height() <= 700
    activate(qtbot, wizard)
    return wizard


def choose_file(qtbot, wizard, path: Path) -> None:
    page = wizard.currentPage()
    click(qtbot, page.browse)
    dialog = page.dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    dialog.selectFile(str(path))
    dialog.accept()
    qtbot.waitUntil(lambda: wizard.source is not None, timeout=2000)


def row_of(table, text: str) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, 1).text() == text)


def press_space_on(qtbot, widget) -> None:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(widget, Qt.Key.Key_Space)


def test_a_messy_log_through_the_guide_and_again(qtbot, window, log_file, db_path):
    wizard = open_guide(qtbot, window)
    shoot(wizard, "1-file")
    choose_file(qtbot, wizard, log_file)
    page = wizard.currentPage()
    assert [page.sheets.item(i).text() for i in range(page.sheets.count())] == ["Sep 2024",
                                                                                 "Maj 2023"]
    assert window.settings.value(FOLDER_KEY) == str(log_file.parent)
    shoot(wizard, "1-file-chosen")

    next_page(qtbot, wizard, ImportWizard.COLUMNS)
    columns = wizard.currentPage().table
    # "31/2" is no date: the date column's guess is uncertain, to be confirmed.
    assert columns.rowCount() == len(HEADER) and columns.unconfirmed() == [0]
    assert columns.combo(0).currentText() == "Datum"
    assert columns.item(0, 1).text() == "2024-09-13, 31/2, 12/5"  # examples to judge by
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    shoot(wizard, "2-columns")
    press_space_on(qtbot, columns.check(0))
    assert not columns.unconfirmed()

    next_page(qtbot, wizard, ImportWizard.NAMES)
    names_page = wizard.currentPage()
    names = names_page.table
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    vastertorp, fruangen = row_of(names, "Västertorp"), row_of(names, "Fruängsgården")
    assert set(names.unconfirmed()) == {vastertorp, fruangen}
    assert names.combo(vastertorp).currentText() == "Västertorps centrum"
    assert not next_button.isEnabled()  # the uncertain names must be confirmed first
    shoot(wizard, "3-names")

    press_space_on(qtbot, names.check(vastertorp))  # the suggestion is right: confirm it
    assert names.unconfirmed() == [fruangen] and not next_button.isEnabled()
    click(qtbot, names.cellWidget(fruangen, 5))  # "Ny plats…"
    form = names_page.place_dialog
    assert form.name.text() == "Fruängsgården"
    form.area.setFocus()
    type_text(form.area, "F")  # the area list jumps to Fruängen by keyboard
    assert form.area.currentText().startswith("Fru")
    save_dialog(qtbot, form)
    qtbot.waitUntil(lambda: not names.unconfirmed(), timeout=2000)
    assert names.combo(fruangen).currentText() == "Fruängsgården"
    assert next_button.isEnabled()

    next_page(qtbot, wizard, ImportWizard.RULES)
    rules = wizard.currentPage()
    assert "\"10-15\" → 10" in rules.answers.text() and "\"många\" → okänt" in rules.answers.text()
    upper = rules.rules.button(1)
    qtbot.mouseClick(upper, Qt.MouseButton.LeftButton, pos=QPoint(8, upper.height() // 2))
    assert rules.rule() == "upper"
    assert "\"10-15\" → 15" in rules.answers.text()
    shoot(wizard, "4-rules")

    next_page(qtbot, wizard, ImportWizard.PREVIEW)
    preview = wizard.currentPage()
    summary = preview.summary.text()
    assert "pass: 2" in summary and "iakttagelser: 4" in summary and "avvisade: 1" in summary
    assert (preview.refused.item(0, 0).text(), preview.refused.item(0, 1).text()) == ("Sep 2024", "6")
    assert "31/2" in preview.refused.item(0, 2).text()
    assert "gallringsgränsen" in preview.retention.text() and preview.accept_purge.isVisible()
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert not commit.isEnabled()  # asked: the May records will be purged
    press_space_on(qtbot, preview.accept_purge)
    assert commit.isEnabled()
    click(qtbot, preview.export)
    refused_csv = log_file.parent / "avvisade.csv"
    preview.dialog.selectFile(str(refused_csv))
    preview.dialog.accept()
    qtbot.waitUntil(lambda: refused_csv.exists(), timeout=2000)
    assert "31/2" in refused_csv.read_text(encoding="utf-8-sig")
    preview.profile.setFocus()
    type_text(preview.profile, "Team syd")
    shoot(wizard, "5-preview")

    next_page(qtbot, wizard, ImportWizard.RESULT)
    result = wizard.currentPage()
    qtbot.waitUntil(lambda: result.isComplete(), timeout=5000)
    assert "6 nya" in result.result.text() and "Team syd" in result.result.text()
    shoot(wizard, "6-result")

    place_ids = {name: pid for pid, name in query(db_path, "SELECT id, name FROM place")}
    observations = query(db_path, "SELECT place_id, people_count, details, details_shareable "
                                  "FROM observation ORDER BY observed_at, people_count")
    assert len(observations) == 4
    by_place = {row[0]: row for row in observations}
    vastertorp_id = reference_id("place", "vastertorps-centrum").hex
    assert by_place[vastertorp_id][1:] == (15, "Lugnt vid bänkarna", 0)  # upper rule, private
    assert by_place[place_ids["Fruängsgården"]][1] == 6
    assert query(db_path, "SELECT count(*) FROM shift") == [(2,)]
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=2000)

    # The same file again, with the saved profile: nothing new, nothing to confirm.
    again = open_guide(qtbot, window)
    source = again.currentPage()
    source.profile.setCurrentIndex(source.profile.findText("Team syd"))
    choose_file(qtbot, again, log_file)
    assert source.dialog.directory().absolutePath() == str(log_file.parent)  # remembered
    for expected in (ImportWizard.COLUMNS, ImportWizard.NAMES, ImportWizard.RULES,
                     ImportWizard.PREVIEW):
        next_page(qtbot, again, expected)
    assert again.currentPage().past_retention() == 2  # the May shift and its observation
    press_space_on(qtbot, again.currentPage().accept_purge)
    next_page(qtbot, again, ImportWizard.RESULT)
    qtbot.waitUntil(lambda: again.currentPage().isComplete(), timeout=5000)
    assert "Inget nytt lades till" in again.currentPage().result.text()
    assert query(db_path, "SELECT count(*) FROM observation") == [(4,)]


def test_a_broken_file_says_what_is_wrong(qtbot, window, tmp_path):
    broken = tmp_path / "trasig.xlsx"
    broken.write_bytes(b"this is not a workbook")
    wizard = open_guide(qtbot, window)
    page = wizard.currentPage()
    page.path.setFocus()
    type_text(page.path, str(broken))
    qtbot.keyClick(page.path, Qt.Key.Key_Tab)  # leaving the field reads the file
    qtbot.waitUntil(lambda: page.errors.isVisible(), timeout=2000)
    assert "trasig.xlsx" in page.errors.text() and "Excel" in page.errors.text()
    assert ".xls" in page.about.text()  # what to do about it
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    shoot(wizard, "1-file-broken")


def test_a_windows_1252_csv_with_a_column_to_confirm(qtbot, window, tmp_path, db_path):
    """The CSV as Excel on a Swedish PC saves it: "Antal" holds "xx" once, so its guess is a
    question; choosing the role in its drop-down by keyboard confirms it."""
    from import_logs import build_csv

    path = build_csv(tmp_path / "logg_2023.csv")
    wizard = open_guide(qtbot, window)
    choose_file(qtbot, wizard, path)
    assert "(Windows-1252, avgränsad med \";\")" in wizard.currentPage().about.text()
    next_page(qtbot, wizard, ImportWizard.COLUMNS)
    columns = wizard.currentPage().table
    antal = row_of_column(columns, "Antal")
    assert columns.unconfirmed() == [antal]
    combo = columns.combo(antal)
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # another role …
    qtbot.keyClick(combo, Qt.Key.Key_Up)  # … and back: chosen by a person, so confirmed
    assert combo.currentData() == "count" and not columns.unconfirmed()
    for expected in (ImportWizard.NAMES, ImportWizard.RULES, ImportWizard.PREVIEW):
        next_page(qtbot, wizard, expected)
    preview = wizard.currentPage()
    assert "pass: 1" in preview.summary.text() and "iakttagelser: 2" in preview.summary.text()
    assert "xx" in preview.refused.item(0, 2).text()
    if preview.accept_purge.isVisible():
        press_space_on(qtbot, preview.accept_purge)
    next_page(qtbot, wizard, ImportWizard.RESULT)
    qtbot.waitUntil(lambda: wizard.currentPage().isComplete(), timeout=5000)
    details = {row[0] for row in query(db_path, "SELECT details FROM observation")}
    assert details == {"Skräp vid bänkarna", "Två kände vi igen"}


def row_of_column(table, header: str) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, 0).text() == header)
