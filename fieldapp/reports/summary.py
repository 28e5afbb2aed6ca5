"""The one weekly aggregation behind every report: :class:`WeekSummary`.

``build_week_summary(session, week, scope, device_id)`` reads the store with a handful of
indexed range queries (shifts by ``starts_at``, observations by ``shift_id`` and
``observed_at``, meetings by ``held_at``) and returns plain, frozen data: the PDF, the XLSX,
the CSV, the JSON and the screen all show these same figures.

Rules (DESIGN.md):
- A week is Monday 00:00 to Monday 00:00 in Stockholm. A shift belongs to the day and week in
  which it started, and so do the observations logged during it (an observation at 00:30 on
  Monday during Sunday's night walk counts on Sunday). An observation without a shift counts
  at its own time. Observations of a deleted shift are not counted.
- Scope ``device``: records whose ``device_id`` is this device; ``team``: every record in the
  local store.
- Free text appears only when the user marked it shareable *and* the PII guard passes it.
  Private notes are never read.
- "Actions agreed" are the actions agreed at the meetings held in the week.

Qt-free.
"""

from __future__ import annotations

import bisect
import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from fieldapp.domain.enums import (
    ActionStatus,
    ActionTaken,
    AgeBand,
    Gender,
    MeetingKind,
    Severity,
    ShiftKind,
)
from fieldapp.domain.pii import is_shareable
from fieldapp.domain.validation import parse_youth_key
from fieldapp.domain.weeks import STOCKHOLM, IsoWeek, stockholm_day, to_stockholm
from fieldapp.i18n import _, current_language
from fieldapp.store.models import (
    Action,
    Area,
    Category,
    Meeting,
    MeetingFlag,
    Observation,
    Partner,
    Place,
    Setting,
    Shift,
    Staff,
    meeting_partner,
    meeting_staff,
    shift_area,
    shift_partner,
    shift_staff,
)
from fieldapp.store.types import utcnow

TREND_WEEKS = 4  # the lägesbild looks at the last four weeks
TREND_LIMIT = 8  # places shown as rising
NOTABLE_LIMIT = 100  # high-severity observations listed one by one


class Scope(StrEnum):
    DEVICE = "device"
    TEAM = "team"

    @property
    def label(self) -> str:
        return {
            Scope.DEVICE: _("This device"),
            Scope.TEAM: _("Whole team (every record in this database)"),
        }[self]

    @property
    def short_label(self) -> str:
        """For use inside a sentence: "this device", "the whole team"."""
        return {Scope.DEVICE: _("this device"), Scope.TEAM: _("the whole team")}[self]


def label_of(enum_cls, value: str) -> str:
    """The translated label of an enum value; the raw value if it is unknown (newer app)."""
    try:
        return enum_cls(value).label
    except ValueError:
        return value


def shareable_text(text: str | None, marked: bool) -> str:
    """``text`` if the user marked it shareable and the PII guard passes it, else ""."""
    if not text or not marked or not is_shareable(text):
        return ""
    return text


# -- the figures ------------------------------------------------------------------------------

@dataclass(frozen=True)
class KeyFigures:
    shifts: int
    shifts_by_kind: dict[str, int]  # ShiftKind value -> count (every kind, in enum order)
    field_hours: float  # sum of ended shifts' durations
    staff_hours: float  # duration × staff on the shift
    youths_met: int
    youths_by_band_gender: dict[str, dict[str, int]]  # AgeBand value -> Gender value -> n
    adults_met: int
    referrals: int
    observations: int
    observations_by_severity: dict[str, int]  # Severity value -> count
    meetings: int
    actions_agreed: int
    actions_done: int
    actions_cancelled: int
    actions_planned: int

    @property
    def contacts(self) -> int:
        return self.youths_met + self.adults_met


@dataclass(frozen=True)
class CategoryCount:
    key: str
    name: str
    total: int
    by_severity: dict[str, int]  # Severity value -> count


