"""The Karta page's side panel: the places without coordinates (and those on the map) with
their observations in the period, "Set position" and its undo, and the legend. Enter or a
double-click on a place opens it (``place_opened``)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldapp.i18n import _, format_number
from fieldapp.store.map_query import MapData

PLACE_ROLE = Qt.ItemDataRole.UserRole


class PlaceSidePanel(QWidget):
    place_opened = Signal(object)  # uuid.UUID
    selection_changed = Signal(object)  # uuid.UUID or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("mapPlaceList")
        self.tree.setColumnCount(2)
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.unlocated = QTreeWidgetItem(self.tree)
        self.located = QTreeWidgetItem(self.tree)
        for group in (self.unlocated, self.located):
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
        self.set_position_button = QPushButton(self)
        self.set_position_button.setObjectName("setPosition")
        self.undo_button = QPushButton(self)
        self.undo_button.setObjectName("undoPosition")
        self.undo_button.setEnabled(False)
        self.message = QLabel(self)
        self.message.setObjectName("mapMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("QLabel { color: #8a1c1c; }")
        self.message.hide()
        self.legend = QLabel(self)
        self.legend.setObjectName("mapLegend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        buttons = QHBoxLayout()
        buttons.addWidget(self.set_position_button)
        buttons.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(self.legend)
        self.tree.itemActivated.connect(self._activated)
        self.tree.currentItemChanged.connect(lambda item, _old: self.selection_changed.emit(
            self._place_of(item)))
        self.retranslate()

    def retranslate(self) -> None:
        self.tree.setHeaderLabels([_("Place"), _("Obs.")])
        self.set_position_button.setText(_("Set position"))
        self.set_position_button.setToolTip(_("Choose a place, press this and click the map "
                                              "where the place is"))
        self.undo_button.setText(_("Undo position"))
        self.undo_button.setToolTip(_("Ctrl+Z"))
        self._group_titles()

    def _group_titles(self) -> None:
        self.unlocated.setText(0, _("Without position ({count})").format(
            count=self.unlocated.childCount()))
        self.located.setText(0, _("On the map ({count})").format(count=self.located.childCount()))

    @staticmethod
    def _place_of(item: QTreeWidgetItem | None):
        return item.data(0, PLACE_ROLE) if item is not None else None

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        place_id = self._place_of(item)
        if place_id is not None:
            self.place_opened.emit(place_id)

    def show_places(self, data: MapData) -> None:
        selected = self.current_place()
        self.tree.blockSignals(True)
        for group in (self.unlocated, self.located):
            group.takeChildren()
        again = None
        for place in data.places:
            group = self.located if place.located else self.unlocated
            item = QTreeWidgetItem(group, [place.name, format_number(data.total(place.id))])
            item.setData(0, PLACE_ROLE, place.id)
            item.setToolTip(0, place.area_name)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if place.id == selected:
                again = item
        self.tree.expandAll()
        self._group_titles()
        if again is not None:
            self.tree.setCurrentItem(again)
        self.tree.blockSignals(False)
        self.selection_changed.emit(self.current_place())

    def current_place(self):
        return self._place_of(self.tree.currentItem())

    def item_of(self, place_id) -> QTreeWidgetItem | None:
        for group in (self.unlocated, self.located):
            for index in range(group.childCount()):
                if group.child(index).data(0, PLACE_ROLE) == place_id:
                    return group.child(index)
        return None

    def select(self, place_id) -> None:
        item = self.item_of(place_id)
        if item is not None:
            self.tree.setCurrentItem(item)

    def unlocated_names(self) -> list[str]:
        return [self.unlocated.child(i).text(0) for i in range(self.unlocated.childCount())]

    def show_legend(self, entries: list[tuple[str, str]], note: str) -> None:
        """``entries``: (colour, text) swatches, then ``note`` (the rings and sizes)."""
        swatches = "".join(
            f'<span style="color:{colour}">\u25cf</span>&nbsp;{html.escape(text)}<br>'
            for colour, text in entries)
        self.legend.setText(f"<small>{swatches}{html.escape(note)}</small>")
