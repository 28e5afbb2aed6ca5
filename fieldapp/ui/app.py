"""Start the window: the application object, the language, the database, the context."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from fieldapp.i18n import LANGUAGES, _, current_language, set_language
from fieldapp.ui.main_window import APPLICATION, ORGANIZATION, MainWindow

log = logging.getLogger("fieldapp.ui")


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


def run_gui(db_path: Path, language: str | None = None, close_after_ms: int | None = None) -> int:
    """Open the window on ``db_path``; ``language`` ("sv"/"en") overrides the saved setting.
    ``close_after_ms`` closes the window by itself (the installer's smoke test).
    Returns the exit code (0, or 1 when the data file cannot be opened)."""
    from fieldapp.store.database import DatabaseFileError, open_database
    from fieldapp.ui.context import AppContext

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Fältlogg")
    if language:
        set_language(language)
    install_qt_translations(app, current_language())

    try:
        database = open_database(Path(db_path))
    except DatabaseFileError as exc:
        box = QMessageBox(QMessageBox.Icon.Critical, _("The data file cannot be opened"), str(exc))
        box.setInformativeText(_("Fältlogg did not change the file. Start Fältlogg with another "
                                 "file (--db), or ask your team lead for help."))
        box.exec()
        return 1

    try:
        ctx = AppContext.open(database)
        if not language:
            with ctx.services() as services:
                saved = str(services.settings.get("language") or "")
            if saved in LANGUAGES:
                set_language(saved)
                install_qt_translations(app, saved)
        _install_excepthook(app)
        window = MainWindow(ctx)
        window.show()
        if close_after_ms is not None:
            QTimer.singleShot(close_after_ms, window.close)
        code = app.exec()
        ctx.tasks.wait()
        return int(code)
    finally:
        database.close()
