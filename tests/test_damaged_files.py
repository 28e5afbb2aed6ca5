"""Damaged files and failing disks: each gets a clear message that says what happened and
what to do, the file is left as it was, and the window offers to restore the latest backup.

Faults tried: a truncated file, an overwritten header, an overwritten page in the middle, an
emptied file, a deleted ``-wal`` after a crash, a file from a newer version, a full disk (by
fault injection through the services and the window, and for real on a 4 MB tmpfs), and a
read-only data folder (by fault injection, and for real on a tmpfs remounted read-only; chmod
does not bind root). Opening goes through ``fieldapp.store.recovery.open_checked``, the call
the window makes at start-up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from fieldapp.store import migrate, recovery
from fieldapp.store.database import NewerDatabaseError, backup_file, open_database
from fieldapp.store.models import Base
from fieldapp.store.recovery import (
    DamagedDatabaseError,
    StorageProblemError,
    list_backups,
    open_checked,
    restore_latest,
    storage_problem,
)
from fieldapp.store.services import Services
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import ALVSJO

ROOT = Path(__file__).resolve().parent.parent
UTC = dt.timezone.utc
NOW = dt.datetime(2024, 11, 22, 20, 0, tzinfo=UTC)


# -- helpers --------------------------------------------------------------------------------

def add_shifts(database, count: int, notes: str = "") -> list[uuid.UUID]:
    ids = []
    with database.session() as session:
        services = Services(session, database.device_id(), clock=lambda: NOW)
        for n in range(count):
            ids.append(services.shifts.create(kind="nattvandring", starts_at=NOW - dt.timedelta(hours=n + 1),
                                              weather=f"Regn {n}", private_notes=notes).id)
    return ids


def shift_count(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT COUNT(*) FROM shift").fetchone()[0]
    finally:
        con.close()


def row_counts(database) -> dict[str, int]:
    with database.session() as session:
        return {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables}


@pytest.fixture
def saved_file(tmp_path) -> Path:
    """A database with two shifts and a backup of it, then a third shift after the backup."""
    path = tmp_path / "data" / "faltlogg.sqlite"
    database = open_database(path)
    add_shifts(database, 2)
    database.close()
    backup_file(path, migrate.head_revision())
    database = open_database(path)
    add_shifts(database, 1)
    database.close()
    assert shift_count(path) == 3
    return path


def refused_untouched(path: Path, expected=DamagedDatabaseError) -> str:
    """Opening ``path`` is refused with ``expected``; the file keeps every byte. Returns the
    message."""
    before = path.read_bytes()
    with pytest.raises(expected) as info:
        open_checked(path)
    assert path.read_bytes() == before, "the file was changed"
    return str(info.value)


def restore_through_the_dialog(qtbot, path: Path, error) -> None:
    """The dialog shows the message and "Återställ senaste säkerhetskopian (<date>)"; pressing
    it puts the backup in place and keeps the damaged file beside it."""
    from fieldapp.ui.dialogs.recovery import RecoveryDialog

    damaged = path.read_bytes()
    backup = recovery.latest_backup(path)
    dialog = RecoveryDialog(path, error)
    qtbot.addWidget(dialog)
    assert dialog.message.text() == str(error)
    assert dialog.restore_button.text() == (
        f"Återställ senaste säkerhetskopian ({backup.taken_at:%Y-%m-%d %H:%M})")
    assert dialog.quit_button.text() == "Avsluta"
    dialog.restore_button.click()
    assert dialog.restored is not None
    aside = [p for p in path.parent.iterdir() if p.name.startswith(path.name + ".damaged-")]
    assert [p.read_bytes() for p in aside] == [damaged]  # kept, byte for byte
    assert backup.path.exists()  # the backup itself stays
    database = open_checked(path)  # and the app opens the restored file
    try:
        assert shift_count(path) == 2  # what was saved up to the backup
    finally:
        database.close()


# -- damaged files --------------------------------------------------------------------------

def test_truncated_file(qtbot, saved_file):
    data = saved_file.read_bytes()
    saved_file.write_bytes(data[: len(data) // 2])
    message = refused_untouched(saved_file, (DamagedDatabaseError,))
    assert str(saved_file) in message and "skadad" in message and "säkerhetskopia" in message
    with pytest.raises(DamagedDatabaseError) as info:
        open_checked(saved_file)
    restore_through_the_dialog(qtbot, saved_file, info.value)


def test_overwritten_header(qtbot, saved_file):
    data = bytearray(saved_file.read_bytes())
    data[:100] = b"\x00" * 100
    saved_file.write_bytes(bytes(data))
    message = refused_untouched(saved_file, recovery.NotADatabaseError)
    assert "inte en Fältlogg-databas" in message
    with pytest.raises(recovery.NotADatabaseError) as info:
        open_checked(saved_file)
    restore_through_the_dialog(qtbot, saved_file, info.value)


def test_overwritten_page_in_the_middle(qtbot, saved_file):
    """The first page reads fine (so a plain look at the schema passes), a later one not."""
    con = sqlite3.connect(saved_file)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'shift'").fetchone()[0]
    con.close()
    data = bytearray(saved_file.read_bytes())
    start = (root - 1) * page_size
    data[start:start + page_size] = b"\xa5" * page_size
    saved_file.write_bytes(bytes(data))
    message = refused_untouched(saved_file)
    assert "skadad" in message
    with pytest.raises(DamagedDatabaseError) as info:
        open_checked(saved_file)
    restore_through_the_dialog(qtbot, saved_file, info.value)


def test_emptied_file_is_not_taken_for_a_new_one(qtbot, saved_file):
    """A file cut to 0 bytes (its content lost) with backups beside it is not silently
    started afresh as an empty database."""
    saved_file.write_bytes(b"")
    message = refused_untouched(saved_file)
    assert "tom" in message
    with pytest.raises(DamagedDatabaseError) as info:
        open_checked(saved_file)
    restore_through_the_dialog(qtbot, saved_file, info.value)


CRASH_AFTER_CHECKPOINT = """
import datetime as dt, os, signal, sys
from fieldapp.store.database import open_database
from fieldapp.store.services import Services
database = open_database(sys.argv[1])
device = database.device_id()
def add(n):
    with database.session() as session:
        Services(session, device).shifts.create(
            kind="faltpass", starts_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1),
            weather=f"{sys.argv[2]} {n}")
