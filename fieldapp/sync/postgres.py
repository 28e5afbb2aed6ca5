"""PostgresHub: the team's hub as a PostgreSQL database (a central server, for a whole city).

Everything lives in the schema ``fieldapp``, created and upgraded by the app
(:func:`upgrade_schema`, run by ``fieldapp hub init-postgres URL``) and versioned in
``fieldapp.schema_version``:

- ``envelope``: one row per record and team, ``(team, id)`` primary key (reference data has
  the same ids in every team, so the id alone is not unique across teams), ``type``,
  ``device_id`` (the record's owner), ``pushed_by`` (the device that wrote this revision),
  ``revision``, ``updated_at``, ``deleted``, ``digest`` (SHA-256 of the canonical
  ``(deleted, data)``: the last tie-breaker of the apply rule), ``data jsonb`` and
  ``server_seq``. An upsert keeps the row with the higher ``(revision, updated_at, device_id,
  digest)`` and gives a changed row a new ``server_seq``; devices pull by ``server_seq``.
- ``device``: which database role writes for which device, in which team;
  ``team_member``: roles that read a team without writing (team leads).

Row-level security (DESIGN.md): a device's role may insert and update only rows pushed by its
own devices, and of shifts, observations, meetings and actions only those its devices own
(places, staff and reference data are shared: any device of the team may send a newer
revision); every member of a team (its devices' roles and its leads) reads the team's rows
and no other team's. Roles get their rights from the group roles ``fieldapp_device`` and
``fieldapp_lead``.

Writers take a per-team advisory lock for their transaction and readers take it shared, so a
reader never sees a later ``server_seq`` committed before an earlier one (which a cursor
would otherwise skip for ever).

The password comes from the URL or the environment (``PGPASSWORD`` or
``FIELDAPP_PG_PASSWORD``); it is never stored in the database file.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

from fieldapp.i18n import _
from fieldapp.sync.envelope import (
    SHARED_TYPES,
    Envelope,
    EnvelopeError,
    content_digest,
    format_time,
    parse_time,
)
from fieldapp.sync.validate import validate_envelope
from fieldapp.sync.hub import Batch, BatchContent, HubError, HubState, PushReceipt
from fieldapp.sync.bundle import BundleError

SCHEMA = "fieldapp"
DEVICE_GROUP = "fieldapp_device"
LEAD_GROUP = "fieldapp_lead"
PAGE_SIZE = 500

_SHARED_SQL = ", ".join(f"'{name}'" for name in sorted(SHARED_TYPES))

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "envelope table, device and team mapping, row-level security", [
        "CREATE TABLE fieldapp.hub_info (hub_id uuid PRIMARY KEY)",
        "INSERT INTO fieldapp.hub_info (hub_id) VALUES (gen_random_uuid())",
        """CREATE TABLE fieldapp.device (
               device_id uuid PRIMARY KEY,
               role_name text NOT NULL,
               team text NOT NULL)""",
        """CREATE TABLE fieldapp.team_member (
               role_name text NOT NULL,
               team text NOT NULL,
               is_lead boolean NOT NULL DEFAULT false,
               PRIMARY KEY (role_name, team))""",
        """CREATE TABLE fieldapp.envelope (
               team text NOT NULL,
               id uuid NOT NULL,
               type text NOT NULL,
               device_id uuid NOT NULL,
               pushed_by uuid NOT NULL,
               revision integer NOT NULL CHECK (revision >= 1),
               updated_at timestamptz NOT NULL,
               deleted boolean NOT NULL,
               digest text NOT NULL,
               data jsonb NOT NULL,
               server_seq bigserial NOT NULL,
               PRIMARY KEY (team, id))""",
        "CREATE INDEX envelope_team_seq ON fieldapp.envelope (team, server_seq)",
        """CREATE FUNCTION fieldapp.role_teams(role_name text) RETURNS SETOF text
               LANGUAGE sql STABLE SECURITY DEFINER SET search_path = fieldapp, pg_temp AS $$
               SELECT d.team FROM fieldapp.device d WHERE d.role_name = $1
               UNION SELECT m.team FROM fieldapp.team_member m WHERE m.role_name = $1 $$""",
        """CREATE FUNCTION fieldapp.role_devices(role_name text, team text) RETURNS SETOF uuid
               LANGUAGE sql STABLE SECURITY DEFINER SET search_path = fieldapp, pg_temp AS $$
               SELECT d.device_id FROM fieldapp.device d
               WHERE d.role_name = $1 AND d.team = $2 $$""",
        """CREATE FUNCTION fieldapp.device_team(role_name text, device uuid) RETURNS text
               LANGUAGE sql STABLE SECURITY DEFINER SET search_path = fieldapp, pg_temp AS $$
               SELECT d.team FROM fieldapp.device d
               WHERE d.role_name = $1 AND d.device_id = $2 $$""",
        "ALTER TABLE fieldapp.envelope ENABLE ROW LEVEL SECURITY",
        """CREATE POLICY envelope_read ON fieldapp.envelope FOR SELECT
               USING (team IN (SELECT fieldapp.role_teams(current_user::text)))""",
        f"""CREATE POLICY envelope_insert ON fieldapp.envelope FOR INSERT
               WITH CHECK (pushed_by IN (SELECT fieldapp.role_devices(current_user::text, team))
                           AND (type IN ({_SHARED_SQL}) OR device_id = pushed_by))""",
        f"""CREATE POLICY envelope_update ON fieldapp.envelope FOR UPDATE
               USING (team IN (SELECT fieldapp.role_teams(current_user::text))
                      AND (type IN ({_SHARED_SQL})
                           OR device_id IN (SELECT fieldapp.role_devices(current_user::text, team))))
               WITH CHECK (pushed_by IN (SELECT fieldapp.role_devices(current_user::text, team))
                           AND (type IN ({_SHARED_SQL}) OR device_id = pushed_by))""",
        f"GRANT USAGE ON SCHEMA fieldapp TO {DEVICE_GROUP}, {LEAD_GROUP}",
        f"GRANT SELECT ON fieldapp.schema_version, fieldapp.hub_info TO {DEVICE_GROUP}, {LEAD_GROUP}",
        f"GRANT SELECT ON fieldapp.envelope TO {DEVICE_GROUP}, {LEAD_GROUP}",
        f"GRANT INSERT, UPDATE ON fieldapp.envelope TO {DEVICE_GROUP}",
        f"GRANT USAGE ON SEQUENCE fieldapp.envelope_server_seq_seq TO {DEVICE_GROUP}",
        f"""GRANT EXECUTE ON FUNCTION fieldapp.role_teams(text), fieldapp.role_devices(text, text),
               fieldapp.device_team(text, uuid) TO {DEVICE_GROUP}, {LEAD_GROUP}""",
    ]),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]

UPSERT = """
INSERT INTO fieldapp.envelope AS e
    (team, id, type, device_id, pushed_by, revision, updated_at, deleted, digest, data)
