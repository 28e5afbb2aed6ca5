"""Fuzzed input through every form: start shift, end shift, quick observation, edit shift,
edit observation, meeting form and place form.

Hypothesis sets the widgets' values (text of every kind, NUL, lone surrogates, very long text,
SQL-looking text, times across the daylight-saving changes and at the ends of the widgets'
calendars, counts at and past the boxes' limits, any ticks and choices) and presses Save.
Then either the dialog closed and what it sent (``values()``) is what is stored, or it stayed
open with messages beside its fields, every refused field is a real field of the service it
calls, and no row changed anywhere. No other exception may escape (a failure in a slot fails
the test through pytest-qt), and no "Something went wrong" box may appear.
"""

from __future__ import annotations

import datetime as dt
import inspect
import os
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from sqlalchemy import func, select

from fieldapp.domain.weeks import STOCKHOLM
from fieldapp.store.models import Base
from fieldapp.store.services.meetings import ACTION_EDITABLE, MEETING_EDITABLE, MeetingService
from fieldapp.store.services.observations import EDITABLE as OBSERVATION_EDITABLE
from fieldapp.store.services.observations import ObservationService
from fieldapp.store.services.places import PLACE_EDITABLE, PlaceService
from fieldapp.store.services.shifts import EDITABLE as SHIFT_EDITABLE
from fieldapp.store.services.shifts import ShiftService
from fieldapp.ui.widgets import forms
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import ALVSJO, ALVSJO_CENTRUM, FRIDAY_EVENING

# FIELDAPP_FUZZ_EXAMPLES=2000 hunts longer, with a random seed (the default run is repeatable).
_EXAMPLES = int(os.environ.get("FIELDAPP_FUZZ_EXAMPLES", "0"))
FORMS = settings(max_examples=_EXAMPLES or 25, deadline=None, derandomize=not _EXAMPLES,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                        HealthCheck.data_too_large, HealthCheck.large_base_example])
UTC = dt.timezone.utc

# -- strategies -----------------------------------------------------------------------------

SQLISH = ["'; DROP TABLE shift; --", "Robert'); DROP TABLE observation;--", "1' OR '1'='1",
          "%", "_", "\\", "NULL", "\u202eevil", "Älvsjö centrum", "  ", "a\r\nb", "\ufeff",
          "\U0001f600", "19121212-1212", "Ring 070-123 45 67"]
savable = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


def mostly(good, bad):
    return st.integers(0, 3).flatmap(lambda n: bad if n == 0 else good)


texts = mostly(
    st.one_of(st.text(savable, max_size=30), st.sampled_from(SQLISH)),
    st.one_of(
        st.text(st.characters(exclude_categories=()), min_size=1, max_size=20),  # surrogates too
        st.builds(lambda a, b: a + "\x00" + b, st.text(max_size=5), st.text(max_size=5)),
        st.builds(lambda c, n: c * n, savable, st.integers(95, 105)),  # around a short limit
        st.builds(lambda c, n: c * n, savable, st.integers(9_990, 10_010)),  # around the long one
    ),
)


def _stockholm(naive_from, naive_to):
    return st.datetimes(min_value=naive_from, max_value=naive_to, timezones=st.just(STOCKHOLM),
                        allow_imaginary=True)


# Around the clock of the tests (Friday 22 Nov 2024 19:00) and across both DST changes.
near = _stockholm(dt.datetime(2024, 11, 21, 12), dt.datetime(2024, 11, 23, 12))
moments = mostly(near, st.one_of(
    _stockholm(dt.datetime(2024, 10, 26, 22), dt.datetime(2024, 10, 27, 4)),
    _stockholm(dt.datetime(2024, 3, 30, 22), dt.datetime(2024, 3, 31, 4)),
    st.datetimes(min_value=dt.datetime(1753, 1, 1), max_value=dt.datetime(9999, 12, 30),
                 timezones=st.just(UTC)),
))
spin_values = mostly(st.integers(0, 40), st.integers(-10, 200_000))


