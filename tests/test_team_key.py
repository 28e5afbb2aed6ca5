"""The team key comes from FIELDAPP_TEAM_KEY or the OS keyring, never the data file; a key an
older version stored in the file is moved out once, with a message (fieldapp.sync.team_key)."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from fieldapp.cli import main
from fieldapp.domain.validation import ValidationError
from fieldapp.store import secrets
from fieldapp.store.models import Setting
from fieldapp.store.services.settings import LEGACY_TEAM_KEY, SettingsService
from fieldapp.sync.team_key import team_key
from test_sync_support import TEAM_KEY, add_shift, fresh_database


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps its entries in memory (for tests)."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


@pytest.fixture
def use_keyring():
    original = keyring.get_keyring()

    def use(backend):
        keyring.set_keyring(backend)
        return backend
    yield use
    keyring.set_keyring(original)


@pytest.fixture
def old_file(tmp_path, monkeypatch):
    """A data file in which an older version stored the team key; no FIELDAPP_TEAM_KEY."""
    monkeypatch.delenv("FIELDAPP_TEAM_KEY", raising=False)
    database = fresh_database(tmp_path, 0)
    with database.session() as session:
        session.add(Setting(key=LEGACY_TEAM_KEY.name, value=TEAM_KEY.decode()))
    add_shift(database)
    yield database
    database.close()


@pytest.fixture
def hub(tmp_path):
    path = tmp_path / "hub"
    path.mkdir()
    return path


def stored_key(database) -> object:
    with database.session() as session:
        row = session.get(Setting, LEGACY_TEAM_KEY.name)
        return None if row is None else row.value


def sync(database, hub) -> int:
    return main(["--db", str(database.path), "sync", "--hub", str(hub)])


def test_with_a_keyring_the_key_moves_there_and_the_sync_says_so_once(
        old_file, hub, use_keyring, capsys):
    ring = use_keyring(MemoryKeyring())
    assert sync(old_file, hub) == 0
    err = capsys.readouterr().err
    assert "flyttats till datorns nyckelring" in err
    assert stored_key(old_file) is None
    assert ring.entries[(secrets.SERVICE, f"default:{secrets.TEAM_KEY}")] == TEAM_KEY.decode()
    assert sync(old_file, hub) == 0  # the key now comes from the keyring; no message again
    assert "nyckelring" not in capsys.readouterr().err


def test_a_different_key_in_the_keyring_wins_and_the_files_key_goes(old_file, use_keyring):
    ring = use_keyring(MemoryKeyring())
    ring.set_password(secrets.SERVICE, f"default:{secrets.TEAM_KEY}", "the-keyrings-key")
    with old_file.session() as session:
        assert team_key(session) == b"the-keyrings-key"
    assert stored_key(old_file) is None
    with old_file.session() as session:
        from fieldapp.sync.state import take_notices

        (notice,) = take_notices(session)
    assert "nyckelringens nyckel behålls" in notice


def test_without_a_keyring_the_key_is_deleted_and_the_user_told_to_use_the_environment(
        old_file, hub, use_keyring, capsys, monkeypatch):
    use_keyring(fail.Keyring())
    assert secrets.keyring_name() is None
    assert sync(old_file, hub) == 2  # no key any more: a usage error, as for any missing key
    err = capsys.readouterr().err
    assert "har tagits bort ur filen" in err and "FIELDAPP_TEAM_KEY" in err
    assert stored_key(old_file) is None
    assert sync(old_file, hub) == 2
    assert "har tagits bort ur filen" not in capsys.readouterr().err  # said once
    monkeypatch.setenv("FIELDAPP_TEAM_KEY", TEAM_KEY.decode())
    assert sync(old_file, hub) == 0


def test_the_key_is_never_read_from_the_file(old_file, use_keyring):
    use_keyring(fail.Keyring())
    with old_file.session() as session:
        assert team_key(session) == b""
    with old_file.session() as session:
        assert team_key(session, environ={"FIELDAPP_TEAM_KEY": "from-env"}) == b"from-env"


def test_the_settings_refuse_to_store_a_team_key(old_file):
    with old_file.session() as session, pytest.raises(ValidationError) as info:
        SettingsService(session).set("team_key", "secret")
    assert [e.field for e in info.value.errors] == ["key"]
