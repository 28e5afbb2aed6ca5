"""``fieldapp`` / ``fieldapp gui``: open the window (PySide6 is imported only when it starts)."""

from __future__ import annotations

import sys

from fieldapp.cli.terminal import EXIT_FAILED
from fieldapp.i18n import _


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


def run(args) -> int:
    if _no_dialog_first(args.db):
        import sqlalchemy.orm  # noqa: F401 - before PySide6, see _no_dialog_first
    try:
        from fieldapp.ui.app import run_gui
    except ImportError as exc:  # PySide6 missing or no window yet
        print(_("The window cannot start: {error}").format(error=exc), file=sys.stderr)
        return EXIT_FAILED
    # The installer's smoke test: the window closes itself after 1.5 s.
    close_after_ms = 1500 if getattr(args, "smoke_test", False) else None
    return run_gui(db_path=args.db, language=args.lang, close_after_ms=close_after_ms)
