"""Starta pass: kind, time, areas, staff and partners, prefilled from the last shift so that
starting the usual Friday nattvandring is one Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QVBoxLayout,
)

from fieldapp.domain.enums import ShiftKind
from fieldapp.i18n import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.widgets.checklist import CheckList
from fieldapp.ui.widgets.datetime_edit import StockholmDateTimeEdit
from fieldapp.ui.widgets.forms import FieldErrorLabel, FormErrors
from fieldapp.ui.widgets.saving import save_with


class StartShiftDialog(QDialog):
    saved = Signal(object)  # the ShiftRecord

    def __init__(self, ctx: AppContext, parent=None, *, area_ids=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("startShiftDialog")
        self.setWindowTitle(_("Start shift"))
        with ctx.services() as services:
            last = services.shifts.last()
            areas = services.reference.areas()
            staff = services.staff.list(active_only=True)
            partners = services.reference.partners()

        self.form = FormErrors(FieldErrorLabel())
        self.kind = QComboBox()
        for kind in ShiftKind:
            self.kind.addItem(kind.label, kind.value)
        self.starts_at = StockholmDateTimeEdit(ctx.clock())
        self.areas = CheckList()
        self.areas.set_items(((a.id, a.name) for a in areas),
                             area_ids if area_ids else last.area_ids if last else ())
        self.staff = CheckList()
        self.staff.set_items(((s.id, f"{s.initials} – {s.name}") for s in staff),
                             last.staff_ids if last else ())
        self.partners = CheckList()
        self.partners.set_items(((p.id, p.name) for p in partners),
                                last.partner_ids if last else ())
        if last is not None:
            index = self.kind.findData(last.kind)
            if index >= 0:
                self.kind.setCurrentIndex(index)
        for checklist in (self.areas, self.staff, self.partners):
            checklist.fit_rows(6)

        top = QFormLayout()
        top.addRow(_("&Kind of shift"), self.form.add("kind", self.kind))
        top.addRow(_("Start &time"), self.form.add("starts_at", self.starts_at, "now"))

        lists = QGridLayout()
        for column, (field, text, widget) in enumerate((
            ("area_ids", _("A&reas"), self.areas),
            ("staff_ids", _("&Staff"), self.staff),
            ("partner_ids", _("&Partners present"), self.partners),
        )):
            label = QLabel(text)
            label.setBuddy(widget)
            lists.addWidget(label, 0, column)
            lists.addWidget(self.form.add(field, widget), 1, column)
        if not staff:
            hint = QLabel(_("No staff yet: add the team under File → Get started… or "
                            "Settings → Staff."))
            hint.setWordWrap(True)
            lists.addWidget(hint, 2, 1)

        buttons = QDialogButtonBox()
        self.start_button = buttons.addButton(_("Start shift"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setDefault(True)
        cancel = buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.form.general)
        layout.addLayout(top)
        layout.addLayout(lists, 1)
        layout.addWidget(buttons)
        self.setTabOrder(self.kind, self.starts_at)
        self.setTabOrder(self.starts_at, self.areas)
        self.setTabOrder(self.areas, self.staff)
        self.setTabOrder(self.staff, self.partners)
        self.setTabOrder(self.partners, self.start_button)
        self.kind.setFocus(Qt.FocusReason.OtherFocusReason)
        self.resize(760, 420)

    def values(self) -> dict:
        return dict(kind=self.kind.currentData(), starts_at=self.starts_at.moment(),
                    area_ids=self.areas.checked_ids(), staff_ids=self.staff.checked_ids(),
                    partner_ids=self.partners.checked_ids())

    def save(self) -> None:
        values = self.values()

        def saved(record) -> None:
            self.saved.emit(record)
            self.accept()

        save_with(self.ctx, self, self.form, lambda services: services.shifts.start(**values),
                  saved, changed=("shift",))


def open_start_shift(ctx: AppContext, parent, *, area_ids=None) -> StartShiftDialog:
    """Open the dialog (window-modal, not blocking) and return it; ``area_ids`` prefill the
    areas (a shift started from tonight's agreed action)."""
    dialog = StartShiftDialog(ctx, parent, area_ids=area_ids)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
