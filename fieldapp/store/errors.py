"""Why a database file cannot be opened. Every message says what to do, in the UI language.

:func:`storage_error` tells a disk's refusal (read-only, full, failing) from the file's own
problems by what SQLite and the OS report, and by asking the disk (statvfs, access, free
space), so a read-only stick is never reported as a wrong passphrase."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from fieldapp.i18n import _


class DatabaseFileError(Exception):
    """A database file that cannot be opened; the message says what to do."""


class NotADatabaseError(DatabaseFileError):
    pass


class NewerDatabaseError(DatabaseFileError):
    pass


class PassphraseError(DatabaseFileError):
    """An encrypted file opened with a wrong passphrase (the file was not changed)."""


class PassphraseRequiredError(PassphraseError):
    """An encrypted file opened without a passphrase (the file was not changed)."""


class NotEncryptedError(DatabaseFileError):
    """A passphrase was given for a file that is not encrypted (it can be converted)."""


class EncryptionUnavailableError(DatabaseFileError):
    """SQLCipher (the sqlcipher3 package) is not installed."""


class ReadOnlyMediumError(DatabaseFileError):
    """The file is on a read-only medium or in a folder that may not be written to."""


class DiskFullError(DatabaseFileError):
    """The disk that holds the file is full."""


class StorageError(DatabaseFileError):
    """The disk reported an error reading or writing the file."""


# -- what the disk says ----------------------------------------------------------------------
# SQLite primary result codes (``sqlite_errorcode & 0xff`` of sqlite3 and sqlcipher3 errors).
SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 8, 10, 13, 14, 26
STORAGE_CODES = (SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN)
MIN_FREE_BYTES = 64 * 1024  # SQLite needs room for its 32 KiB shared-memory file and its log


def _chain(exc: BaseException):
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        orig = getattr(exc, "orig", None)  # sqlalchemy.exc.DBAPIError wraps the driver's
        if isinstance(orig, BaseException):
            yield orig
        exc = exc.__cause__ or exc.__context__


def sqlite_code(exc: BaseException) -> int | None:
    """The SQLite primary result code in ``exc`` or what it wraps (None: none)."""
    for item in _chain(exc):
        code = getattr(item, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code & 0xFF
    return None


def _nearest_folder(path: Path) -> Path:
    folder = path if path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def read_only(path: Path) -> bool:
    """Whether the data file at ``path`` (or the folder that holds or will hold it) cannot
    be written to: a read-only mount (statvfs; binds root too) or no write access."""
    folder = _nearest_folder(Path(path))
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
    except (OSError, AttributeError):  # no statvfs (Windows): ask access() only
        pass
    try:
        if not os.access(folder, os.W_OK):
            return True
        return Path(path).is_file() and not os.access(path, os.W_OK)
    except OSError:
        return False


def free_bytes(path: Path) -> int | None:
    """Free space for the user on the disk that holds ``path`` (None: cannot tell)."""
    try:
        return shutil.disk_usage(_nearest_folder(Path(path))).free
    except OSError:
        return None


def read_only_error(path: Path) -> ReadOnlyMediumError:
    return ReadOnlyMediumError(_(
        "{path} is on a read-only disk or in a folder Fältlogg may not write to, so it cannot "
        "be opened (Fältlogg writes to its data file at every save). Check that the USB stick "
        "or memory card is not write-protected, or copy the file to a folder you may write "
        "to and open it there. The file was left as it is.").format(path=path))


def disk_full_error(path: Path, *, new: bool = False) -> DiskFullError:
    if new:
        return DiskFullError(_(
            "The disk that holds {path} is full, so the new data file could not be made. "
            "Free some space (empty the wastebasket, move large files away) and try again; "
            "nothing was left behind.").format(path=path))
    return DiskFullError(_(
        "The disk that holds {path} is full, so Fältlogg cannot open it. Free some space "
        "(empty the wastebasket, move large files away) and try again. The file was left as "
        "it is.").format(path=path))


def storage_error(path: Path, exc: BaseException, *, new: bool = False) -> DatabaseFileError | None:
    """What the disk says about a failure while opening ``path``: a read-only medium, a full
    disk or another disk error; None when the failure is not the disk's (a wrong passphrase,
    a damaged or foreign file: SQLITE_NOTADB and the like)."""
    path = Path(path)
    code = sqlite_code(exc)
    errnos = {item.errno for item in _chain(exc) if isinstance(item, OSError)}
    if code is None and not errnos:
        return None
    if code is not None and code not in STORAGE_CODES:
        return None
    if code == SQLITE_FULL or errnos & {errno.ENOSPC, errno.EDQUOT}:
        return disk_full_error(path, new=new)
    if code == SQLITE_READONLY or errnos & {errno.EROFS, errno.EACCES, errno.EPERM} \
            or read_only(path):
        return read_only_error(path)
    free = free_bytes(path)
    if free is not None and free < MIN_FREE_BYTES:  # SQLite says only "disk I/O error"
        return disk_full_error(path, new=new)
    detail = str(getattr(exc, "orig", None) or exc).strip() or type(exc).__name__
    return StorageError(_(
        "{path} could not be read or written ({error}). Check that the disk is connected and "
        "working, then start Fältlogg again. The file was left as it is.").format(
            path=path, error=detail))
