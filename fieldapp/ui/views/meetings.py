"""Meetings (utsättningsmöten and the others): the list, and for the selected meeting its
flagged places and agreed actions with their status (Planerad / Genomförd / Inställd) and the
shift that carried each out."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QPushButton, QTableView

from fieldapp.domain.enums import ActionStatus, MeetingKind
from fieldapp.i18n import _
from fieldapp.store.lists import MEETINGS, MeetingRow
from fieldapp.ui.models import text
from fieldapp.ui.models.meetings import ActionsModel
from fieldapp.ui.views.list_base import RecordListView


class MeetingsView(RecordListView):
    spec = MEETINGS
    kind = "meeting"
    reload_on = ("action", "shift", "place")
    can_create = True

    def __init__(self, ctx, parent=None):
        self._selected_id: uuid.UUID | None = None
        self.actions_model = ActionsModel(ctx)
        super().__init__(ctx, parent)
        self.actions_model.setParent(self)
        self.flags_label = QLabel(self)
        self.flags_label.setObjectName("flagsLabel")
        self.flags_label.setWordWrap(True)
        self.actions_title = QLabel(self)
        self.actions_table = QTableView(self)
        self.actions_table.setObjectName("actionsTable")
        self.actions_table.setModel(self.actions_model)
        self.actions_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.actions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.actions_table.verticalHeader().hide()
        self.actions_table.horizontalHeader().setStretchLastSection(True)
        self.actions_table.horizontalHeader().setMinimumSectionSize(120)
        self.actions_model.modelReset.connect(self.actions_table.resizeColumnsToContents)
        self.main_layout.insertWidget(3, self.flags_label)
        self.main_layout.insertWidget(4, self.actions_title)
        self.main_layout.insertWidget(5, self.actions_table)
        self.cancel_action_button = QPushButton(self)
        self.cancel_action_button.setEnabled(False)
        action_buttons = QHBoxLayout()
        action_buttons.addWidget(self.cancel_action_button)
        action_buttons.addStretch(1)
        # The lägesbild PDF for the next utsättningsmöte (views/lagesbild_export.py).
        self.lagesbild_button = QPushButton(self)
        self.lagesbild_button.setObjectName("lagesbildButton")
        self.lagesbild_button.clicked.connect(self.open_lagesbild)
        self.lagesbild_dialog = None
        action_buttons.addWidget(self.lagesbild_button)
        self.main_layout.insertLayout(6, action_buttons)
        self.cancel_action_button.clicked.connect(self.cancel_current_action)
        self.actions_table.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self._update_action_buttons())
        self.actions_model.modelReset.connect(self._update_action_buttons)
        self.actions_model.modelReset.connect(self._show_flags)
        self.model.page_loaded.connect(lambda _n: self._reselect())
        self._retranslate_details()

    def service(self, services):
        return services.meetings

    def texts(self):
        return {"new": _("New meeting…"), "edit": _("Edit meeting…"),
                "delete": _("Delete meeting"), "delete_title": _("Delete meeting")}

    def delete_question(self, row: MeetingRow) -> str:
        return _("Delete the meeting \u201c{kind}\u201d of {when}? "
                 "You can undo this with Ctrl+Z.").format(
            kind=text.label(MeetingKind, row.kind), when=text.moment(row.held_at))

    def make_editor(self, row: MeetingRow):
        from fieldapp.ui.dialogs.form_parts import make_read_only
        from fieldapp.ui.dialogs.meeting_form import MeetingFormDialog

        dialog = MeetingFormDialog(self.ctx, row.id, self)
        if self.is_foreign(row):
            make_read_only(dialog, _("This meeting was recorded on another device and can "
                                     "only be changed there. Shown for reading."))
        return dialog

    def make_creator(self):
        from fieldapp.ui.dialogs.meeting_form import MeetingFormDialog

        return MeetingFormDialog(self.ctx, None, self)

    # -- details ---------------------------------------------------------------------------
    def current_changed(self, row) -> None:
        meeting_id = row.id if row is not None else None
        if meeting_id is None and self._selected_id is not None and self.model.is_loading():
            return  # the list is reloading; keep showing the selected meeting
        if meeting_id is not None:
            self._selected_id = meeting_id
        if meeting_id != self.actions_model.meeting_id:
            self.actions_model.set_meeting(meeting_id)

    def select_meeting(self, meeting_id: uuid.UUID) -> bool:
        for number, row in enumerate(self.model.loaded_rows()):
            if row.id == meeting_id:
                self.select_row(number)
                return True
        return False

    def _reselect(self) -> None:
        if self.current_row() is not None:
            return
        if self._selected_id is not None and self.select_meeting(self._selected_id):
            return
        if self.model.rowCount() > 0:
            self.select_row(0)  # the newest meeting's actions are what a user looks for first
        else:
            self.actions_model.set_meeting(None)

    def _on_changed(self, kind: str) -> None:
        super()._on_changed(kind)
        if kind in ("action", "shift", "meeting", "place"):
            self.actions_model.reload()

    def _show_flags(self) -> None:
        flags = self.actions_model.flag_rows
        if self.actions_model.meeting_id is None:
            self.flags_label.setText("")
            return
        if not flags:
            self.flags_label.setText(_("No places flagged."))
            return
        parts = [f"{f.place_name} ({f.reason})" if f.reason else f.place_name for f in flags]
        self.flags_label.setText(_("Flagged places: {places}").format(places="; ".join(parts)))

    def current_action(self):
        return self.actions_model.row_at(self.actions_table.currentIndex().row())

    def _update_action_buttons(self) -> None:
        action = self.current_action()
        # Another device's meeting: its actions are changed only there.
        self.cancel_action_button.setEnabled(
            action is not None and action.status == ActionStatus.PLANNED.value
            and not self.is_foreign(self.current_row()))

    def cancel_current_action(self) -> None:
        """Mark the selected planned action as cancelled (Inställd)."""
        action = self.current_action()
        if action is None or action.status != ActionStatus.PLANNED.value:
            return
        action_id = action.id

        def job(_progress):
            with self.ctx.services() as services:
                services.actions.cancel(action_id)

        self.ctx.tasks.run(job, on_success=lambda _r: self.ctx.events.changed.emit("action"),
                           on_failure=self._write_failed)

    def open_lagesbild(self):
        from fieldapp.ui.views.lagesbild_export import open_lagesbild

        self.lagesbild_dialog = open_lagesbild(self)
        return self.lagesbild_dialog

    def _retranslate_details(self) -> None:
        self.lagesbild_button.setText(_("Lägesbild…"))
        self.lagesbild_button.setToolTip(_("The lägesbild PDF for the next utsättningsmöte: "
                                           "key figures, rising places, a map, actions"))
        self.actions_title.setText(_("Agreed actions of the selected meeting"))
        self.cancel_action_button.setText(_("Mark action as cancelled"))
        self._show_flags()

    def retranslate(self) -> None:
        super().retranslate()
        self._retranslate_details()
        self.actions_model.retranslate()
