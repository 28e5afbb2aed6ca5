"""Global error handling: an unexpected exception in the window is written, with its
traceback, to a rotated log file in the user's log folder, and shown as a calm message that
says where the log is; the window keeps running."""

from __future__ import annotations

import logging
import logging.handlers
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QVBoxLayout, QWidget

from fieldapp import logs
from fieldapp.logs import log_file, setup_logging, stop_logging


@pytest.fixture
def log_folder(tmp_path):
    folder = tmp_path / "logs"
    yield folder
    stop_logging()


def _flush() -> None:
    for handler in logging.getLogger("fieldapp").handlers:
        handler.flush()


def test_setup_logging_is_idempotent_and_rotates(log_folder, monkeypatch):
    path = setup_logging(log_folder)
    assert path == (log_folder / "faltlogg.log").resolve() and path.exists()
    assert setup_logging(log_folder) == path
    handlers = [h for h in logging.getLogger("fieldapp").handlers
                if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert len(handlers) == 1
    assert handlers[0].maxBytes == logs.MAX_BYTES and handlers[0].backupCount == logs.BACKUP_COUNT
    logging.getLogger("fieldapp.store").warning("Älvsjö: något hände")
    _flush()
    assert "Älvsjö: något hände" in path.read_text(encoding="utf-8")
    handlers[0].doRollover()
    assert (log_folder / "faltlogg.log.1").exists()
    # The default folder is the user's log folder.
    monkeypatch.setattr(logs, "user_log_dir", lambda: log_folder / "default")
    assert setup_logging() == (log_folder / "default" / "faltlogg.log").resolve()
    assert log_file() == (log_folder / "default" / "faltlogg.log").resolve()


def test_a_log_folder_that_cannot_be_made_falls_back(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    try:
        path = setup_logging(blocker / "logs")
        assert path.exists() and blocker not in path.parents
    finally:
        stop_logging()


class Window(QWidget):
    def __init__(self):
        super().__init__()
        self.clicks = 0
        self.crash = QPushButton("Krascha", self)
        self.crash.clicked.connect(self.broken_slot)
        self.count = QPushButton("Räkna", self)
        self.count.clicked.connect(self.working_slot)
        layout = QVBoxLayout(self)
        layout.addWidget(self.crash)
        layout.addWidget(self.count)

    def broken_slot(self) -> None:
        raise RuntimeError("Kaffebryggaren är trasig")

    def working_slot(self) -> None:
        self.clicks += 1


def unexpected_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "unexpectedError" and w.isVisible()]


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_is_logged_and_shown_with_the_log_path(qtbot, log_folder, monkeypatch):
    from fieldapp.ui.app import _install_excepthook

    path = setup_logging(log_folder)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    window = Window()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    _install_excepthook(QApplication.instance())

    qtbot.mouseClick(window.crash, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(unexpected_boxes()) == 1, timeout=3000)
    box = unexpected_boxes()[0]
    assert box.windowTitle() == "Något gick fel"
    assert str(path) in box.informativeText()
    assert "Kaffebryggaren är trasig" in box.detailedText()
    _flush()
    text = path.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: Kaffebryggaren är trasig" in text and "broken_slot" in text

    # The window keeps running.
    box.close()
    qtbot.mouseClick(window.count, Qt.MouseButton.LeftButton)
    assert window.clicks == 1 and window.isVisible()


def test_a_failed_save_names_the_log_file(qtbot, log_folder):
    from fieldapp.ui.widgets.messages import show_unexpected_error

    path = setup_logging(log_folder)
    parent = QWidget()
    qtbot.addWidget(parent)
    box = show_unexpected_error(parent, ValueError("oväntat"), "Traceback: …")
    assert f"loggfilen {path}" in box.informativeText()
    _flush()
    assert "oväntat" in path.read_text(encoding="utf-8")



@pytest.mark.qt_no_exception_capture
def test_a_database_error_logs_and_shows_no_record_text(qtbot, log_folder, database, monkeypatch):
    """A failed save of a private note with a personnummer: the engine hides the SQL
    parameters, so neither the log file nor the message shown holds the note."""
    import datetime as dt
    import os
    import stat

    from sqlalchemy import text

    from fieldapp.store.services import Services
    from fieldapp.ui.app import _install_excepthook

    secret = "Privat: Kalle har personnummer 811218-9876"
    old_umask = os.umask(0o022)
    try:
        path = setup_logging(log_folder)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with database.session() as session:
        session.execute(text("CREATE TRIGGER refuse_notes BEFORE UPDATE ON shift "
                             "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))
        shift = Services(session, database.device_id()).shifts.create(
            kind="nattvandring", starts_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))

    def save_note():
        with database.session() as session:
            Services(session, database.device_id()).shifts.update(shift.id, private_notes=secret)

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    _install_excepthook(QApplication.instance())
    try:
        save_note()
    except Exception:  # noqa: BLE001 - handed to the window's error handler, as a slot's would be
        sys.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: len(unexpected_boxes()) == 1, timeout=3000)
    box = unexpected_boxes()[0]
    shown = "\n".join((box.text(), box.informativeText(), box.detailedText()))
    assert "refused by the test" in shown  # the error itself is there
    _flush()
    logged = path.read_text(encoding="utf-8")
    assert "refused by the test" in logged and "hidden" in logged
    for part in ("811218-9876", "8112189876", "Kalle"):
        assert part not in shown and part not in logged
    box.close()


def test_the_log_file_is_private_and_respects_a_stricter_umask(log_folder):
    import os
    import stat

    log_folder.mkdir(parents=True)
    older = log_folder / "faltlogg.log"
    older.write_text("an older log\n")
    older.chmod(0o644)
    path = setup_logging(log_folder)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # an older readable log is narrowed
    stop_logging()
    path.unlink()
    old_umask = os.umask(0o277)
    try:
        path = setup_logging(log_folder)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o400
    logging.getLogger("fieldapp.test").warning("still written")  # the open handle writes
    _flush()
    assert "still written" in path.read_text(encoding="utf-8")
