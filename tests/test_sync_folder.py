"""Sync through a shared folder: two or three laptops (real SQLite files), a real hub folder."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections import Counter

import pytest
from sqlalchemy import select

from fieldapp.domain.records import FlaggedPlace
from fieldapp.i18n import _
from fieldapp.store.models import (
    Device,
    Meeting,
    MeetingFlag,
    Observation,
    Place,
    Setting,
    Shift,
    meeting_partner,
    meeting_staff,
    shift_area,
    shift_partner,
    shift_staff,
)
from fieldapp.store.services import ReadOnlyError, Services
from fieldapp.store.types import utcnow
from fieldapp.sync.apply import Outcome, apply_envelope, sort_for_apply
from fieldapp.sync.bundle import BundleError, bundle_name, decode_bundle, encode_bundle
from fieldapp.sync.engine import SyncReport, apply_batch, pending_envelopes, sync
from fieldapp.sync.envelope import SPECS, TYPE_ORDER, EnvelopeError, to_envelope
from fieldapp.sync.folder import FolderHub
from fieldapp.sync.hub import HubError, HubKeyError
from fieldapp.sync.receipts import RecordState, pending_counts, state_of
from fieldapp.sync.validate import validate_envelope
from test_sync_support import (
    ALVSJO,
    ALVSJO_CENTRUM,
    LPO,
    TEAM_KEY,
    add_shift,
    category_id,
    snapshot,
)


def run(database, hub_path, key=TEAM_KEY, **kwargs):
    return sync(database, FolderHub(hub_path, key), **kwargs)


def bundles(hub_path):
    return sorted(hub_path.glob("devices/*/*.bundle"))


def test_a_shift_reaches_the_other_laptop_read_only_and_without_private_text(laptops, hub_path):
    a, b, _c = laptops
    shift = add_shift(a, summary="Lugnt vid stationen.", shareable=True,
                      private="Privat: ring mamman imorgon")
    report = run(a, hub_path)
    assert report.pushed == {"shift": 1}
    assert report.refused == []
    report = run(b, hub_path)
    assert report.pulled == {"shift": 1}
    assert [d.device_id for d in report.devices] == [a.device_id()]
    with b.session() as session:
        row = session.get(Shift, shift.id)
        assert row.summary == "Lugnt vid stationen."
        assert row.private_notes == ""
        assert row.device_id == a.device_id()
        assert {x.id for x in row.areas} == set(shift.area_ids)
        seen = session.get(Device, a.device_id())
        assert seen is not None and seen.last_seen_at is not None
    with b.session() as session:
        with pytest.raises(ReadOnlyError):
            Services(session, b.device_id()).shifts.update(shift.id, adults_met=9)


def test_text_that_is_not_shareable_never_leaves_the_laptop(laptops, hub_path):
    a, b, _c = laptops
    secrets = ["PRIVAT-anteckning-xyz", "OSYNLIG-sammanfattning-qrs",
               "Han heter Kalle Svensson", "ring 070-123 45 67", "DETALJ-privat-abc",
               "LAGESBILD-privat-def"]
    add_shift(a, private=secrets[0])
    add_shift(a, summary=secrets[1], shareable=False)
    add_shift(a, summary=secrets[2], shareable=False)  # names: the guard would refuse it too
    with a.session() as session:
        services = Services(session, a.device_id())
        running = add_shift(a, summary="Pass i Älvsjö", shareable=True)
        services.observations.create(place_id=ALVSJO_CENTRUM, category_id=category_id(a),
                                     observed_at=utcnow() - dt.timedelta(hours=1),
                                     shift_id=running.id, details=secrets[4])
        meeting = services.meetings.create(
            kind="utsattningsmote", held_at=utcnow() - dt.timedelta(days=1),
            title="Utsättningsmöte", situation=secrets[5],
            flags=[FlaggedPlace(ALVSJO_CENTRUM, "Langning")])
        # Text shared by mistake without the service's check: the envelope still drops it.
        row = session.get(Shift, running.id)
        row.summary, row.summary_shareable = secrets[3], True
        session.get(Meeting, meeting.id).flags[0].reason = secrets[3]
    assert run(a, hub_path).pushed_total == 6
    raw = b"".join(path.read_bytes() for path in bundles(hub_path))
    for secret in secrets:
        assert secret.encode() not in raw
    run(b, hub_path)
    dump = "".join(repr(env) for env in snapshot(b).values())
    for secret in secrets:
        assert secret not in dump
    with b.session() as session:
        assert all(row.private_notes == "" for row in session.scalars(select(Shift)))


def test_tampered_bundle_is_refused_reported_and_repaired_by_its_owner(laptops, hub_path):
    a, b, c = laptops
    add_shift(a)
    run(a, hub_path)
    first = bundles(hub_path)[0]
    body = first.read_bytes()
    header, _nl, rest = body.partition(b"\n")
    envelopes = json.loads(rest)
    envelopes[0]["data"]["adults_met"] = 999
    forged_body = json.dumps(envelopes).encode()
    forged_header = json.loads(header)
    import hashlib

    forged_header["sha256"] = hashlib.sha256(forged_body).hexdigest()
    first.write_bytes(json.dumps(forged_header).encode() + b"\n" + forged_body)
    add_shift(c)
    run(c, hub_path)

    report = run(b, hub_path)
    assert [r.file for r in report.refused] == [str(first)]
    assert "signature" in report.refused[0].reason or "signatur" in report.refused[0].reason
    assert report.pulled == {"shift": 1}  # c's bundle still applied
    with b.session() as session:
        assert session.scalars(select(Shift).where(Shift.adults_met == 999)).first() is None
        assert session.scalar(select(Setting).where(Setting.key.like("sync.refused.%"))).value
    assert run(b, hub_path).refused  # still reported while the file stays

    report = run(a, hub_path)  # the owner finds it, sets it aside and sends everything again
    assert report.repaired and report.pushed == {"shift": 1}
    assert first.with_name(first.name + ".damaged").exists()
    report = run(b, hub_path)
    assert report.refused == []
    assert report.pulled == {"shift": 1}
    assert snapshot(a) == snapshot(b)


@pytest.mark.parametrize("damage", ["truncate", "flip", "format", "copy", "move"])
def test_damaged_bundles_are_refused_whole(laptops, hub_path, damage):
    a, b, _c = laptops
    for _n in range(3):
        add_shift(a)
    run(a, hub_path)
    path = bundles(hub_path)[0]
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip":
        flipped = bytearray(raw)
        flipped[-10] ^= 0x01
        path.write_bytes(bytes(flipped))
    elif damage == "format":
        path.write_bytes(raw.replace(b'"format":1', b'"format":7', 1))
    elif damage == "copy":  # a replayed copy under another number
        path.with_name(bundle_name(2)).write_bytes(raw)
        path.unlink()
    elif damage == "move":  # into another device's folder
        other = hub_path / "devices" / str(uuid.uuid4())
        other.mkdir()
        (other / bundle_name(1)).write_bytes(raw)
        path.unlink()
    report = run(b, hub_path)
    assert len(report.refused) == 1 and report.refused[0].reason
    assert report.pulled == {}
    with b.session() as session:
        assert session.scalars(select(Shift)).first() is None


def test_decode_refuses_a_wrong_key_and_reports_the_reason():
    device = uuid.uuid4()
    raw = encode_bundle([], device_id=device, seq=1, key=b"one", created_at=utcnow())
    assert decode_bundle(raw, b"one", device_id=device, seq=1).envelopes == []
    with pytest.raises(BundleError):
        decode_bundle(raw, b"two", device_id=device, seq=1)
    with pytest.raises(BundleError):
        decode_bundle(raw, b"one", device_id=device, seq=2)


def test_a_foreign_envelope_never_overwrites_a_record_owned_here(laptops):
    a, b, _c = laptops
    shift = add_shift(a)
    with a.session() as session:
        env = to_envelope(session.get(Shift, shift.id))
    forged = dict(env, device_id=str(b.device_id()), revision=50,
                  data=dict(env["data"], adults_met=40))
    with a.session() as session:
        assert apply_envelope(session, forged, a.device_id()).value == "refused"
        assert session.get(Shift, shift.id).adults_met == 2
    # Nor may another device take over a record it does not own, on a third laptop.
    with b.session() as session:
        assert apply_envelope(session, env, b.device_id()).value == "applied"
        hijack = dict(env, device_id=str(uuid.uuid4()), revision=9)
        assert apply_envelope(session, hijack, b.device_id()).value == "refused"
        assert session.get(Shift, shift.id).device_id == a.device_id()


def test_apply_is_idempotent_and_order_free(laptops):
    a, b, c = laptops
    shift = add_shift(a)
    envs = []
    with a.session() as session:
        services = Services(session, a.device_id())
        envs.append(to_envelope(session.get(Shift, shift.id)))
        services.shifts.update(shift.id, adults_met=5)
        envs.append(to_envelope(session.get(Shift, shift.id)))
        services.shifts.delete(shift.id)
        envs.append(to_envelope(session.get(Shift, shift.id)))
    for database, order in ((b, envs + envs), (c, list(reversed(envs)) + envs[:1])):
        with database.session() as session:
            for env in order:
                apply_envelope(session, env, database.device_id())
    assert snapshot(b)[("shift", str(shift.id))] == envs[-1]
    assert snapshot(c)[("shift", str(shift.id))] == envs[-1]


def test_places_are_shared_and_the_highest_revision_wins(laptops, hub_path):
    a, b, _c = laptops
    with a.session() as session:
        Services(session, a.device_id()).places.update(ALVSJO_CENTRUM, hotspot_status="watched")
    with b.session() as session:
        services = Services(session, b.device_id())
        services.places.update(ALVSJO_CENTRUM, hotspot_status="active")
        services.places.update(ALVSJO_CENTRUM, name="Älvsjö centrum (torget)")
    for database in (a, b, a, b):
        run(database, hub_path)
    assert snapshot(a) == snapshot(b)
    with a.session() as session:
        place = Services(session, a.device_id()).places.get(ALVSJO_CENTRUM)
    assert (place.name, place.hotspot_status, place.revision) == ("Älvsjö centrum (torget)", "active", 3)


def test_receipts_local_only_then_synced_then_pending(laptops, hub_path):
    a, _b, _c = laptops
    shift = add_shift(a)
    with a.session() as session:
        assert state_of(session.get(Shift, shift.id), a.device_id()) is RecordState.LOCAL_ONLY
        assert pending_counts(session, a.device_id()) == {"shift": 1}
    run(a, hub_path)
    with a.session() as session:
        assert state_of(session.get(Shift, shift.id), a.device_id()) is RecordState.SYNCED
        assert pending_counts(session, a.device_id()) == {}
        Services(session, a.device_id()).shifts.update(shift.id, adults_met=4)
    with a.session() as session:
        assert state_of(session.get(Shift, shift.id), a.device_id()) is RecordState.PENDING


def test_a_push_cut_off_before_the_receipt_is_sent_again_without_duplicates(laptops, hub_path,
                                                                              monkeypatch):
    a, b, _c = laptops
    add_shift(a)
    from fieldapp.sync import engine

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(engine, "mark_acked", crash)
    with pytest.raises(KeyboardInterrupt):
        run(a, hub_path)
    monkeypatch.undo()
    with a.session() as session:
        assert pending_counts(session, a.device_id()) == {"shift": 1}
    # A half-written temporary file from another cut: readers never look at it.
    (bundles(hub_path)[0].parent / ".00000009.bundle.dead.tmp").write_bytes(b"{half")
    report = run(a, hub_path)
    assert report.pushed == {"shift": 1} and report.pushed_to.endswith(bundle_name(2))
    report = run(b, hub_path)
    assert report.refused == [] and report.pulled == {"shift": 1}
    with b.session() as session:
        assert len(session.scalars(select(Shift)).all()) == 1


def test_cancel_stops_between_bundles_and_the_next_sync_resumes(laptops, hub_path):
    a, b, _c = laptops
    for _n in range(3):
        add_shift(a)
        run(a, hub_path)
    checks = []

    def cancel():
        checks.append(1)
        return len(checks) > 2  # before the push, before bundle 1, then stop

    report = run(b, hub_path, cancel=cancel)
    assert report.cancelled and report.pulled == {"shift": 1}
    report = run(b, hub_path)
    assert not report.cancelled and report.pulled == {"shift": 2}
    assert snapshot(a) == snapshot(b)


def test_progress_is_reported(laptops, hub_path):
    a, b, _c = laptops
    add_shift(a)
    run(a, hub_path)
    calls = []
    run(b, hub_path, progress=lambda done, total, message: calls.append((done, total, message)))
    assert calls[-1][0] == calls[-1][1] == 1


def test_a_record_waits_for_its_parent_from_another_device(laptops, hub_path):
    a, b, c = laptops
    shift = add_shift(a)
    run(a, hub_path)
    run(b, hub_path)
    with b.session() as session:  # b logs an observation on a's shift
        Services(session, b.device_id()).observations.create(
            place_id=ALVSJO_CENTRUM, category_id=category_id(b), shift_id=shift.id,
            observed_at=utcnow() - dt.timedelta(hours=1))
    run(b, hub_path)
    # c reads b's bundle before a's (simulated: a's folder is not there yet)
    folder_a = hub_path / "devices" / str(a.device_id())
    folder_a.rename(hub_path / "aside")
    report = run(c, hub_path)
    assert report.waiting == 1 and report.pulled == {}
    (hub_path / "aside").rename(folder_a)
    report = run(c, hub_path)
    assert report.waiting == 0 and report.pulled == {"shift": 1, "observation": 1}
    with c.session() as session:
        assert session.scalars(select(Observation)).one().shift_id == shift.id


def test_wrong_key_missing_folder_and_no_key_are_clear_errors(laptops, hub_path, tmp_path):
    a, b, _c = laptops
    add_shift(a)
    run(a, hub_path)
    add_shift(b)
    before = snapshot(b)
    with pytest.raises(HubKeyError, match="key|nyckel"):
        run(b, hub_path, key=b"not-the-team-key")
    with pytest.raises(HubKeyError):
        run(b, hub_path, key=b"")
    with pytest.raises(HubError):
        run(b, tmp_path / "no-such-folder")
    assert snapshot(b) == before
    with b.session() as session:
        assert pending_counts(session, b.device_id()) == {"shift": 1}


def test_read_only_folder_is_a_clear_error(laptops, hub_path, monkeypatch):
    a, _b, _c = laptops
    add_shift(a)
    run(a, hub_path)
    add_shift(a)
    from pathlib import Path

    def refuse(self, data):
        raise PermissionError(13, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "write_bytes", refuse)
    with pytest.raises(HubError, match="hub"):
        run(a, hub_path)
    monkeypatch.undo()
    with a.session() as session:
        assert pending_counts(session, a.device_id()) == {"shift": 1}


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="file permissions do not bind root (or this OS)")
def test_read_only_folder_by_permissions(laptops, hub_path):
    a, _b, _c = laptops
    add_shift(a)
    hub_path.chmod(0o555)
    try:
        with pytest.raises(HubError):
            run(a, hub_path)
    finally:
        hub_path.chmod(0o755)


def test_every_type_round_trips(laptops, hub_path):
    a, b, _c = laptops
    now = utcnow()
    with a.session() as session:
        services = Services(session, a.device_id())
        staff = services.staff.create(initials="AL", name="Amira Lindqvist")
        place = services.places.create(name="Nya skateparken", area_id=ALVSJO, lat=59.28, lon=18.0)
        shift = services.shifts.create(kind="nattvandring", starts_at=now - dt.timedelta(hours=2),
                                       staff_ids=[staff.id], summary="Lugnt", summary_shareable=True)
        services.observations.create(place_id=place.id, category_id=category_id(a),
                                     shift_id=shift.id, observed_at=now - dt.timedelta(hours=1),
                                     details="Många unga vid rampen", details_shareable=True)
        meeting = services.meetings.create(kind="utsattningsmote", held_at=now - dt.timedelta(days=1),
                                           title="Möte", situation="Oro kvällstid",
                                           situation_shareable=True, staff_ids=[staff.id],
                                           flags=[FlaggedPlace(place.id, "Samling"),
                                                  FlaggedPlace(ALVSJO_CENTRUM, "")])
        action = services.actions.create(meeting_id=meeting.id, place_id=place.id,
                                         starts_at=now - dt.timedelta(hours=3),
                                         ends_at=now + dt.timedelta(hours=3), note="Gemensam närvaro")
        services.carried.carry_out(action.id, shift.id)
    run(a, hub_path)
    run(b, hub_path)
    assert snapshot(a) == snapshot(b)
    with b.session() as session:
        services = Services(session, b.device_id())
        got = services.meetings.get(meeting.id)
        assert [f.reason for f in got.flags] == ["Samling", ""]
        assert services.actions.get(action.id).carried_out_shift_id == shift.id


# -- many bundles in one transaction ---------------------------------------------------------

def cursor_of(database, hub_path, source) -> int | None:
    hub_id = json.loads((hub_path / "hub.json").read_text())["hub_id"]
    with database.session() as session:
        row = session.get(Setting, f"sync.cursor.{hub_id}.{source}")
        return None if row is None else int(row.value)


def shift_ids(database) -> set[str]:
    with database.session() as session:
        return {str(row.id) for row in session.scalars(select(Shift))}


def new_shift_envelopes(database, count: int) -> list[dict]:
    """Envelopes of ``count`` new shifts of ``database`` (which never syncs them itself)."""
    envelopes = []
    for _n in range(count):
        shift = add_shift(database)
        with database.session() as session:
            envelopes.append(to_envelope(session.get(Shift, shift.id)))
    return envelopes


def write_bundles(hub_path, device: uuid.UUID, bodies: list[list[dict]], first: int = 1) -> list:
    """Bundles ``first``, ``first`` + 1, … of ``device`` in the hub, as if it had pushed them
    before devices had signing keys (unsigned, checked with the team key: read as long as the
    device has no key registered). An owned record is read only from its owner's bundle."""
    folder = hub_path / "devices" / str(device)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seq, envelopes in enumerate(bodies, first):
        path = folder / bundle_name(seq)
        path.write_bytes(encode_bundle(envelopes, device_id=device, seq=seq, key=TEAM_KEY,
                                       created_at=utcnow()))
        paths.append(path)
    return paths


