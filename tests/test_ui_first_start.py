"""Kom igång: a new data file is offered the first-start guide after the window's first paint;
it is driven through with the keyboard and stores the laptop's name, the team, the staff, the
hub and the team key (in the keyring); skipping leaves the app usable and Arkiv → Kom igång
opens it again. A set-up file (staff, a name, the demo) is never offered it. A shift with
nobody on it is refused in the dialog and in the service."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from fieldapp.demo import generate_demo
from fieldapp.domain.validation import ValidationError
from fieldapp.store import secrets
from fieldapp.store.services.settings import FIRST_START, HUB_PATH, TEAM_NAME
from fieldapp.sync.service import audited_sync
from fieldapp.sync.team_key import new_team_key
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs import first_start
from fieldapp.ui.dialogs.first_start import FirstStartGuide
from fieldapp.ui.main_window import MainWindow
from test_team_key import MemoryKeyring
from ui_helpers import *  # noqa: F403 - the fixtures
from ui_helpers import FRIDAY_EVENING, activate, focused, press, query, type_text

KEYRING_ENTRY = (secrets.SERVICE, f"default:{secrets.TEAM_KEY}")


@pytest.fixture
def ring(monkeypatch):
    import keyring

    monkeypatch.delenv("FIELDAPP_TEAM_KEY", raising=False)
    original = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(original)


@pytest.fixture
def new_ctx(qapp, database, clock) -> AppContext:
    """A data file as the first start leaves it: no name, no staff, no settings."""
    return AppContext.open(database, synchronous=True, clock=clock)


def open_window(qtbot, ctx, qsettings) -> MainWindow:
    """The window as the app starts it: the guide's offer installed, then shown and painted."""
    window = MainWindow(ctx, qsettings)
    qtbot.addWidget(window)
    first_start.install(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window._after_first_paint is None, timeout=3000)
    return window


def the_guide(qtbot, window) -> FirstStartGuide:
    qtbot.waitUntil(lambda: isinstance(window.last_dialog, FirstStartGuide)
                    and window.last_dialog.isVisible(), timeout=3000)
    guide = window.last_dialog
    activate(qtbot, guide)
    return guide


def type_here(qtbot, text: str) -> None:
    type_text(focused(qtbot), text)


def enter(qtbot) -> None:
    press(qtbot, Qt.Key.Key_Return)


def setting(ctx, key):
    with ctx.services() as services:
        return services.settings.get(key)


def test_a_new_file_gets_the_guide_and_the_keyboard_sets_it_all_up(qtbot, new_ctx, qsettings,
                                                                     ring, tmp_path, db_path):
    hub = tmp_path / "hub"
    hub.mkdir()
    window = open_window(qtbot, new_ctx, qsettings)
    guide = the_guide(qtbot, window)
    assert guide.currentPage() is guide.device_page
    assert focused(qtbot) is guide.device_page.device_name

    enter(qtbot)  # no name yet: refused, with what to do
    assert guide.currentPage() is guide.device_page
    assert "Ge datorn ett namn" in guide.device_page.form.messages()["device_name"]
    type_here(qtbot, "Laptop fältgruppen 2")
    press(qtbot, Qt.Key.Key_Tab)
    type_here(qtbot, "Fältgruppen Hägersten-Älvsjö")
    enter(qtbot)

    assert guide.currentPage() is guide.staff_page
    assert focused(qtbot) is guide.staff_page.staff_name
    enter(qtbot)  # nobody yet: the page says so and stays
    assert guide.currentPage() is guide.staff_page
    assert "minst en person" in guide.staff_page.form.messages()["name"]
    for name in ("Amira Lindqvist", "Jonas Berg"):
        type_here(qtbot, name)
        enter(qtbot)  # adds the person, initials made from the name
    assert guide.staff_page.staff_list.count() == 2
    enter(qtbot)  # the empty name field: go on

    assert guide.currentPage() is guide.hub_page
    type_here(qtbot, str(tmp_path / "nowhere"))
    enter(qtbot)  # a folder that does not exist is refused on the IO lane's check
    assert guide.currentPage() is guide.hub_page
    assert "hittas inte" in guide.hub_page.form.messages()["hub_path"]
    guide.hub_page.hub_path.selectAll()
    type_here(qtbot, str(hub))
    enter(qtbot)

    assert guide.currentPage() is guide.key_page
    assert guide.key_page.new.isChecked()  # a new hub: this laptop makes the key
    made = guide.key_page.code.text()
    enter(qtbot)  # Slutför

    assert not guide.isVisible()
    assert ring.entries[KEYRING_ENTRY] == made
    with new_ctx.services() as services:
        assert services.settings.device_name() == "Laptop fältgruppen 2"
        assert services.settings.get(TEAM_NAME) == "Fältgruppen Hägersten-Älvsjö"
        assert services.settings.get(HUB_PATH) == str(hub)
        assert services.settings.get(FIRST_START) == "done"
        assert [(s.initials, s.name) for s in services.staff.list()] == [
            ("AL", "Amira Lindqvist"), ("JB", "Jonas Berg")]
        assert services.settings.is_set_up()
    assert made not in db_path.read_bytes().decode("latin-1")  # the key never in the file
    assert query(db_path, "SELECT count(*) FROM setting WHERE key = 'team_key'") == [(0,)]


