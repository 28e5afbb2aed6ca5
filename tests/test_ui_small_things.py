"""The small things that add up (issue 16 item 8), tested as they were found."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from fieldapp.i18n import set_language
from fieldapp.ui.lock import LockPage
from layout_checks import clipped_labels, outside_window
from ui_helpers import *  # noqa: F403 - the fixtures


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("size", [(1366, 700), (800, 500)])
def test_the_lock_screen_shows_its_whole_text(qtbot, language, size):
    set_language(language)
    page = LockPage()
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    page.refuse()  # the error line too
    qtbot.wait(1)
    assert clipped_labels(page) == []
    assert outside_window(page) == []


def test_status_bar_and_idag_show_the_same_minute(qtbot, window, ctx, clock, staff_ids):
    dialog = window.start_shift()
    dialog.staff.set_checked(staff_ids)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    today = window.show_page("today")
    clock.advance(minutes=41, seconds=35)  # 19:41:35: the next tick is due at 19:42:00
    ticker = ctx.minute_clock
    ticker._arm()
    assert ticker.timer.remainingTime() <= 25_000
    ticker.timer.timeout.emit()  # the whole minute
    assert "(0 tim 41 min)" in window.shift_status.text()
    assert "(0 tim 41 min)" in today.shift_heading.text()
    assert window.status_timer is ticker.timer


def test_one_swedish_word_for_each_thing():
    """"Områden" beside "Stadsdelar", "Samverkan på plats" beside "Samverkansparter": one
    word for areas and one for the partners present, wherever they are named."""
    from fieldapp.i18n import catalog
    from fieldapp.ui.help_menu import plain

    swedish = catalog("sv")

    def words(*msgids):
        return {plain(swedish[msgid]).split(":")[0] for msgid in msgids}

    assert words("Areas", "A&reas", "Areas: {names}") == {"Stadsdelar"}
    assert words("Partners present", "&Partners present", "Partners present: {names}") == {
        "Samverkansparter på plats"}


def test_save_dialogs_remember_their_folder_per_purpose(qtbot, qsettings, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from fieldapp.ui.widgets.file_dialogs import ask_save_path, start_folder

    assert start_folder("report") != Path.cwd()  # Documents (or home), never the program's folder
    reports, logs = tmp_path / "reports", tmp_path / "logs"
    reports.mkdir()
    logs.mkdir()
    offered = []

    def the_user_picks(folder):  # the system's dialog: the user goes to ``folder`` and saves
        def dialog(_parent, _title, suggestion, _filter):
            offered.append(Path(suggestion))
            return str(folder / Path(suggestion).name), _filter
        return dialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", the_user_picks(reports))
    assert ask_save_path(None, "report", "t", "veckologg-2026-W48.pdf", "*.pdf") == (
        reports / "veckologg-2026-W48.pdf")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", the_user_picks(logs))
    ask_save_path(None, "log", "t", "faltlogg-logg.csv", "*.csv")
    ask_save_path(None, "report", "t", "veckologg-2026-W49.pdf", "*.pdf")
    assert offered[2] == reports / "veckologg-2026-W49.pdf"  # the report's folder, not the log's
    assert start_folder("log") == logs
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: ("", ""))
    assert start_folder("report") == logs  # the user saved that report in the logs' folder
    assert ask_save_path(None, "report", "t", "x.pdf", "*.pdf") is None  # cancelled
    assert start_folder("report") == logs  # a cancel changes nothing


def test_opening_a_file_without_a_viewer_says_where_it_is(qtbot, tmp_path):
    from fieldapp.ui.widgets.file_dialogs import open_saved_file

    path = tmp_path / "veckologg-2026-W48.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    box = open_saved_file(None, path)  # the offscreen platform has no program to open files
    assert box is not None and box.isVisible()
    assert "veckologg-2026-W48.pdf" in box.text() and str(tmp_path) in box.informativeText()
    box.close()


def test_category_keys_follow_the_language(qtbot, window, ctx):
    """In English "N" no longer picks Drug dealing (Narkotikaförsäljning's key): each key is
    a letter of the English name, unique, and the key shown is the key that picks it."""
    from fieldapp.domain.hotkeys import category_hotkeys

    with ctx.services() as services:
        categories = services.reference.categories()
    swedish = category_hotkeys(categories, "sv")
    english = category_hotkeys(categories, "en")
    assert swedish == [(c.hotkey or "").lower() or None for c in categories]
    given = [key for key in english if key]
    assert len(given) == len(set(given)) == len(categories)
    for category, key in zip(categories, english):
        assert key in category.name_en.lower()
    drug_dealing = next(c for c in categories if c.name_en == "Drug dealing")
    assert english[categories.index(drug_dealing)] == "d"

    set_language("en")
    window.retranslate()
    dialog = window.new_observation()
    picker = dialog.category
    for row, key in enumerate(english):
        assert picker.item(row).text().startswith(key.upper())
    qtbot.keyClick(picker, "d")
    assert picker.currentItem().text().endswith("Drug dealing")
    dialog.reject()


def test_a_first_window_fits_the_screen(qtbot, ctx, qsettings):
    from fieldapp.ui.main_window import MainWindow

    window = MainWindow(ctx, qsettings)
    qtbot.addWidget(window)
    screen = window.screen().availableGeometry()
    assert window.width() <= screen.width() and window.height() <= screen.height() - 40
    assert window.width() == min(1180, screen.width() - 40)
