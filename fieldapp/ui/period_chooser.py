"""The Rapporter page's period chooser: an ISO week (the weekly log) or any period
:class:`fieldapp.domain.periods.Period` reads: a month, a tertial (T1 January–April, T2
May–August, T3 September–December), a calendar year or a range of days. One row: the
kind, then only the boxes that kind needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QSpinBox, QWidget

from fieldapp.domain.periods import TERTIAL_MONTHS, Period, PeriodKind
from fieldapp.domain.weeks import IsoWeek, to_stockholm
from fieldapp.i18n import _, format_date

WEEKS_SHOWN = 104
FIRST_YEAR = 2000


def kind_labels() -> dict[PeriodKind, str]:
    return {PeriodKind.WEEK: _("Week"), PeriodKind.MONTH: _("Month"),
            PeriodKind.TERTIAL: _("Tertial"), PeriodKind.YEAR: _("Year"),
            PeriodKind.RANGE: _("Dates")}


def date_range_of(week: IsoWeek) -> str:
    monday, sunday = week.monday(), week.sunday()
    if monday.year != sunday.year:
        return f"{format_date(monday, 'd MMM y')}\u2013{format_date(sunday, 'd MMM y')}"
    return week.title_range()


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class PeriodChooser(QWidget):
    """``period()`` is the chosen period (raises ValueError, with a message that says what
    to fix, for a range that ends before it starts or is too long); ``changed`` is emitted
    on every choice."""

    changed = Signal()

    def __init__(self, clock: Callable[[], dt.datetime], parent: QWidget | None = None):
        super().__init__(parent)
        self.clock = clock
        today = to_stockholm(clock()).date()

        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(_("Report for"))
        for kind, label in kind_labels().items():
            self.kind_combo.addItem(label, kind.value)
        self.week_combo = QComboBox()
        self.week_combo.setAccessibleName(_("Week"))
        self._fill_weeks()
        self.year_spin = QSpinBox()
        self.year_spin.setAccessibleName(_("Year"))
        self.year_spin.setRange(FIRST_YEAR, today.year + 1)
        self.year_spin.setValue(today.year)
        self.month_combo = QComboBox()
        self.month_combo.setAccessibleName(_("Month"))
        for month in range(1, 13):
            self.month_combo.addItem(format_date(dt.date(2000, month, 1), "LLLL"), month)
        self.month_combo.setCurrentIndex(today.month - 1)
        self.tertial_combo = QComboBox()
        self.tertial_combo.setAccessibleName(_("Tertial"))
        for number, (first, last) in TERTIAL_MONTHS.items():
            months = "\u2013".join(format_date(dt.date(2000, m, 1), "LLLL") for m in (first, last))
            self.tertial_combo.addItem(f"T{number} ({months})", number)
        self.tertial_combo.setCurrentIndex((today.month - 1) // 4)
        self.first_edit, self.last_edit = QDateEdit(), QDateEdit()
        self.first_edit.setAccessibleName(_("First day"))
        self.last_edit.setAccessibleName(_("Last day"))
        for edit, day in ((self.first_edit, dt.date(today.year, 1, 1)), (self.last_edit, today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(_qdate(day))
        self.to_label = QLabel("\u2013")

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.kind_combo, self.week_combo, self.tertial_combo, self.month_combo,
                       self.year_spin, self.first_edit, self.to_label, self.last_edit):
            row.addWidget(widget)
        row.addStretch(1)

        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        for signal in (self.week_combo.currentIndexChanged, self.month_combo.currentIndexChanged,
                       self.tertial_combo.currentIndexChanged, self.year_spin.valueChanged,
                       self.first_edit.dateChanged, self.last_edit.dateChanged):
            signal.connect(lambda *_args: self.changed.emit())
        self._show_boxes()

    # -- the week -------------------------------------------------------------------------------
    def _fill_weeks(self) -> None:
        now = self.clock()
        current, last_complete = IsoWeek.of(now), IsoWeek.last_complete(now)
        for n in range(WEEKS_SHOWN + 1):
            week = current.previous(n)
            text = f"{week.label()} ({date_range_of(week)})"
            if week == current:
                text += " \u2013 " + _("in progress")
            self.week_combo.addItem(text, str(week))
        self.week_combo.setCurrentIndex(self.week_combo.findData(str(last_complete)))

    def selected_week(self) -> IsoWeek:
        return IsoWeek.parse(self.week_combo.currentData())

    def set_week(self, week: IsoWeek) -> None:
        index = self.week_combo.findData(str(week))
        if index < 0:
            self.week_combo.addItem(f"{week.label()} ({date_range_of(week)})", str(week))
            index = self.week_combo.count() - 1
        self.week_combo.setCurrentIndex(index)

    # -- the kind -------------------------------------------------------------------------------
    def kind(self) -> PeriodKind:
        return PeriodKind(self.kind_combo.currentData())

    def _kind_changed(self, _index: int) -> None:
        self._show_boxes()
        self.changed.emit()

    def _show_boxes(self) -> None:
        kind = self.kind()
        self.week_combo.setVisible(kind is PeriodKind.WEEK)
        self.year_spin.setVisible(kind in (PeriodKind.MONTH, PeriodKind.TERTIAL, PeriodKind.YEAR))
        self.month_combo.setVisible(kind is PeriodKind.MONTH)
        self.tertial_combo.setVisible(kind is PeriodKind.TERTIAL)
        for widget in (self.first_edit, self.to_label, self.last_edit):
            widget.setVisible(kind is PeriodKind.RANGE)

    # -- the period -----------------------------------------------------------------------------
    def period(self) -> Period:
        kind, year = self.kind(), self.year_spin.value()
        if kind is PeriodKind.WEEK:
            return Period.of_week(self.selected_week())
        if kind is PeriodKind.MONTH:
            return Period.month(year, self.month_combo.currentData())
        if kind is PeriodKind.TERTIAL:
            return Period.tertial(year, self.tertial_combo.currentData())
        if kind is PeriodKind.YEAR:
            return Period.year(year)
        return Period.days(_day(self.first_edit.date()), _day(self.last_edit.date()))

    def set_period(self, period: Period) -> None:
        """Show ``period`` (one ``changed`` at the end)."""
        self.blockSignals(True)
        try:
            if period.kind is PeriodKind.WEEK:
                self.set_week(period.week)
            elif period.kind is PeriodKind.RANGE:
                self.first_edit.setDate(_qdate(period.first))
                self.last_edit.setDate(_qdate(period.last))
            else:
                self.year_spin.setValue(period.first.year)
                if period.kind is PeriodKind.MONTH:
                    self.month_combo.setCurrentIndex(period.number - 1)
                elif period.kind is PeriodKind.TERTIAL:
                    self.tertial_combo.setCurrentIndex(period.number - 1)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(period.kind.value))
            self._show_boxes()
        finally:
            self.blockSignals(False)
        self.changed.emit()


__all__ = ["PeriodChooser", "date_range_of", "kind_labels"]