def place_envelopes(database) -> tuple[dict, dict]:
    """A new place, and a place this store cannot take: a new id with the key of a place
    it holds (a clash of unique keys)."""
    with database.session() as session:
        env = to_envelope(session.get(Place, ALVSJO_CENTRUM))
    fine = dict(env, id=str(uuid.uuid4()), data=dict(env["data"], key=None, name="Ny plats"))
    return fine, dict(env, id=str(uuid.uuid4()))


def test_bundles_that_cannot_be_applied_are_refused_alone_among_many(laptops, hub_path):
    a, b, _c = laptops
    shifts = new_shift_envelopes(b, 5)
    good, bad = [0, 2, 4], [1, 3]
    bodies = []
    for n, shift in enumerate(shifts):
        # A bad bundle fails after its first place was written: all of it is rolled back.
        bodies.append([*place_envelopes(b), shift] if n in bad else [shift])
    writer = b.device_id()
    paths = write_bundles(hub_path, writer, bodies)
    report = run(a, hub_path)  # the five bundles would fit in one transaction
    assert report.pulled == {"shift": 3}
    assert [r.file for r in report.refused] == [str(paths[n]) for n in bad]
    prefix = _("could not be applied: {error}").split("{")[0]
    assert all(r.reason.startswith(prefix) for r in report.refused)
    assert shift_ids(a) == {shifts[n]["id"] for n in good}
    with a.session() as session:
        for n in bad:
            assert session.get(Place, uuid.UUID(bodies[n][0]["id"])) is None
    assert cursor_of(a, hub_path, writer) == 5
    report = run(a, hub_path)  # read again while the files stay, and refused again
    assert len(report.refused) == 2 and report.pulled == {}
    assert shift_ids(a) == {shifts[n]["id"] for n in good}


