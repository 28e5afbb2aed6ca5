"""The sync engine: push what changed here, pull what the others pushed, keep receipts.

:func:`sync` is plain code (no Qt): the CLI calls it directly and the Synk view runs it on
the task runner. It takes a progress callback ``progress(done, total, message)`` and a cancel
check ``cancel() -> bool`` (looked at between bundles); a cancelled or interrupted sync
resumes where it stopped, because every pulled bundle is committed in the same transaction as
its cursor (many bundles per transaction, see :class:`_Pull`), and pushed records count as
synced only after the hub acknowledged them.

State kept in the Setting table (JSON values, device-local, never synced):

- ``sync.cursor.<hub-id>.<source>``: the last bundle (folder) or server_seq (PostgreSQL) read
- ``sync.pushed_seq.<hub-id>``: the number of this device's last bundle
- ``sync.refused.<hub-id>``: refused bundles ``{"<device>/<seq>": {file, reason, at}}``
- ``sync.verified.<hub-id>``: own bundles verified before, with the file's stamp (folder hub)
- ``sync.parked``: received records that refer to a record not received yet (kept and
  applied as soon as their parent arrives, whichever device it comes from)
- ``sync.acked_hub``: the hub the receipts (``acked_revision``) refer to; syncing with
  another hub sends everything once
- ``sync.last``: the last sync (hub, time, counts, error) for the Synk view
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from fieldapp.i18n import _
from fieldapp.store.database import Database
from fieldapp.store.models import REFERENCE_DEVICE_ID, Device, Setting
from fieldapp.store.services import retention
from fieldapp.store.types import utcnow
from fieldapp.sync.apply import ApplyCache, Outcome, apply_envelope, sort_for_apply
from fieldapp.sync.bundle import BundleError
from fieldapp.sync.envelope import (
    SPECS,
    TYPE_ORDER,
    Envelope,
    EnvelopeError,
    format_time,
    sort_key,
    to_envelope,
)
from fieldapp.sync.hub import Batch, Hub, HubError, HubState
from fieldapp.sync.receipts import LAST_SYNC_KEY, pushable
from fieldapp.sync.validate import validate_envelope

PARKED_KEY = "sync.parked"
ACKED_HUB_KEY = "sync.acked_hub"  # the hub the acked_revision receipts refer to

# Records pulled per transaction (whole batches, so a little more). A commit writes every page
# the transaction changed to disk, and with random ids nearly every index page changes: fewer,
# larger transactions write far less. The bound keeps what a sync cut off loses (it is pulled
# again at the next sync), the write-ahead log and the time other programs wait to write.
COMMIT_RECORDS = 50_000

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]


@dataclass(frozen=True)
class Refusal:
    file: str
    reason: str


@dataclass(frozen=True)
class DeviceSeen:
    device_id: uuid.UUID
    last_seen_at: dt.datetime | None


@dataclass
class SyncReport:
    hub: str
    pushed: dict[str, int] = field(default_factory=dict)  # type -> records sent
    pulled: dict[str, int] = field(default_factory=dict)  # type -> records applied
    refused: list[Refusal] = field(default_factory=list)  # bundles refused (still in the hub)
    devices: list[DeviceSeen] = field(default_factory=list)  # devices whose bundles were read
    pushed_to: str | None = None  # the bundle file (folder hub)
    repaired: list[str] = field(default_factory=list)  # own bundles found damaged: re-sent
    ignored: int = 0  # records from another device for a record it does not own
    waiting: int = 0  # received records waiting for a parent record
    expired: int = 0  # records past the retention limit, removed again right after the pull
    cancelled: bool = False
    finished_at: dt.datetime | None = None

    @property
    def pushed_total(self) -> int:
        return sum(self.pushed.values())

    @property
    def pulled_total(self) -> int:
        return sum(self.pulled.values())


# -- settings -------------------------------------------------------------------------------

def _held(session: Session, model: type, key):
    """``session.get`` that keeps the row for the rest of the session. A pull reads the same
    few rows (settings, devices) for every batch, and a session holds unchanged objects only
    weakly: without this each read would be a query."""
    held = session.info.setdefault("fieldapp.sync.held", {})
    row = held.get((model, key))
    if row is None or row not in session:  # not read yet, or dropped by a rolled-back savepoint
        row = session.get(model, key)
        if row is not None:
            held[(model, key)] = row
    return row


def _get(session: Session, key: str, default=None):
    row = _held(session, Setting, key)
    return default if row is None else row.value


def _set(session: Session, key: str, value) -> None:
    row = _held(session, Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def load_state(session: Session, hub_id: str) -> HubState:
    prefix = f"sync.cursor.{hub_id}."
    cursors = {
        row.key[len(prefix):]: int(row.value)
        for row in session.scalars(select(Setting).where(Setting.key.startswith(prefix, autoescape=True)))
    }
    return HubState(
        cursors=cursors,
        pushed_seq=int(_get(session, f"sync.pushed_seq.{hub_id}", 0) or 0),
        refused=dict(_get(session, f"sync.refused.{hub_id}", {}) or {}),
        verified=dict(_get(session, f"sync.verified.{hub_id}", {}) or {}),
    )


def team_key(session: Session | None = None, environ=None) -> bytes:
    """The team key: FIELDAPP_TEAM_KEY, else the OS keyring, else (only on a computer with
    no keyring) the setting ``team_key`` in this device's own, encrypted, database."""
    from fieldapp.store import secrets

    value = secrets.get_secret(secrets.TEAM_KEY, environ=environ) or ""
    if not value and session is not None and secrets.keyring_name() is None:
        value = _get(session, "team_key", "") or ""
    return str(value).encode("utf-8")


