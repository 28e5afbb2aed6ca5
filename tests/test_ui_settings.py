"""Inställningar: device and team, hub, staff, language, data file."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from fieldapp.i18n import current_language
from fieldapp.ui.views.settings import SettingsView
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import query, type_text


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_device_team_and_hub_are_saved(qtbot, window, ctx, tmp_path):
    view = window.show_page("settings")
    assert isinstance(view, SettingsView)
    hub = tmp_path / "hub"
    hub.mkdir()
    view.device_name.setText("Laptop 2")
    type_text(view.team_name, "Fältgruppen HÄ")
    view.hub_path.setText(str(hub))
    view.hub_url.setText("postgresql://falt@server/faltlogg")
    click(qtbot, view.save_button)
    assert view.saved_label.text() == "Sparat."
    with ctx.services() as services:
        assert services.settings.device_name() == "Laptop 2"
        assert services.settings.get("team_name") == "Fältgruppen HÄ"
        assert services.settings.get("hub_path") == str(hub)
        assert services.settings.get("hub_url") == "postgresql://falt@server/faltlogg"
    view.device_name.setText("changed")
    view.reload()
    assert view.device_name.text() == "Laptop 2"


def test_bad_hub_settings_are_shown_beside_their_fields(qtbot, window, ctx, tmp_path):
    view = window.show_page("settings")
    view.hub_path.setText(str(tmp_path / "missing"))
    view.hub_url.setText("mysql://nope")
    click(qtbot, view.save_button)
    messages = view.form.messages()
    assert "hittas inte" in messages["hub_path"]
    assert messages["hub_url"].startswith("Skriv serverns adress")
    assert view.form.label("hub_url").isVisible()
    with ctx.services() as services:
        assert services.settings.get("hub_url") == ""


def test_staff_add_edit_deactivate(qtbot, window, ctx):
    view = window.show_page("settings")
    assert view.staff_table.rowCount() == 2
    click(qtbot, view.add_staff_button)  # empty form
    assert view.staff_form.messages()["initials"] == "Ange initialerna (1–8 tecken)." or \
        "initial" in view.staff_form.messages()["initials"].lower()
    assert "name" in view.staff_form.messages()
    assert view.staff_table.rowCount() == 2

    qtbot.keyClicks(view.initials, "SK")
    qtbot.keyClicks(view.staff_name, "Sara Karlsson")
    view.role.setCurrentIndex(view.role.findData("teamledare"))
    click(qtbot, view.add_staff_button)
    assert view.staff_form.messages() == {}
    assert view.staff_table.rowCount() == 3
    assert [view.staff_table.item(r, 0).text() for r in range(3)] == ["AL", "JB", "SK"]
    assert view.staff_table.item(2, 2).text() == "Teamledare"

    view.staff_table.selectRow(1)
    assert view.initials.text() == "JB"
    view.staff_name.setText("Jonas Bergström")
    click(qtbot, view.update_staff_button)
    assert view.staff_table.item(1, 1).text() == "Jonas Bergström"

    view.staff_table.selectRow(1)
    assert view.toggle_staff_button.text() == "Inaktivera"
    click(qtbot, view.toggle_staff_button)
    assert view.staff_table.item(1, 3).text() == "Inaktiv"
    assert view.toggle_staff_button.text() == "Aktivera"
    dialog = window.start_shift()
    names = [dialog.staff.item(r).text() for r in range(dialog.staff.count())]
    assert names == ["AL – Amira Lindqvist", "SK – Sara Karlsson"]
    dialog.reject()
    assert query(ctx.database.path, "SELECT active FROM staff WHERE initials='JB'") == [(0,)]


def test_language_switch_retranslates_and_is_remembered(qtbot, window, ctx):
    view = window.show_page("settings")
    assert window.nav.item(0).text() == "Idag"
    view.language.setCurrentIndex(view.language.findData("en"))
    assert current_language() == "en"
    assert window.nav.item(0).text() == "Today"
    assert window.windowTitle() == "Fältlogg"
    new_view = window.pages["settings"]
    assert new_view is not view
    assert new_view.save_button.text() == "Save settings"
    assert new_view.language.currentData() == "en"
    assert window.shift_status.text() == "No shift running"
    with ctx.services() as services:
        assert services.settings.get("language") == "en"
    new_view.language.setCurrentIndex(new_view.language.findData("sv"))
    assert window.nav.item(0).text() == "Idag"
    assert window.pages["settings"].save_button.text() == "Spara inställningar"


def test_data_file_is_shown(window, ctx):
    view = window.show_page("settings")
    assert view.data_path.text() == str(ctx.database.path)


class SlowKeyring:
    """A keyring in memory that answers only when the test lets it (a locked wallet or a
    slow D-Bus), noting whether it was asked on the UI thread."""

    name = "Testnyckelring"

    def __init__(self):
        import threading

        self.answer = threading.Event()
        self.saved: dict = {}
        self.asked_on_ui_thread: list[bool] = []

    def wait(self) -> None:
        import threading

        self.asked_on_ui_thread.append(threading.current_thread() is threading.main_thread())
        self.answer.wait(30)

    def set_password(self, service, key, value):
        self.wait()
        self.saved[(service, key)] = value


def test_the_keyring_is_asked_off_the_ui_thread(qtbot, database, clock, monkeypatch):
    """The Inställningar page opens, and shows its settings, while the keyring has not
    answered; the team key is saved there on the IO lane."""
    from fieldapp.store import secrets
    from fieldapp.ui.context import AppContext

    keyring = SlowKeyring()

    def backend():
        keyring.wait()
        return keyring

    monkeypatch.setattr(secrets, "_backend", backend)
    with database.session() as session:
        from fieldapp.store.services.settings import SettingsService

        SettingsService(session).set("team_name", "Fältgruppen HÄ")
    ctx = AppContext.open(database, clock=clock)  # the threaded runner, as in the app
    try:
        view = SettingsView(ctx)
        qtbot.addWidget(view)
        box = view.protection_box
        qtbot.waitUntil(lambda: view.team_name.text() == "Fältgruppen HÄ", timeout=5000)
        assert not box.secrets_button.isEnabled()  # the keyring has not answered yet
        keyring.answer.set()
        qtbot.waitUntil(lambda: "Testnyckelring" in box.keyring_label.text(), timeout=5000)
        assert box.secrets_button.isEnabled()
        box.team_key.setText("lagnyckel")
        click(qtbot, box.secrets_button)
        qtbot.waitUntil(lambda: box.result_label.text() == "Sparat i nyckelringen.", timeout=5000)
        assert keyring.saved == {(secrets.SERVICE, "default:team_key"): "lagnyckel"}
        assert box.team_key.text() == ""
        assert keyring.asked_on_ui_thread and not any(keyring.asked_on_ui_thread)
    finally:
        keyring.answer.set()
        ctx.tasks.wait()
