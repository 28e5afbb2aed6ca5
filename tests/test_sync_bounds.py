"""Issue 14, the bounds: a junk file, deep nesting, FIFOs, symlinks, oversized files, values
out of range and a pinned place are each refused with a reason; the sync goes on and honest
devices converge. Real SQLite files, a real hub folder, real files of every kind."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import tracemalloc
import uuid

import pytest
from sqlalchemy import select

from fieldapp.store.models import Place, Shift
from fieldapp.store.services import Services
from fieldapp.store.services import settings as keys
from fieldapp.store.services.settings import SettingsService
from fieldapp.store.types import utcnow
from fieldapp.sync.bundle import (
    BundleError,
    _sign,
    bundle_name,
    decode_bundle,
    encode_bundle,
    parse_bundle_name,
)
from fieldapp.sync import trust
from fieldapp.sync.engine import pending_envelopes, sync
from fieldapp.sync.envelope import canonical_json, to_envelope
from fieldapp.sync.folder import FolderHub
from fieldapp.sync.hub import HubState
from fieldapp.sync.report import SyncReport
from fieldapp.sync.safe_read import MAX_BUNDLE_BYTES, FileRefused, read_regular_file
from fieldapp.sync.validate import MAX_REVISION_STEP
from test_sync_support import ALVSJO_CENTRUM, TEAM_KEY, add_shift

GUARD_SECONDS = 60  # a regression that blocks fails the test instead of hanging the suite


def run(database, hub_path, **kwargs):
    return sync(database, FolderHub(hub_path, TEAM_KEY), **kwargs)


def guarded_run(database, hub_path):
    """Sync in a thread; fail (not hang) when it does not finish within the guard."""
    outcome: dict = {}

    def work():
        try:
            outcome["report"] = run(database, hub_path)
        except BaseException as exc:  # noqa: BLE001 - handed to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(GUARD_SECONDS)
    assert not thread.is_alive(), "the sync blocked"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["report"]


def own_folder(hub_path, database):
    return hub_path / "devices" / str(database.device_id())


def pushed_seq(database, hub_id):
    with database.session() as session:
        return SettingsService(session).get(keys.SYNC_PUSHED_SEQ.key(hub_id))


def stranger_folder(hub_path):
    folder = hub_path / "devices" / str(uuid.uuid4())
    folder.mkdir(parents=True)
    return folder


def signed_raw(header: dict, body: bytes) -> bytes:
    """A bundle signed with the team key whatever it holds (what a member with the key can
    write)."""
    header = {**header, "sha256": hashlib.sha256(body).hexdigest()}
    header["hmac"] = _sign(TEAM_KEY, header)
    return canonical_json(header) + b"\n" + body


# -- 1. a junk file in a device's own folder -------------------------------------------------

def test_a_junk_file_neither_stops_nor_renumbers_the_owners_sync(laptops, hub_path):
    a, b, _c = laptops
    first = add_shift(a)
    run(a, hub_path)
    own = own_folder(hub_path, a)
    (own / "99999999.bundle").write_bytes(b"junk")
    (own / "notes.txt").write_bytes(b"not a bundle")
    report = run(b, hub_path)  # a reader refuses the junk and still applies bundle 1
    assert report.pulled == {"shift": 1}
    assert [r.file for r in report.refused] == [str(own / "99999999.bundle")]

    second = add_shift(a)
    report = run(a, hub_path)
    assert report.repaired == []  # nothing of a's was damaged: no resend of everything
    assert report.pushed == {"shift": 1}
    assert report.pushed_to == str(own / "00000002.bundle")
    assert any("99999999.bundle" in n and "99999999.bundle.damaged" in n for n in report.notices)
    assert any("notes.txt" in n for n in report.notices)
    assert sorted(p.name for p in own.iterdir()) == [
        "00000001.bundle", "00000002.bundle", "99999999.bundle.damaged", "notes.txt"]
    assert pushed_seq(a, _hub_id(hub_path)) == 2

    report = run(b, hub_path)  # the reader's cursor did not jump past a's real bundles
    assert report.pulled == {"shift": 1} and report.refused == []
    with b.session() as session:
        assert set(session.scalars(select(Shift.id))) == {first.id, second.id}

    third = add_shift(a)  # the next sync reads only what it wrote: no loop, number 3 next
    report = guarded_run(a, hub_path)
    assert report.pushed_to == str(own / "00000003.bundle")
    run(b, hub_path)
    with b.session() as session:
        assert third.id in set(session.scalars(select(Shift.id)))


def _hub_id(hub_path):
    return json.loads((hub_path / "hub.json").read_text())["hub_id"]


def test_a_bundle_written_before_its_receipt_was_saved_is_counted_not_set_aside(laptops, hub_path):
    a, b, _c = laptops
    shift = add_shift(a)
    hub = FolderHub(hub_path, TEAM_KEY)
    hub.connect(a.device_id())
    state = HubState()
    trust.prepare(a, hub, a.device_id(), state, SyncReport(hub=hub.description))  # as sync does
    with a.session() as session:
        envelopes = pending_envelopes(session, a.device_id())
    hub.push(a.device_id(), envelopes, state)  # cut off before the receipt was saved
    report = run(a, hub_path)
    assert report.notices == [] and report.repaired == []
    assert report.pushed_to.endswith("00000002.bundle")  # unacknowledged records again
    assert pushed_seq(a, _hub_id(hub_path)) == 2
    report = run(b, hub_path)
    assert report.pulled == {"shift": 1} and report.refused == []
    with b.session() as session:
        assert list(session.scalars(select(Shift.id))) == [shift.id]


def test_bundle_names_are_eight_digits_within_range():
    assert bundle_name(1) == "00000001.bundle"
    assert parse_bundle_name("99999999.bundle") == 99_999_999
    for name in ("100000000.bundle", "00000000.bundle", "0000001.bundle", "１２３４５６７８.bundle",
                 "00000001.bundle.damaged", "00000001.bundlex"):
        assert parse_bundle_name(name) is None


# -- 2. decoding never crashes the sync -------------------------------------------------------

def test_two_thousand_nested_arrays_refuse_one_bundle(laptops, hub_path):
    a, b, _c = laptops
    add_shift(a)
    run(a, hub_path)
    folder = stranger_folder(hub_path)
    (folder / bundle_name(1)).write_bytes(b"[" * 2000 + b"]" * 2000 + b"\n[]")
    device = uuid.UUID(folder.name)
    deep_body = b"[" * 100_000 + b"]" * 100_000
    (folder / bundle_name(2)).write_bytes(signed_raw(
        {"format": 1, "device": str(device), "seq": 2, "count": 1,
         "created_at": "2025-01-01T00:00:00.000000Z"}, deep_body))
    report = guarded_run(b, hub_path)
    assert report.pulled == {"shift": 1}
    reasons = {r.file: r.reason for r in report.refused}
    assert set(reasons) == {str(folder / bundle_name(1)), str(folder / bundle_name(2))}
    assert all(reasons.values())


@pytest.mark.parametrize("change", ["revision", "header_time", "updated_at", "seq"])
def test_values_out_of_range_refuse_the_bundle_and_the_sync_goes_on(laptops, hub_path, change):
    a, b, _c = laptops
    add_shift(a)
    run(a, hub_path)
    folder = stranger_folder(hub_path)
    device = uuid.UUID(folder.name)
    with b.session() as session:
        env = to_envelope(session.get(Place, ALVSJO_CENTRUM))
    env = {**env, "device_id": str(device), "revision": 5}
    header = {"format": 1, "device": str(device), "seq": 1, "count": 1,
              "created_at": "2025-01-01T00:00:00.000000Z"}
    if change == "revision":
        env["revision"] = 2**64
    elif change == "header_time":
        header["created_at"] = "0001-01-01T00:00:00+05:00"
    elif change == "updated_at":
        env["updated_at"] = "0001-01-01T00:00:00+05:00"
    else:
        header["seq"] = 2**64
    (folder / bundle_name(1)).write_bytes(signed_raw(header, canonical_json([env])))
    report = guarded_run(b, hub_path)
    assert report.pulled == {"shift": 1}
    assert [r.file for r in report.refused] == [str(folder / bundle_name(1))]
    with b.session() as session:
        assert session.get(Place, ALVSJO_CENTRUM).revision == 1


# -- 3. the reader opens only regular files of bounded size -----------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")
@pytest.mark.parametrize("kind", ["fifo", "symlink to fifo", "symlink to /dev/zero", "device"])
def test_fifos_symlinks_and_devices_are_refused_without_blocking(laptops, hub_path, tmp_path, kind):
    a, b, _c = laptops
    add_shift(a)
    run(a, hub_path)
    folder = stranger_folder(hub_path)
    path = folder / bundle_name(1)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink to fifo":
        os.mkfifo(tmp_path / "pipe")
        path.symlink_to(tmp_path / "pipe")
    elif kind == "symlink to /dev/zero":
        path.symlink_to("/dev/zero")
    else:
        if not os.path.exists("/dev/zero"):
            pytest.skip("no /dev/zero")
        try:
            os.mknod(path, 0o600 | 0o020000, os.stat("/dev/zero").st_rdev)
        except PermissionError:
            pytest.skip("making a device file needs root")
    report = guarded_run(b, hub_path)
    assert report.pulled == {"shift": 1}
    assert [r.file for r in report.refused] == [str(path)]
    assert "not a regular file" in report.refused[0].reason or "inte en vanlig fil" in \
        report.refused[0].reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")
def test_hub_json_as_a_fifo_does_not_block_the_sync(laptops, hub_path):
    a, _b, _c = laptops
    os.mkfifo(hub_path / "hub.json")
    from fieldapp.sync.hub import HubError

    outcome = {}

    def work():
        try:
            run(a, hub_path)
        except HubError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(GUARD_SECONDS)
    assert not thread.is_alive(), "the sync blocked on hub.json"
    assert "hub.json" in str(outcome["error"])


def test_an_oversized_file_is_refused_without_being_read(laptops, hub_path):
    a, b, _c = laptops
    add_shift(a)
    run(a, hub_path)
    folder = stranger_folder(hub_path)
    path = folder / bundle_name(1)
    with open(path, "wb") as handle:  # 300 MB, sparse: no disk space taken
        handle.truncate(300 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(FileRefused):
            read_regular_file(path)
        report = guarded_run(b, hub_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 1024 * 1024
    assert report.pulled == {"shift": 1}
    assert [r.file for r in report.refused] == [str(path)]
    assert "64 MB" in report.refused[0].reason


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path):
    path = tmp_path / "growing"
    path.write_bytes(b"x" * 10)
    assert read_regular_file(path, limit=10) == b"x" * 10
    path.write_bytes(b"x" * 11)
    with pytest.raises(FileRefused):
        read_regular_file(path, limit=10)


def test_a_push_larger_than_the_limit_is_split_into_bundles_a_reader_accepts(
        laptops, hub_path, monkeypatch):
    a, b, _c = laptops
    ids = {add_shift(a).id for _n in range(6)}
    with a.session() as session:
        one = len(canonical_json(pending_envelopes(session, a.device_id())[:1]))
    # A limit that holds about two records: the same code path as 64 MB and a huge push.
    monkeypatch.setattr("fieldapp.sync.folder.MAX_BUNDLE_BYTES", one * 2 + 400)
    report = run(a, hub_path)
    assert report.pushed == {"shift": 6}
    names = sorted(p.name for p in own_folder(hub_path, a).iterdir())
    assert len(names) >= 3 and names[0] == "00000001.bundle"
    assert report.pushed_to.endswith(names[-1])
    assert pushed_seq(a, _hub_id(hub_path)) == len(names)
    assert MAX_BUNDLE_BYTES == 64 * 1024 * 1024
    report = run(b, hub_path)
    assert report.pulled == {"shift": 6} and report.refused == []
    with b.session() as session:
        assert set(session.scalars(select(Shift.id))) == ids


# -- revisions and times: a place cannot be pinned --------------------------------------------

def place_bundle(hub_path, database, versions):
    """A member's bundle that holds ALVSJO_CENTRUM at each (revision, updated_at) given."""
    folder = stranger_folder(hub_path)
    device = uuid.UUID(folder.name)
    with database.session() as session:
        base = to_envelope(session.get(Place, ALVSJO_CENTRUM))
    envelopes = []
    for revision, updated_at in versions:
        envelopes.append({**base, "device_id": str(device), "revision": revision,
                          "updated_at": updated_at,
                          "data": {**base["data"], "name": f"Pinned {revision}"}})
    raw = encode_bundle(envelopes, device_id=device, seq=1, key=TEAM_KEY, created_at=utcnow())
    (folder / bundle_name(1)).write_bytes(raw)
    return folder / bundle_name(1)


