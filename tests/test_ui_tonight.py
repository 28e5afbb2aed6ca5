"""Idag shows tonight's agreed actions: start a shift from one, end it and see the action
carried out, undo it; the weekly log counts carried out vs agreed."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt

from PySide6.QtCore import Qt

from fieldapp.domain.records import FlaggedPlace
from fieldapp.domain.weeks import IsoWeek
from fieldapp.reports.summary import build_week_summary
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import ALVSJO, ALVSJO_AIK, ALVSJO_CENTRUM, hexid, query


def agree_action_tonight(ctx, clock):
    with ctx.services() as services:
        meeting = services.meetings.create(
            kind="utsattningsmote", held_at=clock() - dt.timedelta(days=1),
            flags=[FlaggedPlace(ALVSJO_CENTRUM, "Samling")])
        return services.actions.create(
            meeting_id=meeting.id, place_id=ALVSJO_CENTRUM,
            starts_at=clock() + dt.timedelta(hours=1), ends_at=clock() + dt.timedelta(hours=5),
            responsible_partner_id=ALVSJO_AIK)


def test_start_a_shift_from_tonights_action_and_see_it_carried_out(qtbot, window, ctx, clock,
                                                                    staff_ids, db_path):
    action = agree_action_tonight(ctx, clock)
    today = window.show_page("today")
    box = today.tonight
    assert box.table.rowCount() == 1
    cells = [box.table.item(0, c).text() for c in range(4)]
    assert cells == ["Älvsjö centrum", "20:00–00:00", "Älvsjö AIK nattvandrare", "Planerad"]
    assert box.start_button.isEnabled() and not box.undo_button.isEnabled()

    qtbot.mouseClick(box.start_button, Qt.MouseButton.LeftButton)
    dialog = today.last_dialog
    assert dialog.areas.checked_ids() == [ALVSJO]  # the action's area
    dialog.staff.set_checked(staff_ids)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert window.running is not None
    assert not box.start_button.isEnabled()  # one shift at a time

    clock.advance(hours=4)
    end = window.end_shift()
    assert end.action_list.checked_ids() == [action.id]
    qtbot.mouseClick(end.end_button, Qt.MouseButton.LeftButton)
    (action_id, shift_id, deleted), = query(
        db_path, "SELECT action_id, shift_id, deleted_at FROM action_carried_out")
    assert action_id == hexid(action.id) and deleted is None
    qtbot.waitUntil(lambda: box.table.item(0, 3).text() == "Genomförd")
    assert box.undo_button.isEnabled()

    with ctx.database.session() as session:
        week = build_week_summary(session, IsoWeek.of(clock()), "team", ctx.device_id)
    assert (week.key.actions_done, week.key.actions_agreed) == (1, 1)

    qtbot.mouseClick(box.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.table.item(0, 3).text() == "Planerad")
    (deleted,), = query(db_path, "SELECT deleted_at FROM action_carried_out")
    assert deleted is not None


def test_no_actions_tonight_says_so(qtbot, window, ctx, clock):
    with ctx.services() as services:
        meeting = services.meetings.create(kind="utsattningsmote", held_at=clock())
        services.actions.create(meeting_id=meeting.id, place_id=ALVSJO_CENTRUM,
                                starts_at=clock() + dt.timedelta(days=3),
                                ends_at=clock() + dt.timedelta(days=3, hours=3))
    today = window.show_page("today")
    today.reload()
    assert today.tonight.table.rowCount() == 0
    assert today.tonight.empty.isVisibleTo(today)
