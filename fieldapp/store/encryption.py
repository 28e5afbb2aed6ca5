"""Encryption at rest: the local database as a SQLCipher file (the ``sqlcipher3`` package).

- :func:`connect` opens a SQLCipher connection whose first statement is ``PRAGMA key``.
- :func:`looks_encrypted` tells an encrypted file (no "SQLite format 3" header, pages of
  random-looking bytes) from other files without a passphrase.
- :func:`encrypt_file` converts a plain file: ``sqlcipher_export`` into a new encrypted file
  beside it, a row-by-row comparison of every table, then the new file takes the plain one's
  name and the plain one is overwritten with zeros and removed. Plain backups in ``backups/``
  are converted the same way. (An SSD may keep the old blocks elsewhere: full-disk
  encryption still matters; the UI and the README say so.)
- :func:`change_passphrase` gives an encrypted file (and its backups) a new passphrase the
  same way: export with the new key, compare, swap.
- :func:`backup_encrypted` copies an encrypted file to an encrypted backup with the same key.

There is no back door: without the passphrase the data cannot be read, by anyone.
Qt-free.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from fieldapp import files
from fieldapp.i18n import _
from fieldapp.store.errors import EncryptionUnavailableError, PassphraseError, storage_error
from fieldapp.store.keys import (  # noqa: F401 - derive_ahead, forget_keys: callers find them here
    derive_ahead,
    derived,
    forget_keys,
    known_key,
    remember,
    salt_of,
)

SQLITE_HEADER = b"SQLite format 3\x00"
MIN_PASSPHRASE_LENGTH = 8
PASSPHRASE_ENV = "FIELDAPP_PASSPHRASE"
ENCRYPTING_SUFFIX = ".encrypting"
PLAIN_OLD_SUFFIX = ".plain-old"
REKEYING_SUFFIX = ".rekeying"
OLD_KEY_SUFFIX = ".old-key"


def dbapi():
    """The sqlcipher3 DB-API module, or :class:`EncryptionUnavailableError`."""
    try:
        import sqlcipher3.dbapi2 as module
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise EncryptionUnavailableError(_(
            "Encryption is not available: the sqlcipher3 package is missing ({error}). "
            "Reinstall Fältlogg.").format(error=exc)) from exc
    return module


def available() -> bool:
    try:
        dbapi()
    except EncryptionUnavailableError:
        return False
    return True


def quote(passphrase: str) -> str:
    """``passphrase`` as an SQL string literal (for PRAGMA key, which takes no parameters)."""
    return "'" + passphrase.replace("'", "''") + "'"


def connect(path: Path | str, passphrase: str, *, readonly: bool = False,
            check_same_thread: bool = True, raw_key: str | None = None):
    """A SQLCipher connection to ``path`` keyed with ``passphrase`` (not yet verified); with
    a verified key of the file remembered (or ``raw_key`` given) it is keyed with that raw
    key, with no key derivation."""
    key = raw_key or known_key(path, passphrase)
    module = dbapi()
    if readonly:
        con = module.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                             check_same_thread=check_same_thread)
    else:
        con = module.connect(str(path), check_same_thread=check_same_thread)
    with contextlib.suppress(module.DatabaseError):
        con.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our message, not a log
    con.execute(f"PRAGMA key = {quote(key or passphrase)}")
    return con


def wrong_passphrase_message(path: Path) -> str:
    return _("The passphrase for {path} is wrong (or the file is damaged). Nothing was "
             "changed. Try again; check Caps Lock and the keyboard layout.").format(path=path)


def open_verified(path: Path, passphrase: str, *, readonly: bool = True):
    """A keyed connection that has read the schema: :class:`PassphraseError` if the key does
    not open it (SQLITE_NOTADB); the disk's refusal (read-only, full, failing) is that, not
    a wrong passphrase (:func:`fieldapp.store.errors.storage_error`)."""
    salt = salt_of(path)
    known = known_key(path, passphrase)
    if salt is not None and known is None:
        # Derive the key once here (as SQLCipher would) and open with the raw key, so the
        # connections after this one need no derivation.
        candidate = derived(passphrase, salt)
        con = _open_checked(path, passphrase, readonly, candidate)
        if con is not None:
            remember(salt, passphrase, candidate)
            return con
        # A file with other key settings (made by an older SQLCipher): SQLCipher derives.
    con = _open_checked(path, passphrase, readonly, known or passphrase)
    if con is None:
        raise PassphraseError(wrong_passphrase_message(path))
    return con


def _open_checked(path: Path, passphrase: str, readonly: bool, key: str):
    """A connection keyed with ``key`` that has read the schema, or None if the key does not
    open the file; the disk's refusal raises its DatabaseFileError."""
    module = dbapi()
    try:
        con = connect(path, passphrase, readonly=readonly, raw_key=key)
    except module.DatabaseError as exc:
        problem = storage_error(Path(path), exc)
        if problem is None:
            raise
        raise problem from exc
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except module.DatabaseError as exc:
        con.close()
        problem = storage_error(Path(path), exc)
        if problem is not None:
            raise problem from exc
        return None
    return con


