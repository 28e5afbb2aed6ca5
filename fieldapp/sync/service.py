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


def audited_sync(database, target: str, key: bytes, **options):
    """Connect to the hub and sync; every run, failed or not, leaves an audit entry
    (counts only, the hub without its password). Used by the command line and the window."""
    from fieldapp.store.services.audit import record_sync_run
    from fieldapp.sync.engine import sync

    try:
        report = sync(database, make_hub(target, key), **options)
    except BaseException as exc:
        with database.session() as session:
            record_sync_run(session, hub=redact_target(target), error=str(exc) or type(exc).__name__)
        raise
    with database.session() as session:
        record_sync_run(session, hub=redact_target(target), pushed=report.pushed,
                        pulled=report.pulled, refused=len(report.refused),
                        cancelled=bool(report.cancelled))
    return report
