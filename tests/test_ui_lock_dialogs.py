"""Lock from anywhere (issue 16 item 1, issue 15 item 4): from every dialog and message box
of the window, Ctrl+L locks; the passphrase typed next (keys delivered as a display server
delivers them, through the window) reaches the lock page and no form field; the window
unlocks and the dialog comes back with what was typed in it. While locked
the accessibility tree holds no record and the data file has no open connection."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from fieldapp.domain.ids import reference_id
from fieldapp.store.database import open_database
from fieldapp.ui.context import AppContext
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import ALVSJO_CENTRUM, Clock, focused, keyboard, type_text

PASSPHRASE = "korrekt häst batteri"
TYPED = "Tunnelbanan"
RECORD_TEXTS = ("Samling vid kiosken", "Amira Lindqvist", "Rådslag om kiosken")


@pytest.fixture
def encrypted_ctx(qapp, tmp_path):
    database = open_database(tmp_path / "krypterad.sqlite", PASSPHRASE)
    clock = Clock()
    ctx = AppContext.open(database, synchronous=True, clock=clock)
    with ctx.services() as services:
        services.staff.create(initials="AL", name="Amira Lindqvist", role="faltassistent")
        shift = services.shifts.create(kind="nattvandring", starts_at=clock() - dt.timedelta(hours=1))
        services.observations.create(place_id=ALVSJO_CENTRUM, shift_id=shift.id,
                                     category_id=reference_id("category", "narkotikaforsaljning"),
                                     observed_at=clock(), details="Samling vid kiosken")
        services.meetings.create(kind="utsattningsmote", held_at=clock() - dt.timedelta(days=1),
                                 title="Rådslag om kiosken")
    yield ctx
    database.close()


@pytest.fixture
def window(qtbot, encrypted_ctx, qsettings):
    from fieldapp.ui.main_window import MainWindow

    main = MainWindow(encrypted_ctx, qsettings)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    qtbot.waitExposed(main)
    for key in ("observations", "shifts", "meetings", "today"):
        main.show_page(key)  # built, with records in their tables
    return main


def _end_running_shift(window):
    with window.ctx.services() as services:
        services.shifts.end(services.shifts.running().id, ends_at=window.ctx.clock())
    window.shift_status.refresh()


def _edit_first(key):
    def open_(window):
        page = window.show_page(key)
        page.select_row(0)
        page.edit_current()
        return page.editor
    return open_


def _create(key):
    def open_(window):
        page = window.show_page(key)
        page.create_new()
        return page.editor
    return open_


def _start_shift(window):
    _end_running_shift(window)
    return window.start_shift()


OPENERS = {
    "start shift": _start_shift,
    "quick observation": lambda window: window.new_observation(),
    "end shift": lambda window: window.end_shift(),
    "edit shift": _edit_first("shifts"),
    "edit observation": _edit_first("observations"),
    "edit meeting": _edit_first("meetings"),
    "new meeting": _create("meetings"),
    "new place": _create("places"),
    "first start": lambda window: (window.action_first_start.trigger(), window.last_dialog)[1],
}


def text_field(dialog: QDialog):
    """The dialog's first free-text field a user types in (None: it has none)."""
    for widget in dialog.findChildren(QWidget):
        if not isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
            continue
        parent = widget.parentWidget()
        if isinstance(parent, (QAbstractSpinBox, QComboBox)) or not widget.isVisible():
            continue
        if widget.isEnabled() and not widget.isReadOnly():
            return widget
    return None


def field_text(widget) -> str:
    return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()


def snapshot(dialog: QDialog) -> list:
    """What the user has entered in ``dialog``: texts, choices, numbers."""
    state = []
    for widget in dialog.findChildren(QWidget):
        if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
            state.append(field_text(widget))
        elif isinstance(widget, QComboBox):
            state.append(widget.currentIndex())
    return state


def every_field_text() -> list[str]:
    texts = []
    for top in QApplication.topLevelWidgets():
        for widget in [top, *top.findChildren(QWidget)]:
            if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
                texts.append(field_text(widget))
    return texts


def accessible_texts(window) -> list[str]:
    """Every text of the application's accessibility tree under ``window`` and its
    dialogs, hidden nodes too (other tests' closed windows left out)."""
    found: list[str] = []

    def walk(interface, depth=0):
        if interface is None or not interface.isValid() or depth > 60:
            return
        for role in (QAccessible.Text.Name, QAccessible.Text.Value, QAccessible.Text.Description):
            if interface.text(role):
                found.append(interface.text(role))
        for index in range(interface.childCount()):
            walk(interface.child(index), depth + 1)

    root = QAccessible.queryAccessibleInterface(QApplication.instance())
    for index in range(root.childCount()):
        child = root.child(index)
        mine = child.object() is window or (
            isinstance(child.object(), QWidget) and child.object().parentWidget() is window)
        if mine:
            walk(child)
    return found


