"""Sync receipts: a record counts as synced only when a hub acknowledged its revision.

``acked_revision`` (models.Synced) holds the highest revision of a record a hub acknowledged:
set after a pushed bundle was read back and verified (folder) or the server committed it
(PostgreSQL), and when a record is received from the hub. Qt-free, for the view and the CLI.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from fieldapp.i18n import _
from fieldapp.store.models import REFERENCE_DEVICE_ID, Device, Synced
from fieldapp.store.services.settings import SYNC_LAST
from fieldapp.sync import state as sync_state
from fieldapp.sync.envelope import SPECS, TYPE_ORDER, parse_time


class RecordState(StrEnum):
    LOCAL_ONLY = "local-only"  # never reached a hub
    PENDING = "pending"  # a hub holds an older revision
    SYNCED = "synced"  # a hub acknowledged this revision

    @property
    def label(self) -> str:
        return {
            RecordState.LOCAL_ONLY: _("Only on this computer"),
            RecordState.PENDING: _("Waiting to be synced"),
            RecordState.SYNCED: _("Synced"),
        }[self]


def pushable(model: type[Synced], device_id: uuid.UUID):
    """SQL condition: rows this device sends at its next push.

    Owned types: this device's rows with a revision no hub acknowledged. Shared types: every
    such row, except reference data as loaded from ``resources/`` (owner
    ``REFERENCE_DEVICE_ID``, revision 1): every device loads the same rows with the same ids,
    so they are never sent until someone edits them.
    """
    spec = SPECS[next(n for n, s in SPECS.items() if s.model is model)]
    changed = model.revision > model.acked_revision
    if spec.shared:
        return changed & ~((model.device_id == REFERENCE_DEVICE_ID) & (model.revision == 1))
    return changed & (model.device_id == device_id)


def record_state(type_name: str, *, device_id: uuid.UUID, owner_id: uuid.UUID, revision: int,
                 acked_revision: int) -> RecordState:
    """The state of one record (its type name, owner and revisions)."""
    if acked_revision >= revision or (not SPECS[type_name].shared and owner_id != device_id):
        return RecordState.SYNCED
    if owner_id == REFERENCE_DEVICE_ID and revision == 1:
        return RecordState.SYNCED  # reference data as loaded: the same on every device
    return RecordState.LOCAL_ONLY if acked_revision == 0 else RecordState.PENDING


def state_of(row: Synced, device_id: uuid.UUID) -> RecordState:
    from fieldapp.sync.envelope import MODEL_TYPE

    return record_state(MODEL_TYPE[type(row)], device_id=device_id, owner_id=row.device_id,
                        revision=row.revision, acked_revision=row.acked_revision)


def pending_counts(session: Session, device_id: uuid.UUID) -> dict[str, int]:
    """Records waiting for a push, per type (types with none are left out)."""
    counts = {}
    for name in TYPE_ORDER:
        model = SPECS[name].model
        count = session.scalar(select(func.count()).select_from(model)
                               .where(pushable(model, device_id)))
        if count:
            counts[name] = int(count)
    return counts


@dataclass(frozen=True)
class DeviceInfo:
    id: uuid.UUID
    name: str
    is_self: bool
    last_seen_at: dt.datetime | None


@dataclass(frozen=True)
class SyncStatus:
    """What the Synk view shows."""

    pending: dict[str, int]
    last_sync_at: dt.datetime | None
    last_hub: str
    devices: list[DeviceInfo] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)  # {"file", "reason", "at"}

    @property
    def pending_total(self) -> int:
        return sum(self.pending.values())


LAST_SYNC_KEY = SYNC_LAST.name  # kept for older imports; the key is declared in settings


def type_label(name: str) -> str:
    """The plural name of a synced type, for counts on screen and in the CLI."""
    labels = {
        "area": _("areas"), "place": _("places"), "partner": _("partners"),
        "category": _("categories"), "staff": _("staff"), "shift": _("shifts"),
        "meeting": _("meetings"), "action": _("actions"), "observation": _("observations"),
        "action_carried_out": _("actions carried out"),
    }
    return labels.get(name, name)


def sync_status(session: Session, device_id: uuid.UUID) -> SyncStatus:
    info = sync_state.last_sync(session)
    refused: list[dict] = []
    if info.get("hub_id"):
        refused = sorted((r for r in sync_state.refused_of(session, str(info["hub_id"])).values()
                          if isinstance(r, dict)), key=lambda r: str(r.get("file", "")))
    devices = [
        DeviceInfo(d.id, d.name, d.is_self, d.last_seen_at)
        for d in session.scalars(select(Device).where(or_(Device.is_self,
                                                          Device.last_seen_at.is_not(None)))
                                 .order_by(Device.is_self.desc(), Device.last_seen_at.desc()))
    ]
    at = info.get("at")
    return SyncStatus(
        pending=pending_counts(session, device_id),
        last_sync_at=parse_time(at) if at else None,
        last_hub=str(info.get("hub", "")),
        devices=devices,
        refused=refused,
    )
