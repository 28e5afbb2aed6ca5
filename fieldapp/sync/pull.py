"""The pull: apply the hub's batches to the local store, many per transaction.

A batch's rows, its cursor and its receipts are committed together (:class:`Pull`); a
record that refers to one not received yet is parked (:func:`apply_batch`) and applied as
soon as its parent arrives. Plain code (no Qt), run by :func:`fieldapp.sync.engine.sync`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from fieldapp.domain.shareable import TextKind, may_leave
from fieldapp.i18n import _
from fieldapp.store.database import Database
from fieldapp.store.models import REFERENCE_DEVICE_ID, Device
from fieldapp.store.services.known import known_words
from fieldapp.sync import state as sync_state
from fieldapp.sync.apply import ApplyCache, Outcome, apply_envelope, sort_for_apply
from fieldapp.sync.bundle import BundleError
from fieldapp.sync.envelope import OWNED_TYPES, Envelope, EnvelopeError, format_time, sort_key
from fieldapp.sync.hub import Batch, HubError, HubState
from fieldapp.sync.report import (
    CancelFn,
    DeviceSeen,
    ProgressFn,
    Refusal,
    SyncReport,
    TextRefusal,
    merge,
)
from fieldapp.store.types import utcnow
from fieldapp.sync.validate import (
    check_received_time,
    check_revision_step,
    screen_envelope,
    validate_envelope,
)

# Records pulled per transaction (whole batches, so a little more). A commit writes every page
# the transaction changed to disk, and with random ids nearly every index page changes: fewer,
# larger transactions write far less. The bound keeps what a sync cut off loses (it is pulled
# again at the next sync), the write-ahead log and the time other programs wait to write.
COMMIT_RECORDS = 50_000


def database_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" (another program held a write lock longer than
    the busy timeout): not a fault of the batch, so it is not refused for it."""
    return isinstance(exc, OperationalError) and any(
        word in str(exc.orig).lower() for word in ("locked", "busy"))


def _short(exc: BaseException) -> str:
    """An error for the report: its message (cut short), or its kind when it has none."""
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 300 else text[:300] + "…"


def _park_key(env: Envelope) -> str:
    return f"{env['type']}:{env['id']}"


def _owner(env: Envelope) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(env["device_id"]))
    except ValueError:
        return None


def apply_batch(session: Session, envelopes: Sequence[Envelope], device_id: uuid.UUID,
                report: SyncReport, present: dict[str, set[uuid.UUID]] | None = None,
                signer: uuid.UUID | None = None, *, now: dt.datetime | None = None,
                check_step: bool = False) -> dict[str, set[uuid.UUID]]:
    """Apply a batch and every parked record it makes applicable, in the caller's transaction.

    ``present``: records known to be stored in this transaction (see :class:`ApplyCache`).
    ``signer``: the device that signed the batch; an owned record (shift, observation, …)
    owned by another device is refused and reported, the rest of the batch still applies.
    Received envelopes are screened first (:func:`fieldapp.sync.validate.screen_envelope`,
    and a time at most two days past ``now``, this device's clock): a record refused whole is
    left out and reported, a refused text is stored empty and reported. ``check_step``: a
    revision too far above the one held here
    (:func:`fieldapp.sync.validate.check_revision_step`) raises EnvelopeError, so that the
    whole batch is refused and read again at the next sync (folder hub: by then the steps
    between may have arrived from another device's bundle, and every device ends the same).
    Returns the records written (type -> ids)."""
    now = now or utcnow()
    parked: dict[str, Envelope] = {}
    for env in sync_state.parked(session):
        try:
            validate_envelope(env)
        except EnvelopeError:
            continue
        parked[_park_key(env)] = env

    screened: list[Envelope] = []
    known = known_words(session)  # the gate's known words: places, partners, staff, allow-list
    refused_texts: dict[int, tuple[tuple[str, str], ...]] = {}
    for env in envelopes:
        if signer is not None and env["type"] in OWNED_TYPES and _owner(env) != signer:
            report.records_refused.append(Refusal(f"{env['type']} {env['id']}", _(
                "owned by device {owner} but sent in a bundle signed by device {signer}: only "
                "the owner may send its records").format(owner=env["device_id"], signer=signer)))
            continue
        try:
            check_received_time(env, now)
            result = screen_envelope(env, known)
        except EnvelopeError as exc:  # refused whole: the rest of the batch still applies
            report.records_refused.append(Refusal(f"{env['type']} {env['id']}", str(exc)))
            continue
        screened.append(result.envelope)
        if result.refused_texts:
            refused_texts[id(result.envelope)] = result.refused_texts
    ordered = sort_for_apply(screened)
    # The rows the batch touches, in a few queries; changes are written once per type
    # (parents before children), not once per record, and new records without ORM objects.
    cache = ApplyCache(session, [*ordered, *parked.values()], present)

    def check_revision(env: Envelope) -> None:
        if check_step:
            row = cache.row(env["type"], uuid.UUID(env["id"]))
            check_revision_step(env, row.revision if row is not None else 0)

    def apply(env: Envelope) -> Outcome:
        check_revision(env)
        outcome = apply_envelope(session, env, device_id, cache)
        if outcome is Outcome.APPLIED:
            report.pulled[env["type"]] = report.pulled.get(env["type"], 0) + 1
        elif outcome is Outcome.REFUSED:
            report.ignored += 1
        if outcome in (Outcome.APPLIED, Outcome.MISSING_PARENT):  # stored now or kept for later
            report.texts_refused += [TextRefusal(env["type"], env["id"], name, reason)
                                     for name, reason in refused_texts.pop(id(env), ())]
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
    sync_state.set_parked(session, sort_for_apply(parked.values()))
    report.waiting = len(parked)
    return cache.written


