"""``fieldapp import``: read an old Excel or CSV log into this device's records.

    fieldapp [--db PATH] import FILE [--sheet NAME] [--mapping MAPPING.json | --profile NAME]
             [--dry-run] [--save-mapping MAPPING.json] [--save-profile NAME] [--refused CSV]

The preview (counts, every refused row with its sheet, row and reason, how many records are
past the retention limit) is always printed. Without ``--dry-run`` the import applies, in
one transaction, only when every guess of the mapping is certain or confirmed; otherwise it
exits 1 naming what must be confirmed (``--dry-run --save-mapping`` writes the mapping to
check). Exit codes: 0 done, 1 not applied (questions, unreadable file or mapping, database
refused), 2 bad usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fieldapp.i18n import _

from fieldapp.cli.terminal import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def add_parser(subparsers, name: str):
    parser = subparsers.add_parser(
        name, help=_("import an old Excel or CSV log"),
        description=_("Import an old Excel (.xlsx) or CSV log as this device's shifts, "
                      "observations and meetings."))
    parser.add_argument("file", type=Path, help=_("the .xlsx or .csv file"))
    parser.add_argument("--sheet", default=None, help=_("import only this sheet"))
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--mapping", type=Path, default=None,
                        help=_("a confirmed mapping (JSON, see the README)"))
    source.add_argument("--profile", default=None, help=_("a mapping saved as a profile"))
    parser.add_argument("--dry-run", action="store_true",
                        help=_("show the preview and write nothing"))
    parser.add_argument("--save-mapping", type=Path, default=None,
                        help=_("write the proposed mapping to this JSON file"))
    parser.add_argument("--save-profile", default=None,
                        help=_("keep the mapping as a profile with this name"))
    parser.add_argument("--refused", type=Path, default=None,
                        help=_("write the rows that cannot be imported to this CSV file"))
    return parser


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"fieldapp import: {message}", file=sys.stderr)
    return code


def _print_preview(plan, outcome) -> None:
    print(_("Rows that become shifts: {shifts}; observations: {observations}; meetings: "
            "{meetings}; refused: {refused}.").format(
        shifts=outcome.planned("shift"), observations=outcome.planned("observation"),
        meetings=outcome.planned("meeting"), refused=len(outcome.refused)))
    print(_("New: {new}; changed: {changed}; unchanged: {same}.").format(
        new=sum(outcome.created.values()), changed=sum(outcome.updated.values()),
        same=sum(outcome.unchanged.values())))
    for name in outcome.skipped_sheets:
        print(_("Sheet \"{sheet}\" skipped: no header row with known column names.").format(
            sheet=name))
    for row in outcome.refused:
        print(_("  {sheet}, row {row}: {reason}").format(sheet=row.sheet, row=row.row,
                                                       reason=row.reason))
    past = sum(outcome.past_retention.values())
    if past:
        print(_("{count} of the records are older than the retention limit ({months} months) "
                "and will be deleted by the next retention run once the team hub has them.")
              .format(count=past, months=outcome.retention_months))


def run(args) -> int:
    from fieldapp.cli.terminal import open_cli_database
    from fieldapp.imports import mapping as mappings
    from fieldapp.imports import service
    from fieldapp.imports.apply import write_refused
    from fieldapp.imports.readers import ImportFileError
    from fieldapp.store.database import DatabaseFileError

    if not Path(args.file).is_file():
        return _fail(_("{path} was not found.").format(path=args.file), EXIT_USAGE)
    try:
        base = mappings.load_file(args.mapping) if args.mapping else None
    except mappings.MappingError as exc:
        return _fail(str(exc))
    try:
        database = open_cli_database(args)
    except DatabaseFileError as exc:
        return _fail(str(exc))
    try:
        if args.profile:
            with database.session() as session:
                base = mappings.load_profile(session, args.profile)
        proposal = service.propose(database, args.file, base, args.sheet)
        plan, outcome = service.run(database, proposal, apply=False)
        questions = proposal.questions
        _print_preview(plan, outcome)
        if args.save_mapping:
            mappings.save_file(proposal.mapping, args.save_mapping)
            print(_("Mapping written to {path}.").format(path=args.save_mapping))
        if args.refused:
            write_refused(args.refused, plan.headers, outcome.refused)
            print(_("{count} refused rows written to {path}.").format(
                count=len(outcome.refused), path=args.refused))
        if questions:
            print(_("To confirm before importing:"), file=sys.stderr)
            for line in questions:
                print(f"  {line}", file=sys.stderr)
        if args.dry_run:
            print(_("Dry run: nothing was written."))
            return EXIT_OK
        if questions:
            return _fail(_("Nothing was imported: confirm the guesses above in a mapping "
                           "(--dry-run --save-mapping FILE, then --mapping FILE)."))
        plan, outcome = service.run(database, proposal, apply=True)
        if args.save_profile:
            with database.session() as session:
                mappings.save_profile(session, args.save_profile, proposal.mapping)
        print(_("Imported: {new} new, {changed} changed, {same} unchanged records.").format(
            new=sum(outcome.created.values()), changed=sum(outcome.updated.values()),
            same=sum(outcome.unchanged.values())))
        return EXIT_OK
    except (ImportFileError, mappings.MappingError) as exc:
        return _fail(str(exc))
    finally:
        database.close()
