"""``fieldapp sync``: sync this database with the team hub from the command line (the work is
:mod:`fieldapp.sync.service`'s, shared with the window).

Exit codes: 0 synced; 1 the hub cannot be used (unreachable, read-only, wrong key, not set
up) and nothing local was changed, or another sync of the same data file is running (it is
waited for a few seconds first), or the data file stayed locked for writing by another
program longer than the busy timeout; 2 bad usage (no hub given, no team key); 3 synced, but one
or more bundles were refused (listed with file and reason).
"""

from __future__ import annotations

import sys

from fieldapp.cli.terminal import EXIT_FAILED, EXIT_OK, EXIT_USAGE, open_cli_database
from fieldapp.i18n import _

EXIT_REFUSED = 3


def add_parser(subparsers, name: str) -> None:
    parser = subparsers.add_parser(name, help=_("sync with the team hub (a folder or PostgreSQL)"))
    parser.add_argument("--hub", default=None, metavar="PATH|URL",
                        help=_("hub folder or postgresql:// URL (default: the hub in the settings)"))


def _counts(counts: dict[str, int]) -> str:
    from fieldapp.sync.receipts import type_label

    return ", ".join(f"{type_label(name)} {n}" for name, n in counts.items())


def run(args) -> int:
    from sqlalchemy.exc import OperationalError

    from fieldapp.sync.pull import database_busy
    from fieldapp.sync.service import busy_error

    try:
        return _run(args)
    except OperationalError as exc:  # outside the sync itself: opening, reading the settings
        if not database_busy(exc):
            raise
        print(_("fieldapp sync: {error}").format(error=busy_error()), file=sys.stderr)
        return EXIT_FAILED


def _run(args) -> int:
    from fieldapp.sync.engine import team_key
    from fieldapp.sync.hub import HubError
    from fieldapp.sync.state import take_notices
    from fieldapp.sync.service import audited_sync, is_postgres_url

    database = open_cli_database(args)
    try:
        with database.session() as session:
            from fieldapp.store.services.settings import SettingsService

            settings = SettingsService(session)
            target = args.hub or settings.get("hub_path") or settings.get("hub_url") or ""
            key = team_key(session)
        target = str(target)
        if not target:
            print(_("fieldapp sync: no hub given. Use --hub PATH (a shared folder) or "
                    "--hub postgresql://…, or set the hub in the settings."), file=sys.stderr)
            return EXIT_USAGE
        if not is_postgres_url(target) and not key:
            with database.session() as session:
                for notice in take_notices(session):  # e.g. a team key moved out of the file
                    print(notice, file=sys.stderr)
            print(_("fieldapp sync: no team key. Set the team key in the settings or in the "
                    "environment variable FIELDAPP_TEAM_KEY; every device of the team uses "
                    "the same key."), file=sys.stderr)
            return EXIT_USAGE
        try:
            report = audited_sync(database, target, key)
        except HubError as exc:
            print(_("fieldapp sync: {error}").format(error=exc), file=sys.stderr)
            return EXIT_FAILED
    finally:
        database.close()
    for notice in report.notices:
        print(notice, file=sys.stderr)
    print(_("Hub: {hub}").format(hub=report.hub))
    for problem in report.repaired:
        print(_("Own bundle damaged or missing, everything sent again: {problem}").format(problem=problem))
    if report.pushed:
        print(_("Sent {count} records ({details}) to {file}").format(
            count=report.pushed_total, details=_counts(report.pushed), file=report.pushed_to))
    else:
        print(_("Nothing new to send."))
    if report.pulled:
        print(_("Received {count} records ({details}).").format(
            count=report.pulled_total, details=_counts(report.pulled)))
    else:
        print(_("Nothing new received."))
    if report.waiting:
        print(_("{count} received records wait for records they refer to (they come with a "
                "later sync).").format(count=report.waiting))
    if report.ignored:
        print(_("{count} received records were ignored: they change records owned by another "
                "device.").format(count=report.ignored))
    if report.expired:
        print(_("{count} records older than the retention limit were removed again after "
                "the pull.").format(count=report.expired))
    for device in report.devices:
        seen = device.last_seen_at.isoformat(timespec="seconds") if device.last_seen_at else "–"
        print(_("Device {device}: last bundle {time}").format(device=device.device_id, time=seen))
    for refusal in report.refused:
        print(_("Refused {file}: {reason}").format(file=refusal.file, reason=refusal.reason),
              file=sys.stderr)
    for refusal in report.records_refused:
        print(_("Received record not stored: {reason}").format(reason=refusal.reason),
              file=sys.stderr)
    for text in report.texts_refused:
        print(_("Received {type} {id}: the text {field} was not stored ({reason}); the rest of "
                "the record was.").format(type=text.type, id=text.id, field=text.field,
                                          reason=text.reason), file=sys.stderr)
    return EXIT_REFUSED if report.refused or report.records_refused else EXIT_OK
