"""The quick observation as a worker types it (issue 16 items 5 and 9): the dialog says which
place Enter takes, offers the places this laptop uses most first, adds a new place without
leaving the dialog, and Ctrl+D repeats the shift's last observation. Real widgets on a real
SQLite file."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
import uuid

from PySide6.QtCore import Qt

from fieldapp.domain.ids import reference_id
from fieldapp.domain.place_rank import PlaceUse, rank_places
from fieldapp.domain.records import PlaceRecord
from fieldapp.store.services import Services
from fieldapp.ui.dialogs.form_parts import find_data
from fieldapp.ui.dialogs.place_form import PlaceFormDialog
from fieldapp.ui.dialogs.quick_observation import QuickObservationDialog
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import ALVSJO, activate, focused, hexid, press, query, save_dialog, type_text

YOUTHS = reference_id("category", "ungdomssamling")
DRUGS = reference_id("category", "narkotikaforsaljning")


def place_named(ctx, name: str) -> PlaceRecord:
    with ctx.services() as services:
        return next(p for p in services.places.list() if p.name == name)


def observe(ctx, place, when, *, device_id=None, **values):
    with ctx.database.session() as session:
        services = Services(session, device_id or ctx.device_id, ctx.clock)
        return services.observations.create(place_id=place.id, category_id=values.pop(
            "category_id", YOUTHS), observed_at=when, **values)


def open_dialog(qtbot, window) -> QuickObservationDialog:
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.last_dialog
    assert isinstance(dialog, QuickObservationDialog) and dialog.isVisible()
    assert focused(qtbot) is dialog.place
    return dialog


def test_typing_li_says_which_place_enter_takes(qtbot, window):
    dialog = open_dialog(qtbot, window)
    type_text(dialog.place, "li")
    hint = dialog.place_field.hint
    assert hint.isVisible()
    # Nothing used yet: the first by name, and the dialog says so before Enter.
    assert hint.text() == "Enter väljer: Campus Liljeholmen (Liljeholmen)"
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.place.text() == "Campus Liljeholmen"
    assert focused(qtbot) is dialog.category
    assert hint.text() == "Liljeholmen"  # taken: its area


def test_the_hint_follows_the_row_highlighted_in_the_list(qtbot, window):
    dialog = open_dialog(qtbot, window)
    type_text(dialog.place, "liljeholms")
    popup = dialog.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    rows = [dialog.completer.completionModel().index(r, 0).data()
            for r in range(dialog.completer.completionCount())]
    assert rows == ["Liljeholmskajen", "Liljeholmstorget"]
    assert dialog.place_field.hint.text().endswith("Liljeholmskajen (Liljeholmen)")
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    assert dialog.first_match().name == "Liljeholmstorget"
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.place.text() == "Liljeholmstorget"


def test_no_match_says_so_and_offers_a_new_place(qtbot, window):
    dialog = open_dialog(qtbot, window)
    type_text(dialog.place, "xyzzy")
    assert "Ny plats" in dialog.place_field.hint.text()
    press(qtbot, Qt.Key.Key_Return)
    assert "xyzzy" in dialog.form.messages()["place_id"]
    assert focused(qtbot) is dialog.place


def test_a_frequent_place_ranks_first(qtbot, window, ctx, clock):
    torget = place_named(ctx, "Liljeholmstorget")
    galleria = place_named(ctx, "Liljeholmens galleria")
    campus = place_named(ctx, "Campus Liljeholmen")
    for days in (20, 13, 6):  # three Fridays at the square
        observe(ctx, torget, clock() - dt.timedelta(days=days))
    observe(ctx, galleria, clock() - dt.timedelta(days=1))  # once, yesterday
    observe(ctx, campus, clock() - dt.timedelta(weeks=12))  # long ago: does not count
    colleague = uuid.uuid4()  # a colleague's laptop, synced here: its places are not mine
    for hours in range(1, 6):
        observe(ctx, campus, clock() - dt.timedelta(hours=hours), device_id=colleague)
    gone = observe(ctx, galleria, clock() - dt.timedelta(hours=2))
    with ctx.services() as services:
        services.observations.delete(gone.id)

    with ctx.services() as services:
        usage = services.observations.place_usage(since=clock() - dt.timedelta(weeks=8))
    assert [(u.place_id, u.count) for u in usage] == [(torget.id, 3), (galleria.id, 1)]

    dialog = open_dialog(qtbot, window)
    assert [p.name for p in dialog.places[:2]] == ["Liljeholmstorget", "Liljeholmens galleria"]
    assert dialog.places.index(campus) > 2  # after them, by name
    type_text(dialog.place, "li")
    assert dialog.place_field.hint.text() == "Enter väljer: Liljeholmstorget (Liljeholmen)"
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.place.text() == "Liljeholmstorget"


def test_ranking_rule():
    area = uuid.uuid4()

    def place(name):
        return PlaceRecord(id=uuid.uuid4(), key=None, name=name, area_id=area, area_name="A",
                           kind="other", hotspot_status=None, lat=None, lon=None)

    a, b, c, d = place("Bro"), place("Ark"), place("Torg"), place("Dal")
    now = dt.datetime(2024, 11, 22, 18, tzinfo=dt.timezone.utc)
    usage = [PlaceUse(c.id, 2, now - dt.timedelta(days=9)),
             PlaceUse(d.id, 2, now - dt.timedelta(days=1)),  # as often, more recently
             PlaceUse(a.id, 1, now)]
    assert rank_places([a, b, c, d], usage) == [d, c, a, b]


def test_a_new_place_from_the_dialog(qtbot, window, ctx, db_path):
    dialog = open_dialog(qtbot, window)
    # A name no place holds a letter of at first ("q"), so no completion list opens: the
    # offscreen platform would hand the focus back to that (hidden) list's window when the
    # place form closes, where a window manager gives it back to the dialog.
    type_text(dialog.place, "Qvarnbackens skatepark")
    qtbot.mouseClick(dialog.place_field.new_button, Qt.MouseButton.LeftButton)
    form = dialog.place_field.place_dialog
    assert isinstance(form, PlaceFormDialog) and form.isVisible()
    assert form.name.text() == "Qvarnbackens skatepark"  # what was typed
    form.area.setCurrentIndex(find_data(form.area, ALVSJO))
    save_dialog(qtbot, form)
    assert not form.isVisible()
    activate(qtbot, dialog)  # what a window manager does when the form closes
    (place_id,), = query(db_path, "SELECT id FROM place WHERE name = 'Qvarnbackens skatepark'")
    assert dialog.place.text() == "Qvarnbackens skatepark"
    assert dialog.place_id.hex == place_id
    assert dialog.places[0].name == "Qvarnbackens skatepark"
    assert focused(qtbot) is dialog.category
    press(qtbot, "u")
    with qtbot.waitSignal(dialog.saved, timeout=2000):
        press(qtbot, Qt.Key.Key_Return)
    assert query(db_path, "SELECT place_id FROM observation") == [(place_id,)]


def test_new_place_by_keyboard_and_cancelled(qtbot, window, db_path):
    places = query(db_path, "SELECT count(*) FROM place")
    dialog = open_dialog(qtbot, window)
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    form = dialog.place_field.place_dialog
    assert isinstance(form, PlaceFormDialog) and form.isVisible()
    form.reject()
    assert dialog.isVisible() and dialog.place_id is None
    assert query(db_path, "SELECT count(*) FROM place") == places


def test_same_as_last_repeats_the_shifts_last_observation(qtbot, window, ctx, clock, staff_ids,
                                                          db_path):
    torg = place_named(ctx, "Älvsjö torg")
    with ctx.services() as services:
        shift = services.shifts.create(kind="nattvandring", starts_at=clock(), staff_ids=staff_ids)
    observe(ctx, place_named(ctx, "Älvsjö centrum"), clock.advance(minutes=10), shift_id=shift.id)
    observe(ctx, torg, clock.advance(minutes=10), shift_id=shift.id, category_id=DRUGS,
            severity="medium", people_count=4, youths_present=3, details="Privat")
    clock.advance(minutes=10)

    dialog = open_dialog(qtbot, window)
    assert dialog.same_button.isEnabled()
    press(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert dialog.place.text() == "Älvsjö torg"
    assert dialog.category.current_id() == DRUGS
    assert (dialog.severity.currentData(), dialog.people.value(), dialog.youths.value()) == (
        "medium", 4, 3)
    assert dialog.details.text() == ""  # the details are not repeated
    assert focused(qtbot) is dialog.category
    with qtbot.waitSignal(dialog.saved, timeout=2000):
        press(qtbot, Qt.Key.Key_Return)  # Ctrl+N, Ctrl+D, Enter
    rows = query(db_path, "SELECT shift_id, place_id, category_id, severity, people_count, "
                          "youths_present, details FROM observation ORDER BY observed_at")
    assert rows[-1] == (hexid(shift.id), hexid(torg.id), hexid(DRUGS), "medium", 4, 3, "")
    assert len(rows) == 3


def test_same_as_last_without_a_shift_does_nothing(qtbot, window, db_path):
    dialog = open_dialog(qtbot, window)
    assert not dialog.same_button.isEnabled()
    press(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert dialog.place.text() == "" and dialog.category.current_id() is None
    assert dialog.isVisible()
