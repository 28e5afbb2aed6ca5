"""``fieldapp`` / ``fieldapp gui``: open the window (PySide6 is imported only when it starts)."""

from __future__ import annotations

import sys

from fieldapp.cli.terminal import EXIT_FAILED
from fieldapp.i18n import _


def add_parser(subparsers, name: str) -> None:
    subparsers.add_parser(name, help=_("open the window (the default)"))


def run(args) -> int:
    try:
        from fieldapp.ui.app import run_gui
    except ImportError as exc:  # PySide6 missing or no window yet
        print(_("The window cannot start: {error}").format(error=exc), file=sys.stderr)
        return EXIT_FAILED
    # The installer's smoke test: the window closes itself after 1.5 s.
    close_after_ms = 1500 if getattr(args, "smoke_test", False) else None
    return run_gui(db_path=args.db, language=args.lang, close_after_ms=close_after_ms)
