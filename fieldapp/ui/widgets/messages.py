"""Calm messages for the unexpected: what happened, that nothing was lost, what to try.

A save that ran into the disk (full, read-only, a disk error, a damaged file) says so in
words (``fieldapp.store.recovery.storage_problem``); anything else says where the log file
is (``fieldapp.logs``), so the team lead can look at what happened.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from fieldapp.i18n import _
from fieldapp.logs import log_file
from fieldapp.store.recovery import storage_problem

log = logging.getLogger("fieldapp.ui")


def show_unexpected_error(parent: QWidget | None, exc: BaseException, trace: str = "") -> QMessageBox:
    """Show ``exc`` in a window-modal box (not blocking) and return the box."""
    log.error("unexpected error: %s\n%s", exc, trace)
    box = QMessageBox(parent)
    box.setObjectName("unexpectedError")
    box.setIcon(QMessageBox.Icon.Warning)
    problem = storage_problem(exc)
    if problem is not None:
        box.setWindowTitle(_("Nothing was saved"))
        box.setText(problem)
    else:
        box.setWindowTitle(_("Something went wrong"))
        box.setText(_("That did not work. What you saved earlier is safe."))
        informative = _("Try again. If it happens again, tell your team lead and "
                        "mention this message: {error}").format(error=exc)
        path = log_file()
        if path is not None:
            informative += "\n\n" + _("The details are in the log file {path}").format(path=path)
        box.setInformativeText(informative)
    if trace:
        box.setDetailedText(trace)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.button(QMessageBox.StandardButton.Ok).setText(_("OK"))
    if parent is None:
        # Nothing else holds a box without a parent (an error while no window is active):
        # keep it until it is closed, or it would vanish before it is seen.
        _unparented.add(box)
        box.finished.connect(lambda _result: _unparented.discard(box))
    box.open()
    return box


_unparented: set[QMessageBox] = set()
