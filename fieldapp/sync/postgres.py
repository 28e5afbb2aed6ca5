"""PostgresHub: the team's hub as a PostgreSQL database (a central server, for a whole city).

The schema (tables, row-level security, what the server holds to whatever a device's role
sends, the upgrade of an existing hub) is :mod:`fieldapp.sync.postgres_schema`. Its
``envelope`` table holds one row per record and team, ``(team, id)`` primary key (reference
data has the same ids in every team, so the id alone is not unique across teams), ``type``,
``device_id`` (the record's owner), ``pushed_by`` (the device that wrote this revision),
``revision``, ``updated_at``, ``deleted``, ``digest`` (SHA-256 of the canonical ``(deleted,
data)``: the last tie-breaker of the apply rule), ``data jsonb`` and ``server_seq``. An upsert
keeps the row with the higher ``(revision, updated_at, device_id, digest)``; the server gives
a changed row a new ``server_seq``, its team and its writer; devices pull by ``server_seq``.

Row-level security (DESIGN.md): a device's role may insert and update only rows pushed by its
own devices, and of shifts, observations, meetings and actions only those its devices own
(places, staff and reference data are shared: any device of the team may send a newer
revision); every member of a team (its devices' roles and its leads) reads the team's rows
and no other team's.

Writers take a per-team advisory lock for their transaction and readers take it shared, so a
reader never sees a later ``server_seq`` committed before an earlier one (which a cursor
would otherwise skip for ever). Every session runs under ``lock_timeout`` and
``statement_timeout`` (set at connect), so a lock held by anyone ends in a clear message,
never a wait without end.

A row that is not a valid envelope is refused on its own (reported with its id and the
reason) and the rest of its page applies; a record this device cannot send (its revision out
of the hub's bounds) is left out of the push and reported, and the rest is sent.

The password comes from the URL or the environment (``PGPASSWORD`` or
``FIELDAPP_PG_PASSWORD``); it is never stored in the database file.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

from fieldapp.i18n import _
from fieldapp.sync.envelope import (
    Envelope,
    EnvelopeError,
    content_digest,
    format_time,
    parse_time,
)
from fieldapp.sync.hub import Batch, BatchContent, HubError, HubState, PushReceipt
from fieldapp.sync.postgres_schema import (  # noqa: F401 - the hub's public names
    DEVICE_GROUP,
    LEAD_GROUP,
    MAX_REVISION,
    MIGRATIONS,
    REVISION_STEP,
    SCHEMA,
    SCHEMA_VERSION,
    register_device,
    register_lead,
    schema_version,
    upgrade_schema,
)
from fieldapp.sync.validate import validate_envelope

PAGE_SIZE = 500
LOCK_TIMEOUT = 20.0  # seconds a sync waits for its team's lock (another sync of the team)
STATEMENT_TIMEOUT = 300.0  # seconds one statement may take (a push of 100,000 records: ~10 s)

UPSERT = """
INSERT INTO fieldapp.envelope AS e
    (id, type, device_id, revision, updated_at, deleted, digest, data)
VALUES (%(id)s, %(type)s, %(device_id)s, %(revision)s, %(updated_at)s, %(deleted)s,
        %(digest)s, %(data)s)
ON CONFLICT (team, id) DO UPDATE SET
    type = excluded.type, device_id = excluded.device_id,
    revision = excluded.revision, updated_at = excluded.updated_at, deleted = excluded.deleted,
    digest = excluded.digest, data = excluded.data
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


def connect(url: str, *, timeout: int = 10, lock_timeout: float = LOCK_TIMEOUT,
            statement_timeout: float = STATEMENT_TIMEOUT):
    """A psycopg connection in autocommit mode (each ``conn.transaction()`` block is one
    transaction) whose every statement runs under the lock and statement timeouts (seconds),
    or :class:`HubError` with a clear message."""
    import psycopg

    try:
        conn = psycopg.connect(url, password=_password(url), connect_timeout=timeout,
                               autocommit=True)
    except psycopg.Error as exc:
        raise HubError(_("The PostgreSQL hub {url} cannot be reached: {error}").format(
            url=redact(url), error=str(exc).strip().splitlines()[0] if str(exc).strip() else exc)) from exc
    try:
        conn.execute("SELECT set_config('lock_timeout', %s, false), "
                     "set_config('statement_timeout', %s, false)",
                     (f"{max(1, round(lock_timeout * 1000))}ms",
                      f"{max(1, round(statement_timeout * 1000))}ms"))
    except psycopg.Error as exc:
        conn.close()
        raise HubError(_("The PostgreSQL hub {url} cannot be used: {error}").format(
            url=redact(url), error=str(exc).strip())) from exc
    return conn


