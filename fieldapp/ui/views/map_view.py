"""Karta: the places and a period's observations on an offline map (issue 17 item 3).

Each place with coordinates is a disc sized by its observations in the period, in slices
coloured by category or by severity, ringed by its hotspot status; places without
coordinates are listed beside the map. The basemap is the raster MBTiles file chosen under
Inställningar → Karta; without one (or with one that cannot be read, said in words) the
places are drawn on a plain ground with the scale bar. A click on a place, or Enter or a
double-click in the list, emits ``place_opened`` with its id. "Set position" then a click on
the map saves a place's coordinates through the places service; Ctrl+Z takes it back.
"""

from __future__ import annotations

import uuid
from collections import Counter

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.enums import PlaceStatus, Severity
from fieldapp.domain.validation import ValidationError
from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import _, format_number
from fieldapp.store.map_query import MapData, read_map, recent_weeks, weeks_period
from fieldapp.store.mbtiles import MBTiles, MBTilesError
from fieldapp.store.services.settings import MAP_MBTILES
from fieldapp.ui.context import AppContext
from fieldapp.ui.models.text import category_name
from fieldapp.ui.tasks import DB
from fieldapp.ui.views.map_canvas import MapCanvas
from fieldapp.ui.views.map_items import (
    SEVERITY_COLOURS,
    SEVERITY_ORDER,
    PlaceMarker,
    category_colour,
    slices_by,
)
from fieldapp.ui.views.map_side import PlaceSidePanel
from fieldapp.ui.widgets.messages import show_unexpected_error

PERIODS = ("week", "four_weeks", "weeks")


