"""The field worker's fast path, driven through real widgets on a real SQLite file: start a
nattvandring, log observations with the keyboard, end the shift with who was met."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldapp.domain.enums import AgeBand, Gender
from fieldapp.domain.ids import reference_id
from fieldapp.domain.records import FlaggedPlace
from fieldapp.domain.validation import youth_key
from fieldapp.ui.dialogs.end_shift import EndShiftDialog
from fieldapp.ui.dialogs.quick_observation import QuickObservationDialog
from fieldapp.ui.dialogs.start_shift import StartShiftDialog
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import ALVSJO, ALVSJO_AIK, ALVSJO_CENTRUM, activate, focused, hexid, press, query, type_text

CATEGORY = {"n": reference_id("category", "narkotikaforsaljning"),
            "u": reference_id("category", "ungdomssamling")}


def start_nattvandring(qtbot, window, staff_ids) -> None:
    today = window.show_page("today")
    assert today.start_button.isVisible()
    qtbot.mouseClick(today.start_button, Qt.MouseButton.LeftButton)
    dialog = today.last_dialog
    assert isinstance(dialog, StartShiftDialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("nattvandring"))
    dialog.areas.set_checked([ALVSJO])
    dialog.staff.set_checked(staff_ids)
    dialog.partners.set_checked([ALVSJO_AIK])
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert window.running is not None


def log_with_keyboard(qtbot, window, letters: str, hotkey: str) -> QuickObservationDialog:
    """Ctrl+N, type ``letters``, Enter, the category's key, Enter: returns the dialog."""
    QApplication.processEvents()
    if QApplication.activeWindow() is not window:  # offscreen has no window manager to
        activate(qtbot, window)  # give the focus back when a dialog closes
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.last_dialog
    assert isinstance(dialog, QuickObservationDialog) and dialog.isVisible()
    keystrokes = 0
    place = focused(qtbot)
    assert place is dialog.place, "Ctrl+N must put the focus in the place field"
    keystrokes += type_text(place, letters)
    press(qtbot, Qt.Key.Key_Return)
    keystrokes += 1
    assert focused(qtbot) is dialog.category
    press(qtbot, hotkey)
    keystrokes += 1
    press(qtbot, Qt.Key.Key_Return)
    keystrokes += 1
    assert keystrokes <= 6
    return dialog


def test_story_nattvandring_in_alvsjo(qtbot, window, ctx, clock, staff_ids, db_path):
    start_nattvandring(qtbot, window, staff_ids)
    assert "Nattvandring" in window.shift_status.text()

    for minutes, hotkey in ((35, "n"), (50, "u")):
        clock.advance(minutes=minutes)
        log_with_keyboard(qtbot, window, "älv", hotkey)
        qtbot.waitUntil(lambda: not window.last_dialog.isVisible())

    today = window.page("today")
    assert today.table.rowCount() == 2
    assert today.table.item(0, 1).text() == "Älvsjö centrum"
    assert today.table.item(0, 2).text() == "Narkotikaförsäljning"
    assert today.table.item(1, 2).text() == "Ungdomssamling"

    clock.advance(hours=5)  # 01:00
    qtbot.mouseClick(today.end_button, Qt.MouseButton.LeftButton)
    dialog = today.last_dialog
    assert isinstance(dialog, EndShiftDialog)
    dialog.youth_spins[youth_key(AgeBand.AGE_16_17, Gender.BOY)].setValue(8)
    girls = dialog.youth_spins[youth_key(AgeBand.AGE_13_15, Gender.GIRL)]
    girls.setFocus()
    girls.selectAll()
    qtbot.keyClicks(girls, "6")
    assert girls.value() == 6
    assert "14" in dialog.youth_total.text()
    qtbot.keyClicks(dialog.summary, "Lugnt vid centrum, bra samtal.")
    dialog.share.setChecked(True)
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    assert window.running is None
    assert window.shift_status.text() == "Inget pågående pass"

    shifts = query(db_path, "SELECT id, kind, ends_at, youth_counts, summary, summary_shareable "
                            "FROM shift WHERE deleted_at IS NULL")
    assert len(shifts) == 1
    shift_id, kind, ends_at, youth_counts, summary, shareable = shifts[0]
    assert kind == "nattvandring" and ends_at is not None
    assert sum(json.loads(youth_counts).values()) == 14
    assert summary == "Lugnt vid centrum, bra samtal." and shareable == 1
    assert sorted(r[0] for r in query(db_path, "SELECT staff_id FROM shift_staff")) == \
        sorted(hexid(i) for i in staff_ids)
    assert query(db_path, "SELECT partner_id FROM shift_partner") == [(hexid(ALVSJO_AIK),)]
    assert query(db_path, "SELECT area_id FROM shift_area") == [(hexid(ALVSJO),)]
    observations = query(db_path, "SELECT shift_id, place_id, category_id, severity, people_count "
                                  "FROM observation ORDER BY observed_at")
    assert observations == [
        (shift_id, hexid(ALVSJO_CENTRUM), hexid(CATEGORY["n"]), "low", 1),
        (shift_id, hexid(ALVSJO_CENTRUM), hexid(CATEGORY["u"]), "low", 1),
    ]


