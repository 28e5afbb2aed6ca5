"""The one weekly aggregation behind every report: :class:`WeekSummary`.

``build_week_summary(session, week, scope, device_id)`` reads the store with a handful of
indexed range queries (:mod:`fieldapp.reports.week_queries`) and returns plain, frozen data:
the PDF, the XLSX, the CSV, the JSON and the screen all show these same figures. The
redacted log for partners (:mod:`fieldapp.reports.redacted`) reads the same records with
:func:`scoped_queries`, :func:`meeting_lines`, :func:`area_names` and :func:`category_name`.

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
from dataclasses import dataclass
from enum import StrEnum

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
from fieldapp.reports.week_queries import Names, WeekQueries, as_uuid
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

class _Calendar:
    """The week's days, and the Stockholm day of a moment in the week."""

    def __init__(self, week: IsoWeek):
        self.days = week.days()
        # Each day's Stockholm midnight in UTC: a bisect is cheaper than a zone conversion.
        self._midnights = [dt.datetime.combine(d, dt.time(0), STOCKHOLM)
                           .astimezone(dt.timezone.utc) for d in self.days[1:]]

    def day_of(self, moment: dt.datetime) -> dt.date:
        return self.days[bisect.bisect_right(self._midnights, moment)]


class _Labels:
    """:func:`label_of`, looked up once per value while one summary is built."""

    def __init__(self):
        self._known: dict[tuple, str] = {}

    def __call__(self, enum_cls, value: str) -> str:
        key = (enum_cls, value)
        label = self._known.get(key)
        if label is None:
            label = self._known[key] = label_of(enum_cls, value)
        return label


class _YouthKeys:
    """Adds up ``youth_counts``, parsing each key once per summary; a key this version does
    not know (an unknown age band or gender) is left out."""

    def __init__(self):
        self._known: dict[str, tuple[str, str] | None] = {}

    def _parse(self, key: str) -> tuple[str, str] | None:
        if key not in self._known:
            try:
                band, gender = parse_youth_key(key)
                self._known[key] = (band.value, gender.value)
            except ValueError:
                self._known[key] = None
        return self._known[key]

    def add(self, youth_counts: dict | None, totals: dict[str, dict[str, int]]) -> int:
        """Add one shift's counts to ``totals`` (age band -> gender -> n); its total."""
        met = 0
        for key, count in (youth_counts or {}).items():
            parsed = self._parse(key)
            if parsed is not None:
                totals[parsed[0]][parsed[1]] += int(count)
                met += int(count)
        return met


def _hours(starts_at: dt.datetime, ends_at: dt.datetime | None) -> float:
    if ends_at is None or ends_at <= starts_at:
        return 0.0
    return (ends_at - starts_at).total_seconds() / 3600.0


def _slope(counts: list[int]) -> float:
    n = len(counts)
    mean_x = (n - 1) / 2
    mean_y = sum(counts) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(counts))
    den = sum((x - mean_x) ** 2 for x in range(n))
    return round(num / den, 2) if den else 0.0


def scoped_queries(session: Session, week: IsoWeek, scope: Scope | str,
                   device_id: uuid.UUID) -> WeekQueries:
    """The queries of ``week`` for ``scope``: this device's records (``device_id``) or every
    record in the store."""
    return WeekQueries(session, week, device_id if Scope(scope) is Scope.DEVICE else None)


def stored_team_name(session: Session) -> str:
    """The team name from the settings ("" when none is set)."""
    from fieldapp.store.services.settings import TEAM_NAME, SettingsService

    return SettingsService(session).get(TEAM_NAME).strip()


def area_names(names: Names, area_ids) -> str:
    """The names of ``area_ids`` (a shift's areas), sorted and joined with commas."""
    return ", ".join(sorted(names.areas.get(a, "?") for a in area_ids))


def category_name(names: Names, category_id) -> str:
    """A category's name in the current language; "?" if it is unknown."""
    return names.categories.get(category_id, ("?", "?", 0))[1]