@dataclass(frozen=True)
class DayRow:
    day: dt.date
    shifts: int
    field_hours: float
    staff_hours: float
    youths_met: int
    adults_met: int
    referrals: int
    observations: int
    high_severity: int
    meetings: int

    @property
    def contacts(self) -> int:
        return self.youths_met + self.adults_met


@dataclass(frozen=True)
class AreaRow:
    area_id: uuid.UUID
    name: str
    shifts: int
    observations: int
    previous: int

    @property
    def change(self) -> int:
        return self.observations - self.previous


@dataclass(frozen=True)
class PlaceRow:
    place_id: uuid.UUID
    name: str
    area: str
    hotspot_status: str | None
    observations: int
    previous: int
    high_severity: int
    people: int
    youths_present: int

    @property
    def change(self) -> int:
        return self.observations - self.previous


@dataclass(frozen=True)
class ShiftLine:
    id: uuid.UUID
    day: dt.date
    starts_at: dt.datetime  # Stockholm time
    ends_at: dt.datetime | None  # Stockholm time
    kind: str
    kind_label: str
    hours: float
    areas: str
    staff: str  # initials
    partners: str
    youths_met: int
    adults_met: int
    referrals: int
    observations: int
    summary: str  # only shareable text that passed the PII guard


@dataclass(frozen=True)
class ObservationLine:
    id: uuid.UUID
    day: dt.date
    observed_at: dt.datetime  # Stockholm time
    place: str
    area: str
    category: str
    severity: str
    severity_label: str
    people: int
    youths_present: int
    action_taken: str
    details: str  # only shareable text that passed the PII guard


@dataclass(frozen=True)
class FlagLine:
    place: str
    reason: str


@dataclass(frozen=True)
class ActionLine:
    id: uuid.UUID
    meeting_id: uuid.UUID
    where: str
    starts_at: dt.datetime  # Stockholm time
    ends_at: dt.datetime  # Stockholm time
    responsible: str
    status: str
    status_label: str
    carried_out_on: dt.date | None  # the day of the shift that carried it out
    note: str


@dataclass(frozen=True)
class MeetingLine:
    id: uuid.UUID
    held_at: dt.datetime  # Stockholm time
    kind: str
    kind_label: str
    title: str
    partners: str
    staff: str
    situation: str  # only shareable text that passed the PII guard
    flags: tuple[FlagLine, ...]
    actions: tuple[ActionLine, ...]


@dataclass(frozen=True)
class TrendRow:
    place_id: uuid.UUID
    name: str
    area: str
    counts: tuple[int, ...]  # one per week, oldest first
    slope: float  # least-squares change per week

    @property
    def change(self) -> int:
        return self.counts[-1] - self.counts[0]


@dataclass(frozen=True)
class Trend:
    """The lägesbild: where observations rose most over the last weeks, and its sources."""

    weeks: tuple[str, ...]  # "2024-W44", ...
    rows: tuple[TrendRow, ...]
    sources: str


@dataclass(frozen=True)
class WeekSummary:
    week: IsoWeek
    scope: Scope
    team_name: str
    device_id: uuid.UUID
    generated_at: dt.datetime
    language: str
    key: KeyFigures
    categories: tuple[CategoryCount, ...]
    days: tuple[DayRow, ...]
    areas: tuple[AreaRow, ...]
    places: tuple[PlaceRow, ...]
    shifts: tuple[ShiftLine, ...]
    meetings: tuple[MeetingLine, ...]
    notable: tuple[ObservationLine, ...]  # high severity, at most NOTABLE_LIMIT
    notable_total: int
    trend: Trend

    @property
    def is_empty(self) -> bool:
        return not (self.key.shifts or self.key.observations or self.key.meetings)

    @property
    def actions(self) -> tuple[ActionLine, ...]:
        return tuple(a for m in self.meetings for a in m.actions)

    @classmethod
    def build(cls, session: Session, week: IsoWeek, scope: Scope | str,
              device_id: uuid.UUID, **kwargs) -> WeekSummary:
        return build_week_summary(session, week, scope, device_id, **kwargs)