VALUES (%(team)s, %(id)s, %(type)s, %(device_id)s, %(pushed_by)s, %(revision)s,
        %(updated_at)s, %(deleted)s, %(digest)s, %(data)s)
ON CONFLICT (team, id) DO UPDATE SET
    type = excluded.type, device_id = excluded.device_id, pushed_by = excluded.pushed_by,
    revision = excluded.revision, updated_at = excluded.updated_at, deleted = excluded.deleted,
    digest = excluded.digest, data = excluded.data,
    server_seq = nextval('fieldapp.envelope_server_seq_seq')
WHERE (excluded.revision, excluded.updated_at, excluded.device_id::text COLLATE "C",
       excluded.digest COLLATE "C")
    > (e.revision, e.updated_at, e.device_id::text COLLATE "C", e.digest COLLATE "C")
"""


def _password(url: str) -> str | None:
    if urlsplit(url).password:
        return None
    return os.environ.get("FIELDAPP_PG_PASSWORD") or os.environ.get("PGPASSWORD") or None


def redact(url: str) -> str:
    """The URL without its password, for messages and the settings."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[1]}"))


def connect(url: str, *, timeout: int = 10):
    """A psycopg connection in autocommit mode (each ``conn.transaction()`` block is one
    transaction), or :class:`HubError` with a clear message."""
    import psycopg

    try:
        return psycopg.connect(url, password=_password(url), connect_timeout=timeout,
                               autocommit=True)
    except psycopg.Error as exc:
        raise HubError(_("The PostgreSQL hub {url} cannot be reached: {error}").format(
            url=redact(url), error=str(exc).strip().splitlines()[0] if str(exc).strip() else exc)) from exc