def test_a_record_waits_for_a_parent_in_a_later_bundle_of_the_same_pull(laptops, hub_path):
    a, b, _c = laptops
    shift = add_shift(b)
    with b.session() as session:
        observation = Services(session, b.device_id()).observations.create(
            place_id=ALVSJO_CENTRUM, category_id=category_id(b), shift_id=shift.id,
            observed_at=utcnow() - dt.timedelta(hours=1))
        child = to_envelope(session.get(Observation, observation.id))
        parent = to_envelope(session.get(Shift, shift.id))
    write_bundles(hub_path, b.device_id(), [[child], [parent]])
    report = run(a, hub_path)
    assert report.pulled == {"observation": 1, "shift": 1} and report.waiting == 0
    with a.session() as session:
        assert session.get(Observation, observation.id).shift_id == shift.id


@pytest.mark.parametrize("commit_records, committed", [(1000, 0), (2, 2)])
def test_a_pull_cut_off_keeps_rows_and_cursor_together_and_the_next_sync_finishes(
        laptops, hub_path, monkeypatch, commit_records, committed):
    a, b, _c = laptops
    envelopes = new_shift_envelopes(b, 4)
    writer = b.device_id()
    write_bundles(hub_path, writer, [[env] for env in envelopes])
    from fieldapp.sync import pull

    monkeypatch.setattr(pull, "COMMIT_RECORDS", commit_records)
    see_devices, calls = pull.see_devices, []

    def cut(*args, **kwargs):  # runs in each bundle's savepoint
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt("power cut")
        return see_devices(*args, **kwargs)

    monkeypatch.setattr(pull, "see_devices", cut)
    with pytest.raises(KeyboardInterrupt):
        run(a, hub_path)
    monkeypatch.setattr(pull, "see_devices", see_devices)
    # Transactions of 1,000 records: nothing of the first two bundles was committed; of two
    # records: bundles 1 and 2 were, with their cursor.
    assert shift_ids(a) == {env["id"] for env in envelopes[:committed]}
    assert cursor_of(a, hub_path, writer) == (committed or None)
    report = run(a, hub_path)
    assert report.pulled == {"shift": 4 - committed} and report.refused == []
    assert shift_ids(a) == {env["id"] for env in envelopes}
    assert cursor_of(a, hub_path, writer) == 4


