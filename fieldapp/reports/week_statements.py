"""The prepared statements of a week's figures (:class:`fieldapp.reports.week_queries.WeekQueries`
runs them): each query is built once per scope (device or team) and reused for every week."""

from __future__ import annotations

from functools import cache, cached_property

from sqlalchemy import String, bindparam, case, func, literal_column, select, type_coerce

from fieldapp.domain.enums import Severity
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
    Staff,
    first_carried_out,
    meeting_partner,
    meeting_staff,
    shift_area,
    shift_partner,
    shift_staff,
)


PLACE_SEPARATOR = ","  # never in a hex id


def text_id(column):
    """A Uuid column read as the text the store holds: a cheap dictionary key, no UUID."""
    return type_coerce(column, String)


def _observation_columns() -> tuple:
    """An observation read as a row (high-severity ones, those without a shift)."""
    return (text_id(Observation.id).label("id"), text_id(Observation.shift_id).label("shift_id"),
            text_id(Observation.place_id).label("place_id"),
            text_id(Observation.category_id).label("category_id"), Observation.severity,
            Observation.observed_at, Observation.people_count, Observation.youths_present,
            Observation.action_taken, Observation.details, Observation.details_shareable)


class _Statements:
    """Every select of :class:`WeekQueries`, built on first use. Parameters: ``start`` and
    ``end`` (the week in UTC), ``device`` (device scope only), ``limit``, ``ids``."""

    def __init__(self, device_scoped: bool):
        self.device_scoped = device_scoped

    def _mine(self, model) -> tuple:
        """The scope condition on ``model``: none in team scope."""
        return (model.device_id == bindparam("device"),) if self.device_scoped else ()

    @staticmethod
    def _started_in_week() -> tuple:
        """Shifts (of any device) that started in [start, end) and are not deleted."""
        return (Shift.starts_at >= bindparam("start"), Shift.starts_at < bindparam("end"),
                Shift.deleted_at.is_(None))

    def _shifts_in_week(self) -> tuple:
        return (*self._started_in_week(), *self._mine(Shift))

    def _week_shift_ids(self):
        return select(Shift.id).where(*self._shifts_in_week())

    def _with_shift(self, *columns):
        """The observations made during the shifts that started in [start, end)."""
        return (select(*columns).select_from(Observation)
                .join(Shift, Shift.id == Observation.shift_id)
                .where(*self._started_in_week(), Observation.deleted_at.is_(None),
                       *self._mine(Observation)))

    def _without_shift(self, *columns):
        """The observations without a shift observed in [start, end)."""
        # ix_observation_shift_cover (shift_id, observed_at, ...) makes "IS NULL" plus the time
        # range one exact, covering index range (migration 0004).
        return select(*columns).where(
            Observation.shift_id.is_(None), Observation.observed_at >= bindparam("start"),
            Observation.observed_at < bindparam("end"), Observation.deleted_at.is_(None),
            *self._mine(Observation))

    def _meetings_in_week(self) -> tuple:
        return (Meeting.held_at >= bindparam("start"), Meeting.held_at < bindparam("end"),
                Meeting.deleted_at.is_(None), *self._mine(Meeting))

    def _week_meeting_ids(self):
        return select(Meeting.id).where(*self._meetings_in_week())

    # -- reference names ----------------------------------------------------------------------
    @cached_property
    def areas(self):
        return select(text_id(Area.id), Area.name)

    @cached_property
    def places(self):
        return select(text_id(Place.id), Place.name, text_id(Place.area_id), Place.hotspot_status)

    @cached_property
    def categories(self):
        return select(text_id(Category.id), Category.key, Category.name_sv, Category.name_en,
                      Category.sort_order)

    @cached_property
    def partners(self):
        return select(text_id(Partner.id), Partner.name)

    # -- shifts -------------------------------------------------------------------------------
    @cached_property
    def shift_rows(self):
        return (select(text_id(Shift.id).label("id"), Shift.kind, Shift.starts_at, Shift.ends_at,
                       Shift.summary, Shift.summary_shareable, Shift.youth_counts,
                       Shift.adults_met, Shift.concern_reports, Shift.referrals)
                .where(*self._shifts_in_week()).order_by(Shift.starts_at, Shift.id))

    @cached_property
    def shift_staff(self):
        return (select(text_id(shift_staff.c.shift_id), Staff.initials)
                .join(Staff, Staff.id == shift_staff.c.staff_id)
                .where(shift_staff.c.shift_id.in_(self._week_shift_ids())))

    @cached_property
    def shift_areas(self):
        return (select(text_id(shift_area.c.shift_id), text_id(shift_area.c.area_id))
                .where(shift_area.c.shift_id.in_(self._week_shift_ids())))

    @cached_property
    def shift_partners(self):
        return (select(text_id(shift_partner.c.shift_id), Partner.name)
                .join(Partner, Partner.id == shift_partner.c.partner_id)
                .where(shift_partner.c.shift_id.in_(self._week_shift_ids())))

    @cached_property
    def shift_starts(self):
        return (select(text_id(Shift.id), Shift.starts_at)
                .where(text_id(Shift.id).in_(bindparam("ids", expanding=True))))

    # -- observations -------------------------------------------------------------------------
    @cached_property
    def counts_by_shift(self):
        high = case((Observation.severity == Severity.HIGH.value, 1), else_=0)
        # Grouped in the order the join reads the shifts (ix_shift_starts_at, whose entries
        # end with the rowid), so SQLite counts as it goes instead of sorting every row.
        return (self._with_shift(text_id(Shift.id), func.count(), func.sum(high))
                .group_by(Shift.starts_at, literal_column("shift.rowid")))

    @cached_property
    def counts_by_place_category(self):
        return (self._with_shift(text_id(Observation.place_id), text_id(Observation.category_id),
                                 Observation.severity, func.count(),
                                 func.sum(Observation.people_count),
                                 func.sum(Observation.youths_present))
                .group_by(Observation.place_id, Observation.category_id, Observation.severity))

    @cached_property
    def observations_with_shift(self):
        return self._with_shift(*_observation_columns(), Shift.starts_at.label("anchor"))

    @cached_property
    def observations_without_shift(self):
        return self._without_shift(*_observation_columns(),
                                   Observation.observed_at.label("anchor"))

    @cached_property
    def notable_with_shift(self):
        return (self.observations_with_shift
                .where(Observation.severity == Severity.HIGH.value)
                .order_by(Observation.observed_at, Observation.id).limit(bindparam("limit")))

    @cached_property
    def place_counts(self):
        # The place ids of a week's observations joined into one string, counted in Python:
        # a GROUP BY would sort every row (three quarters of the statement's time on a
        # city's week of 19,000 observations).
        places = func.group_concat(text_id(Observation.place_id), PLACE_SEPARATOR)
        return self._with_shift(places), self._without_shift(places)

    # -- meetings -----------------------------------------------------------------------------
    @cached_property
    def meeting_rows(self):
        return (select(text_id(Meeting.id).label("id"), Meeting.kind, Meeting.held_at,
                       Meeting.title, Meeting.situation, Meeting.situation_shareable)
                .where(*self._meetings_in_week()).order_by(Meeting.held_at, Meeting.id))

    @cached_property
    def meeting_partners(self):
        return (select(text_id(meeting_partner.c.meeting_id), Partner.name)
                .join(Partner, Partner.id == meeting_partner.c.partner_id)
                .where(meeting_partner.c.meeting_id.in_(self._week_meeting_ids())))

    @cached_property
    def meeting_staff(self):
        return (select(text_id(meeting_staff.c.meeting_id), Staff.initials)
                .join(Staff, Staff.id == meeting_staff.c.staff_id)
                .where(meeting_staff.c.meeting_id.in_(self._week_meeting_ids())))

    @cached_property
    def meeting_flags(self):
        return (select(text_id(MeetingFlag.meeting_id), text_id(MeetingFlag.place_id),
                       MeetingFlag.reason)
                .where(MeetingFlag.meeting_id.in_(self._week_meeting_ids()))
                .order_by(MeetingFlag.meeting_id, MeetingFlag.position))

    @cached_property
    def meeting_actions(self):
        # Carried out: the earliest live record of any device (its own record, issue 16).
        carried = ActionCarriedOut.__table__.alias("carried")
        by_shift = Shift.__table__.alias("carried_by_shift")
        return (select(text_id(Action.id).label("id"),
                       text_id(Action.meeting_id).label("meeting_id"),
                       text_id(Action.place_id).label("place_id"),
                       text_id(Action.area_id).label("area_id"), Action.starts_at,
                       Action.ends_at,
                       text_id(Action.responsible_partner_id).label("responsible_partner_id"),
                       case((carried.c.id.is_not(None), "done"), else_=Action.status)
                       .label("status"), Action.note,
                       # the day of the shift that did it (a night belongs to its start)
                       func.coalesce(by_shift.c.starts_at, carried.c.carried_out_at)
                       .label("carried_at"),
                       Device.name.label("carried_by"))
                .select_from(Action)
                .outerjoin(carried, carried.c.id == first_carried_out(Action.id))
                .outerjoin(by_shift, by_shift.c.id == carried.c.shift_id)
                .outerjoin(Device, Device.id == carried.c.device_id)
                .where(Action.meeting_id.in_(self._week_meeting_ids()),
                       Action.deleted_at.is_(None), *self._mine(Action))
                .order_by(Action.starts_at, Action.id))


@cache
def _statements(device_scoped: bool) -> _Statements:
    return _Statements(device_scoped)


