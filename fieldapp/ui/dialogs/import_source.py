"""The guide's first page: the old log file (XLSX or CSV), which of its sheets, and a saved
profile (a mapping confirmed at an earlier import) to start from."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from fieldapp.i18n import _
from fieldapp.imports import mapping as mappings
from fieldapp.imports.guess import header_score
from fieldapp.imports.readers import read_file
from fieldapp.ui.dialogs.import_parts import ErrorLabel, ImportPage
from fieldapp.ui.tasks import IO

FILE_FILTER = "*.xlsx *.xlsm *.csv *.txt"
ENCODINGS = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}


class SourcePage(ImportPage):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(_("Choose the old log"))
        self.setSubTitle(_("An Excel file (.xlsx) or a CSV file. Nothing is written until the "
                           "last step."))
        self.path = QLineEdit()
        self.path.setObjectName("importPath")
        self.path.setPlaceholderText(_("The file's path, or choose it"))
        self.path.editingFinished.connect(self._path_entered)
        self.browse = QPushButton(_("&Choose file…"))
        self.browse.setObjectName("importBrowse")
        self.browse.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        path_row = QWidget()
        path_row.setLayout(row)
        self.about = QLabel()
        self.about.setObjectName("importFileAbout")
        self.about.setWordWrap(True)
        self.sheets = QListWidget()
        self.sheets.setObjectName("importSheets")
        self.sheets.setMaximumHeight(180)
        self.sheets.itemChanged.connect(lambda _item: self.completeChanged.emit())
        self.profile = QComboBox()
        self.profile.setObjectName("importProfile")
        self.profile.currentIndexChanged.connect(self._profile_chosen)
        self.errors = ErrorLabel("importSourceError")

        form = QFormLayout()
        form.addRow(_("Log &file"), path_row)
        form.addRow("", self.about)
        form.addRow(_("&Sheets"), self.sheets)
        form.addRow(_("Saved &profile"), self.profile)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors)
        layout.addStretch(1)
        self._read_path: Path | None = None
        self.dialog: QFileDialog | None = None

    # -- profiles ------------------------------------------------------------------------------
    def initializePage(self) -> None:  # noqa: N802 - QWizardPage override
        database = self.guide().ctx.database

        def job(_progress):
            with database.session() as session:
                return mappings.profile_names(session)

        def done(names: list[str]) -> None:
            self.profile.blockSignals(True)
            self.profile.clear()
            self.profile.addItem(_("None: propose a new mapping"), None)
            for name in names:
                self.profile.addItem(name, name)
            self.profile.blockSignals(False)
            self.profile.setEnabled(bool(names))

        self.guide().run_job(job, done, self.errors)
        self.path.setFocus(Qt.FocusReason.OtherFocusReason)

    def _profile_chosen(self, _index: int) -> None:
        name = self.profile.currentData()
        guide = self.guide()
        if not name:
            guide.profile, guide.profile_name = None, ""
            return
        database = guide.ctx.database

        def job(_progress):
            with database.session() as session:
                return mappings.load_profile(session, name)

        def done(mapping) -> None:
            guide.profile, guide.profile_name = mapping, name
            self._check_sheets(mapping.sheets)

        guide.run_job(job, done, self.errors)

    # -- the file ------------------------------------------------------------------------------
    def choose_file(self) -> QFileDialog:
        """The file chooser, opened in the folder of the last import (not blocking)."""
        self.dialog = QFileDialog(self, _("Choose the old log"), self.guide().folder(),
                                  _("Logs ({patterns})").format(patterns=FILE_FILTER))
        self.dialog.setObjectName("importFileDialog")
        self.dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        self.dialog.fileSelected.connect(self.read)
        self.dialog.open()
        return self.dialog

    def _path_entered(self) -> None:
        text = self.path.text().strip()
        if text and Path(text) != self._read_path:
            self.read(text)

    def read(self, path: str | Path) -> None:
        """Read the file (on the IO lane) and list its sheets; a file that cannot be read
        is said on the page."""
        guide = self.guide()
        path = Path(path)
        self.path.setText(str(path))
        guide.source, self._read_path = None, path
        self.sheets.clear()
        self.about.setText(_("Reading the file…"))
        self.completeChanged.emit()

        def done(source) -> None:
            if Path(self.path.text().strip()) != path:
                return  # another file was chosen meanwhile
            guide.source = source
            guide.remember_folder(path)
            self.sheets.blockSignals(True)
            for sheet in source.sheets:
                item = QListWidgetItem(sheet.name, self.sheets)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
            self.sheets.blockSignals(False)
            if source.kind == "csv":
                self.about.setText(_("A CSV file ({encoding}, separated by \"{delimiter}\").")
                                   .format(encoding=ENCODINGS.get(source.encoding, source.encoding),
                                           delimiter=source.delimiter))
            else:
                self.about.setText(_("An Excel file with {count} sheets; uncheck those not to "
                                     "import.").format(count=len(source.sheets)))
            if guide.profile is not None:
                self._check_sheets(guide.profile.sheets)
            self.completeChanged.emit()

        def job(_progress):
            return read_file(path, header_score)

        def failed() -> None:
            self.about.setText(_("Check that it is the right file. An old .xls file must first "
                                 "be saved as .xlsx or CSV in Excel."))

        guide.run_job(job, done, self.errors, lane=IO, after_failure=failed)

    def _check_sheets(self, names: list[str] | None) -> None:
        """Check the sheets a profile names (all when it names none that the file has)."""
        items = [self.sheets.item(i) for i in range(self.sheets.count())]
        wanted = set(names or ()) & {item.text() for item in items}
        for item in items:
            on = not wanted or item.text() in wanted
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def chosen_sheets(self) -> list[str] | None:
        """The checked sheets, or None for all of them."""
        items = [self.sheets.item(i) for i in range(self.sheets.count())]
        checked = [item.text() for item in items if item.checkState() == Qt.CheckState.Checked]
        return None if len(checked) == len(items) else checked

    def isComplete(self) -> bool:  # noqa: N802 - QWizardPage override
        guide = self.guide()
        if guide is None or guide.source is None:
            return False
        return self.chosen_sheets() is None or bool(self.chosen_sheets())

    def validatePage(self) -> bool:  # noqa: N802 - QWizardPage override
        self.guide().sheets = self.chosen_sheets()
        return True