def schema_version(conn) -> int:
    row = conn.execute(
        "SELECT to_regclass('fieldapp.schema_version') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    row = conn.execute("SELECT max(version) FROM fieldapp.schema_version").fetchone()
    return int(row[0] or 0)


def upgrade_schema(conn) -> list[str]:
    """Create or upgrade the hub schema and group roles; returns what was done (for printing).
    Needs a role that may create schemas and roles."""
    done: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('fieldapp:schema'))")
        for group in (DEVICE_GROUP, LEAD_GROUP):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (group,)).fetchone()
            if not exists:
                conn.execute(f"CREATE ROLE {group} NOLOGIN")
                done.append(_("role {role} (group of device roles)").format(role=group)
                            if group == DEVICE_GROUP else
                            _("role {role} (group of team lead roles)").format(role=group))
        if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'fieldapp'").fetchone():
            conn.execute("CREATE SCHEMA fieldapp")
            done.append(_("schema fieldapp"))
        conn.execute("CREATE TABLE IF NOT EXISTS fieldapp.schema_version (version integer NOT NULL)")
        current = schema_version(conn)
        if current > SCHEMA_VERSION:
            raise HubError(_("The hub database was set up by a newer version of Fältlogg "
                             "(schema {current}); update the app.").format(current=current))
        for version, description, statements in MIGRATIONS:
            if version <= current:
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO fieldapp.schema_version (version) VALUES (%s)", (version,))
            done.append(_("schema version {version}: {description}").format(
                version=version, description=description))
    return done


def _quote_role(conn, role: str) -> str:
    from psycopg import sql

    return sql.Identifier(role).as_string(conn)


def register_device(conn, *, team: str, role: str, device_id: uuid.UUID,
                    password: str | None = None) -> list[str]:
    """Map ``device_id`` to the login role ``role`` in ``team`` (creating the role if needed)."""
    done = []
    with conn.transaction():
        done += _ensure_role(conn, role, DEVICE_GROUP, password)
        conn.execute(
            "INSERT INTO fieldapp.device (device_id, role_name, team) VALUES (%s, %s, %s) "
            "ON CONFLICT (device_id) DO UPDATE SET role_name = excluded.role_name, team = excluded.team",
            (device_id, role, team))
        done.append(_("device {device} writes as role {role} in team {team}").format(
            device=device_id, role=role, team=team))
    return done


def register_lead(conn, *, team: str, role: str, password: str | None = None) -> list[str]:
    done = []
    with conn.transaction():
        done += _ensure_role(conn, role, LEAD_GROUP, password)
        conn.execute(
            "INSERT INTO fieldapp.team_member (role_name, team, is_lead) VALUES (%s, %s, true) "
            "ON CONFLICT (role_name, team) DO UPDATE SET is_lead = true", (role, team))
        done.append(_("role {role} reads every record of team {team}").format(role=role, team=team))
    return done


def _ensure_role(conn, role: str, group: str, password: str | None) -> list[str]:
    from psycopg import sql

    done = []
    if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        done.append(_("role {role}").format(role=role))
    if password:
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)))
    conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(role)))
    return done


def _row_envelope(row) -> Envelope:
    type_, id_, device_id, revision, updated_at, deleted, data = row
    return {"type": type_, "id": str(id_), "device_id": str(device_id), "revision": revision,
            "updated_at": format_time(updated_at), "deleted": deleted, "data": data}