def test_a_hub_failing_during_the_pull_keeps_what_was_applied(laptops, hub_path):
    a, b, _c = laptops
    envelopes = new_shift_envelopes(b, 3)
    writer = b.device_id()
    write_bundles(hub_path, writer, [[env] for env in envelopes])

    class FailingHub(FolderHub):
        def batches(self, device_id, state):
            found = super().batches(device_id, state)
            yield from found[:2]
            raise HubError("the hub went away")

    with pytest.raises(HubError):
        sync(a, FailingHub(hub_path, TEAM_KEY))
    assert shift_ids(a) == {env["id"] for env in envelopes[:2]}
    assert cursor_of(a, hub_path, writer) == 2
    report = run(a, hub_path)
    assert report.pulled == {"shift": 1}
    assert shift_ids(a) == {env["id"] for env in envelopes}


# -- the batched apply writes what one-at-a-time apply writes -----------------------------------

def stored_rows(database, envelopes) -> dict[str, list[str]]:
    """Every column of the records of ``envelopes`` and of their link rows."""
    ids = {uuid.UUID(env["id"]) for env in envelopes}
    tables = [(SPECS[name].model.__table__, "id") for name in TYPE_ORDER]
    tables += [(table, table.c[0].name) for table in (shift_staff, shift_partner, shift_area,
                                                       meeting_staff, meeting_partner)]
    tables.append((MeetingFlag.__table__, "meeting_id"))
    found = {}
    with database.session() as session:
        for table, key in tables:
            rows = session.execute(select(table).where(table.c[key].in_(ids))).mappings()
            found[table.name] = sorted(repr(sorted(row.items())) for row in rows)
    return found


