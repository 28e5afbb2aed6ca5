"""Services validate, bump revisions, write tombstones and return plain records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import uuid

import pytest

from fieldapp.domain.ids import reference_id
from fieldapp.domain.records import FlaggedPlace, ShiftRecord
from fieldapp.domain.validation import ValidationError
from fieldapp.domain.weeks import STOCKHOLM
from fieldapp.store.models import ActionCarriedOut
from fieldapp.store.services import NotFoundError, ReadOnlyError, Services

NOW = dt.datetime(2024, 11, 23, 2, 0, tzinfo=dt.timezone.utc)
FRIDAY_19 = dt.datetime(2024, 11, 22, 19, 0, tzinfo=STOCKHOLM)
ALVSJO = reference_id("area", "alvsjo")
ALVSJO_CENTRUM = reference_id("place", "alvsjo-centrum")
LILJEHOLMSTORGET = reference_id("place", "liljeholmstorget")
DRUG_DEALING = reference_id("category", "narkotikaforsaljning")


@pytest.fixture
def services(database):
    with database.session() as session:
        yield Services(session, database.device_id(), clock=lambda: NOW)


def test_create_returns_plain_record_with_sync_columns(services):
    shift = services.shifts.create(kind="nattvandring", starts_at=FRIDAY_19, area_ids=[ALVSJO])
    assert isinstance(shift, ShiftRecord) and dataclasses.is_dataclass(shift)
    assert shift.meta.revision == 1
    assert shift.meta.device_id == services.device_id
    assert shift.meta.created_at.tzinfo is not None
    assert shift.area_ids == (ALVSJO,)
    assert shift.is_running


def test_edit_bumps_revision_and_updated_at(database):
    clock = {"now": NOW}
    with database.session() as session:
        services = Services(session, database.device_id(), clock=lambda: clock["now"])
        shift = services.shifts.create(kind="faltpass", starts_at=FRIDAY_19)
        clock["now"] = NOW + dt.timedelta(minutes=5)
        edited = services.shifts.update(shift.id, weather="Regn")
    assert edited.meta.revision == 2
    assert edited.meta.updated_at > shift.meta.updated_at
    assert edited.weather == "Regn"


def test_delete_leaves_a_tombstone_and_list_hides_it(services, database):
    shift = services.shifts.create(kind="faltpass", starts_at=FRIDAY_19)
    services.shifts.delete(shift.id)
    assert services.shifts.list() == []
    assert [s.id for s in services.shifts.list(include_deleted=True)] == [shift.id]
    with pytest.raises(NotFoundError):
        services.shifts.get(shift.id)
    services.session.commit()
    con = sqlite3.connect(database.path)
    row = con.execute("SELECT revision, deleted_at FROM shift WHERE id = ?", (shift.id.hex,)).fetchone()
    con.close()
    assert row[0] == 2 and row[1] is not None


def test_observation_count_agrees_with_the_list_at_the_edges(services):
    """count(start, end) is len(list(start, end)): the start is in, the end is out, a
    deleted observation is not counted."""
    shift = services.shifts.create(kind="faltpass", starts_at=FRIDAY_19)
    start, end = FRIDAY_19 + dt.timedelta(hours=1), FRIDAY_19 + dt.timedelta(hours=3)
    made = [services.observations.create(
        shift_id=shift.id, place_id=ALVSJO_CENTRUM, category_id=DRUG_DEALING,
        observed_at=at, people_count=1, youths_present=0, severity="low")
        for at in (start - dt.timedelta(seconds=1), start, start + dt.timedelta(hours=1),
                   end - dt.timedelta(seconds=1), end)]
    services.observations.delete(made[2].id)
    listed = services.observations.list(start=start, end=end)
    assert [o.id for o in listed] == [made[1].id, made[3].id]
    assert services.observations.count(start=start, end=end) == 2
    assert services.observations.count(start=end, end=end + dt.timedelta(days=1)) == 1


def test_restore_undoes_a_delete_with_a_new_revision(services):
    shift = services.shifts.create(kind="faltpass", starts_at=FRIDAY_19)
    services.shifts.delete(shift.id)
    services.shifts.restore(shift.id)
    restored = services.shifts.get(shift.id)
    assert restored.meta.deleted_at is None and restored.meta.revision == 3


def test_records_of_another_device_are_read_only(database):
    with database.session() as session:
        other = Services(session, uuid.uuid4(), clock=lambda: NOW)
        shift = other.shifts.create(kind="faltpass", starts_at=FRIDAY_19)
    with database.session() as session:
        mine = Services(session, database.device_id(), clock=lambda: NOW)
        with pytest.raises(ReadOnlyError):
            mine.shifts.update(shift.id, weather="Sol")
        with pytest.raises(ReadOnlyError):
            mine.shifts.delete(shift.id)
        # Places are shared: any device may edit them.
        place = mine.places.update(ALVSJO_CENTRUM, hotspot_status="watched")
        assert place.hotspot_status == "watched" and place.revision == 2


def test_shift_validation_names_the_field_and_saves_nothing(services):
    with pytest.raises(ValidationError) as info:
        services.shifts.create(kind="nattvandring", starts_at=FRIDAY_19,
                               ends_at=FRIDAY_19 - dt.timedelta(hours=1), adults_met=-2)
    assert set(info.value.fields) >= {"ends_at", "adults_met"}
    assert "Sluttiden måste vara efter starttiden." in info.value.messages_for("ends_at")
    assert services.shifts.list() == []


@pytest.mark.parametrize("changes, field", [
    ({"kind": "picknick"}, "kind"),
    ({"ends_at": FRIDAY_19 + dt.timedelta(hours=30)}, "ends_at"),
    ({"youth_counts": {"13-15|pojke": 1.5}}, "youth_counts"),
    ({"concern_reports": 100000}, "concern_reports"),
    ({"referrals": 100000}, "referrals"),
    ({"private_notes": "a\x00b"}, "private_notes"),
    ({"staff_ids": [uuid.uuid4()]}, "staff_ids"),
])
def test_bad_shift_edits_are_refused_and_leave_the_record_as_it_was(services, changes, field):
    shift = services.shifts.create(kind="nattvandring", starts_at=FRIDAY_19)
    with pytest.raises(ValidationError) as info:
        services.shifts.update(shift.id, **changes)
    assert field in info.value.fields
    assert services.shifts.get(shift.id) == shift


def test_shareable_summary_must_pass_the_pii_guard(services):
    shift = services.shifts.create(kind="nattvandring", starts_at=FRIDAY_19)
    with pytest.raises(ValidationError) as info:
        services.shifts.update(shift.id, summary="Pojken heter Kalle, ring 070-123 45 67",
                               summary_shareable=True)
    assert "summary" in info.value.fields
    kept = services.shifts.update(shift.id, summary="Lugnt vid centrum", summary_shareable=True)
    assert kept.summary_shareable


def test_observation_must_lie_within_its_shift(services):
    shift = services.shifts.create(kind="nattvandring", starts_at=FRIDAY_19,
                                   ends_at=FRIDAY_19 + dt.timedelta(hours=6))
    with pytest.raises(ValidationError) as info:
        services.observations.create(shift_id=shift.id, place_id=ALVSJO_CENTRUM,
                                     category_id=DRUG_DEALING,
                                     observed_at=FRIDAY_19 - dt.timedelta(hours=3))
    assert info.value.fields == ["observed_at"]
    ok = services.observations.create(shift_id=shift.id, place_id=ALVSJO_CENTRUM,
                                      category_id=DRUG_DEALING, severity="high",
                                      observed_at=FRIDAY_19 + dt.timedelta(hours=1),
                                      people_count=5, youths_present=4)
    assert services.observations.list(shift_id=shift.id) == [ok]


def test_observation_youths_cannot_exceed_people(services):
    with pytest.raises(ValidationError) as info:
        services.observations.create(place_id=ALVSJO_CENTRUM, category_id=DRUG_DEALING,
                                     observed_at=NOW, people_count=2, youths_present=5)
    assert info.value.fields == ["youths_present"]


def test_meeting_action_is_offered_to_the_shift_that_covered_it(services):
    friday = FRIDAY_19.date()
    meeting = services.meetings.create(
        kind="utsattningsmote", held_at=dt.datetime(2024, 11, 21, 13, tzinfo=STOCKHOLM),
        partner_ids=[reference_id("partner", "lpo-skarholmen")],
        flags=[FlaggedPlace(LILJEHOLMSTORGET, "Samling fredag kväll")])
    action = services.actions.create(
        meeting_id=meeting.id, place_id=LILJEHOLMSTORGET,
        starts_at=dt.datetime.combine(friday, dt.time(20), STOCKHOLM),
        ends_at=dt.datetime.combine(friday, dt.time(23, 59), STOCKHOLM))
    elsewhere = services.shifts.create(kind="nattvandring", starts_at=FRIDAY_19, area_ids=[ALVSJO])
    assert services.actions.covered_by(elsewhere.id) == []
    there = services.shifts.create(kind="nattvandring", starts_at=FRIDAY_19,
                                   area_ids=[reference_id("area", "liljeholmen")])
    assert [a.id for a in services.actions.covered_by(there.id)] == [action.id]
    services.carried.carry_out(action.id, there.id)
    done = services.actions.get(action.id)
    assert done.status == "done" and done.carried_out_shift_id == there.id
    assert services.actions.covered_by(there.id) == []
    flags = services.meetings.get(meeting.id).flags
    assert flags == (FlaggedPlace(LILJEHOLMSTORGET, "Samling fredag kväll"),)


def test_action_needs_a_place_or_area_and_a_window(services):
    meeting = services.meetings.create(kind="utsattningsmote", held_at=NOW)
    with pytest.raises(ValidationError) as info:
        services.actions.create(meeting_id=meeting.id, starts_at=NOW, ends_at=NOW - dt.timedelta(hours=1))
    assert set(info.value.fields) == {"place_id", "ends_at"}


def test_user_places_get_random_ids_and_need_an_area(services):
    with pytest.raises(ValidationError) as info:
        services.places.create(name="  ", area_id=uuid.uuid4())
    assert set(info.value.fields) == {"name", "area_id"}
    place = services.places.create(name="Bollplanen", area_id=ALVSJO, kind="idrott")
    assert place.key is None and place.area_name == "Älvsjö"
    assert place.id not in {reference_id("place", "bollplanen")}


def test_settings_round_trip(services):
    assert services.settings.get("language") == "sv"
    services.settings.set("team_name", "Fältgruppen HÄ")
    assert services.settings.get("team_name") == "Fältgruppen HÄ"


def _friday_action(services):
    meeting = services.meetings.create(kind="utsattningsmote",
                                       held_at=dt.datetime(2024, 11, 21, 13, tzinfo=STOCKHOLM))
    friday = FRIDAY_19.date()
    return services.actions.create(
        meeting_id=meeting.id, place_id=LILJEHOLMSTORGET,
        starts_at=dt.datetime.combine(friday, dt.time(20), STOCKHOLM),
        ends_at=dt.datetime.combine(friday, dt.time(23, 59), STOCKHOLM))


def test_a_colleagues_action_is_carried_out_by_a_record_of_this_laptop(services):
    """The action belongs to the laptop that recorded the meeting; a shift on this laptop
    records "carried out" as its own record (owned here), and never edits the action."""
    colleague = Services(services.session, uuid.uuid4(), clock=services.shifts.clock)
    action = _friday_action(colleague)
    shift = services.shifts.create(kind="nattvandring", starts_at=FRIDAY_19,
                                   area_ids=[reference_id("area", "liljeholmen")])
    services.shifts.end(shift.id, ends_at=FRIDAY_19 + dt.timedelta(hours=5))
    assert [a.id for a in services.actions.covered_by(shift.id)] == [action.id]
    with pytest.raises(ReadOnlyError):
        services.actions.update(action.id, note="gjort")  # the action itself stays the colleague's

    carried = services.carried.carry_out(action.id, shift.id)
    assert carried.meta.device_id == services.device_id and carried.shift_id == shift.id
    assert carried.carried_out_at == FRIDAY_19 + dt.timedelta(hours=5)  # the shift's end
    seen = services.actions.get(action.id)
    assert (seen.status, seen.carried_out_shift_id, seen.carried_out_by, seen.carried_out_at) == (
        "done", shift.id, services.device_id, carried.carried_out_at)
    assert seen.meta == action.meta  # the action's revision did not move
    assert services.actions.covered_by(shift.id) == []
    # Again with the same shift: still one record.
    services.carried.carry_out(action.id, shift.id)
    assert [c.id for c in services.carried.of_action(action.id)] == [carried.id]

    # The colleague's laptop cannot take back what this laptop's shift did.
    with pytest.raises(ReadOnlyError):
        colleague.carried.delete(carried.id)
    # Undo is a tombstone: a new revision that syncs, and the action is planned again.
    services.carried.undo(action.id, shift.id)
    tomb = services.session.get(ActionCarriedOut, carried.id)
    assert tomb.deleted_at is not None and tomb.revision == 2
    assert services.actions.get(action.id).status == "planned"
    assert [a.id for a in services.actions.covered_by(shift.id)] == [action.id]
    # Carrying it out again brings the same record back as a newer revision.
    again = services.carried.carry_out(action.id, shift.id)
    assert again.id == carried.id and again.meta.revision == 3 and again.meta.deleted_at is None


def test_only_the_laptop_that_ran_the_shift_records_what_it_carried_out(services):
    action = _friday_action(services)
    colleague = Services(services.session, uuid.uuid4(), clock=services.shifts.clock)
    their_shift = colleague.shifts.create(kind="nattvandring", starts_at=FRIDAY_19,
                                          area_ids=[reference_id("area", "liljeholmen")])
    with pytest.raises(ValidationError) as info:
        services.carried.carry_out(action.id, their_shift.id)
    assert info.value.fields == ["shift_id"]
    with pytest.raises(ValidationError) as info:
        services.carried.carry_out(uuid.uuid4(), their_shift.id)
    assert set(info.value.fields) == {"action_id", "shift_id"}
    # The owner's status is planned or cancelled; "done" is not set on the action any more.
    with pytest.raises(ValidationError) as info:
        services.actions.update(action.id, status="done")
    assert info.value.fields == ["status"]