# -- building ---------------------------------------------------------------------------------

@dataclass
class _Lookup:
    areas: dict[uuid.UUID, str] = field(default_factory=dict)
    places: dict[uuid.UUID, tuple[str, uuid.UUID, str | None]] = field(default_factory=dict)
    categories: dict[uuid.UUID, tuple[str, str, int]] = field(default_factory=dict)
    partners: dict[uuid.UUID, str] = field(default_factory=dict)

    def place_name(self, place_id) -> str:
        return self.places[place_id][0] if place_id in self.places else "?"

    def place_area(self, place_id) -> str:
        if place_id not in self.places:
            return ""
        return self.areas.get(self.places[place_id][1], "")


def _lookup(session: Session) -> _Lookup:
    sv = current_language() == "sv"
    found = _Lookup()
    found.areas = dict(session.execute(select(Area.id, Area.name)).all())
    found.places = {
        pid: (name, area_id, status)
        for pid, name, area_id, status in session.execute(
            select(Place.id, Place.name, Place.area_id, Place.hotspot_status))
    }
    found.categories = {
        cid: (key, name_sv if sv else name_en, order)
        for cid, key, name_sv, name_en, order in session.execute(
            select(Category.id, Category.key, Category.name_sv, Category.name_en,
                   Category.sort_order))
    }
    found.partners = dict(session.execute(select(Partner.id, Partner.name)).all())
    return found


def _hours(starts_at: dt.datetime, ends_at: dt.datetime | None) -> float:
    if ends_at is None or ends_at <= starts_at:
        return 0.0
    return (ends_at - starts_at).total_seconds() / 3600.0


def _grouped(session: Session, query) -> dict[uuid.UUID, list]:
    groups: dict[uuid.UUID, list] = defaultdict(list)
    for owner, value in session.execute(query):
        groups[owner].append(value)
    return groups