for n in range(3):
    add(n)
with database.engine.connect() as connection:
    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
for n in range(3, 5):
    add(n)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_missing_wal_after_a_crash(tmp_path):
    """Killed mid-work, then the -wal file deleted: what was committed before the last
    checkpoint survives, the file is sound and the app opens it."""
    path = tmp_path / "faltlogg.sqlite"
    open_database(path).close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", CRASH_AFTER_CHECKPOINT, str(path), "före"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    wal.unlink()
    database = open_checked(path)
    try:
        with database.session() as session:
            weathers = sorted(r.weather for r in Services(session, database.device_id()).shifts.list())
        assert weathers == ["före 0", "före 1", "före 2"]
        add_shifts(database, 1)  # and it takes new saves
    finally:
        database.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()


def test_file_from_a_newer_version(qtbot, saved_file):
    con = sqlite3.connect(saved_file)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    # A backup made by that newer version is not offered; the one this version can open is.
    backup_file(saved_file, "9999_from_the_future")
    message = refused_untouched(saved_file, NewerDatabaseError)
    assert "nyare version" in message and "Uppdatera" in message
    assert recovery.latest_backup(saved_file).revision == migrate.head_revision()
    with pytest.raises(NewerDatabaseError) as info:
        open_checked(saved_file)
    restore_through_the_dialog(qtbot, saved_file, info.value)


# -- full disk and read-only folder by fault injection --------------------------------------

@contextlib.contextmanager
def failing_writes(engine, message: str, *, table: str = "", after: int = 0):
    """SQLite fails writes (to ``table``, after ``after`` good ones) with ``message``, as
    it does on a full disk or a read-only folder."""
    seen = {"writes": 0}

    def before(conn, cursor, statement, parameters, context, executemany):
        words = statement.lstrip().split(None, 3)
        if words and words[0].upper() in ("INSERT", "UPDATE", "DELETE") and table in statement:
            seen["writes"] += 1
            if seen["writes"] > after:
                raise sqlite3.OperationalError(message)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


