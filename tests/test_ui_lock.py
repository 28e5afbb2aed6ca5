"""Auto-lock: after the idle time the window hides every record (no table or label with
record data visible, dialogs hidden) and unlocks only with the passphrase; both are logged.
Also the first start and an encrypted file at start, and converting a plain file."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QMessageBox

from fieldapp.store import encryption
from fieldapp.store.database import open_database
from fieldapp.ui.context import AppContext
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import ALVSJO_CENTRUM, Clock, activate

PASSPHRASE = "korrekt häst batteri"
PLACE_NAME = "Älvsjö centrum"


@pytest.fixture
def encrypted_ctx(qapp, tmp_path):
    database = open_database(tmp_path / "krypterad.sqlite", PASSPHRASE)
    clock = Clock()
    ctx = AppContext.open(database, synchronous=True, clock=clock)
    with ctx.services() as services:
        services.staff.create(initials="AL", name="Amira Lindqvist", role="faltassistent")
        shift = services.shifts.create(kind="nattvandring", starts_at=clock() - dt.timedelta(hours=1))
        from fieldapp.domain.ids import reference_id
        services.observations.create(place_id=ALVSJO_CENTRUM, shift_id=shift.id,
                                     category_id=reference_id("category", "narkotikaforsaljning"),
                                     observed_at=clock(), details="Samling vid kiosken")
    yield ctx
    database.close()


@pytest.fixture
def locked_window(qtbot, encrypted_ctx, qsettings):
    from fieldapp.ui.main_window import MainWindow

    main = MainWindow(encrypted_ctx, qsettings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


def visible_record_texts(window) -> list[str]:
    found = []
    for label in window.findChildren(QLabel):
        if label.isVisible() and label.text():
            found.append(label.text())
    for view in window.findChildren(QAbstractItemView):
        if view.isVisible() and view.model() is not None and view.model().rowCount():
            found.append(f"<table {view.objectName()} with {view.model().rowCount()} rows>")
    return found


def test_idle_time_locks_the_window_and_hides_the_data(qtbot, locked_window, encrypted_ctx):
    window = locked_window
    window.show_page("observations")
    qtbot.waitUntil(lambda: any("Älvsjö" in t or "rows>" in t for t in visible_record_texts(window)),
                    timeout=3000)
    dialog = window.new_observation()
    assert dialog.isVisible()
    window.idle_watcher.set_minutes(0.002)  # about 0.1 s without input
    qtbot.waitUntil(lambda: window.locked, timeout=3000)
    texts = visible_record_texts(window)
    assert not any(PLACE_NAME in t or "rows>" in t or "Nattvandring" in t for t in texts), texts
    assert not window.shift_status.isVisible()
    assert not dialog.isVisible()
    assert not window.action_new_observation.isEnabled()
    assert window.lock_page.isVisible()

    # A wrong passphrase is refused (and logged); the right one brings everything back.
    qtbot.keyClicks(window.lock_page.passphrase, "fel fras")
    qtbot.mouseClick(window.lock_page.unlock_button, qtbot_button())
    assert window.locked
    assert "Fel lösenfras" in window.lock_page.error.text()
    window.lock_page.passphrase.setText(PASSPHRASE)
    window.lock_page.unlock_button.click()
    assert not window.locked
    assert dialog.isVisible() and window.body.isVisible()
    assert window.action_new_observation.isEnabled()
    with encrypted_ctx.services() as services:
        kinds = [e.kind for e in services.audit.list(kinds=["unlock", "unlock_failed"])]
    assert kinds == ["unlock", "unlock_failed"]
    dialog.close()


def qtbot_button():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_ctrl_l_locks_and_the_lock_minutes_come_from_the_settings(qtbot, locked_window,
                                                                   encrypted_ctx):
    window = locked_window
    settings = window.show_page("settings")
    settings.protection_box.lock_minutes.setValue(3)
    settings.protection_box.save()
    assert window.idle_watcher.minutes == 3
    window.action_lock.trigger()
    assert window.locked and not window.body.isVisible()


def test_a_plain_file_cannot_lock_but_offers_encryption(qtbot, window, ctx, monkeypatch, db_path):
    assert not window.lock() and not window.locked
    assert window.encrypt_banner.isVisible()
    import fieldapp.ui.dialogs.passphrase as dialogs

    monkeypatch.setattr(dialogs, "ask_new_passphrase", lambda *a, **k: PASSPHRASE)
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a, **k: None))
    assert window.encrypt_data_file()
    assert ctx.database.encrypted and not window.encrypt_banner.isVisible()
    assert not db_path.read_bytes().startswith(encryption.SQLITE_HEADER)
    with ctx.services() as services:
        assert [e.kind for e in services.audit.list()] == ["encryption"]
        assert [s.initials for s in services.staff.list()] == ["AL", "JB"]
    assert window.lock()


def test_start_asks_for_the_passphrase_of_an_encrypted_file(qapp, tmp_path, monkeypatch):
    import fieldapp.ui.dialogs.passphrase as dialogs
    from fieldapp.ui.app import open_start_database

    monkeypatch.delenv("FIELDAPP_PASSPHRASE", raising=False)
    path = tmp_path / "ny.sqlite"
    monkeypatch.setattr(dialogs, "ask_new_passphrase", lambda *a, **k: PASSPHRASE)
    database = open_start_database(path)
    assert database.encrypted
    database.close()
    asked = []

    def ask(p, check, parent=None):
        asked.append((check("fel"), check(PASSPHRASE)))
        return PASSPHRASE

    monkeypatch.setattr(dialogs, "ask_passphrase", ask)
    database = open_start_database(path)
    assert database.encrypted and asked == [(False, True)]
    database.close()
    monkeypatch.setattr(dialogs, "ask_passphrase", lambda *a, **k: None)
    assert open_start_database(path) is None  # cancelled: nothing opened


def test_the_passphrase_dialog_checks_both_fields(qtbot):
    from fieldapp.ui.dialogs.passphrase import PassphraseDialog

    dialog = PassphraseDialog("x.sqlite", new=True)
    qtbot.addWidget(dialog)
    dialog.first.setText("kort")
    dialog.second.setText("kort")
    dialog.try_accept()
    assert "minst 8 tecken" in dialog.error.text()
    dialog.first.setText(PASSPHRASE)
    dialog.second.setText(PASSPHRASE + "x")
    dialog.try_accept()
    assert "inte lika" in dialog.error.text()
    dialog.second.setText(PASSPHRASE)
    dialog.try_accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert QApplication.instance() is not None


# -- changing the passphrase ----------------------------------------------------------------

NEW_PASSPHRASE = "blå cykel under bron"


def test_the_passphrase_is_changed_from_the_settings(qtbot, locked_window, encrypted_ctx,
                                                     monkeypatch):
    import fieldapp.ui.dialogs.passphrase as dialogs

    window = locked_window
    path = encrypted_ctx.database.path
    asked = []
    monkeypatch.setattr(dialogs, "ask_passphrase_change",
                        lambda p, check, parent=None: asked.append(check(PASSPHRASE))
                        or (PASSPHRASE, NEW_PASSPHRASE))
    told = []
    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda parent, title, text: told.append(title)))
    settings = window.show_page("settings")
    assert settings.protection_box.passphrase_button.isVisible()
    assert window.action_change_passphrase.isEnabled()
    settings.protection_box.passphrase_button.click()

    assert asked == [True] and told == ["Lösenfrasen är bytt"]
    assert encryption.verify_passphrase(path, NEW_PASSPHRASE)
    assert not encryption.verify_passphrase(path, PASSPHRASE)
    with encrypted_ctx.services() as services:  # the window works on the same records
        assert [s.initials for s in services.staff.list()] == ["AL"]
        assert [e.kind for e in services.audit.list(kinds=["passphrase"])] == ["passphrase"]
    window.lock()
    window.unlock(PASSPHRASE)
    assert window.locked  # the old passphrase opens nothing
    window.unlock(NEW_PASSPHRASE)
    assert not window.locked
    encrypted_ctx.database.close()


def test_a_failed_passphrase_change_leaves_the_window_on_the_old_file(qtbot, locked_window,
                                                                       encrypted_ctx, monkeypatch):
    import fieldapp.ui.data_file as data_file
    import fieldapp.ui.dialogs.passphrase as dialogs

    monkeypatch.setattr(dialogs, "ask_passphrase_change",
                        lambda *a, **k: (PASSPHRASE, NEW_PASSPHRASE))

    def disk_full(path, old, new):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(encryption, "change_passphrase", disk_full)
    shown = []
    monkeypatch.setattr(data_file, "show_unexpected_error", lambda parent, exc: shown.append(exc))
    assert not locked_window.change_passphrase()
    assert len(shown) == 1 and isinstance(shown[0], OSError)
    assert encryption.verify_passphrase(encrypted_ctx.database.path, PASSPHRASE)
    with encrypted_ctx.services() as services:
        assert [s.initials for s in services.staff.list()] == ["AL"]
        assert services.audit.list(kinds=["passphrase"]) == []
    encrypted_ctx.database.close()


def test_the_change_dialog_refuses_what_would_lock_someone_out(qtbot, tmp_path):
    from fieldapp.ui.dialogs.passphrase import ChangePassphraseDialog

    dialog = ChangePassphraseDialog(tmp_path / "x.sqlite", lambda text: text == PASSPHRASE)
    qtbot.addWidget(dialog)
    cases = [
        ("fel fras!", NEW_PASSPHRASE, NEW_PASSPHRASE, "nuvarande lösenfrasen är fel"),
        (PASSPHRASE, "kort", "kort", "minst 8 tecken"),
        (PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE + "x", "inte lika"),
        (PASSPHRASE, PASSPHRASE, PASSPHRASE, "samma som den nuvarande"),
    ]
    for current, new, repeated, message in cases:
        dialog.current.setText(current)
        dialog.first.setText(new)
        dialog.second.setText(repeated)
        dialog.try_accept()
        assert dialog.result() == 0 and message in dialog.error.text(), dialog.error.text()
    dialog.first.setText(NEW_PASSPHRASE)
    dialog.second.setText(NEW_PASSPHRASE)
    dialog.try_accept()
    assert dialog.result() == 1
    assert dialog.passphrases() == (PASSPHRASE, NEW_PASSPHRASE)


def test_a_plain_file_offers_no_passphrase_change(qtbot, window):
    settings = window.show_page("settings")
    assert not settings.protection_box.passphrase_button.isVisible()
    assert not window.action_change_passphrase.isEnabled()
    assert not window.change_passphrase()


def test_the_passphrase_typed_as_the_display_server_sends_it_unlocks(qtbot, locked_window):
    """A real keyboard's keys reach the window (its QWindow) first and the focused widget
    after: typed that way, the passphrase lands in the lock page and Enter unlocks. (Keys
    sent straight to the field, as qtbot.keyClicks does, missed that the lock swallowed them
    all on a real display.)"""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    def type_into(top, text):
        for char in text:
            QTest.sendKeyEvent(QTest.KeyAction.Click, top.windowHandle(), Qt.Key.Key_unknown, char,
                               Qt.KeyboardModifier.NoModifier)

    window = locked_window
    activate(qtbot, window)
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked
    type_into(window, "fel")
    assert window.lock_page.passphrase.text() == "fel"
    window.lock_page.passphrase.clear()
    type_into(window, PASSPHRASE)
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Return)
    assert not window.locked and window.body.isVisible()
    dialog = window.new_observation()  # and after the unlock the keys reach the pages again
    activate(qtbot, dialog)
    type_into(dialog, "Älvsjö")
    assert dialog.place.text() == "Älvsjö"
    dialog.move(dialog.pos().x() + 40, dialog.pos().y() + 30)
    where = dialog.pos()
    QTest.keyClick(dialog.windowHandle(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked and not dialog.isVisible()
    type_into(window, PASSPHRASE)
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Return)
    assert not window.locked and dialog.isVisible()
    assert dialog.place.text() == "Älvsjö"  # the passphrase never reached the form
    assert dialog.pos() == where  # back where the user had put it
    dialog.close()
