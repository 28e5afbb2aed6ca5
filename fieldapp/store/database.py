"""The one place that opens the database: engine, session factory, checks and upgrades.

Opening a file:
- not a SQLite file, or not a Fältlogg database: refused, the file is left untouched;
- made by a newer version of the app (unknown Alembic revision): refused, left untouched;
- made by an older revision: copied aside (timestamped backup, SQLite backup API) and upgraded;
- missing: created at head;
- encrypted (SQLCipher, see :mod:`fieldapp.store.encryption`): opened only with its
  passphrase; without one, or with a wrong one, refused (a :class:`PassphraseError`) and left
  untouched. With a passphrase a new file is created encrypted; a plain file given a
  passphrase is converted only when asked (``convert_plain``), else refused with
  :class:`NotEncryptedError`.
All checks read the file through a read-only connection before anything writes to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from fieldapp.i18n import _
from fieldapp.store import encryption, migrate
from fieldapp.store.backups import STAMP_FORMAT, backup_folder
from fieldapp.store.errors import (  # noqa: F401 - re-exported: callers import them from here
    DatabaseFileError,
    EncryptionUnavailableError,
    NewerDatabaseError,
    NotADatabaseError,
    NotEncryptedError,
    PassphraseError,
    PassphraseRequiredError,
    storage_error,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

# SQLAlchemy and the models are imported when a file is opened, not with this module: the
# window's passphrase dialog paints before they load (issue 19; the window preloads them in
# the background meanwhile, fieldapp.ui.app.preload).

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
# SQLite's page cache of an encrypted connection, in KiB: a page read from the cache needs no
# decryption, and the default (2 MiB) holds only a small part of a week of the city-year
# file (the week summary read 2.4 times slower encrypted). Grows only as pages are read.
ENCRYPTED_CACHE_KIB = 32 * 1024


@dataclass(frozen=True)
class FileState:
    exists: bool
    revision: str | None  # None: new or empty database
    encrypted: bool = False


def casefold(value):
    """SQL ``casefold(x)``: Unicode case folding, for searches where "älvsjö" finds "Älvsjö"
    (SQLite's own lower() and LIKE fold ASCII letters only)."""
    return value.casefold() if isinstance(value, str) else value


def _prepare_connection(dbapi_connection, _record) -> None:
    """Every new connection: the SQL function ``casefold`` and the store's pragmas."""
    dbapi_connection.create_function("casefold", 1, casefold, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: every commit is flushed to disk before the save returns, so an observation
    # survives a flat battery or a power cut too, not only a killed process (one fsync per save).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _size_cache(dbapi_connection, _record) -> None:
    dbapi_connection.execute(f"PRAGMA cache_size=-{ENCRYPTED_CACHE_KIB}")


def make_engine(path: Path, passphrase: str | None = None) -> Engine:
    """The engine of the file at ``path``; with ``passphrase`` a SQLCipher engine whose every
    connection runs ``PRAGMA key`` as its first statement. ``hide_parameters``: an error
    never carries the values of its SQL statement (a private note, a personnummer), so no
    message shown or logged holds record text."""
    from sqlalchemy import create_engine, event

    if passphrase is None:
        engine = create_engine(f"sqlite:///{path}", future=True, hide_parameters=True)
    else:
        module = encryption.dbapi()

        def creator():
            return encryption.connect(path, passphrase, check_same_thread=False)

        engine = create_engine(f"sqlite:///{path}", future=True, creator=creator, module=module,
                               hide_parameters=True)
        event.listen(engine, "connect", _size_cache)
    event.listen(engine, "connect", _prepare_connection)
    return engine


def _passphrase_needed(path: Path) -> PassphraseRequiredError:
    return PassphraseRequiredError(_(
        "{path} is an encrypted Fältlogg database: it opens only with its passphrase. "
        "Enter the passphrase (on the command line: set FIELDAPP_PASSPHRASE, or run in a "
        "terminal to be asked). The file was left as it is.").format(path=path))


def _inspect_encrypted(path: Path, passphrase: str | None) -> FileState:
    if passphrase is None:
        raise _passphrase_needed(path)
    con = encryption.open_verified(path, passphrase, readonly=True)
    try:
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return FileState(exists=True, revision=None, encrypted=True)
        if "alembic_version" not in tables:
            raise NotADatabaseError(_(
                "{path} is an encrypted database but not a Fältlogg database. "
                "The file was left as it is; choose another file.").format(path=path))
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        con.close()
    return FileState(exists=True, revision=row[0] if row else None, encrypted=True)


SIDE_FILES = ("-wal", "-shm", "-journal")


def side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in SIDE_FILES]


@contextlib.contextmanager
def leaving_no_trace(path: Path, *, new: bool = False) -> Iterator[None]:
    """On a failure inside: remove the ``-wal``/``-shm``/``-journal`` the attempt made (a
    connection that failed on a full disk leaves them), and the file itself when ``new`` (a
    new file that could not be completed is not left half-made)."""
    before = {side for side in side_files(path) if side.exists()}
    try:
        yield
    except BaseException:
        for side in side_files(path):
            if side not in before:
                side.unlink(missing_ok=True)
        if new:
            path.unlink(missing_ok=True)
        raise


def inspect_file(path: Path, passphrase: str | None = None) -> FileState:
    """Read what the file is without changing a byte of it (nor leaving a ``-wal`` behind).
    An encrypted file needs its passphrase (:class:`PassphraseError` without one or with a
    wrong one); a disk that refuses says so (:func:`~fieldapp.store.errors.storage_error`)."""
    with leaving_no_trace(path):
        return _inspect(path, passphrase)


def _inspect(path: Path, passphrase: str | None) -> FileState:
    if not path.exists():
        return FileState(exists=False, revision=None)
    if path.is_dir():
        raise NotADatabaseError(
            _("{path} is a folder, not a database file. Choose a file.").format(path=path)
        )
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER and encryption.looks_encrypted(path):
        return _inspect_encrypted(path, passphrase)
    if header and header != SQLITE_HEADER:
        raise NotADatabaseError(
            _(
                "{path} is not a Fältlogg database (it is not a SQLite file). "
                "The file was left as it is; choose another file or a new name."
            ).format(path=path)
        )
    if not header:
        return FileState(exists=True, revision=None)
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {
                row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if not tables:
                return FileState(exists=True, revision=None)
            if "alembic_version" not in tables:
                raise NotADatabaseError(
                    _(
                        "{path} is a SQLite database but not a Fältlogg database. "
                        "The file was left as it is; choose another file."
                    ).format(path=path)
                )
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        problem = storage_error(path, exc)
        if problem is not None:
            raise problem from exc
        raise NotADatabaseError(
            _(
                "{path} could not be read as a database ({error}). It may be damaged. "
                "The file was left as it is; restore a backup or choose another file."
            ).format(path=path, error=exc)
        ) from exc
    return FileState(exists=True, revision=row[0] if row else None)


def backup_file(path: Path, revision: str | None, passphrase: str | None = None) -> Path:
    """Copy the database aside with SQLite's backup API (consistent even with a WAL); an
    encrypted file gives an encrypted backup with the same passphrase."""
    folder = backup_folder(path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime(STAMP_FORMAT)
    target = folder / f"{path.stem}.{revision or 'new'}.{stamp}{path.suffix or '.sqlite'}"
    try:
        if passphrase is not None:
            encryption.backup_encrypted(path, passphrase, target)
            return target
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(target)
            try:
                source.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()
    except BaseException:
        target.unlink(missing_ok=True)  # no half-made copy (a full disk) is left behind
        raise
    return target


class Database:
    """Engine and session factory of one database file."""

    def __init__(self, path: Path, engine: Engine, *, encrypted: bool = False):
        from sqlalchemy.orm import sessionmaker

        self.path = path
        self.engine = engine
        self.encrypted = encrypted
        self.session_factory = sessionmaker(engine, expire_on_commit=False)
        self.backup_path: Path | None = None
        self.conversion: encryption.Conversion | None = None  # a plain file was converted
        self.opened_with: str | None = None  # the passphrase (set by store.opening)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        if self.closed_until_unlocked:
            raise DatabaseLockedError(_("The data file is locked: enter the passphrase first."))
        with self.session_factory.begin() as session:
            yield session

    @property
    def closed_until_unlocked(self) -> bool:
        return self.engine is None

    def close_until_unlocked(self) -> None:
        """Close every connection and drop the engine that holds the passphrase (SQLCipher
        forgets its key when the last connection closes): until :meth:`reopen` every
        session raises :class:`DatabaseLockedError`. For the window's lock."""
        if self.engine is not None:
            self.engine.dispose()
        self.engine = None
        self.session_factory = None
        self.opened_with = None

    def reopen(self, passphrase: str) -> bool:
        """Open the file again after :meth:`close_until_unlocked`, if ``passphrase`` is its
        passphrase (False, and still closed, when it is not)."""
        if not self.check_passphrase(passphrase):
            return False
        if self.engine is None:
            from sqlalchemy.orm import sessionmaker

            self.engine = make_engine(self.path, passphrase)
            self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        return True

    def revision(self) -> str | None:
        with self.engine.connect() as connection:
            return migrate.current_revision(connection)

    def device_id(self) -> uuid.UUID:
        from sqlalchemy import select

        from fieldapp.store.models import Device

        with self.session() as session:
            return session.scalars(select(Device.id).where(Device.is_self)).one()

    def check_passphrase(self, passphrase: str) -> bool:
        """True if ``passphrase`` opens this (encrypted) file: for unlocking the window."""
        return self.encrypted and encryption.verify_passphrase(self.path, passphrase)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


class DatabaseLockedError(RuntimeError):
    """The window is locked: the data file is closed until its passphrase is entered."""


def check_upgradable(path: Path, passphrase: str | None = None) -> FileState:
    state = inspect_file(path, passphrase)
    if state.revision is not None and not migrate.is_known(state.revision):
        raise NewerDatabaseError(
            _(
                "{path} was made by a newer version of Fältlogg (database revision {revision}). "
                "Update the app; the file was left as it is."
            ).format(path=path, revision=state.revision)
        )
    return state


def open_database(path: Path | str, passphrase: str | None = None, *, upgrade: bool = True,
                  load_reference: bool = True, convert_plain: bool = False,
                  upgrading: Callable[[], AbstractContextManager] | None = None) -> Database:
    """Open (and if needed create or upgrade) the database at ``path``.

    Without ``passphrase`` a plain file opens as it always did and a new file is plain; an
    encrypted file then needs ``FIELDAPP_PASSPHRASE`` in the environment. With
    ``passphrase`` a new file is created encrypted and an encrypted file is opened with it;
    a plain file is converted when ``convert_plain`` is set (see
    :func:`fieldapp.store.encryption.encrypt_file`), else :class:`NotEncryptedError`.

    ``upgrading``: called when an older file is about to be backed up and upgraded (which
    may take a while for a large file); the context it returns is held until the file is
    at head (a client's "upgrading…" notice).

    Raises :class:`DatabaseFileError` with a user-facing message when the file is refused.
    """
    path = Path(path).expanduser()
    conversion = None
    encryption.recover_interrupted(path)
    if passphrase is None and path.is_file() and encryption.looks_encrypted(path):
        passphrase = encryption.passphrase_from_env()
    state = check_upgradable(path, passphrase)
    if passphrase is not None and state.exists and not state.encrypted:
        if path.stat().st_size == 0:
            path.unlink()  # an empty file: start an encrypted one in its place
            state = FileState(exists=False, revision=None)
        elif not convert_plain:
            raise NotEncryptedError(_(
                "{path} is not encrypted. It can be converted to an encrypted file with "
                "this passphrase; the file was left as it is.").format(path=path))
        else:
            conversion = encryption.encrypt_file(path, passphrase)
            state = check_upgradable(path, passphrase)
    head = migrate.HEAD_REVISION  # no Alembic import for a file already at head
    older = state.revision is not None and state.revision != head and upgrade
    with upgrading() if older and upgrading is not None else contextlib.nullcontext():
        backup = backup_file(path, state.revision, passphrase) if older else None
        return _open_at_head(path, passphrase, state, conversion, backup, upgrade=upgrade,
                             load_reference=load_reference)


def _open_at_head(path: Path, passphrase: str | None, state: FileState, conversion,
                  backup: Path | None, *, upgrade: bool, load_reference: bool) -> Database:
    """open_database once the file's state is known (and an older file backed up): the
    file migrated to head, this device's row and the reference data made sure of."""
    head = migrate.HEAD_REVISION
    if not state.exists:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path, passphrase)
    database = Database(path, engine, encrypted=passphrase is not None)
    database.backup_path = backup
    database.conversion = conversion
    try:
        if upgrade and state.revision != head:
            migrate.upgrade(engine)
        if upgrade:
            _ensure_self_device(database)
            if load_reference:
                from fieldapp.store.reference import load_reference_data

                with database.session() as session:
                    load_reference_data(session)
    except BaseException:
        engine.dispose()  # no connection keeps the file (a full disk, a read-only medium)
        raise
    return database


def _ensure_self_device(database: Database) -> None:
    from sqlalchemy import select

    from fieldapp.store.models import Device

    with database.session() as session:
        if session.scalars(select(Device).where(Device.is_self)).first() is None:
            session.add(Device(id=uuid.uuid4(), name="", is_self=True))
