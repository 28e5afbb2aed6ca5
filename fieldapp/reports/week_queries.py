"""The SQL behind the weekly summary: one week's records for a scope, as plain rows.

:class:`WeekQueries` reads the store with a handful of indexed range queries (shifts by
``starts_at``, observations by ``shift_id`` through the covering index of migration 0004,
observations without a shift by ``observed_at``, meetings by ``held_at``). Only small
results are read row by row; a city's week of observations comes back as grouped counts.

The selects are built once per kind of scope (:mod:`fieldapp.reports.week_statements`) with
bound parameters (``start``, ``end``, ``device``) and run on the session's connection with Core (no ORM row
loading). Ids are read as the text the store holds (:func:`text_id`), not as ``uuid.UUID``
objects: the summary uses them as dictionary keys and turns the few it shows into UUIDs.

Rules (DESIGN.md): a shift belongs to the week in which it started, and so do the
observations logged during it; an observation without a shift counts at its own time;
observations of a deleted shift are not counted. ``device_id`` None means every record in
the store (team scope), else only that device's records.

Qt-free.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from fieldapp.domain.shareable import TextKind, may_leave
from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import current_language
from fieldapp.store.services.known import known_words
from fieldapp.reports.week_statements import (  # noqa: F401 - text_id: importable here
    PLACE_SEPARATOR,
    _statements,
    text_id,
)


def as_uuid(value) -> uuid.UUID:
    """An id read with :func:`text_id` as a ``uuid.UUID`` again."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


@dataclass(frozen=True)
class Names:
    """Reference names by text id (see :func:`text_id`)."""

    areas: dict[str, str]
    places: dict[str, tuple[str, str, str | None]]  # id -> (name, area id, hotspot status)
    categories: dict[str, tuple[str, str, int]]  # id -> (key, name, sort order)
    partners: dict[str, str]

    def place_name(self, place_id) -> str:
        place = self.places.get(place_id)
        return place[0] if place is not None else "?"

    def place_area(self, place_id) -> str:
        place = self.places.get(place_id)
        return self.areas.get(place[1], "") if place is not None else ""


def _grouped(rows) -> dict[str, list]:
    """``{owner: [value, ...]}`` from rows ``(owner, value)``, in the rows' order."""
    groups: dict[str, list] = defaultdict(list)
    for owner, value in rows:
        groups[owner].append(value)
    return groups


def _sorted_groups(rows) -> dict[str, list]:
    """Like :func:`_grouped`, each list sorted (as SQLite's BINARY collation orders text)."""
    groups = _grouped(rows)
    for values in groups.values():
        values.sort()
    return groups


