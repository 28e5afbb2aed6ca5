"""The rows of the meeting form (:mod:`fieldapp.ui.dialogs.meeting_form`): a flagged place
with its reason, and an agreed action (place or area, day and time window, responsible
partner, note). The reason and the note are always shared with the team: what the PII guard
finds is marked as it is typed, and :meth:`FlagRow.gate` / :meth:`ActionRow.gate` ask the
shareable-text gate before the meeting is saved (an action row shows its refusal itself)."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import QDate, QLocale, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.enums import ActionStatus
from fieldapp.domain.ids import reference_id
from fieldapp.domain.records import ActionRecord, FlaggedPlace
from fieldapp.domain.shareable import TextKind, gate_errors
from fieldapp.domain.validation import MAX_YEAR, MIN_YEAR, FieldError
from fieldapp.domain.weeks import STOCKHOLM, to_stockholm
from fieldapp.i18n import _, current_language
from fieldapp.ui.dialogs.form_parts import select_data
from fieldapp.ui.models import text
from fieldapp.ui.widgets.forms import FieldErrorLabel
from fieldapp.ui.widgets.pii_text import PiiLineEdit
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

    def gate(self, known: frozenset[str]) -> list[FieldError]:
        """The gate's refusal of the reason, naming the place (the form shows it beside the
        flagged places)."""
        place = self.place.currentText() if self.place.currentData() else ""
        label = (_("The reason {place} is flagged").format(place=place) if place
                 else _("The reason a place is flagged"))
        return gate_errors("flags", self.reason.text().strip(), TextKind.FLAG_REASON,
                           label=label, known=known, always_shared=True)


class ActionRow(QWidget):
    """One agreed action: place or area, day, from–to, responsible partner."""

    def __init__(self, places, areas, partners, action: ActionRecord | None, default_day: dt.date,
                 parent=None, *, known=frozenset()):
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
        self.note = PiiLineEdit(known=known)  # always shared: findings marked as typed
        self.note.setPlaceholderText(_("Note for the team, e.g. meet at the entrance"))
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
            self.note.setText(action.note)
        else:
            self.day.setDate(QDate(default_day.year, default_day.month, default_day.day))
            self.start.setTime(QTime(20, 0))
            self.end.setTime(QTime(0, 0))
            self.status.setText(ActionStatus.PLANNED.label)
        # Lines, so a row fits the dialog at 1366×768 (one line pushed "Remove" behind a
        # horizontal scroll bar): where and when, then who and the status, then the note.
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
        note = QHBoxLayout()
        note.setContentsMargins(0, 0, 0, 0)
        self.note_label = QLabel(_("Note"))
        self.note_label.setBuddy(self.note)
        note.addWidget(self.note_label)
        note.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(where)
        layout.addLayout(who)
        layout.addLayout(note)
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
            note=self.note.text().strip(),
        )

    def gate(self, known: frozenset[str]) -> list[FieldError]:
        """The gate's refusal of the note (shown beside the row)."""
        errors = gate_errors("note", self.note.text().strip(), TextKind.NOTE,
                             label=_("The action's note"), known=known, always_shared=True)
        self.error.set_messages(e.message for e in errors)
        return errors
