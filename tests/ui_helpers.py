"""Fixtures and helpers for the window tests: a real SQLite file per test, a synchronous task
runner, a clock the test moves, two staff members, and QSettings in a temporary folder.

Test modules import the fixtures: ``from ui_helpers import *  # noqa: F403 - the fixtures``.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from fieldapp.domain.ids import reference_id
from fieldapp.domain.weeks import STOCKHOLM
from fieldapp.i18n import set_language
from fieldapp.store.database import open_database
from fieldapp.ui.context import AppContext

ALVSJO = reference_id("area", "alvsjo")
ALVSJO_AIK = reference_id("partner", "alvsjo-aik-nattvandrare")
ALVSJO_CENTRUM = reference_id("place", "alvsjo-centrum")
# Friday 22 November 2024, 19:00 in Stockholm: a nattvandring starts.
FRIDAY_EVENING = dt.datetime(2024, 11, 22, 19, 0, tzinfo=STOCKHOLM).astimezone(dt.timezone.utc)


class Clock:
    """A clock the test moves: ``clock.advance(minutes=30)``."""

    def __init__(self, now: dt.datetime = FRIDAY_EVENING):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def swedish():
    """Every test starts (and leaves the process) in Swedish."""
    set_language("sv")
    yield
    set_language("sv")


@pytest.fixture
def qsettings(tmp_path) -> QSettings:
    """Window settings in a temporary INI file; default-constructed QSettings also go there."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "x.sqlite"


@pytest.fixture
def database(db_path):
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def ctx(qapp, database, clock) -> AppContext:
    context = AppContext.open(database, synchronous=True, clock=clock)
    with context.services() as services:
        services.staff.create(initials="AL", name="Amira Lindqvist", role="faltassistent")
        services.staff.create(initials="JB", name="Jonas Berg", role="faltassistent")
    return context


@pytest.fixture
def staff_ids(ctx) -> list:
    with ctx.services() as services:
        return [s.id for s in services.staff.list()]


@pytest.fixture
def window(qtbot, ctx, qsettings):
    from fieldapp.ui.main_window import MainWindow

    main = MainWindow(ctx, qsettings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    activate(qtbot, main)
    return main


def activate(qtbot, widget) -> None:
    widget.raise_()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=2000)


def focused(qtbot):
    """The widget with the keyboard focus (after pending events)."""
    QApplication.processEvents()
    return QApplication.focusWidget()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """One keystroke to whatever has the focus, as a user's keyboard would send it."""
    target = focused(qtbot) or QApplication.activeWindow()
    assert target is not None, "no window is active"
    qtbot.keyClick(target, key, modifier)


def type_text(widget, text: str) -> int:
    """Type ``text`` into ``widget`` one key at a time, like a keyboard (QTest.keyClicks
    aborts on letters outside ASCII such as "ä"); returns the number of keystrokes."""
    for char in text:
        code = ord(char.upper()) if len(char.upper()) == 1 else 0
        key = Qt.Key(code) if code in Qt.Key._value2member_map_ else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char))
    return len(text)


def keyboard(top, text: str = "", key=None, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """Keys as a display server delivers them: to the top-level window's QWindow, which hands
    them to its focused widget (every application-wide filter sees them on the way). Typing
    at a widget directly skips that path; the lock's filter once swallowed every real key."""
    from PySide6.QtTest import QTest

    handle = top.windowHandle()
    for char in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, handle, Qt.Key.Key_unknown, char, modifier)
    if key is not None:
        QTest.keyClick(handle, key, modifier)


def query(db_path: Path, sql: str, *params) -> list[tuple]:
    connection = sqlite3.connect(db_path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def hexid(value) -> str:
    return value.hex


def save_dialog(qtbot, dialog) -> None:
    """Click the Save button of a form dialog."""
    from PySide6.QtWidgets import QDialogButtonBox

    button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
