"""Modal dialogs and questions that survive the lock.

``QDialog.exec()`` (and the static ``QMessageBox.question``) end their event loop as soon
as the dialog is hidden, so a lock in the middle would answer the question for the user.
:func:`run_modal` shows the dialog application-modal and waits in a loop of its own that
only the dialog's ``finished`` ends: the lock can hide the dialog and bring it back as it
was (see :mod:`fieldapp.ui.lock_controller`).
"""

from __future__ import annotations

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from fieldapp.i18n import _


def run_modal(dialog: QDialog) -> int:
    """Show ``dialog`` application-modal and wait until it is finished; its result."""
    loop = QEventLoop()
    dialog.finished.connect(loop.quit)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    loop.exec()
    return dialog.result()


def ask_yes_no(parent: QWidget | None, title: str, text: str, *, default_yes: bool = False,
               object_name: str = "question") -> bool:
    """A Yes/No question (translated buttons); True for Yes. Escape answers No."""
    box = QMessageBox(parent)
    box.setObjectName(object_name)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    yes = box.addButton(_("Yes"), QMessageBox.ButtonRole.YesRole)
    no = box.addButton(_("No"), QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(yes if default_yes else no)
    box.setEscapeButton(no)
    run_modal(box)
    answer = box.clickedButton() is yes
    box.deleteLater()
    return answer
