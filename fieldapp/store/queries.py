"""Read-only queries for the lists and the place history: Qt-free, one page at a time.

Every list query takes a :class:`ListFilter`, a sort key, a direction and a keyset cursor,
and returns a :class:`Page` of plain frozen dataclasses (never ORM objects), so the Qt
models can run them on the database lane and page through 100,000 observations without
loading them all. The cursor is ``(sort value, id)`` of the last row returned: the next page
is everything after it in ``ORDER BY <sort>, id``, so each page costs an index range scan
(no growing OFFSET). Sort columns are never NULL (NULLs would break the keyset order).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from fieldapp.domain.enums import Severity
from fieldapp.domain.records import PlaceRecord
from fieldapp.domain.weeks import IsoWeek
from fieldapp.store.models import (
    Action,
    ActionCarriedOut,
    Device,
    Area,
    Category,
    Meeting,
    MeetingFlag,
    Observation,
    Partner,
    Place,
    Shift,
    Staff,
    first_carried_out,
    shift_area,
    shift_staff,
)

T = TypeVar("T")
Cursor = tuple[Any, uuid.UUID]
DEFAULT_PAGE_SIZE = 200


@dataclass(frozen=True)
class ListFilter:
    """What a list shows. ``None``/empty means "all". Each query applies the parts that
    make sense for it (a place list has no week)."""

    week: IsoWeek | None = None
    area_id: uuid.UUID | None = None
    place_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    text: str = ""
    status: str | None = None  # places: hotspot status; "none" = not a hotspot


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    cursor: Cursor | None  # pass back as ``after`` for the next page
    more: bool  # whether rows exist after this page


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


# -- helpers ----------------------------------------------------------------------------------


def _like(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _text_match(text: str, *columns) -> Any:
    """Any of ``columns`` contains ``text``, ignoring case in every alphabet (the SQL
    function ``casefold`` each connection of the store registers)."""
    pattern = _like(text.casefold())
    return or_(*(func.casefold(column).like(pattern, escape="\\") for column in columns))


def _keyset_page(session: Session, query: Select, sort_expr, id_col, *, descending: bool,
                 after: Cursor | None, limit: int, make_row: Callable[[Any], T]) -> Page[T]:
    """One page of ``query`` in ``ORDER BY sort_expr, id_col`` after the cursor ``after``."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if after is not None:
        value, last_id = after
        if descending:
            # The redundant ``<=`` lets SQLite use an index range on the sort column.
            query = query.where(sort_expr <= value,
                                or_(sort_expr < value, and_(sort_expr == value, id_col < last_id)))
        else:
            query = query.where(sort_expr >= value,
                                or_(sort_expr > value, and_(sort_expr == value, id_col > last_id)))
    order = (sort_expr.desc(), id_col.desc()) if descending else (sort_expr.asc(), id_col.asc())
    query = query.add_columns(sort_expr.label("sort_value_"), id_col.label("sort_id_"))
    result = session.execute(query.order_by(*order).limit(limit + 1)).all()
    more = len(result) > limit
    result = result[:limit]
    rows = [make_row(r) for r in result]
    cursor = (result[-1].sort_value_, result[-1].sort_id_) if result else after
    return Page(rows=rows, cursor=cursor, more=more)


def _count(session: Session, query: Select) -> int:
    return session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def _sort_expr(sorts: dict, sort: str):
    try:
        return sorts[sort]
    except KeyError:
        raise ValueError(f"unknown sort key {sort!r}; choose one of {sorted(sorts)}") from None


SEVERITY_RANK = case({s.value: s.rank for s in Severity}, value=Observation.severity, else_=0)


# -- observations -----------------------------------------------------------------------------

OBSERVATION_SORTS = {
    "observed_at": Observation.observed_at,
    "place": Place.name,
    "area": Area.name,
    "category": Category.sort_order,
    "severity": SEVERITY_RANK,
    "people_count": Observation.people_count,
    "youths_present": Observation.youths_present,
    "action_taken": Observation.action_taken,
}


