"""Reading a file of the hub folder that anyone with write access may have put there: only a
regular file (no symlink, FIFO, device or folder) of bounded size, read in bounded steps.

A FIFO opened for reading would wait for a writer for ever, ``/dev/zero`` never ends, and a
300 MB file read whole would take that much memory; :func:`read_regular_file` refuses all of
them before reading a byte of their content:

- ``lstat`` first: anything but a regular file (a symlink included, wherever it points) is
  refused without being opened;
- then ``open`` with ``O_NOFOLLOW`` and ``O_NONBLOCK`` where the system has them (so a file
  swapped for a symlink or a FIFO after the ``lstat`` neither follows the link nor blocks),
  and ``fstat`` of what was opened: it must still be a regular file, the same one;
- the size is checked against the limit before reading, and the read stops one byte past
  the limit (a file that grows meanwhile is refused too).

On Windows (no ``O_NOFOLLOW``/``O_NONBLOCK``) the ``lstat`` check and the ``fstat`` after
opening do the same work.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fieldapp.i18n import _

MAX_BUNDLE_BYTES = 64 * 1024 * 1024  # the largest bundle a reader accepts (and a writer writes)
CHUNK_BYTES = 1024 * 1024  # read in steps of this size

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0))


class FileRefused(ValueError):
    """The file is not read; ``str(error)`` says why (for the user)."""


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return _("a symbolic link")
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    return _("not a regular file")


def _not_regular(mode: int) -> FileRefused:
    return FileRefused(_("is {kind}, not a regular file; it is not read").format(kind=_kind(mode)))


def _too_large(size: int, limit: int) -> FileRefused:
    return FileRefused(_("is larger than {limit} MB ({size} bytes); it is not read").format(
        limit=limit // (1024 * 1024), size=size))


def read_regular_file(path: Path | str, limit: int = MAX_BUNDLE_BYTES) -> bytes:
    """The content of ``path`` if it is a regular file of at most ``limit`` bytes; otherwise
    :class:`FileRefused`. OSError (gone, no permission) is raised as it is."""
    before = os.lstat(path)
    if not stat.S_ISREG(before.st_mode):
        raise _not_regular(before.st_mode)
    if before.st_size > limit:
        raise _too_large(before.st_size, limit)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        # ELOOP: swapped for a symlink since the lstat (O_NOFOLLOW); ENXIO: for a socket.
        current = os.lstat(path)
        if not stat.S_ISREG(current.st_mode):
            raise _not_regular(current.st_mode) from exc
        raise
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise _not_regular(opened.st_mode)
        if before.st_ino and (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise FileRefused(_("was replaced while it was opened; it is not read"))
        if opened.st_size > limit:
            raise _too_large(opened.st_size, limit)
        parts: list[bytes] = []
        size = 0
        while True:
            part = os.read(fd, min(CHUNK_BYTES, limit + 1 - size))
            if not part:
                break
            parts.append(part)
            size += len(part)
            if size > limit:
                raise _too_large(size, limit)
        return b"".join(parts)
    finally:
        os.close(fd)
