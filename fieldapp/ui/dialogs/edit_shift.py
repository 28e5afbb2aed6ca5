"""Edit a shift (pass): every field of it, with the messages of the services beside their
fields; nothing is saved while a field is wrong."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from fieldapp.domain.enums import AgeBand, Gender, ShiftKind
from fieldapp.domain.records import ShiftRecord
from fieldapp.domain.validation import youth_key
from fieldapp.i18n import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.form_parts import RecordEditDialog, ShareCheck, count_box, select_data
from fieldapp.ui.widgets.checklist import CheckList
from fieldapp.ui.widgets.datetime_edit import StockholmDateTimeEdit
from fieldapp.ui.widgets.pii_text import PiiTextEdit

class EditShiftDialog(RecordEditDialog):
    changed_kind = "shift"

    def __init__(self, ctx: AppContext, shift_id: uuid.UUID, parent=None):
        super().__init__(ctx, _("Edit shift"), parent)
        self.shift_id = shift_id
        self.saved: ShiftRecord | None = None
        with ctx.services() as services:
            shift = services.shifts.get(shift_id)
            staff = services.staff.list()
            partners = services.reference.partners()
            areas = services.reference.areas()

        self.kind = QComboBox()
        for kind in ShiftKind:
            self.kind.addItem(kind.label, kind.value)
        select_data(self.kind, shift.kind)
        self.starts_at = StockholmDateTimeEdit(shift.starts_at)
        self.ends_at = StockholmDateTimeEdit(shift.ends_at or shift.starts_at)
        self.running = QCheckBox(_("Still running (no end yet)"))
        self.running.setChecked(shift.ends_at is None)
        self.ends_at.setEnabled(shift.ends_at is not None)
        self.running.toggled.connect(lambda on: self.ends_at.setEnabled(not on))
        end_box = QWidget()
        end_layout = QHBoxLayout(end_box)
        end_layout.setContentsMargins(0, 0, 0, 0)
        end_layout.addWidget(self.ends_at)
        end_layout.addWidget(self.running)
        self.weather = QLineEdit(shift.weather)

        self.staff = CheckList()
        self.staff.set_items([(s.id, f"{s.initials} \u2013 {s.name}") for s in staff],
                             shift.staff_ids)
        self.staff.fit_rows(4)
        self.partners = CheckList()
        self.partners.set_items([(p.id, p.name) for p in partners], shift.partner_ids)
        self.partners.fit_rows(4)
        self.areas = CheckList()
        self.areas.set_items([(a.id, a.name) for a in areas], shift.area_ids)
        self.areas.fit_rows(4)

        self.youth_boxes: dict[str, QSpinBox] = {}
        youth = QWidget()
        grid = QGridLayout(youth)
        grid.setContentsMargins(0, 0, 0, 0)
        for column, gender in enumerate(Gender, start=1):
            grid.addWidget(QLabel(gender.label), 0, column)
        for row, band in enumerate(AgeBand, start=1):
            grid.addWidget(QLabel(band.label), row, 0)
            for column, gender in enumerate(Gender, start=1):
                key = youth_key(band, gender)
                box = count_box(int(shift.youth_counts.get(key, 0)))
                box.setObjectName(f"youth_{band.value}_{gender.value}")
                box.setAccessibleName(f"{band.label} {gender.label}")
                self.youth_boxes[key] = box
                grid.addWidget(box, row, column)
        self.adults_met = count_box(shift.adults_met)
        self.concern_reports = count_box(shift.concern_reports)
        self.referrals = count_box(shift.referrals)

        self.summary = PiiTextEdit(known=ctx.known)
        self.summary.setPlainText(shift.summary)
        self.summary_shareable = ShareCheck(self.summary)
        self.summary_shareable.set_checked(shift.summary_shareable)
        self.private_notes = QPlainTextEdit(shift.private_notes)
        self.private_notes.setTabChangesFocus(True)

        form_widget = QWidget()
        form = QFormLayout(form_widget)
        add = self.errors.add
        form.addRow(self.errors.general)
        form.addRow(_("Kind"), add("kind", self.kind))
        form.addRow(_("Start"), add("starts_at", self.starts_at))
        form.addRow(_("End"), add("ends_at", end_box))
        form.addRow(_("Weather"), add("weather", self.weather))
        form.addRow(_("Staff"), add("staff_ids", self.staff))
        form.addRow(_("Partners present"), add("partner_ids", self.partners))
        form.addRow(_("Areas"), add("area_ids", self.areas))
        form.addRow(_("Youths met"), add("youth_counts", youth))
        form.addRow(_("Adults met"), add("adults_met", self.adults_met))
        form.addRow(_("Reports of concern made"), add("concern_reports", self.concern_reports))
        form.addRow(_("Referrals made"), add("referrals", self.referrals))
        form.addRow(_("Summary"), add("summary", self.summary))
        form.addRow("", add("summary_shareable", self.summary_shareable))
        form.addRow(_("Private notes"), add("private_notes", self.private_notes))

        self.finish(form_widget, 620, 720)

    def values(self) -> dict:
        return dict(
            kind=self.kind.currentData(),
            starts_at=self.starts_at.moment(),
            ends_at=None if self.running.isChecked() else self.ends_at.moment(),
            weather=self.weather.text(),
            staff_ids=tuple(self.staff.checked_ids()),
            partner_ids=tuple(self.partners.checked_ids()),
            area_ids=tuple(self.areas.checked_ids()),
            youth_counts={key: box.value() for key, box in self.youth_boxes.items()
                          if box.value()},
            adults_met=self.adults_met.value(),
            concern_reports=self.concern_reports.value(),
            referrals=self.referrals.value(),
            summary=self.summary.toPlainText(),
            summary_shareable=self.summary_shareable.is_checked(),
            private_notes=self.private_notes.toPlainText(),
        )

    @property
    def record_id(self) -> uuid.UUID:
        return self.shift_id

    def current(self, services) -> ShiftRecord:
        return services.shifts.get(self.shift_id)

    def update(self, services, values: dict) -> ShiftRecord:
        return services.shifts.update(self.shift_id, **values)
