"""A list of checkable items that carry ids (staff, partners, areas, agreed actions)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem

ID_ROLE = Qt.ItemDataRole.UserRole


class CheckList(QListWidget):
    """Space toggles the current item; ``checked_ids()`` returns the ticked ids in order."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setUniformItemSizes(True)
        self.itemChanged.connect(lambda _item: self.changed.emit())

    def set_items(self, items: Iterable[tuple[object, str]], checked: Iterable[object] = ()) -> None:
        checked = set(checked)
        self.blockSignals(True)
        self.clear()
        for item_id, text in items:
            item = QListWidgetItem(text, self)
            item.setData(ID_ROLE, item_id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                          | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Checked if item_id in checked
                               else Qt.CheckState.Unchecked)
        self.blockSignals(False)
        if self.count():
            self.setCurrentRow(0)
        self.changed.emit()

    def set_checked(self, ids: Iterable[object]) -> None:
        ids = set(ids)
        for row in range(self.count()):
            item = self.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in ids
                               else Qt.CheckState.Unchecked)

    def checked_ids(self) -> list:
        return [self.item(row).data(ID_ROLE) for row in range(self.count())
                if self.item(row).checkState() == Qt.CheckState.Checked]

    def ids(self) -> list:
        return [self.item(row).data(ID_ROLE) for row in range(self.count())]

    def fit_rows(self, rows: int) -> None:
        """Make the list tall enough for ``rows`` items (scrolls beyond that)."""
        height = self.sizeHintForRow(0) if self.count() else self.fontMetrics().height() + 6
        self.setMinimumHeight(height * min(max(rows, 1), 8) + 2 * self.frameWidth() + 4)
