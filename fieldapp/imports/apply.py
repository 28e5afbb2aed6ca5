"""The preview and the apply: the planned records go through the ordinary services
(ShiftService, ObservationService, MeetingService) as this device's records, in one
transaction; the preview runs the same steps and rolls the transaction back, so it reports
exactly what the apply would do, and writes nothing.

A record whose id exists is updated when the row says something else (its revision goes
up, so the edit syncs) and left alone when it says the same; a record deleted here stays
deleted. What a person may have changed in the app and the old log does not say (severity,
action taken, sharing) is left as it is. Imported text is private: it is created with
sharing off and the import never turns sharing on.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from fieldapp import files
from fieldapp.domain.cells import csv_writer
from fieldapp.domain.validation import ValidationError
from fieldapp.i18n import _
from fieldapp.imports.plan import Plan, PlannedMeeting, PlannedObservation, PlannedShift, Refused
from fieldapp.store.models import Meeting, Observation, Shift
from fieldapp.store.services import retention
from fieldapp.store.services.meetings import MeetingService
from fieldapp.store.services.observations import ObservationService
from fieldapp.store.services.shifts import ShiftService
from fieldapp.store.types import utcnow

KINDS = ("shift", "observation", "meeting")


@dataclass
class Outcome:
    """What an import did (or, previewed, would do), per kind of record."""

    applied: bool
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deleted_here: Counter = field(default_factory=Counter)
    past_retention: Counter = field(default_factory=Counter)
    refused: list[Refused] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    retention_months: int = 0

    def planned(self, kind: str) -> int:
        return (self.created[kind] + self.updated[kind] + self.unchanged[kind]
                + self.deleted_here[kind])


def _differs(current: dict, wanted: dict) -> dict:
    return {name: value for name, value in wanted.items() if current.get(name) != value}


class _Applier:
    def __init__(self, session: Session, device_id: uuid.UUID, outcome: Outcome, clock):
        self.session = session
        self.outcome = outcome
        self.shifts = ShiftService(session, device_id, clock)
        self.observations = ObservationService(session, device_id, clock)
        self.meetings = MeetingService(session, device_id, clock)

    def _existing(self, model, record_id) -> str:
        row = self.session.get(model, record_id)
        if row is None:
            return "new"
        return "deleted" if row.deleted_at is not None else "live"

    def _put(self, kind: str, model, service, record_id, wanted: dict, create_extra: dict,
             current_of) -> None:
        state = self._existing(model, record_id)
        if state == "deleted":
            self.outcome.deleted_here[kind] += 1
        elif state == "new":
            service.create(id=record_id, **wanted, **create_extra)
            self.outcome.created[kind] += 1
        else:
            changes = _differs(current_of(service.get(record_id)), wanted)
            if changes:
                service.update(record_id, **changes)
                self.outcome.updated[kind] += 1
            else:
                self.outcome.unchanged[kind] += 1

    def shift(self, planned: PlannedShift) -> None:
        wanted = dict(kind=planned.kind, starts_at=planned.starts_at, ends_at=planned.ends_at,
                      summary="\n".join(planned.notes), youth_counts=dict(planned.youth_counts),
                      partner_ids=tuple(sorted(planned.partner_ids, key=str)))
        self._put("shift", Shift, self.shifts, planned.id, wanted, {"summary_shareable": False},
                  lambda r: dict(kind=r.kind, starts_at=r.starts_at, ends_at=r.ends_at,
                                 summary=r.summary, youth_counts=r.youth_counts,
                                 partner_ids=tuple(sorted(r.partner_ids, key=str))))

    def observation(self, planned: PlannedObservation) -> None:
        wanted = dict(shift_id=planned.shift_id, place_id=planned.place_id,
                      category_id=planned.category_id, observed_at=planned.observed_at,
                      people_count=planned.people_count or 0,
                      youths_present=planned.youths_present or 0, details=planned.details)
        self._put("observation", Observation, self.observations, planned.id, wanted,
                  {"details_shareable": False},
                  lambda r: {name: getattr(r, name) for name in wanted})

    def meeting(self, planned: PlannedMeeting) -> None:
        wanted = dict(kind=planned.kind, held_at=planned.held_at, title=planned.title[:200],
                      situation=planned.situation,
                      partner_ids=tuple(sorted(planned.partner_ids, key=str)),
                      flags=tuple(planned.flags))
        self._put("meeting", Meeting, self.meetings, planned.id, wanted,
                  {"situation_shareable": False},
                  lambda r: {**{name: getattr(r, name) for name in wanted},
                             "partner_ids": tuple(sorted(r.partner_ids, key=str))})


def _refuse(outcome: Outcome, rows: list[Refused], error: ValidationError) -> None:
    for row in rows:
        row.reason = str(error).replace("\n", " ")
        outcome.refused.append(row)


def run_import(session: Session, plan: Plan, device_id: uuid.UUID, *, apply: bool,
               now: dt.datetime | None = None) -> Outcome:
    """Preview (``apply=False``) or apply ``plan`` in ``session``'s transaction. The caller
    commits on apply; on a preview this rolls the session back itself."""
    now = now or utcnow()
    outcome = Outcome(applied=apply, refused=list(plan.refused),
                      skipped_sheets=list(plan.skipped_sheets))
    applier = _Applier(session, device_id, outcome, lambda: now)
    refused_shifts = set()
    for planned in plan.shifts.values():
        try:
            applier.shift(planned)
        except ValidationError as exc:
            refused_shifts.add(planned.id)
            _refuse(outcome, [r for r in planned.rows
                              if not any(o.row is r for o in plan.observations)], exc)
    for planned in plan.observations:
        try:
            if planned.shift_id in refused_shifts:
                raise ValidationError(list(_shift_errors(plan, planned)))
            applier.observation(planned)
        except ValidationError as exc:
            _refuse(outcome, [planned.row], exc)
    for planned in plan.meetings:
        try:
            applier.meeting(planned)
        except ValidationError as exc:
            _refuse(outcome, [planned.row], exc)
    _count_past_retention(session, plan, outcome, now)
    outcome.refused.sort(key=lambda r: (r.sheet, r.row))
    if not apply:
        session.rollback()
    return outcome


def _shift_errors(plan: Plan, planned: PlannedObservation):
    from fieldapp.domain.validation import FieldError

    yield FieldError("shift_id", _("The row's shift cannot be imported; see its other rows."))


def _count_past_retention(session: Session, plan: Plan, outcome: Outcome,
                          now: dt.datetime) -> None:
    """How many planned records are older than the retention limit: the next retention run
    deletes them once the team hub has acknowledged them."""
    rules = retention.load_rules(session)
    outcome.retention_months = rules.records_months
    if rules.records_months <= 0:
        return
    cutoff = retention.months_before(now, rules.records_months)
    refused = {(r.sheet, r.row) for r in outcome.refused}
    outcome.past_retention["shift"] = sum(
        1 for s in plan.shifts.values() if s.starts_at < cutoff
        and not all((r.sheet, r.row) in refused for r in s.rows))
    outcome.past_retention["observation"] = sum(
        1 for o in plan.observations
        if o.observed_at < cutoff and (o.row.sheet, o.row.row) not in refused)
    outcome.past_retention["meeting"] = sum(
        1 for m in plan.meetings
        if m.held_at < cutoff and (m.row.sheet, m.row.row) not in refused)


SHEET_COLUMN, ROW_COLUMN, REASON_COLUMN = "Blad", "Rad", "Skäl"


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_refused(path: Path, headers: list[str], refused: list[Refused]) -> None:
    """The refused rows as CSV (UTF-8 with BOM, ``;``, for Excel): the original columns, then
    the sheet (its name carries the year of dates like "12/5"), the row and the reason. Fix
    the rows and import the file again with the same mapping; the added columns are not
    read as data."""
    columns = [h for h in headers if h not in (SHEET_COLUMN, ROW_COLUMN, REASON_COLUMN)]
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns + [SHEET_COLUMN, ROW_COLUMN, REASON_COLUMN])
    for row in refused:
        sheet = _cell_text(row.values.get(SHEET_COLUMN)) or row.sheet
        writer.writerow([_cell_text(row.values.get(h)) for h in columns]
                        + [sheet, row.row, row.reason])
    # The rows are about people: written for the owner only (0600), atomically.
    files.write_bytes(Path(path), ("\ufeff" + buffer.getvalue()).encode("utf-8"))
