"""WeekSummary: week boundaries in Stockholm time (midnight shifts, daylight saving, week 53),
scope, the lägesbild, every figure against straightforward SQL, and speed on a large
database."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
import uuid
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest

from fieldapp.demo import generate_demo
from fieldapp.domain.enums import AgeBand, Gender
from fieldapp.domain.weeks import IsoWeek
from fieldapp.reports.pdf import render_pdf
from fieldapp.reports.summary import build_week_summary
from fieldapp.reports.texts import document_title
from fieldapp.store.database import open_database
from fieldapp.store.models import Observation, Shift
from fieldapp.store.services import Services

UTC = dt.timezone.utc
STHLM = ZoneInfo("Europe/Stockholm")


def at(year, month, day, hour, minute=0) -> dt.datetime:
    """A Stockholm wall-clock time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=STHLM)




def log_shift(database, starts_at, ends_at, *, now, observation_at=None, youths=1):
    """A shift (and optionally an observation during it) through the services."""
    with database.session() as session:
        svc = Services(session, database.device_id(), clock=lambda: now)
        place = svc.places.list()[0]
        category = svc.reference.categories()[0]
        shift = svc.shifts.create(kind="nattvandring", starts_at=starts_at, ends_at=ends_at,
                                  youth_counts={"16-17|flicka": youths})
        if observation_at is not None:
            svc.observations.create(shift_id=shift.id, place_id=place.id,
                                    category_id=category.id, severity="low",
                                    observed_at=observation_at, people_count=2)
        return shift


def summary(database, week, scope="team"):
    with database.session() as session:
        return build_week_summary(session, week, scope, database.device_id())


def test_a_shift_across_sunday_midnight_counts_in_its_start_week(database):
    # Sunday 24 November 2024 23:30 – Monday 01:30; an observation at 00:30 on Monday.
    log_shift(database, at(2024, 11, 24, 23, 30), at(2024, 11, 25, 1, 30),
              now=at(2024, 11, 26, 12), observation_at=at(2024, 11, 25, 0, 30))
    w47, w48 = summary(database, IsoWeek(2024, 47)), summary(database, IsoWeek(2024, 48))
    assert (w47.key.shifts, w47.key.observations, w47.key.field_hours) == (1, 1, 2.0)
    assert (w48.key.shifts, w48.key.observations) == (0, 0)
    sunday = w47.days[-1]
    assert sunday.day == dt.date(2024, 11, 24)
    assert (sunday.shifts, sunday.observations, sunday.youths_met) == (1, 1, 1)
    assert w47.places[0].observations == 1
    assert w48.places[0].previous == 1 and w48.places[0].change == -1


@pytest.mark.parametrize("week, inside, outside", [
    # Summer time starts Sunday 31 March 2024 at 02:00: the week has 167 hours.
    (IsoWeek(2024, 13), [at(2024, 3, 25, 0, 15), at(2024, 3, 31, 23, 30)],
     [at(2024, 3, 24, 23, 30), at(2024, 4, 1, 0, 15)]),
    # Summer time ends Sunday 27 October 2024 at 03:00: the week has 169 hours.
    (IsoWeek(2024, 43), [at(2024, 10, 21, 0, 15), at(2024, 10, 27, 23, 30)],
     [at(2024, 10, 20, 23, 30), at(2024, 10, 28, 0, 15)]),
])
def test_weeks_with_daylight_saving_changes(database, week, inside, outside):
    now = at(2024, 11, 30, 12)
    for start in inside + outside:
        log_shift(database, start, start + dt.timedelta(minutes=30), now=now,
                  observation_at=start + dt.timedelta(minutes=10))
    found = summary(database, week)
    assert found.key.shifts == len(inside)
    assert found.key.observations == len(inside)
    days = {d.day: d.shifts for d in found.days}
    assert days[week.monday()] == 1 and days[week.sunday()] == 1
    # Naive UTC bucketing would have put these an hour off: check the neighbours too.
    assert summary(database, week.previous()).key.shifts == 1
    assert summary(database, week.next()).key.shifts == 1


def test_a_shift_over_the_night_summer_time_ends_lasts_one_hour_more(database):
    log_shift(database, at(2024, 10, 26, 22), at(2024, 10, 27, 4), now=at(2024, 11, 1, 12))
    assert summary(database, IsoWeek(2024, 43)).key.field_hours == pytest.approx(7.0)


