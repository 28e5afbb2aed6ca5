"""What the four lists share: the filter bar (``list_filters``), a keyboard-friendly table
(``record_table``: Enter edits, Delete deletes after a question, Ctrl+Z undoes the last delete
or edit) and the count of rows shown.

Undo keeps a stack of this session's deletes and edits: undoing a delete restores the record,
undoing an edit saves the values it had before (``RecordEditDialog.undo_values``) through the
same service, so validation and the rule that only the owning device changes a record hold
for an undo as for any save.

A list view only lays out widgets and forwards to its Qt model and the services. Its model is
made from the list's description (``fieldapp.store.lists``) and loads rows a page at a time
(``fieldapp.ui.models.described``, ``fieldapp.ui.models.paged``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.validation import ValidationError
from fieldapp.i18n import _, format_number
from fieldapp.store.list_query import ListSpec
from fieldapp.store.services import Services
from fieldapp.ui.context import AppContext
from fieldapp.ui.models.described import ListModel
from fieldapp.ui.models.paged import PagedTableModel
from fieldapp.ui.views.list_filters import FilterBar, WeekPicker
from fieldapp.ui.views.record_table import RecordTable
from fieldapp.ui.widgets.messages import show_unexpected_error
from fieldapp.ui.widgets.modal import ask_yes_no

__all__ = ["FilterBar", "RecordListView", "RecordTable", "UndoStep", "WeekPicker"]


@dataclass(frozen=True)
class UndoStep:
    """One thing Ctrl+Z takes back: a delete, or an edit with the values from before it."""

    record_id: uuid.UUID
    before: dict = field(default_factory=dict)  # empty for a delete

    @property
    def is_edit(self) -> bool:
        return bool(self.before)


class RecordListView(QWidget):
    """Base of the four lists. Subclasses set ``spec`` (the list's description: its columns,
    filters and search), ``kind`` (the ctx.events kind they edit) and ``reload_on``, and
    implement ``service``, ``delete_question`` and ``make_editor``."""

    spec: ListSpec
    kind = ""
    reload_on: tuple[str, ...] = ()
    can_create = False

    @property
    def filters(self) -> tuple[str, ...]:
        """The filter bar's parts: the filters of the description ("area_id" -> "area")."""
        return tuple(name.removesuffix("_id") for name in self.spec.filter_names)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model: PagedTableModel = self.make_model()
        self.editor: QDialog | None = None
        self._undo: list[UndoStep] = []

        self.filter_bar = FilterBar(ctx, self.filters, self)
        self.table = RecordTable(self)
        self.table.setObjectName("recordTable")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(
            self.model.sort_column(),
            Qt.SortOrder.DescendingOrder if self.model.descending else Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("countLabel")
        self.message_label = QLabel(self)
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)
        self.message_label.hide()

        self.new_button = QPushButton(self)
        self.new_button.setVisible(self.can_create)
        self.edit_button = QPushButton(self)
        self.delete_button = QPushButton(self)
        self.undo_button = QPushButton(self)
        self.undo_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)

        self.main_layout = QVBoxLayout(self)
        self.main_layout.addWidget(self.filter_bar)
        self.main_layout.addWidget(self.message_label)
        self.main_layout.addWidget(self.table, 1)
        self.main_layout.addLayout(buttons)

        self.filter_bar.changed.connect(self._apply_filter)
        self.table.edit_requested.connect(self.edit_current)
        self.table.delete_requested.connect(self.delete_current)
        self.table.undo_requested.connect(self.undo_last)
        self.new_button.clicked.connect(self.create_new)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.undo_button.clicked.connect(self.undo_last)
        self.model.total_changed.connect(lambda _n: self._update_count())
        self.model.page_loaded.connect(lambda _n: self._update_count())
        self.model.page_loaded.connect(lambda _n: self.table.fit_columns_once())
        self.model.modelReset.connect(self._update_count)
        self.model.failed.connect(self.show_message)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        ctx.events.changed.connect(self._on_changed)

        self.retranslate_base()
        self.model.set_filter(self.filter_bar.list_filter())
        if self.model.pages_fetched == 0 and not self.model.is_loading():
            self.model.reload()

    # -- what subclasses provide ---------------------------------------------------------------
    def make_model(self) -> PagedTableModel:
        return ListModel(self.ctx, self.spec, self)

    def service(self, services: Services):
        raise NotImplementedError

    def delete_question(self, row) -> str:
        raise NotImplementedError

    def make_editor(self, row) -> QDialog | None:
        raise NotImplementedError

    def make_creator(self) -> QDialog | None:
        return None

    def texts(self) -> dict[str, str]:
        """Translated texts for the buttons: new, edit, delete, undo, delete_title."""
        return {}

    def current_changed(self, row) -> None:
        """The selected row changed (subclasses show details)."""

    # -- behaviour -------------------------------------------------------------------------------
    def reload(self) -> None:
        self.filter_bar.reload_choices()
        self.model.reload()

    def retranslate(self) -> None:
        self.retranslate_base()
        self.filter_bar.retranslate()
        self.model.retranslate()

    def retranslate_base(self) -> None:
        texts = self.texts()
        self.new_button.setText(texts.get("new", _("New…")))
        self.edit_button.setText(texts.get("edit", _("Edit…")))
        self.edit_button.setToolTip(_("Enter or double-click"))
        self.delete_button.setText(texts.get("delete", _("Delete")))
        self.delete_button.setToolTip(_("Delete key"))
        self._update_undo_button()
        self._update_count()

    def _apply_filter(self) -> None:
        self.model.set_filter(self.filter_bar.list_filter())

    def _on_changed(self, kind: str) -> None:
        if kind == self.kind or kind in self.reload_on:
            if kind == "place":
                self.filter_bar.reload_choices()
            self.model.reload()

    def _update_count(self) -> None:
        shown = self.model.rowCount()
        total = self.model.total
        if total is None:
            self.count_label.setText("")
        elif shown < total:
            self.count_label.setText(_("Showing {shown} of {total}").format(
                shown=format_number(shown), total=format_number(total)))
        else:
            self.count_label.setText(_("{total} in all").format(total=format_number(total)))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_for(current)
        self._update_edit_buttons(row)
        self.current_changed(row)

    def is_foreign(self, row) -> bool:
        """Whether ``row`` was recorded on another device (it is changed only there)."""
        device = getattr(row, "device_id", None)
        return row is not None and device is not None and device != self.ctx.device_id

    def _update_edit_buttons(self, row) -> None:
        """Another device's record: Delete disabled, Edit opens it read-only ("View…")."""
        foreign = self.is_foreign(row)
        self.delete_button.setEnabled(row is not None and not foreign)
        self.edit_button.setEnabled(row is not None)
        self.edit_button.setText(_("View…") if foreign
                                 else self.texts().get("edit", _("Edit…")))

    def show_message(self, message: str) -> None:
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))

    def current_row(self):
        return self.model.row_for(self.table.currentIndex())

    def select_row(self, row: int) -> None:
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.selectRow(row)

    def _open(self, dialog: QDialog | None) -> None:
        if dialog is None:
            return
        self.editor = dialog
        dialog.finished.connect(lambda _result: self.table.setFocus())
        dialog.accepted.connect(lambda: self._edited(dialog))
        dialog.open()

    def _edited(self, dialog: QDialog) -> None:
        """An edit dialog saved: keep the values from before, for Ctrl+Z."""
        before = getattr(dialog, "undo_values", None)
        if before:
            self._undo.append(UndoStep(dialog.record_id, dict(before)))
            self._update_undo_button()
            self.show_message(_("Saved. Press Ctrl+Z to undo the change."))

    def edit_current(self) -> None:
        row = self.current_row()
        if row is not None:
            self._open(self.make_editor(row))

    def create_new(self) -> None:
        self._open(self.make_creator())

    def delete_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        if self.is_foreign(row):
            self.show_message(_("This record belongs to another device and can only be "
                                "changed there."))
            return
        if not ask_yes_no(self, self.texts().get("delete_title", _("Delete")),
                          self.delete_question(row), object_name="deleteQuestion"):
            return
        record_id = row.id

        def job(_progress):
            with self.ctx.services() as services:
                self.service(services).delete(record_id)

        def done(_result) -> None:
            self._undo.append(UndoStep(record_id))
            self._update_undo_button()
            self.show_message(_("Deleted. Press Ctrl+Z to undo."))
            self.ctx.events.changed.emit(self.kind)

        self.ctx.tasks.run(job, on_success=done, on_failure=self._write_failed)

    def _update_undo_button(self) -> None:
        last = self._undo[-1] if self._undo else None
        self.undo_button.setEnabled(last is not None)
        self.undo_button.setText(_("Undo edit") if last is not None and last.is_edit
                                 else _("Undo delete"))
        self.undo_button.setToolTip(_("Ctrl+Z"))

    def undo_last(self) -> None:
        """Ctrl+Z: take back the last delete or edit of this list."""
        if not self._undo:
            return
        step = self._undo.pop()

        def job(_progress):
            with self.ctx.services() as services:
                service = self.service(services)
                if step.is_edit:
                    service.update(step.record_id, **step.before)
                else:
                    service.restore(step.record_id)

        def done(_result) -> None:
            self._update_undo_button()
            self.show_message(_("Change undone.") if step.is_edit else _("Restored."))
            self.ctx.events.changed.emit(self.kind)

        def failed(exc: BaseException, trace: str) -> None:
            self._update_undo_button()
            self._write_failed(exc, trace)

        self.ctx.tasks.run(job, on_success=done, on_failure=failed)

    undo_delete = undo_last  # the name the lists' first version used

    def _write_failed(self, exc: BaseException, trace: str) -> None:
        if isinstance(exc, (LookupError, PermissionError)):
            self.show_message(str(exc))
        elif isinstance(exc, ValidationError):
            self.show_message(_("Could not undo: {reasons}").format(
                reasons=" ".join(e.message for e in exc.errors)))
        else:
            show_unexpected_error(self, exc, trace)
