"""A stacked bar chart of counts per week and category, drawn with QPainter (QtCharts lives in
the PySide6 add-ons, which the app does not install). Each week has a bar of fixed width, so
any number of weeks fits: the widget grows wide and sits in a scroll area
(:func:`chart_scroller`), scrolled to the newest week. The colours are the categories' rows
in order (:func:`series_colour`): the table under the chart shows the same colour as its
legend."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget

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
    LEFT = 40
    BOTTOM = 34
    TOP = 12

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("weekChart")
        self.labels: tuple[str, ...] = ()
        self.tooltips: tuple[str, ...] = ()
        self.series: tuple[tuple[int, ...], ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(140)

    def set_data(self, labels: Sequence[str], series: Sequence[Sequence[int]],
                 tooltips: Sequence[str] = ()) -> None:
        self.labels = tuple(labels)
        self.series = tuple(tuple(s) for s in series)
        self.tooltips = tuple(tooltips)
        self.setFixedWidth(self.sizeHint().width())
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

    def _bar_x(self, week: int) -> float:
        return self.LEFT + self.GAP + week * (self.BAR + self.GAP)

    def week_at(self, x: float) -> int | None:
        for week in range(len(self.labels)):
            if self._bar_x(week) - self.GAP / 2 <= x < self._bar_x(week) + self.BAR + self.GAP / 2:
                return week
        return None

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

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        text_colour = palette.color(QPalette.ColorRole.Text)
        grid_colour = palette.color(QPalette.ColorRole.Mid)
        plot_h = self.height() - self.TOP - self.BOTTOM
        if plot_h <= 10:
            return
        top = _nice_top(max(self.totals(), default=0) or 1)
        scale = plot_h / top
        base_y = self.TOP + plot_h
        fm = painter.fontMetrics()
        for tick in (0, top // 2 if top >= 2 else None, top):
            if tick is None:
                continue
            y = base_y - tick * scale
            painter.setPen(grid_colour)
            painter.drawLine(self.LEFT, round(y), self.width(), round(y))
            painter.setPen(text_colour)
            painter.drawText(QRectF(0, y - fm.height() / 2, self.LEFT - 6, fm.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             format_number(tick))
        painter.setPen(Qt.PenStyle.NoPen)
        for week in range(len(self.labels)):
            x = self._bar_x(week)
            y = base_y
            for index, counts in enumerate(self.series):
                height = counts[week] * scale
                if height <= 0:
                    continue
                painter.setBrush(series_colour(index))
                painter.drawRect(QRectF(x, y - height, self.BAR, height))
                y -= height
        painter.setPen(text_colour)
        for week, label in enumerate(self.labels):
            x = self._bar_x(week)
            painter.drawText(QRectF(x - self.GAP / 2, base_y + 4, self.BAR + self.GAP, fm.height()),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
        painter.end()


def chart_scroller(chart: WeekChart, parent: QWidget | None = None) -> QScrollArea:
    """``chart`` in a horizontal scroll area (its height follows the area's)."""
    area = QScrollArea(parent)
    area.setObjectName("chartScroller")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(chart)
    area.setWidgetResizable(True)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return area


def scroll_to_newest(area: QScrollArea) -> None:
    bar = area.horizontalScrollBar()
    bar.setValue(bar.maximum())


__all__ = ["PALETTE", "WeekChart", "chart_scroller", "scroll_to_newest", "series_colour"]