def test_week_53(database):
    week = IsoWeek(2026, 53)  # Monday 28 December 2026 – Sunday 3 January 2027
    log_shift(database, at(2027, 1, 2, 19), at(2027, 1, 3, 1), now=at(2027, 1, 10, 12),
              observation_at=at(2027, 1, 2, 23, 50))
    log_shift(database, at(2026, 12, 28, 0, 5), at(2026, 12, 28, 2), now=at(2027, 1, 10, 12))
    found = summary(database, week)
    assert found.key.shifts == 2 and found.key.observations == 1
    assert [d.day for d in found.days][0] == dt.date(2026, 12, 28)
    assert found.days[-1].day == dt.date(2027, 1, 3)
    assert found.days[5].shifts == 1  # Saturday 2 January 2027
    assert document_title(found) == "Veckologg v. 53 2026 (28 december 2026–3 januari 2027)"
    assert found.trend.weeks[-4:] == ("2026-W50", "2026-W51", "2026-W52", "2026-W53")
    assert len(found.trend.weeks) == 10
    assert summary(database, IsoWeek(2027, 1)).key.shifts == 0
    assert render_pdf(found).startswith(b"%PDF")


def test_deleted_records_and_other_devices(database):
    now = at(2024, 11, 26, 12)
    keep = log_shift(database, at(2024, 11, 20, 18), at(2024, 11, 20, 22), now=now,
                     observation_at=at(2024, 11, 20, 19))
    gone = log_shift(database, at(2024, 11, 21, 18), at(2024, 11, 21, 22), now=now,
                     observation_at=at(2024, 11, 21, 19))
    with database.session() as session:
        Services(session, database.device_id(), clock=lambda: now).shifts.delete(gone.id)
    found = summary(database, IsoWeek(2024, 47))
    assert found.key.shifts == 1 and found.key.observations == 1
    assert found.shifts[0].id == keep.id
    assert summary(database, IsoWeek(2024, 47), "device").key.shifts == 1


def test_the_lagesbild_ranks_rising_places_and_names_its_sources(database):
    now = at(2024, 11, 26, 12)
    with database.session() as session:
        svc = Services(session, database.device_id(), clock=lambda: now)
        rising, falling = svc.places.list()[:2]
        category = svc.reference.categories()[0]
        # Liljeholmstorget-like: the falling place went 3 -> 1 in the latest weeks.
        for weeks_back, (n_rising, n_falling) in enumerate([(4, 0), (3, 0), (1, 3), (0, 1)]):
            monday = IsoWeek(2024, 47).previous(weeks_back).monday()
            for n in range(n_rising):
                svc.observations.create(place_id=rising.id, category_id=category.id,
                                        severity="low", people_count=1,
                                        observed_at=at(monday.year, monday.month, monday.day, 12, n))
            for n in range(n_falling):
                svc.observations.create(place_id=falling.id, category_id=category.id,
                                        severity="low", people_count=1,
                                        observed_at=at(monday.year, monday.month, monday.day, 13, n))
    found = summary(database, IsoWeek(2024, 47))
    assert [r.name for r in found.trend.rows] == [rising.name]
    row = found.trend.rows[0]
    assert row.counts == (0,) * 6 + (0, 1, 3, 4)
    assert (row.recent, row.baseline, row.expected) == (7, 1, 0.375)
    assert row.p_value < 0.001
    assert "Källor" in found.trend.sources and "v. 38 2024" in found.trend.sources
    assert "Poisson" in found.trend.sources
    assert "inte all brottslighet" in found.trend.sources


@pytest.mark.slow
def test_a_week_of_a_million_observations_is_aggregated_in_sql(database):
    """One million observations over 200 weeks (5,000 a week), written in bulk with SQL."""
    device_hex = database.device_id().hex
    con = sqlite3.connect(database.path)
    con.execute("PRAGMA synchronous=OFF")
    with con:
        con.execute("CREATE TEMP TABLE pp AS SELECT row_number() OVER (ORDER BY id) - 1 AS i, "
                    "id FROM place")
        con.execute("CREATE TEMP TABLE cc AS SELECT row_number() OVER (ORDER BY id) - 1 AS i, "
                    "id FROM category")
        n_places = con.execute("SELECT count(*) FROM pp").fetchone()[0]
        n_categories = con.execute("SELECT count(*) FROM cc").fetchone()[0]
        # Every 121 seconds from Monday 4 January 2021: 200 weeks. Ids in insertion order
        # keep the bulk load fast; the query does not care.
        con.execute(f"""
            WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 999999)
            INSERT INTO observation (id, device_id, revision, created_at, updated_at,
                acked_revision, place_id, category_id, severity, observed_at, people_count,
                youths_present, action_taken, details, details_shareable)
            SELECT printf('%032x', n.k), '{device_hex}', 1, '2024-01-01 00:00:00.000000',
                '2024-01-01 00:00:00.000000', 0, pp.id, cc.id,
                CASE n.k % 3 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' ELSE 'high' END,
                datetime('2021-01-04', '+' || (n.k * 121) || ' seconds') || '.000000',
                1 + n.k % 20, n.k % 5, 'none', '', 0
            FROM n JOIN pp ON pp.i = n.k % {n_places}
                   JOIN cc ON cc.i = (n.k / {n_places}) % {n_categories}""")
    con.close()
    week = IsoWeek(2023, 20)
    with database.session() as session:
        build_week_summary(session, IsoWeek(2022, 5), "team", database.device_id())  # warm up
        started = time.perf_counter()
        found = build_week_summary(session, week, "team", database.device_id())
        elapsed = time.perf_counter() - started
    print(f"\n1,000,000 observations: {week} ({found.key.observations}) in {elapsed:.3f} s")
    assert 4900 < found.key.observations < 5100
    assert sum(d.observations for d in found.days) == found.key.observations
    # Its time is a bench figure (bench/ week-summary, ≤ 100 ms on the busy week), not a test.


