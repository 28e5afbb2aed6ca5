"""Locking the window of an encrypted data file (see :mod:`fieldapp.ui.lock` for the idle
watcher and the lock page): after the idle time in the settings (default 10 minutes) or on
Ctrl+L, from the window or from any dialog or message box over it.

Locking, at once:

- every open dialog and message box is hidden (not closed: what the user typed stays in
  it) and its native window destroyed, so the accessibility tree no longer holds it; open
  drop-downs and completion lists are closed;
- the window's pages are taken out of the window and every list view is detached from its
  model, so no record reaches the screen or the accessibility tree; the lock page takes the
  keyboard focus, and no other widget gets a key until the window is unlocked;
- the task runner is held: new jobs (timers, auto-sync) wait until the unlock.

Then, once the jobs already running (a sync or an export on the IO lane, a save on the DB
lane) have finished and reported back, the database is closed and forgets its passphrase
(:meth:`fieldapp.store.database.Database.close_until_unlocked`). A running job is never cut
off: it finishes first. The right passphrase re-opens the database, and the pages, the
models and the dialogs come back as they were. Unlocks and refused passphrases are written
to the audit log (a refusal when the file opens again: it is closed while locked).

The controller keeps the state (locked or not, the hidden dialogs, the idle watcher) and
says when it changes (``lock_changed``); the window hides or shows its own parts."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QWindow
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHeaderView,
    QListWidget,
    QTableWidget,
    QTreeWidget,
    QWidget,
)

from fieldapp.ui.context import AppContext
from fieldapp.ui.lock import DEFAULT_LOCK_MINUTES, LOCK_SETTING, IdleWatcher, LockPage
from fieldapp.ui.tasks import DB
from fieldapp.ui.widgets.messages import show_unexpected_error

LOCK_SHORTCUT = QKeySequence("Ctrl+L")
ITEM_WIDGETS = (QListWidget, QTableWidget, QTreeWidget, QHeaderView)
KEY_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.KeyRelease,
                        QEvent.Type.ShortcutOverride, QEvent.Type.Shortcut,
                        QEvent.Type.InputMethod})


def lock_minutes(value) -> float:
    """The idle time from the settings' value (the default for a missing or bad one)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return DEFAULT_LOCK_MINUTES


def _is_lock_key(event) -> bool:
    if event.type() not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
        return False
    combo = QKeySequence(event.keyCombination())
    return combo.matches(LOCK_SHORTCUT) == QKeySequence.SequenceMatch.ExactMatch


