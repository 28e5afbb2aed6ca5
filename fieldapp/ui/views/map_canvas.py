"""The map itself: a QGraphicsView over Web Mercator metres (:mod:`fieldapp.domain.map_grid`)
with the basemap's tiles, the places' markers and a scale bar. Wheel, +/- zoom; dragging pans;
a click on a place emits ``place_clicked``; in "pick" mode a click anywhere emits
``map_clicked`` with its longitude and latitude. No network: tiles come from the MBTiles file.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QGraphicsPixmapItem, QGraphicsScene, QGraphicsView

from fieldapp.domain.geo import scale_bar
from fieldapp.domain.map_grid import (
    ground_metres,
    tile_rect,
    tiles_covering,
    to_lonlat,
    to_map,
    zoom_for,
)
from fieldapp.store.mbtiles import MBTiles
from fieldapp.ui.views.map_items import PlaceMarker

GROUND = QColor("#eef1e6")  # the plain ground without a basemap
MIN_MPP, MAX_MPP = 0.15, 400.0  # map metres per pixel: closest and farthest zoom
SCENE_REACH_M = 300_000.0  # the scene reaches this far around its centre
MAX_TILES = 400  # more tiles in view than this (zoomed far out): no basemap drawn
ZOOM_STEP = 1.25


class MapCanvas(QGraphicsView):
    place_clicked = Signal(object)  # uuid.UUID
    map_clicked = Signal(float, float)  # longitude, latitude (in pick mode)
    pick_cancelled = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("mapCanvas")
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.markers: dict = {}  # place id -> PlaceMarker
        self.tiles: dict[tuple[int, int, int], QGraphicsPixmapItem | None] = {}
        self.basemap: MBTiles | None = None
        self.picking = False
        self._press: QPointF | None = None
        self._centre_set = False

    # -- content ----------------------------------------------------------------------------
    def set_basemap(self, basemap: MBTiles | None) -> None:
        for item in self.tiles.values():
            if item is not None:
                self.scene().removeItem(item)
        self.tiles.clear()
        self.basemap = basemap
        self.update_tiles()

    def set_markers(self, markers: list[tuple[float, float, PlaceMarker]]) -> None:
        """Replace the places' markers: (longitude, latitude, marker) each."""
        for marker in self.markers.values():
            self.scene().removeItem(marker)
        self.markers = {}
        for lon, lat, marker in markers:
            marker.setPos(*to_map(lon, lat))
            self.scene().addItem(marker)
            self.markers[marker.place_id] = marker

    def set_centre(self, lon: float, lat: float) -> None:
        """Where the scene is laid out around (the area of the places or the basemap)."""
        x, y = to_map(lon, lat)
        self.scene().setSceneRect(QRectF(x - SCENE_REACH_M, y - SCENE_REACH_M,
                                         2 * SCENE_REACH_M, 2 * SCENE_REACH_M))
        self._centre_set = True

    def fit_lonlat(self, west: float, south: float, east: float, north: float,
                   min_span_m: float = 600.0) -> None:
        """Show the rectangle (with a margin); at least ``min_span_m`` map metres across."""
        x0, y1 = to_map(west, south)
        x1, y0 = to_map(east, north)
        rect = QRectF(QPointF(x0, y0), QPointF(x1, y1)).normalized()
        grow_x = max(0.0, min_span_m - rect.width()) / 2 + rect.width() * 0.12
        grow_y = max(0.0, min_span_m - rect.height()) / 2 + rect.height() * 0.12
        self.fitInView(rect.adjusted(-grow_x, -grow_y, grow_x, grow_y),
                       Qt.AspectRatioMode.KeepAspectRatio)
        self._clamp_zoom()
        self.update_tiles()

    def centre_on(self, lon: float, lat: float) -> None:
        self.centerOn(*to_map(lon, lat))
        self.update_tiles()

    def highlight(self, place_id, *, reveal: bool = False) -> None:
        """Ring the place's marker; with ``reveal``, scroll it into view."""
        for key, marker in self.markers.items():
            marker.set_highlighted(key == place_id)
        marker = self.markers.get(place_id)
        if marker is not None and reveal:
            self.ensureVisible(marker, 60, 60)

    # -- scale --------------------------------------------------------------------------------
    def metres_per_pixel(self) -> float:
        """Map metres per screen pixel."""
        return 1.0 / self.transform().m11() if self.transform().m11() else MAX_MPP

    def zoom_by(self, factor: float, *, under_mouse: bool = False) -> None:
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse if under_mouse
                                     else QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.scale(factor, factor)
        self._clamp_zoom()
        self.update_tiles()

    def _clamp_zoom(self) -> None:
        mpp = self.metres_per_pixel()
        target = min(MAX_MPP, max(MIN_MPP, mpp))
        if not math.isclose(mpp, target):
            self.scale(mpp / target, mpp / target)

    def lonlat_at(self, pos) -> tuple[float, float]:
        """The longitude and latitude under a viewport position."""
        point = self.mapToScene(pos)
        return to_lonlat(point.x(), point.y())

    # -- basemap tiles --------------------------------------------------------------------------
    def update_tiles(self) -> None:
        """Load the tiles in view at the zoom that fits the screen's scale (those already
        loaded stay); tiles of other zooms are dropped."""
        basemap = self.basemap
        if basemap is None:
            return
        info = basemap.info
        zoom = min(info.max_zoom, max(info.min_zoom, zoom_for(self.metres_per_pixel())))
        view = self.mapToScene(self.viewport().rect()).boundingRect()
        columns, rows = tiles_covering(zoom, view.left(), view.top(), view.right(), view.bottom())
        wanted = {(zoom, c, r) for c in columns for r in rows} if (
            len(columns) * len(rows) <= MAX_TILES) else set()
        for key in [k for k in self.tiles if k not in wanted and (k[0] != zoom or
                                                                  len(self.tiles) > MAX_TILES)]:
            item = self.tiles.pop(key)
            if item is not None:
                self.scene().removeItem(item)
        for key in sorted(wanted - set(self.tiles)):
            self.tiles[key] = self._tile_item(*key)

    def _tile_item(self, zoom: int, column: int, row: int) -> QGraphicsPixmapItem | None:
        data = self.basemap.tile(zoom, column, row)
        pixmap = QPixmap()
        if not data or not pixmap.loadFromData(data) or pixmap.width() == 0:
            return None
        x, y, size = tile_rect(zoom, column, row)
        item = QGraphicsPixmapItem(pixmap)
        item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        item.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        item.setPos(x, y)
        item.setScale(size / pixmap.width())
        item.setZValue(-10)
        item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.scene().addItem(item)
        return item

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt's name
        super().scrollContentsBy(dx, dy)
        self.update_tiles()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.update_tiles()

    # -- drawing ---------------------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt's name
        painter.fillRect(rect, GROUND)

    def drawForeground(self, painter: QPainter, _rect: QRectF) -> None:  # noqa: N802 - Qt's name
        painter.save()
        painter.resetTransform()
        centre = self.mapToScene(self.viewport().rect().center())
        ground_per_pixel = ground_metres(self.metres_per_pixel(), centre.y())
        length, label = scale_bar(ground_per_pixel, 160)
        x0, y0 = 14.0, self.viewport().height() - 18.0
        font = QFont(self.font())
        font.setPointSizeF(8.5)
        painter.setFont(font)
        painter.fillRect(QRectF(x0 - 6, y0 - 22, length + 12 + 60, 30), QColor(255, 255, 255, 210))
        pen = QPen(QColor("#222222"), 2)
        painter.setPen(pen)
        painter.drawLine(QPointF(x0, y0), QPointF(x0 + length, y0))
        for x in (x0, x0 + length):
            painter.drawLine(QPointF(x, y0 - 6), QPointF(x, y0 + 1))
        painter.drawText(QPointF(x0 + length + 8, y0 + 2), label)
        attribution = self.basemap.info.attribution if self.basemap is not None else ""
        if attribution:
            width = painter.fontMetrics().horizontalAdvance(attribution) + 10
            box = QRectF(self.viewport().width() - width - 4, self.viewport().height() - 20,
                         width, 18)
            painter.fillRect(box, QColor(255, 255, 255, 200))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, attribution)
        painter.restore()

    # -- mouse and keys ------------------------------------------------------------------------
    def set_picking(self, on: bool) -> None:
        self.picking = on
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.OpenHandCursor)

    def marker_at(self, pos) -> PlaceMarker | None:
        for item in self.items(pos):
            if isinstance(item, PlaceMarker) and item.shape_contains(
                    item.mapFromScene(self.mapToScene(pos))):
                return item
        return None

    def mousePressEvent(self, event) -> None:
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if self.picking:
            self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if (event.position() - press).manhattanLength() > QApplication.startDragDistance():
            return  # a drag: the map was panned
        pos = event.position().toPoint()
        if self.picking:
            self.map_clicked.emit(*self.lonlat_at(pos))
            return
        marker = self.marker_at(pos)
        if marker is not None:
            self.place_clicked.emit(marker.place_id)

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP ** steps, under_mouse=True)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(ZOOM_STEP)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_by(1 / ZOOM_STEP)
        elif key == Qt.Key.Key_Escape and self.picking:
            self.pick_cancelled.emit()
        else:
            super().keyPressEvent(event)
