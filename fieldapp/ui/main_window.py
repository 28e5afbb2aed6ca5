"""The window: a sidebar of pages, menus with their shortcuts, the encryption banner, the
running shift in the status bar, and the window's size and page remembered. Pages come from
the registry in :mod:`fieldapp.ui.pages` and are built when first shown (a page that fails to
build shows what to do, and its traceback goes to the log). Switching the language rebuilds
every page.

Data protection: with an encrypted data file the window locks itself after the idle time in
the settings or with Ctrl+L (:mod:`fieldapp.ui.lock_controller`); a plain data file shows a
banner offering to encrypt it. Retention runs at start and then once a day
(:mod:`fieldapp.ui.retention_scheduler`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, QTimer
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QStackedWidget, QVBoxLayout, QWidget)

from fieldapp.domain.records import ShiftRecord
from fieldapp.i18n import _
from fieldapp.ui import APPLICATION, ORGANIZATION
from fieldapp.ui import help_menu
from fieldapp.ui.context import AppContext
from fieldapp.ui.lock import EncryptBanner
from fieldapp.ui.lock_controller import LockController
from fieldapp.ui.pages import PAGE_KEYS, PAGES, PageSpec, build_page
from fieldapp.ui.quit_reminder import may_quit
from fieldapp.ui.retention_scheduler import RetentionScheduler
from fieldapp.ui.running_shift import RunningShiftLabel
from fieldapp.ui.widgets.messages import show_unexpected_error
from fieldapp.ui.window_actions import build_actions, retranslate_actions

log = logging.getLogger("fieldapp.ui")
# After the first page is usable, the start's background work (retention, the integrity
# check, the daily backup, the sync page, the first-start guide) waits this long.
BACKGROUND_DELAY_MS = 1000

__all__ = ["APPLICATION", "ORGANIZATION", "PAGES", "PAGE_KEYS", "MainWindow"]


class MainWindow(QMainWindow):
    """``pages``: the page registry (default :data:`fieldapp.ui.pages.PAGES`)."""

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent=None, *,
                 pages: tuple[PageSpec, ...] = PAGES):
        super().__init__(parent)
        self.page_specs = pages
        self.page_keys = tuple(spec.key for spec in pages)
        self.retention = RetentionScheduler(ctx, self)
        # The start's background work (retention, the daily backup: see run_gui) waits for
        # the first page with its data painted (usable), so it never delays it.
        self._after_first_paint: list[Callable[[], None]] | None = [self.retention.run]
        self.ctx = ctx
        self.settings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)
        self.setObjectName("mainWindow")
        self.pages: dict[str, QWidget] = {}
        self.last_dialog = None

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.nav.setUniformItemSizes(True)
        self.nav.setStyleSheet("QListWidget#navigation { outline: 0; }"
                               " QListWidget#navigation::item { padding: 6px 10px; }")
        self.stack = QStackedWidget()
        for spec in self.page_specs:
            item = QListWidgetItem(self.nav)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.stack.addWidget(QWidget())  # filled when first shown
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.body = QWidget()
        body_layout = QVBoxLayout(self.body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        self.encrypt_banner = EncryptBanner()
        self.encrypt_banner.encrypt_requested.connect(self.encrypt_data_file)
        body_layout.addWidget(self.encrypt_banner)
        body_layout.addWidget(central, 1)
        self.lock_controller = LockController(ctx, self)
        self.lock_controller.lock_changed.connect(self._show_locked)
        self.lock_page = self.lock_controller.page
        self.outer = QStackedWidget()
        self.outer.addWidget(self.body)
        self.outer.addWidget(self.lock_page)
        self.setCentralWidget(self.outer)
        self.nav.currentRowChanged.connect(self._row_changed)

        self._build_actions()
        self.shift_status = RunningShiftLabel(ctx)
        self.shift_status.changed.connect(self._set_running)
        self.status_timer = self.shift_status.timer
        self.sync_status = QLabel()
        self.sync_status.setObjectName("syncStatus")
        self.statusBar().addPermanentWidget(self.sync_status)
        self.statusBar().addPermanentWidget(self.shift_status)
        ctx.events.changed.connect(self._data_changed)
        self.retention.start()

        self.retranslate_chrome()
        self._restore()
        self.shift_status.refresh()
        self.setup_protection()
        # Built after the first paint, not when first shown: its timer syncs every few
        # minutes from the start, and its status goes to the status bar.
        self._after_first_paint.append(self._connect_sync_page)

    # -- actions and menus: declared in fieldapp.ui.window_actions ---------------------------
    def _build_actions(self) -> None:
        self.menus = build_actions(self)
        self.file_menu, self.view_menu, self.help_menu = (self.menus[key]
                                                          for key in ("file", "view", "help"))

    def retranslate_chrome(self) -> None:
        """Texts of the window itself: title, menus, actions, sidebar, status bar."""
        self.setWindowTitle(_("Fältlogg"))
        retranslate_actions(self, self.menus)
        self.encrypt_banner.retranslate()
        for number, spec in enumerate(self.page_specs, start=1):
            item = self.nav.item(number - 1)
            item.setText(spec.title())
            item.setToolTip(f"Ctrl+{number}")
        width = max(self.nav.sizeHintForColumn(0), 100) + 2 * self.nav.frameWidth() + 24
        self.nav.setFixedWidth(width)
        self.shift_status.show_running()

    def retranslate(self) -> None:
        """Switch every text to the current language: the chrome, then rebuild the pages."""
        current = self.current_page_key()
        self.retranslate_chrome()
        for index, spec in enumerate(self.page_specs):
            old = self.pages.pop(spec.key, None)
            if old is None:
                continue
            self.stack.removeWidget(old)
            old.hide()
            old.deleteLater()
            self.stack.insertWidget(index, QWidget())
        self.show_page(current)
        self._connect_sync_page()

    # -- pages ------------------------------------------------------------------------------
    def current_page_key(self) -> str:
        row = self.nav.currentRow()
        keys = self.page_keys
        return keys[row] if 0 <= row < len(keys) else keys[0]

    def page(self, key: str) -> QWidget:
        """The page for ``key``, built on first use."""
        if key in self.pages:
            return self.pages[key]
        index = self.page_keys.index(key)
        widget = build_page(self.page_specs[index], self.ctx)
        old = self.stack.widget(index)
        self.stack.insertWidget(index, widget)
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()
        self.pages[key] = widget
        if hasattr(widget, "language_changed"):
            widget.language_changed.connect(lambda _language: self.retranslate())
        if hasattr(widget, "passphrase_change_requested"):
            widget.passphrase_change_requested.connect(self.change_passphrase)
        return widget

    def _connect_sync_page(self) -> None:
        page = self.page("sync") if "sync" in self.page_keys else None
        if hasattr(page, "status_text"):
            page.status_text.connect(self.sync_status.setText)
            self.sync_status.setText(page.status_line)  # the page read its status when built

    def show_page(self, key: str) -> QWidget:
        if key not in self.page_keys:
            key = self.page_keys[0]
        row = self.page_keys.index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # calls _row_changed
        else:
            self._row_changed(row)
        return self.pages[key]

    def _row_changed(self, row: int) -> None:
        if not 0 <= row < len(self.page_keys):
            return
        key = self.page_keys[row]
        built_now = key not in self.pages
        widget = self.page(key)
        self.stack.setCurrentWidget(widget)
        for number, action in enumerate(self.page_actions):
            action.setChecked(number == row)
        self.settings.setValue("window/page", key)
        if built_now and getattr(widget, "loads_when_built", False):
            return  # it read its data as it was built: not twice
        reload = getattr(widget, "reload", None)
        if callable(reload):
            try:
                reload()
            except Exception as exc:  # noqa: BLE001 - any failure in a page's reload is shown, not fatal
                show_unexpected_error(self, exc)

    # -- the running shift ------------------------------------------------------------------
    def _data_changed(self, kind: str) -> None:
        if kind in ("shift", "observation", "retention"):
            self.shift_status.refresh()
        if kind == "settings":
            self.setup_protection()

    running = property(lambda self: self.shift_status.running)  # ShiftRecord | None

    def _set_running(self, shift: ShiftRecord | None) -> None:
        if not self.locked:
            self.action_start_shift.setEnabled(shift is None)
            self.action_end_shift.setEnabled(shift is not None)

    def new_observation(self):
        from fieldapp.ui.dialogs.quick_observation import open_quick_observation

        self.last_dialog = open_quick_observation(self.ctx, self)
        return self.last_dialog

    def start_shift(self):
        from fieldapp.ui.dialogs.start_shift import open_start_shift

        if self.running is not None:
            return None
        self.last_dialog = open_start_shift(self.ctx, self)
        return self.last_dialog

    def end_shift(self):
        from fieldapp.ui.dialogs.end_shift import open_end_shift

        if self.running is None:
            return None
        self.last_dialog = open_end_shift(self.ctx, self.running.id, self)
        return self.last_dialog

    def new_meeting(self):
        page = self.show_page("meetings")
        page.create_new()
        self.last_dialog = page.editor
        return self.last_dialog

    def show_shortcuts(self):
        self.last_dialog = help_menu.show_shortcuts(self)
        return self.last_dialog

    # -- data protection ---------------------------------------------------------------------
    def setup_protection(self) -> None:
        """Banner for a plain file; idle lock for an encrypted one (minutes from settings)."""
        encrypted = self.ctx.database.encrypted
        self.encrypt_banner.setVisible(not encrypted)
        self.action_lock.setEnabled(encrypted and not self.locked)
        self.action_change_passphrase.setEnabled(encrypted and not self.locked)
        self.lock_controller.setup()

    locked = property(lambda self: self.lock_controller.locked)
    idle_watcher = property(lambda self: self.lock_controller.idle_watcher)

    def lock(self) -> bool:
        """Lock the window (an encrypted data file only): see LockController."""
        return self.lock_controller.lock()

    def unlock(self, passphrase: str) -> None:
        self.lock_controller.unlock(passphrase)

    def _show_locked(self, locked: bool) -> None:
        """Hide (or bring back) the pages, menus, actions and the shift in the status bar."""
        self.outer.setCurrentWidget(self.lock_page if locked else self.body)
        self.body.setVisible(not locked)
        self.menuBar().setEnabled(not locked)
        for action in self.actions():
            action.setEnabled(not locked)
        self.shift_status.setVisible(not locked)
        if not locked:
            self._set_running(self.running)  # the shift actions as the shift allows

    def encrypt_data_file(self) -> bool:
        """Convert the plain data file to an encrypted one (asks for a new passphrase)."""
        from fieldapp.ui.data_file import encrypt_data_file

        done = encrypt_data_file(self, self.ctx)
        if done:
            self.setup_protection()
            self.ctx.events.changed.emit("settings")
        return done

    def change_passphrase(self) -> bool:
        """Give the encrypted data file and its backups a new passphrase."""
        from fieldapp.ui.data_file import change_passphrase

        done = change_passphrase(self, self.ctx)
        if done:
            self.ctx.events.changed.emit("settings")
        return done

    # -- window state -----------------------------------------------------------------------
    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:  # 1180×760, or less on a small screen: the title bar and the bottom stay on it
            screen = self.screen().availableGeometry() if self.screen() else None
            width, height = 1180, 760
            if screen is not None:
                width, height = min(width, screen.width() - 40), min(height, screen.height() - 60)
            self.resize(QSize(width, height))
        self.show_page(self.first_page_key(self.settings, self.page_specs))

    @staticmethod
    def first_page_key(settings: QSettings | None = None, pages: tuple[PageSpec, ...] = PAGES) -> str:
        """The page a new window opens on: the one shown when the last closed."""
        settings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)
        keys = tuple(spec.key for spec in pages)
        key = settings.value("window/page", keys[0])
        return key if key in keys else keys[0]

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/page", self.current_page_key())
        self.settings.sync()

    def after_first_paint(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once the window has painted for the first time (at once if it has)."""
        if self._after_first_paint is None:
            fn()
        else:
            self._after_first_paint.append(fn)

    def start_background_work(self) -> None:
        """Start what waits for the first paint (once; later calls do nothing)."""
        pending, self._after_first_paint = self._after_first_paint, None
        for fn in pending or ():
            fn()

    def event(self, event) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.Paint and getattr(self, "_after_first_paint", None):
            QTimer.singleShot(0, self, self._start_when_usable)  # the paint finishes first
        return handled

    def _start_when_usable(self) -> None:
        """The start's background work once the first page's data are in and shown (never
        queued before them), and :data:`BACKGROUND_DELAY_MS` later: retention's reading is
        Python work that would take turns with the window's first moments of use."""
        if self._after_first_paint is not None and self.ctx.tasks.busy("db"):
            QTimer.singleShot(20, self, self._start_when_usable)
        elif self._after_first_paint is not None:
            QTimer.singleShot(BACKGROUND_DELAY_MS, self, self.start_background_work)

    def quit(self) -> None:  # Ctrl+Q: close the window, asking first when a shift is running
        self._quitting = True
        try:
            self.close()
        finally:
            self._quitting = False

    def closeEvent(self, event) -> None:
        # Asked when the user closes (Ctrl+Q, the title bar), not when the app closes it.
        if (event.spontaneous() or getattr(self, "_quitting", False)) and not may_quit(self):
            event.ignore()
            return
        self.lock_controller.stop()
        self.save_state()
        super().closeEvent(event)
