"""Data sets made with the demo generator's bulk mode, cached per scale in a folder."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from fieldapp.demo import generate_bulk
from fieldapp.store.database import open_database
from fieldapp.store.migrate import HEAD_REVISION

def _anchor(today: dt.date) -> dt.datetime:
    """The last Wednesday noon (UTC) up to today: one "now" for a whole run.

    The data sets end at the last complete week before it. They must be recent: the app
    deletes records older than its retention limit (13 months by default) when it starts,
    so a data set anchored at a fixed date would be emptied by the first start a year on."""
    wednesday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=2)
    if wednesday > today:  # Monday or Tuesday: last week's Wednesday, never a future "now"
        wednesday -= dt.timedelta(days=7)
    return dt.datetime.combine(wednesday, dt.time(12), tzinfo=dt.timezone.utc)


NOW = _anchor(dt.datetime.now(dt.timezone.utc).date())
# The app's clock in every measure (FIELDAPP_NOW for a started window): Wednesday noon of the
# data's last week, so the current week is a busy one (900 shifts in the city-year set), as a
# user's week is, not the empty week after the data end.
BUSY_NOW = NOW - dt.timedelta(days=7)
# The passphrase of the encrypted copies: the app encrypts by default, so users have those.
PASSPHRASE = "bench-passphrase-19"
ENCRYPTED = ":encrypted"  # the key of a data set's encrypted copy in the measures' data


@dataclass(frozen=True)
class Spec:
    name: str
    devices: int
    weeks: int
    observations: int


SCALES: dict[str, dict[str, Spec]] = {
    "full": {
        "team-week": Spec("team-week", devices=5, weeks=1, observations=3_000),
        "team-year": Spec("team-year", devices=5, weeks=52, observations=150_000),
        "city-year": Spec("city-year", devices=150, weeks=52, observations=1_000_000),
    },
    # The full team sets; the team-year set also stands in for the city-year one (the bench
    # says so in RESULTS.md): a quicker run, mostly for trying a change (the city-year set
    # builds in about two minutes; a whole full run takes about half an hour).
    "team": {
        "team-week": Spec("team-week", devices=5, weeks=1, observations=3_000),
        "team-year": Spec("team-year", devices=5, weeks=52, observations=150_000),
        "city-year": Spec("team-year", devices=5, weeks=52, observations=150_000),
    },
    "smoke": {
        "team-week": Spec("team-week", devices=2, weeks=1, observations=200),
        "team-year": Spec("team-year", devices=2, weeks=4, observations=1_000),
        "city-year": Spec("city-year", devices=4, weeks=4, observations=3_000),
    },
}


def build(folder: Path, spec: Spec, *, fresh: bool = False) -> Path:
    """The database file for ``spec`` in ``folder``, made once and reused."""
    folder.mkdir(parents=True, exist_ok=True)
    year, week, _day = NOW.isocalendar()
    # The schema's revision in the name: a set made before a migration is made again.
    path = folder / (f"{spec.name}-{spec.devices}d-{spec.weeks}w-{spec.observations}o-"
                     f"to-{year}-W{week:02d}-{HEAD_REVISION.split('_')[0]}.sqlite")
    done = path.with_suffix(".done")
    if fresh or not done.exists():
        for stale in folder.glob(path.name + "*"):
            stale.unlink()
        if (folder / "backups").exists():
            shutil.rmtree(folder / "backups")
        database = open_database(path)
        try:
            generate_bulk(database, devices=spec.devices, weeks=spec.weeks,
                          observations=spec.observations, seed=1, now=NOW)
            with database.engine.begin() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                connection.exec_driver_sql("ANALYZE")
        finally:
            database.close()
        done.write_text("ok")
    return path


def copy_of(path: Path, target: Path) -> Path:
    """A private copy for measures that write, so the cached set stays as made."""
    shutil.copyfile(path, target)
    return target


def build_encrypted(plain: Path, *, fresh: bool = False) -> Path:
    """An encrypted copy of the data set at ``plain`` (SQLCipher, :data:`PASSPHRASE`), made
    once the way the app converts a file, and reused."""
    from fieldapp.store.encryption import encrypt_file

    path = plain.with_name(plain.stem + ".encrypted.sqlite")
    done = path.with_suffix(".done")
    if fresh or not done.exists():
        path.unlink(missing_ok=True)
        shutil.copyfile(plain, path)
        encrypt_file(path, PASSPHRASE, include_backups=False)
        done.write_text("ok")
    return path
