"""What the four lists share: the filter bar (week incl. "all weeks", area, place, category,
free text), a keyboard-friendly table (Enter edits, Delete deletes after a question, Ctrl+Z
undoes the last delete) and the count of rows shown.

A list view only lays out widgets and forwards to its Qt model and the services; the model
loads rows a page at a time (``fieldapp.ui.models.paged``).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import _, format_number
from fieldapp.store.queries import ListFilter
from fieldapp.store.services import Services
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.form_parts import find_data
from fieldapp.ui.models.paged import PagedTableModel
from fieldapp.ui.widgets.messages import show_unexpected_error

WEEKS_BACK = 104


class WeekPicker(QWidget):
    """An ISO week (or "all weeks"), with buttons for the previous and next week."""

    changed = Signal()

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.combo = QComboBox(self)
        self.combo.setObjectName("weekCombo")
        self.combo.setMinimumContentsLength(14)
        self.previous_button = QToolButton(self)
        self.previous_button.setText("\u25c0")
        self.next_button = QToolButton(self)
        self.next_button.setText("\u25b6")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.combo)
        layout.addWidget(self.next_button)
        self.previous_button.clicked.connect(lambda: self._step(-1))
        self.next_button.clicked.connect(lambda: self._step(1))
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.retranslate()

    def _fill(self, selected: IsoWeek | None) -> None:
        current = IsoWeek.of(self.ctx.clock())
        weeks = [current.previous(n) for n in range(WEEKS_BACK)]
        if selected is not None and selected not in weeks:
            weeks.append(selected)
            weeks.sort(reverse=True)
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(_("All weeks"), None)
        for week in weeks:
            self.combo.addItem(f"{week.label()} ({week.title_range()})", str(week))
        index = self.combo.findData(str(selected)) if selected is not None else 0
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)

    def retranslate(self) -> None:
        self._fill(self.week())
        self.previous_button.setToolTip(_("Previous week"))
        self.next_button.setToolTip(_("Next week"))
        self.combo.setToolTip(_("Show one ISO week, or all weeks"))

    def week(self) -> IsoWeek | None:
        data = self.combo.currentData() if self.combo.count() else None
        return IsoWeek.parse(data) if data else None

    def set_week(self, week: IsoWeek | None) -> None:
        if week == self.week():
            return
        self._fill(week)
        self.changed.emit()

    def _step(self, step: int) -> None:
        week = self.week() or IsoWeek.of(self.ctx.clock())
        self.set_week(week.next(step))


class FilterBar(QWidget):
    """The filters a list offers; ``list_filter()`` reads them as a ListFilter."""

    changed = Signal()
    TEXT_DELAY_MS = 250

    def __init__(self, ctx: AppContext, parts: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.parts = parts
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.week_picker = WeekPicker(ctx, self) if "week" in parts else None
        self.area_combo = self._combo("areaFilter") if "area" in parts else None
        self.place_combo = self._combo("placeFilter") if "place" in parts else None
        self.category_combo = self._combo("categoryFilter") if "category" in parts else None
        self.status_combo = self._combo("statusFilter") if "status" in parts else None
        self.text_edit = QLineEdit(self) if "text" in parts else None
        for widget in (self.week_picker, self.area_combo, self.place_combo, self.category_combo,
                       self.status_combo):
            if widget is not None:
                layout.addWidget(widget)
        if self.text_edit is not None:
            self.text_edit.setObjectName("textFilter")
            self.text_edit.setClearButtonEnabled(True)
            layout.addWidget(self.text_edit, 1)
            self._text_timer = QTimer(self)
            self._text_timer.setSingleShot(True)
            self._text_timer.setInterval(self.TEXT_DELAY_MS)
            self._text_timer.timeout.connect(self.changed)
            self.text_edit.textChanged.connect(lambda _t: self._text_timer.start())
            self.text_edit.returnPressed.connect(self._text_now)
        else:
            layout.addStretch(1)
        if self.week_picker is not None:
            self.week_picker.changed.connect(self.changed)
        self._areas: list = []
        self._places: list = []
        self._categories: list = []
        self.retranslate()
        self.reload_choices()

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setMinimumContentsLength(12)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        return combo

    def _text_now(self) -> None:
        self._text_timer.stop()
        self.changed.emit()

    def reload_choices(self) -> None:
        """Fill the area, place and category lists from the reference data."""
        def job(_progress):
            with self.ctx.services() as services:
                return (services.reference.areas(), services.places.list(),
                        services.reference.categories())

        def done(result) -> None:
            self._areas, self._places, self._categories = result
            self._fill_choices()

        self.ctx.tasks.run(job, on_success=done)

    @staticmethod
    def _refill(combo: QComboBox | None, first: str, items: list[tuple[object, str]]) -> None:
        if combo is None:
            return
        selected = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(first, None)
        for data, text in items:
            combo.addItem(text, data)
        index = find_data(combo, selected) if selected is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        if combo.currentData() != selected:
            combo.currentIndexChanged.emit(combo.currentIndex())

    def _fill_choices(self) -> None:
        from fieldapp.domain.enums import PlaceStatus

        self._refill(self.area_combo, _("All areas"), [(a.id, a.name) for a in self._areas])
        self._refill(self.place_combo, _("All places"),
                     [(p.id, f"{p.name} ({p.area_name})") for p in self._places])
        self._refill(self.category_combo, _("All categories"),
                     [(c.id, c.name) for c in self._categories])
        self._refill(self.status_combo, _("All places"),
                     [(s.value, s.label) for s in PlaceStatus] + [("none", _("Not a hotspot"))])

    def retranslate(self) -> None:
        if self.week_picker is not None:
            self.week_picker.retranslate()
        if self.text_edit is not None:
            self.text_edit.setPlaceholderText(_("Search…"))
            self.text_edit.setToolTip(_("Search in names and text"))
        if self.area_combo is not None:
            self.area_combo.setToolTip(_("Area"))
        if self.place_combo is not None:
            self.place_combo.setToolTip(_("Place"))
        if self.category_combo is not None:
            self.category_combo.setToolTip(_("Category"))
        if self.status_combo is not None:
            self.status_combo.setToolTip(_("Hotspot status"))
        self._fill_choices()

    @staticmethod
    def _select(combo: QComboBox | None, data) -> None:
        if combo is not None:
            combo.setCurrentIndex(max(find_data(combo, data) if data is not None else 0, 0))

    def set_filter(self, flt: ListFilter) -> None:
        """Show ``flt`` in the widgets (emits ``changed``)."""
        if self.week_picker is not None:
            self.week_picker.set_week(flt.week)
        self._select(self.area_combo, flt.area_id)
        self._select(self.place_combo, flt.place_id)
        self._select(self.category_combo, flt.category_id)
        self._select(self.status_combo, flt.status)
        if self.text_edit is not None:
            self.text_edit.setText(flt.text)
            self._text_now()

    def list_filter(self) -> ListFilter:
        def data(combo):
            return combo.currentData() if combo is not None else None

        return ListFilter(
            week=self.week_picker.week() if self.week_picker is not None else None,
            area_id=data(self.area_combo),
            place_id=data(self.place_combo),
            category_id=data(self.category_combo),
            status=data(self.status_combo),
            text=self.text_edit.text().strip() if self.text_edit is not None else "",
        )


class RecordTable(QTableView):
    """Enter or double-click edits, Delete deletes, Ctrl+Z undoes the last delete."""

    edit_requested = Signal()
    delete_requested = Signal()
    undo_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.horizontalHeader().setStretchLastSection(True)
        self._fitted = False

    MAX_FITTED_WIDTH = 260

    def fit_columns_once(self) -> None:
        """Size the columns to the first page's contents (capped), once: later pages and
        the user's own widths are left alone."""
        if self._fitted or self.model() is None or self.model().rowCount() == 0:
            return
        self._fitted = True
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        for column in range(header.count() - 1):
            header.resizeSection(column, min(header.sectionSize(column) + 12, self.MAX_FITTED_WIDTH))
        self.horizontalHeader().setSectionsClickable(True)
        self.doubleClicked.connect(lambda _index: self.edit_requested.emit())

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.edit_requested.emit()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.currentIndex().isValid():
            self.delete_requested.emit()
            return
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo_requested.emit()
            return
        super().keyPressEvent(event)


