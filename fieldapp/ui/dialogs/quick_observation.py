"""Ny iakttagelse, made for the keyboard: Ctrl+N, a few letters of the place, Enter, the
category's key, Enter. Six keystrokes for the usual case:

- the place field has the focus; it completes over place names (case-insensitive, anywhere in
  the name), this device's recent places first; Enter takes the highlighted or first match
  and moves on to the category;
- each category has one key (shown beside its name); 1/2/3 set the severity;
- Enter (or Ctrl+Enter from any field) saves. The observation joins the running shift.
"""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from fieldapp.domain.enums import ActionTaken, Severity
from fieldapp.domain.records import CategoryRecord, PlaceRecord
from fieldapp.domain.hotkeys import category_hotkeys
from fieldapp.i18n import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.form_parts import ShareCheck
from fieldapp.ui.widgets.datetime_edit import StockholmDateTimeEdit
from fieldapp.ui.widgets.count_box import CountBox
from fieldapp.ui.widgets.forms import FieldErrorLabel, FormErrors
from fieldapp.ui.widgets.formatting import hhmm, shift_kind_label
from fieldapp.ui.widgets.pii_text import PiiLineEdit
from fieldapp.ui.widgets.saving import save_with

ID_ROLE = Qt.ItemDataRole.UserRole
RECENT_LIMIT = 8
RECENT_DAYS = 90
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
SEVERITY_KEYS = {"1": Severity.LOW, "2": Severity.MEDIUM, "3": Severity.HIGH}


def place_order(places: list[PlaceRecord], recent_ids: list[uuid.UUID]) -> list[PlaceRecord]:
    """Recent places first (most recent first), then the rest by name."""
    by_id = {p.id: p for p in places}
    recent = [by_id[i] for i in dict.fromkeys(recent_ids) if i in by_id][:RECENT_LIMIT]
    seen = {p.id for p in recent}
    rest = sorted((p for p in places if p.id not in seen), key=lambda p: p.name.casefold())
    return recent + rest


def recent_place_ids(services, device_id: uuid.UUID, now, limit: int = 50) -> list[uuid.UUID]:
    """The places of this device's latest observations (last 90 days), newest first."""
    observations = services.observations.list(start=now - dt.timedelta(days=RECENT_DAYS))
    mine = [o for o in observations if o.meta.device_id == device_id]
    mine.sort(key=lambda o: o.observed_at, reverse=True)
    return list(dict.fromkeys(o.place_id for o in mine[:limit]))


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
            key = key or ""
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


class _PlaceKeys(QObject):
    """Enter in the place field (or in its completion popup) takes a place and moves on."""

    def __init__(self, dialog: QuickObservationDialog):
        super().__init__(dialog)
        self.dialog = dialog

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() in ENTER_KEYS:
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.dialog.save()
                return True
            self.dialog.accept_place()
            return True
        return False


