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
import importlib
import sys
from pathlib import Path

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

# name -> module (add_parser, run) in this package, in the order of the help text. Imported
# when needed: the window's start (no command, or ``gui``) imports no other command's module
# (``report`` alone pulls in SQLAlchemy and ReportLab: a third of a second before the first
# paint, issue 19).
COMMAND_MODULES = {"gui": "gui", "demo": "demo", "db": "db", "report": "report",
                   "sync": "sync", "hub": "hub", "import": "import_logs"}


def command(name: str):
    return importlib.import_module(f"fieldapp.cli.{COMMAND_MODULES[name]}")


def __getattr__(name: str):
    if name == "COMMANDS":  # every command's module, for tools and tests
        return {key: command(key) for key in COMMAND_MODULES}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Version(argparse.Action):
    """``--version``: the version is looked up when asked for, not at every start
    (importlib.metadata costs ~20-35 ms the window's start should not pay, issue 19)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        import fieldapp

        print(f"fieldapp {fieldapp.__version__}")
        parser.exit()


def build_parser(only: tuple[str, ...] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldapp",
        description=_("Fältlogg: shifts, observations and meetings of field workers."),
    )
    parser.add_argument("--version", action=_Version,
                        help=_("show the version and exit"))
    parser.add_argument("--db", type=Path, default=None,
                        help=_("database file (default: FIELDAPP_DB or the user data folder)"))
    parser.add_argument("--lang", choices=sorted(LANGUAGES), default=None,
                        help=_("language of messages (sv or en)"))
    # Hidden: open the window and close it after 1.5 s (the installer's bundle test).
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in only or COMMAND_MODULES:
        command(name).add_parser(sub, name)
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
    pre.add_argument("--db", default=None)
    pre.add_argument("--smoke-test", action="store_true")
    known, rest = pre.parse_known_args(argv)
    if known.lang:
        set_language(known.lang)
    window_only = not rest or rest == ["gui"]  # the window's start: its command alone
    parser = build_parser(("gui",) if window_only else None)
    args = parser.parse_args(argv)
    if args.db is None:
        args.db = default_db_path()
    try:
        return command(args.command or "gui").run(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"fieldapp: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseFileError as exc:
        print(f"fieldapp: {exc}", file=sys.stderr)
        return EXIT_FAILED
