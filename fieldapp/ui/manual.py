"""Hjälp → Handbok: a short manual inside the app, offline. The text is Markdown kept in
``fieldapp/help/manual_<language>.md`` (package data, also in the installer bundle), one
file per UI language; the dialog shows the one of the current language in a QTextBrowser."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

import fieldapp
from fieldapp.i18n import _, current_language

FALLBACK_LANGUAGE = "en"


def manual_dir() -> Path:
    """Where the manual files are: ``help/`` in the package (in a checkout, a wheel and the
    PyInstaller bundle alike)."""
    return Path(fieldapp.__file__).resolve().parent / "help"


def manual_path(language: str | None = None) -> Path:
    """The manual of ``language`` (default: the UI's), English when there is none."""
    path = manual_dir() / f"manual_{language or current_language()}.md"
    return path if path.is_file() else manual_dir() / f"manual_{FALLBACK_LANGUAGE}.md"


def manual_text(language: str | None = None) -> str:
    return manual_path(language).read_text(encoding="utf-8")


class ManualDialog(QDialog):
    """The manual in the UI language, read-only; links never leave the app."""

    def __init__(self, parent=None, language: str | None = None):
        super().__init__(parent)
        self.setObjectName("manualDialog")
        self.setWindowTitle(_("Manual"))
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("manualText")
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.setMarkdown(manual_text(language))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(680, 600)  # fits a 1366x768 screen with the window's frame

    def headings(self) -> list[str]:
        """The section titles shown (for tests and screen readers' navigation)."""
        found = []
        block = self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0:
                found.append(block.text())
            block = block.next()
        return found


def show_manual(window) -> ManualDialog:
    """Open the manual (not blocking); ``window.last_dialog`` is it."""
    dialog = ManualDialog(window)
    dialog.open()
    window.last_dialog = dialog
    return dialog


__all__ = ["ManualDialog", "manual_dir", "manual_path", "manual_text", "show_manual"]
