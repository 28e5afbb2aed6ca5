"""The lägesbild for the next utsättningsmöte: the last weeks on one page (at most two).

``fieldapp report --lagesbild [--weeks N]``: the period's key figures, the places rising by
the stated rule (:mod:`fieldapp.domain.rising`, the same rows and figures as the weekly log's
JSON ``rising`` list for the last week), a map of the period's observations when places have
coordinates, the last meeting's agreed actions and whether they were carried out, and the
actions still open. Summaries only: counts, places, times; no free text. Given to a partner
(``recipient``) it is logged as a disclosure, else as an export
(:func:`fieldapp.reports.lagesbild_pdf.export_lagesbild`). Qt-free.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass

from fieldapp.domain.enums import ActionStatus
from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import _, current_language
from fieldapp.reports.geojson import read_period
from fieldapp.reports.summary import Scope, WeekSummary, build_week_summary, stored_team_name
from fieldapp.reports.summary_data import ActionLine, MeetingLine, TrendRow

DEFAULT_WEEKS = 2
OPEN_LIMIT = 12  # open actions listed


@dataclass(frozen=True)
class MapPoint:
    name: str
    lon: float
    lat: float
    observations: int
    high: int
    rising: bool


@dataclass(frozen=True)
class Lagesbild:
    weeks: tuple[IsoWeek, ...]
    scope: Scope
    team_name: str
    generated_at: dt.datetime
    language: str
    recipient: str | None
    key: tuple[tuple[str, float], ...]  # (label, value)
    rising: tuple[TrendRow, ...]
    rising_sources: str
    points: tuple[MapPoint, ...]
    unlocated_observations: int  # at places without coordinates: not on the map
    last_meeting: MeetingLine | None
    open_actions: tuple[ActionLine, ...]

    @property
    def title(self) -> str:
        first, last = self.weeks[0], self.weeks[-1]
        if first == last:
            return _("Lägesbild {week}").format(week=last.label())
        return _("Lägesbild {first} to {last}").format(first=first.label(), last=last.label())


def _key_figures(summaries: list[WeekSummary]) -> tuple[tuple[str, float], ...]:
    total: Counter = Counter()
    for s in summaries:
        k = s.key
        total.update({"shifts": k.shifts, "hours": k.field_hours, "youths": k.youths_met,
                      "adults": k.adults_met, "observations": k.observations,
                      "high": k.observations_by_severity.get("high", 0),
                      "concern": k.concern_reports, "referrals": k.referrals,
                      "meetings": k.meetings, "agreed": k.actions_agreed,
                      "done": k.actions_done})
    return (
        (_("Shifts"), total["shifts"]), (_("Hours in the field"), round(total["hours"], 1)),
        (_("Young people met"), total["youths"]), (_("Adults met"), total["adults"]),
        (_("Observations"), total["observations"]),
        (_("of which high severity"), total["high"]),
        (_("Reports of concern"), total["concern"]), (_("Referrals"), total["referrals"]),
        (_("Meetings"), total["meetings"]),
        (_("Agreed actions carried out"), f"{total['done']} / {total['agreed']}"),
    )


def build_lagesbild(session, last: IsoWeek, weeks: int, scope: Scope | str,
                    device_id: uuid.UUID, *, recipient: str | None = None,
                    generated_at: dt.datetime) -> Lagesbild:
    scope = Scope(scope)
    period = read_period(session, last, weeks, scope, device_id)
    summaries = [build_week_summary(session, w, scope, device_id, generated_at=generated_at)
                 for w in period.weeks]
    latest = summaries[-1]
    rising_ids = {t.place_id.hex for t in latest.trend.rows}
    counts: Counter = Counter(obs.place_id for obs in period.observations)
    high: Counter = Counter(obs.place_id for obs in period.observations
                            if obs.severity == "high")
    points, unlocated = [], 0
    for place in period.places:
        n = counts.get(place.id, 0)
        if not n:
            continue
        if not place.located:
            unlocated += n
            continue
        points.append(MapPoint(name=place.name, lon=place.lon, lat=place.lat, observations=n,
                               high=high.get(place.id, 0),
                               rising=uuid.UUID(place.id).hex in rising_ids))
    meetings = [m for s in summaries for m in s.meetings]
    open_actions = [a for m in meetings for a in m.actions
                    if a.status == ActionStatus.PLANNED.value]
    open_actions.sort(key=lambda a: (a.starts_at, a.where))
    return Lagesbild(
        weeks=period.weeks, scope=scope, team_name=stored_team_name(session),
        generated_at=generated_at, language=current_language(), recipient=recipient,
        key=_key_figures(summaries), rising=latest.trend.rows,
        rising_sources=latest.trend.sources, points=tuple(points),
        unlocated_observations=unlocated, last_meeting=meetings[-1] if meetings else None,
        open_actions=tuple(open_actions[:OPEN_LIMIT]))