def meeting_lines(queries: WeekQueries, labels=label_of) -> tuple[MeetingLine, ...]:
    """The week's meetings with their flagged places and agreed actions."""
    meetings = queries.meeting_rows()
    if not meetings:
        return ()
    names = queries.names
    partners, staff = queries.meeting_partners(), queries.meeting_staff()
    flags: dict[str, list[FlagLine]] = defaultdict(list)
    for meeting_id, place_id, reason in queries.meeting_flags():
        flags[meeting_id].append(FlagLine(names.place_name(place_id),
                                          shareable_text(reason, True)))
    actions: dict[str, list[ActionLine]] = defaultdict(list)
    for row in queries.meeting_actions():
        where = (names.place_name(row.place_id) if row.place_id is not None
                 else names.areas.get(row.area_id, ""))
        carried_at = row.carried_at
        if carried_at is not None and carried_at.tzinfo is None:
            carried_at = carried_at.replace(tzinfo=dt.timezone.utc)
        actions[row.meeting_id].append(ActionLine(
            id=as_uuid(row.id), meeting_id=as_uuid(row.meeting_id), where=where,
            starts_at=to_stockholm(row.starts_at), ends_at=to_stockholm(row.ends_at),
            responsible=names.partners.get(row.responsible_partner_id, ""),
            status=row.status, status_label=labels(ActionStatus, row.status),
            carried_out_on=(stockholm_day(carried_at)
                            if carried_at is not None and row.status == ActionStatus.DONE
                            else None),
            note=shareable_text(row.note, True),
        ))
    return tuple(
        MeetingLine(
            id=as_uuid(m.id), held_at=to_stockholm(m.held_at), kind=m.kind,
            kind_label=labels(MeetingKind, m.kind), title=m.title,
            partners=", ".join(partners.get(m.id, [])), staff=", ".join(staff.get(m.id, [])),
            situation=shareable_text(m.situation, m.situation_shareable),
            flags=tuple(flags.get(m.id, [])), actions=tuple(actions.get(m.id, [])),
        )
        for m in meetings
    )


class _PlaceStats:
    """A place's observations this week: count, people, young people, high severity."""

    __slots__ = ("n", "people", "youths", "high")

    def __init__(self):
        self.n = self.people = self.youths = self.high = 0