def set_moment(widget, moment: dt.datetime) -> None:
    widget.setDateTime(QDateTime(moment.astimezone(STOCKHOLM).replace(tzinfo=None, fold=0)))


def tick(data, checklist, label: str) -> None:
    ids = checklist.ids()
    chosen = data.draw(st.lists(st.sampled_from(ids), max_size=4), label=label) if ids else []
    checklist.set_checked(chosen)


def choose(data, combo, label: str) -> None:
    if combo.count():
        combo.setCurrentIndex(data.draw(st.integers(0, combo.count() - 1), label=label))


def params(*methods) -> set[str]:
    names = set()
    for method in methods:
        names |= {n for n in inspect.signature(method).parameters if n not in ("self", "id")}
    return names


def save_button(dialog):
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)


def same_moment(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None
                                         and a.timestamp() == b.timestamp())


# -- the harness ----------------------------------------------------------------------------

class Harness:
    def __init__(self, qtbot, ctx, monkeypatch):
        self.qtbot = qtbot
        self.ctx = ctx
        self.unexpected: list[BaseException] = []
        self.shown: list = []
        self.outcomes = [0, 0]  # saved, refused
        record = lambda parent, exc, trace="": self.unexpected.append(exc)  # noqa: E731 - a one-line error hook
        monkeypatch.setattr("fieldapp.ui.widgets.saving.show_unexpected_error", record)
        monkeypatch.setattr("fieldapp.ui.dialogs.meeting_form.show_unexpected_error", record)
        original = forms.FormErrors.show

        def show(form, errors):
            errors = list(errors)
            self.shown.extend(errors)
            return original(form, errors)

        monkeypatch.setattr(forms.FormErrors, "show", show)

    def counts(self) -> dict[str, int]:
        with self.ctx.database.session() as session:
            return {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in Base.metadata.sorted_tables}

    def press_save(self, dialog, button, fields: set[str], snapshot=None) -> bool:
        """Press Save; True when the dialog closed (saved), False when it refused."""
        before = self.counts()
        before_record = snapshot() if snapshot else None
        self.shown.clear()
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert not self.unexpected, self.unexpected
        if dialog.result() == QDialog.DialogCode.Accepted:
            self.outcomes[0] += 1
            return True
        self.outcomes[1] += 1
        assert dialog.isVisible(), "the dialog closed without saving"
        for error in self.shown:
            assert error.field in fields, f"{error.field!r} is not a field of {sorted(fields)}"
        assert self.counts() == before, "a refused save changed rows"
        if snapshot:
            assert snapshot() == before_record, "a refused save changed the record"
        return False

    def open(self, dialog):
        self.qtbot.addWidget(dialog)
        dialog.show()
        return dialog


@pytest.fixture
def harness(qtbot, ctx, monkeypatch):
    harness = Harness(qtbot, ctx, monkeypatch)
    yield harness
    saved, refused = harness.outcomes
    assert saved > 0 and refused > 0, f"the fuzzing saved {saved} times and was refused {refused} times"


def running_shift(ctx):
    with ctx.services() as services:
        return services.shifts.create(kind="nattvandring", starts_at=ctx.clock() - dt.timedelta(hours=2),
                                      area_ids=[ALVSJO])


# -- forms ----------------------------------------------------------------------------------

@FORMS
@given(data=st.data())
def test_start_shift_form(harness, ctx, data):
    from fieldapp.ui.dialogs.start_shift import StartShiftDialog

    dialog = harness.open(StartShiftDialog(ctx))
    saved = []
    dialog.saved.connect(saved.append)
    choose(data, dialog.kind, "kind")
    set_moment(dialog.starts_at, data.draw(moments, label="starts_at"))
    for name in ("areas", "staff", "partners"):
        tick(data, getattr(dialog, name), name)
    values = dialog.values()
    if harness.press_save(dialog, dialog.start_button, params(ShiftService.create)):
        with ctx.services() as services:
            record = services.shifts.get(saved[0].id)
        assert record.kind == values["kind"] and same_moment(record.starts_at, values["starts_at"])
        for name in ("area_ids", "staff_ids", "partner_ids"):
            assert set(getattr(record, name)) == set(values[name])
    dialog.close()


