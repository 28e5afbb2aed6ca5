"""Domain messages beside their fields.

A form registers each input widget under the name of the field the services use
(``FieldError.field``, e.g. "ends_at"); :meth:`FormErrors.show` puts every message under its
widget, marks the widget, and moves the focus to the first bad field. Messages for fields the
form does not show go to a general label at the top of the form.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from fieldapp.domain.validation import FieldError


def error_colour(widget: QWidget) -> QColor:
    """A red that reads well on the widget's background, light or dark theme."""
    background = widget.palette().color(QPalette.ColorRole.Window)
    return QColor("#ff8a80") if background.lightness() < 128 else QColor("#b3261e")


def muted_colour(widget: QWidget) -> QColor:
    """The palette's text colour, half way to the background (for hints)."""
    palette = widget.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    back = palette.color(QPalette.ColorRole.Window)
    return QColor((text.red() + back.red()) // 2, (text.green() + back.green()) // 2,
                  (text.blue() + back.blue()) // 2)


class FieldErrorLabel(QLabel):
    """Shows the message(s) of one field; hidden when there are none."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.setObjectName("fieldError")
        self.hide()

    def _recolour(self) -> None:
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, error_colour(self))
        self.setPalette(palette)

    def set_messages(self, messages: Iterable[str]) -> None:
        messages = [m for m in messages if m]
        self._recolour()
        self.setText("\n".join(messages))
        self.setVisible(bool(messages))

    def clear_message(self) -> None:
        self.setText("")
        self.hide()


def with_error(widget: QWidget, label: FieldErrorLabel) -> QWidget:
    """The field and its error label stacked, for a QFormLayout row."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    layout.addWidget(label)
    return box


class FormErrors:
    """Maps ``FieldError.field`` names to widgets and their error labels."""

    def __init__(self, general: FieldErrorLabel | None = None):
        self.general = general or FieldErrorLabel()
        self._fields: dict[str, tuple[QWidget, FieldErrorLabel]] = {}
        self._aliases: dict[str, str] = {}

    def add(self, field: str, widget: QWidget, *aliases: str) -> QWidget:
        """Register ``widget`` for ``field`` (and for other field names that belong to it);
        returns the widget with its error label below it, ready for a form row."""
        label = FieldErrorLabel()
        label.setBuddy(widget)
        self._fields[field] = (widget, label)
        for alias in aliases:
            self._aliases[alias] = field
        return with_error(widget, label)

    def register(self, field: str, widget: QWidget) -> FieldErrorLabel:
        """Register ``widget`` for ``field``; the caller places the returned label."""
        label = FieldErrorLabel()
        self._fields[field] = (widget, label)
        return label

    def label(self, field: str) -> FieldErrorLabel:
        return self._fields[self._aliases.get(field, field)][1]

    def widget(self, field: str) -> QWidget:
        return self._fields[self._aliases.get(field, field)][0]

    def clear(self) -> None:
        self.general.clear_message()
        for widget, label in self._fields.values():
            label.clear_message()
            widget.setProperty("invalid", False)

    def show(self, errors: Iterable[FieldError]) -> list[FieldError]:
        """Show ``errors`` beside their fields; returns those shown in the general label."""
        self.clear()
        by_field: dict[str, list[str]] = {}
        general: list[FieldError] = []
        first: QWidget | None = None
        for error in errors:
            name = self._aliases.get(error.field, error.field)
            if name in self._fields:
                by_field.setdefault(name, []).append(error.message)
                if first is None:
                    first = self._fields[name][0]
            else:
                general.append(error)
        for name, messages in by_field.items():
            widget, label = self._fields[name]
            label.set_messages(messages)
            widget.setProperty("invalid", True)
        self.general.set_messages(e.message for e in general)
        if first is not None:
            first.setFocus()
        return general

    def messages(self) -> dict[str, str]:
        """The visible messages by field (for tests and screen readers)."""
        shown = {name: label.text() for name, (_w, label) in self._fields.items()
                 if label.isVisibleTo(label.parentWidget()) and label.text()}
        if self.general.text() and not self.general.isHidden():
            shown[""] = self.general.text()
        return shown
