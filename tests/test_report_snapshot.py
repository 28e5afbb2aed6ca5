"""A report reads one snapshot of the file (fieldapp.store.snapshot): a record another
connection commits between two of its statements is in none of them, so its figures agree
with each other (real SQLite file, two connections)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from fieldapp.domain.ids import reference_id
from fieldapp.domain.weeks import IsoWeek
from fieldapp.reports.period_summary import build_period_summary
from fieldapp.reports.summary import build_week_summary
from fieldapp.store.database import open_database
from fieldapp.store.models import Observation
from fieldapp.store.services import Services
from fieldapp.store.snapshot import hold_snapshot

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 18, 12, tzinfo=UTC)


def _observe(database, when: dt.datetime) -> None:
    with database.session() as session:
        Services(session, database.device_id(), clock=lambda: NOW).observations.create(
            place_id=reference_id("place", "alvsjo-centrum"),
            category_id=reference_id("category", "ungdomssamling"), severity="low",
            observed_at=when)


def test_reads_after_hold_snapshot_do_not_see_a_later_commit(tmp_path):
    path = tmp_path / "x.sqlite"
    reader, writer = open_database(path), open_database(path)
    try:
        _observe(writer, NOW)
        count = select(func.count()).select_from(Observation)
        with reader.session() as session:
            hold_snapshot(session)
            before = session.execute(count).scalar_one()
            _observe(writer, NOW)  # committed by another connection meanwhile
            assert session.execute(count).scalar_one() == before == 1
        with reader.session() as session:  # a new session sees it
            assert session.execute(count).scalar_one() == 2
        with reader.session() as session:  # without the hold each statement sees the latest
            before = session.execute(count).scalar_one()
            _observe(writer, NOW)
            assert session.execute(count).scalar_one() == before + 1
    finally:
        reader.close()
        writer.close()


def test_the_week_and_period_reports_hold_one_snapshot(tmp_path):
    """Both builders start the snapshot themselves, so every caller (the exports, the
    Rapporter page, the lägesbild, the CLI) reads one."""
    from fieldapp.domain.periods import Period

    path = tmp_path / "x.sqlite"
    database = open_database(path)
    try:
        for build in (lambda s: build_week_summary(s, IsoWeek.of(NOW), "team",
                                                   database.device_id(), generated_at=NOW),
                      lambda s: build_period_summary(s, Period.parse("2026-11"), "team",
                                                     database.device_id(), generated_at=NOW)):
            with database.session() as session:
                build(session)
                assert session.connection().connection.driver_connection.in_transaction
    finally:
        database.close()
