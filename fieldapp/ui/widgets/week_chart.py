"""A stacked bar chart of counts per week and category, drawn with QPainter (QtCharts lives in
the PySide6 add-ons, which the app does not install). Each week has a bar of fixed width, so
any number of weeks fits: the widget grows wide and sits in a scroll area
(:func:`chart_scroller`), scrolled to the newest week. The colours are the categories' rows
in order (:func:`series_colour`): the table under the chart shows the same colour as its
legend."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QSizePolicy, QWidget

from fieldapp.i18n import _, format_number

# Distinguishable on screen and in grey (a colour-blind-safe set, then darker shades).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000", "#8C564B", "#7F7F7F", "#17BECF", "#BCBD22", "#1F3A93", "#9B1B30")


def series_colour(index: int) -> QColor:
    return QColor(PALETTE[index % len(PALETTE)])


def _nice_top(value: int) -> int:
    """A round axis top at or above ``value`` (1, 2, 5, 10, 20, 50 …)."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if step * top >= value:
                return step * top
        top *= 10


class WeekChart(QWidget):
    """``set_data(labels, series)``: one label per week, and per category its counts (one
    per week, oldest first). Bars stack the categories in order, the first at the bottom."""

    BAR = 22
    GAP = 12
    LEFT = 4  # the axis is a widget of its own (ChartAxis), outside the scrolling
    BOTTOM = 34
    TOP = 12

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("weekChart")
        self.labels: tuple[str, ...] = ()
        self.tooltips: tuple[str, ...] = ()
        self.series: tuple[tuple[int, ...], ...] = ()
        self.axis: QWidget | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(140)

    def set_data(self, labels: Sequence[str], series: Sequence[Sequence[int]],
                 tooltips: Sequence[str] = ()) -> None:
        self.labels = tuple(labels)
        self.series = tuple(tuple(s) for s in series)
        self.tooltips = tuple(tooltips)
        self.setMinimumWidth(self.sizeHint().width())  # wider when there is room
        self.setAccessibleDescription(self.describe())
        self.update()

    def totals(self) -> tuple[int, ...]:
        return tuple(sum(s[i] for s in self.series) for i in range(len(self.labels)))

    def describe(self) -> str:
        """The chart in words (screen readers): each week's total."""
        return "; ".join(f"{label}: {format_number(total)}"
                         for label, total in zip(self.labels, self.totals()))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.LEFT + len(self.labels) * (self.BAR + self.GAP) + self.GAP, 220)

    def _slot(self) -> float:
        """The width each week has: at least a bar and a gap, more when the widget is wider."""
        weeks = max(len(self.labels), 1)
        return max(self.BAR + self.GAP, (self.width() - self.LEFT - self.GAP) / weeks)

    def _bar_x(self, week: int) -> float:
        slot = self._slot()
        return self.LEFT + self.GAP + week * slot + (slot - self.GAP - self.BAR) / 2

    def week_at(self, x: float) -> int | None:
        week = int((x - self.LEFT - self.GAP / 2) // self._slot())
        return week if 0 <= week < len(self.labels) and x >= self.LEFT else None

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            week = self.week_at(event.pos().x())
            if week is not None:
                head = self.tooltips[week] if week < len(self.tooltips) else self.labels[week]
                self.setToolTip(_("{week}: {count} observations").format(
                    week=head, count=format_number(self.totals()[week])))
            else:
                self.setToolTip("")
        return super().event(event)

    def top_value(self) -> int:
        return _nice_top(max(self.totals(), default=0) or 1)

    def ticks(self) -> tuple[int, ...]:
        top = self.top_value()
        return (0, top // 2, top) if top >= 2 else (0, top)

    def y_of(self, value: float) -> float:
        """The y (in the chart) of a count."""
        plot_h = self.height() - self.TOP - self.BOTTOM
        return self.TOP + plot_h - value * plot_h / self.top_value()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        text_colour = palette.color(QPalette.ColorRole.Text)
        if self.height() - self.TOP - self.BOTTOM <= 10:
            return
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        for tick in self.ticks():
            y = round(self.y_of(tick))
            painter.drawLine(0, y, self.width(), y)
        painter.setPen(Qt.PenStyle.NoPen)
        base_y = self.y_of(0)
        for week in range(len(self.labels)):
            x, y = self._bar_x(week), base_y
            for index, counts in enumerate(self.series):
                height = base_y - self.y_of(counts[week])
                if height <= 0:
                    continue
                painter.setBrush(series_colour(index))
                painter.drawRect(QRectF(x, y - height, self.BAR, height))
                y -= height
        painter.setPen(text_colour)
        fm, slot = painter.fontMetrics(), self._slot()
        for week, label in enumerate(self.labels):
            x = self._bar_x(week) + self.BAR / 2 - slot / 2
            painter.drawText(QRectF(x, base_y + 4, slot, fm.height()),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
        painter.end()
        if self.axis is not None:
            self.axis.update()


class ChartAxis(QWidget):
    """The chart's count axis, beside the scroll area so it stays in view."""

    def __init__(self, chart: WeekChart, parent: QWidget | None = None):
        super().__init__(parent)
        self.chart = chart
        chart.axis = self
        self.setFixedWidth(40)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        fm = painter.fontMetrics()
        offset = self.chart.mapTo(self.window(), QPoint(0, 0)).y() - self.mapTo(
            self.window(), QPoint(0, 0)).y()
        for tick in self.chart.ticks():
            y = offset + self.chart.y_of(tick)
            painter.drawText(QRectF(0, y - fm.height() / 2, self.width() - 6, fm.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             format_number(tick))
        painter.end()


def chart_scroller(chart: WeekChart, parent: QWidget | None = None) -> QWidget:
    """``chart`` in a horizontal scroll area (its height follows the area's), its axis
    beside it; the area is the result's ``area``."""
    box = QWidget(parent)
    area = QScrollArea(box)
    area.setObjectName("chartScroller")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(chart)
    area.setWidgetResizable(True)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(ChartAxis(chart, box))
    layout.addWidget(area, 1)
    box.area = area
    return box


def scroll_to_newest(box: QWidget) -> None:
    bar = box.area.horizontalScrollBar()
    bar.setValue(bar.maximum())


__all__ = ["PALETTE", "ChartAxis", "WeekChart", "chart_scroller", "scroll_to_newest", "series_colour"]