class _Assembly:
    """Builds a WeekSummary part by part; each part reads the queries it needs."""

    def __init__(self, queries: WeekQueries, week: IsoWeek):
        self.q = queries
        self.names = queries.names
        self.week = week
        self.calendar = _Calendar(week)
        self.labels = _Labels()
        self.day_stats = {d: Counter() for d in self.calendar.days}
        self.day_hours = {d: [0.0, 0.0] for d in self.calendar.days}
        self.area_shifts: Counter = Counter()
        self.place_stats: dict[str, _PlaceStats] = defaultdict(_PlaceStats)
        self.shift_day: dict[str, dt.date] = {}
        self.by_kind = {kind.value: 0 for kind in ShiftKind}
        self.youths = {band.value: {g.value: 0 for g in Gender} for band in AgeBand}
        self.field_hours = self.staff_hours = 0.0
        self.adults = self.referrals = 0

    # -- shifts -------------------------------------------------------------------------------
    def shifts(self) -> None:
        q, names, labels = self.q, self.names, self.labels
        staff, areas, partners = q.shift_staff(), q.shift_areas(), q.shift_partners()
        self.by_shift = q.counts_by_shift()
        observations = {shift_id: n for shift_id, n, _high in self.by_shift}
        youth_keys = _YouthKeys()
        lines = []
        for (shift_id, kind, starts_at, ends_at, summary, summary_shareable, youth_counts,
             adults_met, referrals_made) in q.shift_rows():
            day = self.calendar.day_of(starts_at)
            self.shift_day[shift_id] = day
            hours = _hours(starts_at, ends_at)
            crew = staff.get(shift_id, [])
            met = youth_keys.add(youth_counts, self.youths)
            self._tally_shift(day, kind, hours, len(crew), met, adults_met, referrals_made)
            lines.append(ShiftLine(
                id=as_uuid(shift_id), day=day, starts_at=starts_at.astimezone(STOCKHOLM),
                ends_at=ends_at.astimezone(STOCKHOLM) if ends_at else None,
                kind=kind, kind_label=labels(ShiftKind, kind), hours=hours,
                areas=area_names(names, areas.get(shift_id, [])),
                staff=", ".join(crew), partners=", ".join(partners.get(shift_id, [])),
                youths_met=met, adults_met=adults_met, referrals=referrals_made,
                observations=observations.get(shift_id, 0),
                summary=shareable_text(summary, summary_shareable),
            ))
        self.shift_lines = tuple(lines)
        self.area_shifts.update(a for area_ids in areas.values() for a in set(area_ids))

    def _tally_shift(self, day: dt.date, kind: str, hours: float, crew: int, youths: int,
                     adults: int, referrals: int) -> None:
        """Add one shift to the week's and its day's figures."""
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        self.field_hours += hours
        self.staff_hours += hours * crew
        self.adults += adults
        self.referrals += referrals
        stats = self.day_stats[day]
        stats["shifts"] += 1
        stats["youths"] += youths
        stats["adults"] += adults
        stats["referrals"] += referrals
        day_hours = self.day_hours[day]
        day_hours[0] += hours
        day_hours[1] += hours * crew

    # -- observations -------------------------------------------------------------------------
    def observations(self) -> None:
        """Grouped counts of the observations made during a shift, plus the rows of those
        without one."""
        high = Severity.HIGH.value
        self.severity_counts = severity_counts = {s.value: 0 for s in Severity}
        self.category_counts: dict[str, Counter] = defaultdict(Counter)
        self.observation_total = self.notable_total = 0
        # In device scope this device's observation may belong to another device's shift.
        shift_day = dict(self.shift_day)
        missing = {shift_id for shift_id, _n, _high in self.by_shift if shift_id not in shift_day}
        for shift_id, starts_at in self.q.shift_starts(missing).items():
            shift_day[shift_id] = self.calendar.day_of(starts_at)
        for shift_id, n, high_n in self.by_shift:
            stats = self.day_stats[shift_day[shift_id]]
            stats["observations"] += n
            stats["high"] += high_n
        for place_id, category_id, severity, n, people, youths in \
                self.q.counts_by_place_category():
            self.observation_total += n
            severity_counts[severity] = severity_counts.get(severity, 0) + n
            self.category_counts[category_id][severity] += n
            stats = self.place_stats[place_id]
            stats.n += n
            stats.people += int(people or 0)
            stats.youths += int(youths or 0)
            if severity == high:
                stats.high += n
                self.notable_total += n
        self.loose = self.q.observations_without_shift()
        for obs in self.loose:
            day_stats = self.day_stats[self.calendar.day_of(obs.anchor)]
            self.observation_total += 1
            severity_counts[obs.severity] = severity_counts.get(obs.severity, 0) + 1
            self.category_counts[obs.category_id][obs.severity] += 1
            stats = self.place_stats[obs.place_id]
            stats.n += 1
            stats.people += obs.people_count
            stats.youths += obs.youths_present
            day_stats["observations"] += 1
            if obs.severity == high:
                stats.high += 1
                day_stats["high"] += 1
                self.notable_total += 1

    def notable(self) -> tuple[ObservationLine, ...]:
        high = Severity.HIGH.value
        candidates = self.q.notable_with_shift(NOTABLE_LIMIT) if self.notable_total else []
        candidates += [obs for obs in self.loose if obs.severity == high]
        candidates.sort(key=lambda r: (r.observed_at, r.id))
        names, labels = self.names, self.labels
        return tuple(
            ObservationLine(
                id=as_uuid(obs.id), day=self.calendar.day_of(obs.anchor),
                observed_at=to_stockholm(obs.observed_at), place=names.place_name(obs.place_id),
                area=names.place_area(obs.place_id),
                category=category_name(names, obs.category_id),
                severity=obs.severity, severity_label=labels(Severity, obs.severity),
                people=obs.people_count, youths_present=obs.youths_present,
                action_taken=labels(ActionTaken, obs.action_taken),
                details=shareable_text(obs.details, obs.details_shareable),
            )
            for obs in candidates[:NOTABLE_LIMIT]
        )

    def categories(self) -> tuple[CategoryCount, ...]:
        categories = []
        for category_id, counter in self.category_counts.items():
            key, name, order = self.names.categories.get(category_id, ("?", "?", 10**6))
            categories.append((order, name, CategoryCount(
                key=key, name=name, total=sum(counter.values()),
                by_severity={s.value: counter.get(s.value, 0) for s in Severity})))
        categories.sort(key=lambda item: (-item[2].total, item[0], item[1]))
        return tuple(c for _o, _n, c in categories)

    # -- places, areas and the trend ------------------------------------------------------------
    def weekly_counts(self, trend_weeks: list[IsoWeek]) -> dict[str, list[int]]:
        """Place id -> observations per week of ``trend_weeks`` (oldest first): the earlier
        weeks from SQL, this week's from the counts just made."""
        weekly: dict[str, list[int]] = {}
        for index, week in enumerate(trend_weeks[:-1]):
            for place_id, n in self.q.place_counts(week).items():
                weekly.setdefault(place_id, [0] * len(trend_weeks))[index] = n
        for place_id, stats in self.place_stats.items():
            weekly.setdefault(place_id, [0] * len(trend_weeks))[-1] = stats.n
        return weekly

    def places_and_areas(self, weekly: dict[str, list[int]]):
        names = self.names
        place_rows = []
        area_obs: Counter = Counter()
        area_prev: Counter = Counter()
        empty = _PlaceStats()
        for place_id, counts in weekly.items():
            this, previous = counts[-1], counts[-2]
            if not (this or previous):
                continue
            name, area_id, status = names.places.get(place_id, ("?", None, None))
            area_obs[area_id] += this
            area_prev[area_id] += previous
            stats = self.place_stats.get(place_id, empty)
            place_rows.append(PlaceRow(
                place_id=as_uuid(place_id), name=name, area=names.areas.get(area_id, ""),
                hotspot_status=status, observations=this, previous=previous,
                high_severity=stats.high, people=stats.people, youths_present=stats.youths))
        place_rows.sort(key=lambda p: (-p.observations, -p.change, p.name, str(p.place_id)))
        area_rows = [
            AreaRow(area_id=as_uuid(a), name=names.areas.get(a, "?"),
                    shifts=self.area_shifts.get(a, 0), observations=area_obs.get(a, 0),
                    previous=area_prev.get(a, 0))
            for a in sorted(a for a in {*self.area_shifts, *area_obs, *area_prev} if a is not None)
        ]
        area_rows.sort(key=lambda a: (-a.observations, -a.shifts, a.name))
        return tuple(area_rows), tuple(place_rows)

    def trend(self, weekly: dict[str, list[int]], trend_weeks: list[IsoWeek],
              scope: Scope) -> Trend:
        rows = []
        for place_id in sorted(weekly):
            counts = weekly[place_id]
            slope = _slope(counts)
            if slope <= 0:
                continue
            name, area_id, _status = self.names.places.get(place_id, ("?", None, None))
            rows.append(TrendRow(place_id=as_uuid(place_id), name=name,
                                 area=self.names.areas.get(area_id, ""), counts=tuple(counts),
                                 slope=slope))
        rows.sort(key=lambda t: (-t.slope, -t.counts[-1], t.name))
        first, last = trend_weeks[0], trend_weeks[-1]
        sources = _(
            "Sources: the observations the field workers logged in Fältlogg ({scope}), {first} "
            "to {last}. They show what was seen where and when the field workers were out, not "
            "all crime or insecurity: a place visited more often gets more observations, and "
            "police and other partners' information is not included. Read it together with "
            "the partners' lägesbild."
        ).format(scope=scope.short_label, first=first.label(), last=last.label())
        return Trend(weeks=tuple(str(w) for w in trend_weeks), rows=tuple(rows[:TREND_LIMIT]),
                     sources=sources)

    def day_rows(self) -> tuple[DayRow, ...]:
        return tuple(
            DayRow(day=d, shifts=s["shifts"], field_hours=h[0], staff_hours=h[1],
                   youths_met=s["youths"], adults_met=s["adults"], referrals=s["referrals"],
                   observations=s["observations"], high_severity=s["high"],
                   meetings=s["meetings"])
            for d in self.calendar.days
            for s, h in ((self.day_stats[d], self.day_hours[d]),)
        )