# -- push -----------------------------------------------------------------------------------

def pending_envelopes(session: Session, device_id: uuid.UUID) -> list[Envelope]:
    """Everything this device must send: parents before children."""
    envelopes = []
    for name in TYPE_ORDER:
        model = SPECS[name].model
        rows = session.scalars(select(model).where(pushable(model, device_id))
                               .order_by(model.updated_at, model.id))
        envelopes.extend(to_envelope(row) for row in rows)
    return envelopes


def mark_acked(session: Session, envelopes: Sequence[Envelope]) -> None:
    """The hub holds these revisions: record the receipts (never lowering one)."""
    by_type: dict[str, list[dict]] = {}
    for env in envelopes:
        by_type.setdefault(env["type"], []).append(
            {"rid": uuid.UUID(env["id"]), "rev": int(env["revision"])})
    for name, params in by_type.items():
        table = SPECS[name].model.__table__
        stmt = (update(table)
                .where(table.c.id == bindparam("rid"), table.c.acked_revision < bindparam("rev"))
                .values(acked_revision=bindparam("rev")))
        session.connection().execute(stmt, params)


def forget_receipts(session: Session, device_id: uuid.UUID) -> None:
    """Send everything this device holds again (its earlier bundles were damaged or lost)."""
    for name in TYPE_ORDER:
        spec = SPECS[name]
        table = spec.model.__table__
        stmt = update(table).values(acked_revision=0)
        if not spec.shared:
            stmt = stmt.where(table.c.device_id == device_id)
        session.execute(stmt)
    session.expire_all()


# -- pull -----------------------------------------------------------------------------------

def _park_key(env: Envelope) -> str:
    return f"{env['type']}:{env['id']}"


