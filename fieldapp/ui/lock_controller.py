"""Locking the window of an encrypted data file (see :mod:`fieldapp.ui.lock` for the idle
watcher and the lock page): after the idle time in the settings (default 10 minutes) or on
request, every open dialog is hidden and the window shows only the lock page until the
passphrase is entered again. Both the unlock and a refused passphrase are logged.

The controller keeps the state (locked or not, the hidden dialogs, the idle watcher) and
says when it changes (``lock_changed``); the window hides or shows its own parts."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from fieldapp.ui.context import AppContext
from fieldapp.ui.lock import DEFAULT_LOCK_MINUTES, LOCK_SETTING, IdleWatcher, LockPage
from fieldapp.ui.tasks import DB
from fieldapp.ui.widgets.messages import show_unexpected_error


def lock_minutes(value) -> float:
    """The idle time from the settings' value (the default for a missing or bad one)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return DEFAULT_LOCK_MINUTES


class LockController(QObject):
    """Locks and unlocks ``window`` (its dialogs are hidden while it is locked)."""

    lock_changed = Signal(bool)  # True: locked

    def __init__(self, ctx: AppContext, window: QWidget):
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.page = LockPage()
        self.page.unlock_requested.connect(self.unlock)
        self.locked = False
        self.idle_watcher: IdleWatcher | None = None
        self._hidden_dialogs: list[QWidget] = []

    def setup(self) -> None:
        """Watch for idle time if the data file is encrypted (the minutes read from the
        settings on the DB lane)."""
        if not self.ctx.database.encrypted:
            return

        def job(_progress) -> float:
            with self.ctx.services() as services:
                return lock_minutes(services.settings.get(LOCK_SETTING, DEFAULT_LOCK_MINUTES))

        self.ctx.tasks.run(job, on_success=self._watch, lane=DB,
                           on_failure=lambda exc, trace: show_unexpected_error(
                               self.window, exc, trace))

    def _watch(self, minutes: float) -> None:
        if self.idle_watcher is None:
            self.idle_watcher = IdleWatcher(minutes, self)
            self.idle_watcher.idle.connect(self.lock)
        else:
            self.idle_watcher.set_minutes(minutes)

    def lock(self) -> bool:
        """Hide every record (the window's pages, its dialogs) until unlocked. Only an
        encrypted data file can be locked (its passphrase unlocks it)."""
        if self.locked or not self.ctx.database.encrypted:
            return self.locked
        self.locked = True
        self._hidden_dialogs = [w for w in self.window.findChildren(QDialog) if w.isVisible()]
        for dialog in self._hidden_dialogs:
            dialog.hide()
        self.lock_changed.emit(True)
        self.page.reset()
        return True

    def unlock(self, passphrase: str) -> None:
        """Check ``passphrase`` off the UI thread; unlock on success (both are logged)."""
        if not self.locked:
            return
        ctx = self.ctx

        def job(_progress) -> bool:
            ok = ctx.database.check_passphrase(passphrase)
            with ctx.services() as services:
                services.audit.record("unlock" if ok else "unlock_failed", {})
            return ok

        ctx.tasks.run(job, on_success=self._checked, lane=DB,
                      on_failure=lambda exc, trace: show_unexpected_error(self.window, exc, trace))

    def _checked(self, ok: bool) -> None:
        if not ok:
            self.page.refuse()
            return
        self.locked = False
        self.lock_changed.emit(False)
        for dialog in self._hidden_dialogs:
            dialog.show()
        self._hidden_dialogs = []
        self.page.reset()

    def stop(self) -> None:
        if self.idle_watcher is not None:
            self.idle_watcher.stop()
