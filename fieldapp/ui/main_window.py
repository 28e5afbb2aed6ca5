"""The window: a sidebar of pages, menus with their shortcuts, the running shift in the
status bar. Pages are built when first shown; pages that other parts of the app have not
delivered yet show a calm placeholder. Switching the language rebuilds every page.

Data protection (fieldapp.ui.lock): with an encrypted data file the window locks itself after
the idle time in the settings (default 10 minutes) or with Ctrl+L, hiding every page and
dialog until the passphrase is entered again. A plain data file shows a banner offering to
encrypt it. Retention (gallring) runs at start and then once a day."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

import fieldapp
from fieldapp.domain.records import ShiftRecord
from fieldapp.i18n import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.lock import DEFAULT_LOCK_MINUTES, LOCK_SETTING, IdleWatcher, LockPage
from fieldapp.ui.widgets.formatting import duration, hhmm, shift_kind_label
from fieldapp.ui.widgets.messages import show_unexpected_error

log = logging.getLogger("fieldapp.ui")

ORGANIZATION = "Faltlogg"
APPLICATION = "Faltlogg"


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: Callable[[], str]  # translated at call time
    module: str
    cls: str
    placeholder: Callable[[], str] | None = None  # text when the page is not there yet


def coming_soon() -> str:
    return _("Coming soon: this part of Fältlogg is being built.")


PAGES: tuple[PageSpec, ...] = (
    PageSpec("today", lambda: _("Today"), "fieldapp.ui.views.today", "TodayView"),
    PageSpec("shifts", lambda: _("Shifts"), "fieldapp.ui.views.shifts", "ShiftsView"),
    PageSpec("observations", lambda: _("Observations"), "fieldapp.ui.views.observations",
             "ObservationsView"),
    PageSpec("meetings", lambda: _("Meetings"), "fieldapp.ui.views.meetings", "MeetingsView"),
    PageSpec("places", lambda: _("Places"), "fieldapp.ui.views.places", "PlacesView"),
    PageSpec("reports", lambda: _("Reports"), "fieldapp.ui.reports_view", "ReportsView"),
    PageSpec("sync", lambda: _("Sync"), "fieldapp.ui.views.sync", "SyncView",
             lambda: _("Sync with the team hub will come here: send this laptop's summaries "
                       "and fetch the team's, through a shared folder or the city's server.")),
    PageSpec("settings", lambda: _("Settings"), "fieldapp.ui.views.settings", "SettingsView"),
)
PAGE_KEYS = tuple(page.key for page in PAGES)


class PlaceholderPage(QWidget):
    """A page that is not there yet."""

    def __init__(self, title: str, text: str, parent=None):
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setObjectName("pageTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addStretch(1)


def load_page_class(spec: PageSpec):
    """The page's class, or None when its module or class does not exist (yet)."""
    try:
        module = importlib.import_module(spec.module)
    except ModuleNotFoundError as exc:
        if exc.name and spec.module.startswith(exc.name):
            return None
        raise
    return getattr(module, spec.cls, None)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent=None):
        super().__init__(parent)
        # Background work of the start (retention, the daily backup: see run_gui) waits for
        # the window's first paint, so it never delays it.
        self._after_first_paint: list[Callable[[], None]] | None = [self.run_retention]
        self.ctx = ctx
        self.settings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)
        self.setObjectName("mainWindow")
        self.running: ShiftRecord | None = None
        self.pages: dict[str, QWidget] = {}
        self.last_dialog = None

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.nav.setUniformItemSizes(True)
        self.nav.setStyleSheet("QListWidget#navigation { outline: 0; }"
                               " QListWidget#navigation::item { padding: 6px 10px; }")
        self.stack = QStackedWidget()
        for spec in PAGES:
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
        self.encrypt_banner = self._build_encrypt_banner()
        body_layout.addWidget(self.encrypt_banner)
        body_layout.addWidget(central, 1)
        self.lock_page = LockPage()
        self.lock_page.unlock_requested.connect(self.unlock)
        self.outer = QStackedWidget()
        self.outer.addWidget(self.body)
        self.outer.addWidget(self.lock_page)
        self.setCentralWidget(self.outer)
        self.locked = False
        self._hidden_dialogs: list[QWidget] = []
        self.idle_watcher: IdleWatcher | None = None
        self.nav.currentRowChanged.connect(self._row_changed)

        self._build_actions()
        self.shift_status = QLabel()
        self.shift_status.setObjectName("shiftStatus")
        self.sync_status = QLabel()
        self.sync_status.setObjectName("syncStatus")
        self.statusBar().addPermanentWidget(self.sync_status)
        self.statusBar().addPermanentWidget(self.shift_status)
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(60_000)
        self.status_timer.timeout.connect(self._show_shift_status)
        self.status_timer.start()
        ctx.events.changed.connect(self._data_changed)
        self.retention_timer = QTimer(self)
        self.retention_timer.setInterval(3_600_000)  # looks every hour; runs once a day
        self.retention_timer.timeout.connect(self.run_retention)
        self.retention_timer.start()

        self.retranslate_chrome()
        self._restore()
        self.refresh_running()
        self.setup_protection()
        # Built after the first paint, not when first shown: its timer syncs every few
        # minutes from the start, and its status goes to the status bar.
        self._after_first_paint.append(lambda: self._connect_sync_page(self.page("sync")))

    # -- actions and menus ------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.action_new_observation = QAction(self)
        self.action_new_observation.setObjectName("actionNewObservation")
        self.action_new_observation.setShortcut(QKeySequence("Ctrl+N"))
        self.action_new_observation.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.action_new_observation.triggered.connect(self.new_observation)
        self.action_start_shift = QAction(self)
        self.action_start_shift.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.action_start_shift.triggered.connect(self.start_shift)
        self.action_end_shift = QAction(self)
        self.action_end_shift.triggered.connect(self.end_shift)
        self.action_quit = QAction(self)
        self.action_quit.setShortcut(QKeySequence("Ctrl+Q"))
        self.action_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.action_quit.triggered.connect(self.close)
        self.action_lock = QAction(self)
        self.action_lock.setObjectName("actionLock")
        self.action_lock.setShortcut(QKeySequence("Ctrl+L"))
        self.action_lock.triggered.connect(self.lock)
        self.action_change_passphrase = QAction(self)
        self.action_change_passphrase.setObjectName("actionChangePassphrase")
        self.action_change_passphrase.triggered.connect(self.change_passphrase)
        self.action_about = QAction(self)
        self.action_about.setMenuRole(QAction.MenuRole.AboutRole)
        self.action_about.triggered.connect(self.about)
        self.page_actions: list[QAction] = []
        for number, spec in enumerate(PAGES, start=1):
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, key=spec.key: self.show_page(key))
            self.page_actions.append(action)
        for action in (self.action_new_observation, self.action_start_shift, self.action_end_shift,
                       self.action_lock, self.action_quit, *self.page_actions):
            self.addAction(action)  # shortcuts work even with the menu bar hidden

        self.file_menu = self.menuBar().addMenu("")
        self.file_menu.addAction(self.action_new_observation)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.action_start_shift)
        self.file_menu.addAction(self.action_end_shift)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.action_lock)
        self.file_menu.addAction(self.action_change_passphrase)
        self.file_menu.addAction(self.action_quit)
        self.view_menu = self.menuBar().addMenu("")
        for action in self.page_actions:
            self.view_menu.addAction(action)
        self.help_menu = self.menuBar().addMenu("")
        self.help_menu.addAction(self.action_about)

    def retranslate_chrome(self) -> None:
        """Texts of the window itself: title, menus, actions, sidebar, status bar."""
        self.setWindowTitle(_("Fältlogg"))
        self.file_menu.setTitle(_("&File"))
        self.view_menu.setTitle(_("&View"))
        self.help_menu.setTitle(_("&Help"))
        self.action_new_observation.setText(_("&New observation…"))
        self.action_start_shift.setText(_("&Start shift…"))
        self.action_end_shift.setText(_("&End shift…"))
        self.action_quit.setText(_("&Quit"))
        self.action_lock.setText(_("&Lock now"))
        self.action_change_passphrase.setText(_("Change &passphrase…"))
        self.encrypt_label.setText(_("This data file is not encrypted: anyone who gets hold of "
                                     "this laptop or the file can read the records."))
        self.encrypt_button.setText(_("Encrypt…"))
        self.action_about.setText(_("&About Fältlogg"))
        for number, (spec, action) in enumerate(zip(PAGES, self.page_actions), start=1):
            action.setText(spec.title())
            item = self.nav.item(number - 1)
            item.setText(spec.title())
            item.setToolTip(f"Ctrl+{number}")
        width = max(self.nav.sizeHintForColumn(0), 100) + 2 * self.nav.frameWidth() + 24
        self.nav.setFixedWidth(width)
        self._show_shift_status()

    def retranslate(self) -> None:
        """Switch every text to the current language: the chrome, then rebuild the pages."""
        current = self.current_page_key()
        self.retranslate_chrome()
        for index, spec in enumerate(PAGES):
            old = self.pages.pop(spec.key, None)
            if old is None:
                continue
            self.stack.removeWidget(old)
            old.hide()
            old.deleteLater()
            self.stack.insertWidget(index, QWidget())
        self.show_page(current)
        self._connect_sync_page(self.page("sync"))

    # -- pages ------------------------------------------------------------------------------
    def current_page_key(self) -> str:
        row = self.nav.currentRow()
        return PAGE_KEYS[row] if 0 <= row < len(PAGE_KEYS) else PAGE_KEYS[0]

    def page(self, key: str) -> QWidget:
        """The page for ``key``, built on first use."""
        if key in self.pages:
            return self.pages[key]
        index = PAGE_KEYS.index(key)
        spec = PAGES[index]
        widget = self._build_page(spec)
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

    def _connect_sync_page(self, page: QWidget) -> None:
        if hasattr(page, "status_text"):
            page.status_text.connect(self.sync_status.setText)
            self.sync_status.setText(page.status_line)  # the page read its status when built

    def _build_page(self, spec: PageSpec) -> QWidget:
        try:
            cls = load_page_class(spec)
            if cls is not None:
                return cls(self.ctx)
        except Exception:  # a page being built elsewhere must not stop the window
            log.exception("page %s could not be built", spec.key)
        text = spec.placeholder() if spec.placeholder else coming_soon()
        page = PlaceholderPage(spec.title(), text)
        page.setObjectName(f"placeholder_{spec.key}")
        return page

    def show_page(self, key: str) -> QWidget:
        if key not in PAGE_KEYS:
            key = PAGE_KEYS[0]
        row = PAGE_KEYS.index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # calls _row_changed
        else:
            self._row_changed(row)
        return self.pages[key]

    def _row_changed(self, row: int) -> None:
        if not 0 <= row < len(PAGES):
            return
        key = PAGE_KEYS[row]
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
            self.refresh_running()
        if kind == "settings":
            self.setup_protection()

    def refresh_running(self) -> None:
        def job(_progress):
            with self.ctx.services() as services:
                return services.shifts.running()

        self.ctx.tasks.run(job, on_success=self._set_running,
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace))

    def _set_running(self, shift: ShiftRecord | None) -> None:
        self.running = shift
        if self.locked:
            return
        self.action_start_shift.setEnabled(shift is None)
        self.action_end_shift.setEnabled(shift is not None)
        self._show_shift_status()

    def _show_shift_status(self) -> None:
        shift = self.running
        if shift is None:
            self.shift_status.setText(_("No shift running"))
        else:
            self.shift_status.setText(_("{kind} since {start} ({elapsed})").format(
                kind=shift_kind_label(shift.kind), start=hhmm(shift.starts_at),
                elapsed=duration(self.ctx.clock() - shift.starts_at)))

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

    def about(self) -> None:
        QMessageBox.about(self, _("About Fältlogg"), _(
            "Fältlogg {version}\n\nShifts, observations and meetings of the field workers "
            "(fältassistenter). Works offline; only summaries are shared with the team."
        ).format(version=fieldapp.__version__))

    # -- data protection ---------------------------------------------------------------------
    def _build_encrypt_banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("encryptBanner")
        banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.encrypt_label = QLabel()
        self.encrypt_label.setWordWrap(True)
        self.encrypt_button = QPushButton()
        self.encrypt_button.setObjectName("encryptButton")
        self.encrypt_button.clicked.connect(self.encrypt_data_file)
        row = QHBoxLayout(banner)
        row.addWidget(self.encrypt_label, 1)
        row.addWidget(self.encrypt_button)
        return banner

    def setup_protection(self) -> None:
        """Banner for a plain file; idle lock for an encrypted one (minutes from settings)."""
        encrypted = self.ctx.database.encrypted
        self.encrypt_banner.setVisible(not encrypted)
        self.action_lock.setEnabled(encrypted)
        self.action_change_passphrase.setEnabled(encrypted)
        if not encrypted:
            return
        with self.ctx.services() as services:
            minutes = services.settings.get(LOCK_SETTING, DEFAULT_LOCK_MINUTES)
        try:
            minutes = float(minutes)
        except (TypeError, ValueError):
            minutes = DEFAULT_LOCK_MINUTES
        if self.idle_watcher is None:
            self.idle_watcher = IdleWatcher(minutes, self)
            self.idle_watcher.idle.connect(self.lock)
        else:
            self.idle_watcher.set_minutes(minutes)

    def lock(self) -> bool:
        """Hide every record (pages, dialogs, the shift in the status bar) until unlocked.
        Only an encrypted data file can be locked (its passphrase unlocks it)."""
        if self.locked or not self.ctx.database.encrypted:
            return self.locked
        self.locked = True
        self._hidden_dialogs = [w for w in self.findChildren(QDialog) if w.isVisible()]
        for dialog in self._hidden_dialogs:
            dialog.hide()
        self.outer.setCurrentWidget(self.lock_page)
        self.body.hide()
        self.menuBar().setEnabled(False)
        for action in self.actions():
            action.setEnabled(False)
        self.shift_status.hide()
        self.lock_page.reset()
        return True

    def unlock(self, passphrase: str) -> None:
        """Check ``passphrase`` off the UI thread; unlock on success (both are logged)."""
        if not self.locked:
            return
        database = self.ctx.database

        def job(_progress) -> bool:
            ok = database.check_passphrase(passphrase)
            with self.ctx.services() as services:
                services.audit.record("unlock" if ok else "unlock_failed", {})
            return ok

        def done(ok: bool) -> None:
            if not ok:
                self.lock_page.refuse()
                return
            self.locked = False
            self.body.show()
            self.outer.setCurrentWidget(self.body)
            self.menuBar().setEnabled(True)
            for action in self.actions():
                action.setEnabled(True)
            self.shift_status.show()
            for dialog in self._hidden_dialogs:
                dialog.show()
            self._hidden_dialogs = []
            self.lock_page.reset()
            self._set_running(self.running)
            self.action_lock.setEnabled(True)

        self.ctx.tasks.run(job, on_success=done,
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace))

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

    def run_retention(self) -> None:
        """Retention (gallring) when due: at start, then once a day."""
        def job(_progress):
            from fieldapp.store.services import retention

            with self.ctx.database.session() as session:
                return retention.run_if_due(session, now=self.ctx.clock())

        def done(counts) -> None:
            if counts and any(item.count for item in counts):
                self.ctx.events.changed.emit("retention")

        self.ctx.tasks.run(job, on_success=done,
                           on_failure=lambda exc, trace: log.error("retention failed: %s", exc))

    # -- window state -----------------------------------------------------------------------
    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(QSize(1180, 760))
        key = self.settings.value("window/page", PAGE_KEYS[0])
        self.show_page(key if key in PAGE_KEYS else PAGE_KEYS[0])

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
            # Queued: the paint finishes first, then the background tasks start.
            QTimer.singleShot(0, self.start_background_work)
        return handled

    def closeEvent(self, event) -> None:
        if self.idle_watcher is not None:
            self.idle_watcher.stop()
        self.save_state()
        super().closeEvent(event)
