"""Arkiv → Importera gamla loggar…: the guide that brings an old Excel or CSV log in.

The pages, each in its own module, only show and edit what the import core
(:mod:`fieldapp.imports`) proposes, previews and applies:

1. :mod:`~fieldapp.ui.dialogs.import_source`: the file (its folder remembered), its sheets, a
   saved profile;
2. :mod:`~fieldapp.ui.dialogs.import_mapping`: which column is what;
3. the same module: which old name is which place, category, partner or kind (an uncertain
   match is highlighted and must be confirmed; a place may be added);
4. :mod:`~fieldapp.ui.dialogs.import_rules`: how "ca 15", "10-15", "många" are read, and the
   defaults;
5. :mod:`~fieldapp.ui.dialogs.import_preview`: what would be written, every refused row, the
   records past the retention limit (asked), the refused rows as CSV;
6. the same module: the apply, in one transaction on the database lane, and the profile.

Every slow step runs on the task runner; the wizard holds the state between the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QWizard

from fieldapp.i18n import _
from fieldapp.imports.mapping import Mapping, MappingError
from fieldapp.imports.readers import ImportFileError, SourceFile
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.import_mapping import ColumnsPage, NamesPage
from fieldapp.ui.dialogs.import_parts import ErrorLabel
from fieldapp.ui.dialogs.import_preview import PreviewPage, ResultPage
from fieldapp.ui.dialogs.import_rules import RulesPage
from fieldapp.ui.dialogs.import_source import SourcePage
from fieldapp.ui.widgets.file_dialogs import folder_key, remember_folder, start_folder
from fieldapp.ui.tasks import DB
from fieldapp.ui.widgets.messages import show_unexpected_error

FOLDER_KEY = folder_key("import")
WIZARD_SIZE = (960, 640)  # fits a 1366x768 screen with the window's frame and task bar


class ImportWizard(QWizard):
    SOURCE, COLUMNS, NAMES, RULES, PREVIEW, RESULT = range(6)

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.settings = settings if settings is not None else QSettings()
        self.setObjectName("importWizard")
        self.setWindowTitle(_("Import old logs"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.BackButton, _("< &Back"))
        self.setButtonText(QWizard.WizardButton.NextButton, _("&Next >"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Cancel"))
        self.setButtonText(QWizard.WizardButton.FinishButton, _("&Close"))
        self.resize(*WIZARD_SIZE)
        # The state the pages share.
        self.source: SourceFile | None = None
        self.profile: Mapping | None = None  # the chosen saved profile, if any
        self.profile_name = ""
        self.sheets: list[str] | None = None  # the chosen sheets (None: all)
        self.proposal = None  # fieldapp.imports.service.Proposal
        self.vocabulary = None  # fieldapp.imports.matching.Vocabulary
        self.preview = None  # (Plan, Outcome) of the last preview
        self.outcome = None  # the applied Outcome
        self.pages = {}
        for page_id, page in ((self.SOURCE, SourcePage()), (self.COLUMNS, ColumnsPage()),
                              (self.NAMES, NamesPage()), (self.RULES, RulesPage()),
                              (self.PREVIEW, PreviewPage()), (self.RESULT, ResultPage())):
            self.setPage(page_id, page)
            self.pages[page_id] = page

    # -- the folder the file chooser opens in --------------------------------------------------
    def folder(self) -> str:
        return str(start_folder("import", self.settings))

    def remember_folder(self, path: Path) -> None:
        remember_folder("import", path, self.settings)

    # -- jobs ----------------------------------------------------------------------------------
    def run_job(self, job: Callable[[object], object], done: Callable[[object], None],
                errors: ErrorLabel, *, lane=DB,
                on_progress: Callable[[int, int, str], None] | None = None,
                after_failure: Callable[[], None] | None = None) -> None:
        """Run ``job(progress)`` on the task runner; a file or mapping that cannot be read is said in
        ``errors``, anything else in the calm message box."""
        errors.say("")

        def failed(exc: BaseException, trace: str) -> None:
            if isinstance(exc, (ImportFileError, MappingError)):
                errors.say(str(exc))
            else:
                errors.say(_("That did not work; nothing was imported."))
                show_unexpected_error(self, exc, trace)
            if after_failure is not None:
                after_failure()

        self.ctx.tasks.run(job, on_success=done, on_failure=failed, on_progress=on_progress,
                           lane=lane, owner=self)


def open_import_wizard(window) -> ImportWizard:
    """The slot of Arkiv → Importera gamla loggar…: opens the guide (or brings forward the
    one already open) and returns it."""
    for wizard in window.findChildren(ImportWizard):
        if wizard.isVisible():
            wizard.raise_()
            wizard.activateWindow()
            window.last_dialog = wizard
            return wizard
    wizard = ImportWizard(window.ctx, getattr(window, "settings", None), window)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.open()
    wizard.activateWindow()
    window.last_dialog = wizard
    return wizard
