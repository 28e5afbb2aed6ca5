"""Rapporter: pick a week and a scope, see the key figures, export the weekly log as PDF,
XLSX or CSV. The figures come from the same WeekSummary as the files; summarising and
exporting run on the task runner, never on the UI thread."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import _, format_date, format_number
from fieldapp.reports.export import default_filename, export_week
from fieldapp.reports.summary import Scope, WeekSummary, build_week_summary
from fieldapp.reports.tables import key_figures
from fieldapp.ui.context import AppContext
from fieldapp.ui.tasks import DB, IO

WEEKS_SHOWN = 104
EXPORT_FORMATS = (("pdf", "PDF"), ("xlsx", "XLSX"), ("csv", "CSV"))


class ReportsView(QWidget):
    """The Rapporter page. ``export(fmt, path)`` is also what the buttons call."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.summary: WeekSummary | None = None
        self.last_export: Path | None = None
        self._busy = False

        self.week_combo = QComboBox()
        self.week_combo.setAccessibleName(_("Week"))
        self.scope_combo = QComboBox()
        self.scope_combo.setAccessibleName(_("Scope"))
        for scope in (Scope.TEAM, Scope.DEVICE):
            self.scope_combo.addItem(scope.label, scope.value)
        self._fill_weeks()

        choose = QFormLayout()
        choose.addRow(_("Week"), self.week_combo)
        choose.addRow(_("Scope"), self.scope_combo)

        self.figures_box = QGroupBox(_("Key figures"))
        self.figures_grid = QGridLayout(self.figures_box)
        self.figure_labels: dict[str, QLabel] = {}
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.rising_label = QLabel()
        self.rising_label.setObjectName("risingPlaces")
        self.rising_label.setWordWrap(True)
        self.rising_label.setTextFormat(Qt.TextFormat.RichText)
        self.rising_label.linkActivated.connect(self.open_place)

        self.export_buttons: dict[str, QPushButton] = {}
        buttons = QHBoxLayout()
        for fmt, name in EXPORT_FORMATS:
            button = QPushButton(_("Export {format}…").format(format=name))
            button.clicked.connect(lambda _checked=False, f=fmt: self.export(f))
            self.export_buttons[fmt] = button
            buttons.addWidget(button)
        self.redacted_button = QPushButton(_("Extract for a partner…"))
        self.redacted_button.setObjectName("redactedExport")
        self.redacted_button.setToolTip(_("Places, times and categories only, for the police or "
                                          "another partner: no counts of young people and no "
                                          "text. The disclosure is logged with its recipient."))
        self.redacted_button.clicked.connect(lambda _checked=False: self.export_redacted())
        buttons.addWidget(self.redacted_button)
        buttons.addStretch(1)
        self.open_after = QCheckBox(_("Open the file afterwards"))
        self.open_after.setChecked(True)
        buttons.addWidget(self.open_after)

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        title = QLabel(_("Weekly log"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(title)
        layout.addLayout(choose)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.figures_box)
        layout.addWidget(self.rising_label)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.week_combo.currentIndexChanged.connect(lambda _index: self.refresh())
        self.scope_combo.currentIndexChanged.connect(lambda _index: self.refresh())
        self.ctx.events.changed.connect(lambda _kind: self.refresh())
        self.refresh()

    # -- choices ------------------------------------------------------------------------------
    def _fill_weeks(self) -> None:
        now = self.ctx.clock()
        current = IsoWeek.of(now)
        last_complete = IsoWeek.last_complete(now)
        self.week_combo.blockSignals(True)
        self.week_combo.clear()
        for n in range(WEEKS_SHOWN + 1):
            week = current.previous(n)
            text = f"{week.label()} ({date_range_of(week)})"
            if week == current:
                text += " \u2013 " + _("in progress")
            self.week_combo.addItem(text, str(week))
        self.week_combo.setCurrentIndex(self.week_combo.findData(str(last_complete)))
        self.week_combo.blockSignals(False)

    def selected_week(self) -> IsoWeek:
        return IsoWeek.parse(self.week_combo.currentData())

    def set_week(self, week: IsoWeek) -> None:
        index = self.week_combo.findData(str(week))
        if index < 0:
            self.week_combo.addItem(f"{week.label()} ({date_range_of(week)})", str(week))
            index = self.week_combo.count() - 1
        self.week_combo.setCurrentIndex(index)

    def selected_scope(self) -> Scope:
        return Scope(self.scope_combo.currentData())

    def set_scope(self, scope: Scope | str) -> None:
        self.scope_combo.setCurrentIndex(self.scope_combo.findData(Scope(scope).value))

    # -- figures on screen ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Summarise the chosen week again (on a choice or a change of the records). Until
        the new summary arrives the one shown is stale: an export then reads the week."""
        week, scope = self.selected_week(), self.selected_scope()
        ctx = self.ctx
        self.summary = None

        def job(_progress) -> WeekSummary:
            with ctx.database.session() as session:
                return build_week_summary(session, week, scope, ctx.device_id,
                                          generated_at=ctx.clock())

        self.ctx.tasks.run(job, self._show_summary, self._refresh_failed, lane=DB)

    def _show_summary(self, summary: WeekSummary) -> None:
        if (summary.week, summary.scope) != (self.selected_week(), self.selected_scope()):
            return  # the choice changed while it was being summarised
        self.summary = summary
        while self.figures_grid.count():
            item = self.figures_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.figure_labels.clear()
        figures = [f for f in key_figures(summary)
                   if not (f.key.startswith("shifts.") and f.value == 0)]
        per_column = (len(figures) + 1) // 2
        for index, figure in enumerate(figures):
            row, col = index % per_column, (index // per_column) * 2
            name = QLabel(figure.label)
            value = QLabel(format_number(figure.value))
            value.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            value.setSizePolicy(QSizePolicy.Minimum, QSizePolicy.Preferred)
            value.setObjectName(f"figure-{figure.key}")
            self.figures_grid.addWidget(name, row, col)
            self.figures_grid.addWidget(value, row, col + 1)
            self.figure_labels[figure.key] = value
        self.figures_grid.setColumnMinimumWidth(2, 160)
        self.empty_label.setText(
            _("Nothing was logged this week: no shifts, observations or meetings in {scope}.")
            .format(scope=summary.scope.short_label) if summary.is_empty else "")
        self.empty_label.setVisible(summary.is_empty)
        # Each rising place is a link to its page (fieldapp.ui.views.place_navigation).
        rising = [_("{place} ({recent} in 2 weeks, {expected} expected)").format(
            place=f'<a href="{t.place_id}">{html.escape(t.name)}</a>', recent=t.recent,
            expected=format_number(round(t.expected, 1)))
            for t in summary.trend.rows[:3]]
        self.rising_label.setText(
            _("Rising places: {places}").format(places="; ".join(rising)) if rising else "")

    def open_place(self, place_id: str):
        """A rising place's page (its link in the key figures)."""
        from fieldapp.ui.views.place_navigation import open_place

        return open_place(self, place_id, self.ctx)

    def _refresh_failed(self, error: BaseException, _trace: str) -> None:
        self.status.setText(_("The figures could not be read: {error}").format(error=error))

    # -- export ---------------------------------------------------------------------------------
    def _ask_path(self, fmt: str) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation) or str(Path.home())
        suggestion = str(Path(folder) / default_filename(self.selected_week(), fmt))
        filters = {"pdf": _("PDF document (*.pdf)"), "xlsx": _("Excel workbook (*.xlsx)"),
                   "csv": _("CSV file (*.csv)")}
        chosen, _filter = QFileDialog.getSaveFileName(self, _("Save the weekly log"), suggestion,
                                                      filters[fmt])
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix else path.with_suffix(f".{fmt}")

    def current_summary(self) -> WeekSummary | None:
        """The summary on screen, if it is the chosen week and scope and still current."""
        summary = self.summary
        if summary is None or (summary.week, summary.scope) != (self.selected_week(),
                                                                self.selected_scope()):
            return None
        return summary

    def export(self, fmt: str, path: Path | str | None = None) -> None:
        """Export the chosen week as ``fmt`` to ``path`` (asks for a file when None). The
        file is written from the summary on screen (read again only when there is none);
        on the IO lane, so the user's saves go on while it renders and writes."""
        if self._busy:
            return
        target = Path(path) if path is not None else self._ask_path(fmt)
        if target is None:
            return
        week, scope, ctx = self.selected_week(), self.selected_scope(), self.ctx
        summary = self.current_summary()

        def job(progress):
            export_week(ctx.database, week, scope, fmt, target, device_id=ctx.device_id,
                        progress=progress, summary=summary)
            return target

        self._set_busy(True)
        self.progress.setValue(0)
        self.status.setText(_("Exporting {week}…").format(week=week.label()))
        self.ctx.tasks.run(job, self._exported, self._export_failed, self._progressed, lane=IO,
                           owner=self)

    def ask_recipient(self) -> str | None:
        text, ok = QInputDialog.getText(
            self, _("Extract for a partner"),
            _("Who receives the extract? (for example LPO Skärholmen) Every disclosure is "
              "logged with its recipient."))
        text = " ".join(text.split()) if ok else ""
        return text or None

    def export_redacted(self, recipient: str | None = None, path: Path | str | None = None) -> None:
        """The redacted extract of the chosen week as PDF for ``recipient`` (asked for when
        None), logged as a disclosure."""
        from fieldapp.reports.redacted import default_redacted_filename, export_redacted

        if self._busy:
            return
        recipient = recipient or self.ask_recipient()
        if not recipient:
            return
        week, scope, ctx = self.selected_week(), self.selected_scope(), self.ctx
        if path is None:
            folder = (QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
                      or str(Path.home()))
            chosen, _filter = QFileDialog.getSaveFileName(
                self, _("Save the extract"),
                str(Path(folder) / default_redacted_filename(week, "pdf")),
                _("PDF document (*.pdf)"))
            if not chosen:
                return
            path = chosen
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".pdf")

        def job(progress):
            export_redacted(ctx.database, week, scope, "pdf", target, recipient,
                            device_id=ctx.device_id, progress=progress)
            return target

        self._set_busy(True)
        self.progress.setValue(0)
        self.status.setText(_("Exporting {week}…").format(week=week.label()))
        self.ctx.tasks.run(job, self._exported, self._export_failed, self._progressed, lane=IO,
                           owner=self)

    def _progressed(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if message:
            self.progress.setFormat(f"{message} (%p %)")

    def _exported(self, path: Path) -> None:
        self._set_busy(False)
        self.last_export = path
        self.status.setText(_("Saved: {path}").format(path=path))
        if self.open_after.isChecked():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _export_failed(self, error: BaseException, _trace: str) -> None:
        self._set_busy(False)
        self.status.setText(_("The export failed: {error}").format(error=error))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        for button in (*self.export_buttons.values(), self.redacted_button):
            button.setEnabled(not busy)
        self.week_combo.setEnabled(not busy)
        self.scope_combo.setEnabled(not busy)


def date_range_of(week: IsoWeek) -> str:
    monday, sunday = week.monday(), week.sunday()
    if monday.year != sunday.year:
        return f"{format_date(monday, 'd MMM y')}\u2013{format_date(sunday, 'd MMM y')}"
    return week.title_range()
