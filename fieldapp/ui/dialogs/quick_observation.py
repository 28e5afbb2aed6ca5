"""Ny iakttagelse, made for the keyboard: Ctrl+N, a few letters of the place, Enter, the
category's key, Enter. Six keystrokes for the usual case:

- the place field has the focus; it completes over place names (case-insensitive, anywhere in
  the name), the places this laptop uses most first, and says under it which place Enter
  takes; Enter takes it and moves on to the category; "New place…" adds one
  (:mod:`fieldapp.ui.dialogs.place_field`);
- each category has one key (shown beside its name); 1/2/3 set the severity;
- Enter (or Ctrl+Enter from any field) saves. The observation joins the running shift;
- Ctrl+D ("Same as last") fills in the place, category, severity and counts of the shift's
  last observation: Ctrl+N, Ctrl+D, Enter logs the same thing again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
)

from fieldapp.domain.enums import ActionTaken
from fieldapp.domain.records import ObservationRecord, PlaceRecord
from fieldapp.i18n import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.category_picker import ENTER_KEYS, SEVERITY_KEYS, CategoryPicker
from fieldapp.ui.dialogs.form_parts import ShareCheck, select_data
from fieldapp.ui.dialogs.place_field import PlaceField, ranked_places
from fieldapp.ui.widgets.count_box import CountBox
from fieldapp.ui.widgets.datetime_edit import StockholmDateTimeEdit
from fieldapp.ui.widgets.forms import FieldErrorLabel, FormErrors
from fieldapp.ui.widgets.formatting import hhmm, shift_kind_label
from fieldapp.ui.widgets.pii_text import PiiLineEdit
from fieldapp.ui.widgets.saving import save_with

SAME_AS_LAST_SHORTCUT = "Ctrl+D"


class QuickObservationDialog(QDialog):
    saved = Signal(object)  # the ObservationRecord

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("quickObservationDialog")
        self.setWindowTitle(_("New observation"))
        with ctx.services() as services:
            self.running = services.shifts.running()
            places = ranked_places(services, ctx.clock())
            categories = services.reference.categories()
            self.last = last_of_shift(services, self.running)
        self.form = FormErrors(FieldErrorLabel())

        self.place_field = PlaceField(ctx, places, self)
        self.place = self.place_field.edit
        self.completer = self.place_field.completer
        self.place_area = self.place_field.hint
        self.place_field.taken.connect(self._place_taken)
        self.place_field.missing.connect(self._place_missing)
        self.place_field.save_requested.connect(self.save)

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
        form.addRow(_("&Place"), self.place_field)
        form.labelForField(self.place_field).setBuddy(self.place)
        form.addRow("", self.form.register("place_id", self.place))
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
                        "1/2/3 set the severity; Ctrl+D fills in the shift's last observation."))
        hint.setWordWrap(True)
        hint.setObjectName("hint")

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)  # Enter in a count or combo saves too
        cancel = buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        self.same_button = buttons.addButton(_("Same as last"),
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.same_button.setObjectName("sameAsLast")
        self.same_button.setAutoDefault(False)
        self.same_button.setEnabled(self.last is not None)
        self.same_button.setToolTip(
            _("Place, category, severity and counts of this shift's last observation ({keys})")
            .format(keys=QKeySequence(SAME_AS_LAST_SHORTCUT).toString(
                QKeySequence.SequenceFormat.NativeText))
            if self.last is not None else _("No observation in this shift yet."))
        self.same_button.clicked.connect(self.same_as_last)
        QShortcut(QKeySequence(SAME_AS_LAST_SHORTCUT), self, activated=self.same_as_last,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
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
                 self.details_shareable.checkbox, self.save_button, cancel, self.same_button,
                 self.place_field.new_button]
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

    @property
    def places(self) -> list[PlaceRecord]:
        """The places in the order they are offered (this worker's most used first)."""
        return self.place_field.places

    @property
    def place_id(self):
        return self.place_field.place_id

    def _place_edited(self, text: str) -> None:
        self.place_field._text_changed(text)

    def first_match(self) -> PlaceRecord | None:
        """The place the Enter key takes (also shown under the field)."""
        return self.place_field.enter_choice()

    def accept_place(self) -> None:
        self.place_field.take()

    def _place_taken(self, _place: PlaceRecord) -> None:
        self.form.label("place_id").clear_message()
        self.category.setFocus(Qt.FocusReason.TabFocusReason)

    def _place_missing(self, text: str) -> None:
        self.form.show([_place_error(text)])
        self.place.setFocus()

    # -- same as last ---------------------------------------------------------------------
    def same_as_last(self) -> bool:
        """Fill in the place, category, severity and counts of this shift's last
        observation (Ctrl+D); the focus goes to the category list, so Enter saves."""
        last = self.last
        if last is None:
            return False
        place = self.place_field.place(last.place_id)
        if place is not None:
            self.place_field.choose(place)
            self.form.label("place_id").clear_message()
        self.category.select_id(last.category_id)
        select_data(self.severity, last.severity)
        self.people.setValue(last.people_count)
        self.youths.setValue(last.youths_present)
        self.category.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    # -- saving ---------------------------------------------------------------------------
    def values(self) -> dict:
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


def last_of_shift(services, shift) -> ObservationRecord | None:
    """The running shift's latest observation (what "Same as last" repeats), or None."""
    if shift is None:
        return None
    observations = services.observations.list(shift_id=shift.id)
    return observations[-1] if observations else None


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