def timeout_error(exc: Exception, lock_timeout: float, statement_timeout: float) -> HubError | None:
    """The clear message for a timeout that fired, or None for any other error."""
    import psycopg

    if isinstance(exc, psycopg.errors.LockNotAvailable):
        return HubError(_("The hub is busy: the team's records stayed locked for more than "
                          "{seconds} seconds (lock_timeout), by another sync or a session that "
                          "hangs. Nothing counts as synced; try again in a while, and if it "
                          "goes on, ask the hub's administrator to end the session that holds "
                          "the lock.").format(seconds=f"{lock_timeout:g}"))
    if isinstance(exc, psycopg.errors.QueryCanceled):
        return HubError(_("The hub took longer than {seconds} seconds to answer and the request "
                          "was stopped (statement_timeout). Nothing counts as synced; try again "
                          "in a while, and if it goes on, ask the hub's administrator.").format(
                              seconds=f"{statement_timeout:g}"))
    return None


def _row_envelope(row) -> Envelope:
    type_, id_, device_id, revision, updated_at, deleted, data = row
    return {"type": type_, "id": str(id_), "device_id": str(device_id), "revision": revision,
            "updated_at": format_time(updated_at), "deleted": deleted, "data": data}


def _now() -> str:
    return format_time(dt.datetime.now(dt.timezone.utc))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class PostgresHub:
    kind = "postgres"

    def __init__(self, url: str, *, team: str | None = None, lock_timeout: float = LOCK_TIMEOUT,
                 statement_timeout: float = STATEMENT_TIMEOUT):
        self.url = url
        self.description = redact(url)
        self.team = team
        self.hub_id = ""
        self.conn = None
        self.can_write = False
        self.lock_timeout, self.statement_timeout = lock_timeout, statement_timeout
        self.push_refused: dict[str, dict] = {}  # records left out of the last push

    def _failed(self, exc: Exception, message: str) -> HubError:
        return timeout_error(exc, self.lock_timeout, self.statement_timeout) or HubError(
            message.format(error=str(exc).strip()))

    def connect(self, device_id: uuid.UUID) -> None:
        import psycopg

        self.conn = connect(self.url, lock_timeout=self.lock_timeout,
                            statement_timeout=self.statement_timeout)
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
            team = self.conn.execute("SELECT fieldapp.device_team(%s)", (device_id,)).fetchone()[0]
            self.can_write = team is not None
            if team is None:
                teams = [r[0] for r in self.conn.execute("SELECT fieldapp.role_teams()").fetchall()]
                if self.team in teams:
                    team = self.team
                elif len(teams) == 1:
                    team = teams[0]
                else:
                    raise HubError(_("This computer (device {device}) is not registered in the "
                                     "hub for this database role. Ask the hub's administrator to "
                                     "run: fieldapp hub add-device URL --team TEAM --role ROLE "
                                     "--device {device}").format(device=device_id))
            else:  # the server writes this device as the writer of every row it sends
                self.conn.execute("SELECT set_config('fieldapp.device', %s, false)",
                                  (str(device_id),))
            self.team = team
        except psycopg.Error as exc:
            self.close()
            raise self._failed(exc, _("The PostgreSQL hub {url} cannot be used: {error}").replace(
                "{url}", self.description)) from exc
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
        # A refused row is reported once (a newer revision replaces it); what the push just
        # left out is reported now.
        state.refused.clear()
        state.refused.update(self.push_refused)

    def _lock(self, shared: bool) -> None:
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        self.conn.execute(f"SELECT {function}(hashtext('fieldapp:team:' || %s))", (self.team,))

    def _refuse_push(self, env: Envelope, reason: str) -> None:
        self.push_refused[f"push/{env['type']}/{env['id']}"] = {
            "file": _("{type} {id} (not sent to {hub})").format(
                type=env["type"], id=env["id"], hub=self.description),
            "reason": reason, "at": _now()}

    def push(self, device_id: uuid.UUID, envelopes: Sequence[Envelope],
             state: HubState) -> PushReceipt:
        import psycopg
        from psycopg.types.json import Jsonb

        if not self.can_write:
            raise HubError(_("This computer (device {device}) may only read from the hub; "
                             "{count} records wait to be sent. Ask the hub's administrator to "
                             "register it: fieldapp hub add-device URL --team TEAM --role ROLE "
                             "--device {device}").format(device=device_id, count=len(envelopes)))
        self.push_refused = {}
        params = []
        for env in envelopes:
            if not 1 <= env["revision"] <= MAX_REVISION:
                self._refuse_push(env, _("revision {revision} is outside what the hub holds "
                                         "(1 to {max})").format(revision=env["revision"],
                                                                max=MAX_REVISION))
                continue
            params.append((env, {
                "id": uuid.UUID(env["id"]), "type": env["type"],
                "device_id": uuid.UUID(env["device_id"]), "revision": env["revision"],
                "updated_at": parse_time(env["updated_at"]), "deleted": env["deleted"],
                "digest": content_digest(env), "data": Jsonb(env["data"])}))
        failed = _("The records could not be written to the hub: {error}. Nothing counts as synced.")
        try:
            try:
                with self.conn.transaction():
                    self._lock(shared=False)
                    with self.conn.cursor() as cursor:
                        cursor.executemany(UPSERT, [p for _env, p in params])
            except (psycopg.errors.CheckViolation, psycopg.errors.NumericValueOutOfRange):
                self._push_one_by_one(params)  # find the rows the hub refuses, send the rest
        except psycopg.errors.InsufficientPrivilege as exc:
            raise HubError(_("The hub refused the records: this database role may write only "
                             "the records of its own devices ({error}). Nothing counts as "
                             "synced.").format(error=str(exc).strip())) from exc
        except psycopg.Error as exc:
            raise self._failed(exc, failed) from exc
        return PushReceipt(label=self.description, seq=None)

    def _push_one_by_one(self, params: list[tuple[Envelope, dict]]) -> None:
        """Each row in a savepoint of one transaction: a row the hub's constraints refuse is
        left out and reported; the others are written."""
        import psycopg

        with self.conn.transaction():
            self._lock(shared=False)
            for env, row in params:
                try:
                    with self.conn.transaction():
                        self.conn.execute(UPSERT, row)
                except (psycopg.errors.CheckViolation, psycopg.errors.NumericValueOutOfRange) as exc:
                    self._refuse_push(env, _("the hub refused it: {error}").format(
                        error=_first_line(exc)))

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
                raise self._failed(exc, _("The hub could not be read: {error}")) from exc
            if not rows:
                return
            first, last = rows[0][0], rows[-1][0]
            yield Batch(label=_("{hub}, records {first}–{last}").format(
                hub=self.description, first=first, last=last),
                source="server", seq=last,
                load=lambda rows=rows: self._content(rows, state))
            cursor = last

    def _content(self, rows, state: HubState) -> BatchContent:
        """The page's valid envelopes; a row that is not one is refused on its own (in
        ``state.refused``, with its id and the reason) and the rest of the page applies."""
        envelopes, seen = [], {}
        for row in rows:
            try:
                env = _row_envelope(row[1:])
                validate_envelope(env)
                if env["revision"] > MAX_REVISION:
                    raise EnvelopeError(_("revision {revision} is outside what the hub holds "
                                          "(1 to {max})").format(revision=env["revision"],
                                                                 max=MAX_REVISION))
            except (EnvelopeError, ValueError, TypeError, OverflowError) as exc:
                state.refused[f"server/record/{row[2]}"] = {
                    "file": _("{hub}, record {type} {id}").format(
                        hub=self.description, type=str(row[1])[:40], id=row[2]),
                    "reason": str(exc), "at": _now()}
                continue
            envelopes.append(env)
            device = uuid.UUID(env["device_id"])
            at = parse_time(env["updated_at"])
            if device not in seen or at > seen[device]:
                seen[device] = at
        return BatchContent(envelopes, seen)
