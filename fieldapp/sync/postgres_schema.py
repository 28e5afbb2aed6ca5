"""The PostgreSQL hub's schema: its migrations, its upgrade and the mapping of roles to devices.

The schema ``fieldapp`` is created and upgraded by the app (:func:`upgrade_schema`, run by
``fieldapp hub init-postgres URL``) and versioned in ``fieldapp.schema_version``; a migration
is never changed once released, a later one changes what an earlier one made. Tables:

- ``envelope``: one row per record and team (see :mod:`fieldapp.sync.postgres`);
- ``device``: which database role writes for which device, in which team;
  ``team_member``: roles that read a team without writing (team leads).

What the server holds to, whatever a device's role sends (version 2, issue 14):

- ``server_seq``, ``team`` and ``pushed_by`` are the server's: a device role has no right to
  write them (column privileges), and a trigger sets them on every insert and update: the
  next ``server_seq``, the writer from the session's device (``fieldapp.device``, set by the
  client at connect and accepted only when it is a device of the calling role) and the team
  that device is registered in;
- a revision lies in ``1..MAX_REVISION`` (``bigint``) and rises by at most ``REVISION_STEP``
  per write, so a shared record cannot be pinned out of everyone's reach;
- ``type`` is one of the synced types and ``data`` is an object whose keys are the
  shareable fields of its type (:func:`shareable_keys`, from the field tables of
  :mod:`fieldapp.sync.envelope`: the one place that says what is shared);
- the helper functions the row-level security uses (``role_teams()``, ``role_devices(team)``,
  ``device_team(device)``) answer for the calling role only, and a role reads only its own
  rows of ``device`` and ``team_member``.

A later version that adds a shareable field adds a migration that runs
:func:`shareable_keys_sql` again (``CREATE OR REPLACE``).
"""

from __future__ import annotations

import uuid

from fieldapp.i18n import _
from fieldapp.sync.envelope import RENAMED_FIELDS, SHARED_TYPES, SPECS, TYPE_ORDER
from fieldapp.sync.hub import HubError

SCHEMA = "fieldapp"
DEVICE_GROUP = "fieldapp_device"
LEAD_GROUP = "fieldapp_lead"

# Revisions: within PostgreSQL's bigint and SQLite's integer with room to spare, and at most
# REVISION_STEP above the revision the hub holds (an honest record rises by one per edit).
MAX_REVISION = 2**62
REVISION_STEP = 1_000_000

_SHARED_SQL = ", ".join(f"'{name}'" for name in sorted(SHARED_TYPES))
_TYPES_SQL = ", ".join(f"'{name}'" for name in TYPE_ORDER)


def shareable_keys(type_name: str) -> tuple[str, ...]:
    """The keys ``data`` may hold for a type: its shareable fields, and the names an older
    version sent them under (:data:`fieldapp.sync.envelope.RENAMED_FIELDS`)."""
    names = [field.name for field in SPECS[type_name].fields]
    names += list(RENAMED_FIELDS.get(type_name, {}))
    return tuple(sorted(set(names)))


def shareable_keys_sql() -> list[str]:
    """``fieldapp.shareable_keys(type)`` and ``fieldapp.data_is_shareable(type, data)``,
    generated from :func:`shareable_keys`."""
    cases = " ".join(
        "WHEN '{}' THEN ARRAY[{}]::text[]".format(
            name, ", ".join(f"'{key}'" for key in shareable_keys(name)))
        for name in TYPE_ORDER)
    return [
        f"""CREATE OR REPLACE FUNCTION fieldapp.shareable_keys(type text) RETURNS text[]
               LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
               SELECT CASE $1 {cases} END $$""",
        """CREATE OR REPLACE FUNCTION fieldapp.data_is_shareable(type text, data jsonb)
               RETURNS boolean LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
               SELECT CASE WHEN jsonb_typeof($2) IS DISTINCT FROM 'object' THEN false
                           ELSE NOT EXISTS (
                               SELECT 1 FROM jsonb_object_keys($2) AS k(key)
                               WHERE k.key <> ALL (coalesce(fieldapp.shareable_keys($1), '{}')))
                      END $$""",
    ]


