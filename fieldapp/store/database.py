"""The one place that opens the database: engine, session factory, checks and upgrades.

Opening a file:
- not a SQLite file, or not a Fältlogg database: refused, the file is left untouched;
- made by a newer version of the app (unknown Alembic revision): refused, left untouched;
- made by an older revision: copied aside (timestamped backup, SQLite backup API) and upgraded;
- missing: created at head.
All checks read the file through a read-only connection before anything writes to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from fieldapp.i18n import _
from fieldapp.store import migrate
from fieldapp.store.models import Device

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


class DatabaseFileError(Exception):
    """A database file that cannot be opened; the message says what to do."""


class NotADatabaseError(DatabaseFileError):
    pass


class NewerDatabaseError(DatabaseFileError):
    pass


@dataclass(frozen=True)
class FileState:
    exists: bool
    revision: str | None  # None: new or empty database


def _set_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _set_pragmas)
    return engine


def inspect_file(path: Path) -> FileState:
    """Read what the file is without changing a byte of it."""
    if not path.exists():
        return FileState(exists=False, revision=None)
    if path.is_dir():
        raise NotADatabaseError(
            _("{path} is a folder, not a database file. Choose a file.").format(path=path)
        )
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
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
        raise NotADatabaseError(
            _(
                "{path} could not be read as a database ({error}). It may be damaged. "
                "The file was left as it is; restore a backup or choose another file."
            ).format(path=path, error=exc)
        ) from exc
    return FileState(exists=True, revision=row[0] if row else None)


def backup_file(path: Path, revision: str | None) -> Path:
    """Copy the database aside with SQLite's backup API (consistent even with a WAL)."""
    folder = path.parent / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{revision or 'new'}.{stamp}{path.suffix or '.sqlite'}"
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


class Database:
    """Engine and session factory of one database file."""

    def __init__(self, path: Path, engine: Engine):
        self.path = path
        self.engine = engine
        self.session_factory = sessionmaker(engine, expire_on_commit=False)
        self.backup_path: Path | None = None

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        with self.session_factory.begin() as session:
            yield session

    def revision(self) -> str | None:
        with self.engine.connect() as connection:
            return migrate.current_revision(connection)

    def device_id(self) -> uuid.UUID:
        with self.session() as session:
            return session.scalars(select(Device.id).where(Device.is_self)).one()

    def close(self) -> None:
        self.engine.dispose()


def check_upgradable(path: Path) -> FileState:
    state = inspect_file(path)
    if state.revision is not None and state.revision not in migrate.known_revisions():
        raise NewerDatabaseError(
            _(
                "{path} was made by a newer version of Fältlogg (database revision {revision}). "
                "Update the app; the file was left as it is."
            ).format(path=path, revision=state.revision)
        )
    return state


def open_database(path: Path | str, *, upgrade: bool = True, load_reference: bool = True) -> Database:
    """Open (and if needed create or upgrade) the database at ``path``.

    Raises :class:`DatabaseFileError` with a user-facing message when the file is refused.
    """
    path = Path(path).expanduser()
    state = check_upgradable(path)
    head = migrate.head_revision()
    backup = None
    if state.revision is not None and state.revision != head and upgrade:
        backup = backup_file(path, state.revision)
    if not state.exists:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path)
    if upgrade and state.revision != head:
        migrate.upgrade(engine)
    database = Database(path, engine)
    database.backup_path = backup
    if upgrade:
        _ensure_self_device(database)
        if load_reference:
            from fieldapp.store.reference import load_reference_data

            with database.session() as session:
                load_reference_data(session)
    return database


def _ensure_self_device(database: Database) -> None:
    with database.session() as session:
        if session.scalars(select(Device).where(Device.is_self)).first() is None:
            session.add(Device(id=uuid.uuid4(), name="", is_self=True))
