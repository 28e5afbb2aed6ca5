"""Layout checks for the window tests: texts cut off, widgets past their window's edge."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QWidget


def clipped_labels(root: QWidget) -> list[str]:
    """The visible word-wrapped labels under ``root`` that are lower than their text needs
    at their width (the text is cut off)."""
    found = []
    for label in root.findChildren(QLabel):
        if label.isVisible() and label.wordWrap() and label.text():
            needed = label.heightForWidth(label.width())
            if needed > label.height() + 1:
                found.append(f"{label.text()[:40]!r}: {label.height()} px of {needed}")
    return found


def outside_window(top: QWidget) -> list[str]:
    """The visible widgets under ``top`` that reach past its edges (not counting what a
    scroll area scrolls)."""
    frame = QRect(QPoint(0, 0), top.size())
    found = []
    for widget in top.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow():
            continue
        if any(isinstance(parent, QAbstractScrollArea) for parent in _parents(widget, top)):
            continue
        rect = QRect(widget.mapTo(top, QPoint(0, 0)), widget.size())
        if not frame.contains(rect):
            found.append(f"{type(widget).__name__} {widget.objectName()!r} at {rect.getRect()}")
    return found


def _parents(widget: QWidget, top: QWidget):
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        yield parent
        parent = parent.parentWidget()