class WeekQueries:
    """The queries of ``week`` for one device (``device_id``) or every record (None)."""

    def __init__(self, session: Session, week: IsoWeek, device_id: uuid.UUID | None):
        self.connection = session.connection()
        self.week = week
        self.device_id = device_id
        self._sql = _statements(device_id is not None)
        self._params = {"start": week.start_utc(), "end": week.end_utc(), "device": device_id}
        self.known = known_words(session)  # the PII guard's known words, for every shared text
        self.names = self._names()

    def _run(self, statement, **params) -> list:
        return self.connection.execute(statement, {**self._params, **params}).all()

    def _names(self) -> Names:
        """Every area, place, category (in the current language) and partner, by text id."""
        sql, sv = self._sql, current_language() == "sv"
        return Names(
            areas=dict(self._run(sql.areas)),
            # A place's name passes the shareable-text gate (an older version saved any).
            places={pid: (name if may_leave(name, TextKind.PLACE_NAME, self.known) else "",
                          area_id, status)
                    for pid, name, area_id, status in self._run(sql.places)},
            categories={cid: (key, name_sv if sv else name_en, order)
                        for cid, key, name_sv, name_en, order in self._run(sql.categories)},
            partners=dict(self._run(sql.partners)),
        )

    # -- shifts -------------------------------------------------------------------------------
    def shift_rows(self) -> list:
        """Rows ``(id, kind, starts_at, ends_at, summary, summary_shareable, youth_counts,
        adults_met, concern_reports, referrals)`` of the week's shifts, by start."""
        return self._run(self._sql.shift_rows)

    def shift_staff(self) -> dict[str, list[str]]:
        """Shift id -> the staff's initials, sorted."""
        return _sorted_groups(self._run(self._sql.shift_staff))

    def shift_areas(self) -> dict[str, list[str]]:
        """Shift id -> its areas' ids."""
        return _grouped(self._run(self._sql.shift_areas))

    def shift_partners(self) -> dict[str, list[str]]:
        """Shift id -> the partners' names, sorted."""
        return _sorted_groups(self._run(self._sql.shift_partners))

    def shift_starts(self, shift_ids) -> dict[str, dt.datetime]:
        """Shift id -> start, for shifts outside :meth:`shift_rows` (another device's shift
        that one of this device's observations belongs to)."""
        if not shift_ids:
            return {}
        return dict(self._run(self._sql.shift_starts, ids=list(shift_ids)))

    # -- observations -------------------------------------------------------------------------
    def counts_by_shift(self) -> list:
        """Rows ``(shift_id, n, high)``: the week's observations made during a shift, and how
        many of them were of high severity, per shift."""
        return self._run(self._sql.counts_by_shift)

    def counts_by_place_category(self) -> list:
        """Rows ``(place_id, category_id, severity, n, people, youths)``: the week's
        observations made during a shift, counted per place, category and severity, with the
        people and the young people seen."""
        return self._run(self._sql.counts_by_place_category)

    def observations_without_shift(self) -> list:
        """The week's observations without a shift, as rows (with ``anchor``: observed_at)."""
        return self._run(self._sql.observations_without_shift)

    def notable_with_shift(self, limit: int) -> list:
        """The first ``limit`` high-severity observations made during the week's shifts, as
        rows (with ``anchor``: the shift's start)."""
        return self._run(self._sql.notable_with_shift, limit=limit)

    def observations(self) -> list:
        """Every observation of the week as a row (with ``anchor``), by time."""
        rows = [*self._run(self._sql.observations_with_shift),
                *self.observations_without_shift()]
        rows.sort(key=lambda r: (r.observed_at, r.id))
        return rows

    def place_counts(self, week: IsoWeek) -> Counter:
        """Place id -> the number of observations anchored in ``week``."""
        bounds = {"start": week.start_utc(), "end": week.end_utc()}
        counts: Counter = Counter()
        for statement in self._sql.place_counts:
            packed = self.connection.execute(statement, {**self._params, **bounds}).scalar()
            if packed:  # None: no observation
                counts.update(packed.split(PLACE_SEPARATOR))
        return counts

    # -- meetings -----------------------------------------------------------------------------
    def meeting_rows(self) -> list:
        """Rows ``(id, kind, held_at, title, situation, situation_shareable)``, by time."""
        return self._run(self._sql.meeting_rows)

    def meeting_partners(self) -> dict[str, list[str]]:
        """Meeting id -> the partners' names, sorted."""
        return _sorted_groups(self._run(self._sql.meeting_partners))

    def meeting_staff(self) -> dict[str, list[str]]:
        """Meeting id -> the staff's initials, sorted."""
        return _sorted_groups(self._run(self._sql.meeting_staff))

    def meeting_flags(self) -> list:
        """Rows ``(meeting_id, place_id, reason)``, in each meeting's order."""
        return self._run(self._sql.meeting_flags)

    def meeting_actions(self) -> list:
        """Rows ``(id, meeting_id, place_id, area_id, starts_at, ends_at,
        responsible_partner_id, status, note, carried_at, carried_by)`` of the actions agreed
        at the week's meetings, by start; ``status`` is "done" when any device's shift carried
        the action out, ``carried_at`` the start of that shift (or the time it was recorded,
        without a shift) and ``carried_by`` that device's name."""
        return self._run(self._sql.meeting_actions)
