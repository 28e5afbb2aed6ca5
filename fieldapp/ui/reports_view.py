"""Rapporter: pick a week or another period (month, tertial, year, dates:
:mod:`fieldapp.ui.period_chooser`) and a scope, see the key figures, export the weekly log
or the activity report as PDF, XLSX or CSV through the command line's own export
(:func:`fieldapp.reports.period_export.export_period`). The figures come from the same
summary as the files; summarising and exporting run on the task runner, never on the UI
thread; the folder of the last file saved is remembered."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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

from fieldapp.domain.periods import Period, PeriodKind
from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import _, format_number
from fieldapp.reports import period_tables, tables
from fieldapp.reports.period_data import PeriodSummary
from fieldapp.reports.period_export import default_period_filename, export_period
from fieldapp.reports.period_summary import build_period_summary
from fieldapp.reports.summary import Scope, WeekSummary, build_week_summary
from fieldapp.ui.context import AppContext
from fieldapp.ui.period_chooser import PeriodChooser, date_range_of
from fieldapp.ui.widgets.file_dialogs import ask_save_path, open_saved_file
from fieldapp.ui.tasks import DB, IO

EXPORT_FORMATS = (("pdf", "PDF"), ("xlsx", "XLSX"), ("csv", "CSV"))


class ReportsView(QWidget):
    """The Rapporter page. ``export(fmt, path)`` is also what the buttons call."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.summary: WeekSummary | PeriodSummary | None = None
        self.last_export: Path | None = None
        self._busy = False

        self.chooser = PeriodChooser(ctx.clock)
        self.week_combo = self.chooser.week_combo
        self.scope_combo = QComboBox()
        self.scope_combo.setAccessibleName(_("Scope"))
        for scope in (Scope.TEAM, Scope.DEVICE):
            self.scope_combo.addItem(scope.label, scope.value)

        choose = QFormLayout()
        choose.addRow(_("Report for"), self.chooser)
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
        self.title = QLabel(_("Weekly log"))
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(self.title)
        layout.addLayout(choose)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.figures_box)
        layout.addWidget(self.rising_label)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.chooser.changed.connect(self.refresh)
        self.scope_combo.currentIndexChanged.connect(lambda _index: self.refresh())
        self.ctx.events.changed.connect(lambda _kind: self.refresh())
        self.refresh()

    # -- choices ------------------------------------------------------------------------------
    def selected_week(self) -> IsoWeek:
        return self.chooser.selected_week()

    def set_week(self, week: IsoWeek) -> None:
        self.chooser.set_period(Period.of_week(week))

    def selected_period(self) -> Period:
        """The chosen period (ValueError for a range the chooser cannot make one of)."""
        return self.chooser.period()

    def set_period(self, period: Period | str) -> None:
        self.chooser.set_period(Period.parse(period) if isinstance(period, str) else period)

    def selected_scope(self) -> Scope:
        return Scope(self.scope_combo.currentData())

    def set_scope(self, scope: Scope | str) -> None:
        self.scope_combo.setCurrentIndex(self.scope_combo.findData(Scope(scope).value))

    # -- figures on screen ---------------------------------------------------------------------
    def _chosen(self) -> tuple[Period, Scope] | None:
        try:
            return self.selected_period(), self.selected_scope()
        except ValueError:
            return None

    @staticmethod
    def _key_of(summary: WeekSummary | PeriodSummary) -> tuple[Period, Scope]:
        if isinstance(summary, PeriodSummary):
            return summary.period, summary.scope
        return Period.of_week(summary.week), summary.scope

    def refresh(self) -> None:
        """Summarise the chosen period again (on a choice or a change of the records). Until
        the new summary arrives the one shown is stale: an export then reads the period.
        A week is summarised on the DB lane (quick); a longer period on the IO lane in its
        own session, so a year's summary never holds up the user's saves."""
        ctx = self.ctx
        self.summary = None
        week = self.chooser.kind() is PeriodKind.WEEK
        self.title.setText(_("Weekly log") if week else _("Activity report"))
        self.redacted_button.setEnabled(week and not self._busy)
        try:
            period, scope = self.selected_period(), self.selected_scope()
        except ValueError as exc:
            self._clear_figures()
            self.status.setText(str(exc))
            return
        self.status.setText("")

        def job(_progress) -> WeekSummary | PeriodSummary:
            with ctx.database.session() as session:
                if period.kind is PeriodKind.WEEK:
                    return build_week_summary(session, period.week, scope, ctx.device_id,
                                              generated_at=ctx.clock())
                return build_period_summary(session, period, scope, ctx.device_id,
                                            generated_at=ctx.clock())

        self.ctx.tasks.run(job, self._show_summary, self._refresh_failed,
                           lane=DB if week else IO, owner=self)

    def _show_summary(self, summary: WeekSummary | PeriodSummary) -> None:
        if self._key_of(summary) != self._chosen():
            return  # the choice changed while it was being summarised
        self.summary = summary
        self._clear_figures()
        is_week = isinstance(summary, WeekSummary)
        figures = (tables if is_week else period_tables).key_figures(summary)
        figures = [f for f in figures if not (f.key.startswith("shifts.") and f.value == 0)]
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
        empty = (_("Nothing was logged this week: no shifts, observations or meetings in "
                   "{scope}.") if is_week else
                 _("Nothing was logged in this period: no shifts, observations or meetings in "
                   "{scope}."))
        self.empty_label.setText(
            empty.format(scope=summary.scope.short_label) if summary.is_empty else "")
        self.empty_label.setVisible(summary.is_empty)
        # Each rising place is a link to its page (fieldapp.ui.views.place_navigation).
        rising = [_("{place} ({recent} in 2 weeks, {expected} expected)").format(
            place=f'<a href="{t.place_id}">{html.escape(t.name)}</a>', recent=t.recent,
            expected=format_number(round(t.expected, 1)))
            for t in summary.trend.rows[:3]] if is_week else []
        self.rising_label.setText(
            _("Rising places: {places}").format(places="; ".join(rising)) if rising else "")

    def _clear_figures(self) -> None:
        while self.figures_grid.count():
            item = self.figures_grid.takeAt(0)
            if item.widget():
                item.widget().hide()  # gone from the screen now, deleted by the event loop
                item.widget().deleteLater()
        self.figure_labels.clear()
        self.empty_label.setVisible(False)
        self.rising_label.setText("")

    def open_place(self, place_id: str):
        """A rising place's page (its link in the key figures)."""
        from fieldapp.ui.views.place_navigation import open_place

        return open_place(self, place_id, self.ctx)

    def _refresh_failed(self, error: BaseException, _trace: str) -> None:
        self.status.setText(_("The figures could not be read: {error}").format(error=error))

    # -- export ---------------------------------------------------------------------------------
    def _ask_path(self, fmt: str, period: Period) -> Path | None:
        filters = {"pdf": _("PDF document (*.pdf)"), "xlsx": _("Excel workbook (*.xlsx)"),
                   "csv": _("CSV file (*.csv)")}
        path = ask_save_path(self, "report", _("Save the report"),
                             default_period_filename(period, fmt), filters[fmt])
        if path is None:
            return None
        return path if path.suffix else path.with_suffix(f".{fmt}")

    def current_summary(self) -> WeekSummary | PeriodSummary | None:
        """The summary on screen, if it is the chosen period and scope and still current."""
        summary = self.summary
        if summary is None or self._key_of(summary) != self._chosen():
            return None
        return summary

    def export(self, fmt: str, path: Path | str | None = None) -> None:
        """Export the chosen period as ``fmt`` to ``path`` (asks for a file when None): the
        weekly log for a week, else the activity report. The file is written from the
        summary on screen (read again only when there is none); on the IO lane, so the
        user's saves go on while it renders and writes."""
        if self._busy:
            return
        try:
            period = self.selected_period()
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        target = Path(path) if path is not None else self._ask_path(fmt, period)
        if target is None:
            return
        scope, ctx = self.selected_scope(), self.ctx
        summary = self.current_summary()

        def job(progress):
            export_period(ctx.database, period, scope, fmt, target, device_id=ctx.device_id,
                          progress=progress, summary=summary)
            return target

        self._set_busy(True)
        self.progress.setValue(0)
        self.status.setText(_("Exporting {week}…").format(week=period.label()))
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
            path = ask_save_path(self, "report", _("Save the extract"),
                                 default_redacted_filename(week, "pdf"), _("PDF document (*.pdf)"))
            if path is None:
                return
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
            open_saved_file(self, path)  # says where the file is when no program opens it

    def _export_failed(self, error: BaseException, _trace: str) -> None:
        self._set_busy(False)
        self.status.setText(_("The export failed: {error}").format(error=error))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        for button in self.export_buttons.values():
            button.setEnabled(not busy)
        self.redacted_button.setEnabled(not busy and self.chooser.kind() is PeriodKind.WEEK)
        self.chooser.setEnabled(not busy)
        self.scope_combo.setEnabled(not busy)


__all__ = ["ReportsView", "date_range_of"]  # date_range_of: from the chooser, as before
