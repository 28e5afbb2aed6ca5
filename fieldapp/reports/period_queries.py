"""The SQL behind the period report: grouped counts of one period's records for a scope.

Every figure is an aggregate computed by the database over indexed time ranges, so a whole
city's year (a million observations) comes back as a few thousand rows of counts. The month
of a record is found in SQL too: a CASE over the month boundaries of the period in UTC
(Stockholm midnights, so daylight saving time is respected), which keeps the range
conditions on the indexes. The observations, by far the most records, are counted by
SQLite triggers as they are written (``observation_tally``, migration 0009) for the whole
months of the team scope; otherwise their keys come back packed in strings that a Counter
counts (:meth:`PeriodQueries.observation_counts`).

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
from fieldapp.domain.periods import Period, PeriodKind
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
    ObservationTally,
    Partner,
    Place,
    Shift,
    StockholmMonth,
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
        shifts are then read in one pass (:mod:`period_pass`) instead of grouped month by
        month."""
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
        key (read it with :func:`unpack`). Two ways to the same counts
        (``tests/test_report_period_counts.py`` holds them to each other and to a count by
        hand; ``tests/test_observation_tally.py`` holds the tally to the rows after writes):

        - from the tally (:meth:`_tallied`), for the whole months of the team scope: the
          counts the triggers of migration 0009 keep, about 16,000 rows for a city's year
          (counting its million observations took 0.8 s on the encrypted city-year file);
        - from the rows (:meth:`_counts_by_month`), for one device (the tally has no
          device: with one it would be nearly as long as the observations) and for the
          partial months at the ends of a range of days.
        """
        slices = self.slices if period is None else period.month_slices()
        tallied = self._tallied_months(slices) if self.device_id is None else {}
        months = self._tallied(tallied) if tallied else {}
        rest = [index for index in range(len(slices)) if index not in tallied]
        if rest:
            months.update(zip(rest, self._counts_by_month([slices[i] for i in rest]),
                              strict=True))
        return [months[index] for index in range(len(slices))]

    def _tallied_months(self, slices) -> dict[int, str]:
        """``{slice index: "YYYY-MM"}`` of the slices the tally holds: whole months inside
        its month table (1900–2199)."""
        wanted = {index: f"{part.first.year:04d}-{part.first.month:02d}"
                  for index, part in enumerate(slices) if part.kind is PeriodKind.MONTH}
        if not wanted:
            return {}
        known = set(self.connection.execute(select(StockholmMonth.month).where(
            StockholmMonth.month.in_(list(wanted.values())))).scalars())
        return {index: month for index, month in wanted.items() if month in known}

    def _tallied(self, tallied: dict[int, str]) -> dict[int, Counter]:
        index_of = {month: index for index, month in tallied.items()}
        key = (text_id(ObservationTally.place_id) + _UNIT + text_id(ObservationTally.category_id)
               + _UNIT + ObservationTally.severity)
        months = {index: Counter() for index in tallied}
        for month, packed, n in self.connection.execute(
                select(ObservationTally.month, key, ObservationTally.observations)
                .where(ObservationTally.month.in_(list(index_of)),
                       ObservationTally.observations > 0)):
            months[index_of[month]][packed] = n
        return months

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
        """Each month slice one range of the shifts started in it, their observations looked
        up through the index, and one range of the observations without a shift; the keys
        come back joined in one string per slice (no GROUP BY: SQLite has no hash
        aggregate, and sorting a month's observations by key took most of the time), counted
        with :class:`collections.Counter`. One month's string at a time is in memory (about
        70 bytes an observation; SQLite's string limit, 1 GB, is some 14 million
        observations in a month). A period has at most 25 month slices
        (``MAX_RANGE_DAYS``): 50 SELECTs in the UNION ALL, SQLite allows 500."""
        statement = union_all(*(
            self._observations(anchor_shift, (literal(index), self._keys()), part.start_utc(),
                               part.end_utc())
            for index, part in enumerate(slices) for anchor_shift in (True, False)))
        months: list[Counter] = [Counter() for _part in slices]
        for index, packed in self.connection.execute(statement):
            if packed:  # None: none in this month
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
