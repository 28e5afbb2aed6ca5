"""The meeting form at 1366×768 (issue 16 item 4): three agreed actions fit without a
horizontal scroll bar, an empty meeting is refused, "Fältassistenterna" can be responsible,
the place lists are searchable, and the day is written in Swedish."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from fieldapp.domain.ids import reference_id
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
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
