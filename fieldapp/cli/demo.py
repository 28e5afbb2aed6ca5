"""``fieldapp demo``: fill the database with demo data."""

from __future__ import annotations

from fieldapp.cli.terminal import EXIT_OK, UsageError, open_cli_database
from fieldapp.i18n import _


def add_parser(subparsers, name: str) -> None:
    demo = subparsers.add_parser(name, help=_("fill the database with demo data"))
    demo.add_argument("--seed", type=int, default=1, help=_("random seed (same seed, same data)"))
    demo.add_argument("--weeks", type=int, default=4, help=_("number of weeks (default 4)"))


def run(args) -> int:
    from fieldapp.demo import generate_demo

    if args.weeks < 1 or args.weeks > 104:
        raise UsageError(_("--weeks must be between 1 and 104."))
    database = open_cli_database(args)
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
