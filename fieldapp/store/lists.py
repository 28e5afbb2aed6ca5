"""The four lists (shifts, observations, meetings, places) as descriptions: their rows,
columns, filters and search. :mod:`fieldapp.store.list_query` makes their queries; the Qt
side makes their table models. Qt-free."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from fieldapp.domain.enums import (
    ActionTaken,
    MeetingKind,
    PlaceKind,
    PlaceStatus,
    Severity,
    ShiftKind,
)
from fieldapp.domain.records import PlaceRecord
from fieldapp.store.list_query import (
    N_,
    Field,
    FilterRule,
    ListColumn,
    ListSpec,
    equals,
    in_week,
    lookup,
)
from fieldapp.store.models import (
    Action,
    Area,
    Category,
    Meeting,
    MeetingFlag,
    Observation,
    Place,
    Shift,
    Staff,
    shift_area,
    shift_staff,
)

# -- rows -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ObservationRow:
    id: uuid.UUID
    device_id: uuid.UUID
    shift_id: uuid.UUID | None
    observed_at: dt.datetime
    place_id: uuid.UUID
    place_name: str
    area_name: str
    category_id: uuid.UUID
    category_sv: str
    category_en: str
    severity: str
    people_count: int
    youths_present: int
    action_taken: str
    details: str


@dataclass(frozen=True)
class ShiftRow:
    id: uuid.UUID
    device_id: uuid.UUID
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    area_names: str
    staff_initials: str
    youths_met: int
    adults_met: int
    concern_reports: int
    referrals: int
    observation_count: int


@dataclass(frozen=True)
class MeetingRow:
    id: uuid.UUID
    device_id: uuid.UUID
    kind: str
    held_at: dt.datetime
    title: str
    flag_count: int
    action_count: int
    done_count: int


# A row of the places list is the domain's place record (with its revision).
PlaceRow = PlaceRecord


def _or_empty(value: str | None) -> str:
    return value or ""


def _or_zero(value: int | None) -> int:
    return value or 0


def _youths(counts: dict | None) -> int:
    """The young people a shift met: the sum of its youth counts (unreadable ones left out)."""
    total = 0
    for value in (counts or {}).values():
        try:
            total += int(value)
        except (TypeError, ValueError):
            continue
    return total


def _fields(*names_and_exprs, **converted) -> tuple[Field, ...]:
    """Fields from ``(name, expr)`` pairs; ``converted`` maps a name to its converter."""
    return tuple(Field(name, expr, converted.get(name)) for name, expr in names_and_exprs)


# -- observations -----------------------------------------------------------------------------

SEVERITY_RANK = case({s.value: s.rank for s in Severity}, value=Observation.severity, else_=0)

OBSERVATIONS = ListSpec(
    name="observations",
    row=ObservationRow,
    base=Observation,
    id_column=Observation.id,
    live=Observation.deleted_at.is_(None),
    joins=((Place, lookup(Observation.place_id) == Place.id),
           (Area, Place.area_id == Area.id),
           (Category, lookup(Observation.category_id) == Category.id)),
    count_skips_joins=True,
    fields=_fields(
        ("id", Observation.id), ("device_id", Observation.device_id),
        ("shift_id", Observation.shift_id), ("observed_at", Observation.observed_at),
        ("place_id", Observation.place_id), ("place_name", Place.name),
        ("area_name", Area.name), ("category_id", Observation.category_id),
        ("category_sv", Category.name_sv), ("category_en", Category.name_en),
        ("severity", Observation.severity), ("people_count", Observation.people_count),
        ("youths_present", Observation.youths_present),
        ("action_taken", Observation.action_taken), ("details", Observation.details),
    ),
    columns=(
        ListColumn("observed_at", N_("Time"), "moment", sort=Observation.observed_at),
        ListColumn("place", N_("Place"), reads=("place_name",), sort=Place.name),
        ListColumn("area", N_("Area"), reads=("area_name",), sort=Area.name),
        ListColumn("category", N_("Category"), "category",
                   reads=("category_sv", "category_en"), sort=Category.sort_order),
        ListColumn("severity", N_("Severity"), "label", enum=Severity, sort=SEVERITY_RANK),
        ListColumn("people_count", N_("People"), "number", sort=Observation.people_count),
        ListColumn("youths_present", N_("Youths"), "number",
                   sort=Observation.youths_present),
        ListColumn("action_taken", N_("Action taken"), "label", enum=ActionTaken,
                   sort=Observation.action_taken),
        ListColumn("details", N_("Details"), "first_line"),
    ),
    default_sort=("observed_at", True),
    filters=(
        in_week(Observation.observed_at),
        equals("area_id", Place.area_id, joined=True),
        equals("place_id", Observation.place_id),
        equals("category_id", Observation.category_id),
    ),
    search=(Observation.details, Place.name, Category.name_sv, Category.name_en),
)


# -- shifts -----------------------------------------------------------------------------------

_shift_areas = (select(func.group_concat(Area.name, ", "))
                .select_from(shift_area.join(Area, shift_area.c.area_id == Area.id))
                .where(shift_area.c.shift_id == Shift.id)
                .correlate(Shift).scalar_subquery())
_shift_staff = (select(func.group_concat(Staff.initials, ", "))
                .select_from(shift_staff.join(Staff, shift_staff.c.staff_id == Staff.id))
                .where(shift_staff.c.shift_id == Shift.id)
                .correlate(Shift).scalar_subquery())
_shift_observations = (select(func.count(Observation.id))
                       .where(Observation.shift_id == Shift.id,
                              Observation.deleted_at.is_(None))
                       .correlate(Shift).scalar_subquery())


def _shifts_with_observations(condition) -> object:
    """The shifts with a (not deleted) observation that meets ``condition``."""
    return Shift.id.in_(select(Observation.shift_id)
                        .where(condition, Observation.deleted_at.is_(None)))


SHIFTS = ListSpec(
    name="shifts",
    row=ShiftRow,
    base=Shift,
    id_column=Shift.id,
    live=Shift.deleted_at.is_(None),
    fields=_fields(
        ("id", Shift.id), ("device_id", Shift.device_id), ("kind", Shift.kind),
        ("starts_at", Shift.starts_at), ("ends_at", Shift.ends_at),
        ("area_names", _shift_areas), ("staff_initials", _shift_staff),
        ("youths_met", Shift.youth_counts), ("adults_met", Shift.adults_met),
        ("concern_reports", Shift.concern_reports), ("referrals", Shift.referrals),
        ("observation_count", _shift_observations),
        area_names=_or_empty, staff_initials=_or_empty, youths_met=_youths,
        observation_count=_or_zero,
    ),
    columns=(
        ListColumn("starts_at", N_("Start"), "moment", sort=Shift.starts_at),
        ListColumn("end", N_("End"), "shift_end", reads=("starts_at", "ends_at")),
        ListColumn("kind", N_("Kind"), "label", enum=ShiftKind, sort=Shift.kind),
        ListColumn("area_names", N_("Areas")),
        ListColumn("staff_initials", N_("Staff")),
        ListColumn("youths_met", N_("Youths met"), "number"),
        ListColumn("adults_met", N_("Adults met"), "number", sort=Shift.adults_met),
        ListColumn("concern_reports", N_("Reports of concern"), "number",
                   sort=Shift.concern_reports),
        ListColumn("referrals", N_("Referrals"), "number", sort=Shift.referrals),
        ListColumn("observation_count", N_("Observations"), "number"),
    ),
    default_sort=("starts_at", True),
    filters=(
        in_week(Shift.starts_at),
        FilterRule("area_id", lambda area_id: Shift.id.in_(
            select(shift_area.c.shift_id).where(shift_area.c.area_id == area_id))),
        FilterRule("place_id", lambda place_id: _shifts_with_observations(
            Observation.place_id == place_id)),
        FilterRule("category_id", lambda category_id: _shifts_with_observations(
            Observation.category_id == category_id)),
    ),
    search=(Shift.summary, Shift.weather, Shift.private_notes),
)


# -- meetings ---------------------------------------------------------------------------------

_meeting_flags = (select(func.count()).select_from(MeetingFlag)
                  .where(MeetingFlag.meeting_id == Meeting.id)
                  .correlate(Meeting).scalar_subquery())
_meeting_actions = (select(func.count(Action.id))
                    .where(Action.meeting_id == Meeting.id, Action.deleted_at.is_(None))
                    .correlate(Meeting).scalar_subquery())
_meeting_done = (select(func.count(Action.id))
                 .where(Action.meeting_id == Meeting.id, Action.deleted_at.is_(None),
                        Action.carried.any())
                 .correlate(Meeting).scalar_subquery())


def _meetings_at_place(place_id: uuid.UUID):
    """Meetings that flagged the place or agreed an action there."""
    return or_(
        Meeting.id.in_(select(MeetingFlag.meeting_id).where(MeetingFlag.place_id == place_id)),
        Meeting.id.in_(select(Action.meeting_id).where(Action.place_id == place_id,
                                                       Action.deleted_at.is_(None))),
    )


def _meetings_in_area(area_id: uuid.UUID):
    """Meetings that flagged a place in the area or agreed an action in it."""
    return or_(
        Meeting.id.in_(select(MeetingFlag.meeting_id)
                       .join(Place, MeetingFlag.place_id == Place.id)
                       .where(Place.area_id == area_id)),
        Meeting.id.in_(select(Action.meeting_id)
                       .outerjoin(Place, Action.place_id == Place.id)
                       .where(Action.deleted_at.is_(None),
                              or_(Action.area_id == area_id, Place.area_id == area_id))),
    )


MEETINGS = ListSpec(
    name="meetings",
    row=MeetingRow,
    base=Meeting,
    id_column=Meeting.id,
    live=Meeting.deleted_at.is_(None),
    fields=_fields(
        ("id", Meeting.id), ("device_id", Meeting.device_id), ("kind", Meeting.kind),
        ("held_at", Meeting.held_at), ("title", Meeting.title),
        ("flag_count", _meeting_flags), ("action_count", _meeting_actions),
        ("done_count", _meeting_done),
        flag_count=_or_zero, action_count=_or_zero, done_count=_or_zero,
    ),
    columns=(
        ListColumn("held_at", N_("Date"), "moment", sort=Meeting.held_at),
        ListColumn("kind", N_("Kind"), "label", enum=MeetingKind, sort=Meeting.kind),
        ListColumn("title", N_("Title"), sort=Meeting.title),
        ListColumn("flag_count", N_("Flagged places"), "count"),
        ListColumn("actions", N_("Agreed actions"), "progress",
                   reads=("done_count", "action_count")),
    ),
    default_sort=("held_at", True),
    filters=(
        in_week(Meeting.held_at),
        FilterRule("area_id", _meetings_in_area),
        FilterRule("place_id", _meetings_at_place),
    ),
    search=(Meeting.title, Meeting.situation),
)


# -- places -----------------------------------------------------------------------------------

def _status_is(status: str):
    """``"none"``: the places that are no hotspot; else the places with that status."""
    if status == "none":
        return Place.hotspot_status.is_(None)
    return Place.hotspot_status == status


PLACES = ListSpec(
    name="places",
    row=PlaceRow,
    base=Place,
    id_column=Place.id,
    live=Place.deleted_at.is_(None),
    joins=((Area, Place.area_id == Area.id),),
    fields=_fields(
        ("id", Place.id), ("key", Place.key), ("name", Place.name),
        ("area_id", Place.area_id), ("area_name", Area.name), ("kind", Place.kind),
        ("hotspot_status", Place.hotspot_status), ("lat", Place.lat), ("lon", Place.lon),
        ("revision", Place.revision), ("description", Place.description),
    ),
    columns=(
        ListColumn("name", N_("Name"), sort=Place.name),
        ListColumn("area", N_("Area"), reads=("area_name",), sort=Area.name),
        ListColumn("kind", N_("Kind"), "label", enum=PlaceKind, sort=Place.kind),
        ListColumn("status", N_("Hotspot status"), "label", reads=("hotspot_status",),
                   enum=PlaceStatus, sort=func.coalesce(Place.hotspot_status, "")),
        ListColumn("coordinates", N_("Coordinates"), "coordinates", reads=("lat", "lon")),
        ListColumn("description", N_("Description"), "first_line", sort=Place.description),
    ),
    default_sort=("name", False),
    filters=(
        equals("area_id", Place.area_id),
        FilterRule("status", _status_is),
    ),
    search=(Place.name, Area.name, Place.description),
)

LISTS = (SHIFTS, OBSERVATIONS, MEETINGS, PLACES)
