"""Möten → "Lägesbild…": the lägesbild PDF for the next utsättningsmöte, the same file as
``fieldapp report --lagesbild [--week W] [--weeks N] [--recipient R]`` (one writer,
:func:`fieldapp.reports.lagesbild_pdf.export_lagesbild`, which also logs it: a disclosure
when a partner receives it, else an export).

The dialog asks for the last week (default: the last complete week, as the command line),
the number of weeks (default 2), who receives it (empty: the team's own use) and where to
save it; the folder is remembered. The PDF is written on the IO lane, so saves go on."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import _
from fieldapp.reports.export import ReportError, check_writable
from fieldapp.reports.lagesbild import DEFAULT_WEEKS
from fieldapp.reports.summary import Scope
from fieldapp.ui import APPLICATION, ORGANIZATION
from fieldapp.ui.tasks import IO
from fieldapp.ui.widgets.file_dialogs import (folder_key, open_saved_file, remember_folder,
                                               start_folder)

FOLDER_KEY = folder_key("lagesbild")
WEEKS_OFFERED = 12  # the last weeks the "up to" choice offers


def _settings(parent: QWidget | None) -> QSettings:
    """The window's settings (where it keeps its size and page), else the app's."""
    settings = getattr(parent.window(), "settings", None) if parent is not None else None
    return settings if isinstance(settings, QSettings) else QSettings(ORGANIZATION, APPLICATION)


def default_name(week: IsoWeek) -> str:
    return f"lagesbild-{week}.pdf"  # as the command line names it


class LagesbildDialog(QDialog):
    """The choices, then Save writes the PDF (``written`` holds its path when done)."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.written: Path | None = None
        self.settings = _settings(parent)
        self._busy = False
        self.setObjectName("lagesbildDialog")
        self.setWindowTitle(_("Lägesbild for the next meeting"))
        now = ctx.clock()
        current, last_complete = IsoWeek.of(now), IsoWeek.last_complete(now)
        self.week = QComboBox()
        self.week.setObjectName("lagesbildWeek")
        for n in range(WEEKS_OFFERED + 1):
            week = current.previous(n)
            label = f"{week.label()} ({week.title_range()})"
            if week == current:
                label += " \u2013 " + _("in progress")
            self.week.addItem(label, str(week))
        self.week.setCurrentIndex(self.week.findData(str(last_complete)))
        self.weeks = QSpinBox()
        self.weeks.setObjectName("lagesbildWeeks")
        self.weeks.setRange(1, 52)
        self.weeks.setValue(DEFAULT_WEEKS)
        self.recipient = QLineEdit()
        self.recipient.setObjectName("lagesbildRecipient")
        self.recipient.setMaxLength(200)
        self.recipient.setPlaceholderText(_("for example LPO Skärholmen; empty for the team"))
        self.path = QLineEdit()
        self.path.setObjectName("lagesbildPath")
        self.browse = QPushButton(_("Choose…"))
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(self.browse)
        self.open_after = QCheckBox(_("Open the file afterwards"))
        self.open_after.setChecked(True)
        self.note = QLabel(_("Summaries only: counts, places and times, no names or free text. "
                             "Given to a partner, it is logged as a disclosure with the "
                             "recipient."))
        self.note.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("lagesbildError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()

        form = QFormLayout()
        form.addRow(_("Up to &week"), self.week)
        form.addRow(_("&Number of weeks"), self.weeks)
        form.addRow(_("&Given to"), self.recipient)
        save_as = QLabel(_("&Save as"))
        save_as.setBuddy(self.path)
        form.addRow(save_as, where)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.open_after)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self.write)
        self.buttons.rejected.connect(self.reject)
        self.browse.clicked.connect(self.choose_path)
        self.week.currentIndexChanged.connect(lambda _index: self._suggest_name())
        folder = start_folder("lagesbild", self.settings)
        self.path.setText(str(folder / default_name(self.selected_week())))
        self.setMinimumWidth(640)

    def selected_week(self) -> IsoWeek:
        return IsoWeek.parse(self.week.currentData())

    def _suggest_name(self) -> None:
        """A new week renames a suggested file (the folder stays)."""
        current = Path(self.path.text().strip() or ".")
        if current.name.startswith("lagesbild-"):
            self.path.setText(str(current.with_name(default_name(self.selected_week()))))

    def choose_path(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _("Save the lägesbild"), self.path.text(), _("PDF document (*.pdf)"))
        if chosen:
            self.path.setText(chosen)

    def target(self) -> Path:
        text = self.path.text().strip()
        if not text:
            raise ReportError(_("Give the file to save the lägesbild in."))
        path = Path(text).expanduser()
        return path if path.suffix else path.with_suffix(".pdf")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def write(self) -> None:
        """Check the choices, then write the PDF on the IO lane."""
        from fieldapp.reports.lagesbild_pdf import export_lagesbild
        from fieldapp.reports.redacted import check_recipient

        if self._busy:
            return
        try:
            target = self.target()
            check_writable(target)
            typed = self.recipient.text()
            recipient = check_recipient(typed) if typed.strip() else None
        except ReportError as exc:
            self.show_error(str(exc))
            return
        week, weeks, database = self.selected_week(), self.weeks.value(), self.ctx.database

        def job(_progress):
            export_lagesbild(database, week, Scope.TEAM, target, weeks=weeks,
                             recipient=recipient)
            return target

        self._set_busy(True)
        self.show_error("")
        self.ctx.tasks.run(job, self._written, self._failed, lane=IO, owner=self)

    def _written(self, path: Path) -> None:
        self._set_busy(False)
        self.written = path
        remember_folder("lagesbild", path, self.settings)
        self.accept()
        if self.open_after.isChecked():
            open_saved_file(self.parentWidget(), path)  # says where it is when nothing opens it

    def _failed(self, exc: BaseException, _trace: str) -> None:
        self._set_busy(False)
        self.show_error(_("The lägesbild could not be written: {error}").format(error=exc))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.save_button.setText(_("Writing…") if busy else _("Save"))


def open_lagesbild(view) -> LagesbildDialog:
    """The Möten page's button: the dialog; when written, the page says where."""
    dialog = LagesbildDialog(view.ctx, view)

    def finished(_result: int) -> None:
        if dialog.written is not None:
            view.show_message(_("Lägesbild saved: {path}").format(path=dialog.written))

    dialog.finished.connect(finished)
    dialog.open()
    return dialog


__all__ = ["FOLDER_KEY", "LagesbildDialog", "default_name", "open_lagesbild"]
