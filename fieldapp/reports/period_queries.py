"""The SQL behind the period report: grouped counts of one period's records for a scope.

Every figure is an aggregate computed by the database over indexed time ranges, so a whole
city's year (a million observations) comes back as a few thousand rows of counts. The month
of a record is found in SQL too: a CASE over the month boundaries of the period in UTC
(Stockholm midnights, so daylight saving time is respected), which keeps the range
conditions on the indexes. The observations, by far the most records, are not grouped by
SQLite (its GROUP BY sorts every row, most of the time of a year's report): their keys come
back packed in strings that a Counter counts, per month slice or, for a period that holds
most of the store, per shift in one pass over the index
(:meth:`PeriodQueries.observation_counts`).

Rules (as the weekly log, DESIGN.md): a shift belongs to the month in which it started, and
so do the observations logged during it; an observation without a shift counts at its own
time; observations of a deleted shift are not counted; agreed actions are those agreed at
the meetings held in the period, carried out when a live ActionCarriedOut record exists (of
any device). ``device_id`` None means every record in the store (team scope).

SQLite only (``julianday``, ``json_each``, ``group_concat``): reports run on the local
store. Qt-free.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import (
    Integer,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from fieldapp.domain.enums import PartnerKind
from fieldapp.domain.periods import Period
from fieldapp.i18n import current_language
from fieldapp.reports.period_pass import RECORD, UNIT, ShiftPass, hours
from fieldapp.reports.week_queries import text_id
from fieldapp.store.models import (
    Action,
    ActionCarriedOut,
    Area,
    Category,
    Meeting,
    Observation,
    Partner,
    Place,
    Shift,
    meeting_partner,
    shift_area,
    shift_staff,
)
from fieldapp.store.types import UTCDateTime


_UNIT, _RECORD = UNIT, RECORD  # the packed observation keys' separators


def unpack(key: str) -> tuple[str, str, str]:
    """A key of :meth:`PeriodQueries.observation_counts`: (place id, category id, severity)."""
    place_id, category_id, severity = key.split(_UNIT)
    return place_id, category_id, severity


@dataclass(frozen=True)
class PeriodNames:
    """Reference names by text id."""

    areas: dict[str, str]
    places: dict[str, tuple[str, str, str | None]]  # id -> (name, area id, hotspot status)
    categories: dict[str, tuple[str, str, int]]  # id -> (key, name, sort order)


class PeriodQueries:
    """The grouped queries of ``period`` for one device (``device_id``) or every record."""

    def __init__(self, session: Session, period: Period, device_id: uuid.UUID | None):
        self.connection = session.connection()
        self.period = period
        self.device_id = device_id
        self.slices = period.month_slices()
        self._start, self._end = period.start_utc(), period.end_utc()
        self._whole: bool | None = None
        self._pass: ShiftPass | None = None

    @property
    def whole(self) -> bool:
        """True when the period (team scope) holds at least half of the store's shifts: its
        shifts and observations are then read in one pass each (:mod:`period_pass`,
        :meth:`_counts_by_shift`) instead of looked up month by month."""
        if self._whole is None:
            self._whole = self.device_id is None and self._holds_most_shifts(self.slices)
        return self._whole

    def _one_pass(self) -> ShiftPass | None:
        if not self.whole:
            return None
        if self._pass is None:
            self._pass = ShiftPass(self)
        return self._pass

    # -- helpers --------------------------------------------------------------------------------
    def _bucket(self, column):
        """The index (0, 1, …) of the period's month slice ``column`` falls in, in SQL."""
        return self._bucket_of(column, self.slices)

    @staticmethod
    def _bucket_of(column, slices):
        bounds = [s.end_utc() for s in slices[:-1]]
        if not bounds:
            return literal(0)
        return case(*((column < literal(b, UTCDateTime), i) for i, b in enumerate(bounds)),
                    else_=len(bounds))

    def _mine(self, model) -> tuple:
        return (model.device_id == self.device_id,) if self.device_id is not None else ()

    def _in(self, column, start=None, end=None) -> tuple:
        start = self._start if start is None else start
        end = self._end if end is None else end
        return (column >= literal(start, UTCDateTime), column < literal(end, UTCDateTime))

    def _shifts(self, *columns, start=None, end=None):
        return (select(*columns).select_from(Shift)
                .where(*self._in(Shift.starts_at, start, end), Shift.deleted_at.is_(None),
                       *self._mine(Shift)))

    def _run(self, statement) -> list:
        return self.connection.execute(statement).all()

    # -- reference names ------------------------------------------------------------------------
    def names(self) -> PeriodNames:
        sv = current_language() == "sv"
        return PeriodNames(
            areas=dict(self._run(select(text_id(Area.id), Area.name))),
            places={pid: (name, area_id, status) for pid, name, area_id, status in self._run(
                select(text_id(Place.id), Place.name, text_id(Place.area_id),
                       Place.hotspot_status))},
            categories={cid: (key, name_sv if sv else name_en, order)
                        for cid, key, name_sv, name_en, order in self._run(
                            select(text_id(Category.id), Category.key, Category.name_sv,
                                   Category.name_en, Category.sort_order))},
        )

    # -- shifts ---------------------------------------------------------------------------------
    def shift_figures(self) -> list:
        """Rows ``(month, kind, shifts, hours, adults, concern_reports, referrals)``."""
        if (one := self._one_pass()) is not None:
            return one.figures
        month = self._bucket(Shift.starts_at)
        return self._run(self._shifts(
            month, Shift.kind, func.count(), func.sum(hours(Shift.starts_at, Shift.ends_at)),
            func.sum(Shift.adults_met), func.sum(Shift.concern_reports),
            func.sum(Shift.referrals)).group_by(month, Shift.kind))

    def staff_hours(self) -> list:
        """Rows ``(month, staff hours)``: each shift's hours times its staff."""
        if (one := self._one_pass()) is not None:
            return one.staff_hours
        month = self._bucket(Shift.starts_at)
        return self._run(self._shifts(month, func.sum(hours(Shift.starts_at, Shift.ends_at)))
                         .join(shift_staff, shift_staff.c.shift_id == Shift.id)
                         .group_by(month))

    def youth_counts(self) -> list:
        """Rows ``(month, "<age band>|<gender>", young people)`` from the shifts' counts."""
        if (one := self._one_pass()) is not None:
            return one.youths
        month = self._bucket(Shift.starts_at)
        pairs = func.json_each(Shift.youth_counts).table_valued("key", "value", name="counts")
        return self._run(self._shifts(month, pairs.c.key, func.sum(cast(pairs.c.value, Integer)))
                         .join(pairs, true()).group_by(month, pairs.c.key))

    def area_presence(self) -> list:
        """Rows ``(month, area id, shifts, hours)``: the shifts that covered each area."""
        if (one := self._one_pass()) is not None:
            return one.presence
        month = self._bucket(Shift.starts_at)
        area = text_id(shift_area.c.area_id)
        return self._run(self._shifts(month, area, func.count(),
                                      func.sum(hours(Shift.starts_at, Shift.ends_at)))
                         .join(shift_area, shift_area.c.shift_id == Shift.id)
                         .group_by(month, shift_area.c.area_id))

    def shifts_in_areas(self, area_ids) -> list:
        """Rows ``(month, shifts)``: the shifts that covered at least one of ``area_ids``
        (each shift once)."""
        if (one := self._one_pass()) is not None:
            return one.shifts_in_areas(area_ids)
        month = self._bucket(Shift.starts_at)
        covered = exists().where(shift_area.c.shift_id == Shift.id,
                                 text_id(shift_area.c.area_id).in_(list(area_ids)))
        return self._run(self._shifts(month, func.count()).where(covered).group_by(month))

    # -- observations ---------------------------------------------------------------------------
    def _observations(self, anchor_shift: bool, columns, start=None, end=None):
        """The observations of the period: during a shift that started in it
        (``anchor_shift``), or without a shift and observed in it."""
        if anchor_shift:
            return (select(*columns).select_from(Observation)
                    .join(Shift, Shift.id == Observation.shift_id)
                    .where(*self._in(Shift.starts_at, start, end), Shift.deleted_at.is_(None),
                           Observation.deleted_at.is_(None), *self._mine(Observation)))
        return (select(*columns).select_from(Observation)
                .where(Observation.shift_id.is_(None),
                       *self._in(Observation.observed_at, start, end),
                       Observation.deleted_at.is_(None), *self._mine(Observation)))

    def observation_counts(self, period: Period | None = None) -> list[Counter]:
        """The observations of each month slice of the period (or of ``period``, e.g. the
        same period a year before), counted by their packed ``place|category|severity``
        key (read it with :func:`unpack`).

        No sort of the observations: SQLite has no hash aggregate, so a GROUP BY of a year's
        observations by place, category or severity spends most of its time sorting them.
        The keys are joined into strings by a plain aggregate, as an index reads them, and
        counted with :class:`collections.Counter`. Two ways to read them, the same counts
        (``tests/test_report_period_counts.py`` checks both):

        - by shift (:meth:`_counts_by_shift`), when the period holds at least half of the
          store's shifts (a year's report: the store keeps 13 months by default): one pass
          over the whole covering index in its own order, grouped per shift, each shift's
          keys put in the month it started in. Twice as fast as looking up each shift's
          observations on an encrypted city-year file (no B-tree descent per shift, every
          index page decrypted once);
        - by month (:meth:`_counts_by_month`), for a shorter period or one device: each
          month slice one range of the shifts started in it, their observations looked up
          through the index.

        The observations without a shift are one range per month slice either way.
        """
        if period is None:  # the report's own period: its shifts' months are read already
            if (one := self._one_pass()) is not None:
                return self._counts_by_shift(self.slices, one.month_of)
            return self._counts_by_month(self.slices)
        slices = period.month_slices()
        if self.device_id is None and self._holds_most_shifts(slices):
            return self._counts_by_shift(slices)
        return self._counts_by_month(slices)

    def _holds_most_shifts(self, slices) -> bool:
        start, end = slices[0].start_utc(), slices[-1].end_utc()
        inside = self.connection.execute(
            self._shifts(func.count(), start=start, end=end)).scalar_one()
        everything = self.connection.execute(
            select(func.count()).select_from(Shift).where(Shift.deleted_at.is_(None))).scalar_one()
        return inside > 0 and 2 * inside >= everything

    def _keys(self):
        return func.group_concat(text_id(Observation.place_id) + _UNIT
                                 + text_id(Observation.category_id) + _UNIT
                                 + Observation.severity, _RECORD)

    def _counts_by_month(self, slices) -> list[Counter]:
        """One month's string at a time is in memory (about 70 bytes an observation;
        SQLite's string limit, 1 GB, is some 14 million observations in a month). A period
        has at most 25 month slices (``MAX_RANGE_DAYS``): 50 SELECTs in the UNION ALL,
        SQLite allows 500."""
        statement = union_all(*(
            self._observations(anchor_shift, (literal(index), self._keys()), part.start_utc(),
                               part.end_utc())
            for index, part in enumerate(slices) for anchor_shift in (True, False)))
        months: list[Counter] = [Counter() for _part in slices]
        for index, packed in self.connection.execute(statement):
            if packed:  # None: none in this month
                months[index].update(packed.split(_RECORD))
        return months

    def _counts_by_shift(self, slices, month_of: dict[str, int] | None = None) -> list[Counter]:
        """Team scope only (the covering index has no device). The shifts' months come
        first (a dict of the period's live shifts); a shift not in it (deleted, or
        outside the period) is skipped, as the join by month skips it. The keys are
        counted a batch of shifts at a time, so at most ``batch`` shifts' strings wait."""
        if month_of is None:
            start, end = slices[0].start_utc(), slices[-1].end_utc()
            bucket = self._bucket_of(Shift.starts_at, slices)
            month_of = dict(self._run(self._shifts(text_id(Shift.id), bucket, start=start,
                                                   end=end)))
        grouped = (select(text_id(Observation.shift_id), self._keys())
                   .where(Observation.shift_id.is_not(None), Observation.deleted_at.is_(None))
                   .group_by(Observation.shift_id))
        months: list[Counter] = [Counter() for _part in slices]
        waiting: list[list[str]] = [[] for _part in slices]
        batch = 2000
        for shift_id, packed in self.connection.execute(grouped):
            index = month_of.get(shift_id)
            if index is None:
                continue
            waiting[index].append(packed)
            if len(waiting[index]) >= batch:
                months[index].update(_RECORD.join(waiting[index]).split(_RECORD))
                waiting[index].clear()
        for index, parts in enumerate(waiting):
            if parts:
                months[index].update(_RECORD.join(parts).split(_RECORD))
        unattached = union_all(*(
            self._observations(False, (literal(index), self._keys()), part.start_utc(),
                               part.end_utc())
            for index, part in enumerate(slices)))
        for index, packed in self.connection.execute(unattached):
            if packed:
                months[index].update(packed.split(_RECORD))
        return months

    # -- meetings and actions -------------------------------------------------------------------
    def _meetings(self, *columns):
        return (select(*columns).select_from(Meeting)
                .where(*self._in(Meeting.held_at), Meeting.deleted_at.is_(None),
                       *self._mine(Meeting)))

    def meeting_counts(self) -> list:
        """Rows ``(month, kind, meetings, with the police)``. A meeting is with the police
        when a police partner took part or it is an utsättningsmöte (always with them)."""
        month = self._bucket(Meeting.held_at)
        police = exists().where(meeting_partner.c.meeting_id == Meeting.id,
                                Partner.id == meeting_partner.c.partner_id,
                                Partner.kind == PartnerKind.POLICE.value)
        with_police = case((police | (Meeting.kind == "utsattningsmote"), 1), else_=0)
        return self._run(self._meetings(month, Meeting.kind, func.count(), func.sum(with_police))
                         .group_by(month, Meeting.kind))

    def meetings_by_partner_kind(self) -> list:
        """Rows ``(partner kind, meetings)``: the meetings each kind of partner took part in."""
        return self._run(
            self._meetings(Partner.kind, func.count(func.distinct(Meeting.id)))
            .join(meeting_partner, meeting_partner.c.meeting_id == Meeting.id)
            .join(Partner, Partner.id == meeting_partner.c.partner_id)
            .group_by(Partner.kind))

    def action_counts(self) -> list:
        """Rows ``(month of the meeting, status, place id, area id, actions)``; status is
        "done" when the action was carried out, else the owner's status."""
        month = self._bucket(Meeting.held_at)
        carried = exists().where(ActionCarriedOut.action_id == Action.id,
                                 ActionCarriedOut.deleted_at.is_(None))
        status = case((carried, "done"), else_=Action.status)
        return self._run(
            self._meetings(month, status, text_id(Action.place_id), text_id(Action.area_id),
                           func.count())
            .join(Action, Action.meeting_id == Meeting.id)
            .where(Action.deleted_at.is_(None), *self._mine(Action))
            .group_by(month, status, Action.place_id, Action.area_id))


__all__ = ["PeriodNames", "PeriodQueries", "unpack"]
