"""A text field that marks what looks like a person's identifiers as the user types
(fieldapp.domain.pii.find_pii), so such text is never shared by mistake.

``known``: the words the guard never takes for a name here (the places, partners and staff
the app knows, the team's allow-list), as a frozenset or a function that returns the current
ones (``ctx.known``: the AppContext reads them off the UI thread at start)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QInputMethodEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit

from fieldapp.domain.pii import Finding, find_pii
from fieldapp.ui.widgets.forms import error_colour

Known = frozenset[str] | Callable[[], frozenset[str]]


def _words(known: Known) -> frozenset[str]:
    return known() if callable(known) else known


class PiiTextEdit(QPlainTextEdit):
    """Underlines findings; ``findings_changed`` carries the current list of findings."""

    findings_changed = Signal(list)

    def __init__(self, parent=None, *, known: Known = frozenset()):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.known = known
        self.findings: list[Finding] = []
        self.textChanged.connect(self._check)

    def _check(self) -> None:
        findings = find_pii(self.toPlainText(), _words(self.known))
        selections = []
        colour = error_colour(self)
        for finding in findings:
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(colour)
            fmt.setForeground(colour)
            selection.format = fmt
            cursor = QTextCursor(self.document())
            cursor.setPosition(finding.start)
            cursor.setPosition(finding.end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selections.append(selection)
        self.setExtraSelections(selections)
        if findings != self.findings:
            self.findings = findings
            self.findings_changed.emit(findings)


class PiiLineEdit(QLineEdit):
    """The one-line kind (a place's name, a meeting's title, a flag's reason, the quick
    observation's details): marks findings in the field's
    own text layout and emits ``findings_changed`` like :class:`PiiTextEdit`."""

    findings_changed = Signal(list)

    def __init__(self, text: str = "", parent=None, *, known: Known = frozenset()):
        super().__init__(parent)
        self.known = known
        self.findings: list[Finding] = []
        self.textChanged.connect(self._check)
        if text:
            self.setText(text)

    def _check(self, text: str) -> None:
        findings = find_pii(text, _words(self.known))
        colour = error_colour(self)
        attributes = []
        for finding in findings:
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(colour)
            fmt.setForeground(colour)
            # Start offsets are relative to the cursor (Qt's input-method formatting).
            attributes.append(QInputMethodEvent.Attribute(
                QInputMethodEvent.AttributeType.TextFormat,
                finding.start - self.cursorPosition(), finding.end - finding.start, fmt))
        QCoreApplication.sendEvent(self, QInputMethodEvent("", attributes))
        if findings != self.findings:
            self.findings = findings
            self.findings_changed.emit(findings)
