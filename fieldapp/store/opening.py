"""Opening the data file with the passphrase rule: the one way both clients open it.

The rule (README, "Encryption at rest"):

- ``FIELDAPP_PASSPHRASE`` set: the file is encrypted with it (a new file is created
  encrypted, a plain file is converted first);
- else, when the client can ask (a terminal, the window): an encrypted file's passphrase is
  asked for, and a new file gets a new passphrase typed twice;
- else a new file is created unencrypted (with a warning), and an encrypted file is refused
  with a message naming ``FIELDAPP_PASSPHRASE``.

The client supplies the questions as an :class:`Ask` (the terminal: getpass and stderr; the
window: its dialogs). Before anything is asked the file and its disk are checked, so each
refusal says what it is (a folder, a read-only medium, a full disk, a damaged, foreign or
newer file, a wrong passphrase) and leaves the file as it was; the ``-wal``/``-shm`` an
attempt made are removed again, and a new file that could not be completed is removed.
Qt-free.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from fieldapp.i18n import _
from fieldapp.store import encryption
from fieldapp.store.database import (
    Database,
    check_upgradable,
    leaving_no_trace,
    open_database,
)
from fieldapp.store.errors import (
    DatabaseFileError,
    NotADatabaseError,
    read_only,
    read_only_error,
    storage_error,
)

class Ask(Protocol):
    """The questions a client can put to its user."""

    interactive: bool  # False: nothing can be asked (a script, the installer's smoke test)

    def passphrase(self, path: Path, check: Callable[[str], bool]) -> str | None:
        """The passphrase of the encrypted file at ``path``, one that ``check`` accepts
        (``check`` raises a DatabaseFileError when the disk refuses); None: cancelled."""

    def new_passphrase(self, path: Path) -> str | None:
        """A new passphrase for the file about to be made at ``path``; None: cancelled."""

    def warn(self, text: str) -> None:
        """Tell the user something they should know (not a question)."""

    def upgrading(self, path: Path) -> AbstractContextManager:
        """Held while the older file at ``path`` is backed up and upgraded (a large file
        takes seconds): say so, and that it is not stuck."""


def upgrading_text(path: Path) -> str:
    """What both clients say while an older file is upgraded (:meth:`Ask.upgrading`)."""
    return _("Upgrading {path} to this version of Fältlogg (a backup is made first). A large "
             "file takes a while.").format(path=path)


class Cancelled(Exception):
    """The user cancelled a passphrase question; nothing was opened or changed."""


def check_path(path: Path) -> None:
    """Refuse a path that can never be the data file, before anything is asked: a folder,
    or a file (or the folder for a new one) on a read-only medium."""
    if path.is_dir():
        raise NotADatabaseError(
            _("{path} is a folder, not a database file. Choose a file.").format(path=path))
    if read_only(path):
        raise read_only_error(path)


def check_passphrase(path: Path, passphrase: str) -> bool:
    """Whether ``passphrase`` opens the encrypted file at ``path`` (a refusing disk raises)."""
    return encryption.verify_passphrase(path, passphrase)


def passphrase_for(path: Path | str, ask: Ask) -> str | None:
    """The passphrase to open ``path`` with by the rule above; None: the file is (or will
    be) plain. :class:`Cancelled` when the user cancelled a question."""
    path = Path(path).expanduser()
    check_path(path)
    passphrase = encryption.passphrase_from_env()
    if passphrase is not None:
        return passphrase
    exists = path.is_file() and path.stat().st_size > 0
    if not ask.interactive:
        if not exists:
            ask.warn(_("fieldapp: warning: {path} is created unencrypted. Set "
                       "FIELDAPP_PASSPHRASE (or run in a terminal) to encrypt it.").format(
                           path=path))
        return None
    if exists and encryption.looks_encrypted(path):
        entered = ask.passphrase(path, lambda text: check_passphrase(path, text))
    elif not exists:
        entered = ask.new_passphrase(path)
    else:
        return None  # a plain file opens as it is
    if entered is None:
        raise Cancelled
    return entered


_ASK = object()  # open_data_file: apply the rule (no passphrase given)


def open_data_file(path: Path | str, ask: Ask, *, passphrase=_ASK, upgrade: bool = True,
                   integrity: bool = True) -> Database:
    """Open (create, upgrade) the data file at ``path`` by the passphrase rule, or with
    ``passphrase`` when the caller applied the rule already. ``integrity``: SQLite's quick
    check of a plain file before it is opened (the window runs it after its first paint).
    ``upgrade=False`` (a read-only look) never converts a plain file.

    Every refusal is a :class:`DatabaseFileError` whose message says what it is and what to
    do; :class:`Cancelled` when the user cancelled. The opened database's ``opened_with``
    is the passphrase (for the start's backup)."""
    from fieldapp.store.recovery import check_file

    path = Path(path).expanduser()
    check_path(path)
    new = not path.exists()
    try:
        # A check on a full disk, or a read-only look at a newer file, leaves no -wal/-shm.
        with leaving_no_trace(path, new=new):
            check_file(path, integrity=integrity)
            if passphrase is _ASK:
                passphrase = passphrase_for(path, ask)
            if (not upgrade and passphrase is not None and path.is_file()
                    and not encryption.looks_encrypted(path)):
                passphrase = None  # a read-only look (db status) does not convert a plain file
            database = open_database(path, passphrase, upgrade=upgrade, convert_plain=True,
                                     upgrading=lambda: ask.upgrading(path))
    except BaseException as exc:
        explained = _explained(path, exc, new=new)
        if explained is exc:
            raise
        raise explained from exc
    database.opened_with = passphrase
    if database.conversion is not None:
        _record_conversion(database, ask)
    return database


def inspect(path: Path | str, passphrase: str | None):
    """What the file at ``path`` is (:func:`~fieldapp.store.database.check_upgradable`),
    read without changing it and without leaving a ``-wal``/``-shm``; refusals explained."""
    path = Path(path).expanduser()
    try:
        with leaving_no_trace(path):
            return check_upgradable(path, passphrase)
    except BaseException as exc:
        explained = _explained(path, exc, new=False)
        if explained is exc:
            raise
        raise explained from exc


def _driver_errors() -> tuple[type[BaseException], ...]:
    from sqlalchemy.exc import DBAPIError

    errors: list[type[BaseException]] = [sqlite3.Error, OSError, DBAPIError]
    if encryption.available():
        errors.append(encryption.dbapi().Error)
    return tuple(errors)


def _explained(path: Path, exc: BaseException, *, new: bool) -> BaseException:
    """``exc`` as a DatabaseFileError that says what happened (the disk's refusal first);
    anything that is no file or disk problem is returned as it is."""
    from fieldapp.store.recovery import explain

    if not isinstance(exc, (DatabaseFileError, *_driver_errors())):
        return exc
    problem = storage_error(path, exc, new=new)
    if problem is not None:
        return problem
    return exc if isinstance(exc, DatabaseFileError) else explain(path, exc)


def _record_conversion(database: Database, ask: Ask) -> None:
    """A plain file was converted to an encrypted one: audit it and tell the user."""
    from fieldapp.store.services.audit import AuditService

    conversion = database.conversion
    with database.session() as session:
        AuditService(session).record("encryption", {
            "rows": sum(conversion.rows.values()), "backups": len(conversion.backups)})
    ask.warn(_("{path} was converted to an encrypted file ({rows} rows checked).").format(
        path=database.path, rows=sum(conversion.rows.values())))
    ask.warn(encryption.ssd_notice())
