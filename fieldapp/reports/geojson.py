"""GeoJSON (RFC 7946) of the places and a period's observations, for the city's GIS.

One FeatureCollection: a Feature per place (a Point at its coordinates, ``null`` geometry when
it has none) with the period's counts by category and severity and the rising rule's verdict
(:mod:`fieldapp.domain.rising`, with its figures), and a Feature per observation of the
period (at its place) with category, severity and time. Summaries only: an observation's
details are included only when marked shareable and passed by the gate
(:mod:`fieldapp.domain.shareable`); counts of young people and free text never are.

Coordinates are WGS84 in the order RFC 7946 requires: ``[longitude, latitude]``. Qt-free.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.domain.shareable import TextKind, may_leave
from fieldapp.domain.weeks import IsoWeek
from fieldapp.reports.summary import Scope, WeekSummary, build_week_summary, scoped_queries
from fieldapp.reports.week_queries import Names, text_id
from fieldapp.store.models import Place

COORDINATE_DECIMALS = 6  # about 0.1 m: more than a place's position needs


@dataclass(frozen=True)
class PlacePoint:
    id: str  # the store's text id
    key: str | None
    name: str
    area: str
    hotspot_status: str | None
    lat: float | None
    lon: float | None

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class Period:
    """The weeks of a report, oldest first, and its observations as rows (see
    :meth:`fieldapp.reports.week_queries.WeekQueries.observations`)."""

    weeks: tuple[IsoWeek, ...]
    observations: tuple
    names: Names
    places: tuple[PlacePoint, ...]

    @property
    def last(self) -> IsoWeek:
        return self.weeks[-1]


def place_points(session: Session, names: Names) -> tuple[PlacePoint, ...]:
    """Every live place with its coordinates, by name."""
    rows = session.execute(
        select(text_id(Place.id), Place.key, Place.lat, Place.lon)
        .where(Place.deleted_at.is_(None))).all()
    points = []
    for place_id, key, lat, lon in rows:
        name, area_id, status = names.places.get(place_id, ("?", None, None))
        points.append(PlacePoint(id=place_id, key=key, name=name, area=names.areas.get(area_id, ""),
                                 hotspot_status=status, lat=lat, lon=lon))
    points.sort(key=lambda p: (p.name, p.id))
    return tuple(points)


def read_period(session: Session, last: IsoWeek, weeks: int, scope: Scope | str,
                device_id: uuid.UUID) -> Period:
    """The ``weeks`` weeks ending with ``last`` and their observations for ``scope``."""
    period = tuple(last.previous(n) for n in reversed(range(max(1, weeks))))
    rows, names = [], None
    for week in period:
        queries = scoped_queries(session, week, scope, device_id)
        names = queries.names
        rows.extend(queries.observations())
    return Period(weeks=period, observations=tuple(rows), names=names,
                  places=place_points(session, names))


def _point(place: PlacePoint) -> dict | None:
    if not place.located:
        return None
    return {"type": "Point", "coordinates": [round(place.lon, COORDINATE_DECIMALS),
                                             round(place.lat, COORDINATE_DECIMALS)]}


def _time(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def build_geojson(period: Period, summary: WeekSummary, *, generated_at: dt.datetime) -> dict:
    """The FeatureCollection of ``period``; ``summary`` is its last week's (the rising places)."""
    names = period.names
    by_place: dict[str, Counter] = defaultdict(Counter)
    severity_by_place: dict[str, Counter] = defaultdict(Counter)
    for obs in period.observations:
        by_place[obs.place_id][names.categories.get(obs.category_id, ("?", "?", 0))[0]] += 1
        severity_by_place[obs.place_id][obs.severity] += 1
    rising = {t.place_id.hex: t for t in summary.trend.rows}
    places = {p.id: p for p in period.places}
    features = []
    for place in period.places:
        counts = by_place.get(place.id, Counter())
        verdict = rising.get(uuid.UUID(place.id).hex)
        features.append({"type": "Feature", "id": f"place:{uuid.UUID(place.id)}",
                         "geometry": _point(place), "properties": {
            "feature": "place", "place_id": str(uuid.UUID(place.id)), "key": place.key,
            "name": place.name, "area": place.area, "hotspot_status": place.hotspot_status,
            "observations": sum(counts.values()), "by_category": dict(sorted(counts.items())),
            "by_severity": dict(sorted(severity_by_place.get(place.id, Counter()).items())),
            "rising": verdict is not None,
            "rising_figures": None if verdict is None else {
                "recent": verdict.recent, "baseline": verdict.baseline,
                "expected": verdict.expected, "p_value": verdict.p_value},
        }})
    for obs in period.observations:
        place = places.get(obs.place_id)
        key, name, _order = names.categories.get(obs.category_id, ("?", "?", 0))
        properties = {"feature": "observation", "observation_id": str(uuid.UUID(obs.id)),
                      "place_id": str(uuid.UUID(obs.place_id)),
                      "place": place.name if place else "?", "category": key,
                      "category_name": name, "severity": obs.severity,
                      "observed_at": _time(obs.observed_at)}
        if obs.details_shareable and obs.details and may_leave(obs.details, TextKind.DETAILS):
            properties["details"] = obs.details
        features.append({"type": "Feature", "id": f"observation:{uuid.UUID(obs.id)}",
                         "geometry": _point(place) if place else None,
                         "properties": properties})
    located = [p for p in period.places if p.located]
    collection = {"type": "FeatureCollection", "features": features,
                  "fieldapp": {"weeks": [str(w) for w in period.weeks],
                               "scope": summary.scope.value, "generated_at": _time(generated_at)}}
    if located:
        collection["bbox"] = [min(p.lon for p in located), min(p.lat for p in located),
                              max(p.lon for p in located), max(p.lat for p in located)]
    return collection


def render_geojson(collection: dict) -> bytes:
    return (json.dumps(collection, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def export_geojson(database, week: IsoWeek, scope: Scope | str, path: Path, *, weeks: int = 1,
                   created_at: dt.datetime | None = None) -> dict:
    """Write the GeoJSON of the ``weeks`` weeks ending with ``week`` to ``path`` (atomic,
    audited as an export); the collection written."""
    from fieldapp.reports.export import creation_time, record_export, write_atomically

    created = creation_time(created_at)
    device_id = database.device_id()
    with database.session() as session:
        period = read_period(session, week, weeks, scope, device_id)
        summary = build_week_summary(session, week, scope, device_id, generated_at=created)
    collection = build_geojson(period, summary, generated_at=created)
    write_atomically(Path(path), render_geojson(collection))
    record_export(database, "export", week=week, scope=scope, fmt="geojson", path=path,
                  weeks=len(period.weeks))
    return collection
