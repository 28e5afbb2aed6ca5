"""The Karta page through real widgets on a real SQLite file: the basemap's tiles drawn where
their tile lies (a small MBTiles file made here, PNG tiles from QImage), the places at their
coordinates, the places without coordinates listed beside, a click on a place opens it, a
click on the map sets a place's position (Ctrl+Z takes it back), a bad basemap file said in
words while the map goes on, and the period's counts equal a count in SQL."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt
from PySide6.QtGui import QColor, QImage

from fieldapp.domain.geo import tms_row, world_xy
from fieldapp.domain.ids import reference_id
from fieldapp.domain.map_grid import tile_rect, to_map
from fieldapp.store.mbtiles import MBTiles, MBTilesError
from fieldapp.store.services.settings import MAP_MBTILES
from fieldapp.ui.views.map_items import PlaceMarker
from fieldapp.ui.views.map_view import MapView
from fieldapp.ui.views.settings_map import BasemapBox
from ui_helpers import *  # noqa: F403 - the fixtures
from ui_helpers import activate, press, query

ALVSJO_CENTRUM = reference_id("place", "alvsjo-centrum")
ALVSJO_TORG = reference_id("place", "alvsjo-torg")  # no coordinates in resources/places.toml
CATEGORY = reference_id("category", "ungdomssamling")
ZOOM = 15
COLOURS = ["#d81b60", "#1e88e5", "#43a047", "#fdd835", "#8e24aa", "#00897b", "#f4511e",
           "#6d4c41", "#546e7a"]


def png(colour: str) -> bytes:
    image = QImage(256, 256, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def make_mbtiles(path, tiles: dict, *, fmt: str = "png") -> None:
    """An MBTiles file of XYZ ``tiles`` {(zoom, column, row): bytes}, rows stored TMS-wise."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
                "tile_data BLOB)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)",
                    [("name", "Test"), ("format", fmt), ("attribution", "© Testkarta")])
    con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                    [(z, x, tms_row(y, z), data) for (z, x, y), data in tiles.items()])
    con.commit()
    con.close()


def alvsjo_tiles() -> dict:
    """Nine tiles of their own colours around Älvsjö centrum (59.2792 N, 18.0103 E)."""
    x, y = (int(v) for v in world_xy(18.0103, 59.2792, ZOOM))
    return {(ZOOM, x + dx, y + dy): png(COLOURS[(dy + 1) * 3 + dx + 1])
            for dy in (-1, 0, 1) for dx in (-1, 0, 1)}


@pytest.fixture
def observations(ctx, clock):
    """Three observations at Älvsjö centrum during a shift in week 47, one without a shift
    in week 46."""
    with ctx.services() as services:
        shift = services.shifts.create(kind="nattvandring", starts_at=clock())
        for minutes in (10, 20, 30):
            services.observations.create(place_id=ALVSJO_CENTRUM, category_id=CATEGORY,
                                         shift_id=shift.id, severity="high",
                                         observed_at=clock() + dt.timedelta(minutes=minutes))
        services.observations.create(place_id=ALVSJO_CENTRUM, category_id=CATEGORY,
                                     observed_at=clock() - dt.timedelta(days=7))


def open_map(qtbot, ctx, basemap=None) -> MapView:
    if basemap is not None:
        with ctx.services() as services:
            services.settings.set(MAP_MBTILES, str(basemap))
    view = MapView(ctx)
    qtbot.addWidget(view)
    view.resize(1180, 700)
    view.show()
    qtbot.waitExposed(view)
    view.reload()
    return view


def viewport_point(view: MapView, lon: float, lat: float) -> QPoint:
    return view.canvas.mapFromScene(*to_map(lon, lat))


def test_tiles_are_drawn_where_their_tile_lies(qtbot, ctx, tmp_path):
    path = tmp_path / "alvsjo.mbtiles"
    tiles = alvsjo_tiles()
    make_mbtiles(path, tiles)
    view = open_map(qtbot, ctx, path)
    canvas = view.canvas
    canvas.centre_on(18.0103, 59.2792)
    assert not view.basemap_message.isVisible()
    drawn = {key: item for key, item in canvas.tiles.items() if item is not None}
    assert set(drawn) == set(tiles)  # every tile in view, none made up
    image = canvas.viewport().grab().toImage()
    checked = 0
    for key, item in drawn.items():
        x, y, size = tile_rect(*key)
        assert item.pos().x() == pytest.approx(x) and item.pos().y() == pytest.approx(y)
        assert item.sceneBoundingRect().width() == pytest.approx(size)
        # The tile's own colour on the screen, at a point of it no marker covers.
        for fx, fy in ((0.5, 0.5), (0.2, 0.2), (0.8, 0.8), (0.2, 0.8), (0.8, 0.2)):
            point = canvas.mapFromScene(x + fx * size, y + fy * size)
            if canvas.viewport().rect().contains(point) and all(
                    not isinstance(found, PlaceMarker) for found in canvas.items(point)):
                break
        else:
            continue
        assert image.pixelColor(point).name() == png_colour(tiles[key]), key
        checked += 1
    assert checked >= 6  # most tiles seen on the screen in their own colour


