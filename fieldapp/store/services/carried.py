"""Agreed actions carried out: a record of its own, owned by the device whose shift did it.

The action belongs to the device that recorded the meeting and only that device edits it; a
colleague's laptop that synced the meeting records "carried out" here instead, linked to the
action and to its own shift, and the record syncs like any other. Undo is a tombstone.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from fieldapp.domain.records import CarriedOutRecord
from fieldapp.domain.validation import FieldError, raise_if
from fieldapp.i18n import _
from fieldapp.store.models import Action, ActionCarriedOut, Shift
from fieldapp.store.services.base import SyncedService, meta_of


def carried_record(row: ActionCarriedOut) -> CarriedOutRecord:
    return CarriedOutRecord(meta=meta_of(row), action_id=row.action_id, shift_id=row.shift_id,
                            carried_out_at=row.carried_out_at)


class CarriedOutService(SyncedService[ActionCarriedOut]):
    model = ActionCarriedOut

    def carry_out(self, action_id: uuid.UUID, shift_id: uuid.UUID,
                  at: dt.datetime | None = None) -> CarriedOutRecord:
        """Record that this device's shift carried out the action (any device's action).
        Carrying it out again with the same shift keeps the one record (and undoes an undo)."""
        errors = []
        action = self.session.get(Action, action_id)
        if action is None or action.deleted_at is not None:
            errors.append(FieldError("action_id", _(
                "The agreed action was not found; it may have been deleted at the meeting.")))
        shift = self.session.get(Shift, shift_id)
        if shift is None or shift.deleted_at is not None:
            errors.append(FieldError("shift_id", _("The shift was not found; choose another shift.")))
        elif shift.device_id != self.device_id:
            errors.append(FieldError("shift_id", _(
                "Only the laptop that ran the shift can say what the shift carried out.")))
        raise_if(errors)
        at = at or shift.ends_at or self.clock()
        row = self.session.scalars(select(ActionCarriedOut).where(
            ActionCarriedOut.action_id == action_id, ActionCarriedOut.shift_id == shift_id,
            ActionCarriedOut.device_id == self.device_id)
            .order_by(ActionCarriedOut.created_at, ActionCarriedOut.id)).first()
        if row is None:
            row = self._new(action_id=action_id, shift_id=shift_id, carried_out_at=at)
        elif row.deleted_at is not None or row.carried_out_at != at:
            row.deleted_at = None
            row.carried_out_at = at
            self._touch(row)
        self.session.flush()
        self.session.expire(action, ["carried"])
        return carried_record(row)

    def undo(self, action_id: uuid.UUID, shift_id: uuid.UUID) -> None:
        """Take back "carried out" by this device's shift: its record becomes a tombstone."""
        for row in self.session.scalars(select(ActionCarriedOut).where(
                ActionCarriedOut.action_id == action_id, ActionCarriedOut.shift_id == shift_id,
                ActionCarriedOut.deleted_at.is_(None))):
            self.delete(row.id)
        action = self.session.get(Action, action_id)
        if action is not None:
            self.session.expire(action, ["carried"])

    def of_action(self, action_id: uuid.UUID) -> list[CarriedOutRecord]:
        """Who carried the action out (live records, earliest first), on every device."""
        return [carried_record(row) for row in self.session.scalars(
            select(ActionCarriedOut).where(ActionCarriedOut.action_id == action_id,
                                           ActionCarriedOut.deleted_at.is_(None))
            .order_by(ActionCarriedOut.carried_out_at, ActionCarriedOut.id))]

    def of_shift(self, shift_id: uuid.UUID) -> list[CarriedOutRecord]:
        """The actions this shift carried out (live records)."""
        return [carried_record(row) for row in self.session.scalars(
            select(ActionCarriedOut).where(ActionCarriedOut.shift_id == shift_id,
                                           ActionCarriedOut.deleted_at.is_(None))
            .order_by(ActionCarriedOut.carried_out_at, ActionCarriedOut.id))]
