"""The ``fieldapp`` command line: a contract other people script against.

Exit codes: 0 success, 1 a refused database file or failed operation, 2 bad usage.

The passphrase of an encrypted database (:func:`resolve_passphrase`):
``FIELDAPP_PASSPHRASE`` set: the file is encrypted with it (a new file is created encrypted, a
plain file is converted first); else, on a terminal, the passphrase is asked for (twice for a
new file); else a new file is created unencrypted with a warning on stderr, and an encrypted
file is refused (exit 1) with a message naming ``FIELDAPP_PASSPHRASE``.
Commands add themselves through :data:`COMMANDS` (name -> module with ``add_parser`` and
``run``); the reports and sync packages register theirs there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fieldapp import __version__
from fieldapp.i18n import LANGUAGES, _, set_language
from fieldapp.paths import default_db_path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments found after parsing (exit code 2)."""


def stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _ask(prompt: str) -> str:
    import getpass

    return getpass.getpass(prompt)


def ask_new_passphrase() -> str:
    """A new passphrase typed twice on the terminal, asked again until it can be used."""
    from fieldapp.store import encryption

    while True:
        first = _ask(_("New passphrase: "))
        problem = encryption.check_new_passphrase(first, _ask(_("Repeat it: ")))
        if problem is None:
            return first
        print(problem, file=sys.stderr)


def resolve_passphrase(args) -> str | None:
    """The passphrase for ``args.db`` by the rule in this module's docstring (asked at most
    once per run); None: the file is (or will be) plain."""
    if hasattr(args, "passphrase"):
        return args.passphrase
    from fieldapp.store import encryption
    from fieldapp.store.errors import PassphraseError

    path = Path(args.db).expanduser()
    passphrase = encryption.passphrase_from_env()
    exists = path.is_file() and path.stat().st_size > 0
    encrypted = exists and encryption.looks_encrypted(path)
    if passphrase is None and stdin_is_tty():
        if encrypted:
            for _attempt in range(3):
                entered = _ask(_("Passphrase for {path}: ").format(path=path))
                if encryption.verify_passphrase(path, entered):
                    passphrase = entered
                    break
                print(_("Wrong passphrase."), file=sys.stderr)
            else:
                raise PassphraseError(encryption.wrong_passphrase_message(path))
        elif not exists:
            print(_("A new data file is made at {path}. It is encrypted with a passphrase "
                    "that you choose now.").format(path=path), file=sys.stderr)
            print(encryption.forgotten_passphrase_text(), file=sys.stderr)
            passphrase = ask_new_passphrase()
    elif passphrase is None and not exists:
        print(_("fieldapp: warning: {path} is created unencrypted. Set FIELDAPP_PASSPHRASE (or "
                "run in a terminal) to encrypt it.").format(path=path), file=sys.stderr)
    args.passphrase = passphrase
    return passphrase


def open_cli_database(args, *, upgrade: bool = True):
    """Open ``args.db`` with the passphrase rule above. Every command that opens the
    database calls this (not ``open_database`` directly)."""
    from fieldapp.store import encryption
    from fieldapp.store.database import open_database

    passphrase = resolve_passphrase(args)
    path = Path(args.db).expanduser()
    if (not upgrade and passphrase is not None and path.is_file()
            and not encryption.looks_encrypted(path)):
        passphrase = None  # a read-only look (db status) does not convert a plain file
    database = open_database(path, passphrase, upgrade=upgrade, convert_plain=True)
    if database.conversion is not None:
        with database.session() as session:
            from fieldapp.store.services.audit import AuditService

            AuditService(session).record("encryption", {
                "rows": sum(database.conversion.rows.values()),
                "backups": len(database.conversion.backups)})
        print(_("{path} was converted to an encrypted file ({rows} rows checked).").format(
            path=database.path, rows=sum(database.conversion.rows.values())), file=sys.stderr)
        print(encryption.ssd_notice(), file=sys.stderr)
    return database


def _open(args, *, upgrade: bool = True):
    return open_cli_database(args, upgrade=upgrade)


# -- commands ---------------------------------------------------------------------------------

def cmd_gui(args) -> int:
    try:
        from fieldapp.ui.app import run_gui
    except ImportError as exc:  # PySide6 missing or no window yet
        print(_("The window cannot start: {error}").format(error=exc), file=sys.stderr)
        return EXIT_FAILED
    # The installer's smoke test: the window closes itself after 1.5 s.
    close_after_ms = 1500 if getattr(args, "smoke_test", False) else None
    return run_gui(db_path=args.db, language=args.lang, close_after_ms=close_after_ms)


def cmd_demo(args) -> int:
    from fieldapp.demo import generate_demo

    if args.weeks < 1 or args.weeks > 104:
        raise UsageError(_("--weeks must be between 1 and 104."))
    database = _open(args)
    try:
        result = generate_demo(database, seed=args.seed, weeks=args.weeks)
    finally:
        database.close()
    first, last = result.weeks[0], result.weeks[-1]
    print(_("Demo data for {first}–{last} written to {path}:").format(
        first=first.label(), last=last.label(), path=args.db))
    for name, count in result.counts.items():
        print(f"  {name}: {count}")
    return EXIT_OK


COMMANDS: dict[str, object] = {}  # extra commands: name -> module(add_parser, run)


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

    sub.add_parser("gui", help=_("open the window (the default)"))

    demo = sub.add_parser("demo", help=_("fill the database with demo data"))
    demo.add_argument("--seed", type=int, default=1, help=_("random seed (same seed, same data)"))
    demo.add_argument("--weeks", type=int, default=4, help=_("number of weeks (default 4)"))

    for name, module in COMMANDS.items():
        module.add_parser(sub, name)
    return parser


def _register_optional_commands() -> None:
    """Commands that live in other packages (store, reports, sync) register themselves here."""
    import importlib

    for name, module_name in (("db", "fieldapp.store.command"),
                              ("report", "fieldapp.reports.command"),
                              ("sync", "fieldapp.sync.command"),
                              ("hub", "fieldapp.sync.hub_command"),
                              ("import", "fieldapp.imports.command")):
        try:
            COMMANDS[name] = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise


def main(argv: list[str] | None = None) -> int:
    from fieldapp.store.database import DatabaseFileError

    _register_optional_commands()
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
    handlers = {"gui": cmd_gui, None: cmd_gui, "demo": cmd_demo}
    try:
        if args.command in handlers:
            return handlers[args.command](args)
        return COMMANDS[args.command].run(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"fieldapp: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseFileError as exc:
        print(f"fieldapp: {exc}", file=sys.stderr)
        return EXIT_FAILED
