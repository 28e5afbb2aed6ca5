"""How a place's page is reached: :func:`open_place` (from the places list, the map's
``place_opened`` signal, the weekly view's rising places) and Ctrl+F "Find place…"
(:func:`find_place`: a small searchable chooser, then the page).

``window`` is any widget whose window has the app context (``window.ctx``) or an explicit
``ctx``; the page opens over it (not modal), one page per place: opening a place whose page
is open brings that page to the front."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from fieldapp.i18n import _
from fieldapp.ui.widgets.searchable import make_searchable


def _context(window: QWidget, ctx=None):
    if ctx is not None:
        return ctx
    for widget in (window, window.window()):
        if getattr(widget, "ctx", None) is not None:
            return widget.ctx
    raise LookupError("no app context to open the place page with")


def open_place(window: QWidget, place_id: uuid.UUID | str, ctx=None):
    """Open (or bring to the front) the page of ``place_id`` over ``window``; the page."""
    from fieldapp.ui.views.place_page import PlacePage

    place_id = place_id if isinstance(place_id, uuid.UUID) else uuid.UUID(str(place_id))
    owner = window.window()
    for page in owner.findChildren(PlacePage):
        if page.place_id == place_id and page.isVisible():
            page.raise_()
            page.activateWindow()
            return _remember(owner, page)
    page = PlacePage(_context(window, ctx), place_id, owner)
    page.show()
    page.raise_()
    page.activateWindow()
    return _remember(owner, page)


def _remember(owner: QWidget, dialog: QDialog) -> QDialog:
    if hasattr(owner, "last_dialog"):
        owner.last_dialog = dialog  # tests drive the window's dialogs through it
    return dialog


class PlaceChooser(QDialog):
    """Type part of a place's name (or its area's), Enter opens its page."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("placeChooser")
        self.setWindowTitle(_("Find place"))
        self.label = QLabel(_("&Place (type part of the name):"))
        self.combo = QComboBox()
        self.combo.setObjectName("placeCombo")
        self.label.setBuddy(self.combo)
        with ctx.services() as services:
            places = services.places.list()
        for place in places:
            self.combo.addItem(f"{place.name} ({place.area_name})", place.id)
        make_searchable(self.combo, min_chars=32)
        self.combo.setCurrentIndex(-1)
        self.combo.setEditText("")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setText(_("Open"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.combo.completer().activated[str].connect(self._completed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.combo)
        layout.addWidget(self.buttons)

    def _completed(self, text: str) -> None:
        index = self.combo.findText(text)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def chosen(self) -> uuid.UUID | None:
        """The place named in the box (the typed text when it names one exactly, else the
        single place it matches a part of)."""
        typed = self.combo.currentText().strip().casefold()
        if not typed:
            return None
        names = [self.combo.itemText(i).casefold() for i in range(self.combo.count())]
        exact = [i for i, name in enumerate(names)
                 if typed in (name, name.rsplit(" (", 1)[0])]
        partial = [i for i, name in enumerate(names) if typed in name]
        found = exact or (partial if len(partial) == 1 else [])
        return self.combo.itemData(found[0]) if found else None

    def accept(self) -> None:
        if self.chosen() is None:
            self.label.setText(_("No single place matches \u201c{text}\u201d. Type more of its "
                                 "name, or choose it from the list.").format(
                text=self.combo.currentText().strip()))
            self.label.setWordWrap(True)
            return
        super().accept()


def find_place(window):
    """Ctrl+F: the chooser; choosing a place opens its page. Returns the chooser."""
    chooser = PlaceChooser(_context(window), window)

    def chosen(result: int) -> None:
        place_id = chooser.chosen()
        if result == QDialog.DialogCode.Accepted and place_id is not None:
            open_place(window, place_id)
        chooser.deleteLater()

    chooser.finished.connect(chosen)
    chooser.open()
    return _remember(window, chooser)


__all__ = ["PlaceChooser", "find_place", "open_place"]
