"""Encrypting the data file and changing its passphrase, from the window.

Both swap the file under the open window: the running jobs finish, the database is closed,
:mod:`fieldapp.store.encryption` writes and checks the new file, and the context gets a
database opened on it (or, after a failure, on the file as it is). Every page keeps working
through the same context. Each change is written to the audit log.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from fieldapp.i18n import _
from fieldapp.store import encryption
from fieldapp.store.database import open_database
from fieldapp.ui.context import AppContext
from fieldapp.ui.widgets.messages import show_unexpected_error


def encrypt_data_file(parent: QWidget, ctx: AppContext) -> bool:
    """Convert the plain data file to an encrypted one (asks for a new passphrase)."""
    from fieldapp.ui.dialogs.passphrase import ask_new_passphrase

    if ctx.database.encrypted:
        return True
    path = ctx.database.path
    passphrase = ask_new_passphrase(path, parent, _(
        "Encrypt the data file {path}: choose the passphrase that will open it. Every "
        "record is copied to an encrypted file and checked, then the unencrypted file is "
        "overwritten and removed."))
    if passphrase is None:
        return False
    ctx.tasks.wait()
    ctx.database.close()
    try:
        with _busy():
            database = open_database(path, passphrase, convert_plain=True)
    except Exception as exc:  # noqa: BLE001 - the plain file is still there: reopen it
        ctx.database = open_database(path)
        show_unexpected_error(parent, exc)
        return False
    ctx.database = database
    if database.conversion is not None:
        with ctx.services() as services:
            services.audit.record("encryption", {
                "rows": sum(database.conversion.rows.values()),
                "backups": len(database.conversion.backups)})
    QMessageBox.information(parent, _("The data file is encrypted"),
                            _("Every record was copied and checked.") + "\n\n"
                            + encryption.ssd_notice())
    return True


def change_passphrase(parent: QWidget, ctx: AppContext) -> bool:
    """Give the encrypted data file and its backups a new passphrase (asks for the
    current one and the new one twice)."""
    from fieldapp.ui.dialogs.passphrase import ask_passphrase_change

    if not ctx.database.encrypted:
        return False
    path = ctx.database.path
    answer = ask_passphrase_change(path, lambda text: encryption.verify_passphrase(path, text),
                                   parent)
    if answer is None:
        return False
    current, new = answer
    ctx.tasks.wait()
    ctx.database.close()
    try:
        with _busy():
            result = encryption.change_passphrase(path, current, new)
    except Exception as exc:  # noqa: BLE001 - open the file with the key it now has
        reopen_with = new if encryption.verify_passphrase(path, new) else current
        ctx.database = open_database(path, reopen_with)
        show_unexpected_error(parent, exc)
        return False
    ctx.database = open_database(path, new)
    with ctx.services() as services:
        services.audit.record("passphrase", {"rows": sum(result.rows.values()),
                                             "backups": len(result.backups)})
    text = _("Every record was copied and checked; the old passphrase opens nothing any "
             "more, backups included.")
    if encryption.passphrase_from_env() is not None:
        text += "\n\n" + _("{name} is set on this computer and still holds the old "
                           "passphrase: change it too, or Fältlogg will not open next "
                           "time.").format(name=encryption.PASSPHRASE_ENV)
    QMessageBox.information(parent, _("The passphrase was changed"), text)
    return True


@contextlib.contextmanager
def _busy():
    """A wait cursor while the files are written (seconds for a year of data). The window
    waits meanwhile on purpose: no timer (auto-sync, retention) may reach the database
    while its file is being replaced."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
