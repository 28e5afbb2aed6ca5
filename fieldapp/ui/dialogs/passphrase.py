"""The passphrase of the encrypted data file: chosen at first start (typed twice), asked for
when an encrypted file is opened. Both say honestly that there is no back door."""

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
from fieldapp.ui.widgets.forms import FieldErrorLabel


def password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


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
        heading = QLabel(text.format(path=path))
        heading.setWordWrap(True)
        honest = QLabel(forgotten_passphrase_text())
        honest.setWordWrap(True)
        honest.setObjectName("hint")
        self.first = password_field("passphrase")
        self.second = password_field("passphraseRepeat")
        self.error = FieldErrorLabel()
        form = QFormLayout()
        form.addRow(_("&Passphrase"), self.first)
        if new:
            form.addRow(_("&Repeat it"), self.second)
        else:
            self.second.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            _("Encrypt") if new else _("Open"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(honest)
        layout.addWidget(buttons)
        self.first.setFocus()
        self.resize(480, self.sizeHint().height())

    def passphrase(self) -> str:
        return self.first.text()

    def try_accept(self) -> None:
        if self.new:
            problem = check_new_passphrase(self.first.text(), self.second.text())
            if problem:
                self.error.set_messages([problem])
                return
        elif self.check is not None and not self.check(self.first.text()):
            self.error.set_messages([_("Wrong passphrase. Try again; check Caps Lock and the "
                                       "keyboard layout.")])
            self.first.selectAll()
            self.first.setFocus()
            return
        self.accept()


def ask_new_passphrase(path: Path | str, parent=None, intro: str = "") -> str | None:
    dialog = PassphraseDialog(path, new=True, intro=intro, parent=parent)
    return dialog.passphrase() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_passphrase(path: Path | str, check: Callable[[str], bool], parent=None) -> str | None:
    dialog = PassphraseDialog(path, new=False, check=check, parent=parent)
    return dialog.passphrase() if dialog.exec() == QDialog.DialogCode.Accepted else None
