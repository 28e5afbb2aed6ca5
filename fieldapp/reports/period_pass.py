"""The period's shifts read once, for a period that holds most of the store (a year's
report: the store keeps 13 months by default): one pass over the period's shifts and one
over each link table (staff, areas), folded in Python into the same rows the grouped
queries of :class:`fieldapp.reports.period_queries.PeriodQueries` return for a shorter
period. On the encrypted city-year file (47,000 shifts) the five grouped statements took
about 0.8 s, mostly joins looking up each shift's links; the pass reads them in their own
order. ``tests/test_report_period_counts.py`` holds both ways to the same figures.

The hours are the same whole seconds SQLite computes for :func:`hours`, divided the same
way, so both add the same numbers (in another order: the sums may differ in the last bits).
Qt-free.
"""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import Integer, String, and_, case, cast, func, select, type_coerce

from fieldapp.reports.week_statements import text_id
from fieldapp.store.models import Shift, shift_area, shift_staff


# Separators of packed rows (ASCII unit and record separators: never in a hex id, a kind
# key, a severity or a number); the observation keys of period_queries use them too.
UNIT, RECORD = "\x1f", "\x1e"


def _whole_seconds(starts_at, ends_at):
    # whole seconds first: julianday's fraction of a day is not exact
    return func.round((func.julianday(ends_at) - func.julianday(starts_at)) * 86400.0)


def hours(starts_at, ends_at):
    """A shift's length in hours, in SQL (0 without an end or when the end is not after
    the start)."""
    return case((and_(ends_at.is_not(None), ends_at > starts_at),
                 _whole_seconds(starts_at, ends_at) / 3600.0), else_=0.0)


def seconds(starts_at, ends_at):
    """The same length in whole seconds, as an integer (the pass divides as :func:`hours`)."""
    return case((and_(ends_at.is_not(None), ends_at > starts_at),
                 cast(_whole_seconds(starts_at, ends_at), Integer)), else_=0)


def _joined(columns, separator: str):
    """``a || sep || b || …`` in SQL (numbers as SQLite writes them)."""
    expression = cast(columns[0], String)
    for column in columns[1:]:
        expression = expression + separator + cast(column, String)
    return expression


class ShiftPass:
    """``queries``: the PeriodQueries whose period (team scope) this pass reads.

    Every statement returns its rows packed into one string (as the observation keys are,
    :meth:`PeriodQueries.observation_counts`), split in Python: tens of thousands of rows
    then cost no result-row objects. The shifts' youth counts come back as one JSON array
    in the same order as their rows (two aggregates of one scan) and are parsed at once."""

    def __init__(self, queries):
        connection = queries.connection
        length = seconds(Shift.starts_at, Shift.ends_at)
        fields = (text_id(Shift.id), queries._bucket(Shift.starts_at), Shift.kind, length,
                  Shift.adults_met, Shift.concern_reports, Shift.referrals)
        packed = func.group_concat(_joined(fields, UNIT), RECORD)
        youth = "[" + func.group_concat(type_coerce(Shift.youth_counts, String), ",") + "]"
        shifts, counts = connection.execute(queries._shifts(packed, youth)).one()
        self.month_of: dict[str, int] = {}
        self.hours_of: dict[str, float] = {}
        figures: dict[tuple, list] = {}
        youths: dict[tuple, int] = defaultdict(int)
        for record, youth_counts in zip((shifts or "").split(RECORD) if shifts else (),
                                        json.loads(counts) if counts else (), strict=True):
            shift_id, month, kind, secs, adults, concern, referrals = record.split(UNIT)
            month, hours = int(month), int(secs) / 3600.0  # as SQL divides (hours())
            self.month_of[shift_id] = month
            self.hours_of[shift_id] = hours
            row = figures.setdefault((month, kind), [0, 0.0, 0, 0, 0])
            row[0] += 1
            row[1] += hours
            row[2] += int(adults)
            row[3] += int(concern)
            row[4] += int(referrals)
            for key, value in (youth_counts or {}).items():
                youths[month, key] += int(value)
        self.figures = [(month, kind, *values) for (month, kind), values in figures.items()]
        self.youths = [(month, key, n) for (month, key), n in youths.items()]

        staff_hours: dict[int, float] = defaultdict(float)
        per_shift = (select(shift_staff.c.shift_id.label("shift_id"), func.count().label("n"))
                     .group_by(shift_staff.c.shift_id)  # the primary key's order: no sort
                     .subquery())
        staffed = connection.execute(select(func.group_concat(
            _joined((type_coerce(per_shift.c.shift_id, String), per_shift.c.n), UNIT),
            RECORD))).scalar()
        for record in staffed.split(RECORD) if staffed else ():
            shift_id, n = record.split(UNIT)
            month = self.month_of.get(shift_id)
            if month is not None:
                staff_hours[month] += self.hours_of[shift_id] * int(n)
        self.staff_hours = list(staff_hours.items())

        self.areas_of: dict[str, list[str]] = defaultdict(list)
        presence: dict[tuple, list] = {}
        links = connection.execute(select(func.group_concat(
            _joined((text_id(shift_area.c.shift_id), text_id(shift_area.c.area_id)), UNIT),
            RECORD))).scalar()
        for record in links.split(RECORD) if links else ():
            shift_id, area_id = record.split(UNIT)
            month = self.month_of.get(shift_id)
            if month is None:
                continue
            self.areas_of[shift_id].append(area_id)
            row = presence.setdefault((month, area_id), [0, 0.0])
            row[0] += 1
            row[1] += self.hours_of[shift_id]
        self.presence = [(month, area_id, n, h) for (month, area_id), (n, h) in presence.items()]

    def shifts_in_areas(self, area_ids) -> list:
        """Rows ``(month, shifts)``: the shifts that covered at least one of ``area_ids``."""
        wanted = set(area_ids)
        months: dict[int, int] = defaultdict(int)
        for shift_id, areas in self.areas_of.items():
            if wanted.intersection(areas):
                months[self.month_of[shift_id]] += 1
        return list(months.items())


__all__ = ["RECORD", "UNIT", "ShiftPass", "hours", "seconds"]