def test_an_observation_during_another_devices_shift_counts_on_that_shifts_day(database):
    """Device scope: this device's observation at 00:30 on Monday, during a night walk that
    another device logged from Sunday 23:30, counts on Sunday, in the shift's week."""
    now = at(2024, 11, 26, 12)
    with database.session() as session:
        other = Services(session, uuid.uuid4(), clock=lambda: now)
        shift = other.shifts.create(kind="nattvandring", starts_at=at(2024, 11, 24, 23, 30),
                                    ends_at=at(2024, 11, 25, 2))
        mine = Services(session, database.device_id(), clock=lambda: now)
        mine.observations.create(shift_id=shift.id, place_id=mine.places.list()[0].id,
                                 category_id=mine.reference.categories()[0].id,
                                 severity="high", observed_at=at(2024, 11, 25, 0, 30))
    w47 = summary(database, IsoWeek(2024, 47), "device")
    w48 = summary(database, IsoWeek(2024, 48), "device")
    assert (w47.key.shifts, w47.key.observations, w47.notable_total) == (0, 1, 1)
    assert (w47.days[-1].observations, w47.days[-1].high_severity) == (1, 1)
    assert w47.notable[0].day == dt.date(2024, 11, 24)
    assert w48.key.observations == 0
    assert summary(database, IsoWeek(2024, 47), "team").shifts[0].observations == 1


# -- every figure against straightforward SQL --------------------------------------------------

DEMO_NOW = dt.datetime(2024, 11, 26, 12, 0, tzinfo=UTC)  # the last complete week is 2024-W47
DEMO_WEEK = IsoWeek(2024, 47)


def _add_unusual_records(database) -> None:
    """Besides the demo's shifts: observations without a shift, another device's records,
    deleted ones, an unknown severity and an unknown youth count key (a newer app's)."""
    device_id = database.device_id()
    with database.session() as session:
        svc = Services(session, device_id, clock=lambda: DEMO_NOW)
        places, category = svc.places.list(), svc.reference.categories()[0]
        for day, hour, place in ((18, 10, 0), (24, 23, 1), (12, 9, 2), (13, 8, 0)):
            svc.observations.create(place_id=places[place].id, category_id=category.id,
                                    severity="high" if hour < 10 else "medium", people_count=2,
                                    youths_present=1, observed_at=at(2024, 11, day, hour))
        gone = svc.observations.create(place_id=places[3].id, category_id=category.id,
                                       observed_at=at(2024, 11, 19, 12))
        svc.observations.delete(gone.id)
        other = Services(session, uuid.uuid4(), clock=lambda: DEMO_NOW)
        other_shift = other.shifts.create(kind="faltpass", starts_at=at(2024, 11, 21, 14),
                                          ends_at=at(2024, 11, 21, 18),
                                          youth_counts={"13-15|pojke": 3})
        other.observations.create(shift_id=other_shift.id, place_id=places[4].id,
                                  category_id=category.id, observed_at=at(2024, 11, 21, 15))
        shift = svc.shifts.create(kind="faltpass", starts_at=at(2024, 11, 22, 15),
                                  ends_at=at(2024, 11, 22, 19), youth_counts={"16-17|flicka": 2})
        odd = svc.observations.create(shift_id=shift.id, place_id=places[5].id,
                                      category_id=category.id, observed_at=at(2024, 11, 22, 16))
        session.get(Observation, odd.id).severity = "extreme"  # as a newer app might sync
        session.get(Shift, shift.id).youth_counts = {"16-17|flicka": 2, "25-30|ny": 7}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    database = open_database(tmp_path_factory.mktemp("summary") / "demo.sqlite")
    generate_demo(database, seed=11, weeks=5, now=DEMO_NOW)
    _add_unusual_records(database)
    yield database
    database.close()


# The youth count keys this version knows ("16-17|flicka"); others are left out.
YOUTH_KEYS = {f"{band.value}|{gender.value}" for band in AgeBand for gender in Gender}


