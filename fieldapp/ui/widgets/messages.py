"""Calm messages for the unexpected: what happened, that nothing was lost, what to try."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from fieldapp.i18n import _

log = logging.getLogger("fieldapp.ui")


def show_unexpected_error(parent: QWidget | None, exc: BaseException, trace: str = "") -> None:
    log.error("unexpected error: %s\n%s", exc, trace)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(_("Something went wrong"))
    box.setText(_("That did not work. What you saved earlier is safe."))
    box.setInformativeText(_("Try again. If it happens again, tell your team lead and "
                             "mention this message: {error}").format(error=exc))
    if trace:
        box.setDetailedText(trace)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.button(QMessageBox.StandardButton.Ok).setText(_("OK"))
    box.open()