_SERVER_COLUMNS = f"""CREATE FUNCTION fieldapp.envelope_server_columns() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    writer uuid := nullif(current_setting('fieldapp.device', true), '')::uuid;
    writer_team text;
    held bigint;
BEGIN
    SELECT d.team INTO writer_team FROM fieldapp.device d
     WHERE d.device_id = writer AND d.role_name = current_user::text;
    IF writer_team IS NULL THEN
        RAISE EXCEPTION 'role % writes for no registered device %', current_user, writer
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.team <> writer_team THEN
            RAISE EXCEPTION 'device % writes in team %, not %', writer, writer_team, OLD.team
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        held := OLD.revision;
    ELSE
        SELECT e.revision INTO held FROM fieldapp.envelope e
         WHERE e.team = writer_team AND e.id = NEW.id;
    END IF;
    IF NEW.revision > coalesce(held, 0) + {REVISION_STEP} THEN
        RAISE EXCEPTION 'revision % of % is more than {REVISION_STEP} above %',
            NEW.revision, NEW.id, coalesce(held, 0) USING ERRCODE = 'check_violation';
    END IF;
    NEW.team := writer_team;
    NEW.pushed_by := writer;
    NEW.server_seq := nextval('fieldapp.envelope_server_seq_seq');
    RETURN NEW;
END $$"""