class _Builder:
    def __init__(self, session: Session, week: IsoWeek, scope: Scope, device_id: uuid.UUID):
        self.session = session
        self.week = week
        self.scope = scope
        self.device_id = device_id
        self.start, self.end = week.start_utc(), week.end_utc()
        self.names = _lookup(session)

    def _mine(self, model):
        """The scope condition for ``model`` (True in team scope)."""
        if self.scope is Scope.DEVICE:
            return model.device_id == self.device_id
        return True

    # -- shifts ---------------------------------------------------------------------------
    def _week_shift_ids(self):
        return select(Shift.id).where(
            Shift.starts_at >= self.start, Shift.starts_at < self.end,
            Shift.deleted_at.is_(None), self._mine(Shift))

    def shifts(self):
        rows = self.session.execute(
            select(Shift.id, Shift.kind, Shift.starts_at, Shift.ends_at, Shift.summary,
                   Shift.summary_shareable, Shift.youth_counts, Shift.adults_met,
                   Shift.referrals_made)
            .where(Shift.starts_at >= self.start, Shift.starts_at < self.end,
                   Shift.deleted_at.is_(None), self._mine(Shift))
            .order_by(Shift.starts_at, Shift.id)
        ).all()
        ids = self._week_shift_ids()
        staff = _grouped(self.session, select(shift_staff.c.shift_id, Staff.initials)
                         .join(Staff, Staff.id == shift_staff.c.staff_id)
                         .where(shift_staff.c.shift_id.in_(ids)).order_by(Staff.initials))
        areas = _grouped(self.session, select(shift_area.c.shift_id, shift_area.c.area_id)
                         .where(shift_area.c.shift_id.in_(ids)))
        partners = _grouped(self.session, select(shift_partner.c.shift_id, Partner.name)
                            .join(Partner, Partner.id == shift_partner.c.partner_id)
                            .where(shift_partner.c.shift_id.in_(ids)).order_by(Partner.name))
        return rows, staff, areas, partners

    # -- observations ---------------------------------------------------------------------
    def _observation_queries(self, start: dt.datetime, end: dt.datetime, *columns):
        """Two indexed queries whose union is the observations anchored in [start, end):
        those of shifts that started then, and those without a shift observed then."""
        with_shift = (
            select(*columns, Shift.starts_at.label("anchor"))
            .select_from(Observation)
            .join(Shift, Shift.id == Observation.shift_id)
            .where(Shift.starts_at >= start, Shift.starts_at < end, Shift.deleted_at.is_(None),
                   Observation.deleted_at.is_(None), self._mine(Observation))
        )
        without_shift = (
            select(*columns, Observation.observed_at.label("anchor"))
            # ix_observation_shift_cover (shift_id, observed_at, ...) makes "IS NULL" plus
            # the time range one exact, covering index range (migration 0004).
            .where(Observation.shift_id.is_(None),
                   Observation.observed_at >= start,
                   Observation.observed_at < end, Observation.deleted_at.is_(None),
                   self._mine(Observation))
        )
        return with_shift, without_shift

    def observations(self) -> list:
        columns = (Observation.id, Observation.shift_id, Observation.place_id,
                   Observation.category_id, Observation.severity, Observation.observed_at,
                   Observation.people_count, Observation.youths_present,
                   Observation.action_taken, Observation.details,
                   Observation.details_shareable)
        rows = []
        for query in self._observation_queries(self.start, self.end, *columns):
            rows.extend(self.session.execute(query).all())
        rows.sort(key=lambda r: (r.observed_at, r.id))
        return rows

    def place_week_counts(self, weeks: list[IsoWeek]) -> dict[uuid.UUID, list[int]]:
        """Observations per place and week, for ``weeks`` (consecutive, oldest first)."""
        bounds = [w.start_utc() for w in weeks] + [weeks[-1].end_utc()]
        counts: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0] * len(weeks))
        for anchor_column, query_index in ((Shift.starts_at, 0), (Observation.observed_at, 1)):
            buckets = [
                func.sum(case((and_(anchor_column >= lo, anchor_column < hi), 1), else_=0))
                for lo, hi in zip(bounds, bounds[1:])
            ]
            query = self._observation_queries(bounds[0], bounds[-1], Observation.place_id,
                                              *buckets)[query_index]
            query = query.group_by(Observation.place_id)
            for row in self.session.execute(query):
                place_id, values = row[0], row[1:1 + len(weeks)]
                for i, value in enumerate(values):
                    counts[place_id][i] += int(value or 0)
        return counts

    # -- observations, aggregated in SQL ----------------------------------------------------
    # A whole city's week is tens of thousands of observations: the figures are grouped
    # counts from SQLite (three scans of the week's rows), and only the high-severity lines
    # shown one by one (at most NOTABLE_LIMIT) and observations without a shift (rare) are
    # read as rows.

    def _with_shift(self, *columns):
        return self._observation_queries(self.start, self.end, *columns)[0]

    def counts_by_shift(self):
        """Rows ``(shift_id, severity, n, anchor)``: the week's observations made during a
        shift, counted per shift and severity."""
        query = (self._with_shift(Observation.shift_id, Observation.severity,
                                  func.count().label("n"))
                 .group_by(Observation.shift_id, Shift.starts_at, Observation.severity))
        return self.session.execute(query).all()

    def counts_by_place_category(self):
        """Rows ``(place_id, category_id, severity, n, people, youths, anchor)``: the week's
        observations made during a shift, counted per place, category and severity (with the
        people and youths seen); ``anchor`` is not used."""
        query = (self._with_shift(Observation.place_id, Observation.category_id,
                                  Observation.severity, func.count().label("n"),
                                  func.sum(Observation.people_count).label("people"),
                                  func.sum(Observation.youths_present).label("youths"))
                 .group_by(Observation.place_id, Observation.category_id, Observation.severity))
        return self.session.execute(query).all()

    def _row_columns(self):
        return (Observation.id, Observation.shift_id, Observation.place_id,
                Observation.category_id, Observation.severity, Observation.observed_at,
                Observation.people_count, Observation.youths_present,
                Observation.action_taken, Observation.details, Observation.details_shareable)

    def observations_without_shift(self) -> list:
        query = self._observation_queries(self.start, self.end, *self._row_columns())[1]
        return self.session.execute(query).all()

    def notable_with_shift(self, limit: int) -> list:
        """The first ``limit`` high-severity observations made during the week's shifts."""
        query = (self._with_shift(*self._row_columns())
                 .where(Observation.severity == Severity.HIGH.value)
                 .order_by(Observation.observed_at, Observation.id).limit(limit))
        return self.session.execute(query).all()

    # -- meetings -------------------------------------------------------------------------
    def meetings(self) -> tuple[MeetingLine, ...]:
        meetings = self.session.execute(
            select(Meeting.id, Meeting.kind, Meeting.held_at, Meeting.title, Meeting.situation,
                   Meeting.situation_shareable)
            .where(Meeting.held_at >= self.start, Meeting.held_at < self.end,
                   Meeting.deleted_at.is_(None), self._mine(Meeting))
            .order_by(Meeting.held_at, Meeting.id)
        ).all()
        if not meetings:
            return ()
        ids = [m.id for m in meetings]
        partners = _grouped(self.session, select(meeting_partner.c.meeting_id, Partner.name)
                            .join(Partner, Partner.id == meeting_partner.c.partner_id)
                            .where(meeting_partner.c.meeting_id.in_(ids))
                            .order_by(Partner.name))
        staff = _grouped(self.session, select(meeting_staff.c.meeting_id, Staff.initials)
                         .join(Staff, Staff.id == meeting_staff.c.staff_id)
                         .where(meeting_staff.c.meeting_id.in_(ids)).order_by(Staff.initials))
        flags = self._flags(ids)
        carried = Shift.__table__.alias("carried")
        actions = defaultdict(list)
        for row in self.session.execute(
            select(Action.id, Action.meeting_id, Action.place_id, Action.area_id,
                   Action.starts_at, Action.ends_at, Action.responsible_partner_id,
                   Action.status, Action.note, carried.c.starts_at.label("carried_at"))
            .outerjoin(carried, carried.c.id == Action.carried_out_shift_id)
            .where(Action.meeting_id.in_(ids), Action.deleted_at.is_(None),
                   self._mine(Action))
            .order_by(Action.starts_at, Action.id)
        ):
            if row.place_id is not None:
                where = self.names.place_name(row.place_id)
            else:
                where = self.names.areas.get(row.area_id, "")
            carried_at = row.carried_at
            if carried_at is not None and carried_at.tzinfo is None:
                carried_at = carried_at.replace(tzinfo=dt.timezone.utc)
            actions[row.meeting_id].append(ActionLine(
                id=row.id, meeting_id=row.meeting_id, where=where,
                starts_at=to_stockholm(row.starts_at), ends_at=to_stockholm(row.ends_at),
                responsible=self.names.partners.get(row.responsible_partner_id, ""),
                status=row.status, status_label=label_of(ActionStatus, row.status),
                carried_out_on=(stockholm_day(carried_at)
                                if carried_at is not None and row.status == ActionStatus.DONE
                                else None),
                note=shareable_text(row.note, True),
            ))
        return tuple(
            MeetingLine(
                id=m.id, held_at=to_stockholm(m.held_at), kind=m.kind,
                kind_label=label_of(MeetingKind, m.kind), title=m.title,
                partners=", ".join(partners.get(m.id, [])),
                staff=", ".join(staff.get(m.id, [])),
                situation=shareable_text(m.situation, m.situation_shareable),
                flags=tuple(flags.get(m.id, [])),
                actions=tuple(actions.get(m.id, [])),
            )
            for m in meetings
        )

    def _flags(self, meeting_ids) -> dict[uuid.UUID, list[FlagLine]]:
        flags: dict[uuid.UUID, list[FlagLine]] = defaultdict(list)
        for meeting_id, place_id, reason in self.session.execute(
            select(MeetingFlag.meeting_id, MeetingFlag.place_id, MeetingFlag.reason)
            .where(MeetingFlag.meeting_id.in_(meeting_ids))
            .order_by(MeetingFlag.meeting_id, MeetingFlag.position)
        ):
            flags[meeting_id].append(FlagLine(self.names.place_name(place_id),
                                              shareable_text(reason, True)))
        return flags


