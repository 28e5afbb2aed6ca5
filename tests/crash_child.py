"""The child process of tests/test_crash.py: the app's save and sync paths, to be killed.

Run as ``python tests/crash_child.py MODE DB [HUB]`` (the repository on PYTHONPATH). It
imports everything, prints ``ready`` and waits for one line on stdin (the parent starts the
next child while the current one works, so imports cost no time). Then it opens the database
with ``open_database``, prints ``opened`` and works until it is killed (printing ``warm``
after its first round, when every statement has been compiled once):

- ``save``: one transaction at a time through ``Services``: start a shift (with staff,
  partner and area links), log observations in it, edit the shift, end it, record a meeting
  with a flagged place and an agreed action. After each commit returns it prints
  ``ack <type> <id> <revision>``.
- ``sync``: logs an observation (``ack observation <id> 1``), then syncs with the folder
  hub ``HUB`` (team key in FIELDAPP_TEAM_KEY) and prints ``synced <bundle>``; again and again.

Every line is flushed at once, so an ack the parent reads was printed after its commit.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sys

from fieldapp.domain.ids import reference_id
from fieldapp.domain.records import FlaggedPlace
from fieldapp.store.database import open_database
from fieldapp.store.services import Services
from fieldapp.store.types import utcnow
from fieldapp.sync.engine import sync
from fieldapp.sync.folder import FolderHub

ALVSJO = reference_id("area", "alvsjo")
ALVSJO_CENTRUM = reference_id("place", "alvsjo-centrum")
LPO = reference_id("partner", "lpo-skarholmen")


def say(*parts) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def save_forever(database) -> None:
    device_id = database.device_id()
    with database.session() as session:
        services = Services(session, device_id)
        category = services.reference.categories()[0].id
        staff = services.staff.list()
        if not staff:
            staff = [services.staff.create(initials="AL", name="Amira Lindqvist")]
        staff_ids = [staff[0].id]
    for n in itertools.count():
        now = utcnow()
        with database.session() as session:
            shift = Services(session, device_id).shifts.create(
                kind="nattvandring", starts_at=now - dt.timedelta(hours=2), area_ids=[ALVSJO],
                staff_ids=staff_ids, partner_ids=[LPO], weather=f"Regn {n}",
                private_notes="Privat " * 20)
        say("ack", "shift", shift.id, shift.meta.revision)
        for m in range(3):
            with database.session() as session:
                obs = Services(session, device_id).observations.create(
                    place_id=ALVSJO_CENTRUM, category_id=category, shift_id=shift.id,
                    observed_at=now - dt.timedelta(minutes=30 + m), people_count=4,
                    youths_present=3, details=f"Iakttagelse {n}.{m} " + "å" * 200)
            say("ack", "observation", obs.id, obs.meta.revision)
        with database.session() as session:
            edited = Services(session, device_id).shifts.update(
                shift.id, summary=f"Lugnt pass {n}", adults_met=n % 50)
        say("ack", "shift", edited.id, edited.meta.revision)
        with database.session() as session:
            ended = Services(session, device_id).shifts.end(
                shift.id, ends_at=now, youth_counts={"13-15|flicka": 2, "16-17|pojke": 3})
        say("ack", "shift", ended.id, ended.meta.revision)
        if n == 0:
            say("warm")
        if n % 3 == 0:
            with database.session() as session:
                services = Services(session, device_id)
                meeting = services.meetings.create(
                    kind="utsattningsmote", held_at=now - dt.timedelta(hours=1),
                    title=f"Möte {n}", staff_ids=staff_ids, partner_ids=[LPO],
                    flags=(FlaggedPlace(ALVSJO_CENTRUM, "Samling"),))
                action = services.actions.create(
                    meeting_id=meeting.id, place_id=ALVSJO_CENTRUM,
                    starts_at=now + dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=3))
            say("ack", "meeting", meeting.id, meeting.meta.revision)
            say("ack", "action", action.id, action.meta.revision)


def sync_forever(database, hub_path: str) -> None:
    device_id = database.device_id()
    key = os.environ["FIELDAPP_TEAM_KEY"].encode()
    with database.session() as session:
        category = Services(session, device_id).reference.categories()[0].id
    for n in itertools.count():
        with database.session() as session:
            obs = Services(session, device_id).observations.create(
                place_id=ALVSJO_CENTRUM, category_id=category,
                observed_at=utcnow() - dt.timedelta(minutes=5), people_count=2,
                youths_present=1, details=f"Synk {n}")
        say("ack", "observation", obs.id, obs.meta.revision)
        report = sync(database, FolderHub(hub_path, key))
        say("synced", report.pushed_to or "-")
        if n == 0:
            say("warm")


def main(argv: list[str]) -> int:
    mode, db_path = argv[1], argv[2]
    say("ready")
    if not sys.stdin.readline():
        return 0
    database = open_database(db_path)
    say("opened")
    if mode == "save":
        save_forever(database)
    elif mode == "sync":
        sync_forever(database, argv[3])
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
