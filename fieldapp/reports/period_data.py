"""The figures of a period report as plain, frozen data (built by
:mod:`fieldapp.reports.period_summary`; shown by the PDF, XLSX, CSV and JSON alike).
Qt-free."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from fieldapp.domain.periods import Period
from fieldapp.reports.rules import Scope


@dataclass(frozen=True)
class MonthRow:
    """One month of the period (the first and last may be partial: ``first``/``last``)."""

    first: dt.date
    last: dt.date
    label: str
    shifts: int
    field_hours: float
    staff_hours: float
    youths_met: int
    adults_met: int
    concern_reports: int
    referrals: int
    observations: int
    high_severity: int
    meetings: int
    meetings_with_police: int
    actions_agreed: int
    actions_done: int
    prioritised_shifts: int  # shifts that covered a prioritised area
    prioritised_observations: int  # observations at a prioritised place


@dataclass(frozen=True)
class KindRow:
    """Shifts of one kind (nattvandring, trygghetsvandring, fältpass …)."""

    key: str
    label: str
    shifts: int
    hours: float


@dataclass(frozen=True)
class PresenceRow:
    """A prioritised area (with platssamverkan places, hotspot "active") month by month."""

    area_id: uuid.UUID
    name: str
    places: str  # its prioritised places, comma-separated
    shifts: tuple[int, ...]  # per month of the period
    hours: tuple[float, ...]
    observations: tuple[int, ...]  # at its prioritised places
    actions_agreed: int
    actions_done: int

    @property
    def total_shifts(self) -> int:
        return sum(self.shifts)

    @property
    def total_hours(self) -> float:
        return sum(self.hours)

    @property
    def total_observations(self) -> int:
        return sum(self.observations)


@dataclass(frozen=True)
class MeetingKindRow:
    key: str
    label: str
    meetings: int
    with_police: int


@dataclass(frozen=True)
class PartnerKindRow:
    key: str
    label: str
    meetings: int


@dataclass(frozen=True)
class ChangeRow:
    """Observations of a category or at a place, and in the same period a year before."""

    name: str
    area: str
    hotspot_status: str | None
    observations: int
    previous: int

    @property
    def change(self) -> int:
        return self.observations - self.previous


@dataclass(frozen=True)
class PeriodKey:
    shifts: int
    field_hours: float
    staff_hours: float
    youths_met: int
    adults_met: int
    concern_reports: int
    referrals: int
    observations: int
    observations_by_severity: dict[str, int]
    observations_year_before: int
    meetings: int
    meetings_with_police: int
    actions_agreed: int
    actions_done: int
    actions_cancelled: int
    actions_planned: int
    prioritised_shifts: int
    prioritised_actions_agreed: int
    prioritised_actions_done: int


@dataclass(frozen=True)
class PeriodSummary:
    period: Period
    year_before: Period
    scope: Scope
    team_name: str
    device_id: uuid.UUID
    generated_at: dt.datetime
    language: str
    key: PeriodKey
    months: tuple[MonthRow, ...]
    kinds: tuple[KindRow, ...]
    presence: tuple[PresenceRow, ...]
    meeting_kinds: tuple[MeetingKindRow, ...]
    partner_kinds: tuple[PartnerKindRow, ...]
    youths_by_band_gender: dict[str, dict[str, int]]
    categories: tuple[ChangeRow, ...]
    places: tuple[ChangeRow, ...]
    sources: str

    @property
    def is_empty(self) -> bool:
        return not (self.key.shifts or self.key.observations or self.key.meetings)


__all__ = ["ChangeRow", "KindRow", "MeetingKindRow", "MonthRow", "PartnerKindRow", "PeriodKey",
           "PeriodSummary", "PresenceRow"]
