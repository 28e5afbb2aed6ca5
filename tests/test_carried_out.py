"""Two laptops, one meeting: laptop A records the utsättningsmöte with an agreed action; laptop
B syncs it, and B's nattvandring carries the action out through the real end-shift dialog.
After B and then A sync, both see the action carried out by B's shift (issue 16, item 0).
And the demo runs on a laptop that holds a colleague's meetings."""

from __future__ import annotations

import datetime as dt
import sqlite3

from PySide6.QtCore import Qt
from sqlalchemy import select

from fieldapp.demo import generate_demo
from fieldapp.domain.records import FlaggedPlace
from fieldapp.domain.weeks import IsoWeek
from fieldapp.reports.summary import build_week_summary
from fieldapp.store import queries
from fieldapp.store.models import ActionCarriedOut
from fieldapp.store.services import Services
from fieldapp.store.types import utcnow
from fieldapp.sync.engine import sync
from fieldapp.sync.folder import FolderHub
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.end_shift import EndShiftDialog
from test_sync_support import ALVSJO, ALVSJO_CENTRUM, TEAM_KEY, fresh_database
from ui_helpers import Clock, hexid


def _sync(database, hub):
    report = sync(database, FolderHub(hub, TEAM_KEY))
    assert not report.refused, report.refused
    return report


def test_a_colleagues_action_is_carried_out_on_another_laptop_and_seen_on_both(qtbot, qapp, tmp_path):
    hub = tmp_path / "hub"
    hub.mkdir()
    a, b = fresh_database(tmp_path, 0), fresh_database(tmp_path, 1)
    try:
        now = utcnow().replace(second=0, microsecond=0)
        with a.session() as session:
            services = Services(session, a.device_id())
            meeting = services.meetings.create(
                kind="utsattningsmote", held_at=now - dt.timedelta(days=1), title="Utsättning",
                flags=[FlaggedPlace(ALVSJO_CENTRUM, "Samling kvällstid")])
            action = services.actions.create(
                meeting_id=meeting.id, place_id=ALVSJO_CENTRUM, starts_at=now - dt.timedelta(hours=2),
                ends_at=now + dt.timedelta(hours=2), note="Gemensam närvaro")
        _sync(a, hub)
        assert _sync(b, hub).pulled.get("action") == 1

        with b.session() as session:
            services = Services(session, b.device_id())
            services.settings.set_device_name("Laptop B")
            staff = services.staff.create(initials="JB", name="Jonas Berg")
            shift = services.shifts.create(kind="nattvandring", starts_at=now - dt.timedelta(hours=3),
                                           staff_ids=[staff.id], area_ids=[ALVSJO])
        ctx = AppContext.open(b, synchronous=True, clock=Clock(now))
        dialog = EndShiftDialog(ctx, shift.id)
        qtbot.addWidget(dialog)
        # The colleague's action is offered, ticked, and saving it ends the shift.
        assert dialog.action_list.ids() == [action.id]
        assert dialog.action_list.checked_ids() == [action.id]
        with qtbot.waitSignal(dialog.saved):
            qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
        assert dialog.form.general.text() == ""
        with b.session() as session:
            assert Services(session, b.device_id()).shifts.get(shift.id).ends_at == now

        assert _sync(b, hub).pushed.get("action_carried_out") == 1
        assert _sync(a, hub).pulled.get("action_carried_out") == 1

        for laptop in (a, b):
            with laptop.session() as session:
                services = Services(session, laptop.device_id())
                seen = services.actions.get(action.id)
                assert (seen.status, seen.carried_out_shift_id, seen.carried_out_by,
                        seen.carried_out_at) == ("done", shift.id, b.device_id(), now)
                assert seen.meta.device_id == a.device_id() and seen.meta.revision == 1
                # The meetings page: "1 of 1 carried out", by B's nattvandring.
                row, = queries.meeting_actions(session, meeting.id)
                assert (row.status, row.carried_out_shift_id, row.carried_out_device_id,
                        row.shift_kind) == ("done", shift.id, b.device_id(), "nattvandring")
                page = queries.meeting_page(session)
                assert [(m.action_count, m.done_count) for m in page.rows] == [(1, 1)]
                # The weekly report's meetings section and its figures.
                summary = build_week_summary(session, IsoWeek.of(meeting.held_at), "team",
                                             laptop.device_id())
                line, = [x for m in summary.meetings for x in m.actions]
                assert line.status == "done" and line.carried_out_on is not None
                assert summary.key.actions_done == 1 and summary.key.actions_planned == 0
        with b.session() as session:
            summary = build_week_summary(session, IsoWeek.of(meeting.held_at), "team", b.device_id())
            assert [x.carried_out_by for m in summary.meetings for x in m.actions] == ["Laptop B"]

        # Undo on B is a tombstone that reaches A: planned again on both.
        with b.session() as session:
            Services(session, b.device_id()).carried.undo(action.id, shift.id)
        _sync(b, hub)
        _sync(a, hub)
        for laptop in (a, b):
            with laptop.session() as session:
                assert Services(session, laptop.device_id()).actions.get(action.id).status == "planned"
    finally:
        a.close()
        b.close()


def test_the_demo_runs_on_a_laptop_that_holds_a_colleagues_meetings(tmp_path):
    hub = tmp_path / "hub"
    hub.mkdir()
    a, b = fresh_database(tmp_path, 0), fresh_database(tmp_path, 1)
    try:
        a_id, b_id = hexid(a.device_id()), hexid(b.device_id())
        now = utcnow()  # recent: a sync drops what is past the retention limit
        generate_demo(a, seed=3, weeks=2, now=now)
        with a.session() as session:  # A's own shifts did not get there: all still planned
            services = Services(session, a.device_id())
            for carried in session.scalars(select(ActionCarriedOut)).all():
                services.carried.undo(carried.action_id, carried.shift_id)
        _sync(a, hub)
        _sync(b, hub)
        result = generate_demo(b, seed=3, weeks=2, now=now)  # same places: covers A's actions
        assert result.counts["shifts"] > 0
    finally:
        a.close()
        b.close()
    con = sqlite3.connect(b.path)
    try:
        # Every demo week is there on B (nothing half-written), B's own and A's meetings.
        owners = dict(con.execute("SELECT device_id, COUNT(*) FROM meeting GROUP BY device_id"))
        assert owners == {a_id: 2, b_id: 2}
        # B carried out some of A's actions, with records of its own; A's actions are unchanged.
        carried_of_a = con.execute(
            "SELECT COUNT(*) FROM action_carried_out c JOIN action x ON x.id = c.action_id "
            "WHERE x.device_id = ? AND c.device_id = ?", (a_id, b_id)).fetchone()[0]
        assert carried_of_a >= 1
        assert con.execute("SELECT COUNT(*) FROM action WHERE device_id = ? AND revision != 1",
                           (a_id,)).fetchone()[0] == 0
    finally:
        con.close()
