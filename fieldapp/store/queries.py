"""Read-only queries for the lists, a meeting's details and the place history: Qt-free.

The four lists (shifts, observations, meetings, places) are descriptions in
:mod:`fieldapp.store.lists`; :mod:`fieldapp.store.list_query` makes their keyset pages and
counts. Every list query takes a :class:`ListFilter`, a sort key, a direction and a keyset
cursor, and returns a :class:`Page` of plain frozen dataclasses (never ORM objects), so the Qt
models can run them on the database lane and page through 100,000 observations without
loading them all. This module keeps the functions callers use by name.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, cast, func, literal, select
from sqlalchemy.orm import Session

from fieldapp.domain.weeks import IsoWeek
from fieldapp.store.list_query import (
    DEFAULT_PAGE_SIZE,
    Cursor,
    ListFilter,
    ListSpec,
    Page,
    list_count,
    list_page,
)
from fieldapp.store.lists import (
    MEETINGS,
    OBSERVATIONS,
    PLACES,
    SEVERITY_RANK,
    SHIFTS,
    MeetingRow,
    ObservationRow,
    PlaceRow,
    ShiftRow,
)
from fieldapp.store.models import (
    Action,
    ActionCarriedOut,
    Area,
    Category,
    Device,
    Meeting,
    MeetingFlag,
    Observation,
    Partner,
    Place,
    Shift,
    first_carried_out,
)

# -- the four lists, by name ------------------------------------------------------------------


def _pages_of(spec: ListSpec):
    def page(session: Session, flt: ListFilter = ListFilter(), *, sort: str | None = None,
             descending: bool | None = None, after: Cursor | None = None,
             limit: int = DEFAULT_PAGE_SIZE) -> Page:
        return list_page(session, spec, flt, sort=sort, descending=descending, after=after,
                         limit=limit)

    page.__doc__ = (f"One page of the {spec.name} (not deleted) that ``flt`` shows, sorted "
                    f"by ``sort`` (default {spec.default_sort[0]!r}).")
    return page


def _count_of(spec: ListSpec):
    def count(session: Session, flt: ListFilter = ListFilter()) -> int:
        return list_count(session, spec, flt)

    count.__doc__ = f"How many {spec.name} (not deleted) ``flt`` shows."
    return count


observation_page = _pages_of(OBSERVATIONS)
count_observations = _count_of(OBSERVATIONS)
shift_page = _pages_of(SHIFTS)
count_shifts = _count_of(SHIFTS)
meeting_page = _pages_of(MEETINGS)
count_meetings = _count_of(MEETINGS)
place_page = _pages_of(PLACES)
count_places = _count_of(PLACES)

OBSERVATION_SORTS = OBSERVATIONS.sorts
SHIFT_SORTS = SHIFTS.sorts
MEETING_SORTS = MEETINGS.sorts
PLACE_SORTS = PLACES.sorts


# -- a meeting's details ----------------------------------------------------------------------

@dataclass(frozen=True)
class ActionRow:
    id: uuid.UUID
    meeting_id: uuid.UUID
    place_id: uuid.UUID | None
    place_name: str | None
    area_id: uuid.UUID | None
    area_name: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    responsible_partner_id: uuid.UUID | None
    partner_name: str | None
    status: str  # "done" when some device's shift carried it out
    carried_out_shift_id: uuid.UUID | None
    shift_kind: str | None
    shift_starts_at: dt.datetime | None
    note: str
    carried_out_at: dt.datetime | None = None
    carried_out_device_id: uuid.UUID | None = None
    carried_out_device: str = ""  # the device's name, where this laptop knows it
    meeting_held_at: dt.datetime | None = None  # when the meeting agreed it


@dataclass(frozen=True)
class FlagRow:
    place_id: uuid.UUID
    place_name: str
    reason: str


@dataclass(frozen=True)
class HistoryRow:
    category_id: uuid.UUID
    name_sv: str
    name_en: str
    counts: tuple[int, ...]  # one per week, oldest first

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class PlaceHistory:
    place_id: uuid.UUID
    weeks: tuple[IsoWeek, ...]  # oldest first
    rows: tuple[HistoryRow, ...] = field(default_factory=tuple)  # categories with any count

    def totals(self) -> tuple[int, ...]:
        return tuple(sum(row.counts[i] for row in self.rows) for i in range(len(self.weeks)))


def meeting_actions(session: Session, meeting_id: uuid.UUID) -> list[ActionRow]:
    """The actions agreed at a meeting, with their place/area, partner and the shift that
    carried them out, in time order."""
    return _action_rows(session, Action.meeting_id == meeting_id,
                        order=(Action.starts_at, Action.id))


def place_actions(session: Session, place_id: uuid.UUID) -> list[ActionRow]:
    """The actions agreed at a place (at every meeting), newest first, with the shift that
    carried each out: one statement."""
    return _action_rows(session, Action.place_id == place_id, Meeting.deleted_at.is_(None),
                        order=(Action.starts_at.desc(), Action.id))


def _action_rows(session: Session, *where, order) -> list[ActionRow]:
    action_area = Area.__table__.alias("action_area")
    query = (
        select(Action, Place.name.label("place_name"), action_area.c.name.label("area_name"),
               Partner.name.label("partner_name"), Shift.kind.label("shift_kind"),
               Shift.starts_at.label("shift_starts_at"), ActionCarriedOut, Device.name,
               Meeting.held_at)
        .select_from(Action)
        .join(Meeting, Meeting.id == Action.meeting_id)
        .outerjoin(Place, Action.place_id == Place.id)
        .outerjoin(action_area, Action.area_id == action_area.c.id)
        .outerjoin(Partner, Action.responsible_partner_id == Partner.id)
        .outerjoin(ActionCarriedOut, ActionCarriedOut.id == first_carried_out(Action.id))
        .outerjoin(Device, Device.id == ActionCarriedOut.device_id)
        .outerjoin(Shift, and_(ActionCarriedOut.shift_id == Shift.id,
                               Shift.deleted_at.is_(None)))
        .where(*where, Action.deleted_at.is_(None))
        .order_by(*order)
    )
    rows = []
    for (action, place_name, area_name, partner_name, shift_kind, shift_starts_at, carried,
         device_name, held_at) in session.execute(query):
        rows.append(ActionRow(
            id=action.id, meeting_id=action.meeting_id, place_id=action.place_id,
            place_name=place_name, area_id=action.area_id, area_name=area_name,
            starts_at=action.starts_at, ends_at=action.ends_at,
            responsible_partner_id=action.responsible_partner_id, partner_name=partner_name,
            status="done" if carried is not None else action.status,
            carried_out_shift_id=carried.shift_id if carried is not None else None,
            shift_kind=shift_kind, shift_starts_at=shift_starts_at, note=action.note,
            carried_out_at=carried.carried_out_at if carried is not None else None,
            carried_out_device_id=carried.device_id if carried is not None else None,
            carried_out_device=device_name or "", meeting_held_at=held_at,
        ))
    return rows


def meeting_flags(session: Session, meeting_id: uuid.UUID) -> list[FlagRow]:
    query = (select(MeetingFlag.place_id, Place.name, MeetingFlag.reason)
             .join(Place, MeetingFlag.place_id == Place.id)
             .where(MeetingFlag.meeting_id == meeting_id)
             .order_by(MeetingFlag.position))
    return [FlagRow(place_id=p, place_name=n, reason=r) for p, n, r in session.execute(query)]


# -- the place history ----------------------------------------------------------------------

def history_weeks(now: dt.datetime, weeks: int = 8) -> tuple[IsoWeek, ...]:
    """The ``weeks`` weeks up to and including the current one (Stockholm), oldest first."""
    current = IsoWeek.of(now)
    return tuple(current.previous(n) for n in range(weeks - 1, -1, -1))


def place_history(session: Session, place_id: uuid.UUID,
                  weeks: Sequence[IsoWeek]) -> PlaceHistory:
    """Observations at a place per week and category: one grouped count per week (each an
    index range on (place_id, observed_at)); rows only for categories seen in these weeks,
    in the categories' display order."""
    weeks = tuple(weeks)
    per_week: list[dict[uuid.UUID, int]] = []
    for week in weeks:
        query = (select(Observation.category_id, func.count())
                 .where(Observation.place_id == place_id,
                        Observation.observed_at >= week.start_utc(),
                        Observation.observed_at < week.end_utc(),
                        Observation.deleted_at.is_(None))
                 .group_by(Observation.category_id))
        per_week.append({category_id: n for category_id, n in session.execute(query)})
    seen = set().union(*per_week) if per_week else set()
    rows = []
    if seen:
        categories = session.execute(
            select(Category.id, Category.name_sv, Category.name_en)
            .where(Category.id.in_(seen)).order_by(Category.sort_order, Category.name_sv)
        ).all()
        for category_id, name_sv, name_en in categories:
            rows.append(HistoryRow(category_id=category_id, name_sv=name_sv, name_en=name_en,
                                   counts=tuple(week.get(category_id, 0) for week in per_week)))
    return PlaceHistory(place_id=place_id, weeks=weeks, rows=tuple(rows))


