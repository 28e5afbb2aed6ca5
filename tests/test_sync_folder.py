"""Sync through a shared folder: two or three laptops (real SQLite files), a real hub folder."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid

import pytest
from sqlalchemy import select

from fieldapp.domain.records import FlaggedPlace
from fieldapp.store.models import Device, Observation, Setting, Shift
from fieldapp.store.services import ReadOnlyError, Services
from fieldapp.store.types import utcnow
from fieldapp.sync.bundle import BundleError, bundle_name, decode_bundle, encode_bundle
from fieldapp.sync.engine import sync
from fieldapp.sync.envelope import apply_envelope, to_envelope
from fieldapp.sync.folder import FolderHub
from fieldapp.sync.hub import HubError, HubKeyError
from fieldapp.sync.receipts import RecordState, pending_counts, state_of
from test_sync_support import (
    ALVSJO,
    ALVSJO_CENTRUM,
    TEAM_KEY,
    add_shift,
    category_id,
    fresh_database,
    snapshot,
)


@pytest.fixture
def hub_path(tmp_path):
    path = tmp_path / "hub"
    path.mkdir()
    return path


@pytest.fixture
def laptops(tmp_path):
    databases = [fresh_database(tmp_path, n) for n in range(3)]
    yield databases
    for database in databases:
        database.close()


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
        services.meetings.create(kind="utsattningsmote", held_at=utcnow() - dt.timedelta(days=1),
                                 title="Utsättningsmöte", situation=secrets[5],
                                 flags=[FlaggedPlace(ALVSJO_CENTRUM, secrets[3])])
        # Text shared by mistake without the service's check: the envelope still drops it.
        row = session.get(Shift, running.id)
        row.summary, row.summary_shareable = secrets[3], True
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
        services.actions.mark_done(action.id, shift.id)
    run(a, hub_path)
    run(b, hub_path)
    assert snapshot(a) == snapshot(b)
    with b.session() as session:
        services = Services(session, b.device_id())
        got = services.meetings.get(meeting.id)
        assert [f.reason for f in got.flags] == ["Samling", ""]
        assert services.actions.get(action.id).carried_out_shift_id == shift.id