@pytest.mark.parametrize("older", ["before", "after"])
def test_a_batch_stores_the_same_rows_as_one_envelope_at_a_time(laptops, older):
    a, b, c = laptops
    now = utcnow()
    with a.session() as session:
        services = Services(session, a.device_id())
        staff = services.staff.create(initials="AL", name="Amira Lindqvist")
        place = services.places.create(name="Nya skateparken", area_id=ALVSJO, lat=59.28, lon=18.0)
        shift = services.shifts.create(
            kind="nattvandring", starts_at=now - dt.timedelta(hours=2), staff_ids=[staff.id],
            partner_ids=[LPO], area_ids=[ALVSJO], summary="Lugnt", summary_shareable=True,
            private_notes="Privat", youth_counts={"13-15|flicka": 3, "16-17|pojke": 0})
        first = to_envelope(session.get(Shift, shift.id))
        services.shifts.update(shift.id, adults_met=7, staff_ids=[])
        gone = services.observations.create(place_id=place.id, category_id=category_id(a),
                                            shift_id=shift.id,
                                            observed_at=now - dt.timedelta(hours=1))
        services.observations.delete(gone.id)
        services.observations.create(place_id=ALVSJO_CENTRUM, category_id=category_id(a),
                                     observed_at=now - dt.timedelta(minutes=5),
                                     details="Många unga", details_shareable=True)
        meeting = services.meetings.create(
            kind="utsattningsmote", held_at=now - dt.timedelta(days=1), title="Möte",
            situation="Oro", staff_ids=[staff.id], partner_ids=[LPO],
            flags=[FlaggedPlace(place.id, "Samling"), FlaggedPlace(ALVSJO_CENTRUM, "")])
        action = services.actions.create(meeting_id=meeting.id, place_id=place.id,
                                         starts_at=now - dt.timedelta(hours=3),
                                         ends_at=now + dt.timedelta(hours=3), note="Närvaro")
        services.carried.carry_out(action.id, shift.id)
        envelopes = pending_envelopes(session, a.device_id())
    # An older copy of the shift in the same batch, before or after the current one.
    envelopes = [first, *envelopes] if older == "before" else [*envelopes, first]

    report = SyncReport(hub="test")
    with b.session() as session:
        apply_batch(session, envelopes, b.device_id(), report)
    applied: Counter = Counter()
    with c.session() as session:
        for env in sort_for_apply(envelopes):
            if apply_envelope(session, env, c.device_id()) is Outcome.APPLIED:
                applied[env["type"]] += 1
    assert report.pulled == dict(applied)
    assert stored_rows(b, envelopes) == stored_rows(c, envelopes)
    assert snapshot(b) == snapshot(c)


