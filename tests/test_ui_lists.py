"""The shifts and observations lists, driven like a user: Enter edits through the dialog,
Delete asks first, Ctrl+Z brings the record back, bad input is explained beside its field and
nothing is saved, and 100,000 observations open at once and scroll to the end page by page."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid

import pytest

import fieldapp.ui.views.list_base as list_base
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from sqlalchemy import insert

from fieldapp.domain.ids import reference_id
from fieldapp.domain.weeks import STOCKHOLM, IsoWeek
from fieldapp.i18n import _
from fieldapp.store.models import Observation
from fieldapp.ui.context import AppContext
from fieldapp.ui.views.observations import ObservationsView
from fieldapp.ui.views.shifts import ShiftsView

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 11, 23, 10, 0, tzinfo=UTC)  # Saturday, week 47
LILJEHOLMSTORGET = reference_id("place", "liljeholmstorget")
LILJEHOLMEN = reference_id("area", "liljeholmen")
DEALING = reference_id("category", "narkotikaforsaljning")
FRIDAY_EVENING = dt.datetime(2024, 11, 22, 19, 0, tzinfo=STOCKHOLM)


@pytest.fixture
def ctx(database):
    return AppContext.open(database, synchronous=True, clock=lambda: NOW)


@pytest.fixture
def shift(ctx):
    with ctx.services() as services:
        return services.shifts.create(kind="nattvandring", starts_at=FRIDAY_EVENING,
                                      ends_at=FRIDAY_EVENING + dt.timedelta(hours=6),
                                      area_ids=[LILJEHOLMEN], adults_met=2)


@pytest.fixture
def observation(ctx, shift):
    with ctx.services() as services:
        return services.observations.create(
            shift_id=shift.id, place_id=LILJEHOLMSTORGET, category_id=DEALING,
            observed_at=FRIDAY_EVENING + dt.timedelta(hours=1), people_count=4,
            youths_present=3, severity="medium")


def open_view(qtbot, view_class, ctx):
    view = view_class(ctx)
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def save_button(dialog):
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)


def row_of(db_path, table: str, record_id: uuid.UUID):
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id.hex,)).fetchone()
    finally:
        con.close()


def open_editor(qtbot, view, row: int = 0):
    view.table.setFocus()
    view.select_row(row)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    dialog = view.editor
    assert dialog is not None and dialog.isVisible()
    return dialog


# -- editing -------------------------------------------------------------------------------------


def test_edit_a_shift_through_the_dialog(qtbot, ctx, db_path, shift):
    view = open_view(qtbot, ShiftsView, ctx)
    assert view.model.rowCount() == 1
    dialog = open_editor(qtbot, view)
    dialog.weather.clear()
    qtbot.keyClicks(dialog.weather, "Regn, 4 grader")
    dialog.adults_met.setValue(7)
    dialog.youth_boxes["16-17|pojke"].setValue(5)
    qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    saved = row_of(db_path, "shift", shift.id)
    assert saved["weather"] == "Regn, 4 grader"
    assert saved["adults_met"] == 7
    assert saved["revision"] == 2
    row = view.model.row_at(0)
    assert row.adults_met == 7 and row.youths_met == 5


def test_double_click_opens_the_observation_editor_and_saves(qtbot, ctx, db_path, observation):
    view = open_view(qtbot, ObservationsView, ctx)
    index = view.model.index(0, 1)
    rect = view.table.visualRect(index)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = view.editor
    assert dialog is not None and dialog.isVisible()
    dialog.people_count.setValue(6)
    qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    assert row_of(db_path, "observation", observation.id)["people_count"] == 6
    assert view.model.row_at(0).people_count == 6


# -- delete and undo ---------------------------------------------------------------------------


@pytest.mark.parametrize("view_class, table, fixture", [
    (ShiftsView, "shift", "shift"),
    (ObservationsView, "observation", "observation"),
])
def test_delete_asks_first_and_ctrl_z_restores(qtbot, ctx, db_path, monkeypatch, request,
                                               view_class, table, fixture):
    record = request.getfixturevalue(fixture)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    questions = []

    def question(parent, title, text, **kwargs):
        questions.append(text)
        return answers.pop(0) == QMessageBox.StandardButton.Yes

    monkeypatch.setattr(list_base, "ask_yes_no", question)
    view = open_view(qtbot, view_class, ctx)
    view.table.setFocus()
    view.select_row(0)

    qtbot.keyClick(view.table, Qt.Key.Key_Delete)  # answered No
    assert row_of(db_path, table, record.id)["deleted_at"] is None
    assert view.model.rowCount() == 1

    qtbot.keyClick(view.table, Qt.Key.Key_Delete)  # answered Yes
    assert len(questions) == 2
    assert row_of(db_path, table, record.id)["deleted_at"] is not None
    assert view.model.rowCount() == 0
    assert view.undo_button.isEnabled()

    qtbot.keyClick(view.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    restored = row_of(db_path, table, record.id)
    assert restored["deleted_at"] is None
    assert restored["revision"] == 3  # delete and restore are both new revisions (they sync)
    assert view.model.rowCount() == 1
    assert not view.undo_button.isEnabled()


# -- validation ----------------------------------------------------------------------------------


def _end_before_start(d):
    d.running.setChecked(False)
    d.ends_at.set_moment(FRIDAY_EVENING - dt.timedelta(hours=1))


def _future_start(d):
    d.starts_at.set_moment(NOW + dt.timedelta(days=3))
    d.ends_at.set_moment(NOW + dt.timedelta(days=3, hours=4))


SHIFT_CASES = {
    "ends_at": (_end_before_start, "End time must be after the start time."),
    "starts_at": (_future_start,
                  "The start time is more than a day in the future; check the date."),
    "adults_met": (lambda d: d.adults_met.setValue(600), None),
    "concern_reports": (lambda d: d.concern_reports.setValue(501), None),
    "referrals": (lambda d: d.referrals.setValue(501), None),
    "youth_counts": (lambda d: d.youth_boxes["13-15|flicka"].setValue(900), None),
    "weather": (lambda d: d.weather.setText("regn\x00"), None),
    "private_notes": (lambda d: d.private_notes.setPlainText("x" * 10001), None),
}


@pytest.mark.parametrize("field", sorted(SHIFT_CASES))
def test_each_shift_message_appears_beside_its_field(qtbot, ctx, db_path, shift, field):
    spoil, expected = SHIFT_CASES[field]
    view = open_view(qtbot, ShiftsView, ctx)
    dialog = open_editor(qtbot, view)
    spoil(dialog)
    qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)

    shown = dialog.errors.messages()
    assert list(shown) == [field]
    assert dialog.errors.label(field).isVisible()
    if expected is not None:
        assert shown[field] == _(expected)
    assert dialog.isVisible()
    assert row_of(db_path, "shift", shift.id)["revision"] == 1  # nothing saved



OBSERVATION_CASES = {
    "observed_at": lambda d: d.observed_at.set_moment(FRIDAY_EVENING - dt.timedelta(hours=3)),
    "youths_present": lambda d: d.youths_present.setValue(9),
    "people_count": lambda d: (d.people_count.setValue(700), d.youths_present.setValue(0)),
}


@pytest.mark.parametrize("field", sorted(OBSERVATION_CASES))
def test_each_observation_message_appears_beside_its_field(qtbot, ctx, db_path, observation,
                                                           field):
    view = open_view(qtbot, ObservationsView, ctx)
    dialog = open_editor(qtbot, view)
    OBSERVATION_CASES[field](dialog)
    qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    assert list(dialog.errors.messages()) == [field]
    assert dialog.errors.label(field).isVisible()
    assert dialog.isVisible()
    assert row_of(db_path, "observation", observation.id)["revision"] == 1


def test_observation_time_message_names_the_shift_in_stockholm_time(qtbot, ctx, observation):
    view = open_view(qtbot, ObservationsView, ctx)
    dialog = open_editor(qtbot, view)
    OBSERVATION_CASES["observed_at"](dialog)
    qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    assert "19:00" in dialog.errors.messages()["observed_at"]
    assert "01:00" in dialog.errors.messages()["observed_at"]


# -- filters -------------------------------------------------------------------------------------


def test_week_and_text_filters(qtbot, ctx, shift, observation):
    with ctx.services() as services:
        services.observations.create(place_id=reference_id("place", "alvsjo-centrum"),
                                     category_id=DEALING, details="ungdomar vid kiosken",
                                     observed_at=NOW - dt.timedelta(days=14))
    view = open_view(qtbot, ObservationsView, ctx)
    assert view.model.rowCount() == 2
    assert view.model.row_at(0).id == observation.id  # newest first

    view.filter_bar.week_picker.set_week(IsoWeek(2024, 47))
    assert [r.id for r in view.model.loaded_rows()] == [observation.id]
    view.filter_bar.week_picker.set_week(None)
    assert view.model.rowCount() == 2

    view.filter_bar.text_edit.setText("kiosken")
    qtbot.keyClick(view.filter_bar.text_edit, Qt.Key.Key_Return)
    assert view.model.rowCount() == 1
    assert view.model.row_at(0).details == "ungdomar vid kiosken"
    assert _("{total} in all").format(total=1) == view.count_label.text()


def test_sorting_happens_in_sql(qtbot, ctx, shift, observation):
    with ctx.services() as services:
        services.observations.create(place_id=reference_id("place", "alvsjo-centrum"),
                                     category_id=DEALING, people_count=9,
                                     observed_at=NOW - dt.timedelta(days=14))
    view = open_view(qtbot, ObservationsView, ctx)
    people_column = next(n for n, c in enumerate(view.model.columns) if c.sort == "people_count")
    view.table.sortByColumn(people_column, Qt.SortOrder.AscendingOrder)
    assert view.model.sort_key == "people_count" and not view.model.descending
    assert [r.people_count for r in view.model.loaded_rows()] == [4, 9]
    view.table.sortByColumn(people_column, Qt.SortOrder.DescendingOrder)
    assert [r.people_count for r in view.model.loaded_rows()] == [9, 4]


def test_lists_follow_the_language(qtbot, ctx, observation):
    from fieldapp.i18n import set_language

    view = open_view(qtbot, ObservationsView, ctx)
    assert view.model.headerData(1, Qt.Orientation.Horizontal) == "Plats"
    assert view.filter_bar.week_picker.combo.itemText(0) == "Alla veckor"
    set_language("en")
    view.retranslate()
    assert view.model.headerData(1, Qt.Orientation.Horizontal) == "Place"
    assert view.filter_bar.week_picker.combo.itemText(0) == "All weeks"
    assert view.model.index(0, 4).data() == "Medium"
    assert view.undo_button.text() == "Undo delete"


# -- 100,000 observations ------------------------------------------------------------------------

TOTAL = 100_000


@pytest.mark.slow
def test_100000_observations_open_at_once_and_scroll_to_the_end(qtbot, ctx, database):
    device = ctx.device_id
    start = dt.datetime(2023, 1, 2, tzinfo=UTC)
    places = [LILJEHOLMSTORGET, reference_id("place", "alvsjo-centrum")]
    categories = [DEALING, reference_id("category", "ungdomssamling")]
    rows = [
        dict(id=uuid.uuid4(), device_id=device, revision=1, created_at=start, updated_at=start,
             place_id=places[n % 2], category_id=categories[(n // 2) % 2], severity="low",
             observed_at=start + dt.timedelta(minutes=7 * n), people_count=n % 11,
             youths_present=0, action_taken="none", details="", details_shareable=False)
        for n in range(TOTAL)
    ]
    with database.session() as session:
        session.execute(insert(Observation.__table__), rows)
    del rows

    view = ObservationsView(ctx)
    loads = [(view.model.rowCount(), view.model.canFetchMore())]  # the first page, at once
    view.model.page_loaded.connect(lambda n: loads.append((n, view.model.canFetchMore())))
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()

    # First paint: one page, not everything.
    model = view.model
    assert model.total == TOTAL
    assert 0 < model.rowCount() <= 400
    assert model.pages_fetched <= 2
    assert model.canFetchMore(QModelIndex())
    assert view.count_label.text() == _("Showing {shown} of {total}").format(
        shown=model.rowCount(), total="100\xa0000")

    # Scroll to the end the way a user does: the view fetches more at the bottom.
    scrollbar = view.table.verticalScrollBar()
    for _step in range(5 * TOTAL // model.page_size):
        if not model.canFetchMore(QModelIndex()):
            break
        scrollbar.setValue(scrollbar.maximum())
        QApplication.processEvents()
    assert not model.canFetchMore(QModelIndex())
    assert model.rowCount() == TOTAL
    assert len({r.id for r in model.loaded_rows()}) == TOTAL

    # The model grew a page at a time and never held all rows before the end.
    sizes = [n for n, _more in loads]
    assert sizes == sorted(sizes)
    assert all(b - a <= model.page_size for a, b in zip([0] + sizes, sizes))
    assert all(n < TOTAL for n, more in loads if more)
    assert loads[-1] == (TOTAL, False)
    times = [r.observed_at for r in model.loaded_rows()[:1000]]
    assert times == sorted(times, reverse=True)
