"""`fieldapp sync`: what it prints and its exit codes (0 synced, 1 hub unusable, 2 usage,
3 something refused)."""

from __future__ import annotations

import pytest

from fieldapp.cli import main
from fieldapp.store.services import Services
from test_sync_support import TEAM_KEY, add_shift, fresh_database, snapshot


@pytest.fixture
def two(tmp_path):
    databases = [fresh_database(tmp_path, n) for n in range(2)]
    yield databases
    for database in databases:
        database.close()


@pytest.fixture
def hub(tmp_path):
    path = tmp_path / "hub"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def team_key(monkeypatch):
    monkeypatch.setenv("FIELDAPP_TEAM_KEY", TEAM_KEY.decode())


def sync(database, hub, *extra):
    return main(["--db", str(database.path), "sync", "--hub", str(hub), *extra])


def test_sync_prints_what_was_sent_and_received(two, hub, capsys):
    a, b = two
    add_shift(a)
    assert sync(a, hub) == 0
    out = capsys.readouterr().out
    assert "Skickade 1 poster" in out and "00000001.bundle" in out
    assert sync(b, hub) == 0
    out = capsys.readouterr().out
    assert "Tog emot 1 poster" in out and str(a.device_id()) in out


def test_without_a_team_key_exit_2(two, hub, monkeypatch, capsys):
    a, _b = two
    monkeypatch.delenv("FIELDAPP_TEAM_KEY")
    assert sync(a, hub) == 2
    assert "FIELDAPP_TEAM_KEY" in capsys.readouterr().err


def test_without_a_hub_exit_2(two, capsys):
    a, _b = two
    assert main(["--db", str(a.path), "sync"]) == 2
    assert "--hub" in capsys.readouterr().err


def test_the_hub_in_the_settings_is_used(two, hub):
    a, _b = two
    with a.session() as session:
        Services(session, a.device_id()).settings.set("hub_path", str(hub))
    add_shift(a)
    assert main(["--db", str(a.path), "sync"]) == 0
    assert list(hub.glob("devices/*/00000001.bundle"))


@pytest.mark.parametrize("problem", ["missing", "wrong-key", "read-only"])
def test_an_unusable_hub_exit_1_and_nothing_changes(two, hub, tmp_path, monkeypatch, capsys, problem):
    a, b = two
    add_shift(a)
    assert sync(a, hub) == 0
    add_shift(b)
    before = snapshot(b)
    target = hub
    if problem == "missing":
        target = tmp_path / "unplugged-usb-stick"
    elif problem == "wrong-key":
        monkeypatch.setenv("FIELDAPP_TEAM_KEY", "another-key")
    else:
        from pathlib import Path

        def refuse(self, data):
            raise PermissionError(13, "Read-only file system", str(self))

        monkeypatch.setattr(Path, "write_bytes", refuse)
    capsys.readouterr()
    assert sync(b, target) == 1
    assert capsys.readouterr().err.startswith("fieldapp sync:")
    monkeypatch.undo()
    assert snapshot(b) == before


def test_a_refused_bundle_exit_3_and_is_named(two, hub, capsys):
    a, b = two
    add_shift(a)
    assert sync(a, hub) == 0
    bundle = next(hub.glob("devices/*/00000001.bundle"))
    bundle.write_bytes(bundle.read_bytes()[:-20])
    capsys.readouterr()
    assert sync(b, hub) == 3
    err = capsys.readouterr().err
    assert str(bundle) in err
    assert sync(b, hub) == 3  # reported at every sync while it stays
    assert sync(a, hub) == 0  # the owner sets it aside and sends again
    assert sync(b, hub) == 0


def test_every_sync_run_leaves_an_audit_entry(two, hub, tmp_path, monkeypatch):
    from fieldapp.store.services.audit import AuditService

    a, _b = two
    add_shift(a)
    assert sync(a, hub) == 0
    monkeypatch.setenv("FIELDAPP_TEAM_KEY", "the wrong key")
    assert sync(a, hub) == 1
    with a.session() as session:
        entries = AuditService(session).list(kinds=["sync"])
    assert len(entries) == 2
    by_error = {bool(e.details.get("error")): e for e in entries}
    assert by_error[False].details["pushed"] == {"shift": 1} and by_error[False].details["refused"] == 0
    assert by_error[True].details["hub"] == str(hub)