def png_colour(data: bytes) -> str:
    image = QImage.fromData(data)
    return image.pixelColor(128, 128).name()


def test_mbtiles_rows_are_flipped_and_bad_files_refused(tmp_path):
    path = tmp_path / "one.mbtiles"
    make_mbtiles(path, {(2, 1, 0): b"\x89PNG north", (2, 1, 3): b"\x89PNG south"})
    tiles = MBTiles.open(path)
    assert tiles.tile(2, 1, 0) == b"\x89PNG north"  # XYZ row 0 (north) is TMS row 3
    assert tiles.tile(2, 1, 3) == b"\x89PNG south"
    assert tiles.tile(2, 0, 0) is None
    assert (tiles.info.min_zoom, tiles.info.max_zoom, tiles.info.format) == (2, 2, "png")
    tiles.close()
    text = tmp_path / "karta.mbtiles"
    text.write_text("inte en karta")
    vector = tmp_path / "vector.mbtiles"
    make_mbtiles(vector, {(2, 1, 0): b"\x1f\x8b"}, fmt="pbf")
    empty = tmp_path / "empty.mbtiles"
    make_mbtiles(empty, {})
    for bad, words in ((tmp_path / "saknas.mbtiles", "hittas inte"),
                       (text, "inte en MBTiles-fil"), (vector, "rasterrutor"),
                       (empty, "inga kartrutor")):
        with pytest.raises(MBTilesError, match=words):
            MBTiles.open(bad)


def test_places_are_drawn_at_their_coordinates_and_the_others_listed(qtbot, ctx, db_path):
    view = open_map(qtbot, ctx)  # no basemap: a plain ground
    located = query(db_path, "SELECT lower(id), lat, lon FROM place WHERE lat IS NOT NULL "
                             "AND deleted_at IS NULL")
    assert len(view.canvas.markers) == len(located) > 2
    for place_id, lat, lon in located:
        marker = next(m for m in view.canvas.markers.values() if m.place_id.hex == place_id)
        assert (marker.pos().x(), marker.pos().y()) == pytest.approx(to_map(lon, lat))
        shown = view.canvas.lonlat_at(viewport_point(view, lon, lat))
        assert shown == pytest.approx((lon, lat), abs=1e-4)  # on the screen where it is
        assert view.canvas.viewport().rect().contains(viewport_point(view, lon, lat))
    unlocated = sorted(name for (name,) in query(
        db_path, "SELECT name FROM place WHERE lat IS NULL AND deleted_at IS NULL"))
    assert sorted(view.side.unlocated_names()) == unlocated
    assert view.side.unlocated.text(0) == f"Utan position ({len(unlocated)})"


def test_period_counts_equal_sql_and_colour_by_severity(qtbot, ctx, db_path, observations):
    view = open_map(qtbot, ctx)
    marker = view.canvas.markers[ALVSJO_CENTRUM]
    assert marker.count == 3  # this week (47): the shift's three
    view.period.setCurrentIndex(view.period.findData("weeks"))
    view.weeks.setText("2024-W46..2024-W47")
    view.reload()
    (expected,), = query(db_path, "SELECT count(*) FROM observation WHERE lower(place_id) = ? "
                                  "AND deleted_at IS NULL", ALVSJO_CENTRUM.hex)
    assert view.canvas.markers[ALVSJO_CENTRUM].count == expected == 4
    assert view.summary.text().startswith("4 iakttagelser")
    view.colour_by.setCurrentIndex(view.colour_by.findData("severity"))
    slices = view.canvas.markers[ALVSJO_CENTRUM].slices
    assert [n for _colour, n in slices] == [3, 1]  # high first, then low
    view.weeks.setText("vecka fyrtiosju")
    view.reload()
    assert "ingen giltig period" in view.summary.text()


