"""The actions agreed at the selected meeting (the meetings list is made from its
description, ``fieldapp.store.lists.MEETINGS``)."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from fieldapp.domain.enums import ActionStatus, ShiftKind
from fieldapp.i18n import _
from fieldapp.store import queries
from fieldapp.store.queries import ActionRow
from fieldapp.ui.context import AppContext
from fieldapp.ui.models import text
from fieldapp.ui.models.paged import ROW_ROLE, Column


def action_target(row: ActionRow) -> str:
    if row.place_name:
        return row.place_name
    if row.area_name:
        return row.area_name
    return ""


def carried_out_by(row: ActionRow) -> str:
    """The shift (or, without one, the time) and the laptop that carried the action out."""
    if row.carried_out_at is None:
        return ""
    if row.shift_starts_at is not None:
        when = f"{text.label(ShiftKind, row.shift_kind)} {text.moment(row.shift_starts_at)}"
    else:
        when = text.moment(row.carried_out_at)
    device = row.carried_out_device or str(row.carried_out_device_id or "")[:8]
    return _("{when}, {device}").format(when=when, device=device) if device else when


class ActionsModel(QAbstractTableModel):
    """The few actions of one meeting (loaded whole: a meeting agrees a handful)."""

    columns = [
        Column("Place or area", action_target),
        Column("When", lambda r: text.time_window(r.starts_at, r.ends_at)),
        Column("Responsible", lambda r: r.partner_name or ""),
        Column("Status", lambda r: text.label(ActionStatus, r.status)),
        Column("Carried out by", carried_out_by),
    ]

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.meeting_id: uuid.UUID | None = None
        self._rows: list[ActionRow] = []
        self.flag_rows: list[queries.FlagRow] = []

    def set_meeting(self, meeting_id: uuid.UUID | None) -> None:
        self.meeting_id = meeting_id
        self.reload()

    def reload(self) -> None:
        meeting_id = self.meeting_id

        def job(_progress):
            if meeting_id is None:
                return [], []
            with self.ctx.database.session() as session:
                return (queries.meeting_actions(session, meeting_id),
                        queries.meeting_flags(session, meeting_id))

        def done(result) -> None:
            if meeting_id != self.meeting_id:
                return
            self.beginResetModel()
            self._rows, self.flag_rows = result
            self.endResetModel()

        self.ctx.tasks.run(job, on_success=done)

    def rows(self) -> list[ActionRow]:
        return list(self._rows)

    def row_at(self, row: int) -> ActionRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.columns)):
            return _(self.columns[section].header)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[index.column()].render(row)
        if role == Qt.ItemDataRole.ToolTipRole and row.note:
            return row.note
        if role == ROW_ROLE:
            return row
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1))
