"""Issue 14: one sync at a time per data file, a busy data file is a clear message, and
laptops released together against one folder hub all converge. Real processes running
``fieldapp sync``, real SQLite files, a real hub folder."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading

import pytest
from sqlalchemy import select

from fieldapp.store.models import Shift
from fieldapp.store.services.audit import AuditService
from fieldapp.sync.engine import sync
from fieldapp.sync.folder import FolderHub
from fieldapp.sync.run_lock import SyncRunning, sync_lock
from fieldapp.sync.service import DatabaseBusy, audited_sync
from test_sync_support import TEAM_KEY, add_shift, fresh_database, snapshot

ALREADY_RUNNING = "pågår redan"


def cli_sync(database, hub_path) -> subprocess.Popen:
    env = dict(os.environ, FIELDAPP_TEAM_KEY=TEAM_KEY.decode())
    return subprocess.Popen([sys.executable, "-m", "fieldapp", "--lang", "sv", "--db",
                             str(database.path), "sync", "--hub", str(hub_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def own_bundles(hub_path, database):
    return sorted((hub_path / "devices" / str(database.device_id())).glob("*.bundle"))


def test_a_second_sync_of_the_file_waits_then_says_one_is_running(tmp_path, hub_path):
    database = fresh_database(tmp_path, 0)
    add_shift(database)
    try:
        with sync_lock(database.path):  # a sync of this file (e.g. the window's) is running
            process = cli_sync(database, hub_path)
            out, err = process.communicate(timeout=120)
        assert process.returncode == 1
        assert ALREADY_RUNNING in err and "Traceback" not in err
        assert own_bundles(hub_path, database) == []
        process = cli_sync(database, hub_path)  # once it has finished, the next one runs
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert len(own_bundles(hub_path, database)) == 1
    finally:
        database.close()


def test_two_command_line_syncs_at_once_push_one_bundle_and_no_traceback(tmp_path, hub_path):
    database = fresh_database(tmp_path, 0)
    for _n in range(30):
        add_shift(database)
    try:
        processes = [cli_sync(database, hub_path) for _n in range(2)]
        results = [(p.wait(timeout=180), p.stderr.read()) for p in processes]
        for process in processes:
            process.stdout.close()
            process.stderr.close()
        for code, err in results:
            assert "Traceback" not in err
            assert code == 0 or (code == 1 and ALREADY_RUNNING in err), err
        assert len(own_bundles(hub_path, database)) == 1  # never a second bundle of the same
        with database.session() as session:  # each run is in the audit log
            assert len(AuditService(session).list(kinds=["sync"])) == 2
    finally:
        database.close()


def test_the_window_and_the_command_line_share_the_lock(tmp_path, hub_path):
    database = fresh_database(tmp_path, 0)
    try:
        with sync_lock(database.path):
            with pytest.raises(SyncRunning) as caught:
                audited_sync(database, str(hub_path), TEAM_KEY, lock_wait=0.1)
        assert "already running" in str(caught.value) or ALREADY_RUNNING in str(caught.value)
        with database.session() as session:  # the run is in the audit log, with its reason
            entries = AuditService(session).list(kinds=["sync"])
            assert [str(caught.value)] == [e.details.get("error") for e in entries]
        assert audited_sync(database, str(hub_path), TEAM_KEY).hub == str(hub_path)
    finally:
        database.close()


def test_a_data_file_locked_for_writing_too_long_is_a_clear_message(tmp_path, hub_path,
                                                                    monkeypatch):
    monkeypatch.setattr("fieldapp.store.database.BUSY_TIMEOUT_MS", 200)
    database = fresh_database(tmp_path, 0)
    add_shift(database)
    other = sqlite3.connect(database.path, timeout=0.1)  # another program holds the write lock
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseBusy) as caught:
            audited_sync(database, str(hub_path), TEAM_KEY)
        assert "upptagen" in str(caught.value) and "0.2 sekunder" in str(caught.value)
    finally:
        other.rollback()
        other.close()
    try:
        report = audited_sync(database, str(hub_path), TEAM_KEY)  # free again: it syncs
        assert report.pushed == {"shift": 1}
    finally:
        database.close()


def test_six_laptops_released_together_all_converge(tmp_path, hub_path):
    laptops = [fresh_database(tmp_path, n) for n in range(6)]
    try:
        expected = set()
        for database in laptops:
            for _n in range(3):
                expected.add(add_shift(database).id)
        barrier = threading.Barrier(len(laptops))
        errors: list[BaseException] = []

        def work(database):
            try:
                barrier.wait(timeout=60)
                audited_sync(database, str(hub_path), TEAM_KEY)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(d,), daemon=True) for d in laptops]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not any(t.is_alive() for t in threads) and errors == []
        for database in laptops:  # one more round each: everyone has everyone's bundle
            sync(database, FolderHub(hub_path, TEAM_KEY))
        for database in laptops:
            assert len(own_bundles(hub_path, database)) == 1  # no duplicate push
            with database.session() as session:
                ids = list(session.scalars(select(Shift.id)))
            assert len(ids) == len(set(ids)) and set(ids) == expected  # nothing lost
        first = snapshot(laptops[0])
        assert all(snapshot(database) == first for database in laptops[1:])
    finally:
        for database in laptops:
            database.close()