def test_a_set_up_file_gets_no_guide(qtbot, ctx, qsettings):
    window = open_window(qtbot, ctx, qsettings)  # ctx has staff: set up before the guide
    # The offer ran after the first paint (the synchronous runner answers at once).
    assert window.last_dialog is None


def test_a_named_laptop_and_the_demo_count_as_set_up(new_ctx, database):
    with new_ctx.services() as services:
        assert not services.settings.is_set_up()
        services.settings.set_device_name("Laptop 1")
        assert services.settings.is_set_up()
        services.settings.set_device_name("")
    generate_demo(database, weeks=1, now=FRIDAY_EVENING)
    with new_ctx.services() as services:
        assert services.settings.get(FIRST_START) == "done"
        assert services.settings.is_set_up()


def test_skipping_leaves_the_app_usable_and_arkiv_opens_the_guide_again(qtbot, new_ctx,
                                                                        qsettings, ring):
    window = open_window(qtbot, new_ctx, qsettings)
    guide = the_guide(qtbot, window)
    type_here(qtbot, "Laptop 3")
    enter(qtbot)  # saved when going on: skipping later keeps it
    press(qtbot, Qt.Key.Key_Escape)
    assert not guide.isVisible()
    assert setting(new_ctx, FIRST_START) == "skipped"
    assert window.action_start_shift.isEnabled()
    with new_ctx.services() as services:
        assert services.settings.device_name() == "Laptop 3"
        assert services.staff.list() == []
    assert KEYRING_ENTRY not in ring.entries

    first_start.offer_first_start(window)  # the next start: not offered again
    assert window.last_dialog is guide or not window.last_dialog.isVisible()

    action = window.findChild(type(window.action_first_start), "actionFirstStart")
    assert action in window.file_menu.actions()
    assert action.text() == "&Kom igång…"
    action.trigger()
    again = the_guide(qtbot, window)
    assert again is not guide
    assert again.device_page.device_name.text() == "Laptop 3"  # what is set, shown again
    again.reject()
    assert setting(new_ctx, FIRST_START) == "skipped"


def test_a_colleagues_key_is_typed_in_and_checked_against_the_teams_hub(
        qtbot, new_ctx, qsettings, ring, tmp_path, monkeypatch):
    # Laptop A made the hub with the team's key.
    team = new_team_key()
    hub = tmp_path / "hub"
    hub.mkdir()
    from test_sync_support import fresh_database

    laptop_a = fresh_database(tmp_path, 9)
    audited_sync(laptop_a, str(hub), team.encode())
    laptop_a.close()

    window = open_window(qtbot, new_ctx, qsettings)
    guide = the_guide(qtbot, window)
    guide.device_page.device_name.setText("Laptop B")
    guide.next()
    guide.staff_page.staff_name.setText("Amira Lindqvist")
    guide.staff_page.add_staff()
    guide.next()
    guide.hub_page.hub_path.setText(str(hub))
    guide.next()
    assert guide.currentPage() is guide.key_page
    assert guide.key_page.paste.isChecked()  # the folder has a team's hub: ask for its key
    assert focused(qtbot) is guide.key_page.paste

    press(qtbot, Qt.Key.Key_Tab)
    assert focused(qtbot) is guide.key_page.pasted
    typo = team[:5] + ("0" if team[5] != "0" else "1") + team[6:]
    type_here(qtbot, typo.lower())
    enter(qtbot)
    assert guide.isVisible()
    assert "skrivfel" in guide.key_page.form.messages()["pasted"]
    assert KEYRING_ENTRY not in ring.entries

    guide.key_page.pasted.clear()
    type_here(qtbot, new_team_key())  # a good code, but another team's
    enter(qtbot)
    assert "hör redan till ett team" in guide.key_page.form.messages()["pasted"]

    guide.key_page.pasted.clear()
    type_here(qtbot, team.replace("-", " ").lower())  # as read aloud and typed
    enter(qtbot)
    assert not guide.isVisible()
    assert ring.entries[KEYRING_ENTRY] == team
    assert setting(new_ctx, FIRST_START) == "done"


