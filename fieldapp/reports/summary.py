"""The one weekly aggregation behind every report: :class:`WeekSummary`.

``build_week_summary(session, week, scope, device_id)`` reads the store with a handful of
indexed range queries (:mod:`fieldapp.reports.week_queries`) and returns plain, frozen data:
the PDF, the XLSX, the CSV, the JSON and the screen all show these same figures. The
redacted log for partners (:mod:`fieldapp.reports.redacted`) reads the same records with
:func:`scoped_queries`, :func:`meeting_lines`, :func:`area_names` and :func:`category_name`.

The parts live beside this module and are re-exported here: the figures' dataclasses in
:mod:`~fieldapp.reports.summary_data`, the week aggregation in
:mod:`~fieldapp.reports.week_assembly`, the scope and the shared text rules in
:mod:`~fieldapp.reports.rules`.

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

import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from fieldapp.domain.enums import ActionStatus, MeetingKind
from fieldapp.domain.weeks import IsoWeek, stockholm_day, to_stockholm
from fieldapp.i18n import current_language
from fieldapp.reports.rules import (
    Scope,
    area_names,
    category_name,
    label_of,
    shareable_text,
)
from fieldapp.reports.summary_data import (
    ActionLine,
    AreaRow,
    CategoryCount,
    DayRow,
    FlagLine,
    KeyFigures,
    MeetingLine,
    ObservationLine,
    PlaceRow,
    ShiftLine,
    Trend,
    TrendRow,
)
from fieldapp.reports.week_assembly import NOTABLE_LIMIT, TREND_LIMIT, TREND_WEEKS, WeekAssembly
from fieldapp.reports.week_queries import Names, WeekQueries, as_uuid
from fieldapp.store.snapshot import hold_snapshot
from fieldapp.store.types import utcnow

__all__ = [
    "NOTABLE_LIMIT", "TREND_LIMIT", "TREND_WEEKS", "ActionLine", "AreaRow", "CategoryCount",
    "DayRow", "FlagLine", "KeyFigures", "MeetingLine", "Names", "ObservationLine", "PlaceRow",
    "Scope", "ShiftLine", "Trend", "TrendRow", "WeekSummary", "area_names",
    "build_week_summary", "category_name", "label_of", "meeting_lines", "scoped_queries",
    "shareable_text", "stored_team_name",
]


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


def scoped_queries(session: Session, week: IsoWeek, scope: Scope | str,
                   device_id: uuid.UUID) -> WeekQueries:
    """The queries of ``week`` for ``scope``: this device's records (``device_id``) or every
    record in the store."""
    return WeekQueries(session, week, device_id if Scope(scope) is Scope.DEVICE else None)


def stored_team_name(session: Session) -> str:
    """The team name from the settings ("" when none is set)."""
    from fieldapp.store.services.settings import TEAM_NAME, SettingsService

    return SettingsService(session).get(TEAM_NAME).strip()


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
                                          shareable_text(reason, True, queries.known)))
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
            note=shareable_text(row.note, True, queries.known),
            carried_out_by=(row.carried_by or "") if row.status == ActionStatus.DONE else "",
        ))
    return tuple(
        MeetingLine(
            id=as_uuid(m.id), held_at=to_stockholm(m.held_at), kind=m.kind,
            kind_label=labels(MeetingKind, m.kind),
            title=shareable_text(m.title, True, queries.known),
            partners=", ".join(partners.get(m.id, [])), staff=", ".join(staff.get(m.id, [])),
            situation=shareable_text(m.situation, m.situation_shareable, queries.known),
            flags=tuple(flags.get(m.id, [])), actions=tuple(actions.get(m.id, [])),
        )
        for m in meetings
    )


def build_week_summary(session: Session, week: IsoWeek, scope: Scope | str,
                       device_id: uuid.UUID, *, team_name: str | None = None,
                       generated_at: dt.datetime | None = None) -> WeekSummary:
    """Aggregate ``week`` for ``scope`` ("device" or "team") from the store."""
    scope = Scope(scope)
    hold_snapshot(session)  # every figure from the same committed state
    queries = scoped_queries(session, week, scope, device_id)
    parts = WeekAssembly(queries, week)
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
        concern_reports=parts.concern_reports,
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