def place_name(database):
    with database.session() as session:
        row = session.get(Place, ALVSJO_CENTRUM)
        return row.name, row.revision


def test_a_place_pinned_at_revision_2_62_is_refused(laptops, hub_path):
    _a, b, c = laptops
    path = place_bundle(hub_path, b, [(2**62, "9999-12-31T00:00:00.000000Z")])
    report = run(b, hub_path)
    assert [r.file for r in report.refused] == [str(path)]
    assert place_name(b)[1] == 1


def test_a_place_dated_in_the_far_future_is_refused_and_honest_edits_win(laptops, hub_path):
    _a, b, c = laptops
    place_bundle(hub_path, b, [(2, "9999-12-31T00:00:00.000000Z")])
    report = run(b, hub_path)
    assert report.refused == []
    assert len(report.records_refused) == 1 and "9999" in report.records_refused[0].reason
    assert place_name(b) != ("Pinned 2", 2)
    with b.session() as session:
        Services(session, b.device_id()).places.update(ALVSJO_CENTRUM, name="Ärlig ändring")
    run(b, hub_path)
    run(c, hub_path)
    assert place_name(c) == ("Ärlig ändring", 2)


def test_a_revision_climbs_at_most_a_step_and_honest_edits_win_on_every_device(laptops, hub_path):
    _a, b, c = laptops
    step = MAX_REVISION_STEP
    now = utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    too_far = place_bundle(hub_path, b, [(10 * step, now)])  # read again every sync: never near
    twice = place_bundle(hub_path, b, [(2, now), (3, now)])  # one bundle cannot climb twice
    report = run(b, hub_path)
    assert {r.file for r in report.refused} == {str(too_far), str(twice)}
    assert any(str(step) in r.reason for r in report.refused)
    assert place_name(b)[1] == 1
    within = place_bundle(hub_path, b, [(1 + step, now)])
    report = run(b, hub_path)
    assert place_name(b) == (f"Pinned {1 + step}", 1 + step)
    with b.session() as session:  # an honest edit after it
        Services(session, b.device_id()).places.update(ALVSJO_CENTRUM, name="Ärlig ändring")
    run(b, hub_path)
    # c may read b's edit (2 + step) before the bundle that made the step: refused then, it
    # is read again at the next sync and wins; every device ends the same.
    run(c, hub_path)
    run(c, hub_path)
    assert place_name(c) == ("Ärlig ändring", 2 + step) == place_name(b)
    assert within.exists()


