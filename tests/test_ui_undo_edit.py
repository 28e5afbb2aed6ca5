"""Ctrl+Z after an edit (issue 16 item 9): the lists take back an edit as they take back a
delete, through the services (a new revision that syncs, the same validation), on a real
SQLite file with real widgets."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

import fieldapp.ui.views.list_base as list_base
from fieldapp.domain.ids import reference_id
from fieldapp.ui.dialogs.form_parts import find_data
from fieldapp.ui.views.observations import ObservationsView
from fieldapp.ui.views.shifts import ShiftsView
from fieldapp.ui.context import AppContext
from test_ui_lists import (
    DEALING,
    FRIDAY_EVENING,
    LILJEHOLMEN,
    LILJEHOLMSTORGET,
    NOW,
    open_editor,
    open_view,
    row_of,
    save_button,
)

ALVSJO_CENTRUM = reference_id("place", "alvsjo-centrum")


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


def undo(qtbot, view) -> None:
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_z_after_a_shift_edit_restores_the_old_values(qtbot, ctx, db_path, shift):
    before = row_of(db_path, "shift", shift.id)
    view = open_view(qtbot, ShiftsView, ctx)
    assert not view.undo_button.isEnabled()
    dialog = open_editor(qtbot, view)
    dialog.weather.setText("Regn, 4 grader")
    dialog.adults_met.setValue(7)
    dialog.youth_boxes["16-17|pojke"].setValue(5)
    qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    edited = row_of(db_path, "shift", shift.id)
    assert (edited["weather"], edited["adults_met"], edited["revision"]) == ("Regn, 4 grader", 7, 2)
    assert dialog.undo_values == {"weather": "", "adults_met": 2, "youth_counts": {}}
    assert view.undo_button.isEnabled() and view.undo_button.text() == "Ångra ändring"
    assert "Ctrl+Z" in view.message_label.text()

    undo(qtbot, view)
    restored = row_of(db_path, "shift", shift.id)
    for column in ("weather", "adults_met", "youth_counts", "kind", "starts_at", "ends_at",
                   "summary"):
        assert restored[column] == before[column], column
    assert restored["revision"] == 3  # the undo is a change of its own: it syncs
    assert view.model.row_at(0).adults_met == 2
    assert view.message_label.text() == "Ändringen är ångrad."
    assert not view.undo_button.isEnabled()


def test_ctrl_z_after_an_observation_edit(qtbot, ctx, db_path, observation):
    view = open_view(qtbot, ObservationsView, ctx)
    dialog = open_editor(qtbot, view)
    dialog.people_count.setValue(9)
    dialog.place.setCurrentIndex(find_data(dialog.place, ALVSJO_CENTRUM))
    dialog.severity.setCurrentIndex(find_data(dialog.severity, "high"))
    qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    edited = row_of(db_path, "observation", observation.id)
    assert (edited["people_count"], edited["place_id"], edited["severity"]) == (
        9, ALVSJO_CENTRUM.hex, "high")

    undo(qtbot, view)
    restored = row_of(db_path, "observation", observation.id)
    assert (restored["people_count"], restored["place_id"], restored["severity"]) == (
        4, observation.place_id.hex, "medium")
    assert restored["youths_present"] == 3 and restored["revision"] == 3


def test_edit_then_delete_undo_in_reverse_order(qtbot, ctx, db_path, monkeypatch, observation):
    monkeypatch.setattr(list_base, "ask_yes_no", lambda *a, **k: True)
    view = open_view(qtbot, ObservationsView, ctx)
    dialog = open_editor(qtbot, view)
    dialog.people_count.setValue(12)
    qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    view.table.setFocus()
    view.select_row(0)
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert row_of(db_path, "observation", observation.id)["deleted_at"] is not None
    assert view.undo_button.text() == "Ångra borttagning"

    undo(qtbot, view)  # the delete first
    row = row_of(db_path, "observation", observation.id)
    assert row["deleted_at"] is None and row["people_count"] == 12
    assert view.undo_button.text() == "Ångra ändring"
    undo(qtbot, view)  # then the edit
    assert row_of(db_path, "observation", observation.id)["people_count"] == 4


def test_saving_unchanged_leaves_nothing_to_undo(qtbot, ctx, observation):
    view = open_view(qtbot, ObservationsView, ctx)
    dialog = open_editor(qtbot, view)
    qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.undo_values == {}
    assert not view.undo_button.isEnabled()


def test_an_undo_the_rules_refuse_is_explained(qtbot, ctx, db_path, observation):
    """The old place was deleted meanwhile: the services refuse the old values, the list
    says why, and the record keeps its edited values."""
    view = open_view(qtbot, ObservationsView, ctx)
    dialog = open_editor(qtbot, view)
    dialog.place.setCurrentIndex(find_data(dialog.place, ALVSJO_CENTRUM))
    qtbot.mouseClick(save_button(dialog), Qt.MouseButton.LeftButton)
    with ctx.services() as services:
        services.places.delete(observation.place_id)
    undo(qtbot, view)
    assert "Välj en plats i listan." in view.message_label.text()
    assert row_of(db_path, "observation", observation.id)["place_id"] == ALVSJO_CENTRUM.hex


@pytest.fixture(autouse=True)
def _no_real_questions(monkeypatch):
    """No test here may hang on a modal question."""
    monkeypatch.setattr(QMessageBox, "exec", lambda self: pytest.fail(self.text()))