def open_files(path: Path) -> list[str]:
    fds = Path("/proc/self/fd")
    names = []
    for fd in fds.iterdir():
        try:
            names.append(os.readlink(fd))
        except OSError:
            continue
    return [n for n in names if n.startswith(str(path))]


def lock_and_unlock_from(qtbot, window, dialog: QDialog, field=None) -> None:
    """Type into ``field`` (its first text field; with none, choose in its first drop-down),
    Ctrl+L, check the locked state, type the passphrase + Enter, check it is all back."""
    database = window.ctx.database
    field = field or text_field(dialog) or dialog.findChild(QComboBox)
    field.setFocus()
    if isinstance(field, QComboBox):
        qtbot.keyClick(field, Qt.Key.Key_Down)
        assert field.currentIndex() > 0
    else:
        type_text(field, TYPED)
        assert TYPED in field_text(field)
    before = snapshot(dialog)
    keyboard(dialog, key=Qt.Key.Key_L, modifier=Qt.KeyboardModifier.ControlModifier)
    assert window.locked
    assert not dialog.isVisible() and window.lock_page.isVisible()
    texts = "\n".join(accessible_texts(window))
    for record in (*RECORD_TEXTS, TYPED):
        assert record not in texts, record
    assert database.closed_until_unlocked and database.engine is None
    if Path("/proc/self/fd").is_dir():
        assert open_files(database.path) == []
    # Keys sent straight at the hidden field are dropped; the focus is on the lock page.
    for key in (Qt.Key.Key_X, Qt.Key.Key_Down):
        qtbot.keyClick(field, key)
    assert snapshot(dialog) == before
    assert focused(qtbot) is window.lock_page.passphrase
    keyboard(window, PASSPHRASE, key=Qt.Key.Key_Return)  # as the display server sends them

    assert not window.locked and not database.closed_until_unlocked
    assert dialog.isVisible() and snapshot(dialog) == before
    assert not any(PASSPHRASE in text for text in every_field_text())
    assert window.lock_page.passphrase.text() == ""


@pytest.mark.parametrize("name", list(OPENERS))
def test_ctrl_l_locks_from_every_dialog_and_brings_it_back(qtbot, window, name):
    dialog = OPENERS[name](window)
    assert isinstance(dialog, QDialog) and dialog.isVisible(), name
    lock_and_unlock_from(qtbot, window, dialog)
    with window.ctx.services() as services:  # the database works again
        assert [e.kind for e in services.audit.list(kinds=["unlock"])] == ["unlock"]
    dialog.reject()


def test_a_wrong_passphrase_is_logged_when_the_file_opens_again(qtbot, window):
    window.lock()
    window.unlock("fel fras")
    assert window.locked and window.ctx.database.closed_until_unlocked
    window.unlock(PASSPHRASE)
    with window.ctx.services() as services:
        kinds = [e.kind for e in services.audit.list(kinds=["unlock", "unlock_failed"])]
    assert sorted(kinds) == ["unlock", "unlock_failed"]


def test_ctrl_l_locks_from_the_passphrase_change_and_a_question(qtbot, window):
    """The modal ones (their own event loop): hidden and back, the answer still open."""
    seen = []

    def in_change_dialog():
        dialog = QApplication.activeModalWidget()
        seen.append(dialog.objectName())
        lock_and_unlock_from(qtbot, window, dialog, dialog.current)
        dialog.reject()

    QTimer.singleShot(0, in_change_dialog)
    assert window.change_passphrase() is False
    assert seen == ["changePassphraseDialog"]

    from fieldapp.ui.widgets.modal import ask_yes_no

    def in_question():
        box = QApplication.activeModalWidget()
        seen.append(box.objectName())
        qtbot.keyClick(box, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        assert window.locked and not box.isVisible()
        window.unlock(PASSPHRASE)
        assert box.isVisible()  # the question is still open, not answered for the user
        next(b for b in box.buttons() if box.buttonRole(b) == box.ButtonRole.YesRole).click()

    QTimer.singleShot(0, in_question)
    assert ask_yes_no(window, "Ta bort", "Ta bort passet?", object_name="deleteQuestion")
    assert seen[-1] == "deleteQuestion"


def test_an_io_job_finishes_before_the_file_closes(qtbot, window):
    """The lock waits for the running job; jobs started while locked wait for the unlock."""
    tasks = window.ctx.tasks
    tasks.synchronous = False
    import threading

    gate = threading.Event()
    results = []
    tasks.run(lambda _p: gate.wait(10) and "exported", on_success=results.append, lane="io")
    window.lock()
    assert window.locked and not window.ctx.database.closed_until_unlocked  # still running
    tasks.run(lambda _p: results.append("queued"), lane="db")
    gate.set()
    qtbot.waitUntil(lambda: window.ctx.database.closed_until_unlocked, timeout=5000)
    assert results == ["exported"]
    window.unlock(PASSPHRASE)
    qtbot.waitUntil(lambda: not window.locked, timeout=10000)
    qtbot.waitUntil(lambda: "queued" in results, timeout=5000)
    tasks.wait()
    tasks.synchronous = True
