"""A drop-down with search: type any part of a name (any case) and the list shows what
matches; only an item of the list can be chosen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter


def make_searchable(combo: QComboBox, min_chars: int = 14) -> QComboBox:
    """Make ``combo`` editable with a completer that matches anywhere in the text,
    case-insensitively; typed text is never added as an item. ``min_chars``: the width the
    combo asks for (long place names do not widen the form)."""
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = QCompleter(combo.model(), combo)
    completer.setCompletionColumn(combo.modelColumn())
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCompleter(completer)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(min_chars)
    combo.lineEdit().editingFinished.connect(lambda: _snap_to_item(combo))
    return combo


def _snap_to_item(combo: QComboBox) -> None:
    """Text that names no item goes back to the chosen item's text."""
    index = combo.findText(combo.currentText(), Qt.MatchFlag.MatchFixedString)
    if index >= 0:
        combo.setCurrentIndex(index)
    else:
        combo.setEditText(combo.itemText(combo.currentIndex()))
