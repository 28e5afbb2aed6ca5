"""One sync at a time per data file: an OS file lock beside the data file
(``<file>.sync-lock``), taken by :func:`fieldapp.sync.service.audited_sync` for both clients.

A second sync of the same file (the window's automatic sync while a command-line run goes
on, or two command-line runs) waits for the lock a few seconds, then stops with
:class:`SyncRunning`; it never pushes a second bundle of the same records next to the first.

The lock is the operating system's (``flock`` on Linux and macOS, ``msvcrt.locking`` on
Windows), so it is released when the process ends, even when it is killed; the lock file
itself stays (removing it would let a third run lock a new file while the second still
holds the old one). Written here over the standard library rather than with the
``filelock`` package: it is the same two system calls and a wait, and the Windows installer
needs one dependency less. A lock on a network drive's data file is only as good as the
drive's locking; the data file is meant to be local.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from fieldapp.i18n import _
from fieldapp.sync.hub import HubError

LOCK_SUFFIX = ".sync-lock"
LOCK_WAIT_SECONDS = 5.0
_POLL_SECONDS = 0.05

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


class SyncRunning(HubError):
    """Another sync of this data file holds the lock; nothing was changed."""


def lock_path(data_path: Path | str) -> Path:
    path = Path(data_path)
    return path.with_name(path.name + LOCK_SUFFIX)


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:  # BlockingIOError on POSIX, PermissionError on Windows: held elsewhere
        return False
    return True


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


@contextlib.contextmanager
def sync_lock(data_path: Path | str, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the sync lock of the data file at ``data_path``; wait up to ``wait`` seconds for
    a sync that holds it, then raise :class:`SyncRunning`."""
    path = lock_path(data_path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as exc:
        raise HubError(_("The sync lock {file} cannot be made: {error}").format(
            file=path, error=exc.strerror or exc)) from exc
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise SyncRunning(_("A sync of this file is already running (in the window or "
                                    "another command). Wait until it has finished; nothing "
                                    "was changed."))
            time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