def see_devices(session: Session, seen: dict[uuid.UUID, dt.datetime], device_id: uuid.UUID,
                 report: SyncReport, names: dict[uuid.UUID, str] | None = None) -> None:
    """Record when each device was last seen, and the name it gave itself (``names``: a
    name that this device's text gate refuses is not stored, and reported)."""
    for source, at in seen.items():
        if source in (device_id, REFERENCE_DEVICE_ID):
            continue
        row = sync_state.held(session, Device, source)
        if row is None:
            row = Device(id=source, name="", is_self=False, last_seen_at=at)
            session.add(row)
        elif row.last_seen_at is None or (at and at > row.last_seen_at):
            row.last_seen_at = at
        name = (names or {}).get(source, "")
        if name and name != row.name:
            if may_leave(name, TextKind.TEXT, known_words(session)):
                row.name = name
            else:
                report.texts_refused.append(TextRefusal("device", str(source), "name", _(
                    "the device name may identify a person")))
        report.devices = [d for d in report.devices if d.device_id != source]
        report.devices.append(DeviceSeen(source, row.last_seen_at))


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


class Pull:
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
        held = self.state.cursors.get(batch.source, 0)
        cursor = max(held, batch.seq)
        try:
            content = batch.load()
        except BundleError as exc:
            self._refuse(session, batch, key, cursor if batch.advance_when_refused else held,
                         str(exc))
            return 0
        except HubError:
            raise
        except Exception as exc:
            if database_busy(exc):
                raise
            self._refuse(session, batch, key, cursor if batch.advance_when_refused else held,
                         _("could not be read: {error}").format(error=_short(exc)))
            return 0
        part = SyncReport(hub=self.report.hub)
        try:
            with session.begin_nested() if careful else contextlib.nullcontext():
                written = apply_batch(session, content.envelopes, self.device_id, part,
                                      self.present, content.signer, now=self.clock(),
                                      check_step=not batch.advance_when_refused)
                see_devices(session, content.seen, self.device_id, part, content.names)
                session.flush()
        except Exception as exc:
            if database_busy(exc):
                raise
            if not careful:
                raise _Retry() from exc
            # Valid and signed, but this store cannot take it (e.g. a clash of unique keys):
            # nothing of it was applied (rolled back to the savepoint); report it like a
            # damaged bundle.
            self._refuse(session, batch, key, cursor,
                         _("could not be applied: {error}").format(error=_short(exc)))
            return len(content.envelopes)
        for name, ids in written.items():
            self.present.setdefault(name, set()).update(ids)
        merge(self.report, part)
        self.state.refused.pop(key, None)
        self._advance(session, batch.source, cursor)
        return len(content.envelopes)

    def _refuse(self, session: Session, batch: Batch, key: str, cursor: int,
                reason: str) -> None:
        self.state.refused[key] = {"file": batch.label, "reason": reason,
                                   "at": format_time(self.clock())}
        self._advance(session, batch.source, cursor)

    def _advance(self, session: Session, source: str, cursor: int) -> None:
        sync_state.save_refused(session, self.hub_id, self.state.refused)
        sync_state.save_cursor(session, self.hub_id, source, cursor)
        self.state.cursors[source] = cursor

    def _bookkeeping(self) -> tuple:
        """What a transaction changes outside the database (restored when it is rolled back)."""
        report, state = self.report, self.state
        return (dict(report.pulled), report.ignored, list(report.devices),
                dict(state.cursors), dict(state.refused), self.done,
                len(report.texts_refused), len(report.records_refused))

    def _restore(self, saved: tuple) -> None:
        pulled, self.report.ignored, devices, cursors, refused, self.done, texts, records = saved
        del self.report.texts_refused[texts:]
        del self.report.records_refused[records:]
        for now, before in ((self.report.pulled, pulled), (self.state.cursors, cursors),
                            (self.state.refused, refused)):
            now.clear()
            now.update(before)
        self.report.devices[:] = devices