def verify_passphrase(path: Path, passphrase: str) -> bool:
    """True if ``passphrase`` opens the encrypted file at ``path``; a disk that refuses
    (read-only, full) raises its :class:`~fieldapp.store.errors.DatabaseFileError`."""
    try:
        open_verified(Path(path), passphrase).close()
    except PassphraseError:
        return False
    return True


def looks_encrypted(path: Path) -> bool:
    """An existing file that is not plain SQLite but looks like SQLCipher pages: a size that
    is a whole number of pages (at least 512 bytes) and a first page of random-looking
    bytes (a text file or a file of zeros does not pass)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            first = fh.read(512)
    except OSError:
        return False
    if size < 512 or size % 512 or first.startswith(SQLITE_HEADER):
        return False
    return len(set(first)) >= 128  # random bytes: ~220 distinct values in 512


def check_new_passphrase(passphrase: str, repeated: str) -> str | None:
    """Why a new passphrase cannot be used, or None."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return _("Choose a passphrase of at least {count} characters; a few ordinary words "
                 "in a row are easy to remember and hard to guess.").format(
            count=MIN_PASSPHRASE_LENGTH)
    if passphrase != repeated:
        return _("The two passphrases are not the same. Type it again in both fields.")
    return None


def forgotten_passphrase_text() -> str:
    return _("There is no back door: without the passphrase nobody, not even the IT "
             "department, can read the data in this file. If it is forgotten, the records "
             "that were synced to the team hub are still there: start Fältlogg with a new "
             "file and sync. Records that were never synced are lost.")


def ssd_notice() -> str:
    return _("The unencrypted file was overwritten and removed. A solid-state disk (SSD) may "
             "still keep copies of old blocks, so the computer's full-disk encryption "
             "(BitLocker, FileVault, LUKS) still matters.")


# -- conversion --------------------------------------------------------------------------

@dataclass
class Conversion:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows compared
    backups: list[Path] = field(default_factory=list)  # plain backups converted too


def _tables(con) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]


def compare_every_row(plain, encrypted) -> dict[str, int]:
    """Compare every table of two connections row by row; ValueError on any difference."""
    tables = _tables(plain)
    if tables != _tables(encrypted):
        raise ValueError(f"tables differ: {tables} != {_tables(encrypted)}")
    counts = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        query = f"SELECT * FROM {quoted} ORDER BY rowid"
        try:
            left, right = plain.execute(query), encrypted.execute(query)
        except Exception:  # noqa: BLE001 - a WITHOUT ROWID table: compare sorted
            left = iter(sorted(map(repr, plain.execute(f"SELECT * FROM {quoted}"))))
            right = iter(sorted(map(repr, encrypted.execute(f"SELECT * FROM {quoted}"))))
        count = 0
        sentinel = object()
        while True:
            a, b = next(left, sentinel), next(right, sentinel)
            if a is sentinel and b is sentinel:
                break
            if a != b:
                raise ValueError(f"table {table} differs at row {count + 1}")
            count += 1
        counts[table] = count
    return counts


def shred(path: Path) -> None:
    """Overwrite ``path`` with zeros, flush it to the disk and remove it."""
    try:
        size = path.stat().st_size
        with path.open("r+b") as fh:
            block = b"\x00" * 65536
            left = size
            while left > 0:
                fh.write(block[:min(left, len(block))])
                left -= len(block)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        pass
    path.unlink(missing_ok=True)


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def recover_interrupted(path: Path) -> None:
    """Put back a file whose conversion (to encrypted, or to a new passphrase) stopped
    half-way (a crash between the renames): the change is simply offered again."""
    for old_suffix, temp_suffix in ((PLAIN_OLD_SUFFIX, ENCRYPTING_SUFFIX),
                                    (OLD_KEY_SUFFIX, REKEYING_SUFFIX)):
        previous = path.with_name(path.name + old_suffix)
        temp = path.with_name(path.name + temp_suffix)
        if not path.exists() and previous.exists():
            os.replace(previous, path)
        elif previous.exists():  # the swap was done, the old file not yet overwritten
            shred(previous)
        if temp.exists() and path.exists():
            temp.unlink()


