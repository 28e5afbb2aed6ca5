"""The hotspot register: add and edit places, bad input explained beside its field, delete
with undo, and each place's observations per week and category for the last 8 weeks, equal to
an independent count in SQL."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

import fieldapp.ui.views.list_base as list_base
from PySide6.QtCore import Qt

from fieldapp.domain.ids import reference_id
from fieldapp.domain.weeks import STOCKHOLM, IsoWeek
from fieldapp.i18n import _
from fieldapp.store.queries import ListFilter
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.form_parts import select_data
from fieldapp.ui.views.places import PlacesView
from ui_helpers import save_dialog as save

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 11, 23, 10, 0, tzinfo=UTC)  # Saturday of week 47
LILJEHOLMSTORGET = reference_id("place", "liljeholmstorget")
LILJEHOLMEN = reference_id("area", "liljeholmen")
CATEGORIES = [reference_id("category", key)
              for key in ("narkotikaforsaljning", "ungdomssamling", "nedskrapning")]


@pytest.fixture
def ctx(database):
    return AppContext.open(database, synchronous=True, clock=lambda: NOW)


@pytest.fixture
def view(qtbot, ctx):
    view = PlacesView(ctx)
    qtbot.addWidget(view)
    view.resize(1000, 800)
    view.show()
    qtbot.waitExposed(view)
    return view




def show_only(view, text: str) -> None:
    view.filter_bar.set_filter(ListFilter(text=text))
    assert view.model.rowCount() >= 1
    view.table.setFocus()
    view.select_row(0)


def place_row(db_path, name: str):
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    try:
        return con.execute("SELECT * FROM place WHERE name = ?", (name,)).fetchone()
    finally:
        con.close()


def test_add_a_place_and_edit_its_status(qtbot, db_path, view):
    view.new_button.click()
    dialog = view.editor
    qtbot.keyClicks(dialog.name, "Trekanten badplats")
    select_data(dialog.area, LILJEHOLMEN)
    select_data(dialog.kind, "park")
    select_data(dialog.status, "watched")
    qtbot.keyClicks(dialog.lat, "59,3114")
    qtbot.keyClicks(dialog.lon, "18,0217")
    save(qtbot, dialog)
    assert not dialog.isVisible(), dialog.errors.messages()
    saved = place_row(db_path, "Trekanten badplats")
    assert (saved["kind"], saved["hotspot_status"]) == ("park", "watched")
    assert (saved["lat"], saved["lon"]) == (59.3114, 18.0217)
    assert saved["area_id"] == LILJEHOLMEN.hex

    show_only(view, "Trekanten")
    assert view.model.index(0, 3).data() == _("Under watch")
    view.edit_button.click()  # Enter opens the place's page (tests/test_ui_place_page.py)
    dialog = view.editor
    assert dialog.lat.text() == "59,3114"
    select_data(dialog.status, "active")
    save(qtbot, dialog)
    assert place_row(db_path, "Trekanten badplats")["hotspot_status"] == "active"
    assert view.model.index(0, 3).data() == _("Active")


PLACE_CASES = {
    "name": lambda d: d.name.setText("   "),
    "area_id": lambda d: d.area.setCurrentIndex(0),
    "lat": lambda d: d.lat.setText("norr om torget"),
    "lon": lambda d: (d.lat.setText("59,3"), d.lon.clear()),
}


@pytest.mark.parametrize("field", sorted(PLACE_CASES))
def test_each_place_message_appears_beside_its_field(qtbot, db_path, view, field):
    view.new_button.click()
    dialog = view.editor
    dialog.name.setText("Nytt ställe")
    select_data(dialog.area, LILJEHOLMEN)
    PLACE_CASES[field](dialog)
    save(qtbot, dialog)
    assert list(dialog.errors.messages()) == [field]
    assert dialog.errors.label(field).isVisible()
    assert dialog.isVisible()
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT count(*) FROM place WHERE key IS NULL").fetchone() == (0,)
    con.close()


def test_delete_a_place_asks_first_and_ctrl_z_restores(qtbot, db_path, monkeypatch, view):
    monkeypatch.setattr(list_base, "ask_yes_no", lambda *a, **k: True)
    show_only(view, "Liljeholmstorget")
    assert view.model.row_at(0).id == LILJEHOLMSTORGET
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert place_row(db_path, "Liljeholmstorget")["deleted_at"] is not None
    assert view.model.rowCount() == 0
    qtbot.keyClick(view.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert place_row(db_path, "Liljeholmstorget")["deleted_at"] is None
    assert view.model.rowCount() == 1


def test_place_history_equals_an_independent_sql_count(qtbot, ctx, db_path, view):
    # Observations over ten weeks (some before the 8-week window), one deleted.
    with ctx.services() as services:
        for week_back in range(10):
            monday = IsoWeek(2024, 47).previous(week_back).monday()
            for n in range(week_back % 4 + 1):
                moment = dt.datetime.combine(monday + dt.timedelta(days=n % 7),
                                             dt.time(21, 30), tzinfo=STOCKHOLM)
                record = services.observations.create(
                    place_id=LILJEHOLMSTORGET, category_id=CATEGORIES[n % 3],
                    observed_at=moment)
            if week_back == 2:
                services.observations.delete(record.id)
        # Sunday 23:30 in Stockholm is still week 46, though Monday in UTC is not.
        services.observations.create(
            place_id=LILJEHOLMSTORGET, category_id=CATEGORIES[0],
            observed_at=dt.datetime(2024, 11, 17, 23, 30, tzinfo=STOCKHOLM))
    ctx.events.changed.emit("observation")

    show_only(view, "Liljeholmstorget")
    model = view.history_model
    history = model.history
    assert [str(w) for w in history.weeks] == [str(IsoWeek(2024, n)) for n in range(40, 48)]
    assert model.columnCount() == 8
    assert model.headerData(7, Qt.Orientation.Horizontal) == _("w. {week}").format(week=47)
    assert model.rowCount() == len(history.rows) + 1  # and a total row

    con = sqlite3.connect(db_path)
    grand_total = 0
    for row_number, row in enumerate(history.rows):
        for column, week in enumerate(history.weeks):
            expected = con.execute(
                "SELECT count(*) FROM observation WHERE place_id = ? AND category_id = ? "
                "AND observed_at >= ? AND observed_at < ? AND deleted_at IS NULL",
                (LILJEHOLMSTORGET.hex, row.category_id.hex,
                 week.start_utc().strftime("%Y-%m-%d %H:%M:%S"),
                 week.end_utc().strftime("%Y-%m-%d %H:%M:%S")),
            ).fetchone()[0]
            assert model.count(row_number, column) == expected
            shown = model.index(row_number, column).data()
            assert shown == (str(expected) if expected else "\u2013")
            grand_total += expected
    window = con.execute(
        "SELECT count(*) FROM observation WHERE place_id = ? AND observed_at >= ? "
        "AND observed_at < ? AND deleted_at IS NULL",
        (LILJEHOLMSTORGET.hex, history.weeks[0].start_utc().strftime("%Y-%m-%d %H:%M:%S"),
         history.weeks[-1].end_utc().strftime("%Y-%m-%d %H:%M:%S"))).fetchone()[0]
    con.close()
    assert grand_total == window == sum(model.count(len(history.rows), c) for c in range(8))
    assert model.count(0, 6) >= 1  # the Sunday-night observation counts in week 46
    assert "Liljeholmstorget" in view.history_title.text()


def test_filter_places_by_status_and_area(qtbot, view):
    flt = ListFilter(area_id=LILJEHOLMEN, status="active")
    view.filter_bar.set_filter(flt)
    rows = view.model.loaded_rows()
    assert rows and all(r.area_id == LILJEHOLMEN and r.hotspot_status == "active" for r in rows)
    view.filter_bar.set_filter(ListFilter(status="none"))
    assert all(r.hotspot_status is None for r in view.model.loaded_rows())
