"""Idag's "Tonight's agreed actions": the actions agreed at the utsättningsmöte whose window
is today or tonight (place, time window, responsible, carried out or not). A shift started from
one is prefilled from it (the action's area, so the end-of-shift dialog offers the action
ticked and ending the shift records it carried out); "Undo" takes a carried-out record back."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from fieldapp.domain.enums import ActionStatus
from fieldapp.domain.weeks import STOCKHOLM, to_stockholm
from fieldapp.i18n import _
from fieldapp.ui.widgets.formatting import hhmm

MORNING = dt.time(6, 0)  # "tonight" runs until six in the morning


@dataclass(frozen=True)
class TonightAction:
    id: uuid.UUID
    place: str
    area_id: uuid.UUID | None
    window: str
    responsible: str
    carried_out: bool
    carried_shift_id: uuid.UUID | None
    ours: bool  # carried out by this laptop's shift: this laptop can undo it


def tonight_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """From today's midnight to six tomorrow morning (Stockholm; before six: since yesterday)."""
    local = to_stockholm(now)
    day = local.date() - dt.timedelta(days=1 if local.time() < MORNING else 0)
    start = dt.datetime.combine(day, dt.time(0), STOCKHOLM)
    end = dt.datetime.combine(day + dt.timedelta(days=1), MORNING, STOCKHOLM)
    return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)


def read_tonight(services, now: dt.datetime, device_id: uuid.UUID) -> list[TonightAction]:
    start, end = tonight_bounds(now)
    places = {p.id: p for p in services.places.list()}
    areas = {a.id: a.name for a in services.reference.areas()}
    partners = {p.id: p.name for p in services.reference.partners()}
    rows = []
    for action in services.actions.list(start=start, end=end):
        if action.status == ActionStatus.CANCELLED.value:
            continue
        place = places.get(action.place_id)
        area_id = place.area_id if place is not None else action.area_id
        rows.append(TonightAction(
            id=action.id, place=place.name if place else areas.get(action.area_id, "–"),
            area_id=area_id, window=f"{hhmm(action.starts_at)}–{hhmm(action.ends_at)}",
            responsible=partners.get(action.responsible_partner_id, "–"),
            carried_out=action.status == ActionStatus.DONE.value,
            carried_shift_id=action.carried_out_shift_id,
            ours=action.carried_out_by == device_id))
    return rows


class TonightBox(QGroupBox):
    """The table of tonight's actions with "Start shift from action" and "Undo"."""

    start_requested = Signal(object)  # the TonightAction
    undo_requested = Signal(object)  # the TonightAction

    def __init__(self, parent=None):
        super().__init__(_("Tonight's agreed actions"), parent)
        self.rows: list[TonightAction] = []
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("tonightActions")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setHorizontalHeaderLabels([_("Place"), _("Time"), _("Responsible"),
                                              _("Status")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel(_("No agreed actions for tonight."))
        self.start_button = QPushButton(_("Start shift from action…"))
        self.undo_button = QPushButton(_("Undo carried out"))
        self.start_button.clicked.connect(lambda: self._emit(self.start_requested))
        self.undo_button.clicked.connect(lambda: self._emit(self.undo_requested))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        self.shift_running = False

    def selected(self) -> TonightAction | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def select(self, action_id) -> None:
        for index, row in enumerate(self.rows):
            if row.id == action_id:
                self.table.selectRow(index)

    def _emit(self, signal) -> None:
        action = self.selected()
        if action is not None:
            signal.emit(action)

    def show_rows(self, rows: list[TonightAction], shift_running: bool) -> None:
        keep = self.selected()
        self.rows, self.shift_running = rows, shift_running
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            status = _("Carried out") if row.carried_out else _("Planned")
            for column, text in enumerate((row.place, row.window, row.responsible, status)):
                item = QTableWidgetItem(text)
                if column == 3 and row.carried_out:
                    item.setForeground(Qt.GlobalColor.darkGreen)
                self.table.setItem(index, column, item)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        if keep is not None:
            self.select(keep.id)
        elif rows:
            self.table.selectRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        action = self.selected()
        self.start_button.setEnabled(action is not None and not action.carried_out
                                     and not self.shift_running)
        self.undo_button.setEnabled(action is not None and action.carried_out and action.ours)
