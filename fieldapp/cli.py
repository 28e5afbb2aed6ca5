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
import json
import sys
from pathlib import Path

from fieldapp import __version__
from fieldapp.i18n import LANGUAGES, _, set_language
from fieldapp.paths import default_db_path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
NEW_PASSPHRASE_ENV = "FIELDAPP_NEW_PASSPHRASE"  # for ``db passphrase``


class UsageError(Exception):
    """Bad arguments found after parsing (exit code 2)."""


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _ask(prompt: str) -> str:
    import getpass

    return getpass.getpass(prompt)


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
    if passphrase is None and _stdin_is_tty():
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
            while True:
                first = _ask(_("New passphrase: "))
                problem = encryption.check_new_passphrase(first, _ask(_("Repeat it: ")))
                if problem is None:
                    passphrase = first
                    break
                print(problem, file=sys.stderr)
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


def _status(args) -> dict:
    from sqlalchemy import func, select

    from fieldapp.store import migrate
    from fieldapp.store.database import check_upgradable
    from fieldapp.store.models import Action, Area, Category, Meeting, Observation, Partner, Place, Shift, Staff

    path = Path(args.db)
    passphrase = resolve_passphrase(args) if path.exists() else None
    state = check_upgradable(path, passphrase)
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

        before = check_upgradable(Path(args.db), resolve_passphrase(args)).revision
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
    if args.db_command == "purge":
        return _purge(args)
    if args.db_command == "log":
        return _log(args)
    if args.db_command == "passphrase":
        return _change_passphrase(args)
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


def _purge(args) -> int:
    from fieldapp.store.services import retention

    database = _open(args)
    try:
        with database.session() as session:
            rules = retention.load_rules(session)
            counts = (retention.preview(session, rules) if args.dry_run
                      else retention.run(session, rules))
    finally:
        database.close()
    print(_("Retention rules: private notes {days} days after the shift, records {months} "
            "months (0: kept).").format(days=rules.private_notes_days,
                                       months=rules.records_months))
    print(_("Would remove:") if args.dry_run else _("Removed:"))
    for item in counts:
        line = f"  {item.label}: {item.count}"
        if item.held_back:
            line += " " + _("({count} kept: not yet synced to the hub)").format(count=item.held_back)
        print(line)
    return EXIT_OK


def _log(args) -> int:
    database = _open(args)
    try:
        with database.session() as session:
            from fieldapp.store.services.audit import AuditService

            audit = AuditService(session)
            if args.csv:
                audit.export_csv(args.csv)
                print(_("The log was written to {path}").format(path=args.csv))
                return EXIT_OK
            entries = audit.list(limit=args.limit)
    finally:
        database.close()
    for entry in entries:
        print(f"{entry.at.isoformat(timespec='seconds')}  {entry.kind:<13} {entry.summary}")
    return EXIT_OK


def _new_passphrase() -> str:
    """``FIELDAPP_NEW_PASSPHRASE``, or typed twice on a terminal (UsageError otherwise)."""
    import os

    from fieldapp.store import encryption

    given = os.environ.get(NEW_PASSPHRASE_ENV)
    if given:
        problem = encryption.check_new_passphrase(given, given)
        if problem:
            raise UsageError(f"{NEW_PASSPHRASE_ENV}: {problem}")
        return given
    if not _stdin_is_tty():
        raise UsageError(_("Set {name} to the new passphrase, or run the command in a "
                           "terminal to type it.").format(name=NEW_PASSPHRASE_ENV))
    while True:
        first = _ask(_("New passphrase: "))
        problem = encryption.check_new_passphrase(first, _ask(_("Repeat it: ")))
        if problem is None:
            return first
        print(problem, file=sys.stderr)


def _change_passphrase(args) -> int:
    """``db passphrase``: the current passphrase by the rule above, the new one from
    ``FIELDAPP_NEW_PASSPHRASE`` or typed twice; the file and its backups get the new key."""
    from fieldapp.store import encryption
    from fieldapp.store.database import open_database
    from fieldapp.store.services.audit import AuditService

    path = Path(args.db).expanduser()
    if not (path.is_file() and encryption.looks_encrypted(path)):
        print(_("fieldapp: {path} is not an encrypted data file; there is no passphrase to "
                "change. Set FIELDAPP_PASSPHRASE and run any command to encrypt it.").format(
                    path=path), file=sys.stderr)
        return EXIT_FAILED
    current = resolve_passphrase(args)
    if current is None:
        raise UsageError(_("Set FIELDAPP_PASSPHRASE to the current passphrase, or run the "
                           "command in a terminal to type it."))
    new = _new_passphrase()
    if new == current:
        raise UsageError(_("The new passphrase is the same as the current one. Choose another."))
    open_database(path, current).close()  # upgraded and whole before it is rewritten
    try:
        result = encryption.change_passphrase(path, current, new)
    except (OSError, ValueError) as exc:  # a full disk, a copy that did not compare equal
        opens = (_("The data file opens with the new passphrase; some backups may still "
                   "need the old one.") if encryption.verify_passphrase(path, new)
                 else _("The data file still opens with the current passphrase."))
        print(_("fieldapp: the passphrase could not be changed ({error}).").format(error=exc)
              + " " + opens, file=sys.stderr)
        return EXIT_FAILED
    database = open_database(path, new)
    try:
        with database.session() as session:
            AuditService(session).record("passphrase", {"rows": sum(result.rows.values()),
                                                        "backups": len(result.backups)})
    finally:
        database.close()
    print(_("{path} has a new passphrase ({rows} rows checked, {backups} backups "
            "changed too).").format(path=path, rows=sum(result.rows.values()),
                                    backups=len(result.backups)))
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

    db = sub.add_parser("db", help=_("database upgrade and status"))
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help=_("back up and upgrade the database to the newest revision"))
    status = db_sub.add_parser("status", help=_("show revision and record counts"))
    status.add_argument("--json", action="store_true", help=_("print JSON"))
    purge = db_sub.add_parser("purge", help=_("remove what the retention rules say "
                                               "(gallring); never records not yet synced"))
    purge.add_argument("--dry-run", action="store_true",
                       help=_("only show what would be removed"))
    db_sub.add_parser("passphrase", help=_(
        "give an encrypted data file and its backups a new passphrase (the new one from "
        "FIELDAPP_NEW_PASSPHRASE, or typed twice)"))
    log_parser = db_sub.add_parser("log", help=_("show the audit log, or write it as CSV"))
    log_parser.add_argument("--csv", type=Path, default=None, help=_("write the log to this CSV file"))
    log_parser.add_argument("--limit", type=int, default=50, help=_("entries shown (default 50)"))

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