def _replace_with_export(path: Path, source, passphrase: str, *, temp_suffix: str,
                         old_suffix: str) -> dict[str, int]:
    """Export the database open on ``source`` (a connection to ``path``) into a new file
    encrypted with ``passphrase``, compare every row, then put the new file in the place
    of ``path`` and overwrite the old one. ``source`` is closed; on any failure the file at
    ``path`` is left as it was."""
    temp = path.with_name(path.name + temp_suffix)
    previous = path.with_name(path.name + old_suffix)
    temp.unlink(missing_ok=True)
    try:
        # Fold the WAL into the file and leave rollback mode, so no old -wal stays behind.
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        source.execute("PRAGMA journal_mode=DELETE")
        source.execute("ATTACH DATABASE ? AS target KEY ?", (str(temp), passphrase))
        source.execute("SELECT sqlcipher_export('target')")
        version = source.execute("PRAGMA main.user_version").fetchone()[0]
        source.execute(f"PRAGMA target.user_version = {int(version)}")
        source.execute("DETACH DATABASE target")
        target = open_verified(temp, passphrase, readonly=True)
        try:
            counts = compare_every_row(source, target)
        finally:
            target.close()
    except BaseException:
        source.close()
        temp.unlink(missing_ok=True)
        raise
    source.close()
    for sidecar in _sidecars(path):
        if sidecar.exists():
            shred(sidecar)
    files.fsync_file(temp)  # complete on disk before the old file goes aside
    os.replace(path, previous)
    files.commit(temp, path)
    shred(previous)
    return counts


def _encrypt_one(path: Path, passphrase: str) -> dict[str, int]:
    plain = dbapi().connect(str(path))
    return _replace_with_export(path, plain, passphrase, temp_suffix=ENCRYPTING_SUFFIX,
                                old_suffix=PLAIN_OLD_SUFFIX)


def _rekey_one(path: Path, old: str, new: str) -> dict[str, int]:
    source = open_verified(path, old, readonly=False)
    return _replace_with_export(path, source, new, temp_suffix=REKEYING_SUFFIX,
                                old_suffix=OLD_KEY_SUFFIX)


def encrypt_file(path: Path, passphrase: str, *, include_backups: bool = True) -> Conversion:
    """Convert the plain database at ``path`` (and its plain backups) to SQLCipher files
    with ``passphrase``. Nothing is removed before the encrypted copy was compared row by
    row with the plain file."""
    path = Path(path)
    result = Conversion(path=path, rows=_encrypt_one(path, passphrase))
    for backup in _backups(path):
        with backup.open("rb") as fh:
            if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                continue
        _encrypt_one(backup, passphrase)
        result.backups.append(backup)
    return result


def change_passphrase(path: Path, old: str, new: str) -> Conversion:
    """Give the encrypted database at ``path`` the passphrase ``new`` (``old`` must open
    it: :class:`PassphraseError` otherwise), and its backups that ``old`` opens too, so the
    old passphrase opens nothing any more. Each file is exported to a new file with the new
    key and compared row by row before it takes the old one's place; the database must not
    be open elsewhere. A backup another passphrase opens is left as it is."""
    path = Path(path)
    if not verify_passphrase(path, old):
        raise PassphraseError(wrong_passphrase_message(path))
    result = Conversion(path=path, rows=_rekey_one(path, old, new))
    for backup in _backups(path):
        if looks_encrypted(backup) and verify_passphrase(backup, old):
            _rekey_one(backup, old, new)
            result.backups.append(backup)
    return result


def _backups(path: Path) -> list[Path]:
    """The backups of the database at ``path`` (named after it, in its backups folder), oldest
    first; never another data file's backups that share the folder."""
    from fieldapp.store.backups import list_backups

    return [backup.path for backup in reversed(list_backups(path))]


def backup_encrypted(path: Path, passphrase: str, target: Path) -> None:
    """Copy the encrypted database at ``path`` to ``target``, encrypted with the same key."""
    con = open_verified(path, passphrase, readonly=False)
    key, salt = known_key(path, passphrase), salt_of(path)
    # The same raw key and salt as the file (what the passphrase derives there): the backup
    # opens with the passphrase and costs no second key derivation.
    attach_key = f"{key[:-1]}{salt.hex()}'" if key and salt else passphrase
    try:
        con.execute("ATTACH DATABASE ? AS backup KEY ?", (str(target), attach_key))
        con.execute("SELECT sqlcipher_export('backup')")
        version = con.execute("PRAGMA main.user_version").fetchone()[0]
        con.execute(f"PRAGMA backup.user_version = {int(version)}")
        con.execute("DETACH DATABASE backup")
    finally:
        con.close()


def passphrase_from_env(environ=None) -> str | None:
    value = (os.environ if environ is None else environ).get(PASSPHRASE_ENV)
    return value or None
