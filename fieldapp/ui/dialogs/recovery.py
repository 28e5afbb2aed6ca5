"""The data file cannot be opened: say what happened, and offer to restore the latest backup.

Shown at start-up when ``open_database`` (or ``fieldapp.store.recovery.open_checked``) refuses
the file. "Restore the latest backup (<date>)" moves the file aside (never deletes it) and
copies the backup in (``fieldapp.store.recovery.restore_latest``); "Quit" leaves everything
as it is. The button is offered only when a usable backup exists and restoring could help
(a damaged, foreign or newer file; not a full disk or a wrong passphrase).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from fieldapp.i18n import _
from fieldapp.store.recovery import Restored, latest_backup, restore_latest, restore_may_help
from fieldapp.ui.widgets.forms import FieldErrorLabel

DATE_FORMAT = "%Y-%m-%d %H:%M"


class RecoveryDialog(QDialog):
    def __init__(self, db_path: Path, error: BaseException, parent=None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.error = error
        self.restored: Restored | None = None
        self.setObjectName("recoveryDialog")
        self.setWindowTitle(_("The data file cannot be opened"))
        self.backup = latest_backup(self.db_path) if restore_may_help(error) else None

        self.message = QLabel(str(error))
        self.message.setObjectName("recoveryMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self.backup is not None:
            advice = _("The latest backup was made {date}. Restoring it puts that copy in "
                       "place of the file; the file now there is kept beside it, renamed to "
                       "\u201c{name}.damaged-\u2026\u201d. What was saved after the backup is "
                       "not in it.").format(date=self.backup_date(), name=self.db_path.name)
        elif restore_may_help(error):
            advice = _("There is no backup of this file to restore. Ask your team lead for "
                       "help; do not delete the file.")
        else:
            advice = _("Fix the cause above and start Fältlogg again. Nothing was changed.")
        self.advice = QLabel(advice)
        self.advice.setObjectName("recoveryAdvice")
        self.advice.setWordWrap(True)
        self.failure = FieldErrorLabel()

        buttons = QDialogButtonBox()
        self.restore_button = None
        if self.backup is not None:
            self.restore_button = buttons.addButton(
                _("Restore the latest backup ({date})").format(date=self.backup_date()),
                QDialogButtonBox.ButtonRole.AcceptRole)
            self.restore_button.setObjectName("restoreButton")
            self.restore_button.clicked.connect(self.restore)
        self.quit_button = buttons.addButton(_("Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.setObjectName("quitButton")
        self.quit_button.clicked.connect(self.reject)
        (self.restore_button or self.quit_button).setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.advice)
        layout.addWidget(self.failure)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def backup_date(self) -> str:
        return self.backup.taken_at.strftime(DATE_FORMAT) if self.backup else ""

    def restore(self) -> None:
        try:
            self.restored = restore_latest(self.db_path)
        except OSError as exc:
            self.failure.set_messages([_(
                "The backup could not be restored ({error}); nothing was changed. Check "
                "that the disk has space and may be written to.").format(
                    error=exc.strerror or exc)])
            return
        self.accept()


def offer_recovery(db_path: Path, error: BaseException, parent=None) -> bool:
    """Show the dialog (blocking); True when a backup was restored and opening again may
    work, False when the user chose to quit."""
    dialog = RecoveryDialog(db_path, error, parent)
    dialog.exec()
    return dialog.restored is not None
