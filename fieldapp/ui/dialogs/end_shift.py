"""Avsluta pass: who was met (youths by age band and gender, adults, reports of concern,
referrals), a short summary that may be shared with the team if it passes the PII guard, what
the shift logged, and the agreed actions it carried out."""

from __future__ import annotations

import datetime as dt

from collections import Counter

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.enums import AgeBand, Gender
from fieldapp.domain.validation import youth_key
from fieldapp.i18n import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.widgets.checklist import CheckList
from fieldapp.ui.widgets.datetime_edit import StockholmDateTimeEdit
from fieldapp.ui.widgets.count_box import CountBox
from fieldapp.ui.widgets.modal import ask_yes_no
from fieldapp.ui.widgets.forms import FieldErrorLabel, FormErrors
from fieldapp.ui.widgets.formatting import day_and_time, hhmm, shift_kind_label
from fieldapp.ui.widgets.pii_text import PiiTextEdit
from fieldapp.ui.widgets.saving import save_with


def _spin() -> CountBox:
    spin = CountBox()
    spin.setAccelerated(True)
    return spin


class EndShiftDialog(QDialog):
    saved = Signal(object)  # the ended ShiftRecord

    def __init__(self, ctx: AppContext, shift_id, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.shift_id = shift_id
        self.setObjectName("endShiftDialog")
        self.setWindowTitle(_("End shift"))
        with ctx.services() as services:
            shift = services.shifts.get(shift_id)
            observations = services.observations.list(shift_id=shift_id)
            categories = {c.id: c.name for c in services.reference.categories()}
            places = {p.id: p.name for p in services.places.list()}
            actions = services.actions.covered_by(shift_id)
        self.shift = shift
        self.form = FormErrors(FieldErrorLabel())

        heading = QLabel(_("{kind}, started {start}").format(
            kind=shift_kind_label(shift.kind), start=day_and_time(shift.starts_at)))
        heading.setObjectName("dialogHeading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        heading.setFont(font)

        # Who was met
        self.ends_at = StockholmDateTimeEdit(max(ctx.clock(), shift.starts_at))
        self.youth_spins: dict[str, QSpinBox] = {}
        grid_box = QWidget()
        grid = QGridLayout(grid_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel(_("Age")), 0, 0)
        for column, gender in enumerate(Gender, start=1):
            header = QLabel(gender.label)
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(header, 0, column)
        for row, band in enumerate(AgeBand, start=1):
            grid.addWidget(QLabel(band.label), row, 0)
            for column, gender in enumerate(Gender, start=1):
                spin = _spin()
                spin.setObjectName(f"youth_{band.value}_{gender.value}")
                spin.setAccessibleName(f"{band.label}, {gender.label}")
                spin.setValue(shift.youth_counts.get(youth_key(band, gender), 0))
                spin.valueChanged.connect(self._update_total)
                grid.addWidget(spin, row, column)
                self.youth_spins[youth_key(band, gender)] = spin
        self.youth_total = QLabel()
        grid.addWidget(self.youth_total, len(AgeBand) + 1, 0, 1, len(Gender) + 1)
        self.adults_met = _spin()
        self.adults_met.setValue(shift.adults_met)
        self.concern_reports = _spin()
        self.concern_reports.setObjectName("concern_reports")
        self.concern_reports.setValue(shift.concern_reports)
        self.referrals = _spin()
        self.referrals.setObjectName("referrals")
        self.referrals.setValue(shift.referrals)

        met = QGroupBox(_("Who you met"))
        met_layout = QVBoxLayout(met)
        top_form = QFormLayout()
        top_form.addRow(_("Shift &ended"), self.form.add("ends_at", self.ends_at, "now"))
        met_layout.addLayout(top_form)
        met_layout.addWidget(QLabel(_("Youths met")))
        met_layout.addWidget(grid_box)
        met_layout.addWidget(self.form.register("youth_counts", grid_box))
        bottom_form = QFormLayout()
        bottom_form.addRow(_("&Adults met"), self.form.add("adults_met", self.adults_met))
        bottom_form.addRow(_("&Reports of concern made"),
                           self.form.add("concern_reports", self.concern_reports))
        bottom_form.addRow(_("Re&ferrals made"), self.form.add("referrals", self.referrals))
        met_layout.addLayout(bottom_form)

        # Summary and sharing
        self.summary = PiiTextEdit(known=ctx.known)
        self.summary.setPlainText(shift.summary)
        self.summary.setPlaceholderText(_("A few lines on how the shift went. No names or "
                                          "other details that identify a person."))
        self.summary.setMinimumHeight(60)
        self.share = QCheckBox(_("Share with the team"))
        self.share.setChecked(shift.summary_shareable)
        self.share_reason = FieldErrorLabel()
        self.share_reason.setWordWrap(False)  # a wrapping label here squeezes the count grid
        self.summary.findings_changed.connect(self._update_share)
        summary_box = QGroupBox(_("Summary"))
        summary_layout = QVBoxLayout(summary_box)
        summary_layout.addWidget(self.form.add("summary", self.summary))
        summary_layout.addWidget(self.form.add("summary_shareable", self.share))
        summary_layout.addWidget(self.share_reason)

        # What the shift logged
        logged = QGroupBox(_("Logged during the shift"))
        logged_layout = QVBoxLayout(logged)
        by_category = Counter(categories.get(o.category_id, "?") for o in observations)
        if observations:
            logged_layout.addWidget(QLabel(_("{count} observations").format(count=len(observations))))
            for name, count in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0])):
                logged_layout.addWidget(QLabel(f"  {count} × {name}"))
        else:
            logged_layout.addWidget(QLabel(_("No observations were logged.")))
        logged_layout.addStretch(1)

        # Agreed actions the shift covered
        actions_box = QGroupBox(_("Agreed actions carried out"))
        actions_layout = QVBoxLayout(actions_box)
        self.action_list = CheckList()
        self.action_list.set_items(
            ((a.id, _("{place}, {start}–{end}").format(
                place=places.get(a.place_id, "") or _("the whole area"),
                start=day_and_time(a.starts_at), end=hhmm(a.ends_at))
              + (f" – {a.note}" if a.note else "")) for a in actions),
            checked=(a.id for a in actions))
        self.action_list.fit_rows(min(len(actions), 4))
        if actions:
            actions_layout.addWidget(QLabel(_("Tick the actions this shift carried out.")))
            actions_layout.addWidget(self.action_list)
        else:
            self.action_list.hide()
            none = QLabel(_("No agreed actions for this time and area."))
            none.setWordWrap(True)
            actions_layout.addWidget(none)
            actions_layout.addStretch(1)

        buttons = QDialogButtonBox()
        self.end_button = buttons.addButton(_("End shift"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.end_button.setDefault(True)
        cancel = buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        cancel.clicked.connect(self.reject)

        left = QVBoxLayout()
        left.addWidget(met)
        left.addWidget(summary_box, 1)
        right = QVBoxLayout()
        right.addWidget(logged)
        right.addWidget(actions_box, 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.form.general)
        layout.addLayout(columns, 1)
        layout.addWidget(buttons)

        self._update_total()
        self._update_share(self.summary.findings)
        first_spin = self.youth_spins[youth_key(AgeBand.UNDER_13, Gender.GIRL)]
        first_spin.setFocus(Qt.FocusReason.OtherFocusReason)
        self.setTabOrder(self.ends_at, first_spin)
        self.resize(900, 560)

    def youth_counts(self) -> dict[str, int]:
        return {key: spin.value() for key, spin in self.youth_spins.items() if spin.value()}

    def _update_total(self) -> None:
        total = sum(spin.value() for spin in self.youth_spins.values())
        self.youth_total.setText(_("In total: {count} youths").format(count=total))

    def _update_share(self, findings) -> None:
        if findings:
            self.share.setChecked(False)
            self.share.setEnabled(False)
            self.share_reason.set_messages([_("Cannot be shared: {reason} (\"{text}\").").format(
                reason=findings[0].reason, text=findings[0].text)])
        else:
            self.share.setEnabled(True)
            self.share_reason.clear_message()

    def save(self) -> None:
        if not confirm_future_end(self, self.ends_at.moment(), self.ctx.clock()):
            self.ends_at.setFocus()
            return
        shift_id = self.shift_id
        values = dict(ends_at=self.ends_at.moment(), youth_counts=self.youth_counts(),
                      adults_met=self.adults_met.value(),
                      concern_reports=self.concern_reports.value(),
                      referrals=self.referrals.value(),
                      summary=self.summary.toPlainText().strip(),
                      summary_shareable=self.share.isChecked() and self.share.isEnabled())
        done = self.action_list.checked_ids() if self.action_list.count() else []

        def work(services):
            record = services.shifts.end(shift_id, **values)
            for action_id in done:  # any laptop's action: "carried out" is this laptop's record
                services.carried.carry_out(action_id, shift_id)
            return record

        def saved(record) -> None:
            self.saved.emit(record)
            self.accept()

        save_with(self.ctx, self, self.form, work, saved, changed=("shift", "action"))


FUTURE_QUESTION_AFTER = dt.timedelta(minutes=30)


def confirm_future_end(parent, ends_at: dt.datetime, now: dt.datetime) -> bool:
    """True when ``ends_at`` is at most half an hour ahead, or the user says it is right."""
    if ends_at - now <= FUTURE_QUESTION_AFTER:
        return True
    minutes = int((ends_at - now).total_seconds() // 60)
    return ask_yes_no(parent, _("The end is in the future"), _(
        "The shift ends {hours} h {minutes} min from now ({time}). Is that right? Choose "
        "No to correct the time.").format(hours=minutes // 60, minutes=minutes % 60,
                                          time=day_and_time(ends_at)),
        object_name="futureEndQuestion")


def open_end_shift(ctx: AppContext, shift_id, parent) -> EndShiftDialog:
    """Open the dialog (window-modal, not blocking) and return it."""
    dialog = EndShiftDialog(ctx, shift_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