class RecordListView(QWidget):
    """Base of the four lists. Subclasses set ``kind`` (the ctx.events kind they edit),
    ``reload_on``, ``filters``, and implement ``make_model``, ``service``, ``delete_question``
    and ``make_editor``."""

    kind = ""
    reload_on: tuple[str, ...] = ()
    filters: tuple[str, ...] = ("week", "area", "place", "category", "text")
    can_create = False

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model: PagedTableModel = self.make_model()
        self.editor: QDialog | None = None
        self._undo: list[uuid.UUID] = []

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
        self.table.undo_requested.connect(self.undo_delete)
        self.new_button.clicked.connect(self.create_new)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.undo_button.clicked.connect(self.undo_delete)
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
        raise NotImplementedError

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
        self.undo_button.setText(_("Undo delete"))
        self.undo_button.setToolTip(_("Ctrl+Z"))
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
        self.current_changed(self.model.row_for(current))

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
        dialog.open()

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
        answer = QMessageBox.question(
            self, self.texts().get("delete_title", _("Delete")), self.delete_question(row),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        record_id = row.id

        def job(_progress):
            with self.ctx.services() as services:
                self.service(services).delete(record_id)

        def done(_result) -> None:
            self._undo.append(record_id)
            self.undo_button.setEnabled(True)
            self.show_message(_("Deleted. Press Ctrl+Z to undo."))
            self.ctx.events.changed.emit(self.kind)

        self.ctx.tasks.run(job, on_success=done, on_failure=self._write_failed)

    def undo_delete(self) -> None:
        if not self._undo:
            return
        record_id = self._undo.pop()

        def job(_progress):
            with self.ctx.services() as services:
                self.service(services).restore(record_id)

        def done(_result) -> None:
            self.undo_button.setEnabled(bool(self._undo))
            self.show_message(_("Restored."))
            self.ctx.events.changed.emit(self.kind)

        self.ctx.tasks.run(job, on_success=done, on_failure=self._write_failed)

    def _write_failed(self, exc: BaseException, trace: str) -> None:
        if isinstance(exc, (LookupError, PermissionError)):
            self.show_message(str(exc))
        else:
            show_unexpected_error(self, exc, trace)