def apply_batch(session: Session, envelopes: Sequence[Envelope], device_id: uuid.UUID,
                report: SyncReport, present: dict[str, set[uuid.UUID]] | None = None,
                ) -> dict[str, set[uuid.UUID]]:
    """Apply a batch and every parked record it makes applicable, in the caller's transaction.

    ``present``: records known to be stored in this transaction (see :class:`ApplyCache`).
    Returns the records written (type -> ids)."""
    parked: dict[str, Envelope] = {}
    for env in _get(session, PARKED_KEY, []) or []:
        try:
            validate_envelope(env)
        except EnvelopeError:
            continue
        parked[_park_key(env)] = env

    ordered = sort_for_apply(envelopes)
    # The rows the batch touches, in a few queries; changes are written once per type
    # (parents before children), not once per record, and new records without ORM objects.
    cache = ApplyCache(session, [*ordered, *parked.values()], present)

    def apply(env: Envelope) -> Outcome:
        outcome = apply_envelope(session, env, device_id, cache)
        if outcome is Outcome.APPLIED:
            report.pulled[env["type"]] = report.pulled.get(env["type"], 0) + 1
        elif outcome is Outcome.REFUSED:
            report.ignored += 1
        return outcome

    current = None
    for env in ordered:
        if env["type"] != current:
            cache.flush()
            current = env["type"]
        outcome = apply(env)
        if outcome is Outcome.MISSING_PARENT:
            key = _park_key(env)
            if key not in parked or sort_key(env) > sort_key(parked[key]):
                parked[key] = env
    cache.flush()
    progress = True
    while parked and progress:
        progress = False
        for key, env in list(parked.items()):
            if apply(env) is not Outcome.MISSING_PARENT:
                cache.flush()
                del parked[key]
                progress = True
    _set(session, PARKED_KEY, sort_for_apply(parked.values()))
    report.waiting = len(parked)
    return cache.written


def _see_devices(session: Session, seen: dict[uuid.UUID, dt.datetime], device_id: uuid.UUID,
                 report: SyncReport) -> None:
    for source, at in seen.items():
        if source in (device_id, REFERENCE_DEVICE_ID):
            continue
        row = _held(session, Device, source)
        if row is None:
            row = Device(id=source, name="", is_self=False, last_seen_at=at)
            session.add(row)
        elif row.last_seen_at is None or (at and at > row.last_seen_at):
            row.last_seen_at = at
        report.devices = [d for d in report.devices if d.device_id != source]
        report.devices.append(DeviceSeen(source, row.last_seen_at))


# -- the sync -------------------------------------------------------------------------------

def sync(database: Database, hub: Hub, *, progress: ProgressFn | None = None,
         cancel: CancelFn | None = None, clock: Callable[[], dt.datetime] = utcnow) -> SyncReport:
    """Push, then pull. Raises :class:`HubError` (nothing local changed) when the hub cannot
    be used; a refused bundle is reported, not raised."""
    progress = progress or (lambda done, total, message: None)
    cancelled = cancel or (lambda: False)
    report = SyncReport(hub=hub.description)
    device_id = database.device_id()
    progress(0, 0, _("Connecting to the hub…"))
    try:
        hub.connect(device_id)
        with database.session() as session:
            state = load_state(session, hub.hub_id)
        _run(database, hub, device_id, state, report, progress, cancelled, clock)
    finally:
        hub.close()
    _record_last(database, hub, report, clock)
    return report


