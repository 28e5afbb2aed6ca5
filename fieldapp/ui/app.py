"""Start the window: the application object, the language, the database, the context.

Shell first (issue 19): until the passphrase dialog (or the window) is on screen only Qt and
a few light modules are imported; SQLAlchemy, the models, the services, the main window's
modules, Babel and the catalogue load in a background thread (:func:`preload`), started
once the passphrase dialog has painted, while the user types. Without a dialog (a plain
file, FIELDAPP_PASSPHRASE) the start needs them at once: ``fieldapp.cli.gui`` then imports
SQLAlchemy before PySide6. ``FIELDAPP_NOW`` (an ISO time, e.g. ``2026-11-18T12:00+00:00``),
when set, is the window's clock at start (it then runs on from there): the bench sets it
inside its data's last week; never set it otherwise.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from fieldapp.i18n import LANGUAGES, current_language, set_language
from fieldapp.ui import APPLICATION, ORGANIZATION

log = logging.getLogger("fieldapp.ui")
NOW_ENV = "FIELDAPP_NOW"
# What the window needs after the passphrase, in the order it needs it.
PRELOAD_MODULES = ("sqlcipher3.dbapi2", "sqlalchemy", "sqlalchemy.orm", "sqlalchemy.dialects.sqlite",
                   "fieldapp.store.models", "fieldapp.store.services", "fieldapp.store.queries",
                   "fieldapp.store.recovery", "fieldapp.store.reference", "fieldapp.ui.context",
                   "fieldapp.ui.main_window", "fieldapp.ui.views.today", "babel.dates",
                   "babel.numbers",
                   # the sync page, built right after the first paint (cryptography)
                   "fieldapp.ui.views.sync")
preloaded_at: float | None = None  # time.perf_counter() when preload() finished (the bench)


def preload(language: str) -> threading.Thread:
    """Import what the window needs after the passphrase, and read the catalogue and Babel's
    locale data, in a background thread: started before the passphrase dialog shows, so it
    runs while the user types. A module the main thread needs first simply waits for it."""
    def work() -> None:
        global preloaded_at
        try:
            from fieldapp.i18n import format_date, translations

            for name in PRELOAD_MODULES:
                importlib.import_module(name)
                if name == "fieldapp.store.models":
                    # The mappers' relationships, resolved at the first query otherwise.
                    from sqlalchemy.orm import configure_mappers

                    configure_mappers()
            translations(language)
            format_date(dt.date.today())  # Babel's locale data and its date pattern parsed
        except Exception:
            log.debug("preloading failed", exc_info=True)
        finally:
            preloaded_at = time.perf_counter()

    thread = threading.Thread(target=work, name="fieldapp-preload", daemon=True)
    thread.start()
    return thread


def preload_after_first_paint(app: QApplication, language: str) -> None:
    """Start :func:`preload` once the next window (the passphrase dialog) has painted: the
    dialog is on screen with Qt alone, the imports then run while the user types."""
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and app.property("fieldapp_preload") is None:
                app.setProperty("fieldapp_preload", True)
                app.removeEventFilter(self)
                QTimer.singleShot(0, lambda: preload(language))
            return False

    if app.property("fieldapp_preload") is None:
        app._fieldapp_first_paint = FirstPaint(app)
        app.installEventFilter(app._fieldapp_first_paint)


def clock_from_env(environ=None) -> Callable[[], dt.datetime] | None:
    """The clock ``FIELDAPP_NOW`` sets (see the module), or None when it is not set."""
    value = (os.environ if environ is None else environ).get(NOW_ENV, "").strip()
    if not value:
        return None
    start = dt.datetime.fromisoformat(value)
    if start.tzinfo is None:
        raise ValueError(f"{NOW_ENV} needs a time zone, e.g. {value}+00:00")
    started = time.monotonic()
    return lambda: (start + dt.timedelta(seconds=time.monotonic() - started)).astimezone(
        dt.timezone.utc)


def install_qt_translations(app: QApplication, language: str) -> None:
    """Qt's own texts (context menus, the colour dialog) in the app's language, if the Qt
    translations are installed."""
    for old in getattr(app, "_fieldapp_translators", []):
        app.removeTranslator(old)
    app._fieldapp_translators = []
    if language == "en":
        return
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase",):
        translator = QTranslator(app)
        if translator.load(QLocale(language), name, "_", folder):
            app.installTranslator(translator)
            app._fieldapp_translators.append(translator)


def _install_excepthook(app: QApplication) -> None:
    """An unexpected error shows a calm message instead of a silent crash."""
    from fieldapp.ui.widgets.messages import show_unexpected_error

    def hook(kind, value, trace):
        text = "".join(traceback.format_exception(kind, value, trace))
        log.error("uncaught exception\n%s", text)
        if isinstance(value, KeyboardInterrupt):
            app.quit()
            return
        show_unexpected_error(app.activeWindow(), value, text)

    sys.excepthook = hook


class WindowAsk:
    """The passphrase questions of :mod:`fieldapp.store.opening` as the window's dialogs.
    ``interactive=False`` (the installer's smoke test) never shows a dialog."""

    def __init__(self, interactive: bool = True):
        self.interactive = interactive

    def passphrase(self, path: Path, check: Callable[[str], bool]) -> str | None:
        from fieldapp.store.errors import DatabaseFileError
        from fieldapp.ui.dialogs.passphrase import ask_passphrase

        refused: list[DatabaseFileError] = []
        preload_after_first_paint(QApplication.instance(), current_language())

        def guarded(text: str) -> bool:
            # The disk's refusal (read-only, full) is no wrong passphrase: the dialog closes
            # and the refusal is raised below, with its own message.
            try:
                return check(text)
            except DatabaseFileError as exc:
                refused.append(exc)
                return True

        entered = ask_passphrase(path, guarded)
        if refused:
            raise refused[0]
        return entered

    def new_passphrase(self, path: Path) -> str | None:
        from fieldapp.ui.dialogs.passphrase import ask_new_passphrase

        preload_after_first_paint(QApplication.instance(), current_language())
        return ask_new_passphrase(path)

    def warn(self, text: str) -> None:
        log.warning("%s", text)

    @contextlib.contextmanager
    def upgrading(self, path: Path) -> Iterator[None]:
        if not self.interactive:
            yield
            return
        from fieldapp.ui.dialogs.upgrading import UpgradeNotice

        notice = UpgradeNotice(path)
        notice.show_now()
        try:
            yield
        finally:
            notice.close()
            notice.deleteLater()


def open_start_database(path: Path, *, ask: bool = True):
    """Open the data file at start by the passphrase rule of :mod:`fieldapp.store.opening`
    (the command line's too), asking with the window's dialogs:

    - ``FIELDAPP_PASSPHRASE`` set: used as the passphrase (a plain file is converted);
    - an encrypted file: its passphrase (a wrong one is refused and asked again);
    - no file yet (first start): a new passphrase, typed twice; the file is created encrypted;
    - a plain file: opened as it is (the window offers to encrypt it).

    Returns None when the user cancelled. ``ask=False`` (the installer's smoke test) never
    shows a dialog: a new file is then plain. An emptied or unreadable file, a read-only or
    full disk are reported before any passphrase is asked; the whole file's integrity check
    runs after the window has painted (startup_checks_job).
    """
    from fieldapp.store.opening import Cancelled, open_data_file

    try:
        database = open_data_file(path, WindowAsk(ask), integrity=False)
    except Cancelled:
        return None
    database.start_passphrase = database.opened_with  # for the daily backup, after the window shows
    return database


def startup_checks_job(database, passphrase: str | None):
    """A task for the runner, started after the window's first paint: SQLite's quick check
    of the whole file (raises DamagedDatabaseError: the window then closes and offers the
    latest backup), then a copy at most a day old, so a damaged file can be restored. A
    damaged file is never copied over a good backup; a failed backup is logged and never
    stops the app."""
    from fieldapp.store.recovery import check_open_database, ensure_recent_backup

    def job(_progress):
        check_open_database(database)
        try:
            return ensure_recent_backup(database.path, database.revision(), passphrase=passphrase)
        except Exception:  # a backup that fails is logged, the work goes on
            log.warning("could not make the daily backup", exc_info=True)
            return None
    return job


def run_gui(db_path: Path, language: str | None = None, close_after_ms: int | None = None) -> int:
    """Open the window on ``db_path``; ``language`` ("sv"/"en") overrides the saved setting.
    ``close_after_ms`` closes the window by itself (the installer's smoke test).
    Returns the exit code (0, or 1 when the data file cannot be opened)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Fältlogg")
    if language:
        set_language(language)
    install_qt_translations(app, current_language())
    from fieldapp.logs import setup_logging

    setup_logging()
    _install_excepthook(app)  # from the start: an error while opening is logged and shown too

    while True:
        database = _open_or_recover(Path(db_path), close_after_ms)
        if isinstance(database, int):
            return database
        code, damage = _run_window(app, database, language, close_after_ms)
        if damage is None:
            return code
        # The check after the first paint found damage: the window closed, the file is shut.
        log.warning("the data file is damaged: %s", damage)
        if close_after_ms is not None or not _offer_recovery(Path(db_path), damage):
            return 1
        # The latest backup is in place (the damaged file kept beside it): start on it.


def _offer_recovery(db_path: Path, error) -> bool:
    # Imported only when a file is refused: its widgets' Qt enums cost ~30 ms at every start.
    from fieldapp.ui.dialogs.recovery import offer_recovery

    return offer_recovery(db_path, error)


def _open_or_recover(db_path: Path, close_after_ms: int | None):
    """The opened database, or an exit code: 0 when no passphrase was given, 1 when the
    file was refused and not restored. A refused file offers the latest backup."""
    from fieldapp.store.database import DatabaseFileError

    while True:
        try:
            database = open_start_database(db_path, ask=close_after_ms is None)
            return 0 if database is None else database  # None: the passphrase was not given
        except DatabaseFileError as exc:
            log.warning("the data file was refused: %s", exc)
            if close_after_ms is not None or not _offer_recovery(db_path, exc):
                return 1
            # The latest backup is in place (the refused file kept beside it): open it.


def _run_window(app: QApplication, database, language: str | None,
                close_after_ms: int | None):
    """Show the window on ``database`` until it closes; returns (exit code, damage): the
    DatabaseFileError the check after the first paint found, or None."""
    from fieldapp.store.database import DatabaseFileError
    from fieldapp.store.types import utcnow
    from fieldapp.ui.context import AppContext
    from fieldapp.ui.main_window import MainWindow

    ctx = None
    found: list[BaseException] = []
    try:
        ctx = AppContext.open(database, clock=clock_from_env() or utcnow)
        if not language:
            with ctx.services() as services:
                saved = str(services.settings.get("language") or "")
            if saved in LANGUAGES:
                set_language(saved)
                install_qt_translations(app, saved)
        if MainWindow.first_page_key() == "today":  # its data read while the window is built
            from fieldapp.ui.views.today import FirstSnapshot

            FirstSnapshot(ctx)
        window = MainWindow(ctx)
        window.show()
        from fieldapp.ui.dialogs import first_start

        first_start.install(window)  # a file not set up is offered the guide after the paint

        def damaged(exc: BaseException, trace: str) -> None:
            if not isinstance(exc, DatabaseFileError):
                raise exc  # shown by the excepthook
            found.append(exc)
            window.close()

        # After the first paint (with retention): never before the window is on screen.
        checks = startup_checks_job(database, getattr(database, "start_passphrase", None))
        window.after_first_paint(lambda: ctx.tasks.run(checks, on_failure=damaged, lane="io"))
        # A window that is not painted soon (started minimized): start them anyway.
        QTimer.singleShot(10_000, window, window.start_background_work)
        if close_after_ms is not None:
            QTimer.singleShot(close_after_ms, window.close)
        code = app.exec()
        # Closed before it ever painted: the start's work (check, backup) still runs.
        window.start_background_work()
        ctx.tasks.drain()  # every job reports back (e.g. damage found after an early close)
        return int(code), (found[0] if found else None)
    finally:
        (ctx.database if ctx is not None else database).close()
