"""The table of guesses the guide shows: one row per column or old name, the certainty of the
core's guess, a drop-down of what it becomes and whether a person has confirmed it.

A guess the core is not sure of is highlighted and unconfirmed until a person confirms it
(checks "Bekräftad" or chooses another target); the page stays incomplete until then. The
table edits the :class:`~fieldapp.imports.mapping.Guess` objects it is given, in place.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView,
                               QTableWidget, QTableWidgetItem, QWidget)

from fieldapp.i18n import _
from fieldapp.imports.mapping import Guess
from fieldapp.ui.dialogs.form_parts import find_data
from fieldapp.ui.widgets.searchable import make_searchable

# A translucent amber: readable over light and dark themes alike.
UNCERTAIN = QColor(255, 179, 0, 90)


def certainty_text(guess: Guess) -> str:
    percent = f"{round(guess.certainty * 100)} %"
    return percent if guess.certain else _("{percent} – confirm").format(percent=percent)


class GuessTable(QTableWidget):
    """``headers``: the leading text columns (e.g. the old name and where it is used)."""

    changed = Signal()

    def __init__(self, headers: list[str], name: str, *, searchable: bool = False,
                 action_header: str | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self.leading = len(headers)
        self.searchable = searchable
        self.has_action = action_header is not None
        labels = headers + [_("Certainty"), _("Becomes"), _("Confirmed")]
        if self.has_action:
            labels.append(action_header)
        self.setColumnCount(len(labels))
        self.setHorizontalHeaderLabels(labels)
        self.verticalHeader().hide()
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab goes from one drop-down or checkbox to the next
        header = self.horizontalHeader()
        for column in range(len(labels)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.leading + 1, QHeaderView.ResizeMode.Stretch)
        self.guesses: list[Guess] = []
        self.initially_certain: list[bool] = []

    @property
    def combo_column(self) -> int:
        return self.leading + 1

    def clear_rows(self) -> None:
        self.setRowCount(0)
        self.guesses, self.initially_certain = [], []

    def add(self, texts: list[str], guess: Guess, choices: list[tuple[str, object]],
            action: QWidget | None = None) -> int:
        """A row for ``guess``; ``choices``: (label, target) of the drop-down."""
        row = self.rowCount()
        self.insertRow(row)
        self.guesses.append(guess)
        self.initially_certain.append(guess.certain)
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            self.setItem(row, column, item)
        self.setItem(row, self.leading, QTableWidgetItem(certainty_text(guess)))
        combo = QComboBox()
        combo.setObjectName(f"{self.objectName()}Target{row}")
        for label, target in choices:
            combo.addItem(label, target)
        if guess.to is not None and find_data(combo, guess.to) < 0:
            combo.addItem(guess.name or guess.to, guess.to)
        if self.searchable:
            make_searchable(combo, min_chars=22)
        combo.setCurrentIndex(max(find_data(combo, guess.to), 0))
        combo.currentIndexChanged.connect(lambda _i, r=row: self._chosen(r))
        self.setCellWidget(row, self.combo_column, combo)
        check = QCheckBox()
        check.setObjectName(f"{self.objectName()}Confirmed{row}")
        check.setAccessibleName(_("Confirmed"))
        check.setChecked(guess.certain)
        check.toggled.connect(lambda on, r=row: self._confirmed(r, on))
        holder = QWidget()
        box = QHBoxLayout(holder)
        box.setContentsMargins(6, 0, 6, 0)
        box.addWidget(check, 0, Qt.AlignmentFlag.AlignCenter)
        self.setCellWidget(row, self.leading + 2, holder)
        if action is not None:
            self.setCellWidget(row, self.leading + 3, action)
        self._paint(row)
        return row

    def combo(self, row: int) -> QComboBox:
        return self.cellWidget(row, self.combo_column)  # type: ignore[return-value]

    def check(self, row: int) -> QCheckBox:
        return self.cellWidget(row, self.leading + 2).findChild(QCheckBox)

    def add_choice(self, label: str, target) -> None:
        """A new target (a place just added) in every row's drop-down."""
        for row in range(self.rowCount()):
            combo = self.combo(row)
            if find_data(combo, target) < 0:
                combo.blockSignals(True)
                combo.addItem(label, target)
                combo.blockSignals(False)

    def choose(self, row: int, target) -> None:
        self.combo(row).setCurrentIndex(find_data(self.combo(row), target))
        self._chosen(row)

    def unconfirmed(self) -> list[int]:
        return [row for row, guess in enumerate(self.guesses) if not guess.certain]

    def _chosen(self, row: int) -> None:
        combo, guess = self.combo(row), self.guesses[row]
        guess.to = combo.currentData()
        guess.name = combo.currentText() if guess.to is not None else ""
        self.check(row).setChecked(True)  # choosing is confirming
        self._confirmed(row, True)

    def _confirmed(self, row: int, on: bool) -> None:
        self.guesses[row].certain = on
        self._paint(row)
        self.changed.emit()

    def _paint(self, row: int) -> None:
        guess = self.guesses[row]
        brush = QBrush(UNCERTAIN) if not guess.certain else QBrush()
        for column in range(self.leading + 1):
            item = self.item(row, column)
            if item is not None:
                item.setBackground(brush)
                font = item.font()
                font.setBold(not guess.certain)
                item.setFont(font)
        self.item(row, self.leading).setText(certainty_text(guess))