def answer_yes_if_asked() -> None:
    """Answer Yes to the question the save may ask (a modal box shown inside the click);
    when the form refuses before asking, there is no box and nothing is done."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def answer():
        box = QApplication.activeModalWidget()
        if box is not None and hasattr(box, "buttons"):
            yes = box.ButtonRole.YesRole
            next(b for b in box.buttons() if box.buttonRole(b) == yes).click()
    QTimer.singleShot(0, answer)


@FORMS
@given(data=st.data())
def test_end_shift_form(harness, ctx, data):
    from fieldapp.ui.dialogs.end_shift import FUTURE_QUESTION_AFTER, EndShiftDialog

    shift = running_shift(ctx)
    dialog = harness.open(EndShiftDialog(ctx, shift.id))
    if data.draw(st.booleans(), label="set end"):
        set_moment(dialog.ends_at, data.draw(moments, label="ends_at"))
    for key, spin in dialog.youth_spins.items():
        if data.draw(st.booleans(), label=f"set {key}"):
            spin.setValue(data.draw(spin_values, label=key))
    dialog.adults_met.setValue(data.draw(spin_values, label="adults"))
    dialog.concern_reports.setValue(data.draw(spin_values, label="concern_reports"))
    dialog.referrals.setValue(data.draw(spin_values, label="referrals"))
    dialog.summary.setPlainText(data.draw(texts, label="summary"))
    dialog.share.setChecked(data.draw(st.booleans(), label="share"))

    def snapshot():
        with ctx.services() as services:
            return services.shifts.get(shift.id)

    values = dict(ends_at=dialog.ends_at.moment(), youth_counts=dialog.youth_counts(),
                  adults_met=dialog.adults_met.value(), concern_reports=dialog.concern_reports.value(),
                  referrals=dialog.referrals.value(),
                  summary=dialog.summary.toPlainText().strip())
    if values["ends_at"] is not None and values["ends_at"] - ctx.clock() > FUTURE_QUESTION_AFTER:
        answer_yes_if_asked()  # "the end is in the future, is that right?": yes, save it
    if harness.press_save(dialog, dialog.end_button, SHIFT_EDITABLE, snapshot):
        record = snapshot()
        assert same_moment(record.ends_at, values["ends_at"])
        assert record.youth_counts == values["youth_counts"]
        assert (record.adults_met, record.concern_reports, record.referrals) == (
            values["adults_met"], values["concern_reports"], values["referrals"])
        assert record.summary == values["summary"]
    dialog.close()


@FORMS
@given(data=st.data())
def test_quick_observation_form(harness, ctx, data):
    from fieldapp.ui.dialogs.quick_observation import QuickObservationDialog

    dialog = harness.open(QuickObservationDialog(ctx))
    saved = []
    dialog.saved.connect(saved.append)
    names = [p.name for p in dialog.places]
    place_text = data.draw(mostly(st.sampled_from(names), texts), label="place")
    dialog.place.setText(place_text)
    dialog._place_edited(dialog.place.text())  # as typing does
    if data.draw(mostly(st.just(True), st.just(False)), label="pick category"):
        dialog.category.setCurrentRow(
            data.draw(st.integers(0, dialog.category.count() - 1), label="category"))
    for name in ("severity", "action_taken"):
        choose(data, getattr(dialog, name), name)
    dialog.people.setValue(data.draw(spin_values, label="people"))
    dialog.youths.setValue(data.draw(spin_values, label="youths"))
    set_moment(dialog.observed_at, data.draw(moments, label="observed_at"))
    dialog.details.setText(data.draw(texts, label="details"))
    values = dialog.values()
    if harness.press_save(dialog, dialog.save_button, params(ObservationService.create)):
        with ctx.services() as services:
            record = services.observations.get(saved[0].id)
        for name, value in values.items():
            stored = getattr(record, name)
            assert same_moment(stored, value) if name == "observed_at" else stored == value, name
    dialog.close()


@FORMS
@given(data=st.data())
def test_edit_shift_form(harness, ctx, data):
    from fieldapp.ui.dialogs.edit_shift import EditShiftDialog

    shift = running_shift(ctx)
    dialog = harness.open(EditShiftDialog(ctx, shift.id))
    choose(data, dialog.kind, "kind")
    start = data.draw(moments, label="starts_at")
    set_moment(dialog.starts_at, start)
    dialog.running.setChecked(data.draw(st.booleans(), label="running"))
    end = data.draw(mostly(st.integers(1, 24 * 60).map(lambda m: start + dt.timedelta(minutes=m)), moments),
                    label="ends_at")
    set_moment(dialog.ends_at, end)
    dialog.weather.setText(data.draw(texts, label="weather"))
    for name in ("staff", "partners", "areas"):
        tick(data, getattr(dialog, name), name)
    for key, box in dialog.youth_boxes.items():
        if data.draw(st.booleans(), label=f"set {key}"):
            box.setValue(data.draw(spin_values, label=key))
    dialog.adults_met.setValue(data.draw(spin_values, label="adults"))
    dialog.concern_reports.setValue(data.draw(spin_values, label="concern_reports"))
    dialog.referrals.setValue(data.draw(spin_values, label="referrals"))
    dialog.summary.setPlainText(data.draw(texts, label="summary"))
    dialog.summary_shareable.set_checked(data.draw(st.booleans(), label="share"))
    dialog.private_notes.setPlainText(data.draw(texts, label="private_notes"))

    def snapshot():
        with ctx.services() as services:
            return services.shifts.get(shift.id)

    values = dialog.values()
    if harness.press_save(dialog, save_button(dialog), SHIFT_EDITABLE, snapshot):
        record = snapshot()
        for name, value in values.items():
            stored = getattr(record, name)
            if name in ("starts_at", "ends_at"):
                assert same_moment(stored, value), name
            elif name.endswith("_ids"):
                assert set(stored) == set(value), name
            else:
                assert stored == value, name
    dialog.close()


@FORMS
@given(data=st.data())
def test_edit_observation_form(harness, ctx, data):
    from fieldapp.ui.dialogs.edit_observation import EditObservationDialog

    shift = running_shift(ctx)
    with ctx.services() as services:
        category = services.reference.categories()[0].id
        observation = services.observations.create(
            place_id=ALVSJO_CENTRUM, category_id=category, shift_id=shift.id,
            observed_at=ctx.clock() - dt.timedelta(hours=1))
    dialog = harness.open(EditObservationDialog(ctx, observation.id))
    in_shift = st.integers(-150, 0).map(lambda m: ctx.clock() + dt.timedelta(minutes=m))
    set_moment(dialog.observed_at, data.draw(mostly(in_shift, moments), label="observed_at"))
    for name in ("place", "category", "severity", "action_taken"):
        choose(data, getattr(dialog, name), name)
    dialog.people_count.setValue(data.draw(spin_values, label="people"))
    dialog.youths_present.setValue(data.draw(spin_values, label="youths"))
    dialog.details.setPlainText(data.draw(texts, label="details"))
    dialog.details_shareable.set_checked(data.draw(st.booleans(), label="share"))

    def snapshot():
        with ctx.services() as services:
            return services.observations.get(observation.id)

    values = dialog.values()
    if harness.press_save(dialog, save_button(dialog), OBSERVATION_EDITABLE, snapshot):
        record = snapshot()
        for name, value in values.items():
            stored = getattr(record, name)
            assert same_moment(stored, value) if name == "observed_at" else stored == value, name
    dialog.close()


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


@FORMS
@given(data=st.data())
def test_meeting_form(harness, ctx, data):
    from fieldapp.ui.dialogs.meeting_form import MeetingFormDialog

    dialog = harness.open(MeetingFormDialog(ctx))
    set_moment(dialog.held_at, data.draw(moments, label="held_at"))
    choose(data, dialog.kind, "kind")
    dialog.title.setText(data.draw(texts, label="title"))
    tick(data, dialog.staff, "staff")
    tick(data, dialog.partners, "partners")
    dialog.situation.setPlainText(data.draw(texts, label="situation"))
    dialog.situation_shareable.set_checked(data.draw(st.booleans(), label="share"))
    for n in range(data.draw(st.integers(0, 2), label="flags")):
        row = dialog.add_flag()
        choose(data, row.place, f"flag {n} place")
        row.reason.setText(data.draw(texts, label=f"flag {n} reason"))
    days = mostly(st.dates(dt.date(2024, 11, 20), dt.date(2024, 11, 30)),
                  st.one_of(st.sampled_from([dt.date(9999, 12, 31), dt.date(1752, 9, 14)]),
                            st.dates(dt.date(1753, 1, 1), dt.date(9999, 12, 31))))
    for n in range(data.draw(st.integers(0, 2), label="actions")):
        row = dialog.add_action()
        choose(data, row.target, f"action {n} target")
        row.day.setDate(_qdate(data.draw(days, label=f"action {n} day")))
        if data.draw(st.booleans(), label=f"action {n} times"):  # else 20:00–00:00, into the next day
            for edit in (row.start, row.end):
                edit.setTime(QTime(data.draw(st.integers(0, 23)), data.draw(st.integers(0, 59))))
        choose(data, row.partner, f"action {n} partner")
    values = dialog.values()
    rows = len(dialog.action_rows)
    fields = params(MeetingService.create) | MEETING_EDITABLE | ACTION_EDITABLE
    if harness.press_save(dialog, save_button(dialog), fields):
        with ctx.services() as services:
            record = services.meetings.get(dialog.saved.id)
            actions = services.actions.list(meeting_id=record.id)
        assert same_moment(record.held_at, values["held_at"])
        for name in ("kind", "title", "situation", "situation_shareable", "flags"):
            assert getattr(record, name) == values[name], name
        for name in ("staff_ids", "partner_ids"):
            assert set(getattr(record, name)) == set(values[name])
        assert len(actions) == rows
    elif not harness.shown:
        assert dialog.action_errors(), "refused without a message"
    dialog.close()


coordinate_texts = mostly(
    st.one_of(st.none().map(lambda _: ""),
              st.floats(-90, 90).map(lambda f: f"{f:.5f}".replace(".", ","))),
    st.one_of(st.sampled_from(["1e400", "nan", "-inf", "٣", "59.2.3", "1_000", "0x10", "− 12,5"]), texts),
)


@FORMS
@given(data=st.data(), new=st.booleans())
def test_place_form(harness, ctx, data, new):
    from fieldapp.ui.dialogs.place_form import PlaceFormDialog, parse_coordinate

    place_id = None
    if not new:
        with ctx.services() as services:
            place_id = services.places.create(name=f"Plats {uuid.uuid4().hex[:6]}", area_id=ALVSJO).id
    dialog = harness.open(PlaceFormDialog(ctx, place_id))
    dialog.name.setText(data.draw(mostly(st.sampled_from(["Trekanten", " Solberga torg "]), texts),
                                  label="name"))
    for name in ("area", "kind", "status"):
        choose(data, getattr(dialog, name), name)
    dialog.lat.setText(data.draw(coordinate_texts, label="lat"))
    dialog.lon.setText(data.draw(coordinate_texts, label="lon"))
    before = harness.counts()
    if harness.press_save(dialog, save_button(dialog), params(PlaceService.create) | PLACE_EDITABLE):
        with ctx.services() as services:
            record = services.places.get(dialog.saved.id)
        assert record.name == dialog.name.text().strip()
        assert record.area_id == dialog.area.currentData()
        assert record.kind == dialog.kind.currentData()
        assert record.hotspot_status == dialog.status.currentData()
        assert record.lat == parse_coordinate(dialog.lat.text())
        assert record.lon == parse_coordinate(dialog.lon.text())
    else:
        assert harness.counts() == before
    dialog.close()


def test_forms_start_from_the_test_clock(ctx):
    assert ctx.clock() == FRIDAY_EVENING
