"""The sync engine: push what changed here, pull what the others pushed, keep receipts.

:func:`sync` is plain code (no Qt): the CLI calls it directly and the Synk view runs it on
the task runner. It takes a progress callback ``progress(done, total, message)`` and a cancel
check ``cancel() -> bool`` (looked at between bundles); a cancelled or interrupted sync
resumes where it stopped, because every pulled bundle is committed in the same transaction as
its cursor (many bundles per transaction, see :class:`fieldapp.sync.pull.Pull`), and pushed
records count as synced only after the hub acknowledged them.

The pull is :mod:`fieldapp.sync.pull`; the bookkeeping kept per hub (cursors, receipts,
refusals, parked records) is :mod:`fieldapp.sync.state`; the team key is
:mod:`fieldapp.sync.team_key`; the report is :mod:`fieldapp.sync.report`. Their public names
are re-exported here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Sequence

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from fieldapp.domain.shareable import TextKind, may_leave
from fieldapp.i18n import _
from fieldapp.store.database import Database
from fieldapp.store.services import retention
from fieldapp.store.services.known import known_words
from fieldapp.store.services.settings import SettingsService
from fieldapp.store.types import utcnow
from fieldapp.sync import state as sync_state
from fieldapp.sync import trust
from fieldapp.sync.envelope import SPECS, TYPE_ORDER, Envelope, format_time, to_envelope
from fieldapp.sync.hub import Hub, HubState
from fieldapp.sync.pull import COMMIT_RECORDS, Pull, apply_batch, see_devices
from fieldapp.sync.receipts import pushable
from fieldapp.sync.report import (
    CancelFn,
    DeviceSeen,
    ProgressFn,
    Refusal,
    SyncReport,
    TextRefusal,
)
from fieldapp.sync.state import load_state
from fieldapp.sync.team_key import team_key

__all__ = [
    "COMMIT_RECORDS", "CancelFn", "DeviceSeen", "ProgressFn", "Refusal", "SyncReport",
    "TextRefusal", "apply_batch", "forget_receipts", "load_state", "mark_acked",
    "pending_envelopes", "see_devices", "sync", "team_key",
]


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


def shareable_device_name(session: Session) -> str:
    """This laptop's name as the team may see it: "" when the text gate refuses it (a name
    such as "Annas dator" stays on the laptop)."""
    name = SettingsService(session).device_name()
    return name if may_leave(name, TextKind.TEXT, known_words(session)) else ""


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
            report.notices = sync_state.take_notices(session)
        report.notices += getattr(hub, "notices", [])
        trust.prepare(database, hub, device_id, state, report)
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
    verified, pushed_seq = dict(state.verified), state.pushed_seq
    report.repaired = hub.check_own(device_id, state)
    with database.session() as session:
        if state.verified != verified:
            sync_state.save_verified(session, hub_id, state.verified)
        if state.pushed_seq != pushed_seq:  # a bundle whose receipt was lost, or a repair
            sync_state.save_pushed_seq(session, hub_id, state.pushed_seq)
        if report.repaired or sync_state.acked_hub(session) != hub_id:
            forget_receipts(session, device_id)
            sync_state.set_acked_hub(session, hub_id)
    if cancelled():
        report.cancelled = True
        return
    # 2. Push.
    with database.session() as session:
        envelopes = pending_envelopes(session, device_id)
        if hasattr(hub, "device_name"):  # the folder hub sends it in each bundle's header
            hub.device_name = shareable_device_name(session)
    if envelopes:
        progress(0, 0, _("Sending {count} records…").format(count=len(envelopes)))
        receipt = hub.push(device_id, envelopes, state)
        with database.session() as session:
            mark_acked(session, envelopes)
            if receipt.seq is not None:
                state.pushed_seq = receipt.seq
                sync_state.save_pushed_seq(session, hub_id, receipt.seq)
        report.pushed = dict(Counter(env["type"] for env in envelopes))
        report.pushed_to = receipt.label
    report.notices += getattr(hub, "findings", [])  # files set aside or ignored (folder hub)
    # 3. Pull.
    hub.forget_gone(state)
    with database.session() as session:
        sync_state.save_refused(session, hub_id, state.refused)
    Pull(database, hub_id, device_id, state, report, progress, cancelled, clock).run(
        hub.batches(device_id, state))
    with database.session() as session:
        report.waiting = len(sync_state.parked(session))
    report.refused = [Refusal(r.get("file", key), r.get("reason", ""))
                      for key, r in sorted(state.refused.items())]
    # 4. What the pull brought that the retention rules have removed here (a full pull from
    #    a new hub holds every year the hub keeps) goes again now, not at the next daily run.
    if report.pulled:
        with database.session() as session:
            counts = retention.run(session, now=clock())
        report.expired = sum(c.count for c in counts if c.rule == retention.RULE_RECORDS)


def _record_last(database: Database, hub: Hub, report: SyncReport, clock) -> None:
    report.finished_at = clock()
    with database.session() as session:
        sync_state.record_last(session, {
            "hub": hub.description, "hub_id": hub.hub_id, "at": format_time(report.finished_at),
            "pushed": report.pushed_total, "pulled": report.pulled_total,
            "refused": len(report.refused), "cancelled": report.cancelled,
        })
