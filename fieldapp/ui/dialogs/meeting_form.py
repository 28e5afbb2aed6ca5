"""A meeting: utsättningsmöte with the police, platssamverkan, SSPF, trygghetsforum.

Date and time, kind, title, participants (staff and partner checklists), the lägesbild
(situation picture; shared with the team only when the PII guard finds nothing in it), the
places flagged with a reason, and the actions agreed (place or area, day and time window,
responsible partner, a note; :mod:`fieldapp.ui.dialogs.meeting_rows`). The meeting and its
actions are saved in one transaction: when any part is wrong, its message appears beside it
and nothing is saved.

Every text that is shared with the team (the title, the lägesbild when marked shareable, each
flag's reason, each action's note) marks what the PII guard finds as it is typed; the
shareable-text gate is asked again before saving, and a text it refuses is named beside its
field with what to remove (the services refuse it too).
"""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.enums import MeetingKind
from fieldapp.domain.records import ActionRecord, FlaggedPlace, MeetingRecord
from fieldapp.domain.shareable import TextKind, gate_errors
from fieldapp.domain.validation import FieldError, ValidationError
from fieldapp.domain.weeks import to_stockholm
from fieldapp.i18n import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.form_parts import ShareCheck, dialog_buttons, scrolled, select_data
from fieldapp.ui.dialogs.meeting_rows import ActionRow, ActionRowsInvalid, FlagRow
from fieldapp.ui.widgets.checklist import CheckList
from fieldapp.ui.widgets.datetime_edit import StockholmDateTimeEdit
from fieldapp.ui.widgets.forms import FormErrors
from fieldapp.ui.widgets.messages import show_unexpected_error
from fieldapp.ui.widgets.pii_text import PiiLineEdit, PiiTextEdit


