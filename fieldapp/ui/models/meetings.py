"""The actions agreed at the selected meeting (the meetings list is made from its
description, ``fieldapp.store.lists.MEETINGS``)."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt

from fieldapp.domain.enums import ActionStatus, ShiftKind
from fieldapp.i18n import _
from fieldapp.store import queries
from fieldapp.store.queries import ActionRow
from fieldapp.ui.context import AppContext
from fieldapp.ui.models import text
from fieldapp.ui.models.paged import Column
from fieldapp.ui.models.rows import RowsModel


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


def _note(row: ActionRow) -> str:
    return row.note or ""


class ActionsModel(RowsModel):
    """The few actions of one meeting (loaded whole: a meeting agrees a handful); a row's
    tooltip is its note."""

    columns = [
        Column("Place or area", action_target, tooltip=_note),
        Column("When", lambda r: text.time_window(r.starts_at, r.ends_at), tooltip=_note),
        Column("Responsible", lambda r: r.partner_name or "", tooltip=_note),
        Column("Status", lambda r: text.label(ActionStatus, r.status), tooltip=_note),
        Column("Carried out by", carried_out_by, tooltip=_note),
    ]

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.meeting_id: uuid.UUID | None = None
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
            actions, self.flag_rows = result
            self.set_rows(actions)

        self.ctx.tasks.run(job, on_success=done)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1))
