"""Observations (iakttagelser) at places, usually during a shift."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from fieldapp.domain.enums import ActionTaken, Severity
from fieldapp.domain.place_rank import PlaceUse
from fieldapp.domain.records import ObservationRecord
from fieldapp.domain.shareable import TextKind, gate_errors
from fieldapp.domain.record_checks import check_observation
from fieldapp.domain.validation import (
    FieldError,
    check_flag,
    check_text,
    is_usable_moment,
    raise_if,
)
from fieldapp.i18n import _
from fieldapp.store.models import Category, Observation, Place, Shift
from fieldapp.store.services.known import known_words
from fieldapp.store.services.base import SyncedService, meta_of

EDITABLE = {
    "shift_id", "place_id", "category_id", "severity", "observed_at", "people_count",
    "youths_present", "action_taken", "details", "details_shareable",
}


def _counted(values: dict) -> dict:
    """Counts are stored as int (3.0 -> 3); people not counted (None: graffiti, litter) as 0."""
    return {name: (0 if value is None else int(value))
            if name in ("people_count", "youths_present") else value
            for name, value in values.items()}


def observation_record(row: Observation) -> ObservationRecord:
    return ObservationRecord(
        meta=meta_of(row),
        shift_id=row.shift_id,
        place_id=row.place_id,
        category_id=row.category_id,
        severity=row.severity,
        observed_at=row.observed_at,
        people_count=row.people_count,
        youths_present=row.youths_present,
        action_taken=row.action_taken,
        details=row.details,
        details_shareable=row.details_shareable,
    )


class ObservationService(SyncedService[Observation]):
    model = Observation

    def _validate(self, values: dict) -> None:
        errors: list[FieldError] = []
        shift = None
        if values.get("shift_id") is not None:
            shift = self.session.get(Shift, values["shift_id"])
            if shift is None or shift.deleted_at is not None:
                errors.append(FieldError("shift_id", _("The shift was not found; choose another shift.")))
                shift = None
        place = self.session.get(Place, values["place_id"]) if values.get("place_id") else None
        if place is None or place.deleted_at is not None:
            errors.append(FieldError("place_id", _("Choose a place from the list.")))
        category = (
            self.session.get(Category, values["category_id"]) if values.get("category_id") else None
        )
        if category is None or category.deleted_at is not None:
            errors.append(FieldError("category_id", _("Choose a category.")))
        if values.get("severity") not in {s.value for s in Severity}:
            errors.append(FieldError("severity", _("Choose a severity: low, medium or high.")))
        if values.get("action_taken") not in {a.value for a in ActionTaken}:
            errors.append(FieldError("action_taken", _("Choose the action taken from the list.")))
        observed_at = values.get("observed_at")
        aware = is_usable_moment(observed_at)
        errors += check_observation(
            observed_at=observed_at,
            # Without a shift, the observation is bounded only by "not in the future" (a bad
            # time is reported once, for observed_at).
            shift_starts_at=shift.starts_at if shift else (observed_at if aware else self.clock()),
            shift_ends_at=shift.ends_at if shift else None,
            now=self.clock(),
            people_count=values.get("people_count"),
            youths_present=values.get("youths_present"),
        )
        errors += check_text("details", values.get("details", ""), label=_("Details"))
        if values.get("details", "") is None:
            errors.append(FieldError("details", _("{label} must be text.").format(label=_("Details"))))
        errors += check_flag("details_shareable", values.get("details_shareable", False),
                             label=_("Share the details with the team"))
        if values.get("details_shareable") is True:
            errors += gate_errors("details", values.get("details"), TextKind.DETAILS,
                                  label=_("The details"), known=known_words(self.session))
        raise_if(errors)

    def create(self, *, place_id: uuid.UUID, category_id: uuid.UUID, observed_at: dt.datetime,
               severity: str = Severity.LOW.value, shift_id: uuid.UUID | None = None,
               people_count: int = 0, youths_present: int = 0,
               action_taken: str = ActionTaken.NONE.value, details: str = "",
               details_shareable: bool = False, id: uuid.UUID | None = None) -> ObservationRecord:
        values = dict(
            shift_id=shift_id, place_id=place_id, category_id=category_id, severity=severity,
            observed_at=observed_at, people_count=people_count, youths_present=youths_present,
            action_taken=action_taken, details=details, details_shareable=details_shareable,
        )
        self._validate(values)
        row = self._new(id=id, **_counted(values))
        self.session.flush()
        return observation_record(row)

    def update(self, observation_id: uuid.UUID, **changes) -> ObservationRecord:
        unknown = set(changes) - EDITABLE
        if unknown:
            raise TypeError(f"not editable: {sorted(unknown)}")
        row = self._editable(observation_id)
        values = {name: getattr(row, name) for name in EDITABLE}
        values.update(changes)
        self._validate(values)
        for name, value in _counted(changes).items():
            setattr(row, name, value)
        self._touch(row)
        self.session.flush()
        return observation_record(row)

    def get(self, observation_id: uuid.UUID) -> ObservationRecord:
        return observation_record(self._row(observation_id))

    def count(self, *, start: dt.datetime, end: dt.datetime) -> int:
        """How many observations (not deleted) were made in ``[start, end)``: what
        ``len(list(start=start, end=end))`` says, without reading them."""
        return self.session.scalar(
            select(func.count()).select_from(Observation).where(
                Observation.observed_at >= start, Observation.observed_at < end,
                Observation.deleted_at.is_(None))) or 0

    def place_usage(self, *, since: dt.datetime) -> list[PlaceUse]:
        """This device's observations (not deleted) since ``since`` per place: how many and
        the latest, the most used place first (what ranks the quick observation's places)."""
        count = func.count(Observation.id)
        latest = func.max(Observation.observed_at)
        query = (select(Observation.place_id, count, latest)
                 .where(Observation.device_id == self.device_id,
                        Observation.observed_at >= since, Observation.deleted_at.is_(None))
                 .group_by(Observation.place_id)
                 .order_by(count.desc(), latest.desc()))
        return [PlaceUse(place_id, n, last_at) for place_id, n, last_at in self.session.execute(query)]

    def list(self, *, start: dt.datetime | None = None, end: dt.datetime | None = None,
             shift_id: uuid.UUID | None = None, place_id: uuid.UUID | None = None,
             include_deleted: bool = False) -> list[ObservationRecord]:
        """Observations in ``[start, end)`` (and of a shift or place), oldest first."""
        query = select(Observation).order_by(Observation.observed_at)
        if start is not None:
            query = query.where(Observation.observed_at >= start)
        if end is not None:
            query = query.where(Observation.observed_at < end)
        if shift_id is not None:
            query = query.where(Observation.shift_id == shift_id)
        if place_id is not None:
            query = query.where(Observation.place_id == place_id)
        if not include_deleted:
            query = query.where(Observation.deleted_at.is_(None))
        return [observation_record(row) for row in self.session.scalars(query)]
