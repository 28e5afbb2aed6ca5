"""Retention (gallring): exactly what each rule says goes, never a record the hub has not
acknowledged (nor what a kept record refers to), and every purge is logged with its counts."""

from __future__ import annotations

import datetime as dt
import sqlite3

from sqlalchemy import update

from fieldapp.domain.ids import reference_id
from fieldapp.domain.records import FlaggedPlace
from fieldapp.store.models import SYNCED_MODELS
from fieldapp.store.services import Services, retention
from fieldapp.store.services.retention import RetentionRules

NOW = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.timezone.utc)
PLACE = reference_id("place", "alvsjo-centrum")
CATEGORY = reference_id("category", "narkotikaforsaljning")
AREA = reference_id("area", "alvsjo")


def ago(**delta) -> dt.datetime:
    return NOW - dt.timedelta(**delta)


def ack_everything(session) -> None:
    for model in SYNCED_MODELS:
        session.execute(update(model).values(acked_revision=model.revision))


def make(database):
    """Shifts, observations and meetings at known ages; returns their ids by name."""
    ids = {}
    with database.session() as session:
        s = Services(session, database.device_id(), lambda: NOW)
        for name, when in (("old", ago(days=420)), ("old_unsynced", ago(days=410)),
                           ("old_with_unsynced_obs", ago(days=405)),
                           ("month", ago(days=40)), ("recent", ago(days=3))):
            shift = s.shifts.create(kind="nattvandring", starts_at=when,
                                    ends_at=when + dt.timedelta(hours=5),
                                    private_notes=f"privat {name}")
            ids[name] = shift.id
            ids[f"{name}_obs"] = s.observations.create(
                place_id=PLACE, category_id=CATEGORY, shift_id=shift.id,
                observed_at=when + dt.timedelta(hours=1)).id
        ids["old_meeting"] = s.meetings.create(kind="utsattningsmote", held_at=ago(days=420),
                                               flags=(FlaggedPlace(PLACE, "samling"),)).id
        then = Services(session, database.device_id(), lambda: ago(days=410))
        ids["old_action"] = then.actions.create(meeting_id=ids["old_meeting"], area_id=AREA,
                                             starts_at=ago(days=419), ends_at=ago(days=418)).id
        ids["old_carried"] = then.carried.carry_out(ids["old_action"], ids["old"]).id
        ids["new_meeting"] = s.meetings.create(kind="utsattningsmote", held_at=ago(days=10)).id
        ack_everything(session)
        # Not acknowledged by the hub: a shift, and an observation of an otherwise old shift.
        s2 = Services(session, database.device_id(), lambda: NOW)
        s2.shifts.update(ids["old_unsynced"], weather="regn")
        s2.observations.update(ids["old_with_unsynced_obs_obs"], people_count=3)
    return ids


def count(path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def ids_in(path, table: str) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute(f"SELECT id FROM {table}")}
    finally:
        con.close()


def test_preview_then_run_removes_exactly_what_the_rules_say(database, db_path):
    ids = make(database)
    rules = RetentionRules(private_notes_days=30, records_months=13)
    with database.session() as session:
        preview = {p.kind: (p.count, p.held_back) for p in retention.preview(session, rules, NOW)}
    assert preview == {"private_notes": (4, 0), "shift": (1, 2), "observation": (2, 1),
                       "meeting": (1, 0), "action": (1, 0)}
    assert count(db_path, "shift") == 5  # a preview changes nothing

    with database.session() as session:
        done = {p.kind: p.count for p in retention.run(session, rules, NOW)}
    assert done == {k: v[0] for k, v in preview.items()}
    shifts = ids_in(db_path, "shift")
    assert ids["old"].hex not in shifts
    # Never an unsynced record, nor the shift of an unsynced observation.
    for kept in ("old_unsynced", "old_with_unsynced_obs", "month", "recent"):
        assert ids[kept].hex in shifts, kept
    observations = ids_in(db_path, "observation")
    assert ids["old_obs"].hex not in observations and ids["old_unsynced_obs"].hex not in observations
    assert ids["old_with_unsynced_obs_obs"].hex in observations
    assert ids_in(db_path, "meeting") == {ids["new_meeting"].hex}
    assert count(db_path, "action") == 0
    assert count(db_path, "action_carried_out") == 0  # went with its action
    assert count(db_path, "meeting_flag") == 0  # went with its meeting
    con = sqlite3.connect(db_path)
    notes = dict(con.execute("SELECT id, private_notes FROM shift").fetchall())
    con.close()
    assert notes[ids["recent"].hex] == "privat recent"  # 3 days: kept
    assert notes[ids["month"].hex] == ""  # 40 days after the shift: emptied
    assert notes[ids["old_unsynced"].hex] == ""  # private notes never leave: no hub to wait for

    # The purge log: rule, kind and how many; never what.
    with database.session() as session:
        log = Services(session, database.device_id()).audit.list(kinds=["purge"])
    assert {(e.details["rule"], e.details["kind"], e.details["count"]) for e in log} == {
        ("private_notes", "private_notes", 4), ("records", "shift", 1),
        ("records", "observation", 2), ("records", "meeting", 1), ("records", "action", 1)}
    assert all(e.at == NOW for e in log)
    assert "privat old" not in repr([e.details for e in log])

    # Run again: nothing more goes.
    with database.session() as session:
        assert all(p.count == 0 for p in retention.run(session, rules, NOW))