class PostgresHub:
    kind = "postgres"

    def __init__(self, url: str, *, team: str | None = None):
        self.url = url
        self.description = redact(url)
        self.team = team
        self.hub_id = ""
        self.conn = None
        self.can_write = False

    def connect(self, device_id: uuid.UUID) -> None:
        import psycopg

        self.conn = connect(self.url)
        try:
            version = schema_version(self.conn)
            if version == 0:
                raise HubError(_("The PostgreSQL hub {url} is not set up. Run: fieldapp hub "
                                 "init-postgres URL (as the database owner).").format(url=self.description))
            if version > SCHEMA_VERSION:
                raise HubError(_("The hub database was set up by a newer version of Fältlogg "
                                 "(schema {current}); update the app.").format(current=version))
            if version < SCHEMA_VERSION:
                raise HubError(_("The hub database needs an upgrade: run fieldapp hub "
                                 "init-postgres URL (as the database owner)."))
            self.hub_id = str(self.conn.execute("SELECT hub_id FROM fieldapp.hub_info").fetchone()[0])
            team = self.conn.execute("SELECT fieldapp.device_team(current_user::text, %s)",
                                     (device_id,)).fetchone()[0]
            self.can_write = team is not None
            if team is None:
                teams = [r[0] for r in self.conn.execute(
                    "SELECT fieldapp.role_teams(current_user::text)").fetchall()]
                if self.team in teams:
                    team = self.team
                elif len(teams) == 1:
                    team = teams[0]
                else:
                    raise HubError(_("This computer (device {device}) is not registered in the "
                                     "hub for this database role. Ask the hub's administrator to "
                                     "run: fieldapp hub add-device URL --team TEAM --role ROLE "
                                     "--device {device}").format(device=device_id))
            self.team = team
        except psycopg.Error as exc:
            self.close()
            raise HubError(_("The PostgreSQL hub {url} cannot be used: {error}").format(
                url=self.description, error=str(exc).strip())) from exc
        except HubError:
            self.close()
            raise

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def check_own(self, device_id: uuid.UUID, state: HubState) -> list[str]:
        return []  # the server keeps every row; nothing to repair

    def forget_gone(self, state: HubState) -> None:
        state.refused.clear()  # a refused row is reported once; a newer revision replaces it

    def _lock(self, shared: bool) -> None:
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        self.conn.execute(f"SELECT {function}(hashtext('fieldapp:team:' || %s))", (self.team,))

    def push(self, device_id: uuid.UUID, envelopes: Sequence[Envelope],
             state: HubState) -> PushReceipt:
        import psycopg
        from psycopg.types.json import Jsonb

        if not self.can_write:
            raise HubError(_("This computer (device {device}) may only read from the hub; "
                             "{count} records wait to be sent. Ask the hub's administrator to "
                             "register it: fieldapp hub add-device URL --team TEAM --role ROLE "
                             "--device {device}").format(device=device_id, count=len(envelopes)))
        params = [{
            "team": self.team, "id": uuid.UUID(env["id"]), "type": env["type"],
            "device_id": uuid.UUID(env["device_id"]), "pushed_by": device_id,
            "revision": env["revision"], "updated_at": parse_time(env["updated_at"]),
            "deleted": env["deleted"], "digest": content_digest(env), "data": Jsonb(env["data"]),
        } for env in envelopes]
        try:
            with self.conn.transaction():
                self._lock(shared=False)
                with self.conn.cursor() as cursor:
                    cursor.executemany(UPSERT, params)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise HubError(_("The hub refused the records: this database role may write only "
                             "the records of its own devices ({error}). Nothing counts as "
                             "synced.").format(error=str(exc).strip())) from exc
        except psycopg.Error as exc:
            raise HubError(_("The records could not be written to the hub: {error}. Nothing "
                             "counts as synced.").format(error=str(exc).strip())) from exc
        return PushReceipt(label=self.description, seq=None)

    def batches(self, device_id: uuid.UUID, state: HubState) -> Iterator[Batch]:
        import psycopg

        cursor = state.cursors.get("server", 0)
        while True:
            try:
                with self.conn.transaction():
                    self._lock(shared=True)
                    rows = self.conn.execute(
                        "SELECT server_seq, type, id, device_id, revision, updated_at, deleted, data "
                        "FROM fieldapp.envelope WHERE team = %s AND server_seq > %s "
                        "ORDER BY server_seq LIMIT %s", (self.team, cursor, PAGE_SIZE)).fetchall()
            except psycopg.Error as exc:
                raise HubError(_("The hub could not be read: {error}").format(
                    error=str(exc).strip())) from exc
            if not rows:
                return
            first, last = rows[0][0], rows[-1][0]
            yield Batch(label=_("{hub}, records {first}–{last}").format(
                hub=self.description, first=first, last=last),
                source="server", seq=last, load=lambda rows=rows: self._content(rows))
            cursor = last

    @staticmethod
    def _content(rows) -> BatchContent:
        envelopes, seen = [], {}
        for row in rows:
            env = _row_envelope(row[1:])
            try:
                validate_envelope(env)
            except EnvelopeError as exc:
                raise BundleError(_("record {id} is not valid: {error}").format(
                    id=env["id"], error=exc)) from None
            envelopes.append(env)
            device = uuid.UUID(env["device_id"])
            at = parse_time(env["updated_at"])
            if device not in seen or at > seen[device]:
                seen[device] = at
        return BatchContent(envelopes, seen)
