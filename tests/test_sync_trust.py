"""Who may write what in a folder hub (issue 14): per-device signing keys pinned at first
sight, owned records only from their owner's bundle, private notes never written by a
received envelope, the stretched check of the team key, and the upgrade of a hub made before
keys existed. Real SQLite files, a real hub folder, the real sync engine."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import pytest
from sqlalchemy import select

from fieldapp.i18n import _
from fieldapp.store.models import Shift
from fieldapp.store.services import Services
from fieldapp.store.services.settings import SettingsService
from fieldapp.store.types import utcnow
from fieldapp.sync import engine
from fieldapp.sync.apply import apply_envelope
from fieldapp.sync.bundle import bundle_name, encode_bundle
from fieldapp.sync.envelope import to_envelope
from fieldapp.sync.folder import FolderHub
from test_sync_support import TEAM_KEY, add_shift, snapshot

PRIVATE = "Privat: ringde mamman"


def run(database, hub_path, key=TEAM_KEY):
    return engine.sync(database, FolderHub(hub_path, key))


def signing_key(database):
    """The device's own key as the app keeps it (None in a version without keys)."""
    try:
        from fieldapp.store.services.settings import SYNC_DEVICE_KEY
        from fieldapp.sync.device_keys import load_private_key
    except ImportError:
        return None
    with database.session() as session:
        text = SettingsService(session).get(SYNC_DEVICE_KEY)
    return load_private_key(text) if text else None


def write_as(database, hub_path, envelopes) -> str:
    """A bundle written by ``database``'s device with everything it holds: the team key and
    its own signing key, as its next bundle in its own folder."""
    device = database.device_id()
    folder = hub_path / "devices" / str(device)
    seq = max([int(p.name[:8]) for p in folder.glob("*.bundle")] + [0]) + 1
    key = signing_key(database)
    extra = {"signing_key": key} if key is not None else {}
    path = folder / bundle_name(seq)
    path.write_bytes(encode_bundle(envelopes, device_id=device, seq=seq, key=TEAM_KEY,
                                   created_at=utcnow(), **extra))
    return str(path)


def shift_row(database, shift_id):
    with database.session() as session:
        row = session.get(Shift, shift_id)
        if row is not None:
            session.expunge(row)
        return row


def test_a_member_cannot_delete_another_workers_record_or_its_private_notes(laptops, hub_path):
    """Laptop A's validly signed bundle holds an envelope that names laptop V as owner, with a
    higher revision and deleted: true. Nobody applies it, V included; V's private note stays."""
    attacker, victim, colleague = laptops
    shift = add_shift(victim, private=PRIVATE)
    for database in (victim, attacker, colleague):
        run(database, hub_path)
    with attacker.session() as session:
        env = to_envelope(session.get(Shift, shift.id))
    forged = dict(env, revision=env["revision"] + 10, deleted=True,
                  updated_at=env["updated_at"], data=dict(env["data"], adults_met=0))
    honest = add_shift(attacker)  # the rest of the bundle is A's own and applies
    with attacker.session() as session:
        own = to_envelope(session.get(Shift, honest.id))
    write_as(attacker, hub_path, [forged, own])

    for database in (victim, colleague):
        report = run(database, hub_path)
        row = shift_row(database, shift.id)
        assert row.deleted_at is None and row.revision == env["revision"]
        assert row.adults_met == 2
        assert shift_row(database, honest.id) is not None
        assert [r.file for r in report.records_refused] == [f"shift {shift.id}"]
        assert str(victim.device_id()) in report.records_refused[0].reason
    assert shift_row(victim, shift.id).private_notes == PRIVATE


def test_the_owners_newer_envelope_and_tombstone_never_touch_a_private_note(laptops):
    """Apply writes only shareable columns: the owner's own envelope (newer revision, then a
    tombstone) changes the shared fields and keeps the note that never left the laptop."""
    owner = laptops[0]
    shift = add_shift(owner, private=PRIVATE)
    with owner.session() as session:
        env = to_envelope(session.get(Shift, shift.id))
    newer = dict(env, revision=env["revision"] + 1, data=dict(env["data"], adults_met=7))
    gone = dict(newer, revision=newer["revision"] + 1, deleted=True)
    with owner.session() as session:
        assert apply_envelope(session, newer, owner.device_id()).value == "applied"
    row = shift_row(owner, shift.id)
    assert (row.adults_met, row.private_notes) == (7, PRIVATE)
    with owner.session() as session:
        assert apply_envelope(session, gone, owner.device_id()).value == "applied"
    row = shift_row(owner, shift.id)
    assert row.deleted_at is not None and row.private_notes == PRIVATE


