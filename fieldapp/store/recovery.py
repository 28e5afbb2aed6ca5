"""Damaged data files: what went wrong in words, the backups there are, restoring the latest.

Qt-free (the window's dialog is ``fieldapp.ui.dialogs.recovery``; the CLI can use it too).

- :func:`check_file` and :func:`open_checked`: the latter opens a database like
  :func:`~fieldapp.store.database.open_database`, but first checks the file (an empty file where
  backups exist, ``PRAGMA quick_check``
  through a read-only connection) and turns every storage failure while opening (a damaged
  page, a full disk, a read-only folder, a disk error) into a
  :class:`~fieldapp.store.database.DatabaseFileError` whose message says what happened and
  what to do. The file is never changed by a check.
- :func:`storage_problem` says in words what a failed save ran into (disk full, read-only,
  disk error, damaged file), or None for anything else.
- :func:`list_backups` finds the copies :func:`~fieldapp.store.database.backup_file` made
  (``<db folder>/backups/<stem>.<revision>.<YYYYmmdd-HHMMSS-ffffff><suffix>``), newest first.
- :func:`restore_latest` moves the damaged file (and its ``-wal``/``-shm``) aside as
  ``<name>.damaged-<timestamp>`` and copies the latest usable backup in its place. Nothing is
  ever deleted.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fieldapp import files
from fieldapp.i18n import _
from fieldapp.store.backups import (  # noqa: F401 - the backups API, importable from here
    BACKUP_FOLDER,
    STAMP_FORMAT,
    Backup,
    backup_folder,
    latest_backup,
    list_backups,
)
from fieldapp.store.database import (
    SQLITE_HEADER,
    DatabaseFileError,
    NewerDatabaseError,
    NotADatabaseError,
    backup_file,
)

DAMAGED_MARK = ".damaged-"
SIDE_FILES = ("-wal", "-shm", "-journal")

# SQLite primary result codes (sqlite3.Error.sqlite_errorcode & 0xff).
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


class DamagedDatabaseError(DatabaseFileError):
    """The file is a Fältlogg database, but parts of it cannot be read."""


class StorageProblemError(DatabaseFileError):
    """The file could not be opened because of the disk or folder (full, read-only, I/O)."""


@dataclass(frozen=True)
class Restored:
    backup: Backup
    set_aside: tuple[Path, ...]  # the damaged file (and its -wal/-shm), renamed


# -- backups ---------------------------------------------------------------------------------

KEEP_BACKUPS = 7


def ensure_recent_backup(db_path: Path | str, revision: str | None, *,
                         passphrase: str | None = None,
                         max_age: dt.timedelta = dt.timedelta(days=1),
                         keep: int = KEEP_BACKUPS,
                         now: Callable[[], dt.datetime] = dt.datetime.now) -> Path | None:
    """Copy the database aside (``backup_file``) unless a copy younger than ``max_age``
    exists; returns the new copy, or None. Meant for start-up, after a successful open, so
    that a damaged file can always be restored to at most a day ago.

    Only the ``keep`` newest copies are kept: a backup holds what retention (gallring) has
    since deleted, so old copies must not outlive the rules."""
    db_path = Path(db_path).expanduser()
    newest = next(iter(list_backups(db_path)), None)
    if newest is not None and now() - newest.taken_at < max_age:
        return None
    if passphrase is not None:  # an encrypted file gives an encrypted copy
        made = backup_file(db_path, revision, passphrase)
    else:
        made = backup_file(db_path, revision)
    prune_backups(db_path, keep=keep)
    return made


def prune_backups(db_path: Path | str, *, keep: int = KEEP_BACKUPS) -> list[Path]:
    """Delete all but the ``keep`` newest backups of ``db_path``; returns what went."""
    removed = []
    for old in list_backups(db_path)[max(1, keep):]:
        try:
            old.path.unlink()
        except OSError:
            continue
        removed.append(old.path)
    return removed


def restore_may_help(error: BaseException) -> bool:
    """Whether restoring a backup could help with ``error`` (a damaged, foreign or newer
    file); not for a wrong passphrase, a full disk or a read-only folder."""
    return isinstance(error, (DamagedDatabaseError, NotADatabaseError, NewerDatabaseError))


def _aside_name(path: Path, stamp: str) -> Path:
    target = path.with_name(f"{path.name}{DAMAGED_MARK}{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}{DAMAGED_MARK}{stamp}-{number}")
    return target


def restore_backup(db_path: Path | str, backup: Backup, *,
                   now: Callable[[], dt.datetime] = dt.datetime.now) -> Restored:
    """Put ``backup`` in the place of the database at ``db_path``.

    The file there (and its ``-wal``, ``-shm`` and ``-journal``: a stale log must never be
    replayed onto another file) is renamed to ``<name>.damaged-<timestamp>``; the backup is
    copied next to it under a temporary name, flushed, and renamed into place. Nothing is
    deleted; the backup itself stays where it is.
    """
    db_path = Path(db_path).expanduser()
    if db_path.is_dir():
        raise IsADirectoryError(str(db_path))
    stamp = now().strftime("%Y%m%d-%H%M%S")
    set_aside: list[Path] = []

    def copy(fh) -> None:
        with open(backup.path, "rb") as source:
            shutil.copyfileobj(source, fh)

    def put_aside() -> None:
        for path in [db_path, *(db_path.with_name(db_path.name + s) for s in SIDE_FILES)]:
            if path.exists():
                target = _aside_name(path, stamp)
                os.replace(path, target)
                set_aside.append(target)

    files.write_with(db_path, copy, before_replace=put_aside)
    return Restored(backup=backup, set_aside=tuple(set_aside))


def restore_latest(db_path: Path | str, *,
                   now: Callable[[], dt.datetime] = dt.datetime.now) -> Restored:
    """Restore the newest usable backup (FileNotFoundError when there is none)."""
    backup = latest_backup(db_path)
    if backup is None:
        raise FileNotFoundError(_("There is no backup of {path}.").format(path=db_path))
    return restore_backup(db_path, backup, now=now)


# -- what went wrong -------------------------------------------------------------------------

def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        orig = getattr(exc, "orig", None)  # sqlalchemy.exc.DBAPIError wraps the driver's
        if isinstance(orig, BaseException):
            yield orig
        exc = exc.__cause__ or exc.__context__


def _kind(exc: BaseException) -> str | None:
    """"full", "readonly", "io", "damaged" or None."""
    for item in _chain(exc):
        if isinstance(item, OSError):
            if item.errno in (errno.ENOSPC, errno.EDQUOT):
                return "full"
            if item.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                return "readonly"
            if item.errno == errno.EIO:
                return "io"
        if isinstance(item, sqlite3.Error):
            code = getattr(item, "sqlite_errorcode", None)
            text = str(item).lower()
            primary = code & 0xFF if isinstance(code, int) else None
            if primary == SQLITE_FULL or "disk is full" in text:
                return "full"
            if primary == SQLITE_READONLY or "readonly database" in text or "read-only" in text:
                return "readonly"
            if primary in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in text \
                    or "not a database" in text:
                return "damaged"
            if primary in (SQLITE_IOERR, SQLITE_CANTOPEN) or "disk i/o error" in text \
                    or "unable to open" in text:
                return "io"
    return None


def storage_problem(exc: BaseException) -> str | None:
    """What a failed save ran into, for the user (None: not a storage problem)."""
    kind = _kind(exc)
    if kind == "full":
        return _("The disk is full, so nothing was saved. Free some space (empty the "
                 "wastebasket, move large files away) and save again; what you entered is "
                 "still in the form.")
    if kind == "readonly":
        return _("The data folder cannot be written to (it is read-only), so nothing was "
                 "saved. Check that the disk is not write-protected and that you may write "
                 "there, or ask your IT support; what you entered is still in the form.")
    if kind == "io":
        return _("The disk reported an error while saving, so nothing was saved. Try again; "
                 "if it happens again, close Fältlogg and check the disk.")
    if kind == "damaged":
        return _("The data file is damaged, so nothing was saved. Close Fältlogg and start "
                 "it again: it offers to restore the latest backup.")
    return None


def _damaged(path: Path, detail: str) -> DamagedDatabaseError:
    return DamagedDatabaseError(_(
        "{path} is damaged ({error}), so Fältlogg cannot open it. The file was left as it is; "
        "restore the latest backup, or ask your team lead for help.").format(
            path=path, error=detail))


def _read_only_folder(folder: Path) -> bool:
    """Whether ``folder`` is on a read-only file system or may not be written to (checked
    with the real user's rights; a read-only mount binds root too)."""
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
        return not os.access(folder, os.W_OK)
    except (OSError, AttributeError):  # no statvfs (Windows): ask access() only
        try:
            return folder.exists() and not os.access(folder, os.W_OK)
        except OSError:
            return False


def explain(path: Path, exc: BaseException) -> DatabaseFileError:
    """A DatabaseFileError with a clear message for a failure while opening ``path``."""
    if isinstance(exc, DatabaseFileError):
        return exc
    kind = _kind(exc)
    if kind in ("io", None) and _read_only_folder(path.parent):
        kind = "readonly"  # SQLite says only "unable to open" when it cannot make its -shm
    detail = str(getattr(exc, "orig", None) or exc).strip() or type(exc).__name__
    if kind == "full":
        return StorageProblemError(_(
            "The disk that holds {path} is full, so Fältlogg cannot open it. Free some space "
            "and start Fältlogg again. The file was left as it is.").format(path=path))
    if kind == "readonly":
        return StorageProblemError(_(
            "The folder {folder} cannot be written to (it is read-only), so Fältlogg cannot "
            "open {path}. Check that the disk is not write-protected and that you may write "
            "there, or start Fältlogg with another file (--db). The file was left as it "
            "is.").format(folder=path.parent, path=path))
    if kind == "io":
        return StorageProblemError(_(
            "{path} could not be read or written ({error}). Check that the disk is "
            "connected and working, then start Fältlogg again. The file was left as it "
            "is.").format(path=path, error=detail))
    return _damaged(path, detail)


def check_integrity(path: Path | str) -> None:
    """Raise DamagedDatabaseError when SQLite's quick check finds damage in a plain
    (unencrypted) database file; other files are left to ``open_database``. Read-only."""
    path = Path(path).expanduser()
    if not path.is_file():
        return
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        if _kind(exc) in ("damaged", None):
            raise _damaged(path, str(exc)) from exc
        raise explain(path, exc) from exc
    problems = [str(row[0]) for row in rows if row and row[0] != "ok"]
    if problems:
        raise _damaged(path, problems[0])


def check_file(path: Path | str, *, integrity: bool = True) -> None:
    """The checks :func:`open_checked` makes before opening, for a caller that opens the
    file itself (e.g. after asking for a passphrase): an emptied file that has backups is
    damaged, not new; a plain file must pass SQLite's quick check (unless ``integrity`` is
    False: the window runs :func:`check_open_database` after it has painted). Reads only."""
    path = Path(path).expanduser()
    try:
        if path.is_file() and path.stat().st_size == 0 and latest_backup(path) is not None:
            raise DamagedDatabaseError(_(
                "{path} is empty: its content was lost (the disk may have been full, or the "
                "laptop lost power while saving). The file was left as it is; restore the "
                "latest backup.").format(path=path))
        if integrity:
            check_integrity(path)
    except OSError as exc:
        raise explain(path, exc) from exc


def check_open_database(database) -> None:
    """SQLite's quick check through an open :class:`~fieldapp.store.database.Database`
    (plain or encrypted): raise DamagedDatabaseError when it finds damage. Reads only; on
    the city-year file it takes most of a second, so the window runs it in the background
    after its first paint."""
    from sqlalchemy.exc import DBAPIError

    try:
        with database.engine.connect() as connection:
            rows = connection.exec_driver_sql("PRAGMA quick_check").fetchall()
    except DBAPIError as exc:
        if _kind(exc) in ("damaged", None):  # _kind looks at the driver's error too
            raise _damaged(database.path, str(exc.orig or exc)) from exc
        raise explain(database.path, exc) from exc
    problems = [str(row[0]) for row in rows if row and row[0] != "ok"]
    if problems:
        raise _damaged(database.path, problems[0])


def open_checked(path: Path | str, *args, check: bool = True, **kwargs):
    """Open like ``open_database(path, *args, **kwargs)``, after :func:`check_file` (unless
    ``check`` is False: the caller made it already); every failure is a DatabaseFileError
    with a message that says what happened and what to do."""
    from sqlalchemy.exc import DBAPIError

    from fieldapp.store.database import open_database

    path = Path(path).expanduser()
    if check:
        check_file(path)
    try:
        return open_database(path, *args, **kwargs)
    except DatabaseFileError:
        raise
    except (sqlite3.Error, OSError, DBAPIError) as exc:
        raise explain(path, exc) from exc
