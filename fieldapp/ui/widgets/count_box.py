"""A number box for counts that never drops a digit silently.

A plain QSpinBox refuses the keystroke that would pass its maximum: "600" with a maximum
of 500 becomes "60" without a word. :class:`CountBox` takes what is typed (up to five
digits, more than any count) and says at once when it is more than the plausible maximum
(``problem_changed``, shown beside the field by :class:`fieldapp.ui.widgets.forms.FormErrors`);
the save is then refused by the services with the same limit.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QSpinBox

from fieldapp.domain.validation import MAX_COUNT
from fieldapp.i18n import _

TYPING_MAXIMUM = 99999  # what the box takes while typing; the services refuse above ``limit``


class CountBox(QSpinBox):
    problem_changed = Signal(str)  # "" when the number is fine

    def __init__(self, value: int = 0, limit: int = MAX_COUNT, parent=None):
        super().__init__(parent)
        self.limit = limit
        self.setRange(0, TYPING_MAXIMUM)
        self.setValue(value)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("00000") + 40)
        # The line edit's text, not textChanged: that one is quiet while the text is over
        # the range, and the message must come with the keystroke.
        self.lineEdit().textChanged.connect(lambda _text: self.problem_changed.emit(self.problem()))

    def validate(self, text: str, pos: int):
        digits = text.strip()
        if digits.isdigit() and int(digits) > TYPING_MAXIMUM:
            return QValidator.State.Intermediate, text, pos  # kept, and said (problem)
        return super().validate(text, pos)

    def typed(self) -> int | None:
        digits = self.cleanText().strip()
        return int(digits) if digits.isdigit() else None

    def problem(self) -> str:
        number = self.typed()
        if number is not None and number > self.limit:
            return _("At most {limit}: check the number ({number} was typed).").format(
                limit=self.limit, number=number)
        return ""
