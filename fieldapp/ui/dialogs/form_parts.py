"""Parts the list dialogs share (edit shift, edit observation, meeting, place): count boxes,
combo selection by value, the Save/Cancel buttons, the "share with the team" checkbox of a
free text, disabled with the reason while the PII guard (fieldapp.domain.pii.find_pii) finds
something in the text, and the frame of an edit dialog (:class:`RecordEditDialog`)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.pii import Finding
from fieldapp.i18n import _
from fieldapp.ui.widgets.count_box import CountBox
from fieldapp.ui.widgets.forms import FormErrors, error_colour
from fieldapp.ui.widgets.pii_text import PiiLineEdit, PiiTextEdit

def count_box(value: int = 0) -> CountBox:
    """A count (people, youths, reports): refuses too large a number with a message."""
    return CountBox(value)


def scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


def dialog_buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
    buttons.rejected.connect(dialog.reject)
    return buttons


def find_data(combo: QComboBox, value) -> int:
    """The index of the item whose data equals ``value`` (-1 if none). QComboBox.findData
    compares Python objects such as UUIDs by identity, so equal ids would not be found."""
    for index in range(combo.count()):
        if combo.itemData(index) == value:
            return index
    return -1


def select_data(combo: QComboBox, value) -> None:
    """Select the item with data ``value``, or the first item when there is none."""
    combo.setCurrentIndex(max(find_data(combo, value), 0))


class ShareCheck(QWidget):
    def __init__(self, text_edit: PiiTextEdit | PiiLineEdit, parent=None):
        super().__init__(parent)
        self.text_edit = text_edit
        self.checkbox = QCheckBox(self)
        self.checkbox.setObjectName("shareCheck")
        self.reason_label = QLabel(self)
        self.reason_label.setObjectName("shareReason")
        self.reason_label.setWordWrap(True)
        self.reason_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.checkbox)
        layout.addWidget(self.reason_label)
        text_edit.findings_changed.connect(self._update)
        self.retranslate()
        self._update(text_edit.findings)

    def retranslate(self) -> None:
        self.checkbox.setText(_("Share with the team"))
        self._update(self.text_edit.findings)

    def _update(self, findings: list[Finding]) -> None:
        if findings:
            first = findings[0]
            reason = _("Cannot be shared: {reason} (\u201c{text}\u201d). Remove it to share "
                       "the text.").format(reason=first.reason, text=first.text)
            self.checkbox.setChecked(False)
            self.checkbox.setEnabled(False)
            self.checkbox.setToolTip(reason)
            palette = self.reason_label.palette()
            palette.setColor(self.reason_label.foregroundRole(), error_colour(self))
            self.reason_label.setPalette(palette)
            self.reason_label.setText(reason)
            self.reason_label.show()
        else:
            self.checkbox.setEnabled(True)
            self.checkbox.setToolTip(_("Only a summary without names or numbers may be shared."))
            self.reason_label.clear()
            self.reason_label.hide()

    def is_checked(self) -> bool:
        return self.checkbox.isEnabled() and self.checkbox.isChecked()

    def set_checked(self, checked: bool) -> None:
        if self.checkbox.isEnabled():
            self.checkbox.setChecked(checked)


class RecordEditDialog(QDialog):
    """The frame of a dialog that edits one record: the form's errors, the scrolled form
    with Save/Cancel (:meth:`finish`), and a save that runs :meth:`update` through the
    services (messages beside their fields; nothing saved while a field is wrong) and closes
    with the saved record in ``saved``. Subclasses build the fields, then call ``finish``.

    A save also keeps what it changed as it was before (``undo_values``: the fields whose
    value the save changed, read in the same transaction), so the list can undo the edit."""

    changed_kind = ""  # the DataEvents kind a save announces ("shift", "observation")

    def __init__(self, ctx, title: str, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.saved = None
        self.undo_values: dict = {}
        self.setWindowTitle(title)
        self.errors = FormErrors()
        self.errors.general.setObjectName("generalError")

    def finish(self, form_widget: QWidget, width: int, height: int) -> None:
        buttons = dialog_buttons(self)
        buttons.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolled(form_widget), 1)
        layout.addWidget(buttons)
        self.resize(width, height)

    @property
    def record_id(self):
        raise NotImplementedError

    def values(self) -> dict:
        raise NotImplementedError

    def current(self, services):
        """The record as it is stored now (before the save)."""
        raise NotImplementedError

    def update(self, services, values: dict):
        """Save ``values`` through ``services``; returns the saved record."""
        raise NotImplementedError

    def save(self) -> None:
        from fieldapp.ui.widgets.saving import save_with

        values = self.values()

        def work(services):
            before = self.current(services)
            return before, self.update(services, values)

        def saved(result) -> None:
            before, record = result
            self.saved = record
            self.undo_values = {name: getattr(before, name) for name in values
                                if getattr(before, name) != getattr(record, name)}
            self.accept()

        save_with(self.ctx, self, self.errors, work, saved, changed=(self.changed_kind,))


def make_read_only(dialog: QDialog, whose: str) -> None:
    """Show ``dialog`` for reading only: every field disabled, Save hidden (Cancel reads
    Close), and a label at the top saying whose record it is."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    for widget in dialog.findChildren(QWidget):
        if isinstance(widget, QDialogButtonBox) or isinstance(widget.parentWidget(),
                                                              QDialogButtonBox):
            continue
        if isinstance(widget, (QLineEdit, QTextEdit, QPlainTextEdit)):
            widget.setReadOnly(True)  # still selectable and readable by screen readers
        elif isinstance(widget, (QAbstractSpinBox, QComboBox, QAbstractButton,
                                 QAbstractItemView, QCheckBox)):
            widget.setEnabled(False)
    for box in dialog.findChildren(QDialogButtonBox):
        for button in box.buttons():
            role = box.buttonRole(button)
            if role in (QDialogButtonBox.ButtonRole.AcceptRole,
                        QDialogButtonBox.ButtonRole.ApplyRole):
                button.hide()
            elif role == QDialogButtonBox.ButtonRole.RejectRole:
                button.setText(_("Close"))
    label = QLabel(whose)
    label.setObjectName("readOnlyNotice")
    label.setWordWrap(True)
    layout = dialog.layout()
    if isinstance(layout, QVBoxLayout):
        layout.insertWidget(0, label)
    dialog.read_only = True
