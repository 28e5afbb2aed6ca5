"""What the Karta page draws for a place: a disc sized by the period's observations there,
cut into slices coloured by category or by severity, ringed by its hotspot status, and its
name. The marker keeps its size on the screen whatever the zoom."""

from __future__ import annotations

import math
import uuid
from collections import Counter

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from fieldapp.domain.enums import PlaceStatus, Severity

# Fourteen categories told apart at a glance (qualitative colours, light to dark mixed).
CATEGORY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                    "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939",
                    "#ad494a", "#e7ba52")
SEVERITY_COLOURS = {Severity.LOW.value: "#f1c40f", Severity.MEDIUM.value: "#e67e22",
                    Severity.HIGH.value: "#b71c1c"}
SEVERITY_ORDER = {Severity.HIGH.value: 0, Severity.MEDIUM.value: 1, Severity.LOW.value: 2}
# Hotspot status: ring colour, width (px), pen style.
STATUS_RINGS = {
    PlaceStatus.ACTIVE.value: ("#c0392b", 3.5, Qt.PenStyle.SolidLine),
    PlaceStatus.WATCHED.value: ("#d35400", 2.5, Qt.PenStyle.DashLine),
    PlaceStatus.CLOSED.value: ("#7f8c8d", 1.5, Qt.PenStyle.DotLine),
    None: ("#2c3e50", 1.2, Qt.PenStyle.SolidLine),
}
EMPTY_RADIUS = 5.0  # a place without observations in the period
MAX_RADIUS = 34.0


def radius_for(count: int) -> float:
    """The disc's radius in pixels: its area grows with the count, up to a limit."""
    if count <= 0:
        return EMPTY_RADIUS
    return min(MAX_RADIUS, 7.0 + 3.2 * math.sqrt(count))


def category_colour(sort_index: int) -> QColor:
    return QColor(CATEGORY_COLOURS[sort_index % len(CATEGORY_COLOURS)])


class PlaceMarker(QGraphicsItem):
    """One place at its map position. ``slices``: (colour, count) in drawing order."""

    def __init__(self, place_id: uuid.UUID, name: str, status: str | None,
                 slices: list[tuple[QColor, int]], tooltip: str):
        super().__init__()
        self.place_id = place_id
        self.name = name
        self.status = status if status in STATUS_RINGS else None
        self.slices = [(colour, n) for colour, n in slices if n > 0]
        self.count = sum(n for _colour, n in self.slices)
        self.radius = radius_for(self.count)
        self.highlighted = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setAcceptHoverEvents(True)
        self.setToolTip(tooltip)
        self.setZValue(10 + self.count / 1e6)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._font = QFont()
        self._font.setPointSizeF(8.5)
        metrics = QFontMetricsF(self._font)
        self._label = QRectF(metrics.boundingRect(name)).adjusted(-3, -1, 3, 1)
        self._label.moveTopLeft(QPointF(self.radius + 5, -self._label.height() / 2))

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.setZValue((30 if on else 10) + self.count / 1e6)
            self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        r = self.radius + 8
        return QRectF(-r, -r, 2 * r, 2 * r).united(self._label.adjusted(-1, -1, 1, 1))

    def shape_contains(self, point: QPointF) -> bool:
        """Whether ``point`` (item coordinates) is on the disc (with a few pixels to spare)."""
        return math.hypot(point.x(), point.y()) <= self.radius + 4

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self.radius
        disc = QRectF(-r, -r, 2 * r, 2 * r)
        if self.highlighted:
            painter.setPen(QPen(QColor("#1565c0"), 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(disc.adjusted(-6, -6, 6, 6))
        painter.setPen(Qt.PenStyle.NoPen)
        if not self.slices:
            painter.setBrush(QBrush(QColor("#ffffff")))
            painter.drawEllipse(disc)
        elif len(self.slices) == 1:
            painter.setBrush(QBrush(self.slices[0][0]))
            painter.drawEllipse(disc)
        else:
            start = 90 * 16
            for colour, n in self.slices:
                span = round(-5760 * n / self.count)
                painter.setBrush(QBrush(colour))
                painter.drawPie(disc, start, span)
                start += span
        colour, width, style = STATUS_RINGS[self.status]
        pen = QPen(QColor(colour), width, style)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(disc)
        painter.setFont(self._font)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 200))
        painter.drawRoundedRect(self._label, 3, 3)
        painter.setPen(QColor("#1b1b1b"))
        painter.drawText(self._label, Qt.AlignmentFlag.AlignCenter, self.name)


def slices_by(counts: Counter, colour_of, order_of) -> list[tuple[QColor, int]]:
    """(colour, count) for each key of ``counts``, in ``order_of``'s order."""
    return [(colour_of(key), n) for key, n in sorted(counts.items(), key=lambda kv: order_of(kv[0]))]
