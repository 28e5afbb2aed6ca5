"""The meeting form at 1366×768 (issue 16 item 4): three agreed actions fit without a
horizontal scroll bar, an empty meeting is refused, "Fältassistenterna" can be responsible,
the place lists are searchable, and the day is written in Swedish. What the team will see
(issue 15): the title, flag reasons and action notes mark findings as typed, and a text the
gate refuses is named beside its field and nothing is saved."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from fieldapp.domain.ids import reference_id
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from fieldapp.ui.dialogs.form_parts import select_data
from fieldapp.ui.dialogs.meeting_form import MeetingFormDialog
from fieldapp.ui.dialogs.meeting_rows import target_key
from ui_helpers import query, save_dialog, type_text


def new_meeting(window):
    window.resize(1366, 768)
    page = window.show_page("meetings")
    page.create_new()
    dialog = page.editor
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_three_actions_fit_without_a_horizontal_scroll_bar(qtbot, window):
    dialog = new_meeting(window)
    for _ in range(3):
        qtbot.mouseClick(dialog.add_action_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    area = dialog.findChild(QScrollArea)
    assert not area.horizontalScrollBar().isVisible()
    viewport = QRect(area.viewport().mapTo(dialog, QPoint(0, 0)), area.viewport().size())
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow():
            continue
        left = widget.mapTo(dialog, QPoint(0, 0)).x()
        assert left + widget.width() <= dialog.width(), widget
        if area.viewport().isAncestorOf(widget):
            assert left + widget.width() <= viewport.right() + 1, widget
    for row in dialog.action_rows:
        button = row.remove_button
        assert button.mapTo(dialog, QPoint(button.width(), 0)).x() <= viewport.right() + 1
    dialog.reject()


def test_an_empty_meeting_is_refused(qtbot, window, db_path):
    dialog = new_meeting(window)
    save_dialog(qtbot, dialog)
    assert "tom" in dialog.errors.general.text()
    assert dialog.isVisible()
    assert query(db_path, "SELECT count(*) FROM meeting") == [(0,)]
    type_text(dialog.title, "Platssamverkan Älvsjö")
    save_dialog(qtbot, dialog)
    assert query(db_path, "SELECT count(*) FROM meeting") == [(1,)]


def test_our_team_is_a_choice_for_responsible(qtbot, window):
    dialog = new_meeting(window)
    row = dialog.add_action()
    assert row.partner.itemText(1) == "Fältassistenterna"
    assert row.partner.itemData(1) == reference_id("partner", "faltassistenterna")
    dialog.reject()


def test_place_lists_are_searchable_and_the_day_is_swedish(qtbot, window):
    dialog = new_meeting(window)
    row = dialog.add_action()
    combo = row.target
    assert combo.isEditable()
    completer = combo.completer()
    completer.setCompletionPrefix("LJEHOLM")  # inside the name, any case
    matches = [completer.completionModel().index(i, 0).data()
               for i in range(completer.completionCount())]
    assert matches and all("ljeholm" in m.casefold() for m in matches)
    row.day.setDate(row.day.date().fromString("2024-11-21", "yyyy-MM-dd"))
    assert row.day.text().startswith("tors ")  # Thursday, in Swedish (Qt's Swedish locale)
    flag = dialog.add_flag()
    assert flag.place.isEditable()
    dialog.reject()


# -- what the team will see: marked as typed, refused beside its field (issue 15) ------------

ALVSJO_CENTRUM = reference_id("place", "alvsjo-centrum")


def test_an_action_note_is_marked_as_typed_and_refused_beside_its_row(qtbot, window, db_path):
    dialog = new_meeting(window)
    type_text(dialog.title, "Utsättningsmöte Älvsjö")
    row = dialog.add_action()
    select_data(row.target, target_key("place", ALVSJO_CENTRUM))
    assert row.note.isVisible()
    qtbot.keyClicks(row.note, "ring 070-123 45 67 vid entren")
    assert [f.text for f in row.note.findings] == ["070-123 45 67"]  # marked as typed
    save_dialog(qtbot, dialog)
    assert dialog.isVisible() and query(db_path, "SELECT count(*) FROM meeting") == [(0,)]
    message = dialog.action_errors()[0]
    assert message.startswith("Insatsens anteckning delas med teamet")
    assert "telefonnummer" in message and "070-123 45 67" in message and "Ta bort" in message
    assert dialog.focusWidget() is row.note

    row.note.setText("Vi möts vid entrén")
    save_dialog(qtbot, dialog)
    assert not dialog.isVisible(), dialog.action_errors()
    assert query(db_path, "SELECT note FROM action") == [("Vi möts vid entrén",)]

    edit = MeetingFormDialog(window.ctx, dialog.saved.id, window)  # shows the note again
    qtbot.addWidget(edit)
    assert edit.action_rows[0].note.text() == "Vi möts vid entrén"
    edit.reject()


def test_a_flag_reason_and_the_title_are_refused_beside_their_fields(qtbot, window, db_path):
    dialog = new_meeting(window)
    type_text(dialog.title, "Möte med kalle.k@skolan.se")
    assert [f.kind for f in dialog.title.findings] == ["email"]
    flag = dialog.add_flag()
    select_data(flag.place, ALVSJO_CENTRUM)
    flag.reason.setText("Elias 811218-9876 säljer här")
    assert flag.reason.findings
    save_dialog(qtbot, dialog)
    assert dialog.isVisible() and query(db_path, "SELECT count(*) FROM meeting") == [(0,)]
    title = dialog.errors.messages()["title"]
    assert title.startswith("Rubriken delas med teamet") and "e-post" in title
    reason = dialog.errors.messages()["flags"]  # beside the flagged places, naming the place
    assert reason.startswith("Skälet till att Älvsjö centrum") and "\"Elias\"" in reason
    assert "Ta bort det" in reason
    assert dialog.focusWidget() is dialog.title

    dialog.title.setText("Platssamverkan")
    flag.reason.setText("Langning på kvällarna")
    save_dialog(qtbot, dialog)
    assert not dialog.isVisible(), dialog.errors.messages()
    assert query(db_path, "SELECT reason FROM meeting_flag") == [("Langning på kvällarna",)]