class MeetingFormDialog(QDialog):
    """``meeting_id`` None records a new meeting."""

    def __init__(self, ctx: AppContext, meeting_id: uuid.UUID | None = None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.saved: MeetingRecord | None = None
        with ctx.services() as services:
            meeting = services.meetings.get(meeting_id) if meeting_id is not None else None
            actions = services.actions.list(meeting_id=meeting_id) if meeting else []
            self._staff = services.staff.list()
            self._partners = services.reference.partners()
            self._places = services.places.list()
            self._areas = services.reference.areas()
        self._removed_actions: list[uuid.UUID] = []
        self.setWindowTitle(_("Edit meeting") if meeting else _("New meeting"))
        self.errors = FormErrors()
        self.errors.general.setObjectName("generalError")

        now = ctx.clock()
        self.held_at = StockholmDateTimeEdit(meeting.held_at if meeting else now)
        self.kind = QComboBox()
        for kind in MeetingKind:
            self.kind.addItem(kind.label, kind.value)
        select_data(self.kind, meeting.kind if meeting else MeetingKind.UTSATTNINGSMOTE.value)
        self.title = PiiLineEdit(meeting.title if meeting else "", known=ctx.known)
        self.staff = CheckList()
        self.staff.set_items([(s.id, f"{s.initials} \u2013 {s.name}") for s in self._staff],
                             meeting.staff_ids if meeting else ())
        self.staff.fit_rows(4)
        self.partners = CheckList()
        self.partners.set_items([(p.id, p.name) for p in self._partners],
                                meeting.partner_ids if meeting else ())
        self.partners.fit_rows(5)
        self.situation = PiiTextEdit(known=ctx.known)
        self.situation.setPlaceholderText(_("The shared situation picture (lägesbild)"))
        self.situation.setPlainText(meeting.situation if meeting else "")
        self.situation_shareable = ShareCheck(self.situation)
        self.situation_shareable.set_checked(meeting.situation_shareable if meeting else False)

        self.flags_box = QWidget()
        self.flags_layout = QVBoxLayout(self.flags_box)
        self.flags_layout.setContentsMargins(0, 0, 0, 0)
        self.flag_rows: list[FlagRow] = []
        self.add_flag_button = QPushButton(_("Flag a place"))
        self.add_flag_button.clicked.connect(lambda: self.add_flag())
        flags_group = QWidget()
        flags_group_layout = QVBoxLayout(flags_group)
        flags_group_layout.setContentsMargins(0, 0, 0, 0)
        flags_group_layout.addWidget(self.flags_box)
        flags_group_layout.addWidget(self.add_flag_button)

        self.actions_box = QWidget()
        self.actions_layout = QVBoxLayout(self.actions_box)
        self.actions_layout.setContentsMargins(0, 0, 0, 0)
        self.action_rows: list[ActionRow] = []
        self.add_action_button = QPushButton(_("Add agreed action"))
        self.add_action_button.clicked.connect(lambda: self.add_action())
        actions_group = QGroupBox(_("Agreed actions"))
        actions_group_layout = QVBoxLayout(actions_group)
        actions_group_layout.addWidget(QLabel(_(
            "Where and when to be present, and who is responsible. An end at or before the "
            "start means the next day (20:00–00:00).")))
        actions_group_layout.addWidget(self.actions_box)
        actions_group_layout.addWidget(self.add_action_button)

        form_widget = QWidget()
        form = QFormLayout(form_widget)
        add = self.errors.add
        form.addRow(self.errors.general)
        form.addRow(_("Date and time"), add("held_at", self.held_at))
        form.addRow(_("Kind"), add("kind", self.kind))
        form.addRow(_("Title"), add("title", self.title))
        form.addRow(_("Staff present"), add("staff_ids", self.staff))
        form.addRow(_("Partners present"), add("partner_ids", self.partners))
        form.addRow(_("Situation picture"), add("situation", self.situation))
        form.addRow("", add("situation_shareable", self.situation_shareable))
        form.addRow(_("Flagged places"), add("flags", flags_group))
        form.addRow(actions_group)

        for flag in (meeting.flags if meeting else ()):
            self.add_flag(flag)
        for action in actions:
            self.add_action(action)

        buttons = dialog_buttons(self)
        buttons.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolled(form_widget), 1)
        layout.addWidget(buttons)
        self.resize(900, 680)  # fits a 1366×768 screen with its task bar

    # -- rows ----------------------------------------------------------------------------------
    def add_flag(self, flag: FlaggedPlace | None = None) -> FlagRow:
        row = FlagRow(self._places, flag, known=self.ctx.known)
        row.remove_button.clicked.connect(lambda: self.remove_flag(row))
        self.flag_rows.append(row)
        self.flags_layout.addWidget(row)
        row.show()
        return row

    def remove_flag(self, row: FlagRow) -> None:
        self.flag_rows.remove(row)
        row.setParent(None)
        row.deleteLater()

    def add_action(self, action: ActionRecord | None = None) -> ActionRow:
        default_day = to_stockholm(self.held_at.moment()).date()
        row = ActionRow(self._places, self._areas, self._partners, action, default_day,
                        known=self.ctx.known)
        row.remove_button.clicked.connect(lambda: self.remove_action(row))
        self.action_rows.append(row)
        self.actions_layout.addWidget(row)
        row.show()
        return row

    def remove_action(self, row: ActionRow) -> None:
        if row.action_id is not None:
            self._removed_actions.append(row.action_id)
        self.action_rows.remove(row)
        row.setParent(None)
        row.deleteLater()

    # -- saving --------------------------------------------------------------------------------
    def values(self) -> dict:
        flags = tuple(flag for flag in (row.value() for row in self.flag_rows) if flag)
        return dict(
            kind=self.kind.currentData(),
            held_at=self.held_at.moment(),
            title=self.title.text().strip(),
            situation=self.situation.toPlainText(),
            situation_shareable=self.situation_shareable.is_checked(),
            staff_ids=tuple(self.staff.checked_ids()),
            partner_ids=tuple(self.partners.checked_ids()),
            flags=flags,
        )

    def gate_shared_texts(self) -> bool:
        """Ask the shareable-text gate about every text the team will see; put each refusal
        beside its field (the first one focused). True when all may be shared."""
        known = self.ctx.known()
        errors = gate_errors("title", self.title.text().strip(), TextKind.TITLE,
                             label=_("The title"), known=known, always_shared=True)
        if self.situation_shareable.is_checked():
            errors += gate_errors("situation", self.situation.toPlainText(), TextKind.SITUATION,
                                  label=_("The situation picture"), known=known)
        focus = [self.title] if errors else []
        for row in self.flag_rows:
            refused = row.gate(known)
            if refused:
                errors += refused
                focus.append(row.reason)
        self.errors.show(errors)
        for row in self.action_rows:
            if row.gate(known):
                focus.append(row.note)
        if focus:
            focus[0].setFocus()
        return not focus

    def save(self) -> None:
        self.errors.clear()
        for row in self.action_rows:
            row.error.clear_message()
        if not self.gate_shared_texts():
            return
        values = self.values()
        actions = [(row.action_id, row.values()) for row in self.action_rows]
        if not actions and not any(values[k] for k in ("title", "situation", "staff_ids",
                                                         "partner_ids", "flags")):
            self.errors.show([FieldError("", _(
                "The meeting is empty: write a title or a situation picture, or tick who was "
                "there, before saving."))])
            self.title.setFocus()
            return
        removed = list(self._removed_actions)
        meeting_id = self.meeting_id

        def job(_progress):
            with self.ctx.services() as services:
                if meeting_id is None:
                    record = services.meetings.create(**values)
                else:
                    record = services.meetings.update(meeting_id, **values)
                for action_id in removed:
                    services.actions.delete(action_id)
                invalid: dict[int, list[FieldError]] = {}
                for number, (action_id, action_values) in enumerate(actions):
                    try:
                        if action_id is None:
                            services.actions.create(meeting_id=record.id, **action_values)
                        else:
                            services.actions.update(action_id, **action_values)
                    except ValidationError as exc:
                        invalid[number] = exc.errors
                if invalid:
                    raise ActionRowsInvalid(invalid)  # rolls the whole meeting back
                return record

        def saved(record: MeetingRecord) -> None:
            self.saved = record
            self.meeting_id = record.id
            self.ctx.events.changed.emit("meeting")
            self.ctx.events.changed.emit("action")
            self.accept()

        def failed(exc: BaseException, trace: str) -> None:
            if isinstance(exc, ValidationError):
                self.errors.show(exc.errors)
            elif isinstance(exc, ActionRowsInvalid):
                for number, errors in exc.rows.items():
                    self.action_rows[number].error.set_messages(e.message for e in errors)
                self.action_rows[min(exc.rows)].target.setFocus()
            else:
                show_unexpected_error(self, exc, trace)

        self.ctx.tasks.run(job, on_success=saved, on_failure=failed)

    def action_errors(self) -> dict[int, str]:
        """The visible messages of the action rows (for tests and screen readers)."""
        return {n: row.error.text() for n, row in enumerate(self.action_rows)
                if row.error.text() and not row.error.isHidden()}