class MapView(QWidget):
    place_opened = Signal(object)  # uuid.UUID of the place

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.setObjectName("mapPage")
        self.ctx = ctx
        self.data: MapData | None = None
        self.basemap: MBTiles | None = None
        self.basemap_path = ""
        self.basemap_error = ""
        self._fitted = False
        self._undo: list[tuple[uuid.UUID, str, float | None, float | None]] = []
        self._picking: uuid.UUID | None = None

        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.period = QComboBox(self)
        self.period.setObjectName("mapPeriod")
        self.weeks = QLineEdit(self)
        self.weeks.setObjectName("mapWeeks")
        self.weeks.setPlaceholderText("2024-W45..2024-W47")
        self.weeks.setMaximumWidth(190)
        self.weeks.hide()
        self.colour_by = QComboBox(self)
        self.colour_by.setObjectName("mapColourBy")
        self.zoom_in = QPushButton("+", self)
        self.zoom_out = QPushButton("\u2212", self)
        for button in (self.zoom_in, self.zoom_out):
            button.setFixedWidth(34)
        self.show_all = QPushButton(self)
        self.period_label = QLabel(self)
        self.colour_label = QLabel(self)
        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addSpacing(16)
        for widget in (self.period_label, self.period, self.weeks, self.colour_label,
                       self.colour_by):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.zoom_out, self.zoom_in, self.show_all):
            bar.addWidget(widget)
        self.summary = QLabel(self)
        self.summary.setObjectName("mapSummary")
        self.basemap_message = QLabel(self)
        self.basemap_message.setObjectName("basemapMessage")
        self.basemap_message.setWordWrap(True)
        self.basemap_message.setStyleSheet("QLabel { color: #8a1c1c; }")
        self.basemap_message.hide()
        self.canvas = MapCanvas(self)
        self.side = PlaceSidePanel(self)
        self.message = self.side.message  # beside the buttons, so the map never shifts
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.canvas)
        split.addWidget(self.side)
        split.setStretchFactor(0, 1)
        split.setSizes([900, 290])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.basemap_message)
        layout.addWidget(split, 1)

        self.period.currentIndexChanged.connect(self._period_chosen)
        self.weeks.returnPressed.connect(self.reload)
        self.colour_by.currentIndexChanged.connect(lambda _i: self._draw())
        self.zoom_in.clicked.connect(lambda: self.canvas.zoom_by(1.25))
        self.zoom_out.clicked.connect(lambda: self.canvas.zoom_by(0.8))
        self.show_all.clicked.connect(self.fit)
        self.canvas.place_clicked.connect(self.place_opened)
        self.canvas.map_clicked.connect(self._map_clicked)
        self.canvas.pick_cancelled.connect(lambda: self._stop_picking(_("Cancelled.")))
        self.side.place_opened.connect(self.place_opened)
        self.place_opened.connect(self.open_place)  # the place's own page
        self.side.selection_changed.connect(self._selected)
        self.side.set_position_button.clicked.connect(self.start_picking)
        self.side.undo_button.clicked.connect(self.undo)
        undo = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo)
        ctx.events.changed.connect(self._on_changed)
        self.retranslate()
        self._selected(None)

    # -- texts ----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(_("Map"))
        self.period_label.setText(_("Period"))
        self.colour_label.setText(_("Colour by"))
        current = self.period.currentIndex()
        self.period.blockSignals(True)
        self.period.clear()
        for key, text in zip(PERIODS, (_("This week"), _("Last 4 weeks"), _("Chosen weeks…"))):
            self.period.addItem(text, key)
        self.period.setCurrentIndex(max(current, 0))
        self.period.blockSignals(False)
        colour = self.colour_by.currentIndex()
        self.colour_by.blockSignals(True)
        self.colour_by.clear()
        self.colour_by.addItem(_("Category"), "category")
        self.colour_by.addItem(_("Severity"), "severity")
        self.colour_by.setCurrentIndex(max(colour, 0))
        self.colour_by.blockSignals(False)
        self.weeks.setToolTip(_("One ISO week (2024-W47) or several (2024-W45..2024-W47); "
                                "press Enter"))
        self.zoom_in.setToolTip(_("Zoom in (+ or the mouse wheel)"))
        self.zoom_out.setToolTip(_("Zoom out (\u2212 or the mouse wheel)"))
        self.show_all.setText(_("Show all"))
        self.side.retranslate()
        self._draw()

    # -- loading ---------------------------------------------------------------------------------
    def chosen_period(self):
        key = self.period.currentData()
        now = self.ctx.clock()
        if key == "weeks":
            return weeks_period(self.weeks.text().strip())
        return recent_weeks(now, 4 if key == "four_weeks" else 1)

    def _period_chosen(self, _index: int) -> None:
        custom = self.period.currentData() == "weeks"
        self.weeks.setVisible(custom)
        if custom and not self.weeks.text().strip():
            self.weeks.setText(str(IsoWeek.of(self.ctx.clock())))
            self.weeks.setFocus()
        self.reload()

    def reload(self) -> None:
        try:
            period = self.chosen_period()
        except ValueError as exc:
            self.summary.setText(str(exc))
            return

        def job(_progress):
            with self.ctx.services() as services:
                return read_map(services.session, period), services.settings.get(MAP_MBTILES)

        self.ctx.tasks.run(job, on_success=lambda result: self.show_data(*result),
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace),
                           lane=DB, owner=self)

    def _on_changed(self, kind: str) -> None:
        if kind in ("observation", "shift", "place", "settings"):
            self.reload()

    def show_data(self, data: MapData, basemap_path: str) -> None:
        self.data = data
        if basemap_path != self.basemap_path or (basemap_path and self.basemap is None
                                                 and not self.basemap_error):
            self._open_basemap(basemap_path)
        self.side.show_places(data)
        self._draw()
        if not self._fitted:
            self._fitted = self.fit()
        self.basemap_message.setText(self.basemap_error)
        self.basemap_message.setVisible(bool(self.basemap_error))

    def _open_basemap(self, path: str) -> None:
        if self.basemap is not None:
            self.basemap.close()
        self.basemap, self.basemap_path, self.basemap_error = None, path, ""
        if path:
            try:
                self.basemap = MBTiles.open(path)
            except MBTilesError as exc:
                self.basemap_error = str(exc)
        self.canvas.set_basemap(self.basemap)
        self._fitted = False

    # -- drawing -----------------------------------------------------------------------------------
    def _draw(self) -> None:
        data = self.data
        if data is None:
            return
        by_severity = self.colour_by.currentData() == "severity"
        order = {c.id: i for i, c in enumerate(data.categories)}
        names = {c.id: category_name(c.name_sv, c.name_en) for c in data.categories}
        markers = []
        for place in data.places:
            if not place.located:
                continue
            if by_severity:
                slices = slices_by(data.by_severity(place.id), lambda s: _qcolour(SEVERITY_COLOURS, s),
                                   lambda s: SEVERITY_ORDER.get(s, 9))
            else:
                slices = slices_by(data.by_category(place.id), lambda c: category_colour(order.get(c, 0)),
                                   lambda c: order.get(c, 99))
            markers.append((place.lon, place.lat, PlaceMarker(
                place.id, place.name, place.hotspot_status, slices, self._tooltip(place, names))))
        self.canvas.set_markers(markers)
        self.canvas.highlight(self.side.current_place())
        self._legend(by_severity, order, names)
        located = sum(1 for p in data.places if p.located)
        self.summary.setText(_("{count} observations, {period} \u00b7 {located} of {places} "
                               "places on the map").format(
            count=format_number(data.observations), period=data.period.label(),
            located=located, places=len(data.places)))

    def _tooltip(self, place, names: dict) -> str:
        lines = [f"{place.name} ({place.area_name})"]
        if place.hotspot_status:
            lines.append(_("Hotspot: {status}").format(status=PlaceStatus(place.hotspot_status).label))
        counts = self.data.by_category(place.id)
        lines.append(_("{count} observations in the period").format(count=sum(counts.values())))
        lines += [f"  {names.get(c, '?')}: {n}" for c, n in counts.most_common()]
        return "\n".join(lines)

    def _legend(self, by_severity: bool, order: dict, names: dict) -> None:
        data = self.data
        seen: Counter = Counter()
        for place in data.places:
            if place.located:
                seen.update(data.by_severity(place.id) if by_severity else data.by_category(place.id))
        if by_severity:
            entries = [(SEVERITY_COLOURS[s.value], s.label) for s in
                       sorted(Severity, key=lambda s: SEVERITY_ORDER[s.value]) if seen[s.value]]
        else:
            entries = [(category_colour(order[c]).name(), names[c]) for c in
                       sorted(seen, key=lambda c: order.get(c, 99)) if c in order]
        self.side.show_legend(entries, _(
            "Bigger disc: more observations. Ring: red = active hotspot, orange dashed = under "
            "watch, grey dotted = closed."))

    def fit(self) -> bool:
        """Show every place with coordinates (else the basemap's area); False when there is
        nothing to show."""
        points = [(p.lon, p.lat) for p in (self.data.places if self.data else ()) if p.located]
        bounds = self.basemap.info.bounds if self.basemap is not None else None
        if points:
            lons, lats = [p[0] for p in points], [p[1] for p in points]
            west, south, east, north = min(lons), min(lats), max(lons), max(lats)
        elif bounds is not None:
            west, south, east, north = bounds
        else:
            return False
        self.canvas.set_centre((west + east) / 2, (south + north) / 2)
        self.canvas.fit_lonlat(west, south, east, north)
        return True

    # -- set a place's position --------------------------------------------------------------------
    def _selected(self, place_id) -> None:
        self.canvas.highlight(place_id, reveal=True)
        self.side.set_position_button.setEnabled(place_id is not None)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def open_place(self, place_id):
        """The page of ``place_id`` (a click on its marker, Enter in the list)."""
        from fieldapp.ui.views.place_navigation import open_place

        self.last_place_page = open_place(self, place_id, self.ctx)
        return self.last_place_page

    def start_picking(self) -> None:
        place_id = self.side.current_place()
        if place_id is None:
            return
        if not self._fitted and not self.fit():
            self.show_message(_("The map has no place to start from: choose a basemap (an "
                                "MBTiles file) under Settings \u2192 Map, or give one place its "
                                "coordinates under Places."))
            return
        self._picking = place_id
        self.canvas.set_picking(True)
        self.canvas.setFocus()
        self.show_message("")
        self.summary.setText(_("Click on the map where \u201c{place}\u201d is. Esc cancels.")
                             .format(place=self.side.tree.currentItem().text(0)))

    def _stop_picking(self, text: str = "") -> None:
        self._picking = None
        self.canvas.set_picking(False)
        self._draw()
        if text:
            self.show_message(text)

    def _map_clicked(self, lon: float, lat: float) -> None:
        place_id = self._picking
        self._stop_picking()
        if place_id is not None:
            self._save_position(place_id, round(lat, 6), round(lon, 6), undoing=False)

    def undo(self) -> None:
        if self._undo:
            place_id, _name, lat, lon = self._undo.pop()
            self._save_position(place_id, lat, lon, undoing=True)

    def _save_position(self, place_id: uuid.UUID, lat, lon, *, undoing: bool) -> None:
        def job(_progress):
            with self.ctx.services() as services:
                before = services.places.get(place_id)
                services.places.update(place_id, lat=lat, lon=lon)
                return before

        def saved(before) -> None:
            if undoing:
                self.show_message(_("Undone: \u201c{place}\u201d has its earlier position "
                                    "again.").format(place=before.name))
            else:
                self._undo.append((place_id, before.name, before.lat, before.lon))
                self.show_message(_("The position of \u201c{place}\u201d is saved. Ctrl+Z "
                                    "takes it back.").format(place=before.name))
            self.side.undo_button.setEnabled(bool(self._undo))
            self.ctx.events.changed.emit("place")

        def failed(exc: BaseException, trace: str) -> None:
            if isinstance(exc, (LookupError, PermissionError, ValidationError)):
                self.show_message(_("The position was not saved: {reason}").format(reason=exc))
            else:
                show_unexpected_error(self, exc, trace)
            self.side.undo_button.setEnabled(bool(self._undo))

        self.ctx.tasks.run(job, on_success=saved, on_failure=failed, lane=DB, owner=self)


def _qcolour(table: dict, key: str) -> QColor:
    return QColor(table.get(key, "#999999"))
