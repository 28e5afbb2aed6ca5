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


# Each of these a field has says that it changed (line and text edits, number, date
# and time boxes, drop-downs, checkboxes, lists).
CHANGE_SIGNALS = ("textChanged", "dateTimeChanged", "currentIndexChanged", "toggled",
                  "itemChanged", "currentRowChanged")


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
        self._watch(field, widget)
        return with_error(widget, label)

    def register(self, field: str, widget: QWidget) -> FieldErrorLabel:
        """Register ``widget`` for ``field``; the caller places the returned label."""
        label = FieldErrorLabel()
        self._fields[field] = (widget, label)
        self._watch(field, widget)
        return label

    def _watch(self, field: str, widget: QWidget) -> None:
        """A field's message goes when the field changes (it may be fixed now); a widget
        that checks itself (``problem_changed``, e.g. a count box) shows its own at once."""
        problem = getattr(widget, "problem_changed", None)
        if problem is not None:
            problem.connect(lambda text: self.set_field(field, [text] if text else []))
            return
        for name in CHANGE_SIGNALS:
            signal = getattr(widget, name, None)
            if signal is not None and hasattr(signal, "connect"):
                signal.connect(lambda *_args: self.set_field(field, []))

    def set_field(self, field: str, messages: list[str]) -> None:
        widget, label = self._fields[self._aliases.get(field, field)]
        label.set_messages(messages)
        widget.setProperty("invalid", bool(messages))

    def problems(self) -> list[FieldError]:
        """What the fields that check themselves find now (too large a count)."""
        found = []
        for name, (widget, _label) in self._fields.items():
            check = getattr(widget, "problem", None)
            if callable(check) and check():
                found.append(FieldError(name, check()))
        return found

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
            _make_room(first.window())
        return general

    def messages(self) -> dict[str, str]:
        """The visible messages by field (for tests and screen readers)."""
        shown = {name: label.text() for name, (_w, label) in self._fields.items()
                 if label.isVisibleTo(label.parentWidget()) and label.text()}
        if self.general.text() and not self.general.isHidden():
            shown[""] = self.general.text()
        return shown


def _make_room(window: QWidget) -> None:
    """Grow ``window`` when the messages just shown need more height than it has, so no
    message is drawn over its field."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    needed = layout.totalMinimumSize().height()
    if layout.hasHeightForWidth():  # word-wrapped labels: their height depends on the width
        needed = max(needed, layout.totalHeightForWidth(window.width()))
    if window.height() < needed:
        window.resize(window.width(), needed)