_WRITABLE = "type, device_id, revision, updated_at, deleted, digest, data"

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
    (2, "server-set columns, bounded revisions, known types and shareable keys, "
        "helper functions for the calling role only", [
        # The helper functions answer for the calling role: they read the mapping as the
        # caller (no SECURITY DEFINER), and row-level security shows a role its own rows.
        "DROP POLICY envelope_read ON fieldapp.envelope",
        "DROP POLICY envelope_insert ON fieldapp.envelope",
        "DROP POLICY envelope_update ON fieldapp.envelope",
        """DROP FUNCTION fieldapp.role_teams(text), fieldapp.role_devices(text, text),
               fieldapp.device_team(text, uuid)""",
        "ALTER TABLE fieldapp.device ENABLE ROW LEVEL SECURITY",
        """CREATE POLICY device_own ON fieldapp.device FOR SELECT
               USING (role_name = current_user::text)""",
        "ALTER TABLE fieldapp.team_member ENABLE ROW LEVEL SECURITY",
        """CREATE POLICY team_member_own ON fieldapp.team_member FOR SELECT
               USING (role_name = current_user::text)""",
        f"GRANT SELECT ON fieldapp.device, fieldapp.team_member TO {DEVICE_GROUP}, {LEAD_GROUP}",
        """CREATE FUNCTION fieldapp.role_teams() RETURNS SETOF text
               LANGUAGE sql STABLE SET search_path = fieldapp, pg_temp AS $$
               SELECT d.team FROM fieldapp.device d WHERE d.role_name = current_user::text
               UNION SELECT m.team FROM fieldapp.team_member m
               WHERE m.role_name = current_user::text $$""",
        """CREATE FUNCTION fieldapp.role_devices(team text) RETURNS SETOF uuid
               LANGUAGE sql STABLE SET search_path = fieldapp, pg_temp AS $$
               SELECT d.device_id FROM fieldapp.device d
               WHERE d.role_name = current_user::text AND d.team = $1 $$""",
        """CREATE FUNCTION fieldapp.device_team(device uuid) RETURNS text
               LANGUAGE sql STABLE SET search_path = fieldapp, pg_temp AS $$
               SELECT d.team FROM fieldapp.device d
               WHERE d.role_name = current_user::text AND d.device_id = $1 $$""",
        """CREATE POLICY envelope_read ON fieldapp.envelope FOR SELECT
               USING (team IN (SELECT fieldapp.role_teams()))""",
        f"""CREATE POLICY envelope_insert ON fieldapp.envelope FOR INSERT
               WITH CHECK (pushed_by IN (SELECT fieldapp.role_devices(team))
                           AND (type IN ({_SHARED_SQL}) OR device_id = pushed_by))""",
        f"""CREATE POLICY envelope_update ON fieldapp.envelope FOR UPDATE
               USING (team IN (SELECT fieldapp.role_teams())
                      AND (type IN ({_SHARED_SQL})
                           OR device_id IN (SELECT fieldapp.role_devices(team))))
               WITH CHECK (pushed_by IN (SELECT fieldapp.role_devices(team))
                           AND (type IN ({_SHARED_SQL}) OR device_id = pushed_by))""",
        f"""GRANT EXECUTE ON FUNCTION fieldapp.role_teams(), fieldapp.role_devices(text),
               fieldapp.device_team(uuid) TO {DEVICE_GROUP}, {LEAD_GROUP}""",
        # Rows an earlier version let in that the constraints below refuse: a type no app
        # knows (it could never be applied) goes, keys that are not shareable are removed.
        *shareable_keys_sql(),
        f"DELETE FROM fieldapp.envelope WHERE type NOT IN ({_TYPES_SQL}) "
        "OR jsonb_typeof(data) <> 'object'",
        """UPDATE fieldapp.envelope SET data = (
               SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) FROM jsonb_each(data)
               WHERE key = ANY (fieldapp.shareable_keys(type)))
           WHERE NOT fieldapp.data_is_shareable(type, data)""",
        "ALTER TABLE fieldapp.envelope ALTER COLUMN revision TYPE bigint",
        f"""ALTER TABLE fieldapp.envelope
               ADD CONSTRAINT envelope_revision_range CHECK (revision BETWEEN 1 AND {MAX_REVISION}),
               ADD CONSTRAINT envelope_type_known CHECK (type IN ({_TYPES_SQL})),
               ADD CONSTRAINT envelope_data_shareable CHECK (fieldapp.data_is_shareable(type, data))""",
        # server_seq, team and pushed_by: the server's.
        _SERVER_COLUMNS,
        """CREATE TRIGGER envelope_server_columns BEFORE INSERT OR UPDATE ON fieldapp.envelope
               FOR EACH ROW EXECUTE FUNCTION fieldapp.envelope_server_columns()""",
        f"REVOKE INSERT, UPDATE ON fieldapp.envelope FROM {DEVICE_GROUP}",
        f"GRANT INSERT (id, {_WRITABLE}) ON fieldapp.envelope TO {DEVICE_GROUP}",
        f"GRANT UPDATE ({_WRITABLE}) ON fieldapp.envelope TO {DEVICE_GROUP}",
    ]),
    # The app's data file 0007: a place's description is shared (through the gate).
    (3, "a place's description is a shareable key", shareable_keys_sql()),
    # Found by the bench (issue 19): a session caches the trigger's plan of its look-up by
    # (team, id). Planned while the table was empty (a new hub, or one just analyzed when
    # small), that plan scans the table, and a push of 100,000 records into it took minutes,
    # each row slower than the last. Planned at every call, it uses the primary key.
    (4, "the server-columns trigger plans its look-up at every call", [
        "ALTER FUNCTION fieldapp.envelope_server_columns() "
        "SET plan_cache_mode = force_custom_plan",
    ]),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(conn) -> int:
    row = conn.execute(
        "SELECT to_regclass('fieldapp.schema_version') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    row = conn.execute("SELECT max(version) FROM fieldapp.schema_version").fetchone()
    return int(row[0] or 0)


def upgrade_schema(conn, *, target: int = SCHEMA_VERSION) -> list[str]:
    """Create or upgrade the hub schema and group roles (up to ``target``: the tests make a
    hub as an earlier version did); returns what was done (for printing). Needs a role that
    may create schemas and roles."""
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
            if version <= current or version > target:
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO fieldapp.schema_version (version) VALUES (%s)", (version,))
            done.append(_("schema version {version}: {description}").format(
                version=version, description=description))
    return done


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