def _observation_query(flt: ListFilter) -> Select:
    query = (
        select(Observation.id, Observation.device_id, Observation.shift_id,
               Observation.observed_at, Observation.place_id, Place.name.label("place_name"),
               Area.name.label("area_name"), Observation.category_id,
               Category.name_sv, Category.name_en, Observation.severity,
               Observation.people_count, Observation.youths_present,
               Observation.action_taken, Observation.details)
        .join(Place, Observation.place_id == Place.id)
        .join(Area, Place.area_id == Area.id)
        .join(Category, Observation.category_id == Category.id)
        .where(Observation.deleted_at.is_(None))
    )
    if flt.week is not None:
        query = query.where(Observation.observed_at >= flt.week.start_utc(),
                            Observation.observed_at < flt.week.end_utc())
    if flt.area_id is not None:
        query = query.where(Place.area_id == flt.area_id)
    if flt.place_id is not None:
        query = query.where(Observation.place_id == flt.place_id)
    if flt.category_id is not None:
        query = query.where(Observation.category_id == flt.category_id)
    if flt.text.strip():
        query = query.where(_text_match(flt.text, Observation.details, Place.name,
                                        Category.name_sv, Category.name_en))
    return query


def _observation_row(r) -> ObservationRow:
    return ObservationRow(
        id=r.id, device_id=r.device_id, shift_id=r.shift_id, observed_at=r.observed_at,
        place_id=r.place_id, place_name=r.place_name, area_name=r.area_name,
        category_id=r.category_id, category_sv=r.name_sv, category_en=r.name_en,
        severity=r.severity, people_count=r.people_count, youths_present=r.youths_present,
        action_taken=r.action_taken, details=r.details,
    )


def observation_page(session: Session, flt: ListFilter = ListFilter(), *,
                     sort: str = "observed_at", descending: bool = True,
                     after: Cursor | None = None,
                     limit: int = DEFAULT_PAGE_SIZE) -> Page[ObservationRow]:
    """One page of observations (not deleted) matching ``flt``."""
    return _keyset_page(session, _observation_query(flt), _sort_expr(OBSERVATION_SORTS, sort),
                        Observation.id, descending=descending, after=after, limit=limit,
                        make_row=_observation_row)


def count_observations(session: Session, flt: ListFilter = ListFilter()) -> int:
    if flt.area_id is None and not flt.text.strip():
        # Nothing to match in the joined tables: count the observations alone (the joins are
        # on non-null foreign keys, so they neither add nor drop a row). A million rows
        # count in a table scan instead of a million index lookups.
        query = select(func.count()).select_from(Observation).where(
            Observation.deleted_at.is_(None))
        if flt.week is not None:
            query = query.where(Observation.observed_at >= flt.week.start_utc(),
                                Observation.observed_at < flt.week.end_utc())
        if flt.place_id is not None:
            query = query.where(Observation.place_id == flt.place_id)
        if flt.category_id is not None:
            query = query.where(Observation.category_id == flt.category_id)
        return session.execute(query).scalar_one()
    return _count(session, _observation_query(flt).with_only_columns(Observation.id))


# -- shifts -----------------------------------------------------------------------------------

SHIFT_SORTS = {
    "starts_at": Shift.starts_at,
    "kind": Shift.kind,
    "adults_met": Shift.adults_met,
    "concern_reports": Shift.concern_reports,
    "referrals": Shift.referrals,
}


def _shift_query(flt: ListFilter) -> Select:
    areas = (select(func.group_concat(Area.name, ", "))
             .select_from(shift_area.join(Area, shift_area.c.area_id == Area.id))
             .where(shift_area.c.shift_id == Shift.id)
             .correlate(Shift).scalar_subquery())
    staff = (select(func.group_concat(Staff.initials, ", "))
             .select_from(shift_staff.join(Staff, shift_staff.c.staff_id == Staff.id))
             .where(shift_staff.c.shift_id == Shift.id)
             .correlate(Shift).scalar_subquery())
    observations = (select(func.count(Observation.id))
                    .where(Observation.shift_id == Shift.id, Observation.deleted_at.is_(None))
                    .correlate(Shift).scalar_subquery())
    query = (
        select(Shift.id, Shift.device_id, Shift.kind, Shift.starts_at, Shift.ends_at,
               areas.label("area_names"), staff.label("staff_initials"), Shift.youth_counts,
               Shift.adults_met, Shift.concern_reports, Shift.referrals,
               observations.label("observation_count"))
        .where(Shift.deleted_at.is_(None))
    )
    if flt.week is not None:
        query = query.where(Shift.starts_at >= flt.week.start_utc(),
                            Shift.starts_at < flt.week.end_utc())
    if flt.area_id is not None:
        query = query.where(Shift.id.in_(
            select(shift_area.c.shift_id).where(shift_area.c.area_id == flt.area_id)))
    if flt.place_id is not None:
        query = query.where(Shift.id.in_(
            select(Observation.shift_id).where(Observation.place_id == flt.place_id,
                                               Observation.deleted_at.is_(None))))
    if flt.category_id is not None:
        query = query.where(Shift.id.in_(
            select(Observation.shift_id).where(Observation.category_id == flt.category_id,
                                               Observation.deleted_at.is_(None))))
    if flt.text.strip():
        query = query.where(_text_match(flt.text, Shift.summary, Shift.weather,
                                        Shift.private_notes))
    return query