def test_a_click_on_a_place_or_enter_in_the_list_opens_it(qtbot, ctx):
    view = open_map(qtbot, ctx)
    point = viewport_point(view, 18.0103, 59.2792)
    with qtbot.waitSignal(view.place_opened) as opened:
        qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert opened.args == [ALVSJO_CENTRUM]
    view.side.select(ALVSJO_TORG)
    view.side.tree.setFocus()
    with qtbot.waitSignal(view.place_opened) as opened:
        qtbot.keyClick(view.side.tree, Qt.Key.Key_Return)
    assert opened.args == [ALVSJO_TORG]
    page = view.last_place_page  # the place's own page opened
    assert page.isVisible() and page.place_id == ALVSJO_TORG
    page.close()


def test_a_click_on_the_map_sets_a_places_position_and_ctrl_z_takes_it_back(qtbot, ctx, db_path):
    view = open_map(qtbot, ctx)
    assert "Älvsjö torg" in view.side.unlocated_names()
    view.side.select(ALVSJO_TORG)
    qtbot.mouseClick(view.side.set_position_button, Qt.MouseButton.LeftButton)
    assert view.canvas.picking
    point = viewport_point(view, 18.0103, 59.2792) + QPoint(40, 25)
    lon, lat = view.canvas.lonlat_at(point)
    qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=point)
    (saved_lat, saved_lon, revision), = query(
        db_path, "SELECT lat, lon, revision FROM place WHERE lower(id) = ?", ALVSJO_TORG.hex)
    assert (saved_lat, saved_lon) == pytest.approx((lat, lon), abs=2e-6)
    assert revision == 2
    assert "Älvsjö torg" not in view.side.unlocated_names()
    assert ALVSJO_TORG in view.canvas.markers  # drawn where it was clicked
    marker = view.canvas.markers[ALVSJO_TORG].pos()
    assert (marker.x(), marker.y()) == pytest.approx(to_map(saved_lon, saved_lat))
    assert view.canvas.mapFromScene(marker) == point
    assert "sparad" in view.message.text()
    activate(qtbot, view)
    view.canvas.setFocus()
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert query(db_path, "SELECT lat, lon FROM place WHERE lower(id) = ?",
                 ALVSJO_TORG.hex) == [(None, None)]
    assert "Älvsjö torg" in view.side.unlocated_names()
    assert not view.side.undo_button.isEnabled()


def test_a_place_deleted_meanwhile_is_not_given_a_position(qtbot, ctx):
    view = open_map(qtbot, ctx)
    view.side.select(ALVSJO_TORG)
    with ctx.services() as services:  # deleted after the map was drawn
        services.places.delete(ALVSJO_TORG)
    view.start_picking()
    qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.canvas.viewport().rect().center())
    assert view.message.isVisible()
    assert "sparades inte" in view.message.text() and "hittades inte" in view.message.text()
    assert not view.side.undo_button.isEnabled()


def test_a_bad_basemap_is_said_in_words_and_the_map_goes_on(qtbot, ctx, tmp_path):
    bad = tmp_path / "karta.mbtiles"
    bad.write_bytes(b"PK\x03\x04 a zip file, not a map")
    view = open_map(qtbot, ctx, bad)
    assert view.basemap_message.isVisible()
    assert "inte en MBTiles-fil" in view.basemap_message.text()
    assert "Inställningar → Karta" in view.basemap_message.text()
    assert view.canvas.basemap is None and not view.canvas.tiles
    assert ALVSJO_CENTRUM in view.canvas.markers  # the places are still drawn


def test_settings_refuse_a_bad_basemap_and_keep_a_good_one(qtbot, ctx, tmp_path):
    box = BasemapBox(ctx)
    qtbot.addWidget(box)
    good = tmp_path / "alvsjo.mbtiles"
    make_mbtiles(good, alvsjo_tiles())
    box.use(str(good))
    assert box.path.text() == str(good) and "Sparat" in box.status.text()
    bad = tmp_path / "trasig.mbtiles"
    bad.write_text("nej")
    box.use(str(bad))
    assert "inte en MBTiles-fil" in box.status.text()
    with ctx.services() as services:
        assert services.settings.get(MAP_MBTILES) == str(good)  # the old choice stays
    box.use("")
    with ctx.services() as services:
        assert services.settings.get(MAP_MBTILES) == ""
