"""The observation tally (migration 0009) held against the rows after every kind of write:
the services (create, edit, move between shifts, delete, restore, a shift moved across a
month's edge or deleted), a sync's apply of a colleague's records, the importer, retention's
purge, plain SQL, and the migration's own fill of an existing file. The rows are counted
here one by one in Python, each observation's month found with zoneinfo, independently of
the triggers' month table (which is checked against Period on its own)."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections import Counter
from contextlib import contextmanager
from zoneinfo import ZoneInfo


from fieldapp.demo import generate_bulk
from fieldapp.domain.periods import Period
from fieldapp.store import migrate
from fieldapp.store.database import open_database
from fieldapp.store.services import Services
from fieldapp.store.services import retention
from fieldapp.sync.engine import sync
from fieldapp.sync.folder import FolderHub
from test_sync_support import TEAM_KEY

UTC = dt.timezone.utc
STHLM = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 6, 10, 12, tzinfo=UTC)


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=STHLM)


def tally(path, connect=sqlite3.connect) -> Counter:
    con = connect(path)
    rows = con.execute("SELECT month, place_id, category_id, severity, observations "
                       "FROM observation_tally").fetchall()
    con.close()
    assert all(n >= 0 for *_key, n in rows), "a count below zero"
    return Counter({tuple(key): n for *key, n in rows if n})


def by_hand(path, connect=sqlite3.connect) -> Counter:
    """Each live observation counted at its Stockholm month: its live shift's start, or its
    own time without a shift."""
    con = connect(path)
    shifts = {sid: (starts, deleted) for sid, starts, deleted in
              con.execute("SELECT id, starts_at, deleted_at FROM shift")}
    rows = con.execute("SELECT shift_id, place_id, category_id, severity, observed_at, "
                       "deleted_at FROM observation").fetchall()
    con.close()
    found = Counter()
    for shift_id, place_id, category_id, severity, observed_at, deleted_at in rows:
        if deleted_at is not None:
            continue
        when = observed_at
        if shift_id is not None:
            if shift_id not in shifts or shifts[shift_id][1] is not None:
                continue
            when = shifts[shift_id][0]
        local = dt.datetime.fromisoformat(when).replace(tzinfo=UTC).astimezone(STHLM)
        found[f"{local.year:04d}-{local.month:02d}", place_id, category_id, severity] += 1
    return found


def holds(path, connect=sqlite3.connect) -> Counter:
    counted = by_hand(path, connect)
    assert tally(path, connect) == counted
    return counted


def test_the_month_table_is_stockholms_months(database):
    con = sqlite3.connect(database.path)
    rows = con.execute("SELECT starts_utc, month FROM stockholm_month ORDER BY starts_utc").fetchall()
    con.close()
    expected = [(Period.month(y, m).start_utc().replace(tzinfo=None).isoformat(sep=" ",
                                                                           timespec="microseconds"),
                 f"{y:04d}-{m:02d}") for y in range(1900, 2200) for m in range(1, 13)]
    assert rows[:-1] == expected
    assert rows[-1] == ("2199-12-31 23:00:00.000000", None)  # no month past the table


@contextmanager
def services(database, now=NOW):
    """One transaction of the services, committed at its end."""
    with database.session() as session:
        yield Services(session, database.device_id(), clock=lambda: now)


def test_every_edit_through_the_services_keeps_the_tally(database):
    with services(database) as svc:
        place, other = (p.id for p in svc.places.list()[:2])
        first, second = (c.id for c in svc.reference.categories()[:2])
        key = (place.hex, first.hex)

        def observe(when, shift=None, severity="low"):
            return svc.observations.create(place_id=place, category_id=first,
                                           observed_at=when, severity=severity,
                                           shift_id=shift.id if shift else None).id

        # A night shift from 31 March to 1 April: everything in it counts in March.
        night = svc.shifts.create(kind="nattvandring", starts_at=local(2026, 3, 31, 22),
                                  ends_at=local(2026, 4, 1, 3))
        late = observe(local(2026, 4, 1, 0, 30), night)
        observe(local(2026, 3, 31, 23), night, "high")
        # Without a shift: the Stockholm month, around the month's edge in UTC.
        edge = observe(local(2026, 4, 1, 0, 0))  # 31 March 22:00 UTC: April
        observe(local(2026, 3, 31, 23, 59))
    counted = holds(database.path)
    assert counted["2026-03", *key, "low"] == 2 and counted["2026-04", *key, "low"] == 1

    with services(database) as svc:
        svc.observations.update(edge, place_id=other, category_id=second, severity="medium",
                                observed_at=local(2026, 5, 2, 12))
        svc.observations.update(late, shift_id=None)  # now counts at its own time: April
    holds(database.path)
    with services(database) as svc:
        svc.observations.update(late, shift_id=night.id)
        svc.observations.delete(edge)
    holds(database.path)
    with services(database) as svc:
        svc.observations.restore(edge)
        svc.shifts.delete(night.id)  # its observations leave March
    assert holds(database.path)["2026-03", *key, "low"] == 1
    with services(database) as svc:
        svc.shifts.restore(night.id)
        svc.shifts.update(night.id, starts_at=local(2026, 4, 1, 0, 15))  # into April
    counted = holds(database.path)
    assert counted["2026-04", *key, "high"] == 1 and not counted["2026-03", *key, "high"]


def test_random_writes_keep_the_tally(database):
    """Two hundred writes drawn at random from every kind the services make, in
    transactions of ten."""
    rng = random.Random(18)
    with services(database) as svc:
        places = [p.id for p in svc.places.list()[:4]]
        categories = [c.id for c in svc.reference.categories()[:3]]
    shifts, observations = {}, {}
    for _transaction in range(20):
        with services(database) as svc:
            for _write in range(10):
                random_write(svc, rng, places, categories, shifts, observations)
        holds(database.path)
    assert sum(holds(database.path).values()) > 20


FIRST_DAY = dt.datetime(2025, 1, 1, tzinfo=STHLM)


def random_write(svc, rng, places, categories, shifts, observations,
                 first=FIRST_DAY, days=500) -> None:
    """``shifts``: {id: deleted}; ``observations``: {id: [shift id or None, deleted]}."""
    start = first + dt.timedelta(hours=rng.randrange(0, days * 24))
    choice = rng.random()
    live_shifts = [s for s, deleted in shifts.items() if not deleted]
    editable = [o for o, (shift, deleted) in observations.items()
                if not deleted and (shift is None or not shifts[shift])]
    if choice < 0.15 or not live_shifts:
        shifts[svc.shifts.create(kind="faltpass", starts_at=start,
                                 ends_at=start + dt.timedelta(hours=4)).id] = False
    elif choice < 0.55:
        shift = rng.choice(live_shifts) if rng.random() < 0.7 else None
        when = svc.shifts.get(shift).starts_at + dt.timedelta(hours=1) if shift else start
        observations[svc.observations.create(
            place_id=rng.choice(places), category_id=rng.choice(categories),
            severity=rng.choice(("low", "medium", "high")), observed_at=when,
            shift_id=shift).id] = [shift, False]
    elif choice < 0.65 and editable:
        target = rng.choice(editable)
        shift = observations[target][0]
        when = svc.shifts.get(shift).starts_at + dt.timedelta(hours=1) if shift else start
        svc.observations.update(target, place_id=rng.choice(places), observed_at=when,
                                severity=rng.choice(("low", "medium", "high")))
    elif choice < 0.75 and observations:
        target = rng.choice(list(observations))
        if observations[target][1]:
            svc.observations.restore(target)
        else:
            svc.observations.delete(target)
        observations[target][1] = not observations[target][1]
    elif choice < 0.88:
        shift = rng.choice(list(shifts))
        (svc.shifts.restore if shifts[shift] else svc.shifts.delete)(shift)
        shifts[shift] = not shifts[shift]
    else:
        shift = svc.shifts.get(rng.choice(live_shifts))
        moved = shift.starts_at + dt.timedelta(days=rng.choice((-1, 1)))  # often another month
        svc.shifts.update(shift.id, starts_at=moved, ends_at=moved + dt.timedelta(hours=4))


def test_plain_sql_keeps_the_tally(database):
    generate_bulk(database, devices=1, weeks=6, observations=300, seed=3, now=NOW)
    counted = holds(database.path)
    con = sqlite3.connect(database.path)
    con.execute("PRAGMA foreign_keys=ON")
    # a whole month's shifts moved back a day, some deleted, then all of them back
    con.execute("UPDATE shift SET starts_at = datetime(starts_at, '-1 day') "
                "WHERE starts_at < (SELECT max(starts_at) FROM shift)")
    con.execute("UPDATE shift SET deleted_at = '2026-06-01 10:00:00.000000' "
                "WHERE rowid % 3 = 0")
    con.commit()
    holds(database.path)
    con.execute("UPDATE shift SET deleted_at = NULL, starts_at = datetime(starts_at, '+1 day') "
                "WHERE starts_at < (SELECT max(starts_at) FROM shift)")
    con.execute("UPDATE observation SET severity = severity, place_id = place_id")
    con.commit()
    assert holds(database.path) == counted
    con.execute("DELETE FROM observation WHERE rowid % 2 = 0")
    con.execute("DELETE FROM shift_staff")
    con.execute("DELETE FROM shift_area")
    con.execute("DELETE FROM shift_partner")
    con.execute("DELETE FROM action_carried_out")
    con.execute("DELETE FROM shift WHERE id NOT IN (SELECT shift_id FROM observation "
                "WHERE shift_id IS NOT NULL)")
    con.commit()
    assert 0 < sum(holds(database.path).values()) < sum(counted.values())
    # Without foreign keys (a person's sqlite3 shell): a shift deleted under its
    # observations takes them out of the count, and one inserted after them brings them in.
    con.execute("PRAGMA foreign_keys=OFF")
    shift = con.execute("SELECT shift_id FROM observation WHERE shift_id IS NOT NULL "
                        "AND deleted_at IS NULL LIMIT 1").fetchone()[0]
    row = con.execute("SELECT * FROM shift WHERE id = ?", (shift,)).fetchone()
    con.execute("DELETE FROM shift WHERE id = ?", (shift,))
    con.commit()
    lower = holds(database.path)
    con.execute(f"INSERT INTO shift VALUES ({', '.join('?' * len(row))})", row)
    con.commit()
    assert sum(lower.values()) < sum(holds(database.path).values())
    con.execute("UPDATE shift SET id = ? WHERE id = ?", ("0" * 32, shift))  # its own go
    con.commit()
    assert holds(database.path) == lower
    con.close()


def test_a_colleagues_records_from_the_hub_keep_the_tally(tmp_path, laptops, hub_path):
    a, b, _c = laptops
    rng = random.Random(7)
    shifts, observations = {}, {}
    with services(a) as svc:
        places = [p.id for p in svc.places.list()[:4]]
        categories = [c.id for c in svc.reference.categories()[:3]]
        for _write in range(80):
            random_write(svc, rng, places, categories, shifts, observations,
                         first=local(2026, 1, 1), days=150)  # within what a sync brings
    for laptop in (a, b):
        sync(laptop, FolderHub(hub_path, TEAM_KEY))
    counted = holds(b.path)
    assert counted == holds(a.path) and sum(counted.values()) >= 10
    with a.session() as session:
        svc = Services(session, a.device_id(), clock=lambda: NOW + dt.timedelta(days=1))
        shift = svc.shifts.list()[0]
        svc.shifts.delete(shift.id)
        observation = next(o for o in svc.observations.list() if o.shift_id != shift.id)
        svc.observations.update(observation.id, severity="high" if observation.severity != "high"
                                else "low")
        session.commit()
    for laptop in (a, b):
        sync(laptop, FolderHub(hub_path, TEAM_KEY))
    assert holds(b.path) == holds(a.path) != counted


def test_retention_keeps_the_tally(database):
    generate_bulk(database, devices=1, weeks=20, observations=1000, seed=5, now=NOW)
    con = sqlite3.connect(database.path)
    for table in ("shift", "observation"):  # as if a hub had them all
        con.execute(f"UPDATE {table} SET acked_revision = revision")
    con.commit()
    con.close()
    before = holds(database.path)
    with database.session() as session:
        counts = retention.run(session, now=NOW + dt.timedelta(days=13 * 30 + 60))
    assert any(c.kind == "observation" and c.count for c in counts)
    after = holds(database.path)
    assert sum(after.values()) < sum(before.values())


def test_the_importer_keeps_the_tally(database, tmp_path):
    from fieldapp.imports import service
    from import_logs import build_workbook
    from openpyxl import load_workbook
    from test_import import JULY_2023, confirmed

    workbook = build_workbook(tmp_path / "logg.xlsx")
    service.run(database, confirmed(service.propose(database, workbook)), apply=True,
                now=JULY_2023)
    assert sum(holds(database.path).values()) == 7
    before = holds(database.path)
    book = load_workbook(workbook)
    book["Maj 2023"]["E4"] = "Klotter"  # the gathering at Älvsjö C was graffiti
    book.save(workbook)
    _plan, edited = service.run(database, confirmed(service.propose(database, workbook)),
                                apply=True, now=JULY_2023)
    assert edited.updated["observation"] == 1
    after = holds(database.path)
    assert sum(after.values()) == 7 and after != before


def test_the_migration_fills_the_tally_of_an_existing_file(database):
    generate_bulk(database, devices=2, weeks=10, observations=800, seed=9, now=NOW)
    con = sqlite3.connect(database.path)  # a deleted shift and a deleted observation
    con.execute("UPDATE shift SET deleted_at = updated_at WHERE rowid = 3")
    con.execute("UPDATE observation SET deleted_at = updated_at WHERE rowid = 5")
    con.commit()
    con.close()
    counted = holds(database.path)
    migrate.downgrade(database.engine, "0008_running_and_live_indexes")
    con = sqlite3.connect(database.path)
    assert not con.execute("SELECT name FROM sqlite_master WHERE name LIKE '%tally%'").fetchall()
    con.close()
    migrate.upgrade(database.engine)
    assert holds(database.path) == counted


def test_encrypting_a_file_keeps_the_tally_and_its_triggers(database):
    """sqlcipher_export copies the triggers after the rows (a trigger copied first would
    count every observation twice), and they keep counting in the encrypted file."""
    from fieldapp.store import encryption

    generate_bulk(database, devices=1, weeks=6, observations=300, seed=4, now=NOW)
    counted = holds(database.path)
    path = database.path
    database.close()
    encryption.encrypt_file(path, "en lång lösenfras")

    def connect(target):
        return encryption.open_verified(target, "en lång lösenfras", readonly=False)

    assert holds(path, connect) == counted
    encrypted = open_database(path, "en lång lösenfras")
    try:
        with services(encrypted) as svc:
            svc.observations.create(place_id=svc.places.list()[0].id,
                                    category_id=svc.reference.categories()[0].id,
                                    observed_at=local(2026, 5, 31, 23, 30))
    finally:
        encrypted.close()
    assert sum(holds(path, connect).values()) == sum(counted.values()) + 1