def test_observation_in_six_keystrokes_without_shift(qtbot, window, db_path):
    log_with_keyboard(qtbot, window, "älv", "n")
    rows = query(db_path, "SELECT o.shift_id, p.name, o.category_id FROM observation o "
                          "JOIN place p ON p.id = o.place_id")
    assert len(rows) == 1
    shift_id, place_name, category_id = rows[0]
    assert shift_id is None
    assert "Älvsjö" in place_name
    assert category_id == hexid(CATEGORY["n"])


def test_recent_places_come_first(qtbot, window, ctx, clock):
    with ctx.services() as services:
        place = next(p for p in services.places.list() if p.name == "Älvsjö torg")
        services.observations.create(place_id=place.id, category_id=CATEGORY["u"],
                                     observed_at=clock.advance(minutes=-10))
    clock.advance(minutes=10)
    dialog = window.new_observation()
    assert dialog.places[0].name == "Älvsjö torg"
    type_text(dialog.place, "älv")
    qtbot.keyClick(dialog.place, Qt.Key.Key_Return)
    assert dialog.place.text() == "Älvsjö torg"


def test_observation_errors_beside_fields_nothing_saved(qtbot, window, clock, db_path):
    dialog = window.new_observation()
    qtbot.keyClicks(dialog.place, "xyzzy")
    qtbot.keyClick(dialog.place, Qt.Key.Key_Return)
    assert "xyzzy" in dialog.form.label("place_id").text()
    assert dialog.form.label("place_id").isVisible()
    # Save anyway: no place, no category, more youths than people.
    dialog.youths.setValue(5)
    qtbot.keyClick(dialog.place, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    messages = dialog.form.messages()
    assert messages["place_id"] == "Välj en plats i listan."
    assert messages["category_id"] == "Välj en kategori."
    assert "ungdomar" in messages["youths_present"]
    assert dialog.isVisible()
    assert query(db_path, "SELECT count(*) FROM observation") == [(0,)]


def test_end_time_before_start_is_shown_beside_the_field(qtbot, window, clock, staff_ids, db_path):
    start_nattvandring(qtbot, window, staff_ids)
    clock.advance(hours=2)
    dialog = window.end_shift()
    dialog.ends_at.set_moment(clock() - dt.timedelta(hours=3))
    dialog.adults_met.setValue(2)
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    assert dialog.form.messages()["ends_at"] == "Sluttiden måste vara efter starttiden."
    assert dialog.form.label("ends_at").isVisible()
    assert dialog.isVisible()
    assert query(db_path, "SELECT ends_at, adults_met FROM shift") == [(None, 0)]


def test_summary_with_personnummer_cannot_be_shared(qtbot, window, clock, staff_ids):
    start_nattvandring(qtbot, window, staff_ids)
    clock.advance(hours=1)
    dialog = window.end_shift()
    dialog.share.setChecked(True)
    qtbot.keyClicks(dialog.summary, "Pratade med 121212-1212 vid stationen")
    assert not dialog.share.isEnabled() and not dialog.share.isChecked()
    assert "personnummer" in dialog.share_reason.text()
    dialog.summary.clear()
    assert dialog.share.isEnabled() and dialog.share_reason.text() == ""


def test_end_shift_marks_covered_actions_done(qtbot, window, ctx, clock, staff_ids, db_path):
    with ctx.services() as services:
        meeting = services.meetings.create(kind="utsattningsmote", held_at=clock() - dt.timedelta(days=1),
                                           flags=[FlaggedPlace(ALVSJO_CENTRUM, "Samling")])
        action = services.actions.create(meeting_id=meeting.id, place_id=ALVSJO_CENTRUM,
                                         starts_at=clock(), ends_at=clock() + dt.timedelta(hours=4))
    start_nattvandring(qtbot, window, staff_ids)
    clock.advance(hours=3)
    dialog = window.end_shift()
    assert dialog.action_list.ids() == [action.id]
    assert dialog.action_list.checked_ids() == [action.id]
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    (status,), = query(db_path, "SELECT status FROM action")
    assert status == "planned"  # the action is not edited: "carried out" is a record of its own
    (action_id, shift_id, device_id), = query(
        db_path, "SELECT action_id, shift_id, device_id FROM action_carried_out")
    assert action_id == hexid(action.id) and shift_id is not None
    with ctx.services() as services:
        assert services.actions.get(action.id).status == "done"


def test_start_shift_is_prefilled_from_the_last_one(qtbot, window, clock, staff_ids):
    start_nattvandring(qtbot, window, staff_ids)
    clock.advance(hours=2)
    dialog = window.end_shift()
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    clock.advance(days=1)
    dialog = window.start_shift()
    assert dialog.kind.currentData() == "nattvandring"
    assert dialog.areas.checked_ids() == [ALVSJO]
    assert sorted(dialog.staff.checked_ids()) == sorted(staff_ids)
    assert dialog.partners.checked_ids() == [ALVSJO_AIK]


def test_week_key_numbers(qtbot, window, clock, staff_ids):
    start_nattvandring(qtbot, window, staff_ids)
    clock.advance(minutes=30)
    log_with_keyboard(qtbot, window, "älv", "u")
    clock.advance(hours=1, minutes=30)
    dialog = window.end_shift()
    dialog.youth_spins[youth_key(AgeBand.AGE_16_17, Gender.GIRL)].setValue(3)
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    today = window.show_page("today")
    assert "v. 47 2024" in today.week_box.title()
    assert today.week_shifts.value.text() == "1"
    assert today.week_hours.value.text() == "2"
    assert today.week_observations.value.text() == "1"
    assert today.week_youths.value.text() == "3"


def test_ctrl_enter_and_enter_in_other_fields_save_once(qtbot, window, clock, db_path):
    dialog = window.new_observation()
    type_text(dialog.place, "solberga bp")
    qtbot.keyClick(dialog.place, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.category, "k")
    qtbot.keyClick(dialog.category, "2")
    dialog.people.setValue(0)
    qtbot.keyClick(dialog.people, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert query(db_path, "SELECT p.name, o.severity, o.people_count FROM observation o "
                          "JOIN place p ON p.id = o.place_id") == [("Solberga BP", "medium", 0)]
    second = window.new_observation()
    type_text(second.place, "solberga bp")
    qtbot.keyClick(second.place, Qt.Key.Key_Return)
    qtbot.keyClick(second.category, "d")
    qtbot.keyClick(second.youths, Qt.Key.Key_Return)
    assert query(db_path, "SELECT count(*) FROM observation") == [(2,)]


def test_idag_shows_the_snapshot_read_while_the_window_was_built(qtbot, ctx, monkeypatch):
    """run_gui reads Idag's first snapshot before the window exists (FirstSnapshot): the
    page shows that one and reads nothing more; one that failed is read again by the page."""
    from fieldapp.ui.views import today

    reads = []
    real = today.read_snapshot

    def counted(context):
        reads.append(1)
        if len(reads) == 1 and fail_first:
            raise RuntimeError("disk busy")
        return real(context)

    monkeypatch.setattr(today, "read_snapshot", counted)
    with ctx.services() as services:
        services.shifts.start(kind="nattvandring", starts_at=ctx.clock(),
                              staff_ids=[s.id for s in services.staff.list()])
    for fail_first in (False, True):
        reads.clear()
        today.FirstSnapshot(ctx)
        view = today.TodayView(ctx)
        qtbot.addWidget(view)
        assert ctx.first_today is None  # taken by the page
        assert view.snapshot is not None and view.snapshot.running is not None
        assert len(reads) == (2 if fail_first else 1)
