"""Writing a file so that it is either the old one or the whole new one, never half of it.

The data goes to a temporary file in the target's folder (same file system, so the rename is
atomic), is flushed and fsynced, and then ``os.replace`` puts it in place; the folder is
fsynced too where the system allows it. On any failure the temporary file is removed and the
target is left as it was.

Mode: by default the file is created for its owner only (0600; a stricter umask makes it
stricter still), because what the app writes (reports, audit logs, database files) is about
people. ``mode=None`` leaves it to the umask like ``open()`` does (hub bundles, which the
other devices of the team read through a shared folder).

:func:`write_bytes` takes the bytes; :func:`write_with` a writer callback that streams into
the open file (openpyxl, ReportLab, a copy); :func:`commit` is the last step alone, for a
temporary file another program wrote (SQLCipher's export of a database). The lowest layer:
imports nothing from the app.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

PRIVATE = 0o600
TEMP_SUFFIX = ".tmp"


def temp_name(path: Path) -> Path:
    """A fresh temporary name beside ``path`` (hidden, ending in ``.tmp``)."""
    return path.parent / f".{path.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}"


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename) to disk; not every file system allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def commit(temp: Path, path: Path, *, exclusive: bool = False) -> None:
    """Put the complete file ``temp`` in the place of ``path``: fsync it, rename, fsync the
    folder. ``exclusive``: never replace an existing ``path`` (FileExistsError); ``temp`` is
    then removed either way."""
    fsync_file(temp)
    if exclusive:
        try:
            try:
                os.link(temp, path)
            except FileExistsError:
                raise
            except OSError:  # no hard links (FAT, some network shares): check, then rename
                if path.exists():
                    raise FileExistsError(str(path)) from None
                os.replace(temp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
    else:
        os.replace(temp, path)
    fsync_dir(path.parent if str(path.parent) else Path("."))


def write_with(path: Path | str, writer: Callable[[BinaryIO], object], *,
               mode: int | None = PRIVATE, exclusive: bool = False,
               before_replace: Callable[[], object] | None = None) -> Path:
    """Write ``path`` atomically through ``writer(file)``.

    ``before_replace`` runs after the new file is complete and flushed, just before it is
    put in place (e.g. setting the old file aside). Returns ``path``."""
    path = Path(path)
    temp = temp_name(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            writer(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if before_replace is not None:
            before_replace()
        commit(temp, path, exclusive=exclusive)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return path


def write_bytes(path: Path | str, data: bytes, *, mode: int | None = PRIVATE,
                exclusive: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (see the module). Returns ``path``."""
    return write_with(path, lambda fh: fh.write(data), mode=mode, exclusive=exclusive)
