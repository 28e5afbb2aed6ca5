"""The app's log file: every logger under ``fieldapp`` writes to a rotated file in the user's
log folder (``fieldapp.paths.user_log_dir()``), so an unexpected error can be looked at later.

Qt-free. :func:`setup_logging` is idempotent: calling it again (or with the same folder) adds
no second handler; calling it with another folder moves the log there. :func:`log_file` tells
where the log is (for the message shown after an unexpected error).

The log never holds record text: the database engine hides SQL parameters in its errors
(``hide_parameters``, :func:`fieldapp.store.database.make_engine`), so a failed save of a
private note logs the statement, not the note. The log file and its rotated copies are
created for their owner only (0600, or stricter under a stricter umask); an older log made
readable by others is narrowed when it is opened.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import stat
import tempfile
from pathlib import Path

from fieldapp.paths import user_log_dir

LOG_NAME = "faltlogg.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
LOGGER = "fieldapp"
PRIVATE = 0o600
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d %(threadName)s] %(message)s"


class _AppLogHandler(logging.handlers.RotatingFileHandler):
    """Marks the handler this module installed; opens its file for the owner only."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE)
        try:
            mode = stat.S_IMODE(os.fstat(fd).st_mode)
            if mode & ~PRIVATE:  # an older log, or one made by another program: narrow it
                os.chmod(self.baseFilename, mode & PRIVATE)
            return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)
        except BaseException:
            os.close(fd)
            raise


def _handler() -> _AppLogHandler | None:
    return next((h for h in logging.getLogger(LOGGER).handlers if isinstance(h, _AppLogHandler)),
                None)


def log_file() -> Path | None:
    """The file the app logs to, or None before :func:`setup_logging`."""
    handler = _handler()
    return Path(handler.baseFilename) if handler is not None else None


def setup_logging(folder: Path | str | None = None, *, level: int = logging.INFO) -> Path:
    """Log ``fieldapp.*`` to ``<folder>/faltlogg.log`` (default: the user's log folder),
    rotated at 1 MB with 5 old files kept; returns the log file's path.

    A folder that cannot be made (read-only home, full disk) falls back to the temporary
    folder, so logging never stops the app from starting.
    """
    target_folder = Path(folder).expanduser() if folder is not None else user_log_dir()
    logger = logging.getLogger(LOGGER)
    current = _handler()
    wanted = (target_folder / LOG_NAME).resolve()
    if current is not None and Path(current.baseFilename) == wanted:
        logger.setLevel(min(logger.level or level, level))
        return wanted
    try:
        target_folder.mkdir(parents=True, exist_ok=True)
        handler = _AppLogHandler(wanted, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                 encoding="utf-8", delay=False)
    except OSError:
        fallback = Path(tempfile.gettempdir()) / "faltlogg-logs"
        fallback.mkdir(parents=True, exist_ok=True)
        wanted = (fallback / LOG_NAME).resolve()
        handler = _AppLogHandler(wanted, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                 encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    if current is not None:
        logger.removeHandler(current)
        current.close()
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return wanted


def stop_logging() -> None:
    """Remove and close the file handler (tests; the end of the app)."""
    handler = _handler()
    if handler is not None:
        logging.getLogger(LOGGER).removeHandler(handler)
        handler.close()