def _sql_text(moment: dt.datetime) -> str:
    """A moment as the UTC text SQLite holds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _stockholm_day(text: str) -> dt.date:
    moment = dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
    return moment.astimezone(STHLM).date()


def _sql_week(con, week: IsoWeek, device_hex: str | None) -> dict:
    """The week's figures counted by hand: each observation with its anchor (its shift's
    start, or its own time without a shift), bucketed in Python."""
    p = {"a": _sql_text(week.start_utc()), "b": _sql_text(week.end_utc()), "d": device_hex}
    mine_s = " AND s.device_id = :d" if device_hex else ""
    mine_o = " AND o.device_id = :d" if device_hex else ""
    shifts = con.execute(
        "SELECT s.id, s.starts_at, s.youth_counts FROM shift s WHERE s.deleted_at IS NULL "
        f"AND s.starts_at >= :a AND s.starts_at < :b{mine_s}", p).fetchall()
    observations = con.execute(
        "SELECT o.shift_id, o.place_id, o.severity, o.people_count, "
        "coalesce(s.starts_at, o.observed_at) FROM observation o "
        "LEFT JOIN shift s ON s.id = o.shift_id "
        f"WHERE o.deleted_at IS NULL{mine_o} AND ((o.shift_id IS NOT NULL "
        "AND s.deleted_at IS NULL AND s.starts_at >= :a AND s.starts_at < :b) "
        "OR (o.shift_id IS NULL AND o.observed_at >= :a AND o.observed_at < :b))", p).fetchall()
    area_shifts = Counter(area for (area,) in con.execute(
        "SELECT sa.area_id FROM shift_area sa JOIN shift s ON s.id = sa.shift_id "
        f"WHERE s.deleted_at IS NULL AND s.starts_at >= :a AND s.starts_at < :b{mine_s}", p))
    place_area = dict(con.execute("SELECT id, area_id FROM place"))
    found = {"shifts": len(shifts), "observations": len(observations),
             "by_severity": Counter(o[2] for o in observations),
             "day_shifts": Counter(_stockholm_day(s[1]) for s in shifts),
             "day_observations": Counter(_stockholm_day(o[4]) for o in observations),
             "day_high": Counter(_stockholm_day(o[4]) for o in observations if o[2] == "high"),
             "per_shift": Counter(o[0] for o in observations if o[0]),
             "per_place": Counter(o[1] for o in observations),
             "place_high": Counter(o[1] for o in observations if o[2] == "high"),
             "place_people": defaultdict(int), "area_shifts": area_shifts,
             "area_observations": Counter(place_area[o[1]] for o in observations),
             "youths": {s[0]: sum(v for k, v in json.loads(s[2]).items() if k in YOUTH_KEYS)
                        for s in shifts}}
    for o in observations:
        found["place_people"][o[1]] += o[3]
    return found


@pytest.mark.parametrize("scope", ["team", "device"])
@pytest.mark.parametrize("weeks_back", [0, 1])
def test_every_figure_equals_a_straightforward_sql_count(demo_db, scope, weeks_back):
    week = DEMO_WEEK.previous(weeks_back)
    device_hex = demo_db.device_id().hex if scope == "device" else None
    found = summary(demo_db, week, scope)
    con = sqlite3.connect(demo_db.path)
    try:
        this = _sql_week(con, week, device_hex)
        previous = _sql_week(con, week.previous(), device_hex)
        trend = [_sql_week(con, w, device_hex) for w in map(IsoWeek.parse, found.trend.weeks)]
    finally:
        con.close()
    assert this["observations"] > 10  # a real week
    key = found.key
    assert (key.shifts, key.observations) == (this["shifts"], this["observations"])
    assert {k: v for k, v in key.observations_by_severity.items() if v} == this["by_severity"]
    assert sum(d.observations for d in found.days) == key.observations
    for day in found.days:
        assert day.shifts == this["day_shifts"][day.day], day.day
        assert day.observations == this["day_observations"][day.day], day.day
        assert day.high_severity == this["day_high"][day.day], day.day
    assert sum(c.total for c in found.categories) == key.observations
    for line in found.shifts:
        assert line.observations == this["per_shift"][line.id.hex]
        assert line.youths_met == this["youths"][line.id.hex]
    shown = {p.place_id.hex for p in found.places}
    assert shown == set(this["per_place"]) | set(previous["per_place"])
    for place in found.places:
        pid = place.place_id.hex
        assert (place.observations, place.previous) == (this["per_place"][pid],
                                                        previous["per_place"][pid])
        assert place.high_severity == this["place_high"][pid]
        assert place.people == this["place_people"][pid]
    for area in found.areas:
        assert area.shifts == this["area_shifts"][area.area_id.hex]
        assert area.observations == this["area_observations"][area.area_id.hex]
    for row in found.trend.rows:
        assert row.counts == tuple(w["per_place"][row.place_id.hex] for w in trend)
