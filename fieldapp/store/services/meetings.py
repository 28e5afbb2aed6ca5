"""Meetings (utsättningsmöten and others) and the actions agreed at them."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from fieldapp.domain.enums import ActionStatus, MeetingKind
from fieldapp.domain.records import ActionRecord, FlaggedPlace, MeetingRecord
from fieldapp.domain.shareable import TextKind, gate_errors
from fieldapp.domain.record_checks import check_action, check_meeting
from fieldapp.domain.validation import (
    FieldError,
    check_flag,
    check_text,
    raise_if,
)
from fieldapp.i18n import _
from fieldapp.store.models import (
    Action, Area, Meeting, MeetingFlag, Observation, Partner, Place, Shift, Staff,
)
from fieldapp.store.services.base import SyncedService, meta_of
from fieldapp.store.services.known import known_words

MEETING_EDITABLE = {"kind", "held_at", "title", "situation", "situation_shareable",
                    "staff_ids", "partner_ids", "flags"}
ACTION_EDITABLE = {"place_id", "area_id", "starts_at", "ends_at", "responsible_partner_id",
                   "status", "note"}
# What the owner sets; "carried out" is a record of its own (services/carried.py).
OWNER_STATUSES = {ActionStatus.PLANNED.value, ActionStatus.CANCELLED.value}


def meeting_record(row: Meeting) -> MeetingRecord:
    return MeetingRecord(
        meta=meta_of(row),
        kind=row.kind,
        held_at=row.held_at,
        title=row.title,
        situation=row.situation,
        situation_shareable=row.situation_shareable,
        staff_ids=tuple(s.id for s in row.staff),
        partner_ids=tuple(p.id for p in row.partners),
        flags=tuple(FlaggedPlace(f.place_id, f.reason) for f in row.flags),
    )


def action_record(row: Action) -> ActionRecord:
    first = row.carried[0] if row.carried else None
    return ActionRecord(
        meta=meta_of(row),
        meeting_id=row.meeting_id,
        place_id=row.place_id,
        area_id=row.area_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        responsible_partner_id=row.responsible_partner_id,
        status=ActionStatus.DONE.value if first is not None else row.status,
        carried_out_shift_id=first.shift_id if first is not None else None,
        note=row.note,
        carried_out_at=first.carried_out_at if first is not None else None,
        carried_out_by=first.device_id if first is not None else None,
    )


class MeetingService(SyncedService[Meeting]):
    model = Meeting

    def _fetch(self, model, ids) -> list:
        ids = list(dict.fromkeys(ids or ()))
        if not ids:
            return []
        rows = self.session.scalars(select(model).where(model.id.in_(ids))).all()
        order = {i: n for n, i in enumerate(ids)}
        return sorted(rows, key=lambda r: order[r.id])

    def _validate(self, values: dict) -> None:
        errors: list[FieldError] = []
        if values.get("kind") not in {k.value for k in MeetingKind}:
            errors.append(FieldError("kind", _("Choose the kind of meeting.")))
        errors += check_meeting(held_at=values.get("held_at"), now=self.clock())
        errors += check_text("title", values.get("title", ""), label=_("Title"), max_length=200)
        errors += check_text("situation", values.get("situation", ""), label=_("Situation picture"))
        for field, label in (("title", _("Title")), ("situation", _("Situation picture"))):
            if values.get(field, "") is None:
                errors.append(FieldError(field, _("{label} must be text.").format(label=label)))
        errors += check_flag("situation_shareable", values.get("situation_shareable", False),
                             label=_("Share the situation picture with the team"))
        known = known_words(self.session)
        # The title and the flag reasons are always shared: refused at save when the gate
        # finds something. The situation picture is shared only when marked shareable.
        errors += gate_errors("title", values.get("title"), TextKind.TITLE, label=_("The title"),
                              known=known, always_shared=True)
        if values.get("situation_shareable") is True:
            errors += gate_errors("situation", values.get("situation"), TextKind.SITUATION,
                                  label=_("The situation picture"), known=known)
        for field, model, message in (
            ("staff_ids", Staff, _("Unknown staff member; choose from the list.")),
            ("partner_ids", Partner, _("Unknown partner; choose from the list.")),
        ):
            ids = set(values.get(field) or ())
            if ids and len(self._fetch(model, ids)) != len(ids):
                errors.append(FieldError(field, message))
        flags = list(values.get("flags") or ())
        place_ids = [f.place_id for f in flags]
        if len(set(place_ids)) != len(place_ids):
            errors.append(FieldError("flags", _("A place is flagged twice; flag each place once.")))
        elif place_ids and len(self._fetch(Place, place_ids)) != len(place_ids):
            errors.append(FieldError("flags", _("Choose flagged places from the list.")))
        for flag in flags:
            errors += check_text("flags", flag.reason, label=_("Reason"), max_length=1000)
            errors += gate_errors("flags", flag.reason, TextKind.FLAG_REASON,
                                  label=_("The reason a place is flagged"), known=known,
                                  always_shared=True)
        raise_if(errors)

    def _assign(self, row: Meeting, values: dict) -> None:
        for name, value in values.items():
            if name == "staff_ids":
                row.staff = self._fetch(Staff, value)
            elif name == "partner_ids":
                row.partners = self._fetch(Partner, value)
            elif name == "flags":
                row.flags = [
                    MeetingFlag(place_id=f.place_id, reason=f.reason, position=n)
                    for n, f in enumerate(value or ())
                ]
            else:
                setattr(row, name, value)

    def create(self, *, kind: str, held_at: dt.datetime, title: str = "", situation: str = "",
               situation_shareable: bool = False, staff_ids=(), partner_ids=(),
               flags: tuple[FlaggedPlace, ...] = (), id: uuid.UUID | None = None) -> MeetingRecord:
        values = dict(kind=kind, held_at=held_at, title=title, situation=situation,
                      situation_shareable=situation_shareable, staff_ids=tuple(staff_ids),
                      partner_ids=tuple(partner_ids), flags=tuple(flags))
        self._validate(values)
        row = self._new(id=id, kind=kind, held_at=held_at)
        self.session.flush()
        self._assign(row, values)
        self.session.flush()
        return meeting_record(row)

    def update(self, meeting_id: uuid.UUID, **changes) -> MeetingRecord:
        unknown = set(changes) - MEETING_EDITABLE
        if unknown:
            raise TypeError(f"not editable: {sorted(unknown)}")
        row = self._editable(meeting_id)
        current = meeting_record(row)
        values = {name: getattr(current, name) for name in MEETING_EDITABLE}
        values.update(changes)
        self._validate(values)
        self._assign(row, changes)
        self._touch(row)
        self.session.flush()
        return meeting_record(row)

    def get(self, meeting_id: uuid.UUID) -> MeetingRecord:
        return meeting_record(self._row(meeting_id))

    def list(self, *, start: dt.datetime | None = None, end: dt.datetime | None = None,
             include_deleted: bool = False) -> list[MeetingRecord]:
        query = select(Meeting).order_by(Meeting.held_at)
        if start is not None:
            query = query.where(Meeting.held_at >= start)
        if end is not None:
            query = query.where(Meeting.held_at < end)
        if not include_deleted:
            query = query.where(Meeting.deleted_at.is_(None))
        return [meeting_record(row) for row in self.session.scalars(query)]


class ActionService(SyncedService[Action]):
    model = Action

    def _validate(self, values: dict) -> None:
        errors = check_action(place_id=values.get("place_id"), area_id=values.get("area_id"),
                              starts_at=values.get("starts_at"), ends_at=values.get("ends_at"),
                              now=self.clock())
        if values.get("place_id") and self.session.get(Place, values["place_id"]) is None:
            errors.append(FieldError("place_id", _("Choose a place from the list.")))
        if values.get("area_id") and self.session.get(Area, values["area_id"]) is None:
            errors.append(FieldError("area_id", _("Choose an area from the list.")))
        partner = values.get("responsible_partner_id")
        if partner and self.session.get(Partner, partner) is None:
            errors.append(FieldError("responsible_partner_id",
                                     _("Choose the responsible partner from the list.")))
        if values.get("status") not in OWNER_STATUSES:
            errors.append(FieldError("status", _("Choose a status: planned or cancelled. A shift "
                                                 "marks an action carried out when it ends.")))
        errors += check_text("note", values.get("note", ""), label=_("Note"), max_length=2000)
        errors += gate_errors("note", values.get("note"), TextKind.NOTE,
                              label=_("The action's note"), known=known_words(self.session),
                              always_shared=True)
        if values.get("note", "") is None:
            errors.append(FieldError("note", _("{label} must be text.").format(label=_("Note"))))
        raise_if(errors)

    def create(self, *, meeting_id: uuid.UUID, starts_at: dt.datetime, ends_at: dt.datetime,
               place_id: uuid.UUID | None = None, area_id: uuid.UUID | None = None,
               responsible_partner_id: uuid.UUID | None = None,
               status: str = ActionStatus.PLANNED.value, note: str = "",
               id: uuid.UUID | None = None) -> ActionRecord:
        meeting = self.session.get(Meeting, meeting_id)
        if meeting is None or meeting.deleted_at is not None:
            raise_if([FieldError("meeting_id", _("Save the meeting before adding actions to it."))])
        values = dict(place_id=place_id, area_id=area_id, starts_at=starts_at, ends_at=ends_at,
                      responsible_partner_id=responsible_partner_id, status=status, note=note)
        self._validate(values)
        row = self._new(id=id, meeting_id=meeting_id, **values)
        self.session.flush()
        return action_record(row)

    def update(self, action_id: uuid.UUID, **changes) -> ActionRecord:
        unknown = set(changes) - ACTION_EDITABLE
        if unknown:
            raise TypeError(f"not editable: {sorted(unknown)}")
        row = self._editable(action_id)
        values = {name: getattr(row, name) for name in ACTION_EDITABLE}
        values.update(changes)
        self._validate(values)
        for name, value in changes.items():
            setattr(row, name, value)
        self._touch(row)
        self.session.flush()
        return action_record(row)

    def cancel(self, action_id: uuid.UUID) -> ActionRecord:
        return self.update(action_id, status=ActionStatus.CANCELLED.value)

    def get(self, action_id: uuid.UUID) -> ActionRecord:
        return action_record(self._row(action_id))

    def list(self, *, meeting_id: uuid.UUID | None = None, start: dt.datetime | None = None,
             end: dt.datetime | None = None, include_deleted: bool = False) -> list[ActionRecord]:
        """Actions of a meeting, or whose window starts in ``[start, end)``."""
        query = select(Action).order_by(Action.starts_at)
        if meeting_id is not None:
            query = query.where(Action.meeting_id == meeting_id)
        if start is not None:
            query = query.where(Action.starts_at >= start)
        if end is not None:
            query = query.where(Action.starts_at < end)
        if not include_deleted:
            query = query.where(Action.deleted_at.is_(None))
        return [action_record(row) for row in self.session.scalars(query)]

    def covered_by(self, shift_id: uuid.UUID) -> list[ActionRecord]:
        """Planned actions this shift covered and nobody has carried out yet: their window
        overlaps the shift's time, and their place was visited (an observation there) or lies
        in one of the shift's areas, or their area is one of the shift's areas. The actions
        may belong to any device (a colleague's meeting synced here)."""
        shift = self.session.get(Shift, shift_id)
        if shift is None or shift.deleted_at is not None:
            return []
        shift_end = shift.ends_at or self.clock()
        area_ids = {a.id for a in shift.areas}
        visited = set(self.session.scalars(
            select(Observation.place_id).where(Observation.shift_id == shift_id,
                                               Observation.deleted_at.is_(None))
        ))
        candidates = self.session.scalars(
            select(Action).where(
                Action.status == ActionStatus.PLANNED.value,
                Action.deleted_at.is_(None),
                ~Action.carried.any(),
                Action.starts_at < shift_end,
                Action.ends_at > shift.starts_at,
            ).order_by(Action.starts_at)
        ).all()
        covered = []
        for action in candidates:
            if action.place_id is not None:
                place = self.session.get(Place, action.place_id)
                if action.place_id in visited or (place and place.area_id in area_ids):
                    covered.append(action_record(action))
            elif action.area_id in area_ids:
                covered.append(action_record(action))
        return covered