def test_a_rule_set_to_zero_keeps_everything(database, db_path):
    make(database)
    with database.session() as session:
        counts = retention.run(session, RetentionRules(0, 0), NOW)
    assert all(p.count == 0 for p in counts)
    assert count(db_path, "shift") == 5


def test_nothing_unsynced_goes_even_when_old(database, db_path):
    with database.session() as session:
        s = Services(session, database.device_id(), lambda: NOW)
        s.shifts.create(kind="nattvandring", starts_at=ago(days=900))
        s.observations.create(place_id=PLACE, category_id=CATEGORY, observed_at=ago(days=900))
        s.meetings.create(kind="utsattningsmote", held_at=ago(days=900))
    with database.session() as session:
        counts = {p.kind: (p.count, p.held_back) for p in retention.run(session, now=NOW)}
    assert counts["shift"] == (0, 1) and counts["observation"] == (0, 1)
    assert counts["meeting"] == (0, 1)
    assert count(db_path, "shift") == 1


def test_an_old_shift_stays_while_a_kept_observation_refers_to_it(database, db_path):
    """A shift that began just before the limit keeps its place while an observation of it
    made after the limit is kept; the observation made before the limit goes."""
    cutoff = retention.months_before(NOW, 13)
    with database.session() as session:
        s = Services(session, database.device_id(), lambda: NOW)
        shift = s.shifts.create(kind="nattvandring", starts_at=cutoff - dt.timedelta(hours=1),
                                ends_at=cutoff + dt.timedelta(hours=4))
        before = s.observations.create(place_id=PLACE, category_id=CATEGORY, shift_id=shift.id,
                                       observed_at=cutoff - dt.timedelta(minutes=30))
        after = s.observations.create(place_id=PLACE, category_id=CATEGORY, shift_id=shift.id,
                                      observed_at=cutoff + dt.timedelta(hours=1))
        ack_everything(session)
    with database.session() as session:
        counts = {p.kind: (p.count, p.held_back) for p in retention.run(session, now=NOW)}
    assert counts["shift"] == (0, 1) and counts["observation"] == (1, 0)
    assert ids_in(db_path, "shift") == {shift.id.hex}
    assert ids_in(db_path, "observation") == {after.id.hex} != {before.id.hex}


def test_rules_are_stored_in_the_settings_and_checked(database):
    import pytest

    from fieldapp.domain.validation import ValidationError

    with database.session() as session:
        assert retention.load_rules(session) == RetentionRules(30, 13)
        retention.save_rules(session, RetentionRules(14, 24))
    with database.session() as session:
        assert retention.load_rules(session) == RetentionRules(14, 24)
        with pytest.raises(ValidationError):
            retention.save_rules(session, RetentionRules(-1, 13))


def test_run_if_due_runs_once_a_day(database):
    with database.session() as session:
        assert retention.run_if_due(session, NOW) is not None
        assert retention.run_if_due(session, NOW + dt.timedelta(hours=5)) is None
        assert retention.run_if_due(session, NOW + dt.timedelta(days=1)) is not None


def test_months_before_handles_short_months():
    assert retention.months_before(NOW, 13) == dt.datetime(2025, 2, 28, 12, 0, tzinfo=dt.timezone.utc)
    assert retention.months_before(NOW, 1).day == 28 + (NOW.year % 4 == 0)
