"""A text field that marks what looks like a person's identifiers as the user types
(fieldapp.domain.pii.find_pii), so such text is never shared by mistake."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from fieldapp.domain.pii import Finding, find_pii
from fieldapp.ui.widgets.forms import error_colour


class PiiTextEdit(QPlainTextEdit):
    """Underlines findings; ``findings_changed`` carries the current list of findings."""

    findings_changed = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.findings: list[Finding] = []
        self.textChanged.connect(self._check)

    def _check(self) -> None:
        findings = find_pii(self.toPlainText())
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