class QuickObservationDialog(QDialog):
    saved = Signal(object)  # the ObservationRecord

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("quickObservationDialog")
        self.setWindowTitle(_("New observation"))
        with ctx.services() as services:
            self.running = services.shifts.running()
            places = services.places.list()
            categories = services.reference.categories()
            recent = recent_place_ids(services, ctx.device_id, ctx.clock())
        self.places = place_order(places, recent)
        self._place_by_name = {p.name.casefold(): p for p in self.places}
        self.place_id: uuid.UUID | None = None
        self.form = FormErrors(FieldErrorLabel())

        self.place = QLineEdit()
        self.place.setObjectName("place")
        self.place.setPlaceholderText(_("Type a few letters of the place"))
        self.completer = QCompleter(QStringListModel([p.name for p in self.places], self), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setMaxVisibleItems(10)
        self.place.setCompleter(self.completer)
        self._place_keys = _PlaceKeys(self)
        self.place.installEventFilter(self._place_keys)
        self.completer.popup().installEventFilter(self._place_keys)
        self.completer.activated[str].connect(self._place_chosen)
        self.place.textEdited.connect(self._place_edited)
        self.place_area = QLabel()

        self.category = CategoryPicker()
        self.category.setObjectName("category")
        self.category.set_categories(categories)
        self.category.setFixedHeight(self.category.sizeHintForRow(0) * min(len(categories), 14)
                                     + 2 * self.category.frameWidth() + 4)
        self.category.submitted.connect(self.save)

        self.severity = QComboBox()
        for key, severity in SEVERITY_KEYS.items():
            self.severity.addItem(f"{key}  {severity.label}", severity.value)
        self.category.severity_key.connect(
            lambda key: self.severity.setCurrentIndex(list(SEVERITY_KEYS).index(key)))

        self.people = CountBox(1)
        self.youths = CountBox()
        self.action_taken = QComboBox()
        for action in ActionTaken:
            self.action_taken.addItem(action.label, action.value)
        self.observed_at = StockholmDateTimeEdit(ctx.clock())
        self.details = PiiLineEdit(known=ctx.known)
        self.details.setObjectName("details")
        self.details.setPlaceholderText(_("Optional; stays on this laptop unless shared"))
        self.details_shareable = ShareCheck(self.details)

        if self.running is not None:
            shift_text = _("Joins the running shift: {kind} from {start}.").format(
                kind=shift_kind_label(self.running.kind), start=hhmm(self.running.starts_at))
        else:
            shift_text = _("No shift is running; the observation is saved on its own.")
        self.shift_label = QLabel(shift_text)
        self.shift_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow(_("&Place"), self.form.add("place_id", self.place))
        form.addRow("", self.place_area)
        form.addRow(_("&Category"), self.category)
        # Its message in a row of its own: stacked with the fixed-height list it was drawn
        # over the list's last rows.
        form.addRow("", self.form.register("category_id", self.category))
        form.addRow(_("&Severity"), self.form.add("severity", self.severity))
        form.addRow(_("N&umber of people"), self.form.add("people_count", self.people))
        form.addRow(_("&Youths present"), self.form.add("youths_present", self.youths))
        form.addRow(_("&Action taken"), self.form.add("action_taken", self.action_taken))
        form.addRow(_("&Time"), self.form.add("observed_at", self.observed_at, "now"))
        form.addRow(_("&Details"), self.form.add("details", self.details))
        form.addRow("", self.form.add("details_shareable", self.details_shareable))

        hint = QLabel(_("Enter takes the place, the category's key picks it, Enter saves. "
                        "1/2/3 set the severity."))
        hint.setWordWrap(True)
        hint.setObjectName("hint")

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)  # Enter in a count or combo saves too
        cancel = buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        buttons.accepted.connect(self.save)
        cancel.clicked.connect(self.reject)
        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(sequence), self, activated=self.save,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        layout = QVBoxLayout(self)
        layout.addWidget(self.shift_label)
        layout.addWidget(self.form.general)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        order = [self.place, self.category, self.severity, self.people, self.youths,
                 self.action_taken, self.observed_at, self.details,
                 self.details_shareable.checkbox, self.save_button, cancel]
        for first, second in zip(order, order[1:]):
            self.setTabOrder(first, second)
        self.place.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.resize(580, max(self.sizeHint().height(), layout.totalHeightForWidth(580)))

    def keyPressEvent(self, event) -> None:
        if (event.key() in ENTER_KEYS
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            event.accept()
            self.save()
            return
        super().keyPressEvent(event)

    # -- place ----------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.place_id is None:
            self.place.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _place_edited(self, text: str) -> None:
        place = self._place_by_name.get(text.strip().casefold())
        self._set_place(place)

    def _place_chosen(self, name: str) -> None:
        self._set_place(self._place_by_name.get(name.casefold()))

    def _set_place(self, place: PlaceRecord | None) -> None:
        self.place_id = place.id if place else None
        self.place_area.setText(place.area_name if place else "")

    def first_match(self) -> PlaceRecord | None:
        """The place the Enter key takes: the popup's highlighted row, an exact name, or the
        first completion."""
        text = self.place.text().strip()
        if not text:
            return None
        popup = self.completer.popup()
        if popup.isVisible() and popup.currentIndex().isValid():
            name = popup.currentIndex().data()
            return self._place_by_name.get(str(name).casefold())
        exact = self._place_by_name.get(text.casefold())
        if exact is not None:
            return exact
        self.completer.setCompletionPrefix(text)
        if self.completer.completionCount() > 0:
            self.completer.setCurrentRow(0)
            return self._place_by_name.get(self.completer.currentCompletion().casefold())
        return None

    def accept_place(self) -> None:
        place = self.first_match()
        self.completer.popup().hide()
        if place is None:
            self._set_place(None)
            self.form.show([_place_error(self.place.text())])
            self.place.setFocus()
            return
        self.place.setText(place.name)
        self._set_place(place)
        self.form.label("place_id").clear_message()
        self.category.setFocus(Qt.FocusReason.TabFocusReason)

    # -- saving ---------------------------------------------------------------------------
    def values(self) -> dict:
        if self.place_id is None and self.place.text().strip():
            exact = self._place_by_name.get(self.place.text().strip().casefold())
            self._set_place(exact)
        return dict(
            shift_id=self.running.id if self.running else None,
            place_id=self.place_id,
            category_id=self.category.current_id(),
            severity=self.severity.currentData(),
            observed_at=self.observed_at.moment(),
            people_count=self.people.value(),
            youths_present=self.youths.value(),
            action_taken=self.action_taken.currentData(),
            details=self.details.text().strip(),
            details_shareable=self.details_shareable.is_checked(),
        )

    def save(self) -> None:
        values = self.values()

        def saved(record) -> None:
            self.saved.emit(record)
            self.accept()

        save_with(self.ctx, self, self.form,
                  lambda services: services.observations.create(**values), saved,
                  changed=("observation",))


def _place_error(text: str):
    from fieldapp.domain.validation import FieldError

    if text.strip():
        return FieldError("place_id", _("No place matches \"{text}\"; try fewer letters.")
                          .format(text=text.strip()))
    return FieldError("place_id", _("Type a few letters of the place and press Enter."))


def open_quick_observation(ctx: AppContext, parent) -> QuickObservationDialog:
    """Open the dialog, or bring forward the one already open; returns it."""
    if parent is not None:
        for dialog in parent.findChildren(QuickObservationDialog):
            if dialog.isVisible():
                dialog.raise_()
                dialog.activateWindow()
                return dialog
    dialog = QuickObservationDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    dialog.activateWindow()
    dialog.place.setFocus(Qt.FocusReason.ShortcutFocusReason)
    return dialog