def _run(database: Database, hub: Hub, device_id: uuid.UUID, state: HubState,
         report: SyncReport, progress: ProgressFn, cancelled: CancelFn, clock) -> None:
    hub_id = hub.hub_id
    # 1. Receipts count for one hub: on another hub, send everything once. Own bundles that
    #    went missing or were damaged: send everything again too.
    verified = dict(state.verified)
    report.repaired = hub.check_own(device_id, state)
    with database.session() as session:
        if state.verified != verified:
            _set(session, f"sync.verified.{hub_id}", state.verified)
        if report.repaired or _get(session, ACKED_HUB_KEY) != hub_id:
            forget_receipts(session, device_id)
            _set(session, ACKED_HUB_KEY, hub_id)
    if cancelled():
        report.cancelled = True
        return
    # 2. Push.
    with database.session() as session:
        envelopes = pending_envelopes(session, device_id)
    if envelopes:
        progress(0, 0, _("Sending {count} records…").format(count=len(envelopes)))
        receipt = hub.push(device_id, envelopes, state)
        with database.session() as session:
            mark_acked(session, envelopes)
            if receipt.seq is not None:
                state.pushed_seq = receipt.seq
                _set(session, f"sync.pushed_seq.{hub_id}", receipt.seq)
        report.pushed = dict(Counter(env["type"] for env in envelopes))
        report.pushed_to = receipt.label
    # 3. Pull.
    hub.forget_gone(state)
    with database.session() as session:
        _set(session, f"sync.refused.{hub_id}", state.refused)
    _Pull(database, hub_id, device_id, state, report, progress, cancelled, clock).run(
        hub.batches(device_id, state))
    with database.session() as session:
        report.waiting = len(_get(session, PARKED_KEY, []) or [])
    report.refused = [Refusal(r.get("file", key), r.get("reason", ""))
                      for key, r in sorted(state.refused.items())]
    # 4. What the pull brought that the retention rules have removed here (a full pull from
    #    a new hub holds every year the hub keeps) goes again now, not at the next daily run.
    if report.pulled:
        with database.session() as session:
            counts = retention.run(session, now=clock())
        report.expired = sum(c.count for c in counts if c.rule == retention.RULE_RECORDS)


def _merge(report: SyncReport, part: SyncReport) -> None:
    """Add what one applied batch did (``part``) to the sync's report."""
    for name, count in part.pulled.items():
        report.pulled[name] = report.pulled.get(name, 0) + count
    report.ignored += part.ignored
    for seen in part.devices:
        report.devices = [d for d in report.devices if d.device_id != seen.device_id]
        report.devices.append(seen)


def _begin(session: Session) -> None:
    """Begin the transaction now. pysqlite begins one only before the first write, so a
    SAVEPOINT before that would begin it instead, and releasing the savepoint would commit
    everything."""
    connection = session.connection()
    dbapi_connection = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite" and not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


class _Retry(Exception):
    """A batch failed in a transaction without savepoints: roll it back and apply its batches
    again, each in a savepoint."""


