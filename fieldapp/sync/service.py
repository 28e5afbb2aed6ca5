"""Syncing with a hub, for both clients (the ``sync`` command and the window's Synk page):
make the hub a target names (a folder or a ``postgresql://`` URL), run an audited sync, and
show a target without its password. Qt-free."""

from __future__ import annotations

from pathlib import Path

from fieldapp.i18n import _
from fieldapp.sync.hub import HubError

POSTGRES_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_postgres_url(target: str) -> bool:
    return target.startswith(POSTGRES_PREFIXES)


def make_hub(target: str, key: bytes):
    """A hub for ``target``: a folder path or a ``postgresql://`` URL. A path that is a file
    is refused with :class:`HubError` (it is there, but it is not a folder)."""
    if is_postgres_url(target):
        from fieldapp.sync.postgres import PostgresHub

        return PostgresHub(target.replace("postgresql+psycopg://", "postgresql://", 1))
    from fieldapp.sync.folder import FolderHub

    path = Path(target).expanduser()
    if path.exists() and not path.is_dir():
        raise HubError(_("The hub {path} is a file, not a folder. The hub is a shared folder "
                         "(or a postgresql:// URL): choose the folder itself. Nothing was "
                         "changed.").format(path=path))
    return FolderHub(path, key)


def redact_target(target: str) -> str:
    """The hub as it may be logged: a PostgreSQL URL without its password."""
    if is_postgres_url(target):
        from fieldapp.sync.postgres import redact

        return redact(target)
    return target


class DatabaseBusy(HubError):
    """The data file stayed locked for writing longer than the busy timeout."""


def busy_error() -> DatabaseBusy:
    from fieldapp.store.database import BUSY_TIMEOUT_MS

    return DatabaseBusy(_("The data file is busy: another program has kept it locked for "
                          "writing for more than {seconds} seconds. What was synced so far "
                          "is kept; close the other program or try again shortly.").format(
                              seconds=f"{BUSY_TIMEOUT_MS / 1000:g}"))


def _audit(database, **details) -> None:
    """Record the run; a data file too busy for that leaves the run unrecorded rather than
    turning a clear message into a traceback."""
    from sqlalchemy.exc import OperationalError

    from fieldapp.store.services.audit import record_sync_run
    from fieldapp.sync.pull import database_busy

    try:
        with database.session() as session:
            record_sync_run(session, **details)
    except OperationalError as exc:
        if not database_busy(exc):
            raise


def audited_sync(database, target: str, key: bytes, *, lock_wait: float | None = None,
                 **options):
    """Connect to the hub and sync, one sync of this data file at a time
    (:mod:`fieldapp.sync.run_lock`: a second one waits a few seconds, then raises
    :class:`~fieldapp.sync.run_lock.SyncRunning`); a data file locked for writing too long
    raises :class:`DatabaseBusy`; both are :class:`HubError`. Every run, failed or not,
    leaves an audit entry (counts only, the hub without its password). Used by the command
    line and the window."""
    from sqlalchemy.exc import OperationalError

    from fieldapp.sync.engine import sync
    from fieldapp.sync.pull import database_busy
    from fieldapp.sync.run_lock import LOCK_WAIT_SECONDS, sync_lock

    hub = redact_target(target)
    try:
        with sync_lock(database.path, LOCK_WAIT_SECONDS if lock_wait is None else lock_wait):
            try:
                report = sync(database, make_hub(target, key), **options)
            except OperationalError as exc:
                if database_busy(exc):
                    raise busy_error() from exc
                raise
    except BaseException as exc:
        _audit(database, hub=hub, error=str(exc) or type(exc).__name__)
        raise
    _audit(database, hub=hub, pushed=report.pushed, pulled=report.pulled,
           refused=len(report.refused), cancelled=bool(report.cancelled))
    return report
