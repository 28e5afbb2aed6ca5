"""A meeting: utsättningsmöte with the police, platssamverkan, SSPF, trygghetsforum.

Date and time, kind, title, participants (staff and partner checklists), the lägesbild
(situation picture; shared with the team only when the PII guard finds nothing in it), the
places flagged with a reason, and the actions agreed (place or area, day and time window,
responsible partner). The meeting and its actions are saved in one transaction: when any part
is wrong, its message appears beside it and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import QDate, QLocale, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.enums import ActionStatus, MeetingKind
from fieldapp.domain.records import ActionRecord, FlaggedPlace, MeetingRecord
from fieldapp.domain.validation import MAX_YEAR, MIN_YEAR, FieldError, ValidationError
from fieldapp.domain.weeks import STOCKHOLM, to_stockholm
from fieldapp.domain.ids import reference_id
from fieldapp.i18n import _, current_language
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.form_parts import ShareCheck, dialog_buttons, scrolled, select_data
from fieldapp.ui.models import text
from fieldapp.ui.widgets.checklist import CheckList
from fieldapp.ui.widgets.datetime_edit import StockholmDateTimeEdit
from fieldapp.ui.widgets.forms import FieldErrorLabel, FormErrors
from fieldapp.ui.widgets.messages import show_unexpected_error
from fieldapp.ui.widgets.pii_text import PiiLineEdit, PiiTextEdit
from fieldapp.ui.widgets.searchable import make_searchable

OUR_TEAM = "faltassistenterna"  # the reference partner that stands for the team itself


class ActionRowsInvalid(Exception):
    """Some agreed actions are wrong: {row number: [FieldError]} (the transaction rolls back)."""

    def __init__(self, rows: dict[int, list[FieldError]]):
        super().__init__("invalid actions")
        self.rows = rows


def window_moments(day: dt.date, start: dt.time, end: dt.time) -> tuple[dt.datetime, dt.datetime]:
    """A time window on a Stockholm day as aware UTC datetimes; an end at or before the start
    is on the next day ("20:00–00:00" ends at midnight, "22:00–02:00" runs into the night)."""
    starts = dt.datetime.combine(day, start, tzinfo=STOCKHOLM)
    end_day = day if end > start else day + dt.timedelta(days=1)
    ends = dt.datetime.combine(end_day, end, tzinfo=STOCKHOLM)
    return starts.astimezone(dt.timezone.utc), ends.astimezone(dt.timezone.utc)


def target_key(kind: str, target_id: uuid.UUID) -> str:
    """The combo data of an action's place or area: "place:<uuid>" / "area:<uuid>" (plain
    strings, so QComboBox.findData can compare them)."""
    return f"{kind}:{target_id}"


class FlagRow(QWidget):
    def __init__(self, places, flag: FlaggedPlace | None, parent=None, *, known=frozenset()):
        super().__init__(parent)
        self.place = QComboBox()
        self.place.addItem(_("Choose a place"), None)
        for place in places:
            self.place.addItem(f"{place.name} ({place.area_name})", place.id)
        make_searchable(self.place)
        self.reason = PiiLineEdit(known=known)  # always shared: findings marked as typed
        self.reason.setPlaceholderText(_("Why the place is flagged"))
        self.remove_button = QPushButton(_("Remove"))
        if flag is not None:
            select_data(self.place, flag.place_id)
            self.reason.setText(flag.reason)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.place, 2)
        layout.addWidget(self.reason, 3)
        layout.addWidget(self.remove_button)

    def value(self) -> FlaggedPlace | None:
        place_id = self.place.currentData()
        return FlaggedPlace(place_id, self.reason.text().strip()) if place_id else None


class ActionRow(QWidget):
    """One agreed action: place or area, day, from–to, responsible partner."""

    def __init__(self, places, areas, partners, action: ActionRecord | None, default_day: dt.date,
                 parent=None):
        super().__init__(parent)
        self.action_id = action.id if action is not None else None
        self.target = QComboBox()
        self.target.addItem(_("Choose a place or an area"), None)
        for place in places:
            self.target.addItem(f"{place.name} ({place.area_name})", target_key("place", place.id))
        for area in areas:
            self.target.addItem(_("Area: {name}").format(name=area.name),
                                target_key("area", area.id))
        make_searchable(self.target)
        self.day = QDateEdit()
        # Within the years the services accept (the widget's own range reaches 9999, where
        # the day after would not exist).
        self.day.setDateRange(QDate(MIN_YEAR, 1, 1), QDate(MAX_YEAR, 12, 30))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd yyyy-MM-dd")
        self.day.setLocale(QLocale(current_language()))  # "tor", not "Thu", in Swedish
        self.start = QTimeEdit()
        self.start.setDisplayFormat("HH:mm")
        self.end = QTimeEdit()
        self.end.setDisplayFormat("HH:mm")
        self.partner = QComboBox()
        self.partner.addItem(_("No responsible partner"), None)
        ours = reference_id("partner", OUR_TEAM)  # "Fältassistenterna": we ourselves
        for partner in sorted(partners, key=lambda p: p.id != ours):
            self.partner.addItem(partner.name, partner.id)
        make_searchable(self.partner, 12)
        self.status = QLabel()
        self.remove_button = QPushButton(_("Remove"))
        self.error = FieldErrorLabel()
        if action is not None:
            if action.place_id is not None:
                select_data(self.target, target_key("place", action.place_id))
            elif action.area_id is not None:
                select_data(self.target, target_key("area", action.area_id))
            start, end = to_stockholm(action.starts_at), to_stockholm(action.ends_at)
            self.day.setDate(QDate(start.year, start.month, start.day))
            self.start.setTime(QTime(start.hour, start.minute))
            self.end.setTime(QTime(end.hour, end.minute))
            select_data(self.partner, action.responsible_partner_id)
            self.status.setText(text.label(ActionStatus, action.status))
        else:
            self.day.setDate(QDate(default_day.year, default_day.month, default_day.day))
            self.start.setTime(QTime(20, 0))
            self.end.setTime(QTime(0, 0))
            self.status.setText(ActionStatus.PLANNED.label)
        # Two lines, so a row fits the dialog at 1366×768 (one line pushed "Remove" behind
        # a horizontal scroll bar): where and when, then who and the status.
        where = QHBoxLayout()
        where.setContentsMargins(0, 0, 0, 0)
        where.addWidget(self.target, 1)
        where.addWidget(self.day)
        where.addWidget(self.start)
        where.addWidget(QLabel("\u2013"))
        where.addWidget(self.end)
        who = QHBoxLayout()
        who.setContentsMargins(0, 0, 0, 0)
        self.partner_label = QLabel(_("Responsible"))
        who.addWidget(self.partner_label)
        who.addWidget(self.partner, 1)
        who.addWidget(self.status)
        who.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(where)
        layout.addLayout(who)
        layout.addWidget(self.error)

    def values(self) -> dict:
        kind, _sep, key = (self.target.currentData() or "").partition(":")
        target = (kind, uuid.UUID(key)) if key else None
        starts_at, ends_at = window_moments(self.day.date().toPython(),
                                            self.start.time().toPython(),
                                            self.end.time().toPython())
        return dict(
            place_id=target[1] if target and target[0] == "place" else None,
            area_id=target[1] if target and target[0] == "area" else None,
            starts_at=starts_at,
            ends_at=ends_at,
            responsible_partner_id=self.partner.currentData(),
        )


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
        row = ActionRow(self._places, self._areas, self._partners, action, default_day)
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

    def save(self) -> None:
        self.errors.clear()
        for row in self.action_rows:
            row.error.clear_message()
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
