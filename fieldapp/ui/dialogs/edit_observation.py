"""Edit an observation (iakttagelse), with the services' messages beside their fields."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget

from fieldapp.domain.enums import ActionTaken, Severity, ShiftKind
from fieldapp.domain.records import ObservationRecord
from fieldapp.i18n import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.form_parts import RecordEditDialog, ShareCheck, count_box, select_data
from fieldapp.ui.models import text
from fieldapp.ui.widgets.datetime_edit import StockholmDateTimeEdit
from fieldapp.ui.widgets.pii_text import PiiTextEdit


def enum_combo(enum_cls, current: str | None) -> QComboBox:
    combo = QComboBox()
    for item in enum_cls:
        combo.addItem(item.label, item.value)
    select_data(combo, current)
    return combo


class EditObservationDialog(RecordEditDialog):
    changed_kind = "observation"

    def __init__(self, ctx: AppContext, observation_id: uuid.UUID, parent=None):
        super().__init__(ctx, _("Edit observation"), parent)
        self.observation_id = observation_id
        self.saved: ObservationRecord | None = None
        with ctx.services() as services:
            observation = services.observations.get(observation_id)
            places = services.places.list()
            categories = services.reference.categories()
            shift = (services.shifts.get(observation.shift_id)
                     if observation.shift_id is not None else None)
        if shift is not None:
            shift_text = f"{text.label(ShiftKind, shift.kind)}, {text.moment(shift.starts_at)}"
        else:
            shift_text = _("No shift")
        self.shift_label = QLabel(shift_text)
        self.observed_at = StockholmDateTimeEdit(observation.observed_at)
        self.place = QComboBox()
        for place in places:
            self.place.addItem(f"{place.name} ({place.area_name})", place.id)
        select_data(self.place, observation.place_id)
        self.category = QComboBox()
        for category in categories:
            self.category.addItem(category.name, category.id)
        select_data(self.category, observation.category_id)
        self.severity = enum_combo(Severity, observation.severity)
        self.people_count = count_box(observation.people_count)
        self.youths_present = count_box(observation.youths_present)
        self.action_taken = enum_combo(ActionTaken, observation.action_taken)
        self.details = PiiTextEdit(known=ctx.known)
        self.details.setPlainText(observation.details)
        self.details_shareable = ShareCheck(self.details)
        self.details_shareable.set_checked(observation.details_shareable)

        form_widget = QWidget()
        form = QFormLayout(form_widget)
        add = self.errors.add
        form.addRow(self.errors.general)
        form.addRow(_("Shift"), add("shift_id", self.shift_label))
        form.addRow(_("Time"), add("observed_at", self.observed_at))
        form.addRow(_("Place"), add("place_id", self.place))
        form.addRow(_("Category"), add("category_id", self.category))
        form.addRow(_("Severity"), add("severity", self.severity))
        form.addRow(_("Number of people"), add("people_count", self.people_count))
        form.addRow(_("Youths present"), add("youths_present", self.youths_present))
        form.addRow(_("Action taken"), add("action_taken", self.action_taken))
        form.addRow(_("Details"), add("details", self.details))
        form.addRow("", add("details_shareable", self.details_shareable))

        self.finish(form_widget, 560, 560)

    def values(self) -> dict:
        return dict(
            observed_at=self.observed_at.moment(),
            place_id=self.place.currentData(),
            category_id=self.category.currentData(),
            severity=self.severity.currentData(),
            people_count=self.people_count.value(),
            youths_present=self.youths_present.value(),
            action_taken=self.action_taken.currentData(),
            details=self.details.toPlainText(),
            details_shareable=self.details_shareable.is_checked(),
        )

    @property
    def record_id(self) -> uuid.UUID:
        return self.observation_id

    def current(self, services) -> ObservationRecord:
        return services.observations.get(self.observation_id)

    def update(self, services, values: dict) -> ObservationRecord:
        return services.observations.update(self.observation_id, **values)
