"""The data file's backups: where they are, how they are named, which ones this version can
open. The lowest part of the backup code, so that opening, encryption and recovery can all
list backups without importing each other.

A backup of ``faltlogg.sqlite`` is ``backups/faltlogg.<revision>.<stamp>.sqlite`` beside it
(``revision`` the database revision of the copy, ``new`` for a new file; ``stamp`` the local
time it was taken).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from fieldapp.store import migrate

BACKUP_FOLDER = "backups"
STAMP_FORMAT = "%Y%m%d-%H%M%S-%f"


@dataclass(frozen=True)
class Backup:
    path: Path
    revision: str  # the database revision of the copy ("new": made of a new file)
    taken_at: dt.datetime  # local time of the laptop when the copy was made (naive)

    @property
    def usable(self) -> bool:
        """Whether this version of the app can open the copy."""
        return self.revision == "new" or migrate.is_known(self.revision)


# -- listing --------------------------------------------------------------------------------

def backup_folder(db_path: Path) -> Path:
    return Path(db_path).parent / BACKUP_FOLDER


def _parse_backup(db_path: Path, candidate: Path) -> Backup | None:
    suffix = db_path.suffix or ".sqlite"
    name = candidate.name
    prefix = f"{db_path.stem}."
    if not (name.startswith(prefix) and name.endswith(suffix)) or not candidate.is_file():
        return None
    middle = name[len(prefix): len(name) - len(suffix)]
    revision, _sep, stamp = middle.rpartition(".")
    if not revision or "." in revision:
        return None
    try:
        taken_at = dt.datetime.strptime(stamp, STAMP_FORMAT)
    except ValueError:
        return None
    return Backup(path=candidate, revision=revision, taken_at=taken_at)


def list_backups(db_path: Path | str) -> list[Backup]:
    """The backups of the database at ``db_path``, newest first."""
    db_path = Path(db_path).expanduser()
    folder = backup_folder(db_path)
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    found = [b for b in (_parse_backup(db_path, entry) for entry in entries) if b is not None]
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def latest_backup(db_path: Path | str) -> Backup | None:
    """The newest backup this version of the app can open (None: there is none)."""
    return next((b for b in list_backups(db_path) if b.usable), None)