class _Pull:
    """Apply the hub's batches, many in one transaction (up to :data:`COMMIT_RECORDS`
    records), not one transaction per batch. A batch's rows, its cursor and its receipts are
    committed together; a sync cut off before a commit loses the batches since the last one,
    and the next sync reads them again.

    A batch that cannot be applied is refused alone: the batches before and after it still
    apply. A savepoint per batch would do that, but costs about a sixth of a large pull, and a
    batch almost never fails; so batches are applied without savepoints, and when one fails
    the whole transaction is rolled back and its batches are applied again in a transaction
    of their own, each in a savepoint: the failing one is then rolled back alone and
    refused."""

    def __init__(self, database: Database, hub_id: str, device_id: uuid.UUID, state: HubState,
                 report: SyncReport, progress: ProgressFn, cancelled: CancelFn, clock):
        self.database, self.hub_id, self.device_id = database, hub_id, device_id
        self.state, self.report, self.clock = state, report, clock
        self.progress, self.cancelled = progress, cancelled
        self.done = 0
        self.total = 0
        self.hub_error: HubError | None = None
        self.present: dict[str, set[uuid.UUID]] = {}  # stored records, in this transaction

    def run(self, batches: Iterable[Batch]) -> None:
        self.total = len(batches) if isinstance(batches, list) else 0
        todo = iter(batches)
        replay: list[Batch] = []  # the batches of a transaction rolled back
        more = True
        while more and not self.report.cancelled:
            taken: list[Batch] = []
            before = self._bookkeeping()
            try:
                with self.database.session() as session:
                    _begin(session)
                    if replay:
                        self._transaction(session, iter(replay), [], careful=True)
                    else:
                        more = self._transaction(session, todo, taken, careful=False)
            except _Retry:
                self._restore(before)
                replay = taken
                continue
            replay = []
            if self.hub_error is not None:  # the batches read before it are committed
                raise self.hub_error
        self.progress(self.total, self.total, _("Done"))

    def _transaction(self, session: Session, todo: Iterator[Batch], taken: list[Batch], *,
                     careful: bool) -> bool:
        """Apply batches until enough records for one transaction; False: nothing left."""
        self.present = {}
        records = 0
        while records < COMMIT_RECORDS:
            try:
                batch = next(todo, None)
            except HubError as exc:
                self.hub_error = exc
                return False
            if batch is None:
                return False
            if self.cancelled():
                self.report.cancelled = True
                return False
            taken.append(batch)
            self.progress(self.done, self.total, _("Reading {file}").format(file=batch.label))
            records += self._one(session, batch, careful)
            self.done += 1
        return True

    def _one(self, session: Session, batch: Batch, careful: bool) -> int:
        """Apply one batch (or refuse it); returns its number of records. Not ``careful``:
        raise :class:`_Retry` if it fails."""
        key = batch.refusal_key or f"{batch.source}/{batch.seq}"
        cursor = max(self.state.cursors.get(batch.source, 0), batch.seq)
        try:
            content = batch.load()
        except BundleError as exc:
            self._refuse(session, batch, key, cursor, str(exc))
            return 0
        part = SyncReport(hub=self.report.hub)
        try:
            with session.begin_nested() if careful else contextlib.nullcontext():
                written = apply_batch(session, content.envelopes, self.device_id, part,
                                      self.present)
                _see_devices(session, content.seen, self.device_id, part)
                session.flush()
        except (SQLAlchemyError, ValueError, KeyError, TypeError) as exc:
            if not careful:
                raise _Retry() from exc
            # Valid and signed, but this store cannot take it (e.g. a clash of unique keys):
            # nothing of it was applied (rolled back to the savepoint); report it like a
            # damaged bundle.
            self._refuse(session, batch, key, cursor,
                         _("could not be applied: {error}").format(error=exc))
            return len(content.envelopes)
        for name, ids in written.items():
            self.present.setdefault(name, set()).update(ids)
        _merge(self.report, part)
        self.state.refused.pop(key, None)
        self._advance(session, batch.source, cursor)
        return len(content.envelopes)

    def _refuse(self, session: Session, batch: Batch, key: str, cursor: int,
                reason: str) -> None:
        self.state.refused[key] = {"file": batch.label, "reason": reason,
                                   "at": format_time(self.clock())}
        self._advance(session, batch.source, cursor)

    def _advance(self, session: Session, source: str, cursor: int) -> None:
        _set(session, f"sync.refused.{self.hub_id}", dict(self.state.refused))
        _set(session, f"sync.cursor.{self.hub_id}.{source}", cursor)
        self.state.cursors[source] = cursor

    def _bookkeeping(self) -> tuple:
        """What a transaction changes outside the database (restored when it is rolled back)."""
        report, state = self.report, self.state
        return (dict(report.pulled), report.ignored, list(report.devices),
                dict(state.cursors), dict(state.refused), self.done)

    def _restore(self, saved: tuple) -> None:
        pulled, self.report.ignored, devices, cursors, refused, self.done = saved
        for now, before in ((self.report.pulled, pulled), (self.state.cursors, cursors),
                            (self.state.refused, refused)):
            now.clear()
            now.update(before)
        self.report.devices[:] = devices


def _record_last(database: Database, hub: Hub, report: SyncReport, clock) -> None:
    report.finished_at = clock()
    with database.session() as session:
        _set(session, LAST_SYNC_KEY, {
            "hub": hub.description, "hub_id": hub.hub_id, "at": format_time(report.finished_at),
            "pushed": report.pushed_total, "pulled": report.pulled_total,
            "refused": len(report.refused), "cancelled": report.cancelled,
        })
