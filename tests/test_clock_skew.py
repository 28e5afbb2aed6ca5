"""Clock skew: laptops whose clocks differ by days still converge when they sync; the
revision, not the wall clock, decides.

Device A's clock is a day behind, device B's a day ahead (and a third laptop is right). They
edit a shared place in conflict, through the services with their own clocks, and sync through
a folder hub in every order. Every laptop ends with the same record: the one with the highest
revision, even when a lower revision carries a later time. Only between equal revisions does
the time (then the device id) break the tie, the same way on every laptop.
"""

from __future__ import annotations

import datetime as dt
import itertools

from fieldapp.store.services import Services
from fieldapp.store.types import utcnow
from fieldapp.sync import engine
from fieldapp.sync.folder import FolderHub
from test_sync_support import ALVSJO, ALVSJO_CENTRUM, TEAM_KEY, add_shift, fresh_database, snapshot

DAY = dt.timedelta(days=1)


class SkewedClock:
    """The real time plus ``offset``, ticking a millisecond per reading."""

    def __init__(self, offset: dt.timedelta):
        self.offset = offset
        self.ticks = itertools.count()

    def __call__(self) -> dt.datetime:
        return utcnow() + self.offset + dt.timedelta(milliseconds=next(self.ticks))


class Laptop:
    def __init__(self, folder, index, offset, hub):
        self.database = fresh_database(folder, index)
        self.device_id = self.database.device_id()
        self.clock = SkewedClock(offset)
        self.hub = hub

    def edit_place(self, place_id, **changes):
        with self.database.session() as session:
            return Services(session, self.device_id, self.clock).places.update(place_id, **changes)

    def place(self, place_id):
        with self.database.session() as session:
            return Services(session, self.device_id, self.clock).places.get(place_id)

    def sync(self):
        report = engine.sync(self.database, FolderHub(self.hub, TEAM_KEY, clock=self.clock),
                             clock=self.clock)
        assert report.refused == []
        return report


def make_laptops(tmp_path):
    hub = tmp_path / "hub"
    hub.mkdir()
    return [Laptop(tmp_path, n, offset, hub) for n, offset in enumerate((-DAY, DAY, dt.timedelta(0)))]


def sync_all(laptops, rounds=2):
    for _round in range(rounds):
        for laptop in laptops:
            laptop.sync()


def test_the_highest_revision_wins_over_the_latest_clock(tmp_path):
    behind, ahead, right = laptops = make_laptops(tmp_path)
    try:
        with behind.database.session() as session:
            place = Services(session, behind.device_id, behind.clock).places.create(
                name="Trekanten", area_id=ALVSJO, hotspot_status="watched")
        sync_all(laptops)
        assert ahead.place(place.id).name == "Trekanten"

        # Conflict: the laptop a day behind edits three times, the one a day ahead once.
        for status in ("active", "watched", "active"):
            behind.edit_place(place.id, hotspot_status=status, name="Trekanten (A)")
        ahead.edit_place(place.id, hotspot_status="closed", name="Trekanten (B)")
        assert ahead.place(place.id).revision == 2 and behind.place(place.id).revision == 4
        for order in ([ahead, behind, right], [behind, ahead, right]):
            sync_all(order)
        for laptop in laptops:
            record = laptop.place(place.id)
            assert (record.revision, record.name, record.hotspot_status) == (4, "Trekanten (A)", "active")

        # The laptop ahead edits on top of revision 4: revision 5 wins everywhere.
        ahead.edit_place(place.id, name="Trekanten (B igen)")
        # ...and the one behind, unaware, edits its revision 4 once more: also 5, a tie that
        # the later time (the laptop ahead) breaks the same way on every laptop.
        behind.edit_place(place.id, name="Trekanten (A igen)")
        sync_all([behind, right, ahead])
        states = [snapshot(laptop.database) for laptop in laptops]
        assert states[0] == states[1] == states[2]
        for laptop in laptops:
            record = laptop.place(place.id)
            assert (record.revision, record.name) == (5, "Trekanten (B igen)")
    finally:
        for laptop in laptops:
            laptop.database.close()


def test_reference_place_and_own_records_converge_across_skewed_clocks(tmp_path):
    behind, ahead, right = laptops = make_laptops(tmp_path)
    try:
        # A reference place every laptop already has, edited in conflict.
        behind.edit_place(ALVSJO_CENTRUM, hotspot_status="active")
        behind.edit_place(ALVSJO_CENTRUM, hotspot_status="watched")
        ahead.edit_place(ALVSJO_CENTRUM, hotspot_status="closed")
        right.edit_place(ALVSJO_CENTRUM, hotspot_status="active")
        # Shifts logged with each laptop's own (wrong) clock: each arrives everywhere as it was.
        shifts = [add_shift(laptop.database, clock=laptop.clock).id for laptop in laptops]
        sync_all(laptops, rounds=3)
        states = [snapshot(laptop.database) for laptop in laptops]
        assert states[0] == states[1] == states[2]
        for laptop in laptops:
            assert laptop.place(ALVSJO_CENTRUM).hotspot_status == "watched"  # revision 3
            with laptop.database.session() as session:
                ids = {s.id for s in Services(session, laptop.device_id).shifts.list()}
            assert set(shifts) <= ids
        # The shift of the laptop a day ahead starts "tomorrow" for the one behind, and keeps
        # its time.
        starts = {laptop.device_id: None for laptop in laptops}
        with behind.database.session() as session:
            for shift in Services(session, behind.device_id).shifts.list():
                starts[shift.meta.device_id] = shift.starts_at
        assert starts[ahead.device_id] - starts[behind.device_id] > DAY
    finally:
        for laptop in laptops:
            laptop.database.close()