def _youths(counts: dict | None) -> int:
    total = 0
    for value in (counts or {}).values():
        try:
            total += int(value)
        except (TypeError, ValueError):
            continue
    return total


def _shift_row(r) -> ShiftRow:
    return ShiftRow(
        id=r.id, device_id=r.device_id, kind=r.kind, starts_at=r.starts_at, ends_at=r.ends_at,
        area_names=r.area_names or "", staff_initials=r.staff_initials or "",
        youths_met=_youths(r.youth_counts), adults_met=r.adults_met,
        concern_reports=r.concern_reports, referrals=r.referrals,
        observation_count=r.observation_count or 0,
    )


def shift_page(session: Session, flt: ListFilter = ListFilter(), *, sort: str = "starts_at",
               descending: bool = True, after: Cursor | None = None,
               limit: int = DEFAULT_PAGE_SIZE) -> Page[ShiftRow]:
    return _keyset_page(session, _shift_query(flt), _sort_expr(SHIFT_SORTS, sort), Shift.id,
                        descending=descending, after=after, limit=limit, make_row=_shift_row)


def count_shifts(session: Session, flt: ListFilter = ListFilter()) -> int:
    return _count(session, _shift_query(flt).with_only_columns(Shift.id))


# -- meetings ---------------------------------------------------------------------------------

MEETING_SORTS = {"held_at": Meeting.held_at, "kind": Meeting.kind, "title": Meeting.title}


def _meeting_query(flt: ListFilter) -> Select:
    flags = (select(func.count()).select_from(MeetingFlag)
             .where(MeetingFlag.meeting_id == Meeting.id).correlate(Meeting).scalar_subquery())
    actions = (select(func.count(Action.id))
               .where(Action.meeting_id == Meeting.id, Action.deleted_at.is_(None))
               .correlate(Meeting).scalar_subquery())
    done = (select(func.count(Action.id))
            .where(Action.meeting_id == Meeting.id, Action.deleted_at.is_(None),
                   Action.carried.any())
            .correlate(Meeting).scalar_subquery())
    query = (
        select(Meeting.id, Meeting.device_id, Meeting.kind, Meeting.held_at, Meeting.title,
               flags.label("flag_count"), actions.label("action_count"),
               done.label("done_count"))
        .where(Meeting.deleted_at.is_(None))
    )
    if flt.week is not None:
        query = query.where(Meeting.held_at >= flt.week.start_utc(),
                            Meeting.held_at < flt.week.end_utc())
    if flt.place_id is not None:
        query = query.where(or_(
            Meeting.id.in_(select(MeetingFlag.meeting_id)
                           .where(MeetingFlag.place_id == flt.place_id)),
            Meeting.id.in_(select(Action.meeting_id).where(Action.place_id == flt.place_id,
                                                           Action.deleted_at.is_(None))),
        ))
    if flt.area_id is not None:
        query = query.where(or_(
            Meeting.id.in_(select(MeetingFlag.meeting_id)
                           .join(Place, MeetingFlag.place_id == Place.id)
                           .where(Place.area_id == flt.area_id)),
            Meeting.id.in_(select(Action.meeting_id)
                           .outerjoin(Place, Action.place_id == Place.id)
                           .where(Action.deleted_at.is_(None),
                                  or_(Action.area_id == flt.area_id,
                                      Place.area_id == flt.area_id))),
        ))
    if flt.text.strip():
        query = query.where(_text_match(flt.text, Meeting.title, Meeting.situation))
    return query


def _meeting_row(r) -> MeetingRow:
    return MeetingRow(id=r.id, device_id=r.device_id, kind=r.kind, held_at=r.held_at,
                      title=r.title, flag_count=r.flag_count or 0,
                      action_count=r.action_count or 0, done_count=r.done_count or 0)


def meeting_page(session: Session, flt: ListFilter = ListFilter(), *, sort: str = "held_at",
                 descending: bool = True, after: Cursor | None = None,
                 limit: int = DEFAULT_PAGE_SIZE) -> Page[MeetingRow]:
    return _keyset_page(session, _meeting_query(flt), _sort_expr(MEETING_SORTS, sort),
                        Meeting.id, descending=descending, after=after, limit=limit,
                        make_row=_meeting_row)