__all__ = [
    "DEFAULT_PAGE_SIZE", "SEVERITY_RANK", "ActionRow", "Cursor", "FlagRow", "HistoryRow",
    "ListFilter", "MeetingRow", "ObservationRow", "Page", "PlaceHistory", "PlaceRow",
    "ShiftRow", "count_meetings", "count_observations", "count_places", "count_shifts",
    "history_weeks", "meeting_actions", "meeting_flags", "meeting_page", "observation_page",
    "place_actions", "place_history", "place_page", "shift_page",
]


@dataclass(frozen=True)
class WeekFigures:
    shifts: int
    hours: float  # a running shift counts up to ``now``
    observations: int
    youths_met: int


def week_figures(session: Session, start: dt.datetime, end: dt.datetime,
                 now: dt.datetime) -> WeekFigures:
    """The key numbers of the shifts that started and the observations made in
    ``[start, end)``, aggregated by SQLite in one statement (Idag's week tiles)."""
    from fieldapp.store.types import UTCDateTime

    each = func.json_each(Shift.youth_counts).table_valued("value")
    youths = select(func.sum(cast(each.c.value, Integer))).scalar_subquery()
    ends = func.coalesce(Shift.ends_at, literal(now, UTCDateTime))
    observations = (select(func.count()).select_from(Observation)
                    .where(Observation.observed_at >= start, Observation.observed_at < end,
                           Observation.deleted_at.is_(None)).scalar_subquery())
    row = session.execute(
        select(func.count(Shift.id),
               func.total((func.julianday(ends) - func.julianday(Shift.starts_at)) * 24),
               func.total(youths), observations)
        .where(Shift.starts_at >= start, Shift.starts_at < end, Shift.deleted_at.is_(None))
    ).one()
    return WeekFigures(shifts=row[0], hours=float(row[1]), observations=int(row[3] or 0),
                       youths_met=int(row[2]))