# -- validation -------------------------------------------------------------------------------

def _valid_meeting_envelope(database) -> dict:
    with database.session() as session:
        meeting = Services(session, database.device_id()).meetings.create(
            kind="utsattningsmote", held_at=utcnow(), title="Möte",
            flags=[FlaggedPlace(ALVSJO_CENTRUM, "Samling")])
        return to_envelope(session.get(Meeting, meeting.id))


@pytest.mark.parametrize("change, message, what", [
    ({"id": "not-an-id"}, "{what} is not a valid id", "id"),
    ({"type": ["meeting"]}, "unknown record type \"{type}\"", None),
    ({"revision": True}, "revision must be a positive whole number", None),
    ({"updated_at": "2026-01-01T10:00:00"}, "updated_at is not a time with zone", None),
    ({"updated_at": "0001-01-01T00:00:00+01:00"}, "updated_at is not a time with zone", None),
    ({"data": {"kind": None}}, "{what} is missing", "meeting.kind"),
    ({"data": {"kind": 5}}, "{what} has the wrong type", "meeting.kind"),
    ({"data": {"held_at": "0001-01-01T00:00:00+01:00"}}, "{what} has the wrong type",
     "meeting.held_at"),
    ({"data": {"title": None}}, "{what} must be text", "meeting.title"),
    ({"data": {"staff_ids": [str(uuid.uuid4()), "x"]}}, "{what} is not a valid id",
     "meeting.staff_ids"),
    ({"data": {"flags": [{"place_id": "x", "reason": ""}]}}, "{what} is not a valid id",
     "meeting.flags.place_id"),
    ({"data": {"flags": [{"place_id": str(ALVSJO_CENTRUM)}]}}, "{what} must be a list",
     "meeting.flags"),
])
def test_a_malformed_record_is_refused_with_the_field_named(laptops, change, message, what):
    env = _valid_meeting_envelope(laptops[0])
    validate_envelope(env)
    for key, value in change.items():
        if key == "data":
            env["data"] = {**env["data"], **value}
        else:
            env[key] = value
    if what is None and "{type}" in message:
        expected = _(message).format(type=env["type"])
    else:
        expected = _(message).format(what=what)
    with pytest.raises(EnvelopeError) as error:
        validate_envelope(env)
    assert str(error.value) == expected


def test_a_pull_does_not_bring_back_what_retention_removed(laptops, hub_path, capsys):
    """A laptop that pulls everything (a new hub, a new laptop) gets the hub's whole history;
    what its retention rules (13 months) have removed goes again right after the pull, not a
    day later, and the report says how much."""
    a, b, _c = laptops
    old = add_shift(a, summary="Gammalt pass", shareable=True,
                    clock=lambda: utcnow() - dt.timedelta(days=500))
    recent = add_shift(a, summary="Nytt pass", shareable=True)
    assert run(a, hub_path).pushed == {"shift": 2}
    report = run(b, hub_path)
    assert report.pulled == {"shift": 2}
    assert report.expired == 1
    with b.session() as session:
        assert session.get(Shift, old.id) is None
        assert session.get(Shift, recent.id) is not None
    with a.session() as session:  # the owner's own copy goes by its own daily run, not ours
        assert session.get(Shift, old.id) is not None
    # Nothing new: no retention run, nothing to report.
    assert run(b, hub_path).expired == 0