def build_week_summary(session: Session, week: IsoWeek, scope: Scope | str,
                       device_id: uuid.UUID, *, team_name: str | None = None,
                       generated_at: dt.datetime | None = None) -> WeekSummary:
    """Aggregate ``week`` for ``scope`` ("device" or "team") from the store."""
    scope = Scope(scope)
    queries = scoped_queries(session, week, scope, device_id)
    parts = _Assembly(queries, week)
    parts.shifts()
    parts.observations()
    notable = parts.notable()

    meetings = meeting_lines(queries, parts.labels)
    for meeting in meetings:
        parts.day_stats[meeting.held_at.date()]["meetings"] += 1
    actions = [a for m in meetings for a in m.actions]
    status_counts = Counter(a.status for a in actions)

    trend_weeks = [week.previous(n) for n in reversed(range(TREND_WEEKS))]
    weekly = parts.weekly_counts(trend_weeks)
    areas, places = parts.places_and_areas(weekly)

    key = KeyFigures(
        shifts=len(parts.shift_lines), shifts_by_kind=parts.by_kind,
        field_hours=parts.field_hours, staff_hours=parts.staff_hours,
        youths_met=sum(sum(g.values()) for g in parts.youths.values()),
        youths_by_band_gender=parts.youths, adults_met=parts.adults, referrals=parts.referrals,
        observations=parts.observation_total, observations_by_severity=parts.severity_counts,
        meetings=len(meetings), actions_agreed=len(actions),
        actions_done=status_counts.get(ActionStatus.DONE.value, 0),
        actions_cancelled=status_counts.get(ActionStatus.CANCELLED.value, 0),
        actions_planned=status_counts.get(ActionStatus.PLANNED.value, 0),
    )
    return WeekSummary(
        week=week, scope=scope,
        team_name=stored_team_name(session) if team_name is None else team_name,
        device_id=device_id,
        generated_at=generated_at or utcnow(),
        language=current_language(),
        key=key, categories=parts.categories(), days=parts.day_rows(), areas=areas,
        places=places, shifts=parts.shift_lines, meetings=meetings, notable=notable,
        notable_total=parts.notable_total, trend=parts.trend(weekly, trend_weeks, scope),
    )
