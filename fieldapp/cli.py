"""The ``fieldapp`` command line: a contract other people script against.

Exit codes: 0 success, 1 a refused database file or failed operation, 2 bad usage.
Commands add themselves through :data:`COMMANDS` (name -> module with ``add_parser`` and
``run``); the reports and sync packages register theirs there.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from fieldapp import __version__
from fieldapp.i18n import LANGUAGES, _, set_language
from fieldapp.paths import default_db_path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments found after parsing (exit code 2)."""


def _open(args, *, upgrade: bool = True):
    from fieldapp.store.database import open_database

    return open_database(args.db, upgrade=upgrade)


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


def _status(args) -> dict:
    from sqlalchemy import func, select

    from fieldapp.store import migrate
    from fieldapp.store.database import check_upgradable
    from fieldapp.store.models import Action, Area, Category, Meeting, Observation, Partner, Place, Shift, Staff

    path = Path(args.db)
    state = check_upgradable(path)
    status = {"path": str(path), "revision": state.revision, "head": migrate.head_revision(),
              "counts": {}}
    tables = {"areas": Area, "places": Place, "partners": Partner, "categories": Category,
              "staff": Staff, "shifts": Shift, "observations": Observation,
              "meetings": Meeting, "actions": Action}
    if state.revision is None:
        status["counts"] = {name: 0 for name in tables}
        return status
    database = _open(args, upgrade=False)
    try:
        with database.session() as session:
            for name, model in tables.items():
                status["counts"][name] = session.scalar(
                    select(func.count()).select_from(model).where(model.deleted_at.is_(None)))
    finally:
        database.close()
    return status


def cmd_db(args) -> int:
    if args.db_command == "upgrade":
        from fieldapp.store.database import check_upgradable

        before = check_upgradable(Path(args.db)).revision
        database = _open(args)
        try:
            after = database.revision()
            backup = database.backup_path
        finally:
            database.close()
        if before == after:
            print(_("The database is up to date (revision {revision}).").format(revision=after))
        else:
            print(_("Database upgraded from {before} to {after}.").format(before=before or "–", after=after))
            if backup:
                print(_("Backup of the previous file: {path}").format(path=backup))
        return EXIT_OK
    status = _status(args)
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
    else:
        print(_("Database: {path}").format(path=status["path"]))
        print(_("Revision: {revision} (newest: {head})").format(
            revision=status["revision"] or "–", head=status["head"]))
        for name, count in status["counts"].items():
            print(f"  {name}: {count}")
    return EXIT_OK


COMMANDS: dict[str, object] = {}  # extra commands: name -> module(add_parser, run)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldapp",
        description=_("Fältlogg: shifts, observations and meetings of field workers."),
    )
    parser.add_argument("--version", action="version", version=f"fieldapp {__version__}")
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

    db = sub.add_parser("db", help=_("database upgrade and status"))
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help=_("back up and upgrade the database to the newest revision"))
    status = db_sub.add_parser("status", help=_("show revision and record counts"))
    status.add_argument("--json", action="store_true", help=_("print JSON"))

    for name, module in COMMANDS.items():
        module.add_parser(sub, name)
    return parser


def _register_optional_commands() -> None:
    """Commands that live in other packages (reports, sync) register themselves here."""
    import importlib

    for name, module_name in (("report", "fieldapp.reports.command"),
                              ("sync", "fieldapp.sync.command"),
                              ("hub", "fieldapp.sync.hub_command")):
        try:
            COMMANDS[name] = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise


def main(argv: list[str] | None = None) -> int:
    from fieldapp.store.database import DatabaseFileError

    _register_optional_commands()
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
    handlers = {"gui": cmd_gui, None: cmd_gui, "demo": cmd_demo, "db": cmd_db}
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
