"""What the Karta page draws: every place (with or without coordinates, its hotspot status)
and a period's observations counted per place, category and severity.

An observation belongs to the period its shift started in (or, without a shift, the period it
was observed in), as in the weekly and period reports, so the map's counts are the reports'.
Two grouped statements (with and without a shift), whatever the number of observations.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.domain.periods import Period
from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import _
from fieldapp.store.models import Area, Category, Observation, Place, Shift


@dataclass(frozen=True)
class MapPlace:
    id: uuid.UUID
    name: str
    area_name: str
    hotspot_status: str | None
    lat: float | None
    lon: float | None

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class MapCategory:
    id: uuid.UUID
    key: str
    name_sv: str
    name_en: str
    sort_order: int


@dataclass(frozen=True)
class MapData:
    period: Period
    places: tuple[MapPlace, ...]
    categories: tuple[MapCategory, ...]
    # place id -> (category id, severity) -> observations
    counts: dict[uuid.UUID, Counter] = field(default_factory=dict)

    def total(self, place_id: uuid.UUID) -> int:
        return sum(self.counts.get(place_id, Counter()).values())

    def by_category(self, place_id: uuid.UUID) -> Counter:
        found: Counter = Counter()
        for (category, _severity), n in self.counts.get(place_id, Counter()).items():
            found[category] += n
        return found

    def by_severity(self, place_id: uuid.UUID) -> Counter:
        found: Counter = Counter()
        for (_category, severity), n in self.counts.get(place_id, Counter()).items():
            found[severity] += n
        return found

    @property
    def observations(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())


def read_map(session: Session, period: Period) -> MapData:
    """The places and ``period``'s observations per place, category and severity."""
    bounds = (period.start_utc(), period.end_utc())
    columns = (Observation.place_id, Observation.category_id, Observation.severity, func.count())
    groups = (Observation.place_id, Observation.category_id, Observation.severity)
    with_shift = (select(*columns).join(Shift, Shift.id == Observation.shift_id)
                  .where(Shift.starts_at >= bounds[0], Shift.starts_at < bounds[1],
                         Shift.deleted_at.is_(None), Observation.deleted_at.is_(None))
                  .group_by(*groups))
    without_shift = (select(*columns)
                     .where(Observation.shift_id.is_(None), Observation.observed_at >= bounds[0],
                            Observation.observed_at < bounds[1], Observation.deleted_at.is_(None))
                     .group_by(*groups))
    counts: dict[uuid.UUID, Counter] = {}
    for statement in (with_shift, without_shift):
        for place_id, category_id, severity, n in session.execute(statement):
            counts.setdefault(place_id, Counter())[(category_id, severity)] += n
    places = tuple(
        MapPlace(id=row.id, name=row.name, area_name=area, hotspot_status=row.hotspot_status,
                 lat=row.lat, lon=row.lon)
        for row, area in session.execute(
            select(Place, Area.name).join(Area, Area.id == Place.area_id)
            .where(Place.deleted_at.is_(None)).order_by(Place.name, Place.id)))
    categories = tuple(
        MapCategory(id=c.id, key=c.key, name_sv=c.name_sv, name_en=c.name_en,
                    sort_order=c.sort_order)
        for c in session.scalars(select(Category).order_by(Category.sort_order, Category.key)))
    return MapData(period=period, places=places, categories=categories, counts=counts)


def weeks_period(text: str) -> Period:
    """ISO weeks as the map's period chooser takes them: one week ("2024-W47") or a run of
    weeks ("2024-W45..2024-W47", both included); any other period the reports read
    (:meth:`Period.parse`) is taken too. Raises ValueError with a message saying how to write
    it."""
    first, sep, last = text.partition("..")
    if sep:
        try:
            start, end = IsoWeek.parse(first.strip()), IsoWeek.parse(last.strip())
        except ValueError:
            return Period.parse(text)
        if (end.year, end.week) < (start.year, start.week):
            raise ValueError(_("The last week ({last}) comes before the first ({first}); give "
                               "the earlier week first.").format(first=start, last=end))
        return Period.days(start.monday(), end.sunday())
    return Period.parse(text)


def recent_weeks(now: dt.datetime, weeks: int) -> Period:
    """The ``weeks`` ISO weeks up to and including the current one (Stockholm)."""
    current = IsoWeek.of(now)
    return Period.days(current.previous(weeks - 1).monday(), current.sunday())


__all__ = ["MapCategory", "MapData", "MapPlace", "read_map", "recent_weeks", "weeks_period"]
