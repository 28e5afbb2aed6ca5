"""The week aggregation: :class:`WeekAssembly` adds up a week's shifts, observations, places,
areas and trend from the store's grouped counts (:mod:`fieldapp.reports.week_queries`), part
by part; :func:`fieldapp.reports.summary.build_week_summary` puts the parts together.
Qt-free."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict

from fieldapp.domain import rising as rising_rule
from fieldapp.domain.enums import ActionTaken, AgeBand, Gender, Severity, ShiftKind
from fieldapp.domain.validation import parse_youth_key
from fieldapp.domain.weeks import STOCKHOLM, IsoWeek, to_stockholm
from fieldapp.i18n import _
from fieldapp.reports.rules import Scope, area_names, category_name, label_of, shareable_text
from fieldapp.reports.summary_data import (
    AreaRow,
    CategoryCount,
    DayRow,
    ObservationLine,
    PlaceRow,
    ShiftLine,
    Trend,
    TrendRow,
)
from fieldapp.reports.week_queries import WeekQueries, as_uuid

TREND_WEEKS = rising_rule.SERIES_WEEKS  # the rising rule's baseline and recent weeks
TREND_LIMIT = 8  # places shown as rising
NOTABLE_LIMIT = 100  # high-severity observations listed one by one


def rule_text() -> str:
    """The rising rule in one sentence, for every report that lists rising places."""
    return _(
        "A place is rising when its last {recent} weeks are significantly above its own "
        "{baseline} weeks before (a one-sided Poisson test, p < 0.05), with at least "
        "{minimum} observations and no fall in the latest week."
    ).format(recent=rising_rule.RECENT_WEEKS, baseline=rising_rule.BASELINE_WEEKS,
             minimum=rising_rule.MIN_RECENT)


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


class _PlaceStats:
    """A place's observations this week: count, people, young people, high severity."""

    __slots__ = ("n", "people", "youths", "high")

    def __init__(self):
        self.n = self.people = self.youths = self.high = 0


class WeekAssembly:
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
        self.adults = self.referrals = self.concern_reports = 0

    # -- shifts -------------------------------------------------------------------------------
    def shifts(self) -> None:
        q, names, labels = self.q, self.names, self.labels
        staff, areas, partners = q.shift_staff(), q.shift_areas(), q.shift_partners()
        self.by_shift = q.counts_by_shift()
        observations = {shift_id: n for shift_id, n, _high in self.by_shift}
        youth_keys = _YouthKeys()
        lines = []
        for (shift_id, kind, starts_at, ends_at, summary, summary_shareable, youth_counts,
             adults_met, concern_reports, referrals) in q.shift_rows():
            day = self.calendar.day_of(starts_at)
            self.shift_day[shift_id] = day
            hours = _hours(starts_at, ends_at)
            crew = staff.get(shift_id, [])
            met = youth_keys.add(youth_counts, self.youths)
            self._tally_shift(day, kind, hours, len(crew), met, adults_met, referrals,
                              concern_reports)
            lines.append(ShiftLine(
                id=as_uuid(shift_id), day=day, starts_at=starts_at.astimezone(STOCKHOLM),
                ends_at=ends_at.astimezone(STOCKHOLM) if ends_at else None,
                kind=kind, kind_label=labels(ShiftKind, kind), hours=hours,
                areas=area_names(names, areas.get(shift_id, [])),
                staff=", ".join(crew), partners=", ".join(partners.get(shift_id, [])),
                youths_met=met, adults_met=adults_met, referrals=referrals,
                concern_reports=concern_reports,
                observations=observations.get(shift_id, 0),
                summary=shareable_text(summary, summary_shareable, self.q.known),
            ))
        self.shift_lines = tuple(lines)
        self.area_shifts.update(a for area_ids in areas.values() for a in set(area_ids))

    def _tally_shift(self, day: dt.date, kind: str, hours: float, crew: int, youths: int,
                     adults: int, referrals: int, concern_reports: int) -> None:
        """Add one shift to the week's and its day's figures."""
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        self.field_hours += hours
        self.staff_hours += hours * crew
        self.adults += adults
        self.referrals += referrals
        self.concern_reports += concern_reports
        stats = self.day_stats[day]
        stats["shifts"] += 1
        stats["youths"] += youths
        stats["adults"] += adults
        stats["referrals"] += referrals
        stats["concern_reports"] += concern_reports
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
                details=shareable_text(obs.details, obs.details_shareable, self.q.known),
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
            verdict = rising_rule.assess(counts)
            if not verdict.rising:
                continue
            name, area_id, _status = self.names.places.get(place_id, ("?", None, None))
            rows.append(TrendRow(place_id=as_uuid(place_id), name=name,
                                 area=self.names.areas.get(area_id, ""), counts=tuple(counts),
                                 recent=verdict.recent, baseline=verdict.baseline,
                                 expected=round(verdict.expected, 3),
                                 p_value=verdict.p_value))
        rows.sort(key=lambda t: (t.p_value, -t.recent, t.name))
        first, last = trend_weeks[0], trend_weeks[-1]
        sources = _(
            "Sources: the observations the field workers logged in Fältlogg ({scope}), {first} "
            "to {last}. They show what was seen where and when the field workers were out, not "
            "all crime or insecurity: a place visited more often gets more observations, and "
            "police and other partners' information is not included. Read it together with "
            "the partners' lägesbild."
        ).format(scope=scope.short_label, first=first.label(), last=last.label())
        sources = f"{rule_text()} {sources}"
        return Trend(weeks=tuple(str(w) for w in trend_weeks), rows=tuple(rows[:TREND_LIMIT]),
                     sources=sources)

    def day_rows(self) -> tuple[DayRow, ...]:
        return tuple(
            DayRow(day=d, shifts=s["shifts"], field_hours=h[0], staff_hours=h[1],
                   youths_met=s["youths"], adults_met=s["adults"], referrals=s["referrals"],
                   concern_reports=s["concern_reports"],
                   observations=s["observations"], high_severity=s["high"],
                   meetings=s["meetings"])
            for d in self.calendar.days
            for s, h in ((self.day_stats[d], self.day_hours[d]),)
        )
