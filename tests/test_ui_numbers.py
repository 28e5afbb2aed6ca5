"""Number boxes and form messages (issue 16 item 3), through real widgets at 1366×768: no
digit is dropped silently, a message goes when its field is fixed, Enter saves again after
a failed save, the category message sits below the list, and an end far in the future is
asked about."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication

from fieldapp.domain.ids import reference_id
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import query, type_text


def _type_number(qtbot, box, digits: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClick(box, Qt.Key.Key_Delete)
    for digit in digits:
        qtbot.keyClick(box, digit)


def test_a_too_large_count_keeps_its_digits_and_says_so(qtbot, window, db_path):
    window.resize(1366, 768)
    dialog = window.new_observation()
    _type_number(qtbot, dialog.people, "600")
    assert dialog.people.cleanText() == "600"  # not "60"
    label = dialog.form.label("people_count")
    assert label.isVisible() and "500" in label.text() and "600" in label.text()
    type_text(dialog.place, "solberga bp")
    qtbot.keyClick(dialog.place, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.category, "k")
    qtbot.keyClick(dialog.category, Qt.Key.Key_Return)  # refused: nothing saved
    assert query(db_path, "SELECT count(*) FROM observation") == [(0,)]
    assert dialog.isVisible() and label.isVisible()
    _type_number(qtbot, dialog.people, "60")
    assert not label.isVisible()  # fixed: the message goes at once
    qtbot.keyClick(dialog.people, Qt.Key.Key_Return)
    assert query(db_path, "SELECT people_count FROM observation") == [(60,)]


def test_six_digits_are_not_cut_to_five(qtbot, window):
    dialog = window.new_observation()
    _type_number(qtbot, dialog.youths, "999999")
    assert dialog.youths.cleanText() == "999999"
    assert "999999" in dialog.form.label("youths_present").text()
    dialog.reject()


def test_a_message_goes_when_its_field_changes_and_enter_saves_again(qtbot, window, db_path):
    dialog = window.new_observation()
    type_text(dialog.place, "solberga bp")
    qtbot.keyClick(dialog.place, Qt.Key.Key_Return)
    dialog.youths.setValue(5)  # more youths than people: refused by the services
    qtbot.keyClick(dialog.category, "k")
    qtbot.keyClick(dialog.youths, Qt.Key.Key_Return)
    label = dialog.form.label("youths_present")
    assert label.isVisible()
    assert query(db_path, "SELECT count(*) FROM observation") == [(0,)]
    dialog.youths.setFocus()
    _type_number(qtbot, dialog.youths, "1")
    assert not label.isVisible()
    qtbot.keyClick(dialog.youths, Qt.Key.Key_Return)  # Enter saves after the failed save
    assert query(db_path, "SELECT youths_present FROM observation") == [(1,)]


def test_the_category_message_is_below_the_list(qtbot, window):
    window.resize(1366, 768)
    dialog = window.new_observation()
    type_text(dialog.place, "solberga bp")
    qtbot.keyClick(dialog.place, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.category, Qt.Key.Key_Return)  # no category chosen
    label = dialog.form.label("category_id")
    assert label.isVisible() and label.text() == "Välj en kategori."
    QApplication.processEvents()
    list_bottom = dialog.category.mapTo(dialog, QPoint(0, dialog.category.height())).y()
    label_top = label.mapTo(dialog, QPoint(0, 0)).y()
    assert label_top >= list_bottom
    assert label.mapTo(dialog, QPoint(0, label.height())).y() <= dialog.height()
    dialog.reject()


def _answer(qtbot, yes: bool, seen: list) -> None:
    def answer():
        box = QApplication.activeModalWidget()
        seen.append(box.objectName())
        role = box.ButtonRole.YesRole if yes else box.ButtonRole.NoRole
        next(b for b in box.buttons() if box.buttonRole(b) == role).click()
    QTimer.singleShot(0, answer)


def test_an_end_hours_ahead_is_asked_about(qtbot, window, ctx, clock, staff_ids, db_path):
    with ctx.services() as services:
        services.shifts.create(kind="nattvandring", starts_at=clock(), staff_ids=staff_ids,
                               area_ids=[reference_id("area", "alvsjo")])
    window.shift_status.refresh()
    clock.advance(hours=1)
    dialog = window.end_shift()
    dialog.ends_at.set_moment(clock() + dt.timedelta(hours=3))
    seen: list = []
    _answer(qtbot, False, seen)
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    assert seen == ["futureEndQuestion"] and dialog.isVisible()
    assert query(db_path, "SELECT ends_at FROM shift") == [(None,)]
    _answer(qtbot, True, seen)
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    assert query(db_path, "SELECT count(*) FROM shift WHERE ends_at IS NOT NULL") == [(1,)]
    # Within half an hour: no question.
    with ctx.services() as services:
        services.shifts.create(kind="nattvandring", starts_at=clock(), staff_ids=staff_ids,
                               area_ids=[reference_id("area", "alvsjo")])
    window.shift_status.refresh()
    second = window.end_shift()
    second.ends_at.set_moment(clock() + dt.timedelta(minutes=20))
    qtbot.mouseClick(second.end_button, Qt.MouseButton.LeftButton)
    assert seen == ["futureEndQuestion", "futureEndQuestion"]
    assert query(db_path, "SELECT count(*) FROM shift WHERE ends_at IS NOT NULL") == [(2,)]
