"""The guide's last two pages: the preview (the core's own dry run: what would be written,
every refused row with its sheet, row and reason, the records past the retention limit, the
refused rows as CSV) and the apply (one transaction on the database lane), which also keeps
the mapping as a named profile."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWizard)

from fieldapp.i18n import _
from fieldapp.imports import mapping as mappings
from fieldapp.imports import service
from fieldapp.imports.apply import write_refused
from fieldapp.ui.dialogs.import_parts import ErrorLabel, ImportPage
from fieldapp.ui.tasks import IO

CHANGED_KINDS = ("shift", "observation", "meeting")


def counts_text(outcome) -> str:
    return _("Rows that become shifts: {shifts}; observations: {observations}; meetings: "
             "{meetings}; refused: {refused}.").format(
        shifts=outcome.planned("shift"), observations=outcome.planned("observation"),
        meetings=outcome.planned("meeting"), refused=len(outcome.refused))


def changes_text(outcome) -> str:
    return _("New: {new}; changed: {changed}; unchanged: {same}.").format(
        new=sum(outcome.created.values()), changed=sum(outcome.updated.values()),
        same=sum(outcome.unchanged.values()))


class PreviewPage(ImportPage):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(_("Preview: nothing is written yet"))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, _("&Import"))
        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.refused = QTableWidget(0, 3)
        self.refused.setObjectName("importRefused")
        self.refused.setHorizontalHeaderLabels([_("Sheet"), _("Row"), _("Why it cannot be read")])
        self.refused.verticalHeader().hide()
        self.refused.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.refused.setWordWrap(True)
        header = self.refused.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.export = QPushButton(_("&Save the refused rows as CSV…"))
        self.export.setObjectName("importExportRefused")
        self.export.setAutoDefault(False)
        self.export.clicked.connect(self.choose_export)
        self.exported = QLabel()
        self.exported.setObjectName("importExported")
        self.exported.setWordWrap(True)
        export_row = QHBoxLayout()
        export_row.addWidget(self.export)
        export_row.addWidget(self.exported, 1)
        self.retention = QLabel()
        self.retention.setObjectName("importRetention")
        self.retention.setWordWrap(True)
        self.accept_purge = QCheckBox(_("Import them anyway"))
        self.accept_purge.setObjectName("importAcceptPurge")
        self.accept_purge.toggled.connect(self.completeChanged)
        self.questions = ErrorLabel("importQuestions")
        self.profile = QLineEdit()
        self.profile.setObjectName("importProfileName")
        self.profile.setPlaceholderText(_("optional, e.g. Team syd's logs"))
        self.errors = ErrorLabel("importPreviewError")
        form = QFormLayout()
        form.addRow(_("Save the mapping as &profile"), self.profile)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.refused, 1)
        layout.addLayout(export_row)
        layout.addWidget(self.retention)
        layout.addWidget(self.accept_purge)
        layout.addWidget(self.questions)
        layout.addLayout(form)
        layout.addWidget(self.errors)
        self.dialog: QFileDialog | None = None

    def initializePage(self) -> None:  # noqa: N802 - QWizardPage override
        guide = self.guide()
        guide.preview = None
        self.summary.setText(_("Reading the rows…"))
        self.refused.setRowCount(0)
        self.exported.setText("")
        self.accept_purge.setChecked(False)
        self.profile.setText(guide.profile_name)
        database, proposal = guide.ctx.database, guide.proposal

        def job(_progress):
            return service.run(database, proposal, apply=False, now=guide.ctx.clock())

        guide.run_job(job, self._show, self.errors)

    def _show(self, result) -> None:
        guide = self.guide()
        guide.preview = result
        _plan, outcome = result
        lines = [counts_text(outcome), changes_text(outcome)]
        lines += [_("Sheet \"{sheet}\" skipped: no header row with known column names.")
                  .format(sheet=name) for name in outcome.skipped_sheets]
        self.summary.setText("\n".join(lines))
        self.refused.setRowCount(len(outcome.refused))
        for row, refused in enumerate(outcome.refused):
            for column, text in enumerate((refused.sheet, str(refused.row), refused.reason)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.refused.setItem(row, column, item)
        self.refused.resizeRowsToContents()
        self.export.setEnabled(bool(outcome.refused))
        past = sum(outcome.past_retention.values())
        self.retention.setText(_(
            "{count} of the records are older than the retention limit ({months} months) and "
            "will be deleted by the next retention run once the team hub has them.").format(
            count=past, months=outcome.retention_months) if past else "")
        self.retention.setVisible(bool(past))
        self.accept_purge.setVisible(bool(past))
        questions = guide.proposal.questions
        self.questions.say(_("To confirm before importing:") + "\n" + "\n".join(questions)
                           if questions else "")
        self.completeChanged.emit()

    def past_retention(self) -> int:
        preview = self.guide().preview
        return sum(preview[1].past_retention.values()) if preview else 0

    def isComplete(self) -> bool:  # noqa: N802 - QWizardPage override
        guide = self.guide()
        if guide is None or guide.preview is None or guide.proposal.questions:
            return False
        return not self.past_retention() or self.accept_purge.isChecked()

    def validatePage(self) -> bool:  # noqa: N802 - QWizardPage override
        self.guide().profile_name = self.profile.text().strip()
        return True

    # -- the refused rows as CSV ---------------------------------------------------------------
    def choose_export(self) -> QFileDialog:
        guide = self.guide()
        suggested = Path(guide.folder()) / _("{name} refused rows.csv").format(
            name=guide.source.path.stem)
        self.dialog = QFileDialog(self, _("Save the refused rows"), str(suggested),
                                  _("CSV files (*.csv)"))
        self.dialog.setObjectName("importExportDialog")
        self.dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.dialog.setDefaultSuffix("csv")
        self.dialog.fileSelected.connect(self.export_to)
        self.dialog.open()
        return self.dialog

    def export_to(self, path: str | Path) -> None:
        """Write the refused rows (their columns, sheet, row and reason) to ``path``; fix them
        there and import that file with the same profile."""
        plan, outcome = self.guide().preview
        path = Path(path)

        def done(_result) -> None:
            self.exported.setText(_("{count} refused rows written to {path}.").format(
                count=len(outcome.refused), path=path))

        self.guide().run_job(lambda _progress: write_refused(path, plan.headers, outcome.refused),
                             done, self.errors, lane=IO)


class ResultPage(ImportPage):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(_("Import"))
        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.result = QLabel()
        self.result.setObjectName("importResult")
        self.result.setWordWrap(True)
        self.errors = ErrorLabel("importApplyError")
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        layout.addWidget(self.errors)
        layout.addStretch(1)
        self.finished = False

    def initializePage(self) -> None:  # noqa: N802 - QWizardPage override
        """Apply the mapping in one transaction; then keep it as the named profile."""
        guide = self.guide()
        guide.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.finished = False
        self.progress.setRange(0, 0)  # the core reports no steps: a busy bar
        self.result.setText(_("Importing in one transaction…"))
        database, proposal, name = guide.ctx.database, guide.proposal, guide.profile_name

        def job(_progress):
            _plan, outcome = service.run(database, proposal, apply=True, now=guide.ctx.clock())
            if name:
                with database.session() as session:
                    mappings.save_profile(session, name, proposal.mapping)
            return outcome

        def done(outcome) -> None:
            guide.outcome = outcome
            for kind in CHANGED_KINDS:
                guide.ctx.events.changed.emit(kind)
            new, changed = sum(outcome.created.values()), sum(outcome.updated.values())
            if new or changed:
                text = _("Imported: {new} new, {changed} changed, {same} unchanged records.").format(
                    new=new, changed=changed, same=sum(outcome.unchanged.values()))
            else:
                text = _("Nothing new was added: all {count} records from this file are "
                         "already here.").format(count=sum(outcome.unchanged.values()))
            if outcome.refused:
                text += "\n" + _("{count} rows were refused and not imported.").format(
                    count=len(outcome.refused))
            if name:
                text += "\n" + _("The mapping is saved as the profile \"{name}\".").format(name=name)
            self._end(text)

        guide.run_job(job, done, self.errors,
                      after_failure=lambda: self._end(_("Nothing was imported.")))

    def _end(self, text: str) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.result.setText(text)
        self.finished = True
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - QWizardPage override
        return self.finished
