"""The period report's observation figures pinned against plain per-row counting in Python
on a generated data set: every observation read one by one, its month found by converting
its time (or its shift's start) to Stockholm time, the deleted ones and those of a deleted
shift skipped. Month by month, by severity, by category and place with the year before, and
at the prioritised places, for periods across a year end and a daylight saving change and
the longest period allowed (two years: 25 month slices)."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from fieldapp.demo import generate_bulk
from fieldapp.domain.periods import Period
from fieldapp.reports.period_summary import build_period_summary
from fieldapp.store.services import Services

UTC = dt.timezone.utc
STHLM = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 4, 10, 12, tzinfo=UTC)
CREATED = dt.datetime(2026, 4, 10, 13, tzinfo=UTC)


@pytest.fixture(scope="module")
def data_path(tmp_path_factory):
    """Two devices' 70 weeks of shifts with observations (generate_bulk), plus observations
    without a shift around midnights at month ends and daylight saving changes, deleted
    observations and a deleted shift with an observation."""
    from fieldapp.store.database import open_database

    path = tmp_path_factory.mktemp("period_counts") / "counts.sqlite"
    database = open_database(path)
    generate_bulk(database, devices=2, weeks=70, observations=2500, seed=11, now=NOW)
    rng = random.Random(5)
    with database.session() as session:
        svc = Services(session, database.device_id(), clock=lambda: NOW)
        places = svc.places.list()
        categories = svc.reference.categories()
        edges = [dt.datetime(y, m, 1, tzinfo=STHLM) for y, m in
                 ((2025, 1), (2025, 3), (2025, 4), (2025, 11), (2026, 1), (2026, 3), (2026, 4))]
        edges += [dt.datetime(2025, 3, 30, 2, 30, tzinfo=STHLM),  # summer time begins
                  dt.datetime(2025, 10, 26, 2, 30, tzinfo=STHLM),  # and ends
                  dt.datetime(2026, 3, 29, 2, 30, tzinfo=STHLM)]
        made = []
        for edge in edges:
            for minutes in (-61, -59, -1, 0, 1, 59, 61):
                made.append(svc.observations.create(
                    place_id=rng.choice(places).id, category_id=rng.choice(categories).id,
                    severity=rng.choice(("low", "medium", "high")),
                    observed_at=edge + dt.timedelta(minutes=minutes)))
        for record in made[::9]:
            svc.observations.delete(record.id)
        gone = svc.shifts.create(kind="faltpass", starts_at=dt.datetime(2026, 2, 2, 18, tzinfo=STHLM),
                                 ends_at=dt.datetime(2026, 2, 2, 20, tzinfo=STHLM))
        svc.observations.create(shift_id=gone.id, place_id=places[0].id,
                                category_id=categories[0].id, severity="high",
                                observed_at=dt.datetime(2026, 2, 2, 19, tzinfo=STHLM))
        svc.shifts.delete(gone.id)
    database.close()
    return path


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def count_by_hand(path, period: Period) -> dict:
    """Each live observation of ``period`` counted one by one: month, severity, category,
    place (its time is its shift's start when it has a shift)."""
    con = sqlite3.connect(path)
    shifts = {sid: (starts, deleted) for sid, starts, deleted in
              con.execute("SELECT id, starts_at, deleted_at FROM shift")}
    rows = con.execute("SELECT shift_id, place_id, category_id, severity, observed_at, "
                       "deleted_at FROM observation").fetchall()
    con.close()
    months = period.month_slices()
    found = {"months": Counter(), "high": Counter(), "severity": Counter(),
             "category": Counter(), "place": Counter(), "month_place": Counter()}
    for shift_id, place_id, category_id, severity, observed_at, deleted_at in rows:
        if deleted_at is not None:
            continue
        when = observed_at
        if shift_id is not None:
            when, shift_deleted = shifts[shift_id]
            if shift_deleted is not None:
                continue
        day = _utc(when).astimezone(STHLM).date()
        month = next((i for i, part in enumerate(months) if part.first <= day <= part.last), None)
        if month is None:
            continue
        found["months"][month] += 1
        found["high"][month] += severity == "high"
        found["severity"][severity] += 1
        found["category"][category_id] += 1
        found["place"][place_id] += 1
        found["month_place"][month, place_id] += 1
    return found


def summarise(path, period: Period):
    from fieldapp.store.database import open_database

    database = open_database(path)
    try:
        with database.session() as session:
            return build_period_summary(session, period, "team", database.device_id(),
                                        generated_at=CREATED)
    finally:
        database.close()


def reference(path):
    con = sqlite3.connect(path)
    places = {pid: (name, area_id, status) for pid, name, area_id, status in
              con.execute("SELECT id, name, area_id, hotspot_status FROM place")}
    areas = dict(con.execute("SELECT id, name FROM area"))
    categories = {cid: (sv, en) for cid, sv, en in
                  con.execute("SELECT id, name_sv, name_en FROM category")}
    con.close()
    return places, areas, categories


@pytest.mark.parametrize("text", ["2026-T1", "2025", "2025-12-15..2026-01-20",
                                  "2025-03-15..2025-04-02", "2025-10", "2024-04-06..2026-04-05"])
def test_observation_figures_match_counting_each_row(data_path, text):
    period = Period.parse(text)
    found = summarise(data_path, period)
    now = count_by_hand(data_path, period)
    before = count_by_hand(data_path, found.year_before)
    places, areas, categories = reference(data_path)
    assert sum(now["months"].values()) > 50  # the data set reaches into the period
    n = len(period.month_slices())

    assert [m.observations for m in found.months] == [now["months"][i] for i in range(n)]
    assert [m.high_severity for m in found.months] == [now["high"][i] for i in range(n)]
    assert found.key.observations == sum(now["months"].values())
    assert found.key.observations_by_severity == {
        s: now["severity"][s] for s in ("low", "medium", "high")}
    assert found.key.observations_year_before == sum(before["months"].values())

    by_name = {names[found.language != "sv"]: cid for cid, names in categories.items()}
    assert {c.name: (c.observations, c.previous) for c in found.categories} == {
        name: (now["category"][cid], before["category"][cid]) for name, cid in by_name.items()
        if now["category"][cid] or before["category"][cid]}
    assert sorted((p.name, p.area, p.observations, p.previous) for p in found.places) == sorted(
        (name, areas[area_id], now["place"][pid], before["place"][pid])
        for pid, (name, area_id, _status) in places.items()
        if now["place"][pid] or before["place"][pid])

    active = {pid: area_id for pid, (_n, area_id, status) in places.items() if status == "active"}
    assert found.presence
    for row in found.presence:
        assert row.observations == tuple(
            sum(c for (m, pid), c in now["month_place"].items()
                if m == i and active.get(pid) == str(row.area_id).replace("-", ""))
            for i in range(n))
    assert [m.prioritised_observations for m in found.months] == [
        sum(c for (m, pid), c in now["month_place"].items() if m == i and pid in active)
        for i in range(n)]


@pytest.mark.parametrize("text", ["2026-T1", "2025", "2025-12-15..2026-01-20",
                                  "2024-04-06..2026-04-05"])
def test_the_tally_and_the_rows_count_the_same(data_path, text):
    """From the tally (the whole months of the team scope, migration 0009) and from the
    rows (one device, the partial months at the ends of a range of days): the same counts,
    so the choice between them never changes a figure."""
    from fieldapp.reports.period_queries import PeriodQueries
    from fieldapp.store.database import open_database

    period = Period.parse(text)
    slices = period.month_slices()
    database = open_database(data_path)
    try:
        with database.session() as session:
            queries = PeriodQueries(session, period, None)
            from_rows = queries._counts_by_month(slices)
            chosen = queries.observation_counts()
            tallied = queries._tallied_months(slices)
    finally:
        database.close()
    now = count_by_hand(data_path, period)
    assert [sum(c.values()) for c in from_rows] == [now["months"][i] for i in range(len(slices))]
    assert chosen == from_rows
    whole = [i for i, part in enumerate(slices) if part.first.day == 1 and part.day_count() > 27
             and (part.last + dt.timedelta(days=1)).day == 1]
    assert sorted(tallied) == whole and len(whole) >= len(slices) - 2


@pytest.mark.parametrize("text", ["2026-T1", "2025", "2024-04-06..2026-04-05"])
def test_the_shifts_read_in_one_pass_give_the_grouped_queries_figures(data_path, text):
    """For a period holding most of the store the shifts are read in one pass
    (period_pass.ShiftPass) instead of five grouped statements: the same rows, month by
    month (hours to the last bits of a float sum)."""
    from fieldapp.reports.period_queries import PeriodQueries
    from fieldapp.store.database import open_database

    def rows(queries, areas):
        def norm(found):
            return sorted((*r[:-1], pytest.approx(r[-1])) if isinstance(r[-1], float)
                          else tuple(r) for r in found)
        figures = sorted((m, k, n, pytest.approx(h), a, c, r)
                         for m, k, n, h, a, c, r in queries.shift_figures())
        return (figures, norm(queries.staff_hours()), norm(queries.youth_counts()),
                norm(queries.area_presence()), norm(queries.shifts_in_areas(areas)),
                queries.observation_counts())

    period = Period.parse(text)
    database = open_database(data_path)
    try:
        with database.session() as session:
            areas = [a for (a,) in session.execute(
                __import__("sqlalchemy").text("SELECT DISTINCT area_id FROM shift_area LIMIT 2"))]
            one_pass, grouped = (PeriodQueries(session, period, None) for _ in range(2))
            one_pass._whole, grouped._whole = True, False
            assert rows(one_pass, areas) == rows(grouped, areas)
            assert one_pass._pass is not None and grouped._pass is None
            assert sum(n for _m, _k, n, *_ in one_pass.shift_figures()) > 20
    finally:
        database.close()