def test_a_changed_device_key_is_refused_and_reported(laptops, hub_path):
    a, b, _c = laptops
    add_shift(a)
    run(a, hub_path)
    assert run(b, hub_path).pulled == {"shift": 1}  # b pins a's key
    from fieldapp.store.services import settings as keys

    # Someone replaces a's registration with a key of their own and writes in a's name.
    (hub_path / "keys" / f"{a.device_id()}.json").unlink()
    with a.session() as session:
        settings = SettingsService(session)
        settings.delete(keys.SYNC_DEVICE_KEY)
        hub_id = json.loads((hub_path / "hub.json").read_text())["hub_id"]
        settings.delete(keys.SYNC_REGISTERED.key(hub_id))
    forged = add_shift(a)
    run(a, hub_path)  # registers the new key, pushes a bundle signed with it

    report = run(b, hub_path)
    assert report.pulled == {}
    assert shift_row(b, forged.id) is None
    (refusal,) = report.refused
    registration = str(hub_path / "keys" / f"{a.device_id()}.json")
    assert str(a.device_id()) in refusal.reason and registration in refusal.reason
    assert any(registration in notice for notice in report.notices)
    assert len(run(b, hub_path).refused) == 1  # reported again at every sync


def test_a_copy_of_the_hub_folder_does_not_allow_cheap_guessing_of_the_team_key(hub_path, laptops):
    """Time per guess against what the hub stores, done as an attacker with a copy of the
    folder would (the stored parameters, the standard library): at least 1000 times the cost
    of a guess against the old HMAC check. A measurement, not a timed pass of the app."""
    run(laptops[0], hub_path)
    info = json.loads((hub_path / "hub.json").read_text())
    hub_id, stored = info["hub_id"], info["key_check"]

    def hmac_guess(guess: bytes) -> bool:
        check = hmac.new(guess, f"faltlogg-hub:{hub_id}".encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(check, "0" * 64)

    def stored_guess(guess: bytes) -> bool:
        if isinstance(stored, str):  # the old form: one HMAC per guess
            return hmac_guess(guess)
        n, r, p = stored["n"], stored["r"], stored["p"]
        digest = hashlib.scrypt(b"faltlogg-hub:" + hub_id.encode() + b":" + guess,
                                salt=base64.b64decode(stored["salt"]), n=n, r=r, p=p,
                                maxmem=256 * r * n + 2 ** 20, dklen=32)
        return digest.hex() == stored["hash"]

    def per_guess(guess_fn, count: int) -> float:
        start = time.perf_counter()
        for n in range(count):
            guess_fn(f"guess-{n}".encode())
        return (time.perf_counter() - start) / count

    fast = per_guess(hmac_guess, 20_000)
    slow = per_guess(stored_guess, 5)
    assert slow >= 1000 * fast, (slow, fast)


def test_a_team_key_code_is_made_with_128_bits_and_a_typo_is_caught():
    from fieldapp.sync.team_key import (
        TeamKeyCodeError,
        is_made_key,
        key_bytes,
        new_team_key,
        parse_team_key,
    )

    code = new_team_key()
    assert code != new_team_key()
    groups = code.split("-")
    assert len(groups) == 7 and all(len(g) == 4 for g in groups)
    assert parse_team_key(code.lower().replace("-", " ")) == code
    assert key_bytes(code.lower()) == code.encode()
    assert is_made_key(code) and not is_made_key("vår hemliga nyckel")
    chars = code.replace("-", "")
    for pos in range(len(chars)):  # every single mistyped character is caught
        wrong = "0" if chars[pos] != "0" else "1"
        with pytest.raises(TeamKeyCodeError):
            parse_team_key(chars[:pos] + wrong + chars[pos + 1:])
    with pytest.raises(TeamKeyCodeError, match="28"):
        parse_team_key(chars[:-4])


def test_the_new_key_command_prints_a_valid_code(capsys):
    from fieldapp.cli import main
    from fieldapp.sync.team_key import parse_team_key

    assert main(["hub", "new-key"]) == 0
    out = capsys.readouterr().out
    code = next(word for word in out.split() if word.count("-") == 6)
    assert parse_team_key(code) == code


def test_a_hub_made_before_keys_upgrades_in_place(laptops, hub_path, monkeypatch):
    """Laptops V and W synced with a hub of the old format (an HMAC key check, unsigned
    bundles). V upgrades first: its key is registered, nothing is sent again; a new laptop R
    reads V's old unsigned bundle and W's (W not upgraded yet); then W upgrades. After that an
    unsigned bundle written in V's name is refused by everyone."""
    v, w, r = laptops
    hub_id = str(uuid.uuid4())
    legacy_check = hmac.new(TEAM_KEY, f"faltlogg-hub:{hub_id}".encode(), hashlib.sha256).hexdigest()
    (hub_path / "hub.json").write_text(json.dumps(
        {"format": 1, "hub_id": hub_id, "key_check": legacy_check}))

    # Today's format: no keys, unsigned bundles, the old check left as it is.
    from fieldapp.sync import folder, key_check

    with monkeypatch.context() as old:
        old.setattr(engine.trust, "prepare", lambda *args: None)
        old.setattr(folder.key_check, "check_hub_file", lambda *args: [])
        v_shift = add_shift(v, private=PRIVATE)
        w_shift = add_shift(w)
        for database in (v, w, v):
            run(database, hub_path)
    old_files = sorted(p.name for p in hub_path.glob("devices/*/*.bundle"))
    assert len(old_files) == 2
    assert all(b'"sig"' not in p.read_bytes() for p in hub_path.glob("devices/*/*.bundle"))

    report = run(v, hub_path)  # the upgrade
    assert report.pushed == {} and report.refused == []
    info = json.loads((hub_path / "hub.json").read_text())
    assert info["format"] == 2 and info["key_check"]["kdf"] == "scrypt"
    assert key_check.verify(TEAM_KEY, hub_id, info["key_check"]).matches
    assert _("The hub's check of the team key was upgraded to a form that cannot be guessed "
             "cheaply from a copy of the hub folder. Laptops with an older version of Fältlogg "
             "must be updated before they can sync again.") in report.notices
    assert (hub_path / "keys" / f"{v.device_id()}.json").is_file()

    with v.session() as session:
        Services(session, v.device_id()).shifts.update(v_shift.id, adults_met=5)
    run(v, hub_path)  # bundle 2, signed
    report = run(r, hub_path)
    assert report.refused == [] and report.records_refused == []
    assert report.pulled == {"shift": 3}  # V: revisions 1 and 2; W: 1
    assert shift_row(r, v_shift.id).adults_met == 5 and shift_row(r, w_shift.id) is not None

    report = run(w, hub_path)  # W upgrades: nothing sent again
    assert report.pushed == {} and report.refused == []
    for database in (v, r):
        run(database, hub_path)
    assert snapshot(v) == snapshot(w) == snapshot(r)
    assert shift_row(v, v_shift.id).private_notes == PRIVATE
    new_files = sorted(p.name for p in hub_path.glob("devices/*/*.bundle"))
    assert len(new_files) == 3  # V's one new bundle; nothing re-sent

    # Anyone with the team key writes an unsigned bundle in V's name: refused everywhere.
    with w.session() as session:
        env = to_envelope(session.get(Shift, v_shift.id))
    env = dict(env, revision=env["revision"] + 5, deleted=True)
    v_folder = hub_path / "devices" / str(v.device_id())
    forged = v_folder / bundle_name(3)
    forged.write_bytes(encode_bundle([env], device_id=v.device_id(), seq=3, key=TEAM_KEY,
                                     created_at=utcnow()))
    for database in (w, r):
        report = run(database, hub_path)
        assert [x.file for x in report.refused] == [str(forged)]
        assert report.refused[0].reason == _(
            "the bundle is not signed, but its device signs its bundles with its own key "
            "(written by someone else in its name)")
        with database.session() as session:
            assert session.scalar(select(Shift.deleted_at).where(Shift.id == v_shift.id)) is None
