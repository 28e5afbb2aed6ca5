"""What every service of synced records shares: ownership, revision bumps, tombstones."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from fieldapp.domain.records import Meta
from fieldapp.i18n import _
from fieldapp.store.models import Synced
from fieldapp.store.types import utcnow

Row = TypeVar("Row", bound=Synced)
Clock = Callable[[], dt.datetime]


class NotFoundError(LookupError):
    """The record does not exist (or was deleted)."""


class ReadOnlyError(PermissionError):
    """The record belongs to another device and cannot be changed here."""


def meta_of(row: Synced) -> Meta:
    return Meta(
        id=row.id,
        device_id=row.device_id,
        revision=row.revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
        deleted_at=row.deleted_at,
    )


class SyncedService(Generic[Row]):
    """Base for services of records that sync. Subclasses set ``model`` and ``owned``."""

    model: type[Row]
    owned: bool = True  # only the owner device edits (shifts, observations, meetings, actions)
    noun: str = "record"

    def __init__(self, session: Session, device_id: uuid.UUID, clock: Clock = utcnow):
        self.session = session
        self.device_id = device_id
        self.clock = clock

    # -- helpers -------------------------------------------------------------------------
    def _row(self, record_id: uuid.UUID, *, include_deleted: bool = False) -> Row:
        row = self.session.get(self.model, record_id)
        if row is None or (row.deleted_at is not None and not include_deleted):
            raise NotFoundError(_("The record was not found; it may have been deleted."))
        return row

    def _editable(self, record_id: uuid.UUID, *, include_deleted: bool = False) -> Row:
        row = self._row(record_id, include_deleted=include_deleted)
        if self.owned and row.device_id != self.device_id:
            raise ReadOnlyError(
                _("This record belongs to another device and can only be changed there.")
            )
        return row

    def _new(self, **values) -> Row:
        now = self.clock()
        row = self.model(
            id=values.pop("id", None) or uuid.uuid4(),
            device_id=self.device_id,
            revision=1,
            created_at=now,
            updated_at=now,
            **values,
        )
        self.session.add(row)
        return row

    def _touch(self, row: Row) -> None:
        row.revision += 1
        row.updated_at = max(self.clock(), row.updated_at)

    # -- shared operations -----------------------------------------------------------------
    def delete(self, record_id: uuid.UUID) -> None:
        """Write a tombstone: the record is hidden and the delete syncs."""
        row = self._editable(record_id)
        row.deleted_at = self.clock()
        self._touch(row)
        self.session.flush()

    def restore(self, record_id: uuid.UUID) -> None:
        """Undo a delete (a new revision, so the restore syncs too)."""
        row = self._editable(record_id, include_deleted=True)
        if row.deleted_at is None:
            return
        row.deleted_at = None
        self._touch(row)
        self.session.flush()

