"""``fieldapp hub``: make a team key; set up a PostgreSQL hub.

::

    fieldapp hub new-key                               # print a new team key to hand on
    fieldapp hub init-postgres URL                     # schema, tables, row-level security, group roles
    fieldapp hub add-device URL --team T --role R [--device UUID]   # default: this database's device
    fieldapp hub add-lead URL --team T --role R

Run them with a role that may create schemas and roles (the database owner). Passwords come
from the URL or the environment (PGPASSWORD / FIELDAPP_PG_PASSWORD for the connection,
FIELDAPP_PG_NEW_PASSWORD for a role being created); none is stored in the database file.
Exit codes: 0 done, 1 the server refused or cannot be reached, 2 bad usage.
"""

from __future__ import annotations

import os
import sys
import uuid

from fieldapp.cli.terminal import EXIT_FAILED, EXIT_OK, EXIT_USAGE, open_cli_database
from fieldapp.i18n import _

ADMIN_STATEMENT_TIMEOUT = 3600.0  # seconds: an upgrade of a city's hub rewrites every row


def add_parser(subparsers, name: str) -> None:
    parser = subparsers.add_parser(name, help=_("make a team key; set up a PostgreSQL hub"))
    sub = parser.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    sub.add_parser("new-key", help=_("print a new random team key for a folder hub"))
    init = sub.add_parser("init-postgres",
                          help=_("create or upgrade the hub's tables and row-level security"))
    init.add_argument("url", metavar="URL", help=_("postgresql:// URL of the hub database"))
    device = sub.add_parser("add-device", help=_("let a database role write for a device in a team"))
    device.add_argument("url", metavar="URL", help=_("postgresql:// URL of the hub database"))
    device.add_argument("--team", required=True, help=_("team name"))
    device.add_argument("--role", required=True, help=_("database role of the device"))
    device.add_argument("--device", type=uuid.UUID, default=None,
                        help=_("device id (default: the device of --db)"))
    lead = sub.add_parser("add-lead", help=_("let a database role read every record of a team"))
    lead.add_argument("url", metavar="URL", help=_("postgresql:// URL of the hub database"))
    lead.add_argument("--team", required=True, help=_("team name"))
    lead.add_argument("--role", required=True, help=_("database role of the team lead"))


def new_key() -> int:
    from fieldapp.sync.team_key import new_team_key

    print(_("New team key (128 random bits):"))
    print()
    print(f"    {new_team_key()}")
    print()
    print(_("Give it to each member of the team in person or by phone, not by e-mail, and type "
            "it in under Settings on every laptop (or set FIELDAPP_TEAM_KEY). Start a new hub "
            "folder with it: a hub made with another key does not accept it."))
    return EXIT_OK


def run(args) -> int:
    if args.hub_command == "new-key":
        return new_key()
    import psycopg

    from fieldapp.sync import postgres
    from fieldapp.sync.hub import HubError

    if not args.url.startswith(("postgresql://", "postgres://")):
        print(_("fieldapp hub: give a postgresql:// URL."), file=sys.stderr)
        return EXIT_USAGE
    device_id = getattr(args, "device", None)
    if args.hub_command == "add-device" and device_id is None:
        from pathlib import Path

        if not Path(args.db).exists():
            print(_("fieldapp hub: give --device, or --db with this computer's database."),
                  file=sys.stderr)
            return EXIT_USAGE

        database = open_cli_database(args, upgrade=False)
        try:
            device_id = database.device_id()
        finally:
            database.close()
    try:
        # An upgrade rewrites the envelope table: more time per statement than a sync.
        conn = postgres.connect(args.url, statement_timeout=ADMIN_STATEMENT_TIMEOUT)
        try:
            if args.hub_command == "init-postgres":
                done = postgres.upgrade_schema(conn)
            else:
                if postgres.schema_version(conn) != postgres.SCHEMA_VERSION:
                    done = postgres.upgrade_schema(conn)
                else:
                    done = []
                password = os.environ.get("FIELDAPP_PG_NEW_PASSWORD") or None
                if args.hub_command == "add-device":
                    done += postgres.register_device(conn, team=args.team, role=args.role,
                                                     device_id=device_id, password=password)
                else:
                    done += postgres.register_lead(conn, team=args.team, role=args.role,
                                                   password=password)
        finally:
            conn.close()
    except HubError as exc:
        print(_("fieldapp hub: {error}").format(error=exc), file=sys.stderr)
        return EXIT_FAILED
    except psycopg.Error as exc:
        timeout = postgres.timeout_error(exc, postgres.LOCK_TIMEOUT, ADMIN_STATEMENT_TIMEOUT)
        if timeout is not None:
            print(_("fieldapp hub: {error}").format(error=timeout), file=sys.stderr)
            return EXIT_FAILED
        print(_("fieldapp hub: the server refused: {error}").format(error=str(exc).strip()),
              file=sys.stderr)
        return EXIT_FAILED
    print(_("PostgreSQL hub {url}:").format(url=postgres.redact(args.url)))
    if done:
        for item in done:
            print(_("  created: {item}").format(item=item))
    else:
        print(_("  already up to date (schema version {version}).").format(
            version=postgres.SCHEMA_VERSION))
    return EXIT_OK
