"""The figures of a week summary: plain frozen dataclasses, the same for the PDF, the XLSX,
the CSV, the JSON and the screen (:class:`fieldapp.reports.summary.WeekSummary` holds them).
Qt-free."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class KeyFigures:
    shifts: int
    shifts_by_kind: dict[str, int]  # ShiftKind value -> count (every kind, in enum order)
    field_hours: float  # sum of ended shifts' durations
    staff_hours: float  # duration × staff on the shift
    youths_met: int
    youths_by_band_gender: dict[str, dict[str, int]]  # AgeBand value -> Gender value -> n
    adults_met: int
    referrals: int  # guidance to activities (hänvisningar)
    concern_reports: int  # reports of concern to the social services (orosanmälningar)
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
    referrals: int  # guidance to activities (hänvisningar)
    concern_reports: int  # reports of concern to the social services (orosanmälningar)
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
    referrals: int  # guidance to activities (hänvisningar)
    concern_reports: int  # reports of concern to the social services (orosanmälningar)
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
    carried_out_by: str = ""  # the name of the laptop whose shift carried it out


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
    counts: tuple[int, ...]  # one per week, oldest first (baseline weeks, then recent)
    recent: int  # the figures of fieldapp.domain.rising: the last 2 weeks
    baseline: int  # the 8 weeks before
    expected: float  # the recent count expected at the baseline's rate
    p_value: float  # one-sided Poisson P(X >= recent | expected)

    @property
    def change(self) -> int:
        return self.counts[-1] - self.counts[0]


@dataclass(frozen=True)
class Trend:
    """The lägesbild: the places rising by :mod:`fieldapp.domain.rising`, and its sources."""

    weeks: tuple[str, ...]  # "2024-W44", ...
    rows: tuple[TrendRow, ...]
    sources: str
