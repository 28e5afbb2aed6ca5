"""What the import guide's pages share (:mod:`fieldapp.ui.dialogs.import_wizard`): the page
base class, the page's error line and a copy of a mapping."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWizardPage

from fieldapp.imports.mapping import Mapping, from_json
from fieldapp.ui.widgets.forms import error_colour


def copy_mapping(mapping: Mapping) -> Mapping:
    """A deep copy (the core's proposal fills the mapping it is given)."""
    return from_json(mapping.to_json())


class ErrorLabel(QLabel):
    """A page's message for what went wrong (a file that cannot be read, …); hidden if none."""

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def say(self, text: str) -> None:
        palette = self.palette()
        palette.setColor(self.foregroundRole(), error_colour(self))
        self.setPalette(palette)
        self.setText(text)
        self.setVisible(bool(text))


class ImportPage(QWizardPage):
    """A page of the guide: reaches the wizard's state and runs jobs through it."""

    def guide(self):
        """The :class:`~fieldapp.ui.dialogs.import_wizard.ImportWizard` (its state, its
        ``run_job``)."""
        return self.wizard()
