"""A table model of a few plain rows read whole (a meeting's actions, a place's meetings,
actions or status changes): its columns say what each shows, as the paged lists' do."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from fieldapp.i18n import _
from fieldapp.ui.models.paged import ROW_ROLE, Column


class RowsModel(QAbstractTableModel):
    """A few plain rows (a place's meetings, actions or status changes) and their columns."""

    columns: Sequence[Column] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: tuple = ()

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def rows(self) -> tuple:
        return self._rows

    def row_at(self, row: int):
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
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.render(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row) or None
        if role == ROW_ROLE:
            return row
        return None
