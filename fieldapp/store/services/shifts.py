"""Shifts (pass): start, end, edit, delete, list."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from sqlalchemy import select

from fieldapp.domain.enums import ShiftKind
from fieldapp.domain.records import ShiftRecord
from fieldapp.domain.shareable import TextKind, gate_errors
from fieldapp.domain.record_checks import check_shift
from fieldapp.domain.validation import MAX_TEXT_LENGTH, FieldError, check_text, raise_if
from fieldapp.i18n import _
from fieldapp.store.models import Area, Partner, Shift, Staff
from fieldapp.store.services.known import known_words
from fieldapp.store.services.base import SyncedService, meta_of

EDITABLE = {
    "kind", "starts_at", "ends_at", "weather", "summary", "summary_shareable", "private_notes",
    "youth_counts", "adults_met", "concern_reports", "referrals", "staff_ids", "partner_ids", "area_ids",
}


# Counts are stored as int (3.0 -> 3); a count given as None ("not entered yet") as 0.
COUNTS = {"adults_met", "concern_reports", "referrals"}


def shift_record(row: Shift) -> ShiftRecord:
    return ShiftRecord(
        meta=meta_of(row),
        kind=row.kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        weather=row.weather,
        summary=row.summary,
        summary_shareable=row.summary_shareable,
        private_notes=row.private_notes,
        youth_counts=dict(row.youth_counts or {}),
        adults_met=row.adults_met,
        concern_reports=row.concern_reports,
        referrals=row.referrals,
        staff_ids=tuple(s.id for s in row.staff),
        partner_ids=tuple(p.id for p in row.partners),
        area_ids=tuple(a.id for a in row.areas),
    )


class ShiftService(SyncedService[Shift]):
    model = Shift

    def _validate(self, values: dict) -> None:
        errors: list[FieldError] = []
        if values.get("kind") not in {k.value for k in ShiftKind}:
            errors.append(FieldError("kind", _("Choose the kind of shift.")))
        errors += check_shift(
            starts_at=values.get("starts_at"),
            ends_at=values.get("ends_at"),
            now=self.clock(),
            youth_counts=values.get("youth_counts"),
            adults_met=values.get("adults_met", 0),
            concern_reports=values.get("concern_reports", 0),
            referrals=values.get("referrals", 0),
        )
        for field, label, length in (("weather", _("Weather"), 100),
                                     ("summary", _("Summary"), MAX_TEXT_LENGTH),
                                     ("private_notes", _("Private notes"), MAX_TEXT_LENGTH)):
            errors += check_text(field, values.get(field, ""), label=label, max_length=length)
            if values.get(field, "") is None:
                errors.append(FieldError(field, _("{label} must be text.").format(label=label)))
        if not isinstance(values.get("summary_shareable", False), bool):
            errors.append(FieldError("summary_shareable", _("Choose whether the summary may be shared.")))
        if values.get("summary_shareable") is True:
            errors += gate_errors("summary", values.get("summary"), TextKind.SUMMARY,
                                  label=_("The summary"), known=known_words(self.session))
        errors += self._check_links(values)
        raise_if(errors)

    def _check_links(self, values: dict) -> list[FieldError]:
        errors = []
        for field, model, message in (
            ("staff_ids", Staff, _("Unknown staff member; choose from the list.")),
            ("partner_ids", Partner, _("Unknown partner; choose from the list.")),
            ("area_ids", Area, _("Unknown area; choose from the list.")),
        ):
            ids = list(values.get(field) or ())
            if ids and len(self._fetch(model, ids)) != len(set(ids)):
                errors.append(FieldError(field, message))
        return errors

    def _fetch(self, model, ids: Iterable[uuid.UUID]) -> list:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        rows = self.session.scalars(
            select(model).where(model.id.in_(ids), model.deleted_at.is_(None))
        ).all()
        order = {i: n for n, i in enumerate(ids)}
        return sorted(rows, key=lambda r: order[r.id])

    def _assign(self, row: Shift, values: dict) -> None:
        for name, value in values.items():
            if name == "staff_ids":
                row.staff = self._fetch(Staff, value)
            elif name == "partner_ids":
                row.partners = self._fetch(Partner, value)
            elif name == "area_ids":
                row.areas = self._fetch(Area, value)
            elif name == "youth_counts":
                row.youth_counts = {k: int(v) for k, v in (value or {}).items() if int(v)}
            elif name in COUNTS:
                setattr(row, name, 0 if value is None else int(value))
            else:
                setattr(row, name, value)

    def create(self, *, kind: str, starts_at: dt.datetime, ends_at: dt.datetime | None = None,
               staff_ids=(), partner_ids=(), area_ids=(), weather: str = "", summary: str = "",
               summary_shareable: bool = False, private_notes: str = "",
               youth_counts: dict[str, int] | None = None, adults_met: int = 0,
               concern_reports: int = 0, referrals: int = 0,
               id: uuid.UUID | None = None) -> ShiftRecord:
        values = dict(
            kind=kind, starts_at=starts_at, ends_at=ends_at, weather=weather, summary=summary,
            summary_shareable=summary_shareable, private_notes=private_notes,
            youth_counts=dict(youth_counts or {}), adults_met=adults_met,
            concern_reports=concern_reports, referrals=referrals, staff_ids=tuple(staff_ids),
            partner_ids=tuple(partner_ids), area_ids=tuple(area_ids),
        )
        self._validate(values)
        row = self._new(id=id, kind=kind, starts_at=starts_at)
        self._assign(row, values)
        self.session.flush()
        return shift_record(row)

    def start(self, *, kind: str, starts_at: dt.datetime, staff_ids=(), **values) -> ShiftRecord:
        """Start a new shift (the window's "Starta pass"): as :meth:`create`, but a shift with
        nobody on it is refused. The rule is for shifts started now; records made otherwise
        (an old log imported, a synced colleague's shift, the demo) go through :meth:`create`,
        where an old shift may lack staff."""
        if not list(staff_ids or ()):
            has_staff = self.session.scalars(
                select(Staff.id).where(Staff.deleted_at.is_(None), Staff.active.is_(True))
                .limit(1)).first() is not None
            raise_if([FieldError("staff_ids", _(
                "Choose at least one person on the shift.") if has_staff else _(
                "Nobody is on the staff list yet: add the team under File → Get started… "
                "or under Settings → Staff, then choose at least one person on the shift."))])
        return self.create(kind=kind, starts_at=starts_at, staff_ids=staff_ids, **values)

    def update(self, shift_id: uuid.UUID, **changes) -> ShiftRecord:
        unknown = set(changes) - EDITABLE
        if unknown:
            raise TypeError(f"not editable: {sorted(unknown)}")
        row = self._editable(shift_id)
        current = shift_record(row)
        values = {name: getattr(current, name) for name in EDITABLE}
        values.update(changes)
        self._validate(values)
        self._assign(row, changes)
        self._touch(row)
        self.session.flush()
        return shift_record(row)

    def end(self, shift_id: uuid.UUID, *, ends_at: dt.datetime | None = None, **changes) -> ShiftRecord:
        """End a running shift, with the counts of who was met."""
        return self.update(shift_id, ends_at=ends_at or self.clock(), **changes)

    def get(self, shift_id: uuid.UUID) -> ShiftRecord:
        return shift_record(self._row(shift_id))

    def running(self) -> ShiftRecord | None:
        """This device's shift that has started but not ended (the latest, if several)."""
        row = self.session.scalars(
            select(Shift)
            .where(Shift.device_id == self.device_id, Shift.ends_at.is_(None),
                   Shift.deleted_at.is_(None))
            .order_by(Shift.starts_at.desc())
        ).first()
        return shift_record(row) if row else None

    def last(self) -> ShiftRecord | None:
        """This device's most recently started shift, to prefill the next one."""
        row = self.session.scalars(
            select(Shift)
            .where(Shift.device_id == self.device_id, Shift.deleted_at.is_(None))
            .order_by(Shift.starts_at.desc())
        ).first()
        return shift_record(row) if row else None

    def list(self, *, start: dt.datetime | None = None, end: dt.datetime | None = None,
             include_deleted: bool = False) -> list[ShiftRecord]:
        """Shifts that started in ``[start, end)``, oldest first."""
        query = select(Shift).order_by(Shift.starts_at)
        if start is not None:
            query = query.where(Shift.starts_at >= start)
        if end is not None:
            query = query.where(Shift.starts_at < end)
        if not include_deleted:
            query = query.where(Shift.deleted_at.is_(None))
        return [shift_record(row) for row in self.session.scalars(query)]
