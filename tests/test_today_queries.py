"""Idag's refresh reads a constant number of SQL statements, whatever the week holds
(issue 19): a busy week of 900 shifts costs what a week of 90 does, and the figures are
those the shifts say."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt

import pytest
from sqlalchemy import event

from fieldapp.demo import generate_bulk
from fieldapp.domain.ids import reference_id
from fieldapp.domain.weeks import IsoWeek
from fieldapp.store.database import open_database
from fieldapp.ui.context import AppContext
from fieldapp.ui.views.today import TodayView

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.timezone.utc)  # a Wednesday
# generate_bulk ends its data at the last complete week: Idag's clock is set inside it.
CLOCK = NOW - dt.timedelta(days=7)


def busy_week(path, devices: int, running_observations: int):
    """A week of ``devices`` × 6 shifts and a running shift of this device with
    ``running_observations`` observations; returns (database, context)."""
    database = open_database(path)
    generate_bulk(database, devices=devices, weeks=1, observations=devices * 30, seed=3, now=NOW)
    ctx = AppContext.open(database, synchronous=True, clock=lambda: CLOCK)
    with ctx.services() as services:
        shift = services.shifts.create(kind="faltpass", starts_at=CLOCK - dt.timedelta(hours=2),
                                       area_ids=[reference_id("area", "alvsjo")],
                                       youth_counts={})
        for n in range(running_observations):
            services.observations.create(
                place_id=reference_id("place", "alvsjo-centrum"),
                category_id=reference_id("category", "ungdomssamling"), shift_id=shift.id,
                observed_at=CLOCK - dt.timedelta(minutes=100 - n % 90), people_count=2)
    return database, ctx


def statements_of_refresh(view: TodayView) -> list[str]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = view.ctx.database.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        view.reload()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


@pytest.fixture
def week_of(tmp_path, qtbot):
    opened = []

    def make(devices: int, running_observations: int):
        database, ctx = busy_week(tmp_path / f"{devices}.sqlite", devices, running_observations)
        opened.append(database)
        view = TodayView(ctx)
        qtbot.addWidget(view)
        return view
    yield make
    for database in opened:
        database.close()


def test_refresh_issues_the_same_few_statements_for_90_and_900_shifts(week_of):
    small, busy = week_of(15, 5), week_of(150, 60)
    assert busy.snapshot.week.shifts == 150 * 6 + 1  # the running shift is in the week too
    assert small.snapshot.week.shifts == 15 * 6 + 1
    few, many = statements_of_refresh(small), statements_of_refresh(busy)
    assert len(few) == len(many), (few, many)
    # A constant few: the running shift, the week's figures in one aggregate, tonight's agreed
    # actions and the lists the page offers (places, staff); none of them per record.
    assert len(many) <= 16, many
    assert busy.week_observations.value.text() != "–"


def test_week_figures_are_what_the_shifts_say(week_of):
    view = week_of(15, 3)
    week = IsoWeek.of(CLOCK)
    with view.ctx.services() as services:
        shifts = services.shifts.list(start=week.start_utc(), end=week.end_utc())
        observations = services.observations.count(start=week.start_utc(), end=week.end_utc())
    hours = sum(((s.ends_at or CLOCK) - s.starts_at).total_seconds() for s in shifts) / 3600
    figures = view.snapshot.week
    assert figures.shifts == len(shifts)
    assert figures.hours == pytest.approx(hours, abs=1e-3)
    assert figures.observations == observations > 0
    assert figures.youths_met == sum(s.youths_met for s in shifts) > 0
    assert len(view.snapshot.observations) == 3
