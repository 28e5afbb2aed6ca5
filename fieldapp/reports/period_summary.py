"""The one aggregation behind every period report: :class:`PeriodSummary` for a month, a
tertial, a year or a range of days, for this device or the whole team.

``build_period_summary(session, period, scope, device_id)`` runs the grouped queries of
:mod:`fieldapp.reports.period_queries` and folds their few thousand rows of counts into the
figures the nämnd asks for: shifts by kind and hours, presence at the prioritised places
(areas with a place whose hotspot status is "active", the platssamverkan areas) month by
month, meetings with the police and other partners, agreed actions carried out against
agreed, young people met by age band and gender, reports of concern and referrals, and
observations by category and place against the same period a year before.

An ISO week keeps its own, richer report (:mod:`fieldapp.reports.summary`); the exports send
a one-week period there. Qt-free.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict

from sqlalchemy.orm import Session

from fieldapp.domain.enums import (
    AgeBand,
    Gender,
    MeetingKind,
    PartnerKind,
    PlaceStatus,
    Severity,
    ShiftKind,
)
from fieldapp.domain.periods import Period
from fieldapp.domain.validation import parse_youth_key
from fieldapp.i18n import _, current_language, format_date
from fieldapp.reports.period_data import (
    ChangeRow,
    KindRow,
    MeetingKindRow,
    MonthRow,
    PartnerKindRow,
    PeriodKey,
    PeriodSummary,
    PresenceRow,
)
from fieldapp.reports.period_queries import PeriodNames, PeriodQueries, unpack
from fieldapp.reports.rules import Scope, label_of
from fieldapp.reports.summary import stored_team_name
from fieldapp.store.snapshot import hold_snapshot
from fieldapp.store.types import utcnow

DONE, CANCELLED, PLANNED = "done", "cancelled", "planned"


def month_label(part: Period) -> str:
    """"januari 2026", or "15–31 december 2025" for a part of a month."""
    if part.first.day == 1 and (part.last + dt.timedelta(days=1)).day == 1:
        return format_date(part.first, "LLLL y")
    return f"{part.first.day}\u2013{format_date(part.last, 'd MMMM y')}"


def prioritised_places(names: PeriodNames) -> dict[str, list[str]]:
    """Area id -> the ids of its places whose hotspot status is "active" (the prioritised
    places of the platssamverkan); areas without one are left out."""
    found: dict[str, list[str]] = defaultdict(list)
    for place_id, (_name, area_id, status) in names.places.items():
        if status == PlaceStatus.ACTIVE.value:
            found[area_id].append(place_id)
    return found


def sources_note(summary_scope: Scope, period: Period, before: Period) -> str:
    return _(
        "Sources: what the field workers logged in Fältlogg ({scope}), {period}, compared "
        "with {before}. The figures show what was done and seen when the field workers were "
        "out, not all crime or insecurity: a place visited more often gets more "
        "observations, and police and other partners' information is not included. A shift "
        "and the observations made during it count in the month the shift started. Agreed "
        "actions are those agreed at the meetings held in the period; carried out means a "
        "shift recorded doing it. Prioritised places are the places marked as active "
        "hotspots (platssamverkan). Read it together with the partners' lägesbild."
    ).format(scope=summary_scope.short_label, period=period.label(), before=before.label())


class _Fold:
    """The grouped rows folded into month-by-month figures."""

    def __init__(self, q: PeriodQueries, names: PeriodNames):
        self.q, self.names = q, names
        self.n = len(q.slices)
        self.month: dict[str, list] = defaultdict(lambda: [0] * self.n)
        self.kinds: dict[str, list] = {k.value: [0, 0.0] for k in ShiftKind}
        self.prioritised = prioritised_places(names)
        self.priority_place_area = {p: a for a, ps in self.prioritised.items() for p in ps}

    def add(self, name: str, month: int, value) -> None:
        self.month[name][month] += value or 0

    def shifts(self) -> None:
        for month, kind, n, hours, adults, concern, referrals in self.q.shift_figures():
            kind_row = self.kinds.setdefault(kind, [0, 0.0])
            kind_row[0] += n
            kind_row[1] += float(hours or 0.0)
            self.add("shifts", month, n)
            self.add("field_hours", month, float(hours or 0.0))
            self.add("adults", month, int(adults or 0))
            self.add("concern", month, int(concern or 0))
            self.add("referrals", month, int(referrals or 0))
        for month, hours in self.q.staff_hours():
            self.add("staff_hours", month, float(hours or 0.0))

    def youths(self) -> dict[str, dict[str, int]]:
        totals = {band.value: {g.value: 0 for g in Gender} for band in AgeBand}
        for month, key, count in self.q.youth_counts():
            try:
                band, gender = parse_youth_key(key)
            except ValueError:
                continue  # a key this version does not know
            totals[band.value][gender.value] += int(count or 0)
            self.add("youths", month, int(count or 0))
        return totals

    def presence(self) -> list[PresenceRow]:
        area_shifts: dict[str, list] = defaultdict(lambda: [0] * self.n)
        area_hours: dict[str, list] = defaultdict(lambda: [0.0] * self.n)
        for month, area_id, n, hours in self.q.area_presence():
            area_shifts[area_id][month] += n
            area_hours[area_id][month] += float(hours or 0.0)
        for month, n in (self.q.shifts_in_areas(self.prioritised) if self.prioritised else ()):
            self.add("prioritised_shifts", month, n)
        rows = []
        for area_id, place_ids in self.prioritised.items():
            observed = self.area_months[area_id]
            agreed, done = self.area_actions.get(area_id, (0, 0))
            rows.append(PresenceRow(
                area_id=uuid.UUID(area_id), name=self.names.areas.get(area_id, "?"),
                places=", ".join(sorted(self.names.places[p][0] for p in place_ids)),
                shifts=tuple(area_shifts[area_id]), hours=tuple(area_hours[area_id]),
                observations=tuple(observed), actions_agreed=agreed, actions_done=done))
        rows.sort(key=lambda r: (-r.total_shifts, -r.total_observations, r.name))
        return rows

    def observations(self, now: list[Counter], before: list[Counter]):
        """``now``: the period's counts month by month, ``before``: the year before's
        (:meth:`PeriodQueries.observation_counts`)."""
        areas = list(self.prioritised)
        self.area_months = {a: [0] * self.n for a in areas}
        severity: Counter = Counter()
        by_category: Counter = Counter()
        by_place: Counter = Counter()
        high, area_of = Severity.HIGH.value, self.priority_place_area
        for month, counted in enumerate(now):
            month_severity: Counter = Counter()
            for key, n in counted.items():
                place_id, category_id, sev = unpack(key)
                month_severity[sev] += n
                by_category[category_id] += n
                by_place[place_id] += n
                area_id = area_of.get(place_id)
                if area_id is not None:
                    self.area_months[area_id][month] += n
            severity.update(month_severity)
            self.add("observations", month, counted.total())
            self.add("high", month, month_severity[high])
            self.add("prioritised_observations", month,
                     sum(self.area_months[a][month] for a in areas))
        prev_category: Counter = Counter()
        prev_place: Counter = Counter()
        for counted in before:
            for key, n in counted.items():
                place_id, category_id, _sev = unpack(key)
                prev_category[category_id] += n
                prev_place[place_id] += n
        names = self.names
        categories = []
        for cid in {*by_category, *prev_category}:
            _key, name, order = names.categories.get(cid, ("?", "?", 10**6))
            categories.append((order, ChangeRow(name, "", None, by_category[cid],
                                                prev_category[cid])))
        categories.sort(key=lambda c: (-c[1].observations, c[0], c[1].name))
        places = []
        for pid in {*by_place, *prev_place}:
            name, area_id, status = names.places.get(pid, ("?", None, None))
            places.append(ChangeRow(name, names.areas.get(area_id, ""), status, by_place[pid],
                                    prev_place[pid]))
        places.sort(key=lambda p: (-p.observations, -p.change, p.name, p.area))
        return (severity, sum(prev_place.values()), tuple(c for _o, c in categories),
                tuple(places))

    def meetings(self):
        kinds: dict[str, list[int]] = {k.value: [0, 0] for k in MeetingKind}
        for month, kind, n, police in self.q.meeting_counts():
            row = kinds.setdefault(kind, [0, 0])
            row[0] += n
            row[1] += int(police or 0)
            self.add("meetings", month, n)
            self.add("police", month, int(police or 0))
        meeting_kinds = tuple(MeetingKindRow(k, label_of(MeetingKind, k), n, p)
                              for k, (n, p) in kinds.items())
        partners = dict(self.q.meetings_by_partner_kind())
        order = [k.value for k in PartnerKind] + sorted(set(partners) - set(PartnerKind))
        partner_kinds = tuple(PartnerKindRow(k, label_of(PartnerKind, k), partners[k])
                              for k in order if partners.get(k))
        return meeting_kinds, partner_kinds

    def actions(self) -> Counter:
        statuses: Counter = Counter()
        self.area_actions: dict[str, tuple[int, int]] = {}
        area_counts: dict[str, Counter] = defaultdict(Counter)
        for month, status, place_id, area_id, n in self.q.action_counts():
            statuses[status] += n
            self.add("actions_agreed", month, n)
            if status == DONE:
                self.add("actions_done", month, n)
            where = self.priority_place_area.get(place_id) if place_id else area_id
            if where in self.prioritised:
                area_counts[where]["agreed"] += n
                area_counts[where]["done"] += n if status == DONE else 0
        self.area_actions = {a: (c["agreed"], c["done"]) for a, c in area_counts.items()}
        return statuses

    def month_rows(self) -> tuple[MonthRow, ...]:
        m = self.month
        return tuple(
            MonthRow(first=part.first, last=part.last, label=month_label(part),
                     shifts=m["shifts"][i], field_hours=float(m["field_hours"][i]),
                     staff_hours=float(m["staff_hours"][i]), youths_met=m["youths"][i],
                     adults_met=m["adults"][i], concern_reports=m["concern"][i],
                     referrals=m["referrals"][i], observations=m["observations"][i],
                     high_severity=m["high"][i], meetings=m["meetings"][i],
                     meetings_with_police=m["police"][i],
                     actions_agreed=m["actions_agreed"][i], actions_done=m["actions_done"][i],
                     prioritised_shifts=m["prioritised_shifts"][i],
                     prioritised_observations=m["prioritised_observations"][i])
            for i, part in enumerate(self.q.slices))


def build_period_summary(session: Session, period: Period, scope: Scope | str,
                         device_id: uuid.UUID, *, team_name: str | None = None,
                         generated_at: dt.datetime | None = None) -> PeriodSummary:
    """Aggregate ``period`` for ``scope`` ("device" or "team") from the store."""
    hold_snapshot(session)  # every figure from the same committed state
    scope = Scope(scope)
    device = device_id if scope is Scope.DEVICE else None
    queries = PeriodQueries(session, period, device)
    before = period.year_before()
    fold = _Fold(queries, queries.names())
    fold.shifts()
    youths = fold.youths()
    severity, previous_total, categories, places = fold.observations(
        queries.observation_counts(), queries.observation_counts(before))
    meeting_kinds, partner_kinds = fold.meetings()
    statuses = fold.actions()
    presence = fold.presence()
    months = fold.month_rows()
    kinds = tuple(KindRow(k, label_of(ShiftKind, k), n, hours)
                  for k, (n, hours) in fold.kinds.items())
    key = PeriodKey(
        shifts=sum(r.shifts for r in months), field_hours=sum(r.field_hours for r in months),
        staff_hours=sum(r.staff_hours for r in months),
        youths_met=sum(r.youths_met for r in months), adults_met=sum(r.adults_met for r in months),
        concern_reports=sum(r.concern_reports for r in months),
        referrals=sum(r.referrals for r in months),
        observations=sum(r.observations for r in months),
        observations_by_severity={s.value: severity.get(s.value, 0) for s in Severity},
        observations_year_before=previous_total,
        meetings=sum(r.meetings for r in months),
        meetings_with_police=sum(r.meetings_with_police for r in months),
        actions_agreed=sum(statuses.values()), actions_done=statuses.get(DONE, 0),
        actions_cancelled=statuses.get(CANCELLED, 0), actions_planned=statuses.get(PLANNED, 0),
        prioritised_shifts=sum(r.prioritised_shifts for r in months),
        prioritised_actions_agreed=sum(r.actions_agreed for r in presence),
        prioritised_actions_done=sum(r.actions_done for r in presence),
    )
    return PeriodSummary(
        period=period, year_before=before, scope=scope,
        team_name=stored_team_name(session) if team_name is None else team_name,
        device_id=device_id, generated_at=generated_at or utcnow(),
        language=current_language(), key=key, months=months, kinds=kinds,
        presence=tuple(presence), meeting_kinds=meeting_kinds, partner_kinds=partner_kinds,
        youths_by_band_gender=youths, categories=categories, places=places,
        sources=sources_note(scope, period, before))


__all__ = ["build_period_summary", "month_label", "prioritised_places", "sources_note"]
