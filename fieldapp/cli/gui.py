"""``fieldapp`` / ``fieldapp gui``: open the window (PySide6 is imported only when it starts)."""

from __future__ import annotations

import importlib
import sys

from fieldapp.cli.terminal import EXIT_FAILED
from fieldapp.i18n import _

# Without a dialog first, the Qt-free modules the start needs anyway, imported before PySide6:
# its import hook reads the source of every module imported after it (issue 19).
BEFORE_QT = ("sqlalchemy.orm", "sqlalchemy.dialects.sqlite", "fieldapp.store.models",
             "fieldapp.store.services", "fieldapp.store.queries", "fieldapp.store.recovery",
             "fieldapp.store.reference", "fieldapp.sync.service", "babel.dates")


def add_parser(subparsers, name: str) -> None:
    subparsers.add_parser(name, help=_("open the window (the default)"))


def _no_dialog_first(db) -> bool:
    """Whether the window opens the data file without asking first (a plain file, or
    FIELDAPP_PASSPHRASE set): then SQLAlchemy is on the way to the first paint anyway, and is
    imported before PySide6, whose import hook would read the source of every module imported
    after it. An encrypted file's passphrase dialog paints first, with Qt only (issue 19)."""
    from pathlib import Path

    from fieldapp.store import encryption

    path = Path(db).expanduser()
    return encryption.passphrase_from_env() is not None or not (
        path.is_file() and encryption.looks_encrypted(path))


def prepare_start(db) -> None:
    """What the start does before PySide6 is imported. With FIELDAPP_PASSPHRASE on an
    encrypted file, the key's derivation starts in a thread of its own (PBKDF2 runs outside
    the GIL, beside the imports); without a dialog first, the Qt-free modules the window
    needs are imported now, before PySide6 (see :func:`_no_dialog_first`)."""
    from pathlib import Path

    from fieldapp.store import encryption

    passphrase = encryption.passphrase_from_env()
    if passphrase is not None:
        encryption.derive_ahead(Path(db).expanduser(), passphrase)
    if _no_dialog_first(db):
        for name in BEFORE_QT:
            importlib.import_module(name)


def run(args) -> int:
    prepare_start(args.db)
    try:
        from fieldapp.ui.app import run_gui
    except ImportError as exc:  # PySide6 missing or no window yet
        print(_("The window cannot start: {error}").format(error=exc), file=sys.stderr)
        return EXIT_FAILED
    # The installer's smoke test: the window closes itself after 1.5 s.
    close_after_ms = 1500 if getattr(args, "smoke_test", False) else None
    return run_gui(db_path=args.db, language=args.lang, close_after_ms=close_after_ms)
