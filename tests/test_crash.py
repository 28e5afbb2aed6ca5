"""Crash safety: the save and sync paths killed with SIGKILL at random moments.

A child process (tests/crash_child.py) opens the database with ``open_database`` and saves
through ``Services`` one transaction at a time, printing an ack after each commit returns;
another variant logs and syncs with a folder hub. The parent kills it after a random 5–150 ms
(counted from the start of ``open_database`` in some runs, in the others from the end of the
child's first round of work, when it is warm)
and checks, after every kill:

- every record whose save was acked is there, at least at the acked revision;
- ``PRAGMA integrity_check`` is ok, and the next child opens the file with ``open_database``;
- every ``*.bundle`` in the hub parses and verifies (temporary files may remain; readers
  ignore them);
- the next sync completes, with nothing refused, and brings every acked record to the other
  device.

One child per kill; the next child is started (and has imported everything) while the
current one works, so 200 kills take about two minutes.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from fieldapp.store.database import open_database
from fieldapp.store.services import Services
from fieldapp.sync import engine
from fieldapp.sync.device_keys import decode_registration
from fieldapp.sync.bundle import decode_bundle, parse_bundle_name
from fieldapp.sync.folder import FolderHub
from test_sync_support import TEAM_KEY

CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parent.parent
TABLES = {"shift", "observation", "meeting", "action"}


class Child:
    """One crash_child.py process, started and waiting (imports done) for ``go``."""

    def __init__(self, mode: str, db: Path, hub: Path | None = None):
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                   FIELDAPP_TEAM_KEY=TEAM_KEY.decode())
        args = [sys.executable, str(CHILD), mode, str(db)] + ([str(hub)] if hub else [])
        self.process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True,
                                        encoding="utf-8", bufsize=1)
        self.lines: list[str] = []
        self.output = ""

    def wait_for(self, word: str) -> None:
        while True:
            line = self.process.stdout.readline()
            if not line:
                self.process.wait(10)
                raise AssertionError(f"child ended before {word!r}: {self.process.stderr.read()}")
            self.lines.append(line)
            if line.strip() == word:
                return

    def go(self) -> None:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def kill(self) -> list[tuple[str, str, int]]:
        """SIGKILL; returns the acks (type, id, revision) it printed before it died."""
        self.process.send_signal(signal.SIGKILL)
        rest = self.process.stdout.read()
        self.process.wait(10)
        stderr = self.process.stderr.read()
        assert self.process.returncode == -signal.SIGKILL, stderr  # it did not fail by itself
        text = self.output = "".join(self.lines) + rest
        acks = []
        for line in text.splitlines(keepends=True):
            parts = line.split()
            if line.endswith("\n") and len(parts) == 4 and parts[0] == "ack":
                acks.append((parts[1], parts[2], int(parts[3])))
        return acks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()


def check_file(db: Path, acked: dict[tuple[str, str], int]) -> None:
    con = sqlite3.connect(db)  # a normal connection: rolls the WAL forward, as the app does
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        found = {}
        for table in TABLES:
            for row_id, revision in con.execute(f"SELECT id, revision FROM {table}"):
                found[(table, row_id)] = revision
    finally:
        con.close()
    lost = {key: rev for key, rev in acked.items() if found.get(key, 0) < rev}
    assert not lost, f"acked but lost: {sorted(lost.items())[:5]} ({len(lost)} in all)"


def check_bundles(hub: Path, verified: set[Path]) -> int:
    """Every bundle file verifies; temporary files are never named like one. Returns the
    number of temporary files lying about (left by a push that was killed)."""
    temporary = 0
    for path in sorted((hub / "devices").glob("*/*")):
        if path in verified:
            continue
        seq = parse_bundle_name(path.name)
        if seq is None:
            assert path.name.startswith(".") and path.name.endswith(".tmp"), path
            temporary += 1
            continue
        device = uuid.UUID(path.parent.name)
        registration = hub / "keys" / f"{device}.json"
        trust = (decode_registration(registration.read_bytes(), TEAM_KEY, device)
                 if registration.exists() else None)
        decode_bundle(path.read_bytes(), TEAM_KEY, device_id=device, seq=seq, trust=trust)
        verified.add(path)
    return temporary


def kill_loop(tmp_path: Path, mode: str, kills: int, seed: int) -> dict:
    rng = random.Random(seed)
    db = tmp_path / "laptop.sqlite"
    open_database(db).close()
    hub = None
    other = None
    if mode == "sync":
        hub = tmp_path / "hub"
        hub.mkdir()
        other = open_database(tmp_path / "other.sqlite")
    acked: dict[tuple[str, str], int] = {}
    verified: set[Path] = set()
    stats = {"acks": 0, "kills_in_open": 0, "synced": 0, "temp_files_seen": 0}
    child = Child(mode, db, hub)
    try:
        child.wait_for("ready")
        for _round in range(kills):
            early = rng.random() < 0.2  # count the delay from the start of open_database
            following = Child(mode, db, hub)  # imports while the current one works
            child.go()
            if not early:
                child.wait_for("warm")
            else:
                stats["kills_in_open"] += 1
            time.sleep(rng.uniform(0.005, 0.150))
            acks = child.kill()
            stats["synced"] += sum(line.startswith("synced ") for line in child.output.splitlines())
            child.stop()
            for kind, record_id, revision in acks:
                key = (kind, uuid.UUID(record_id).hex)
                acked[key] = max(acked.get(key, 0), revision)
            stats["acks"] += len(acks)
            check_file(db, acked)
            if hub is not None:
                stats["temp_files_seen"] = max(stats["temp_files_seen"], check_bundles(hub, verified))
                report = engine.sync(other, FolderHub(hub, TEAM_KEY))
                assert report.refused == [], report.refused
            child = following
            child.wait_for("ready")
    finally:
        child.stop()
    # The app opens the file, and (sync) the next sync of both devices completes and brings
    # every acked record over.
    database = open_database(db)
    try:
        with database.session() as session:
            services = Services(session, database.device_id())
            assert len(services.shifts.list()) >= len({k for k in acked if k[0] == "shift"})
        if hub is not None:
            report = engine.sync(database, FolderHub(hub, TEAM_KEY))
            assert report.refused == []
            report = engine.sync(other, FolderHub(hub, TEAM_KEY))
            assert report.refused == []
            check_bundles(hub, verified)
            check_file(other.path, {k: v for k, v in acked.items()})
    finally:
        database.close()
        if other is not None:
            other.close()
    assert stats["acks"] > 0
    print(mode, stats)
    return stats


def test_killed_while_saving_loses_nothing_acked(tmp_path):
    kill_loop(tmp_path, "save", kills=5, seed=1)


def test_killed_while_syncing_leaves_no_half_bundle(tmp_path):
    kill_loop(tmp_path, "sync", kills=5, seed=2)


@pytest.mark.slow
def test_two_hundred_kills(tmp_path):
    """200 kills: 120 while saving, 80 while logging and syncing."""
    (tmp_path / "save").mkdir()
    (tmp_path / "sync").mkdir()
    saving = kill_loop(tmp_path / "save", "save", kills=120, seed=2024)
    syncing = kill_loop(tmp_path / "sync", "sync", kills=80, seed=1122)
    assert saving["acks"] > 120
    assert syncing["synced"] > 0  # some syncs completed between the kills