def count_meetings(session: Session, flt: ListFilter = ListFilter()) -> int:
    return _count(session, _meeting_query(flt).with_only_columns(Meeting.id))


def meeting_actions(session: Session, meeting_id: uuid.UUID) -> list[ActionRow]:
    """The actions agreed at a meeting, with their place/area, partner and the shift that
    carried them out, in time order."""
    action_area = Area.__table__.alias("action_area")
    query = (
        select(Action, Place.name.label("place_name"), action_area.c.name.label("area_name"),
               Partner.name.label("partner_name"), Shift.kind.label("shift_kind"),
               Shift.starts_at.label("shift_starts_at"), ActionCarriedOut, Device.name)
        .select_from(Action)
        .outerjoin(Place, Action.place_id == Place.id)
        .outerjoin(action_area, Action.area_id == action_area.c.id)
        .outerjoin(Partner, Action.responsible_partner_id == Partner.id)
        .outerjoin(ActionCarriedOut, ActionCarriedOut.id == first_carried_out(Action.id))
        .outerjoin(Device, Device.id == ActionCarriedOut.device_id)
        .outerjoin(Shift, and_(ActionCarriedOut.shift_id == Shift.id,
                               Shift.deleted_at.is_(None)))
        .where(Action.meeting_id == meeting_id, Action.deleted_at.is_(None))
        .order_by(Action.starts_at, Action.id)
    )
    rows = []
    for (action, place_name, area_name, partner_name, shift_kind, shift_starts_at, carried,
         device_name) in session.execute(query):
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
            carried_out_device=device_name or "",
        ))
    return rows


def meeting_flags(session: Session, meeting_id: uuid.UUID) -> list[FlagRow]:
    query = (select(MeetingFlag.place_id, Place.name, MeetingFlag.reason)
             .join(Place, MeetingFlag.place_id == Place.id)
             .where(MeetingFlag.meeting_id == meeting_id)
             .order_by(MeetingFlag.position))
    return [FlagRow(place_id=p, place_name=n, reason=r) for p, n, r in session.execute(query)]


# -- places -----------------------------------------------------------------------------------

PLACE_SORTS = {
    "name": Place.name,
    "area": Area.name,
    "kind": Place.kind,
    "status": func.coalesce(Place.hotspot_status, ""),
}


def _place_query(flt: ListFilter) -> Select:
    query = (
        select(Place.id, Place.key, Place.name, Place.area_id, Area.name.label("area_name"),
               Place.kind, Place.hotspot_status, Place.lat, Place.lon, Place.revision)
        .join(Area, Place.area_id == Area.id)
        .where(Place.deleted_at.is_(None))
    )
    if flt.area_id is not None:
        query = query.where(Place.area_id == flt.area_id)
    if flt.status == "none":
        query = query.where(Place.hotspot_status.is_(None))
    elif flt.status:
        query = query.where(Place.hotspot_status == flt.status)
    if flt.text.strip():
        query = query.where(_text_match(flt.text, Place.name, Area.name))
    return query


def _place_row(r) -> PlaceRow:
    return PlaceRecord(id=r.id, key=r.key, name=r.name, area_id=r.area_id, area_name=r.area_name,
                       kind=r.kind, hotspot_status=r.hotspot_status, lat=r.lat, lon=r.lon,
                       revision=r.revision)


def place_page(session: Session, flt: ListFilter = ListFilter(), *, sort: str = "name",
               descending: bool = False, after: Cursor | None = None,
               limit: int = DEFAULT_PAGE_SIZE) -> Page[PlaceRow]:
    return _keyset_page(session, _place_query(flt), _sort_expr(PLACE_SORTS, sort), Place.id,
                        descending=descending, after=after, limit=limit, make_row=_place_row)


def count_places(session: Session, flt: ListFilter = ListFilter()) -> int:
    return _count(session, _place_query(flt).with_only_columns(Place.id))


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
    "ActionRow", "FlagRow", "HistoryRow", "ListFilter", "MeetingRow",
    "ObservationRow", "Page", "PlaceHistory", "PlaceRow", "ShiftRow",
    "count_meetings", "count_observations", "count_places", "count_shifts", "history_weeks",
    "meeting_actions", "meeting_flags", "meeting_page", "observation_page", "place_history",
    "place_page", "shift_page",
]
