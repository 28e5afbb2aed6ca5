"""The passphrase of the encrypted data file: chosen at first start (typed twice), asked for
when an encrypted file is opened, changed from the settings. All say honestly that there is
no back door."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from fieldapp.i18n import _
from fieldapp.store.encryption import check_new_passphrase, forgotten_passphrase_text
from fieldapp.ui.widgets.modal import run_modal
from fieldapp.ui.widgets.forms import FieldErrorLabel


def password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def compose(dialog: QDialog, heading: str, rows: list[tuple[str, QLineEdit]],
            accept_text: str) -> None:
    """Lay out a passphrase dialog: the heading, the fields, the error line, the honest
    word about the missing back door, and OK/Cancel. Focus goes to the first field."""
    top = QLabel(heading)
    top.setWordWrap(True)
    honest = QLabel(forgotten_passphrase_text())
    honest.setWordWrap(True)
    honest.setObjectName("hint")
    dialog.error = FieldErrorLabel()
    form = QFormLayout()
    for label, field in rows:
        form.addRow(label, field)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(accept_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
    buttons.accepted.connect(dialog.try_accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(top)
    layout.addLayout(form)
    layout.addWidget(dialog.error)
    layout.addWidget(honest)
    layout.addWidget(buttons)
    rows[0][1].setFocus()
    dialog.resize(480, dialog.sizeHint().height())


def refuse(dialog: QDialog, field: QLineEdit, message: str) -> None:
    """Say under the fields why the dialog cannot be accepted, and go back to ``field``.
    The dialog grows for the message, so the texts below it keep their lines."""
    dialog.error.set_messages([message])
    dialog.adjustSize()
    field.selectAll()
    field.setFocus()


class PassphraseDialog(QDialog):
    """``new=True``: choose a passphrase (twice); else enter it (``check`` verifies it)."""

    def __init__(self, path: Path | str, *, new: bool, intro: str = "",
                 check: Callable[[str], bool] | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        self.new = new
        self.check = check
        self.setWindowTitle(_("Choose a passphrase") if new else _("Fältlogg is encrypted"))
        text = intro or (_("The data file {path} is encrypted. Enter its passphrase.")
                         if not new else _("Fältlogg keeps its data in an encrypted file, "
                                           "{path}. Choose the passphrase that opens it."))
        self.first = password_field("passphrase")
        self.second = password_field("passphraseRepeat")
        rows = [(_("&Passphrase"), self.first)]
        if new:
            rows.append((_("&Repeat it"), self.second))
        else:
            self.second.hide()
        compose(self, text.format(path=path), rows, _("Encrypt") if new else _("Open"))

    def passphrase(self) -> str:
        return self.first.text()

    def try_accept(self) -> None:
        if self.new:
            problem = check_new_passphrase(self.first.text(), self.second.text())
            if problem:
                refuse(self, self.first, problem)
                return
        elif self.check is not None and not self.check(self.first.text()):
            refuse(self, self.first, _("Wrong passphrase. Try again; check Caps Lock and the "
                                       "keyboard layout."))
            return
        self.accept()


def ask_new_passphrase(path: Path | str, parent=None, intro: str = "") -> str | None:
    dialog = PassphraseDialog(path, new=True, intro=intro, parent=parent)
    # run_modal, not exec(): a lock hides the dialog and brings it back (widgets/modal.py)
    return dialog.passphrase() if run_modal(dialog) == QDialog.DialogCode.Accepted else None


def ask_passphrase(path: Path | str, check: Callable[[str], bool], parent=None) -> str | None:
    dialog = PassphraseDialog(path, new=False, check=check, parent=parent)
    return dialog.passphrase() if dialog.exec() == QDialog.DialogCode.Accepted else None


class ChangePassphraseDialog(QDialog):
    """The current passphrase, then the new one twice. Refuses a wrong current passphrase,
    a new one that is too short or typed differently, and a new one equal to the old."""

    def __init__(self, path: Path | str, check: Callable[[str], bool], parent=None):
        super().__init__(parent)
        self.setObjectName("changePassphraseDialog")
        self.check = check
        self.setWindowTitle(_("Change the passphrase"))
        self.current = password_field("currentPassphrase")
        self.first = password_field("passphrase")
        self.second = password_field("passphraseRepeat")
        compose(self, _(
            "Give the data file {path} and its backups a new passphrase. Every record is "
            "copied to files with the new key and checked; after that the old passphrase "
            "opens nothing.").format(path=path),
            [(_("&Current passphrase"), self.current), (_("&New passphrase"), self.first),
             (_("&Repeat it"), self.second)], _("Change passphrase"))

    def passphrases(self) -> tuple[str, str]:
        """(current, new)."""
        return self.current.text(), self.first.text()

    def try_accept(self) -> None:
        if not self.check(self.current.text()):
            refuse(self, self.current, _("The current passphrase is wrong. Try again; check "
                                         "Caps Lock and the keyboard layout."))
            return
        problem = check_new_passphrase(self.first.text(), self.second.text())
        if problem is None and self.first.text() == self.current.text():
            problem = _("The new passphrase is the same as the current one. Choose another.")
        if problem:
            refuse(self, self.first, problem)
            return
        self.accept()


def ask_passphrase_change(path: Path | str, check: Callable[[str], bool],
                          parent=None) -> tuple[str, str] | None:
    """(current, new) passphrases, or None when cancelled."""
    dialog = ChangePassphraseDialog(path, check, parent)
    return dialog.passphrases() if run_modal(dialog) == QDialog.DialogCode.Accepted else None