def test_decode_refuses_a_header_seq_or_time_out_of_range():
    device = uuid.uuid4()
    body = canonical_json([])
    for change in ({"seq": 2**64}, {"seq": 0}, {"created_at": "0001-01-01T00:00:00+05:00"},
                   {"created_at": 5}):
        header = {"format": 1, "device": str(device), "seq": 1, "count": 0,
                  "created_at": "2025-01-01T00:00:00.000000Z", **change}
        with pytest.raises(BundleError):
            decode_bundle(signed_raw(header, body), TEAM_KEY)


@pytest.mark.parametrize("names, cursor, new, cursor_after", [
    ((1, 2, 3), 3, [], 3),  # idle: the cursor's own bundle is there
    ((1, 2, 3, 4, 5), 3, [4, 5], 3),  # two new bundles
    ((1, 2, 3), 5, [], 3),  # past every bundle (its last ones set aside): back to the last
    ((1, 2, 3, 7), 5, [7], 5),  # past the old ones but a newer one is there
    ((), 4, [], 0),  # the folder emptied
])
def test_a_folders_new_bundles_are_found_from_its_cursor(tmp_path, names, cursor, new,
                                                         cursor_after):
    """The folder hub lists a device's bundles above this device's cursor, and a cursor past
    every bundle there moves back to the last one (it compares names up to the cursor's own
    and reads them as numbers only when that bundle is gone)."""
    source = uuid.uuid4()
    folder = tmp_path / "hub" / "devices" / str(source)
    folder.mkdir(parents=True)
    for seq in names:
        (folder / bundle_name(seq)).write_bytes(b"")
    (folder / "notes.txt").write_text("not a bundle")
    hub = FolderHub(tmp_path / "hub", TEAM_KEY)
    state = HubState(cursors={str(source): cursor})
    found = hub.batches(uuid.uuid4(), state)
    assert [b.seq for b in found] == new
    assert state.cursors[str(source)] == cursor_after
