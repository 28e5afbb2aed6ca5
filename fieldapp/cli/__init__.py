"""The ``fieldapp`` command line: a contract other people script against.

Exit codes: 0 success, 1 a refused database file or failed operation, 2 bad usage (a
command may add its own, e.g. ``sync``'s 3).

A package of thin command modules (parse, call a service, print), one per command group,
each with ``add_parser(subparsers, name)`` and ``run(args)``; nothing below this package
imports it. Opening ``--db`` with the passphrase rule is :mod:`fieldapp.cli.terminal`
(the rule itself is :mod:`fieldapp.store.opening`, shared with the window).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fieldapp import __version__
from fieldapp.cli import db, demo, gui, hub, import_logs, report, sync
from fieldapp.cli.terminal import (  # noqa: F401 - the command line's contract, importable here
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    open_cli_database,
    resolve_passphrase,
)
from fieldapp.i18n import LANGUAGES, _, set_language
from fieldapp.paths import default_db_path

# name -> module(add_parser, run), in the order of the help text
COMMANDS: dict[str, object] = {"gui": gui, "demo": demo, "db": db, "report": report,
                               "sync": sync, "hub": hub, "import": import_logs}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldapp",
        description=_("Fältlogg: shifts, observations and meetings of field workers."),
    )
    parser.add_argument("--version", action="version", version=f"fieldapp {__version__}",
                        help=_("show the version and exit"))
    parser.add_argument("--db", type=Path, default=None,
                        help=_("database file (default: FIELDAPP_DB or the user data folder)"))
    parser.add_argument("--lang", choices=sorted(LANGUAGES), default=None,
                        help=_("language of messages (sv or en)"))
    # Hidden: open the window and close it after 1.5 s (the installer's bundle test).
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        module.add_parser(sub, name)
    return parser


def main(argv: list[str] | None = None) -> int:
    from fieldapp.store.errors import DatabaseFileError

    # argparse's own words ("usage:", "options", its error lines) go through the app's one
    # translation function too; argparse looks its module-level ``_`` up at each use.
    argparse._ = _
    argv = sys.argv[1:] if argv is None else argv
    # Read --lang before building the parser so help texts are translated too.
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang", choices=sorted(LANGUAGES), default=None)
    known, _rest = pre.parse_known_args(argv)
    if known.lang:
        set_language(known.lang)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.db is None:
        args.db = default_db_path()
    try:
        return COMMANDS[args.command or "gui"].run(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"fieldapp: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseFileError as exc:
        print(f"fieldapp: {exc}", file=sys.stderr)
        return EXIT_FAILED
