"""An utsättningsmöte with LPO Skärholmen agrees that the team is at Liljeholmstorget on
Friday 20–24; Friday evening's nattvandring in Liljeholmen covers it, is marked as having
carried it out, and the meetings view then shows the action as "Genomförd"."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from PySide6.QtCore import QDate, QTime, Qt

from fieldapp.domain.ids import reference_id
from fieldapp.domain.weeks import STOCKHOLM
from fieldapp.i18n import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.form_parts import select_data
from fieldapp.ui.views.meetings import MeetingsView
from ui_helpers import save_dialog as save

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 11, 23, 10, 0, tzinfo=UTC)  # Saturday
THURSDAY = dt.datetime(2024, 11, 21, 14, 0, tzinfo=STOCKHOLM)
LILJEHOLMSTORGET = reference_id("place", "liljeholmstorget")
LILJEHOLMEN = reference_id("area", "liljeholmen")
LPO = reference_id("partner", "lpo-skarholmen")


@pytest.fixture
def ctx(database):
    return AppContext.open(database, synchronous=True, clock=lambda: NOW)


@pytest.fixture
def view(qtbot, ctx):
    view = MeetingsView(ctx)
    qtbot.addWidget(view)
    view.resize(1100, 800)
    view.show()
    qtbot.waitExposed(view)
    return view




def check(checklist, item_id) -> None:
    for row in range(checklist.count()):
        if checklist.item(row).data(Qt.ItemDataRole.UserRole) == item_id:
            checklist.item(row).setCheckState(Qt.CheckState.Checked)
            return
    raise AssertionError(f"{item_id} not in the list")


def fill_meeting(qtbot, dialog) -> None:
    dialog.held_at.set_moment(THURSDAY)
    dialog.kind.setCurrentIndex(dialog.kind.findData("utsattningsmote"))
    dialog.title.setText("Utsättningsmöte v. 47")  # QTest types ASCII only
    check(dialog.partners, LPO)
    dialog.situation.insertPlainText("Oro för ungdomssamlingar vid Liljeholmstorget kvällstid.")
    flag = dialog.add_flag()
    select_data(flag.place, LILJEHOLMSTORGET)
    flag.reason.setText("Ungdomssamlingar och misstänkt försäljning")


def add_friday_action(dialog):
    action = dialog.add_action()
    action.target.setCurrentIndex(action.target.findData(f"place:{LILJEHOLMSTORGET}"))
    action.day.setDate(QDate(2024, 11, 22))
    action.start.setTime(QTime(20, 0))
    action.end.setTime(QTime(0, 0))
    select_data(action.partner, LPO)
    return action


def test_agreed_action_carried_out_by_friday_shift_shows_done(qtbot, ctx, db_path, view):
    view.create_new()
    dialog = view.editor
    fill_meeting(qtbot, dialog)
    dialog.situation_shareable.checkbox.setChecked(True)
    add_friday_action(dialog)
    save(qtbot, dialog)
    assert not dialog.isVisible(), (dialog.errors.messages(), dialog.action_errors())

    con = sqlite3.connect(db_path)
    meeting_id, kind, shareable = con.execute(
        "SELECT id, kind, situation_shareable FROM meeting").fetchone()
    assert (kind, shareable) == ("utsattningsmote", 1)
    assert con.execute("SELECT place_id, reason FROM meeting_flag").fetchall() == [
        (LILJEHOLMSTORGET.hex, "Ungdomssamlingar och misstänkt försäljning")]
    assert con.execute("SELECT partner_id FROM meeting_partner").fetchall() == [(LPO.hex,)]
    action = con.execute(
        "SELECT meeting_id, place_id, starts_at, ends_at, responsible_partner_id, status "
        "FROM action").fetchone()
    con.close()
    # Friday 20:00–24:00 in Stockholm is 19:00–23:00 UTC in November.
    assert action == (meeting_id, LILJEHOLMSTORGET.hex, "2024-11-22 19:00:00.000000",
                      "2024-11-22 23:00:00.000000", LPO.hex, "planned")

    assert view.model.rowCount() == 1
    view.select_row(0)
    assert view.actions_model.rowCount() == 1
    status_column = 3
    assert view.actions_model.index(0, status_column).data() == _("Planned")
    assert "Liljeholmstorget" in view.flags_label.text()

    # Friday evening's nattvandring in Liljeholmen covers the action.
    friday = dt.datetime(2024, 11, 22, 19, 0, tzinfo=STOCKHOLM)
    with ctx.services() as services:
        shift = services.shifts.create(kind="nattvandring", starts_at=friday,
                                       ends_at=friday + dt.timedelta(hours=6),
                                       area_ids=[LILJEHOLMEN])
        covered = services.actions.covered_by(shift.id)
        assert [a.place_id for a in covered] == [LILJEHOLMSTORGET]
        services.carried.carry_out(covered[0].id, shift.id)
    ctx.events.changed.emit("action")

    assert view.actions_model.index(0, status_column).data() == "Genomförd"
    carried_out_by = view.actions_model.index(0, 4).data()
    assert "Nattvandring" in carried_out_by and "19:00" in carried_out_by
    assert view.model.index(0, 4).data() == _("{done} of {total} carried out").format(
        done=1, total=1)
    with ctx.services() as services:
        assert services.actions.covered_by(shift.id) == []


def test_a_planned_action_can_be_marked_cancelled(qtbot, db_path, view):
    view.create_new()
    dialog = view.editor
    fill_meeting(qtbot, dialog)
    add_friday_action(dialog)
    save(qtbot, dialog)
    view.select_row(0)
    assert not view.cancel_action_button.isEnabled()
    view.actions_table.setCurrentIndex(view.actions_model.index(0, 0))
    assert view.cancel_action_button.isEnabled()
    view.cancel_action_button.click()
    assert view.actions_model.index(0, 3).data() == "Inställd"
    assert not view.cancel_action_button.isEnabled()
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT status FROM action").fetchall() == [("cancelled",)]
    con.close()


def test_share_checkbox_is_disabled_with_the_reason_while_pii_is_found(qtbot, view):
    view.create_new()
    dialog = view.editor
    share = dialog.situation_shareable
    share.checkbox.setChecked(True)
    qtbot.keyClicks(dialog.situation, "Pojken ringde fran 070-123 45 67 i gar.")
    assert not share.checkbox.isEnabled()
    assert not share.checkbox.isChecked()
    assert share.reason_label.isVisible()
    assert "070-123 45 67" in share.reason_label.text()
    assert _("Looks like a phone number") in share.reason_label.text()
    assert dialog.values()["situation_shareable"] is False

    dialog.situation.setPlainText("Lugnt vid Liljeholmstorget.")
    assert share.checkbox.isEnabled()
    assert not share.reason_label.isVisible()


def test_an_action_without_place_or_area_is_explained_and_nothing_is_saved(qtbot, db_path,
                                                                           view):
    view.create_new()
    dialog = view.editor
    fill_meeting(qtbot, dialog)
    add_friday_action(dialog)
    empty = dialog.add_action()
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert list(dialog.action_errors()) == [1]
    assert dialog.action_errors()[1] == _("Choose a place or an area for the action.")
    assert empty.error.isVisible()
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT count(*) FROM meeting").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM action").fetchone() == (0,)
    con.close()

    # Remove the empty row and the meeting saves.
    empty.remove_button.click()
    save(qtbot, dialog)
    assert not dialog.isVisible()
    assert view.model.rowCount() == 1


def test_a_meeting_far_in_the_future_is_explained_beside_its_time(qtbot, db_path, view):
    view.create_new()
    dialog = view.editor
    fill_meeting(qtbot, dialog)
    dialog.held_at.set_moment(NOW + dt.timedelta(days=10))
    save(qtbot, dialog)
    assert list(dialog.errors.messages()) == ["held_at"]
    assert dialog.errors.messages()["held_at"] == _(
        "The meeting time is more than a day in the future; check the date.")
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT count(*) FROM meeting").fetchone() == (0,)
    con.close()


def test_editing_keeps_actions_and_removing_one_deletes_it(qtbot, ctx, db_path, view):
    view.create_new()
    dialog = view.editor
    fill_meeting(qtbot, dialog)
    add_friday_action(dialog)
    save(qtbot, dialog)
    view.select_row(0)
    view.edit_current()
    dialog = view.editor
    assert len(dialog.action_rows) == 1 and len(dialog.flag_rows) == 1
    assert dialog.action_rows[0].values()["ends_at"] == dt.datetime(2024, 11, 22, 23, 0,
                                                                    tzinfo=UTC)
    dialog.action_rows[0].remove_button.click()
    save(qtbot, dialog)
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT deleted_at IS NOT NULL FROM action").fetchall() == [(1,)]
    con.close()
    assert view.actions_model.rowCount() == 0