FAULTS = {
    "full": ("database or disk is full", "är full"),
    "read-only": ("attempt to write a readonly database", "skrivskyddad"),
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("after", [0, 1, 2])  # the shift row, a link row, a later link row
def test_failing_disk_saves_nothing_half(database, fault, after):
    sqlite_message, swedish = FAULTS[fault]
    with database.session() as session:
        services = Services(session, database.device_id(), clock=lambda: NOW)
        staff = [services.staff.create(initials=i, name=f"Person {i}").id for i in ("AL", "JB")]
    before = row_counts(database)
    with failing_writes(database.engine, sqlite_message, after=after):
        with pytest.raises((OperationalError, sqlite3.OperationalError)) as info:
            with database.session() as session:
                Services(session, database.device_id(), clock=lambda: NOW).shifts.create(
                    kind="nattvandring", starts_at=NOW, staff_ids=staff, area_ids=[ALVSJO])
    assert row_counts(database) == before  # nothing half-saved
    message = storage_problem(info.value)
    assert swedish in message.lower() and "inget sparades" in message.lower()


@pytest.mark.parametrize("fault", FAULTS)
def test_failing_disk_in_the_window_keeps_the_form(qtbot, ctx, fault):
    """Start shift on a failing disk: a calm box says what happened; the form stays open
    with what was entered; nothing is saved."""
    from fieldapp.ui.dialogs.start_shift import StartShiftDialog

    sqlite_message, swedish = FAULTS[fault]
    dialog = StartShiftDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.areas.set_checked([ALVSJO])
    dialog.staff.set_checked(dialog.staff.ids()[:1])  # a shift is started with somebody on it
    before = row_counts(ctx.database)
    with failing_writes(ctx.database.engine, sqlite_message, table="shift_area"):
        dialog.start_button.click()
    boxes = dialog.findChildren(QMessageBox)
    assert len(boxes) == 1 and swedish in boxes[0].text().lower()
    assert boxes[0].windowTitle() == "Inget sparades"
    assert dialog.isVisible() and dialog.areas.checked_ids() == [ALVSJO]
    assert row_counts(ctx.database) == before
    boxes[0].close()
    dialog.start_button.click()  # the disk is fine again: the same form saves
    assert not dialog.isVisible()
    assert row_counts(ctx.database)["shift"] == before["shift"] + 1


@pytest.mark.parametrize("fault", FAULTS)
def test_failing_disk_while_opening(tmp_path, monkeypatch, fault):
    """A new file on a full disk or in a read-only folder: refused with a clear message;
    no restore is offered (it would not help)."""
    sqlite_message, swedish = FAULTS[fault]
    import fieldapp.store.database as database_module

    real = database_module.make_engine

    def make_engine(path, *args, **kwargs):
        engine = real(path, *args, **kwargs)
        event.listen(engine, "before_cursor_execute", lambda *a: (_ for _ in ()).throw(
            sqlite3.OperationalError(sqlite_message)))
        return engine

    monkeypatch.setattr(database_module, "make_engine", make_engine)
    path = tmp_path / "faltlogg.sqlite"
    with pytest.raises(StorageProblemError) as info:
        open_checked(path)
    assert swedish in str(info.value).lower() and str(tmp_path) in str(info.value)
    assert not recovery.restore_may_help(info.value)


# -- full disk and read-only folder for real (tmpfs; needs root and mount) ------------------

@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.strip() or result.returncode}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def test_full_disk_for_real(small_disk):
    path = small_disk / "faltlogg.sqlite"
    database = open_database(path)
    try:
        add_shifts(database, 2)
        filler = small_disk / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as fh:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        before = row_counts(database)
        failure = None
        saves = 0
        for _round in range(200):
            try:
                add_shifts(database, 1, notes="anteckning " * 800)
                saves += 1
            except Exception as exc:  # noqa: BLE001 - the point of the test
                failure = exc
                break
        assert failure is not None, "the disk never filled up"
        message = storage_problem(failure)
        assert message is not None and "disken är full" in message.lower(), repr(failure)
        filler.unlink()  # space again: the file is sound and takes the save
        saved = row_counts(database)["shift"]
        assert saved == before["shift"] + saves  # every save that returned, nothing of the failed one
        add_shifts(database, 1)
        assert row_counts(database)["shift"] == saved + 1
    finally:
        database.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()


def test_read_only_folder_for_real(small_disk):
    path = small_disk / "faltlogg.sqlite"
    database = open_database(path)
    add_shifts(database, 2)
    database.close()
    before = path.read_bytes()
    result = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot remount read-only: {result.stderr.strip()}")
    try:
        try:
            database = open_checked(path)
        except StorageProblemError as exc:
            # Opening already needs to write (the WAL index): the message says why.
            assert "skrivskyddad" in str(exc) and str(small_disk) in str(exc), str(exc)
            assert not recovery.restore_may_help(exc)
        else:
            try:
                with pytest.raises(Exception) as info:
                    add_shifts(database, 1)
                assert "skrivskyddad" in (storage_problem(info.value) or ""), repr(info.value)
            finally:
                database.close()
        assert path.read_bytes() == before
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], capture_output=True)
    assert shift_count(path) == 2


