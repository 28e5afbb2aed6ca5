"""Shortcuts for ending a shift and a new meeting, the shortcut list in Hjälp (from the
window's own actions, Swedish and English), and the reminder of a running shift on quit
(issue 16, item 9)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox

from fieldapp.i18n import set_language
from fieldapp.ui.dialogs.end_shift import EndShiftDialog
from fieldapp.ui.dialogs.meeting_form import MeetingFormDialog
from fieldapp.ui.main_window import MainWindow
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import activate, press


def _start_shift(window, staff_ids) -> None:
    with window.ctx.services() as services:
        services.shifts.create(kind="faltpass", starts_at=window.ctx.clock() - dt.timedelta(hours=1),
                               staff_ids=staff_ids[:1])
    window.ctx.events.changed.emit("shift")
    assert window.running is not None


def test_ctrl_m_opens_a_new_meeting_and_ctrl_e_ends_the_running_shift(qtbot, window, staff_ids):
    press(qtbot, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    dialog = window.last_dialog
    assert isinstance(dialog, MeetingFormDialog) and dialog.isVisible()
    assert window.current_page_key() == "meetings" and dialog.meeting_id is None
    dialog.reject()
    activate(qtbot, window)
    press(qtbot, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert not isinstance(window.last_dialog, EndShiftDialog)  # no shift: nothing to end
    _start_shift(window, staff_ids)
    activate(qtbot, window)
    press(qtbot, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(window.last_dialog, EndShiftDialog) and window.last_dialog.isVisible()
    window.last_dialog.reject()


def _shortcut_table(window) -> dict[str, str]:
    dialog = window.show_shortcuts()
    table = dialog.table
    rows = {table.item(r, 1).text(): table.item(r, 2).text() for r in range(table.rowCount())}
    dialog.reject()
    return rows


def test_the_shortcut_list_shows_every_shortcut_of_the_window_in_both_languages(window):
    rows = _shortcut_table(window)
    assert rows["Avsluta pass"] == "Ctrl+E" and rows["Nytt möte"] == "Ctrl+M"
    assert rows["Ny iakttagelse"] == "Ctrl+N" and rows["Lås nu"] == "Ctrl+L"
    assert rows["Idag"] == "Ctrl+1" and rows["Kortkommandon"] == "F1"
    native = QKeySequence.SequenceFormat.NativeText  # as the list shows them ("Ctrl+Skift+S")
    shortcuts = sorted(a.shortcut().toString(native)
                       for a in window.findChildren(type(window.action_lock))
                       if not a.shortcut().isEmpty())
    assert sorted(rows.values()) == shortcuts  # every shortcut of the window, once
    try:
        set_language("en")
        window.retranslate_chrome()
        english = _shortcut_table(window)
        assert english["End shift"] == "Ctrl+E" and english["New meeting"] == "Ctrl+M"
        assert english["Keyboard shortcuts"] == "F1"
    finally:
        set_language("sv")
        window.retranslate_chrome()


def _answer_later(window, button_text: str | None, seen: list) -> None:
    """Click ``button_text`` (None: Escape) in the quit question once it is up; record what
    was up (nothing when the window closed without asking)."""
    def answer():
        box = getattr(window, "quit_reminder", None)
        if box is None and window.isVisible():
            QTimer.singleShot(0, answer)  # not asked yet (the keystroke comes first)
            return
        seen.append(box)
        if box is None:
            return
        if button_text is None:
            box.reject()
        else:
            next(b for b in box.buttons() if b.text() == button_text).click()
    QTimer.singleShot(0, answer)


def test_quitting_with_a_running_shift_asks_and_cancel_keeps_the_window(qtbot, window, staff_ids):
    _start_shift(window, staff_ids)
    seen: list = []
    _answer_later(window, None, seen)
    press(qtbot, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(seen[0], QMessageBox) and seen[0].objectName() == "quitReminder"
    assert "pågår fortfarande" in seen[0].text()
    assert window.isVisible() and window.running is not None

    _answer_later(window, "Avsluta passet…", seen)
    window.action_quit.trigger()
    assert window.isVisible() and isinstance(window.last_dialog, EndShiftDialog)
    window.last_dialog.reject()

    _answer_later(window, "Avsluta ändå", seen)
    window.action_quit.trigger()
    assert not window.isVisible()
    with window.ctx.services() as services:
        assert services.shifts.running() is not None  # still running for the next start


def test_quitting_without_a_shift_or_closing_from_code_asks_nothing(qtbot, ctx, qsettings,
                                                                   staff_ids):
    seen: list = []
    for running in (False, True):
        window = MainWindow(ctx, qsettings)
        qtbot.addWidget(window)
        window.show()
        if running:
            _start_shift(window, staff_ids)
            window.close()  # the app closing it (e.g. a damaged file): no question
        else:
            _answer_later(window, None, seen)  # would dismiss a question, so a wrong one fails
            window.action_quit.trigger()
            qtbot.waitUntil(lambda: len(seen) == 1)
        assert not window.isVisible()
    assert seen == [None]  # the one quit without a shift asked nothing