def _slope(counts: list[int]) -> float:
    n = len(counts)
    mean_x = (n - 1) / 2
    mean_y = sum(counts) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(counts))
    den = sum((x - mean_x) ** 2 for x in range(n))
    return round(num / den, 2) if den else 0.0


def _team_name(session: Session) -> str:
    row = session.get(Setting, "team_name")
    value = row.value if row is not None else ""
    return value.strip() if isinstance(value, str) else ""


def build_week_summary(session: Session, week: IsoWeek, scope: Scope | str,
                       device_id: uuid.UUID, *, team_name: str | None = None,
                       generated_at: dt.datetime | None = None) -> WeekSummary:
    """Aggregate ``week`` for ``scope`` ("device" or "team") from the store."""
    scope = Scope(scope)
    builder = _Builder(session, week, scope, device_id)
    names = builder.names
    days = week.days()
    # Each day's Stockholm midnight in UTC: a bisect is cheaper than a zone conversion per row.
    midnights = [dt.datetime.combine(d, dt.time(0), STOCKHOLM).astimezone(dt.timezone.utc)
                 for d in days[1:]]

    def day_of(moment: dt.datetime) -> dt.date:
        return days[bisect.bisect_right(midnights, moment)]

    # Shifts.
    shift_rows, shift_staff_map, shift_areas_map, shift_partners_map = builder.shifts()
    by_shift = builder.counts_by_shift()
    loose = builder.observations_without_shift()  # observations without a shift (rows)
    obs_per_shift: Counter = Counter()
    for group in by_shift:
        obs_per_shift[group.shift_id] += group.n

    by_kind = {kind.value: 0 for kind in ShiftKind}
    youths = {band.value: {g.value: 0 for g in Gender} for band in AgeBand}
    day_stats = {d: Counter() for d in days}
    day_hours = {d: [0.0, 0.0] for d in days}
    area_shifts: Counter = Counter()
    field_hours = staff_hours = 0.0
    adults = referrals = 0
    shift_lines = []
    for row in shift_rows:
        day = day_of(row.starts_at)
        by_kind[row.kind] = by_kind.get(row.kind, 0) + 1
        hours = _hours(row.starts_at, row.ends_at)
        crew = shift_staff_map.get(row.id, [])
        field_hours += hours
        staff_hours += hours * len(crew)
        met = 0
        for key, count in (row.youth_counts or {}).items():
            try:
                band, gender = parse_youth_key(key)
            except ValueError:
                continue
            youths[band.value][gender.value] += int(count)
            met += int(count)
        adults += row.adults_met
        referrals += row.referrals_made
        stats = day_stats[day]
        stats["shifts"] += 1
        stats["youths"] += met
        stats["adults"] += row.adults_met
        stats["referrals"] += row.referrals_made
        day_hours[day][0] += hours
        day_hours[day][1] += hours * len(crew)
        area_ids = shift_areas_map.get(row.id, [])
        area_shifts.update(set(area_ids))
        shift_lines.append(ShiftLine(
            id=row.id, day=day, starts_at=to_stockholm(row.starts_at),
            ends_at=to_stockholm(row.ends_at) if row.ends_at else None,
            kind=row.kind, kind_label=label_of(ShiftKind, row.kind), hours=hours,
            areas=", ".join(sorted(names.areas.get(a, "?") for a in area_ids)),
            staff=", ".join(crew), partners=", ".join(shift_partners_map.get(row.id, [])),
            youths_met=met, adults_met=row.adults_met, referrals=row.referrals_made,
            observations=obs_per_shift.get(row.id, 0),
            summary=shareable_text(row.summary, row.summary_shareable),
        ))

    # Observations: grouped counts of those made during a shift, plus the rows of those
    # without one.
    severity_counts = {s.value: 0 for s in Severity}
    category_counts: dict[uuid.UUID, Counter] = defaultdict(Counter)
    place_stats: dict[uuid.UUID, Counter] = defaultdict(Counter)
    observation_total = 0
    notable_total = 0
    high = Severity.HIGH.value
    for group in by_shift:
        severity, n = group.severity, group.n
        day = day_of(group.anchor)
        observation_total += n
        severity_counts[severity] = severity_counts.get(severity, 0) + n
        day_stats[day]["observations"] += n
        if severity == high:
            day_stats[day]["high"] += n
            notable_total += n
    for group in builder.counts_by_place_category():
        category_counts[group.category_id][group.severity] += group.n
        stats = place_stats[group.place_id]
        stats["n"] += group.n
        stats["people"] += int(group.people or 0)
        stats["youths"] += int(group.youths or 0)
        if group.severity == high:
            stats["high"] += group.n
    for obs in loose:
        day = day_of(obs.anchor)
        observation_total += 1
        severity_counts[obs.severity] = severity_counts.get(obs.severity, 0) + 1
        category_counts[obs.category_id][obs.severity] += 1
        stats = place_stats[obs.place_id]
        stats["n"] += 1
        stats["people"] += obs.people_count
        stats["youths"] += obs.youths_present
        day_stats[day]["observations"] += 1
        if obs.severity == high:
            stats["high"] += 1
            day_stats[day]["high"] += 1
            notable_total += 1
    candidates = builder.notable_with_shift(NOTABLE_LIMIT) if notable_total else []
    candidates += [obs for obs in loose if obs.severity == high]
    candidates.sort(key=lambda r: (r.observed_at, r.id))
    notable = []
    for obs in candidates[:NOTABLE_LIMIT]:
        category = names.categories.get(obs.category_id, ("?", "?", 0))
        notable.append(ObservationLine(
            id=obs.id, day=day_of(obs.anchor), observed_at=to_stockholm(obs.observed_at),
            place=names.place_name(obs.place_id), area=names.place_area(obs.place_id),
            category=category[1], severity=obs.severity,
            severity_label=label_of(Severity, obs.severity), people=obs.people_count,
            youths_present=obs.youths_present,
            action_taken=label_of(ActionTaken, obs.action_taken),
            details=shareable_text(obs.details, obs.details_shareable),
        ))

    categories = []
    for category_id, counter in category_counts.items():
        key, name, order = names.categories.get(category_id, ("?", "?", 10**6))
        categories.append((order, name, CategoryCount(
            key=key, name=name, total=sum(counter.values()),
            by_severity={s.value: counter.get(s.value, 0) for s in Severity})))
    categories.sort(key=lambda item: (-item[2].total, item[0], item[1]))

    # Meetings.
    meetings = builder.meetings()
    for meeting in meetings:
        day_stats[meeting.held_at.date()]["meetings"] += 1
    actions = [a for m in meetings for a in m.actions]
    status_counts = Counter(a.status for a in actions)

    # Places and areas, compared with the previous weeks.
    trend_weeks = [week.previous(n) for n in reversed(range(TREND_WEEKS))]
    # The earlier weeks from SQL; this week's counts are the ones just made.
    weekly = builder.place_week_counts(trend_weeks[:-1]) if len(trend_weeks) > 1 else {}
    weekly = {place_id: [*counts, 0] for place_id, counts in weekly.items()}
    for place_id, stats in place_stats.items():
        weekly.setdefault(place_id, [0] * len(trend_weeks))[-1] = stats["n"]
    place_rows = []
    area_obs: Counter = Counter()
    area_prev: Counter = Counter()
    for place_id, counts in weekly.items():
        this, previous = counts[-1], counts[-2]
        if not (this or previous):
            continue
        name, area_id, status = names.places.get(place_id, ("?", None, None))
        area_obs[area_id] += this
        area_prev[area_id] += previous
        stats = place_stats.get(place_id, Counter())
        place_rows.append(PlaceRow(
            place_id=place_id, name=name, area=names.areas.get(area_id, ""),
            hotspot_status=status, observations=this, previous=previous,
            high_severity=stats["high"], people=stats["people"], youths_present=stats["youths"]))
    place_rows.sort(key=lambda p: (-p.observations, -p.change, p.name, str(p.place_id)))
    area_rows = [
        AreaRow(area_id=a, name=names.areas.get(a, "?"), shifts=area_shifts.get(a, 0),
                observations=area_obs.get(a, 0), previous=area_prev.get(a, 0))
        for a in set(area_shifts) | set(area_obs) | set(area_prev) if a is not None
    ]
    area_rows.sort(key=lambda a: (-a.observations, -a.shifts, a.name))

    trend_rows = []
    for place_id, counts in weekly.items():
        slope = _slope(counts)
        if slope <= 0:
            continue
        name, area_id, _status = names.places.get(place_id, ("?", None, None))
        trend_rows.append(TrendRow(place_id=place_id, name=name,
                                   area=names.areas.get(area_id, ""), counts=tuple(counts),
                                   slope=slope))
    trend_rows.sort(key=lambda t: (-t.slope, -t.counts[-1], t.name))
    first, last = trend_weeks[0], trend_weeks[-1]
    sources = _(
        "Sources: the observations the field workers logged in Fältlogg ({scope}), {first} to "
        "{last}. They show what was seen where and when the field workers were out, not all "
        "crime or insecurity: a place visited more often gets more observations, and police "
        "and other partners' information is not included. Read it together with the "
        "partners' lägesbild."
    ).format(scope=scope.short_label, first=first.label(), last=last.label())
    trend = Trend(weeks=tuple(str(w) for w in trend_weeks), rows=tuple(trend_rows[:TREND_LIMIT]),
                  sources=sources)

    day_rows = tuple(
        DayRow(day=d, shifts=day_stats[d]["shifts"], field_hours=day_hours[d][0],
               staff_hours=day_hours[d][1], youths_met=day_stats[d]["youths"],
               adults_met=day_stats[d]["adults"], referrals=day_stats[d]["referrals"],
               observations=day_stats[d]["observations"], high_severity=day_stats[d]["high"],
               meetings=day_stats[d]["meetings"])
        for d in days
    )
    key = KeyFigures(
        shifts=len(shift_rows), shifts_by_kind=by_kind, field_hours=field_hours,
        staff_hours=staff_hours, youths_met=sum(sum(g.values()) for g in youths.values()),
        youths_by_band_gender=youths, adults_met=adults, referrals=referrals,
        observations=observation_total, observations_by_severity=severity_counts,
        meetings=len(meetings), actions_agreed=len(actions),
        actions_done=status_counts.get(ActionStatus.DONE.value, 0),
        actions_cancelled=status_counts.get(ActionStatus.CANCELLED.value, 0),
        actions_planned=status_counts.get(ActionStatus.PLANNED.value, 0),
    )
    return WeekSummary(
        week=week, scope=scope,
        team_name=_team_name(session) if team_name is None else team_name,
        device_id=device_id,
        generated_at=generated_at or utcnow(),
        language=current_language(),
        key=key, categories=tuple(c for _o, _n, c in categories), days=day_rows,
        areas=tuple(area_rows), places=tuple(place_rows), shifts=tuple(shift_lines),
        meetings=meetings, notable=tuple(notable), notable_total=notable_total, trend=trend,
    )
