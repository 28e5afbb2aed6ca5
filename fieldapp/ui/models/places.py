"""One place's history: its observations per week and category (the places list is made
from its description, ``fieldapp.store.lists.PLACES``)."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from fieldapp.i18n import _
from fieldapp.store import queries
from fieldapp.store.queries import PlaceHistory
from fieldapp.ui.context import AppContext
from fieldapp.ui.models import text
from fieldapp.ui.models.paged import ALIGN_RIGHT


class PlaceHistoryModel(QAbstractTableModel):
    """Rows: categories seen at the place (and a total); columns: the last 8 weeks."""

    WEEKS = 8

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.place_id: uuid.UUID | None = None
        self.history: PlaceHistory | None = None

    def set_place(self, place_id: uuid.UUID | None) -> None:
        self.place_id = place_id
        self.reload()

    def reload(self) -> None:
        place_id = self.place_id
        weeks = queries.history_weeks(self.ctx.clock(), self.WEEKS)

        def job(_progress):
            if place_id is None:
                return None
            with self.ctx.database.session() as session:
                return queries.place_history(session, place_id, weeks)

        def done(history) -> None:
            if place_id != self.place_id:
                return
            self.beginResetModel()
            self.history = history
            self.endResetModel()

        self.ctx.tasks.run(job, on_success=done)

    def _has_total(self) -> bool:
        return self.history is not None and len(self.history.rows) > 0

    def rowCount(self, parent=QModelIndex()) -> int:
        if parent.isValid() or self.history is None:
            return 0
        return len(self.history.rows) + (1 if self._has_total() else 0)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.history is None else len(self.history.weeks)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if self.history is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.history.weeks):
                week = self.history.weeks[section]
                return _("w. {week}").format(week=week.week)
            return None
        if section < len(self.history.rows):
            row = self.history.rows[section]
            return text.category_name(row.name_sv, row.name_en)
        if self._has_total() and section == len(self.history.rows):
            return _("Total")
        return None

    def count(self, row: int, column: int) -> int:
        """The number shown in a cell (the total row sums the categories)."""
        assert self.history is not None
        if row < len(self.history.rows):
            return self.history.rows[row].counts[column]
        return self.history.totals()[column]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.history is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.count(index.row(), index.column())
            return text.number(value) if value else "\u2013"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            week = self.history.weeks[index.column()]
            return f"{week.label()}: {week.title_range()}"
        return None

    def retranslate(self) -> None:
        self.reload()
