"""The quick observation's category list: each category has one key (shown beside its
name) that picks it, 1/2/3 set the severity, Enter saves."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from fieldapp.domain.enums import Severity
from fieldapp.domain.records import CategoryRecord
from fieldapp.domain.hotkeys import category_hotkeys
from fieldapp.i18n import _

ID_ROLE = Qt.ItemDataRole.UserRole
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
SEVERITY_KEYS = {"1": Severity.LOW, "2": Severity.MEDIUM, "3": Severity.HIGH}


class CategoryPicker(QListWidget):
    """The category list: a category's key picks it, 1/2/3 set the severity, Enter saves."""

    submitted = Signal()
    severity_key = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setUniformItemSizes(True)
        self._hotkeys: dict[str, int] = {}

    def set_categories(self, categories: list[CategoryRecord]) -> None:
        self.clear()
        self._hotkeys.clear()
        for row, (category, key) in enumerate(zip(categories, category_hotkeys(categories))):
            key = key or ""  # the UI language's key (domain/hotkeys.py)
            text = f"{key.upper() or ' '}   {category.name}"
            item = QListWidgetItem(text, self)
            item.setData(ID_ROLE, category.id)
            item.setToolTip(_("Key: {key}").format(key=key) if key else category.name)
            if key:
                self._hotkeys[key] = row

    def keyPressEvent(self, event) -> None:
        text = event.text().lower()
        plain = not (event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                          | Qt.KeyboardModifier.AltModifier))
        if event.key() in ENTER_KEYS and plain:
            event.accept()
            self.submitted.emit()
            return
        if plain and text in self._hotkeys:
            self.setCurrentRow(self._hotkeys[text])
            event.accept()
            return
        if plain and text in SEVERITY_KEYS:
            self.severity_key.emit(text)
            event.accept()
            return
        super().keyPressEvent(event)

    def current_id(self):
        item = self.currentItem()
        return item.data(ID_ROLE) if item is not None and item.isSelected() else None

    def select_id(self, category_id: uuid.UUID) -> bool:
        """Pick the category with ``category_id``; False when the list has none such."""
        for row in range(self.count()):
            if self.item(row).data(ID_ROLE) == category_id:
                self.setCurrentRow(row)
                return True
        return False


__all__ = ["ENTER_KEYS", "SEVERITY_KEYS", "CategoryPicker"]
