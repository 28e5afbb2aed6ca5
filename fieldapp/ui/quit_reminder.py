"""The question when the user quits while a shift is running: quit anyway (the shift stays
running and can be ended at the next start), end the shift first, or stay."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from fieldapp.i18n import _
from fieldapp.ui.models import text

QUIT, END_SHIFT, STAY = "quit", "end_shift", "stay"


def ask_about_running_shift(window, shift) -> str:
    """Ask (modal) and return QUIT, END_SHIFT or STAY (Escape)."""
    box = QMessageBox(QMessageBox.Icon.Question, _("A shift is running"), _(
        "The shift started {start} is still running.\n\nIf you quit now it stays running and "
        "you can end it when you start Fältlogg again.").format(start=text.moment(shift.starts_at)),
        QMessageBox.StandardButton.NoButton, window)
    box.setObjectName("quitReminder")
    quit_button = box.addButton(_("Quit anyway"), QMessageBox.ButtonRole.DestructiveRole)
    end_button = box.addButton(_("End the shift…"), QMessageBox.ButtonRole.AcceptRole)
    stay_button = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(end_button)
    box.setEscapeButton(stay_button)
    window.quit_reminder = box
    box.exec()
    window.quit_reminder = None
    clicked = box.clickedButton()
    if clicked is quit_button:
        return QUIT
    return END_SHIFT if clicked is end_button else STAY


def may_quit(window) -> bool:
    """True when ``window`` may close: no running shift (or the window is locked, and the
    question would show what the lock hides), or the user chose to quit anyway. Choosing to
    end the shift opens the end-shift dialog."""
    shift = window.running
    if shift is None or window.locked:
        return True
    answer = ask_about_running_shift(window, shift)
    if answer == END_SHIFT:
        window.end_shift()
    return answer == QUIT


__all__ = ["END_SHIFT", "QUIT", "STAY", "ask_about_running_shift", "may_quit"]
