"""The Hjälp menu's windows: the list of keyboard shortcuts (read from the window's own
actions, so it never goes stale) and the About box."""

from __future__ import annotations

import re

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

import fieldapp
from fieldapp.i18n import _

_MNEMONIC = re.compile(r"&(?!&)")


def plain(text: str) -> str:
    """A menu text without its Alt-mnemonic marker and trailing ellipsis."""
    return _MNEMONIC.sub("", text).replace("&&", "&").rstrip("…").strip()


def shortcut_rows(window) -> list[tuple[str, str, str]]:
    """(menu, command, shortcut) for every action of the window's menus that has a shortcut,
    in menu order, then any other window action with one (the shortcut as the platform
    writes it)."""
    rows: list[tuple[str, str, str]] = []
    seen: set[QAction] = set()
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        for action in menu.actions():
            seen.add(action)
            if not action.isSeparator() and not action.shortcut().isEmpty():
                rows.append((plain(menu.title()), plain(action.text()),
                             action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
    for action in window.actions():
        if action not in seen and not action.shortcut().isEmpty():
            rows.append(("", plain(action.text()),
                         action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
    return rows


class ShortcutListDialog(QDialog):
    """Every keyboard shortcut of ``window`` in a table: menu, command, keys."""

    def __init__(self, window, parent=None):
        super().__init__(parent if parent is not None else window)
        self.setObjectName("shortcutList")
        self.setWindowTitle(_("Keyboard shortcuts"))
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels([_("Menu"), _("Command"), _("Keys")])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, min(640, 120 + 30 * len(rows)))


def show_shortcuts(window) -> ShortcutListDialog:
    """Open the shortcut list (not blocking) and return it."""
    dialog = ShortcutListDialog(window)
    dialog.open()
    return dialog


def show_about(window) -> None:
    QMessageBox.about(window, _("About Fältlogg"), _(
        "Fältlogg {version}\n\nShifts, observations and meetings of the field workers "
        "(fältassistenter). Works offline; only summaries are shared with the team."
    ).format(version=fieldapp.__version__))


__all__ = ["ShortcutListDialog", "plain", "shortcut_rows", "show_about", "show_shortcuts"]