# -- the recovery module and dialog ---------------------------------------------------------

def test_backups_are_found_newest_first_and_junk_ignored(tmp_path):
    path = tmp_path / "my.data.sqlite"
    open_database(path).close()
    first = backup_file(path, "0001")
    second = backup_file(path, migrate.head_revision())
    folder = tmp_path / "backups"
    (folder / "my.data.0001.not-a-stamp.sqlite").write_bytes(b"")
    (folder / "other.0001.20240101-000000-000000.sqlite").write_bytes(b"")
    (folder / "notes.txt").write_text("x")
    found = list_backups(path)
    assert [b.path for b in found] == [second, first]
    assert found[1].revision == "0001"


def test_restore_never_deletes_and_moves_the_log_aside(tmp_path, saved_file):
    for suffix in ("-wal", "-shm"):
        saved_file.with_name(saved_file.name + suffix).write_bytes(b"stale " + suffix.encode())
    damaged = saved_file.read_bytes()
    everything_before = {p.name for p in saved_file.parent.rglob("*")}
    restored = restore_latest(saved_file)
    names = {p.name for p in saved_file.parent.rglob("*")}
    assert everything_before <= names | {p.name for p in restored.set_aside} | {saved_file.name + "-wal",
                                                                                  saved_file.name + "-shm"}
    assert len(restored.set_aside) == 3
    assert restored.set_aside[0].read_bytes() == damaged
    assert not saved_file.with_name(saved_file.name + "-wal").exists()  # never replayed onto the copy
    assert shift_count(saved_file) == 2
    shutil.rmtree(saved_file.parent / "backups")  # (the test's own clean-up check follows)
    assert restored.set_aside[0].exists()


def test_quit_leaves_everything(qtbot, saved_file):
    from fieldapp.ui.dialogs.recovery import RecoveryDialog

    saved_file.write_bytes(saved_file.read_bytes()[:5000])
    with pytest.raises(DamagedDatabaseError) as info:
        open_checked(saved_file)
    names = sorted(p.name for p in saved_file.parent.iterdir())
    dialog = RecoveryDialog(saved_file, info.value)
    qtbot.addWidget(dialog)
    dialog.quit_button.click()
    assert dialog.restored is None
    assert sorted(p.name for p in saved_file.parent.iterdir()) == names


def test_no_backup_no_restore_button(qtbot, tmp_path):
    from fieldapp.ui.dialogs.recovery import RecoveryDialog

    path = tmp_path / "faltlogg.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    with pytest.raises(DamagedDatabaseError) as info:
        open_checked(path)
    dialog = RecoveryDialog(path, info.value)
    qtbot.addWidget(dialog)
    assert dialog.restore_button is None
    assert "ingen säkerhetskopia" in dialog.advice.text().lower()


def test_a_daily_backup_is_made_once_a_day(tmp_path):
    path = tmp_path / "faltlogg.sqlite"
    database = open_database(path)
    add_shifts(database, 1)
    revision = database.revision()
    first = recovery.ensure_recent_backup(path, revision)
    assert first is not None and shift_count(first) == 1
    assert recovery.ensure_recent_backup(path, revision) is None  # one a day is enough
    tomorrow = lambda: dt.datetime.now() + dt.timedelta(days=1, minutes=1)  # noqa: E731 - a one-line clock
    second = recovery.ensure_recent_backup(path, revision, now=tomorrow)
    assert second is not None and first.exists()
    database.close()


def test_offer_recovery_returns_true_after_a_restore(qtbot, saved_file):
    """The call the window makes at start-up: blocking, True when the backup is in place."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from fieldapp.ui.dialogs.recovery import RecoveryDialog, offer_recovery

    saved_file.write_bytes(b"")
    with pytest.raises(DamagedDatabaseError) as info:
        open_checked(saved_file)

    def press_restore():
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, RecoveryDialog)]
        if not dialogs:
            QTimer.singleShot(20, press_restore)
            return
        dialogs[0].restore_button.click()

    QTimer.singleShot(0, press_restore)
    assert offer_recovery(saved_file, info.value) is True
    open_checked(saved_file).close()
