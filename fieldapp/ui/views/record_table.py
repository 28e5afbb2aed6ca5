"""The lists' table: keyboard-friendly (Enter edits, Delete deletes, Ctrl+Z undoes)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


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
        # Columns fit the rows on screen, not the whole first page: a page of 200 rows asked
        # every cell of every row for its text and size (2/3 of the list's first paint).
        self.horizontalHeader().setResizeContentsPrecision(0)
        self._fitted = False

    MAX_FITTED_WIDTH = 260

    def fit_columns_once(self) -> None:
        """Size the columns to the first page's visible rows (capped), once: later pages and
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