def test_the_guide_pages_fit_a_small_screen(qtbot, new_ctx, qsettings, ring, tmp_path):
    """Each page at its default size inside a 1366×768 screen; nothing wider than the guide."""
    from PySide6.QtWidgets import QWidget

    window = open_window(qtbot, new_ctx, qsettings)
    guide = the_guide(qtbot, window)
    assert guide.wizardStyle() == QWizard.WizardStyle.ClassicStyle
    guide.device_page.device_name.setText("Laptop 1")
    for page in (guide.device_page, guide.staff_page, guide.hub_page, guide.key_page):
        if page is guide.staff_page:
            guide.staff_page.staff_name.setText("Amira Lindqvist")
            guide.staff_page.add_staff()
        assert guide.currentPage() is page
        assert guide.width() <= 1366 and guide.height() <= 700
        for child in page.findChildren(QWidget):
            if child.isVisible():
                right = child.mapTo(guide, child.rect().bottomRight())
                assert right.x() <= guide.width() and right.y() <= guide.height(), child
        if page is not guide.key_page:
            guide.next()


# -- a shift with nobody on it --------------------------------------------------------------

def test_the_start_shift_dialog_refuses_a_shift_without_staff(qtbot, window, ctx, db_path):
    dialog = window.start_shift()
    activate(qtbot, dialog)
    assert dialog.staff.checked_ids() == []  # no earlier shift to take the crew from
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.form.messages()["staff_ids"] == "Välj minst en person som går passet."
    assert query(db_path, "SELECT count(*) FROM shift") == [(0,)]
    dialog.staff.set_checked([dialog.staff.ids()[0]])
    press(qtbot, Qt.Key.Key_Return)
    assert query(db_path, "SELECT count(*) FROM shift") == [(1,)]


def test_the_service_refuses_a_shift_without_staff_and_points_to_the_guide(new_ctx, clock):
    with new_ctx.services() as services:
        with pytest.raises(ValidationError) as refused:
            services.shifts.start(kind="nattvandring", starts_at=clock(), staff_ids=[])
    assert refused.value.errors[0].field == "staff_ids"
    assert "Arkiv → Kom igång…" in refused.value.errors[0].message
    with new_ctx.services() as services:
        person = services.staff.create(initials="AL", name="Amira Lindqvist")
        with pytest.raises(ValidationError) as refused:
            services.shifts.start(kind="nattvandring", starts_at=clock())
        assert refused.value.errors[0].message == "Välj minst en person som går passet."
        started = services.shifts.start(kind="nattvandring", starts_at=clock(),
                                        staff_ids=[person.id])
        assert started.staff_ids == (person.id,)
        # Records made otherwise (an old log imported, the demo) may lack staff.
        assert services.shifts.create(kind="nattvandring", starts_at=clock()).staff_ids == ()


def test_with_background_lanes_the_guide_goes_on_when_the_check_has_answered(
        qtbot, database, clock, qsettings, ring, tmp_path):
    """The real runner: the pages' checks and saves answer later, and the guide then goes on
    (or finishes) by itself."""
    ctx = AppContext.open(database, synchronous=False, clock=clock)
    window = MainWindow(ctx, qsettings)
    qtbot.addWidget(window)
    window.show()
    guide = first_start.open_first_start(window)
    qtbot.waitUntil(lambda: guide.loaded, timeout=3000)
    guide.device_page.device_name.setText("Laptop 4")
    guide.next()
    qtbot.waitUntil(lambda: guide.currentPage() is guide.staff_page, timeout=5000)
    guide.staff_page.staff_name.setText("Amira Lindqvist")
    guide.staff_page.add_staff()
    qtbot.waitUntil(lambda: guide.staff_page.staff_list.count() == 1, timeout=5000)
    guide.next()
    qtbot.waitUntil(lambda: guide.currentPage() is guide.hub_page, timeout=5000)
    guide.hub_page.hub_path.setText(str(tmp_path))
    guide.next()
    qtbot.waitUntil(lambda: guide.currentPage() is guide.key_page, timeout=5000)
    qtbot.waitUntil(lambda: guide.key_page.new.isChecked(), timeout=5000)
    made = guide.key_page.made
    guide.button(QWizard.WizardButton.FinishButton).click()  # Slutför
    qtbot.waitUntil(lambda: not shiboken6.isValid(guide) or not guide.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: setting(ctx, FIRST_START) == "done", timeout=5000)
    assert ring.entries[KEYRING_ENTRY] == made
    assert setting(ctx, HUB_PATH) == str(tmp_path)
    ctx.tasks.wait()
