"""The Qt-free list queries: keyset pages that add up to the whole list, in SQL order, with
the filters applied, and the place history counted per Stockholm week."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys

import pytest

from fieldapp.domain.ids import reference_id
from fieldapp.domain.weeks import IsoWeek
from fieldapp.store import lists, queries
from fieldapp.store.list_query import ListSpec, list_count, list_page
from fieldapp.store.lists import LISTS
from fieldapp.store.queries import ListFilter
from fieldapp.store.services import Services

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 11, 23, 10, 0, tzinfo=UTC)  # Saturday of week 47
LILJEHOLMSTORGET = reference_id("place", "liljeholmstorget")
ALVSJO_CENTRUM = reference_id("place", "alvsjo-centrum")
LILJEHOLMEN = reference_id("area", "liljeholmen")
ALVSJO = reference_id("area", "alvsjo")
DEALING = reference_id("category", "narkotikaforsaljning")
GATHERING = reference_id("category", "ungdomssamling")


def services(session, device_id):
    return Services(session, device_id, lambda: NOW)


@pytest.fixture
def filled(database):
    """Two weeks of observations at two places, in two categories, with shifts."""
    device = database.device_id()
    with database.session() as session:
        s = services(session, device)
        created = []
        for day in range(14):
            start = dt.datetime(2024, 11, 9, 18, 0, tzinfo=UTC) + dt.timedelta(days=day)
            shift = s.shifts.create(kind="nattvandring", starts_at=start,
                                    ends_at=start + dt.timedelta(hours=5),
                                    area_ids=[LILJEHOLMEN if day % 2 else ALVSJO])
            for n in range(5):
                place = LILJEHOLMSTORGET if (day + n) % 2 else ALVSJO_CENTRUM
                category = DEALING if n % 3 == 0 else GATHERING
                created.append(s.observations.create(
                    shift_id=shift.id, place_id=place, category_id=category,
                    observed_at=start + dt.timedelta(minutes=30 * n),
                    people_count=n, youths_present=0,
                    severity=("low", "medium", "high")[n % 3],
                    details="fest i parken" if n == 4 else ""))
    return created


def all_pages(fetch, limit):
    rows, after, pages = [], None, 0
    while True:
        page = fetch(after=after, limit=limit)
        rows += page.rows
        pages += 1
        after = page.cursor
        if not page.more:
            return rows, pages


@pytest.mark.parametrize("sort", sorted(queries.OBSERVATION_SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_observation_pages_add_up_to_the_whole_list_in_order(database, filled, sort, descending):
    with database.session() as session:
        rows, pages = all_pages(lambda **kw: queries.observation_page(
            session, sort=sort, descending=descending, **kw), limit=7)
        assert queries.count_observations(session) == len(filled) == 70
    assert pages == 10
    assert sorted(r.id for r in rows) == sorted(o.id for o in filled)
    if sort == "observed_at":
        times = [r.observed_at for r in rows]
        assert times == sorted(times, reverse=descending)
    if sort == "people_count":
        counts = [r.people_count for r in rows]
        assert counts == sorted(counts, reverse=descending)


def test_observation_filters(database, filled):
    week = IsoWeek(2024, 46)
    with database.session() as session:
        def ids(flt):
            return {r.id for r in queries.observation_page(session, flt, limit=1000).rows}

        in_week = ids(ListFilter(week=week))
        assert in_week == {o.id for o in filled if week.contains(o.observed_at)}
        assert queries.count_observations(session, ListFilter(week=week)) == len(in_week)
        assert ids(ListFilter(place_id=LILJEHOLMSTORGET)) == {
            o.id for o in filled if o.place_id == LILJEHOLMSTORGET}
        assert ids(ListFilter(area_id=LILJEHOLMEN)) == {
            o.id for o in filled if o.place_id == LILJEHOLMSTORGET}
        assert ids(ListFilter(category_id=DEALING, week=week)) == {
            o.id for o in filled if o.category_id == DEALING and week.contains(o.observed_at)}
        assert ids(ListFilter(text="parken")) == {o.id for o in filled if o.details}
        assert ids(ListFilter(text="Liljeholms")) == {
            o.id for o in filled if o.place_id == LILJEHOLMSTORGET}
        assert ids(ListFilter(text="100%_")) == set()


@pytest.mark.parametrize("encrypted", [False, True])
def test_search_ignores_case_in_swedish_letters(tmp_path, encrypted):
    """"älvsjö" finds "Älvsjö" and "BRÅK" finds "bråk": SQLite's LIKE alone folds only
    A-Z. The same on an encrypted (SQLCipher) file, whose connections register the fold too."""
    from fieldapp.store.database import open_database

    database = open_database(tmp_path / "s.sqlite", "lösenord 12345" if encrypted else None)
    try:
        device = database.device_id()
        with database.session() as session:
            s = services(session, device)
            start = dt.datetime(2024, 11, 16, 18, 0, tzinfo=UTC)
            shift = s.shifts.create(kind="nattvandring", starts_at=start)
            noisy = s.observations.create(
                shift_id=shift.id, place_id=LILJEHOLMSTORGET, category_id=GATHERING,
                observed_at=start, people_count=3, youths_present=0, severity="low",
                details="Bråk vid ÅVÄGEN, lugnt efter en stund")
            quiet = s.observations.create(
                shift_id=shift.id, place_id=ALVSJO_CENTRUM, category_id=GATHERING,
                observed_at=start, people_count=1, youths_present=0, severity="low",
                details="")
        with database.session() as session:
            def ids(text):
                return {r.id for r in queries.observation_page(
                    session, ListFilter(text=text), limit=100).rows}

            assert ids("BRÅK") == ids("bråk") == {noisy.id}
            assert ids("åvägen") == {noisy.id}
            assert ids("älvsjö centrum") == ids("ÄLVSJÖ") == {quiet.id}  # the place's name
            assert ids("öl") == set()
            assert queries.count_observations(session, ListFilter(text="älvsjö")) == 1
    finally:
        database.close()


def test_deleted_observations_leave_the_list(database, filled):
    device = database.device_id()
    with database.session() as session:
        services(session, device).observations.delete(filled[0].id)
    with database.session() as session:
        assert queries.count_observations(session) == 69
        assert filled[0].id not in {r.id for r in queries.observation_page(session, limit=500).rows}


def test_shift_rows_and_filters(database, filled):
    with database.session() as session:
        rows = queries.shift_page(session, limit=100).rows
        assert len(rows) == 14 == queries.count_shifts(session)
        assert all(r.observation_count == 5 for r in rows)
        assert [r.starts_at for r in rows] == sorted((r.starts_at for r in rows), reverse=True)
        lilje = queries.shift_page(session, ListFilter(area_id=LILJEHOLMEN), limit=100).rows
        assert {r.area_names for r in lilje} == {"Liljeholmen"}
        assert len(lilje) == 7
        week = queries.shift_page(session, ListFilter(week=IsoWeek(2024, 47)), limit=100).rows
        assert all(IsoWeek.of(r.starts_at) == IsoWeek(2024, 47) for r in week)


def test_place_history_equals_an_independent_count(database, db_path, filled):
    weeks = queries.history_weeks(NOW)
    assert weeks[-1] == IsoWeek(2024, 47) and weeks[0] == IsoWeek(2024, 40) and len(weeks) == 8
    with database.session() as session:
        history = queries.place_history(session, LILJEHOLMSTORGET, weeks)
    assert {row.category_id for row in history.rows} == {DEALING, GATHERING}
    con = sqlite3.connect(db_path)
    try:
        for row in history.rows:
            for week, count in zip(weeks, row.counts, strict=True):
                expected = con.execute(
                    "SELECT count(*) FROM observation WHERE place_id = ? AND category_id = ? "
                    "AND observed_at >= ? AND observed_at < ? AND deleted_at IS NULL",
                    (LILJEHOLMSTORGET.hex, row.category_id.hex,
                     week.start_utc().strftime("%Y-%m-%d %H:%M:%S"),
                     week.end_utc().strftime("%Y-%m-%d %H:%M:%S")),
                ).fetchone()[0]
                assert count == expected
    finally:
        con.close()
    assert sum(history.totals()) == sum(1 for o in filled if o.place_id == LILJEHOLMSTORGET)


@pytest.mark.parametrize("spec", LISTS, ids=lambda spec: spec.name)
def test_every_list_pages_add_up_to_its_count_in_every_sort(database, filled, spec):
    """The one pager and counter made from each list's description: every sort key, both
    directions, small pages, no row twice or missing."""
    device = database.device_id()
    with database.session() as session:
        for day in range(5):  # meetings in the same minute test the keyset's id tie-break
            services(session, device).meetings.create(
                kind="utsattningsmote", held_at=NOW - dt.timedelta(days=day // 2),
                title=f"Möte {day % 2}")
    with database.session() as session:
        total = list_count(session, spec)
        assert total > 3
        for sort in spec.sorts:
            for descending in (False, True):
                rows, pages = all_pages(lambda s=sort, d=descending, **kw: list_page(
                    session, spec, sort=s, descending=d, **kw), limit=3)
                assert len(rows) == len({r.id for r in rows}) == total, (sort, descending)
                assert pages == -(-total // 3)  # ceil: no empty page at the end


def test_a_description_whose_fields_miss_the_row_is_refused():
    spec = lists.PLACES
    with pytest.raises(TypeError, match="do not match"):
        ListSpec(name="broken", row=spec.row, base=spec.base, id_column=spec.id_column,
                 live=spec.live, fields=spec.fields[:-1], columns=spec.columns,
                 default_sort=spec.default_sort)


def test_unknown_sort_key_is_refused(database):
    with database.session() as session, pytest.raises(ValueError, match="sort key"):
        queries.observation_page(session, sort="nonsense")


def test_queries_never_import_qt():
    code = ("import sys, fieldapp.store.queries, fieldapp.store.lists; "
            "sys.exit(1 if any(m.startswith('PySide6') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0