class LockController(QObject):
    """Locks and unlocks ``window`` (see the module); ``window.body`` is the part that holds
    the pages and ``window.outer`` the stack it sits in beside the lock page."""

    lock_changed = Signal(bool)  # True: locked
    database_closed = Signal()

    def __init__(self, ctx: AppContext, window: QWidget):
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.page = LockPage()
        self.page.unlock_requested.connect(self.unlock)
        self.locked = False
        self.idle_watcher: IdleWatcher | None = None
        self._hidden_dialogs: list[tuple[QDialog, QWidget | None]] = []
        self._dialog_places: dict[int, QPoint] = {}  # where each hidden dialog stood
        self._detached_views: list[tuple[QAbstractItemView, object, object]] = []
        self._failed_attempts: list[str] = []
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # -- keys -------------------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind not in KEY_EVENTS:
            return False
        if self.locked:
            # Only the lock page hears the keyboard; Ctrl+L is spent, never typed. A key from
            # the display server reaches the window's QWindow first, then the focused widget:
            # the window's own QWindow lets it through to the lock page inside.
            inside = (watched is self.window.windowHandle() if isinstance(watched, QWindow)
                      else isinstance(watched, QWidget) and (
                          watched is self.page or self.page.isAncestorOf(watched)))
            if not inside or _is_lock_key(event):
                event.accept()
                return True
            return False
        if _is_lock_key(event) and self.ctx.database.encrypted:
            event.accept()  # a ShortcutOverride accepted: no other shortcut takes Ctrl+L
            if kind == QEvent.Type.KeyPress:
                self.lock()
            return True
        return False

    # -- idle time --------------------------------------------------------------------------
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

    # -- locking ----------------------------------------------------------------------------
    def lock(self) -> bool:
        """Hide every record and close the data file (see the module). Only an encrypted
        data file can be locked (its passphrase unlocks it)."""
        if self.locked or not self.ctx.database.encrypted:
            return self.locked
        self.locked = True
        self.ctx.tasks.hold()
        self._hide_dialogs()
        self._detach_pages()
        self.lock_changed.emit(True)
        self.window.activateWindow()
        self.page.reset()
        self.ctx.tasks.when_idle(self._close_database)
        return True

    def _hide_dialogs(self) -> None:
        while (popup := QApplication.activePopupWidget()) is not None:
            popup.close()
        self._hidden_dialogs = []
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                self._hidden_dialogs.append((widget, widget.focusWidget()))
        # The active one last: it is shown last, so it is on top again after the unlock.
        active = QApplication.activeWindow()
        self._hidden_dialogs.sort(key=lambda pair: pair[0] is active)
        self._dialog_places = {id(dialog): dialog.pos() for dialog, _focus in self._hidden_dialogs}
        for dialog, _focus in self._hidden_dialogs:
            dialog.hide()
            dialog.destroy()  # its native window too: nothing left in the accessibility tree

    def _detach_pages(self) -> None:
        body, outer = self.window.body, self.window.outer
        self._detached_views = []
        for view in body.findChildren(QAbstractItemView):
            if isinstance(view, ITEM_WIDGETS) or view.window() is not self.window:
                continue  # item widgets own their model (they leave with the pages); popups
            model, selection = view.model(), view.selectionModel()
            if model is not None and model.rowCount() > 0:
                self._detached_views.append((view, model, selection))
                view.setModel(None)
        outer.removeWidget(body)
        body.setParent(None)

    def _close_database(self) -> None:
        if self.locked and not self.ctx.database.closed_until_unlocked:
            self.ctx.database.close_until_unlocked()
            self.database_closed.emit()

    # -- unlocking --------------------------------------------------------------------------
    def unlock(self, passphrase: str) -> None:
        """Check ``passphrase`` off the UI thread; unlock on success (both are logged)."""
        if not self.locked:
            return
        ctx = self.ctx
        failed = list(self._failed_attempts)

        def job(_progress) -> bool:
            if not ctx.database.reopen(passphrase):
                return False
            with ctx.services() as services:
                for at in failed:
                    services.audit.record("unlock_failed", {"attempted_at": at})
                services.audit.record("unlock", {})
            return True

        # It runs while the runner is held: it is the one job that may open the file.
        ctx.tasks.when_idle(lambda: ctx.tasks.run(
            job, on_success=self._checked, lane=DB, while_held=True,
            on_failure=lambda exc, trace: show_unexpected_error(self.window, exc, trace)))

    def _checked(self, ok: bool) -> None:
        if not ok:
            self._failed_attempts.append(self.ctx.clock().isoformat())
            self.page.refuse()
            return
        self._failed_attempts = []
        self.locked = False
        self._attach_pages()
        self.lock_changed.emit(False)
        self.page.reset()
        hidden, self._hidden_dialogs = self._hidden_dialogs, []
        places, self._dialog_places = self._dialog_places, {}
        for dialog, focus in hidden:
            if id(dialog) in places:
                dialog.move(places[id(dialog)])  # where it was: its native window was destroyed
            dialog.show()
            dialog.raise_()
            dialog.activateWindow()
            if focus is not None:
                focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self.ctx.tasks.release()

    def _attach_pages(self) -> None:
        body, outer = self.window.body, self.window.outer
        outer.insertWidget(0, body)
        for view, model, selection in self._detached_views:
            view.setModel(model)
            if selection is not None and selection.model() is model:
                view.setSelectionModel(selection)  # the pages' connections are on it
        self._detached_views = []

    def stop(self) -> None:
        if self.idle_watcher is not None:
            self.idle_watcher.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
