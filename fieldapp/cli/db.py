"""``fieldapp db``: upgrade, status, purge (retention), the audit log and a new passphrase
for the data file. The passphrase rule is :mod:`fieldapp.store.opening`'s, with the
terminal's questions (:mod:`fieldapp.cli.terminal`)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from fieldapp.cli import terminal
from fieldapp.cli.terminal import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    open_cli_database,
    resolve_passphrase,
)
from fieldapp.i18n import _

NEW_PASSPHRASE_ENV = "FIELDAPP_NEW_PASSPHRASE"  # for ``db passphrase``


def add_parser(subparsers, name: str) -> None:
    db = subparsers.add_parser(name, help=_(
        "the data file: upgrade, status, retention, audit log, passphrase"))
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


def _status(args) -> dict:
    from sqlalchemy import func, select

    from fieldapp.store import migrate
    from fieldapp.store.models import (
        Action, Area, Category, Meeting, Observation, Partner, Place, Shift, Staff,
    )
    from fieldapp.store.opening import inspect

    path = Path(args.db)
    passphrase = resolve_passphrase(args) if path.exists() else None
    state = inspect(path, passphrase)
    status = {"path": str(path), "revision": state.revision, "head": migrate.head_revision(),
              "counts": {}}
    tables = {"areas": Area, "places": Place, "partners": Partner, "categories": Category,
              "staff": Staff, "shifts": Shift, "observations": Observation,
              "meetings": Meeting, "actions": Action}
    if state.revision is None:
        status["counts"] = {name: 0 for name in tables}
        return status
    database = open_cli_database(args, upgrade=False)
    try:
        with database.session() as session:
            for name, model in tables.items():
                status["counts"][name] = session.scalar(
                    select(func.count()).select_from(model).where(model.deleted_at.is_(None)))
    finally:
        database.close()
    return status


def run(args) -> int:
    if args.db_command == "upgrade":
        from fieldapp.store.opening import inspect

        before = inspect(Path(args.db), resolve_passphrase(args)).revision
        database = open_cli_database(args)
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

    database = open_cli_database(args)
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
    database = open_cli_database(args)
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
    from fieldapp.store import encryption

    given = os.environ.get(NEW_PASSPHRASE_ENV)
    if given:
        problem = encryption.check_new_passphrase(given, given)
        if problem:
            raise UsageError(f"{NEW_PASSPHRASE_ENV}: {problem}")
        return given
    if not terminal.stdin_is_tty():
        raise UsageError(_("Set {name} to the new passphrase, or run the command in a "
                           "terminal to type it.").format(name=NEW_PASSPHRASE_ENV))
    return terminal.ask_new_passphrase()


def _change_passphrase(args) -> int:
    """``db passphrase``: the current passphrase by the command line's rule, the new one from
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
