"""Everything the page of one place shows, read in a constant number of statements: the
place, its observations per week and category (any number of weeks), whether it is rising by
the stated rule (:mod:`fieldapp.domain.rising`, with the figures), the meetings that flagged it
and why, the agreed actions there with the shift that carried each out, and its hotspot status
history. Qt-free; plain frozen dataclasses, never ORM objects.

The counts cover every record in the data file (the team's, as far as it has synced), the
same scope as the places list. The observations themselves are a paged list
(``fieldapp.store.lists.OBSERVATIONS`` filtered by the place).

Status history: a place's status is one synced field, so the history is what the audit log
recorded when a status was set on this laptop (``place_status`` entries, written by
:class:`fieldapp.store.services.places.PlaceService`), newest first, plus the status now.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from fieldapp.domain import rising as rising_rule
from fieldapp.domain.records import PlaceRecord
from fieldapp.domain.weeks import IsoWeek
from fieldapp.store.models import Area, AuditEntry, Category, Meeting, MeetingFlag, Observation, Place
from fieldapp.store.queries import ActionRow, HistoryRow, PlaceHistory, place_actions
from fieldapp.store.services.places import place_record

DEFAULT_WEEKS = 12
MAX_WEEKS = 260  # five years of weeks: more than the retention keeps


@dataclass(frozen=True)
class FlaggedAt:
    """A meeting that flagged the place, and why."""

    meeting_id: uuid.UUID
    kind: str
    held_at: dt.datetime
    title: str
    reason: str


@dataclass(frozen=True)
class StatusChange:
    at: dt.datetime
    old: str | None  # a PlaceStatus value, or None: not a hotspot
    new: str | None


@dataclass(frozen=True)
class RisingVerdict:
    """The rule's verdict as of ``week`` (the last complete week) with its figures."""

    week: IsoWeek
    counts: tuple[int, ...]  # the rule's series, oldest first (baseline weeks, then recent)
    verdict: rising_rule.Rising


@dataclass(frozen=True)
class PlaceDetail:
    place: PlaceRecord
    history: PlaceHistory  # per week and category, the weeks shown
    rising: RisingVerdict
    flagged: tuple[FlaggedAt, ...]  # newest first
    actions: tuple[ActionRow, ...]  # newest first
    status_history: tuple[StatusChange, ...]  # newest first

    @property
    def observations(self) -> int:
        """Observations in the weeks shown."""
        return sum(row.total for row in self.history.rows)


def weeks_up_to(last: IsoWeek, count: int) -> tuple[IsoWeek, ...]:
    """``count`` consecutive weeks ending with ``last``, oldest first."""
    return tuple(last.previous(n) for n in range(count - 1, -1, -1))


def _weekly_counts(session: Session, place_id: uuid.UUID, weeks: Sequence[IsoWeek]):
    """One grouped statement: (week index, category id, names, count) for ``weeks``
    (consecutive, oldest first). A CASE over the weeks' Stockholm boundaries puts each
    observation in its week; the range is one index range on (place_id, observed_at)."""
    bounds = [week.end_utc() for week in weeks]
    week_index = case(*((Observation.observed_at < end, index)
                        for index, end in enumerate(bounds[:-1])), else_=len(bounds) - 1)
    query = (select(week_index.label("week"), Category.id, Category.name_sv, Category.name_en,
                    Category.sort_order, func.count())
             .join(Category, Category.id == Observation.category_id)
             .where(Observation.place_id == place_id,
                    Observation.observed_at >= weeks[0].start_utc(),
                    Observation.observed_at < bounds[-1],
                    Observation.deleted_at.is_(None))
             .group_by(week_index, Category.id, Category.name_sv, Category.name_en,
                       Category.sort_order))
    return session.execute(query).all()


def place_detail(session: Session, place_id: uuid.UUID, now: dt.datetime,
                 weeks: int = DEFAULT_WEEKS) -> PlaceDetail:
    """The page of ``place_id`` at ``now``: ``weeks`` weeks up to the current one (in
    progress). Raises LookupError when the place is not there (deleted meanwhile)."""
    weeks = max(1, min(int(weeks), MAX_WEEKS))
    current = IsoWeek.of(now)
    last_complete = IsoWeek.last_complete(now)
    shown = weeks_up_to(current, weeks)
    series = weeks_up_to(last_complete, rising_rule.SERIES_WEEKS)
    span = weeks_up_to(current, max(weeks, rising_rule.SERIES_WEEKS + 1))

    found = session.execute(select(Place, Area.name).join(Area, Place.area_id == Area.id)
                            .where(Place.id == place_id, Place.deleted_at.is_(None))).first()
    if found is None:
        raise LookupError(place_id)
    place = place_record(*found)

    per_week: dict[IsoWeek, dict[uuid.UUID, int]] = {week: {} for week in span}
    names: dict[uuid.UUID, tuple[int, str, str]] = {}
    for index, category_id, name_sv, name_en, order, count in _weekly_counts(session, place_id,
                                                                             span):
        per_week[span[index]][category_id] = count
        names[category_id] = (order, name_sv, name_en)
    rows = []
    for category_id, (_order, name_sv, name_en) in sorted(names.items(),
                                                         key=lambda item: item[1][:2]):
        counts = tuple(per_week[week].get(category_id, 0) for week in shown)
        if any(counts):
            rows.append(HistoryRow(category_id=category_id, name_sv=name_sv, name_en=name_en,
                                   counts=counts))
    history = PlaceHistory(place_id=place_id, weeks=shown, rows=tuple(rows))
    totals = tuple(sum(per_week[week].values()) for week in series)
    rising = RisingVerdict(week=last_complete, counts=totals, verdict=rising_rule.assess(totals))

    flagged = tuple(FlaggedAt(meeting_id=m, kind=k, held_at=h, title=t, reason=r)
                    for m, k, h, t, r in session.execute(
        select(Meeting.id, Meeting.kind, Meeting.held_at, Meeting.title, MeetingFlag.reason)
        .join(Meeting, Meeting.id == MeetingFlag.meeting_id)
        .where(MeetingFlag.place_id == place_id, Meeting.deleted_at.is_(None))
        .order_by(Meeting.held_at.desc(), Meeting.id)))
    actions = tuple(place_actions(session, place_id))
    changes = tuple(
        StatusChange(at=at, old=details.get("from"), new=details.get("to"))
        for at, details in session.execute(
            select(AuditEntry.at, AuditEntry.details)
            .where(AuditEntry.kind == "place_status",
                   func.json_extract(AuditEntry.details, "$.place") == str(place_id))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())))
    return PlaceDetail(place=place, history=history, rising=rising, flagged=flagged,
                       actions=actions, status_history=changes)


__all__ = ["DEFAULT_WEEKS", "MAX_WEEKS", "FlaggedAt", "PlaceDetail", "RisingVerdict",
           "StatusChange", "place_detail", "weeks_up_to"]
