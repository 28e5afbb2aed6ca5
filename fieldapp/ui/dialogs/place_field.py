"""The quick observation's place field: a few letters, Enter, and the place is taken.

- It completes over place names (case-insensitive, anywhere in the name) in this worker's
  order: the places this laptop noted observations at in the last weeks first, the most used
  first (:func:`fieldapp.domain.place_rank.rank_places`), then the rest by name.
- The line under the field always says which place Enter will take ("Enter väljer:
  Campus Liljeholmen (Liljeholmen)"), or that no place matches, so Enter never picks a
  place the worker has not seen.
- "New place…" (Ctrl+Shift+N) opens the place form with the typed name; the new place is
  then taken.
"""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.place_rank import RANK_WEEKS, matching, rank_places
from fieldapp.domain.records import PlaceRecord
from fieldapp.i18n import _
from fieldapp.ui.dialogs.category_picker import ENTER_KEYS
from fieldapp.ui.widgets.forms import muted_colour

NEW_PLACE_SHORTCUT = "Ctrl+Shift+N"


def ranked_places(services, now: dt.datetime) -> list[PlaceRecord]:
    """Every place, this device's most used ones of the last weeks first."""
    usage = services.observations.place_usage(since=now - dt.timedelta(weeks=RANK_WEEKS))
    return rank_places(services.places.list(), usage)


class _EnterKeys(QObject):
    """Enter in the place field (or in its completion popup) takes a place; Ctrl+Enter
    asks to save."""

    def __init__(self, field: PlaceField):
        super().__init__(field)
        self.field = field

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() in ENTER_KEYS:
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.field.save_requested.emit()
            else:
                self.field.take()
            return True
        return False


class PlaceField(QWidget):
    """The line edit with its completer, the "New place…" button and the line that says
    which place Enter takes. ``place_id`` is the place taken (None while none is)."""

    taken = Signal(object)  # the PlaceRecord Enter (or "New place…") took
    missing = Signal(str)  # Enter found no place for the text typed
    save_requested = Signal()  # Ctrl+Enter in the field

    def __init__(self, ctx, places: list[PlaceRecord], parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.place_id: uuid.UUID | None = None
        self.place_dialog = None  # the place form "New place…" opened (tests drive it)

        self.edit = QLineEdit(self)
        self.edit.setObjectName("place")
        self.edit.setPlaceholderText(_("Type a few letters of the place"))
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setMaxVisibleItems(10)
        self.edit.setCompleter(self.completer)
        self._keys = _EnterKeys(self)
        self.edit.installEventFilter(self._keys)
        self.completer.popup().installEventFilter(self._keys)
        self.completer.activated[str].connect(self._activated)
        self.edit.textChanged.connect(self._text_changed)

        self.new_button = QPushButton(_("New place…"), self)
        self.new_button.setObjectName("newPlace")
        self.new_button.setAutoDefault(False)
        self.new_button.setToolTip(_("Add a place that is not in the list ({keys})").format(
            keys=QKeySequence(NEW_PLACE_SHORTCUT).toString(
                QKeySequence.SequenceFormat.NativeText)))
        self.new_button.clicked.connect(self.new_place)
        QShortcut(QKeySequence(NEW_PLACE_SHORTCUT), self, activated=self.new_place,
                  context=Qt.ShortcutContext.WindowShortcut)

        self.hint = QLabel(self)
        self.hint.setObjectName("placeHint")
        self.hint.setWordWrap(True)
        palette = self.hint.palette()
        palette.setColor(self.hint.foregroundRole(), muted_colour(self))
        self.hint.setPalette(palette)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.hint)
        self.setFocusProxy(self.edit)
        self.set_places(places)

    # -- the places -----------------------------------------------------------------------
    def set_places(self, places: list[PlaceRecord]) -> None:
        self.places = list(places)
        self._by_name = {}
        for place in self.places:  # two places of one name: the higher-ranked one
            self._by_name.setdefault(place.name.casefold(), place)
        self._by_id = {p.id: p for p in self.places}
        self.model.setStringList([p.name for p in self.places])
        self._text_changed(self.edit.text())

    def place(self, place_id: uuid.UUID | None) -> PlaceRecord | None:
        return self._by_id.get(place_id)

    def exact(self, text: str) -> PlaceRecord | None:
        return self._by_name.get(text.strip().casefold())

    def enter_choice(self) -> PlaceRecord | None:
        """The place Enter takes now: the popup's highlighted row, the place of exactly that
        name, or the first (highest-ranked) place whose name holds the text."""
        text = self.edit.text().strip()
        if not text:
            return None
        popup = self.completer.popup()
        if popup.isVisible() and popup.currentIndex().isValid():
            return self.exact(str(popup.currentIndex().data()))
        found = self.exact(text)
        if found is not None:
            return found
        matches = matching(self.places, text)
        return matches[0] if matches else None

    # -- taking one -----------------------------------------------------------------------
    def choose(self, place: PlaceRecord) -> None:
        """Put ``place`` in the field as taken."""
        self.edit.setText(place.name)
        self._set(place)

    def take(self) -> PlaceRecord | None:
        """What Enter does: take :meth:`enter_choice` (``taken``), or say none matches
        (``missing``)."""
        place = self.enter_choice()
        self.completer.popup().hide()
        if place is None:
            self._set(None)
            self.missing.emit(self.edit.text())
            return None
        self.choose(place)
        self.taken.emit(place)
        return place

    def _activated(self, name: str) -> None:  # a click (or Enter) on the popup's row
        place = self.exact(name)
        if place is not None:
            self._set(place)

    def _set(self, place: PlaceRecord | None) -> None:
        self.place_id = place.id if place else None
        self._show_hint()

    def _text_changed(self, text: str) -> None:
        self.place_id = None
        exact = self.exact(text)
        if exact is not None:
            self.place_id = exact.id
        self._show_hint()

    def _show_hint(self) -> None:
        chosen = self.place(self.place_id)
        if chosen is not None:
            self.hint.setText(chosen.area_name)
        elif not self.edit.text().strip():
            self.hint.setText("")
        else:
            choice = self.enter_choice()
            if choice is not None:
                self.hint.setText(_("Enter takes: {place} ({area})").format(
                    place=choice.name, area=choice.area_name))
            else:
                self.hint.setText(_("No place matches; \u201cNew place…\u201d adds one."))

    # -- a new place ----------------------------------------------------------------------
    def new_place(self):
        """Open the place form (the typed name filled in); a saved place is taken."""
        from fieldapp.ui.dialogs.place_form import PlaceFormDialog

        if self.place_dialog is not None:  # one form at a time; the last one is done
            self.place_dialog.deleteLater()
        dialog = PlaceFormDialog(self.ctx, parent=self.window())
        typed = self.edit.text().strip()
        if typed and self.exact(typed) is None:
            dialog.name.setText(typed)
        dialog.accepted.connect(lambda: self._added(dialog.saved))
        self.place_dialog = dialog
        dialog.open()
        return dialog

    def _added(self, place: PlaceRecord | None) -> None:
        if place is None:
            return
        self.set_places([place] + [p for p in self.places if p.id != place.id])
        self.choose(place)
        self.taken.emit(place)


__all__ = ["NEW_PLACE_SHORTCUT", "PlaceField", "ranked_places"]
