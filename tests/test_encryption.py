"""Encryption at rest (SQLCipher): nothing readable in the file or its WAL, a wrong
passphrase refused and the file untouched, plain files converted row by row, encrypted
backups, the command line's passphrase rule, and secrets kept out of the data file."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from fieldapp.cli import main
from fieldapp.domain.ids import reference_id
from fieldapp.store import encryption, migrate, secrets
from fieldapp.store.database import (
    NotEncryptedError,
    PassphraseError,
    PassphraseRequiredError,
    inspect_file,
    make_engine,
    open_database,
)
from fieldapp.store.services import Services

PASSPHRASE = "korrekt häst batteri"
SECRET = "Hemlig anteckning om Kalle på Solberga 4711"
NOW = dt.datetime(2024, 11, 22, 18, 0, tzinfo=dt.timezone.utc)
PLACE = reference_id("place", "alvsjo-centrum")
CATEGORY = reference_id("category", "narkotikaforsaljning")


def _write_records(database) -> None:
    with database.session() as session:
        services = Services(session, database.device_id(), lambda: NOW)
        shift = services.shifts.create(kind="nattvandring", starts_at=NOW - dt.timedelta(hours=1),
                                       private_notes=SECRET, summary="Lugn kväll")
        services.observations.create(place_id=PLACE, category_id=CATEGORY, shift_id=shift.id,
                                     observed_at=NOW - dt.timedelta(minutes=30),
                                     details=SECRET + " (detaljer)")


def _plain_readable(path) -> bool:
    con = sqlite3.connect(path)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        con.close()


def test_the_file_and_its_wal_hold_no_byte_of_a_private_note(tmp_path):
    path = tmp_path / "faltlogg.sqlite"
    database = open_database(path, PASSPHRASE)
    try:
        assert database.encrypted
        _write_records(database)
        wal = path.with_name(path.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0  # the write is in the WAL right now
        needles = [SECRET.encode("utf-8"), SECRET.encode("utf-16-le"), b"Solberga", b"Kalle"]
        for file in (path, wal):
            data = file.read_bytes()
            assert not any(needle in data for needle in needles), file
        assert not path.read_bytes().startswith(encryption.SQLITE_HEADER)
    finally:
        database.close()
    assert SECRET.encode() not in path.read_bytes()
    assert not _plain_readable(path)
    # ... and with the passphrase everything is there.
    database = open_database(path, PASSPHRASE)
    try:
        with database.session() as session:
            shifts = Services(session, database.device_id()).shifts.list()
        assert [s.private_notes for s in shifts] == [SECRET]
    finally:
        database.close()


def test_a_wrong_or_missing_passphrase_is_refused_and_the_file_left_alone(tmp_path):
    path = tmp_path / "faltlogg.sqlite"
    open_database(path, PASSPHRASE).close()
    before = path.read_bytes()
    with pytest.raises(PassphraseError, match="Lösenfrasen för .* är fel"):
        open_database(path, "fel lösenfras")
    with pytest.raises(PassphraseRequiredError, match="FIELDAPP_PASSPHRASE") as missing:
        open_database(path)
    assert "inte en Fältlogg-databas" not in str(missing.value)
    assert "krypterad" in str(missing.value)
    with pytest.raises(PassphraseRequiredError):
        inspect_file(path)
    assert inspect_file(path, PASSPHRASE).encrypted
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))] == \
        ["faltlogg.sqlite"]


def test_the_passphrase_from_the_environment_opens_an_encrypted_file(tmp_path, monkeypatch):
    path = tmp_path / "faltlogg.sqlite"
    open_database(path, PASSPHRASE).close()
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    database = open_database(path)  # the sync and other commands open it this way
    assert database.encrypted
    database.close()


def _dump(con) -> dict[str, list]:
    tables = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"'))) for t in tables}


def test_a_plain_file_is_converted_row_by_row_and_the_plain_file_removed(tmp_path):
    path = tmp_path / "faltlogg.sqlite"
    database = open_database(path)
    _write_records(database)
    database.close()
    backup = tmp_path / "backups" / "faltlogg.0002.20241101-120000-000000.sqlite"
    backup.parent.mkdir()
    source = sqlite3.connect(path)
    dest = sqlite3.connect(backup)
    source.backup(dest)
    dest.close()
    before = _dump(source)
    source.close()
    assert sum(len(rows) for rows in before.values()) > 50

    with pytest.raises(NotEncryptedError):
        open_database(path, PASSPHRASE)  # not without being asked
    assert _plain_readable(path)

    database = open_database(path, PASSPHRASE, convert_plain=True)
    try:
        assert database.encrypted
        assert database.conversion is not None
        assert database.conversion.rows == {t: len(rows) for t, rows in before.items()}
        assert database.conversion.backups == [backup]
    finally:
        database.close()
    # Every table, row by row, as it was.
    con = encryption.open_verified(path, PASSPHRASE)
    try:
        assert _dump(con) == before
    finally:
        con.close()
    # The plain file is gone: no header, no text, no leftovers beside it.
    assert not _plain_readable(path)
    assert SECRET.encode() not in path.read_bytes()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert [n for n in names if not n.endswith(("-wal", "-shm"))] == ["backups", "faltlogg.sqlite"]
    for name in names:  # the encrypted file's own WAL, if a reader left one: no plain text
        if (tmp_path / name).is_file():
            assert SECRET.encode() not in (tmp_path / name).read_bytes()
    assert not _plain_readable(backup) and SECRET.encode() not in backup.read_bytes()
    assert encryption.verify_passphrase(backup, PASSPHRASE)


def test_a_conversion_cut_off_between_the_renames_puts_the_plain_file_back(tmp_path):
    path = tmp_path / "faltlogg.sqlite"
    open_database(path).close()
    path.rename(path.with_name(path.name + encryption.PLAIN_OLD_SUFFIX))
    database = open_database(path)
    assert database.revision() == migrate.head_revision()
    database.close()
    assert _plain_readable(path)


NEW_PASSPHRASE = "blå cykel under bron"


def _encrypted_with_backup(tmp_path):
    path = tmp_path / "faltlogg.sqlite"
    database = open_database(path, PASSPHRASE)
    _write_records(database)
    database.close()
    backup = tmp_path / "backups" / "faltlogg.0004.20241122-180000-000000.sqlite"
    backup.parent.mkdir()
    encryption.backup_encrypted(path, PASSPHRASE, backup)
    return path, backup


def test_a_new_passphrase_opens_the_file_and_its_backups_and_the_old_one_nothing(tmp_path):
    path, backup = _encrypted_with_backup(tmp_path)
    con = encryption.open_verified(path, PASSPHRASE)
    before = _dump(con)
    con.close()
    other = tmp_path / "backups" / "faltlogg.0004.20241101-180000-000000.sqlite"
    encryption.backup_encrypted(path, PASSPHRASE, other)
    foreign_key = "en helt annan fras"
    foreign = tmp_path / "backups" / "faltlogg.0004.20241001-180000-000000.sqlite"
    con = encryption.open_verified(path, PASSPHRASE, readonly=False)
    con.execute("ATTACH DATABASE ? AS f KEY ?", (str(foreign), foreign_key))
    con.execute("SELECT sqlcipher_export('f')")
    con.execute("DETACH DATABASE f")
    con.close()

    result = encryption.change_passphrase(path, PASSPHRASE, NEW_PASSPHRASE)

    assert result.rows == {t: len(rows) for t, rows in before.items()}
    assert sorted(result.backups) == sorted([backup, other])
    for file in (path, backup, other):
        assert not encryption.verify_passphrase(file, PASSPHRASE)
        assert encryption.verify_passphrase(file, NEW_PASSPHRASE)
        assert SECRET.encode() not in file.read_bytes()
    assert encryption.verify_passphrase(foreign, foreign_key)  # not ours to change
    con = encryption.open_verified(path, NEW_PASSPHRASE)
    assert _dump(con) == before
    con.close()
    database = open_database(path, NEW_PASSPHRASE)  # the app opens it, at the same revision
    assert database.revision() == migrate.head_revision()
    database.close()
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(
        (encryption.REKEYING_SUFFIX, encryption.OLD_KEY_SUFFIX))]
    assert leftovers == []


def _plain_backup(path, name):
    backup = path.parent / "backups" / name
    backup.parent.mkdir(exist_ok=True)
    source, copy = sqlite3.connect(path), sqlite3.connect(backup)
    source.backup(copy)
    copy.close()
    source.close()
    return backup


def test_another_data_files_backups_in_the_same_folder_are_left_alone(tmp_path):
    """Two data files in one folder share its backups/ folder: encrypting one, or changing
    its passphrase, touches only its own backups, even when the same passphrase opens both."""
    ours, other = tmp_path / "faltlogg.sqlite", tmp_path / "faltlogg-prov.sqlite"
    for path in (ours, other):
        open_database(path).close()
    our_backup = _plain_backup(ours, "faltlogg.0004.20241122-180000-000000.sqlite")
    other_backup = _plain_backup(other, "faltlogg-prov.0004.20241122-180000-000000.sqlite")

    database = open_database(ours, PASSPHRASE, convert_plain=True)
    assert database.conversion.backups == [our_backup]
    database.close()
    assert other_backup.read_bytes().startswith(encryption.SQLITE_HEADER)  # still plain

    database = open_database(other, PASSPHRASE, convert_plain=True)  # same passphrase
    assert database.conversion.backups == [other_backup]
    database.close()
    result = encryption.change_passphrase(ours, PASSPHRASE, NEW_PASSPHRASE)
    assert result.backups == [our_backup]
    assert encryption.verify_passphrase(our_backup, NEW_PASSPHRASE)
    assert encryption.verify_passphrase(other_backup, PASSPHRASE)  # not ours to change


def test_a_wrong_current_passphrase_changes_nothing(tmp_path):
    path, backup = _encrypted_with_backup(tmp_path)
    before = path.read_bytes(), backup.read_bytes()
    with pytest.raises(PassphraseError):
        encryption.change_passphrase(path, "fel fras helt och hållet", NEW_PASSPHRASE)
    assert (path.read_bytes(), backup.read_bytes()) == before


def test_a_failed_export_leaves_the_file_with_its_old_passphrase(tmp_path, monkeypatch):
    path, _backup = _encrypted_with_backup(tmp_path)

    def broken(plain, encrypted):
        raise ValueError("table shift differs at row 1")

    monkeypatch.setattr(encryption, "compare_every_row", broken)
    with pytest.raises(ValueError):
        encryption.change_passphrase(path, PASSPHRASE, NEW_PASSPHRASE)
    assert encryption.verify_passphrase(path, PASSPHRASE)
    assert not path.with_name(path.name + encryption.REKEYING_SUFFIX).exists()


def test_a_passphrase_change_cut_off_between_the_renames_puts_the_file_back(tmp_path):
    path, _backup = _encrypted_with_backup(tmp_path)
    path.rename(path.with_name(path.name + encryption.OLD_KEY_SUFFIX))
    path.with_name(path.name + encryption.REKEYING_SUFFIX).write_bytes(b"half")
    database = open_database(path, PASSPHRASE)
    assert database.revision() == migrate.head_revision()
    database.close()
    assert not path.with_name(path.name + encryption.REKEYING_SUFFIX).exists()


def test_an_old_file_left_after_the_swap_is_overwritten_at_the_next_open(tmp_path):
    """A crash after the new file took its place but before the old one was overwritten:
    the old copy (plain, or with the old passphrase) is removed at the next open."""
    path, _backup = _encrypted_with_backup(tmp_path)
    for suffix in (encryption.PLAIN_OLD_SUFFIX, encryption.OLD_KEY_SUFFIX):
        path.with_name(path.name + suffix).write_bytes(SECRET.encode())
    database = open_database(path, PASSPHRASE)
    database.close()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) \
        == ["backups", "faltlogg.sqlite"]


def test_the_backup_before_an_upgrade_stays_encrypted(tmp_path):
    path = tmp_path / "faltlogg.sqlite"
    engine = make_engine(path, PASSPHRASE)
    migrate.upgrade(engine, migrate.known_revisions()[0])
    engine.dispose()
    database = open_database(path, PASSPHRASE, load_reference=False)
    try:
        assert database.revision() == migrate.head_revision()
        backup = database.backup_path
    finally:
        database.close()
    assert backup is not None and backup.exists()
    assert not _plain_readable(backup)
    con = encryption.open_verified(backup, PASSPHRASE)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == \
            migrate.known_revisions()[0]
    finally:
        con.close()


def test_a_plain_database_still_opens_as_before(db_path):
    database = open_database(db_path)
    assert not database.encrypted
    database.close()
    assert _plain_readable(db_path)


# -- the command line -----------------------------------------------------------------------

def test_cli_with_fieldapp_passphrase_makes_an_encrypted_demo_database(tmp_path, monkeypatch,
                                                                        capsys):
    path = tmp_path / "demo.sqlite"
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    assert main(["--db", str(path), "demo", "--weeks", "1"]) == 0
    assert "okrypterad" not in capsys.readouterr().err
    assert not path.read_bytes().startswith(encryption.SQLITE_HEADER)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT * FROM shift").fetchall()
    for sidecar in ("-wal", "-shm"):
        extra = path.with_name(path.name + sidecar)
        assert not extra.exists() or b"nattvandring" not in extra.read_bytes()
    assert main(["--db", str(path), "db", "status", "--json"]) == 0
    assert '"shifts"' in capsys.readouterr().out

    # Without the passphrase (no terminal): exit 1 and a message naming the variable.
    monkeypatch.delenv("FIELDAPP_PASSPHRASE")
    before = path.read_bytes()
    assert main(["--db", str(path), "db", "status"]) == 1
    err = capsys.readouterr().err
    assert "FIELDAPP_PASSPHRASE" in err and "krypterad" in err
    assert path.read_bytes() == before


def test_cli_changes_the_passphrase_of_the_file_and_its_backups(tmp_path, monkeypatch, capsys):
    path, backup = _encrypted_with_backup(tmp_path)
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    # No new passphrase given and no terminal: a usage error, nothing changed.
    before = path.read_bytes(), backup.read_bytes()
    assert main(["--db", str(path), "db", "passphrase"]) == 2
    assert "FIELDAPP_NEW_PASSPHRASE" in capsys.readouterr().err
    monkeypatch.setenv("FIELDAPP_NEW_PASSPHRASE", "kort")
    assert main(["--db", str(path), "db", "passphrase"]) == 2
    assert "minst 8 tecken" in capsys.readouterr().err
    monkeypatch.setenv("FIELDAPP_NEW_PASSPHRASE", PASSPHRASE)
    assert main(["--db", str(path), "db", "passphrase"]) == 2
    assert "samma som den nuvarande" in capsys.readouterr().err
    assert (path.read_bytes(), backup.read_bytes()) == before

    monkeypatch.setenv("FIELDAPP_NEW_PASSPHRASE", NEW_PASSPHRASE)
    assert main(["--db", str(path), "db", "passphrase"]) == 0
    assert "1 säkerhetskopior" in capsys.readouterr().out
    for file in (path, backup):
        assert encryption.verify_passphrase(file, NEW_PASSPHRASE)
        assert not encryption.verify_passphrase(file, PASSPHRASE)
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", NEW_PASSPHRASE)
    assert main(["--db", str(path), "db", "log"]) == 0
    assert "passphrase" in capsys.readouterr().out
    # A plain file has no passphrase to change.
    plain = tmp_path / "plain.sqlite"
    open_database(plain).close()
    assert main(["--db", str(plain), "db", "passphrase"]) == 1
    assert "ingen krypterad datafil" in capsys.readouterr().err


def test_cli_without_a_passphrase_makes_a_plain_file_with_a_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("FIELDAPP_PASSPHRASE", raising=False)
    path = tmp_path / "plain.sqlite"
    assert main(["--db", str(path), "demo", "--weeks", "1"]) == 0
    err = capsys.readouterr().err
    assert "okrypterad" in err and "FIELDAPP_PASSPHRASE" in err
    assert _plain_readable(path)
    # Later with the passphrase set: the plain file is converted.
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    assert main(["--db", str(path), "db", "upgrade"]) == 0
    assert "krypterad fil" in capsys.readouterr().err
    assert not _plain_readable(path)


def test_cli_asks_on_a_terminal_twice_for_a_new_file(tmp_path, monkeypatch, capsys):
    from fieldapp.cli import terminal

    monkeypatch.delenv("FIELDAPP_PASSPHRASE", raising=False)
    answers = iter(["kort", "kort", PASSPHRASE, PASSPHRASE, "fel fras!", PASSPHRASE])
    monkeypatch.setattr(terminal, "stdin_is_tty", lambda: True)
    monkeypatch.setattr(terminal, "_ask", lambda prompt: next(answers))
    path = tmp_path / "ny.sqlite"
    assert main(["--db", str(path), "db", "upgrade"]) == 0
    err = capsys.readouterr().err
    assert "minst 8 tecken" in err and "bakdörr" in err
    assert not _plain_readable(path)
    assert main(["--db", str(path), "db", "status"]) == 0  # wrong once, then right
    assert "Fel lösenfras." in capsys.readouterr().err


# -- secrets ------------------------------------------------------------------------------

def test_without_a_keyring_secrets_are_refused_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(secrets, "_backend", lambda: None)
    assert secrets.keyring_name() is None
    with pytest.raises(secrets.NoKeyringError, match="FIELDAPP_TEAM_KEY"):
        secrets.set_secret(secrets.TEAM_KEY, "lagnyckel")
    assert secrets.get_secret(secrets.TEAM_KEY, environ={}) is None
    assert secrets.team_key(environ={"FIELDAPP_TEAM_KEY": "abc"}) == b"abc"


def test_with_a_keyring_secrets_go_there_and_never_into_the_database(monkeypatch, database,
                                                                    db_path):
    class MemoryKeyring:
        name = "test keyring"

        def __init__(self):
            self.saved = {}

        def get_password(self, service, key):
            return self.saved.get((service, key))

        def set_password(self, service, key, value):
            self.saved[(service, key)] = value

        def delete_password(self, service, key):
            self.saved.pop((service, key), None)

    ring = MemoryKeyring()
    monkeypatch.setattr(secrets, "_backend", lambda: ring)
    secrets.set_secret(secrets.TEAM_KEY, "lagnyckel-123")
    assert secrets.team_key(environ={}) == b"lagnyckel-123"
    assert b"lagnyckel-123" not in db_path.read_bytes()
    secrets.set_secret(secrets.TEAM_KEY, "")
    assert secrets.get_secret(secrets.TEAM_KEY, environ={}) is None


def test_a_key_derived_ahead_opens_the_file_only_when_its_passphrase_is_right(tmp_path):
    """FIELDAPP_PASSPHRASE's key is derived in a thread while the window imports (issue 19):
    the key it gives is still checked against the file, a wrong passphrase stays refused."""
    from fieldapp.store import keys

    path = tmp_path / "faltlogg.sqlite"
    open_database(path, PASSPHRASE).close()
    encryption.forget_keys()
    keys.derive_ahead(path, "fel fras som inte öppnar")
    assert not encryption.verify_passphrase(path, "fel fras som inte öppnar")
    keys.derive_ahead(path, PASSPHRASE)
    assert encryption.verify_passphrase(path, PASSPHRASE)
    assert not keys._pending  # each derivation ahead was used once, then dropped
    assert encryption.known_key(path, PASSPHRASE) == keys.derive(PASSPHRASE, keys.salt_of(path))
    keys.derive_ahead(tmp_path / "missing.sqlite", PASSPHRASE)  # no file: nothing started
    assert not keys._pending
    database = open_database(path, PASSPHRASE)
    try:
        assert database.encrypted
    finally:
        database.close()
