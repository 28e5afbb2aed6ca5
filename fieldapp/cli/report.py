"""``fieldapp report``: the weekly log, or the activity report of a period, as PDF, XLSX,
CSV or JSON.

    fieldapp [--db PATH] report --week 2024-W47 | --period 2026-T3 [--scope device|team]
             [--format pdf|xlsx|csv|json] [-o FILE] [--created 2024-11-25T08:00+01:00]
             [--redacted --recipient "LPO Skärholmen"]
    fieldapp report --format geojson [--week W] [--weeks N] [-o FILE]
    fieldapp report --lagesbild [--week W] [--weeks N] [--recipient "LPO Skärholmen"]

``--week last`` (the default) is the last complete week. ``--period`` takes a week
(``2026-W47``, the same as ``--week``), a month (``2026-11``), a tertial (``2026-T3``), a year
(``2026``) or a date range (``2026-01-01..2026-04-30``): the activity report for the nämnd.
The format follows ``--format``, else the suffix of ``-o``, else PDF. Without ``-o`` the file
is ``veckologg-2024-W47.pdf`` (``verksamhetsrapport-2026-T3.pdf``) in the current folder.
``--format geojson`` writes the places and the period's observations for a GIS (summaries
only, WGS84); ``--lagesbild`` the one-page situation picture for the next utsättningsmöte (a
disclosure when given to a ``--recipient``). A fixed ``--created`` time (or SOURCE_DATE_EPOCH)
gives the same bytes for the same data. ``--redacted`` writes the extract for a partner
(places, times and categories only; PDF or CSV; weeks only) and logs the disclosure with
``--recipient``. Bad input (week, period, format, output path): a message and exit code 2,
and no file is left behind.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from fieldapp.cli.terminal import EXIT_FAILED, EXIT_OK, EXIT_USAGE, open_cli_database
from fieldapp.i18n import _
from fieldapp.reports.export import (
    FORMATS,
    ReportError,
    check_writable,
    default_filename,
    export_week,
    format_for,
    parse_week,
)
from fieldapp.reports.period_export import default_period_filename, export_period, parse_period
from fieldapp.reports.summary import Scope
from fieldapp.store.types import utcnow


def add_parser(subparsers, name: str):
    parser = subparsers.add_parser(
        name, help=_("export the weekly log (PDF, XLSX, CSV or JSON)"),
        description=_("Export the weekly log of an ISO week as PDF, XLSX, CSV or JSON."))
    parser.add_argument("--week", default=None,
                        help=_("ISO week, e.g. 2024-W47, or 'last' for the last complete week "
                               "(the default)"))
    parser.add_argument("--period", default=None,
                        help=_("a period instead of a week: 2026-11 (month), 2026-T3 (tertial), "
                               "2026 (year), 2026-01-01..2026-04-30 (dates) or 2026-W47"))
    parser.add_argument("--scope", default=Scope.TEAM.value,
                        help=_("device: this device's records; team: every record in the "
                               "database (the default)"))
    parser.add_argument("--format", dest="format", default=None,
                        help=_("pdf, xlsx, csv or json (default: from the file suffix, else pdf)"))
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help=_("output file (default: weekly-log-<week>.<format> here)"))
    parser.add_argument("--created", default=None,
                        help=_("fixed creation time (ISO 8601 with time zone) for a "
                               "reproducible file; SOURCE_DATE_EPOCH works too"))
    parser.add_argument("--redacted", action="store_true",
                        help=_("the extract for the police or another partner: places, times "
                               "and categories only, no counts of young people and no text "
                               "(PDF or CSV); logged as a disclosure"))
    parser.add_argument("--recipient", default=None,
                        help=_("who receives the redacted extract, e.g. \"LPO Skärholmen\" "
                               "(needed with --redacted)"))
    parser.add_argument("--weeks", type=int, default=None,
                        help=_("with --lagesbild or --format geojson: the number of weeks up to "
                               "--week (default 2 for the lägesbild, 1 for GeoJSON)"))
    parser.add_argument("--lagesbild", action="store_true",
                        help=_("the one-page situation picture (lägesbild) PDF for the next "
                               "utsättningsmöte: key figures, rising places, a map, actions"))
    return parser


def _wants_geojson(args) -> bool:
    if args.format:
        return args.format.strip().lower().lstrip(".") == "geojson"
    return args.output is not None and args.output.suffix.lower() == ".geojson"


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"fieldapp report: {message}", file=sys.stderr)
    return code


def run(args) -> int:
    from fieldapp.reports.redacted import (
        check_recipient,
        check_redacted_format,
        default_redacted_filename,
        export_redacted,
    )
    from fieldapp.store.database import DatabaseFileError

    period = None
    try:
        if getattr(args, "period", None) is not None:
            if args.week is not None:
                raise ReportError(_("Give either --week or --period, not both."))
            period = parse_period(args.period)
            if getattr(args, "redacted", False) and period.week is None:
                raise ReportError(_("The redacted extract is made per week; give --week."))
        week = period.week if period is not None and period.week else parse_week(
            "last" if args.week is None else args.week, utcnow())
        try:
            scope = Scope((args.scope or "").strip().lower())
        except ValueError:
            raise ReportError(_("Unknown scope {scope}; choose device or team.").format(
                scope=args.scope)) from None
        redacted = bool(getattr(args, "redacted", False))
        special = "lagesbild" if getattr(args, "lagesbild", False) else (
            "geojson" if _wants_geojson(args) else None)
        if special and period is not None and period.week is None:
            raise ReportError(_("--lagesbild and --format geojson go with --week and --weeks, "
                                "not --period."))
        weeks = getattr(args, "weeks", None)
        if weeks is not None and not 1 <= weeks <= 52:
            raise ReportError(_("--weeks must be a whole number from 1 to 52."))
        if weeks is not None and special is None:
            raise ReportError(_("--weeks goes with --lagesbild or --format geojson."))
        if special and redacted:
            raise ReportError(_("--redacted does not go with --lagesbild or --format geojson."))
        fmt = special if special == "geojson" else "pdf" if special else format_for(
            args.output, args.format)
        recipient = None
        if special == "lagesbild":
            recipient = check_recipient(args.recipient) if args.recipient else None
        elif redacted:
            fmt = check_redacted_format(fmt)
            recipient = check_recipient(args.recipient)
        elif getattr(args, "recipient", None):
            raise ReportError(_("--recipient goes with --redacted or --lagesbild."))
        if special == "lagesbild":
            name = f"lagesbild-{week}.pdf"
        elif special == "geojson":
            name = f"platser-{week}.geojson"
        elif redacted:
            name = default_redacted_filename(week, fmt)
        elif period is not None:
            name = default_period_filename(period, fmt)
        else:
            name = default_filename(week, fmt)
        output = args.output or Path.cwd() / name
        created = None
        if args.created:
            try:
                created = dt.datetime.fromisoformat(args.created)
            except ValueError:
                raise ReportError(_("Cannot read {text} as a time; write it like "
                                    "2024-11-25T08:00+01:00.").format(text=args.created)) from None
            if created.tzinfo is None:
                raise ReportError(_("Give the creation time with a time zone, like "
                                    "2024-11-25T08:00+01:00."))
        check_writable(output)
    except ReportError as exc:
        return _fail(str(exc))

    db_path = Path(args.db)
    if not db_path.exists():
        return _fail(_("No database at {path}; give one with --db.").format(path=db_path),
                     EXIT_FAILED)
    try:
        database = open_cli_database(args)
    except DatabaseFileError as exc:
        return _fail(str(exc), EXIT_FAILED)
    try:
        if special:
            return _run_special(database, special, week, scope, output, weeks, recipient,
                                created)
        if redacted:
            report = export_redacted(database, week, scope, fmt, output, recipient,
                                     created_at=created)
            print(_("{title}: {shifts} shifts, {observations} observations. Written to {path}; "
                    "the disclosure to {recipient} is logged.").format(
                title=_("Redacted weekly log {week}").format(week=week.label()),
                shifts=len(report.shifts), observations=len(report.observations), path=output,
                recipient=recipient))
            return EXIT_OK
        if period is not None and period.week is None:
            found = export_period(database, period, scope, fmt, output, created_at=created)
            print(_("{title}: {shifts} shifts, {observations} observations, {meetings} "
                    "meetings. Written to {path}").format(
                title=_("Activity report {period}").format(period=period.label()),
                shifts=found.key.shifts, observations=found.key.observations,
                meetings=found.key.meetings, path=output))
            return EXIT_OK
        summary = export_week(database, week, scope, fmt, output, created_at=created)
    except ReportError as exc:
        return _fail(str(exc))
    finally:
        database.close()
    print(_("{title}: {shifts} shifts, {observations} observations, {meetings} meetings. "
            "Written to {path}").format(
        title=_("Weekly log {week}").format(week=week.label()), shifts=summary.key.shifts,
        observations=summary.key.observations, meetings=summary.key.meetings, path=output))
    return EXIT_OK


def _run_special(database, special: str, week, scope, output: Path, weeks: int | None,
                 recipient: str | None, created) -> int:
    if special == "geojson":
        from fieldapp.reports.geojson import export_geojson

        collection = export_geojson(database, week, scope, output, weeks=weeks or 1,
                                    created_at=created)
        places = sum(1 for f in collection["features"] if f["properties"]["feature"] == "place")
        print(_("GeoJSON: {places} places, {observations} observations. Written to {path}")
              .format(places=places, observations=len(collection["features"]) - places,
                      path=output))
        return EXIT_OK
    from fieldapp.reports.lagesbild_pdf import export_lagesbild

    export_lagesbild(database, week, scope, output, weeks=weeks or 2, recipient=recipient,
                     created_at=created)
    print(_("Lägesbild {week}: written to {path}").format(week=week.label(), path=output))
    if recipient:
        print(_("The disclosure to {recipient} is logged.").format(recipient=recipient))
    return EXIT_OK


__all__ = ["FORMATS", "add_parser", "run"]
