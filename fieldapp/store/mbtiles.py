"""A raster MBTiles file (a SQLite file of map tiles, the common offline basemap format) read
with the standard library's sqlite3, read-only; nothing is ever written to it and no network is
used. Tiles are asked for in the XYZ scheme (row 0 at the north); MBTiles store TMS rows (row 0
at the south), flipped here (:func:`fieldapp.domain.geo.tms_row`).

Opening checks what the map needs and says in Swedish what is wrong and what to do: a missing
file, a file that is no SQLite file or no MBTiles file, vector tiles (the map draws raster
PNG, JPEG or WebP tiles), a file without tiles. The map goes on without a basemap then.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from fieldapp.domain.geo import tms_row
from fieldapp.i18n import _

RASTER_FORMATS = ("png", "jpg", "jpeg", "webp")
_SIGNATURES = ((b"\x89PNG", "png"), (b"\xff\xd8", "jpg"), (b"RIFF", "webp"))


class MBTilesError(ValueError):
    """The file cannot be used as a basemap; the message says why and what to do."""


@dataclass(frozen=True)
class TileSetInfo:
    name: str
    format: str
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None  # west, south, east, north (WGS84)
    attribution: str


def _after() -> str:
    return _("Choose another file under Settings → Map (the map is drawn without a basemap "
             "meanwhile).")


def _bounds(text: str | None) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(part) for part in (text or "").split(","))
    except ValueError:
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return west, south, east, north


class MBTiles:
    """An open MBTiles file. ``tile(z, x, y)`` gives a tile's image bytes, or None."""

    def __init__(self, path: Path, connection: sqlite3.Connection, info: TileSetInfo):
        self.path = path
        self._con = connection
        self.info = info

    @classmethod
    def open(cls, path: str | Path) -> MBTiles:
        path = Path(path).expanduser()
        if not path.is_file():
            raise MBTilesError(_("The map file {path} cannot be found. Check that the drive is "
                                 "connected. {what}").format(path=path, what=_after()))
        try:
            with path.open("rb") as handle:
                header = handle.read(16)
        except OSError as exc:
            raise MBTilesError(_("The map file {path} cannot be read ({error}). {what}").format(
                path=path, error=exc.strerror or exc, what=_after())) from None
        if header != b"SQLite format 3\x00":
            raise MBTilesError(_("The file {path} is not an MBTiles map file (an MBTiles file is "
                                 "a SQLite file of map tiles). {what}").format(
                path=path, what=_after()))
        try:
            con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                  check_same_thread=False)
            info = cls._read_info(con, path)
        except sqlite3.Error as exc:
            raise MBTilesError(_("The map file {path} is damaged or is no MBTiles file "
                                 "({error}). {what}").format(path=path, error=exc,
                                                             what=_after())) from None
        return cls(path, con, info)

    @staticmethod
    def _read_info(con: sqlite3.Connection, path: Path) -> TileSetInfo:
        tables = {row[0] for row in con.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        if "tiles" not in tables:
            raise MBTilesError(_("The file {path} is a SQLite file but holds no map tiles (no "
                                 "table \u201ctiles\u201d). {what}").format(
                path=path, what=_after()))
        meta = dict(con.execute("SELECT name, value FROM metadata")) if "metadata" in tables else {}
        low, high = con.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        if low is None:
            raise MBTilesError(_("The map file {path} holds no tiles. {what}").format(
                path=path, what=_after()))
        fmt = str(meta.get("format") or "").lower()
        if not fmt:
            first = con.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()[0] or b""
            fmt = next((name for magic, name in _SIGNATURES if bytes(first).startswith(magic)), "")
        if fmt not in RASTER_FORMATS:
            raise MBTilesError(_("The map file {path} holds {format} tiles; Fältlogg draws "
                                 "raster tiles (PNG, JPEG or WebP). Make a raster MBTiles file "
                                 "(the README says how). {what}").format(
                path=path, format=fmt or _("unknown"), what=_after()))
        return TileSetInfo(name=str(meta.get("name") or path.stem), format=fmt,
                           min_zoom=int(low), max_zoom=int(high),
                           bounds=_bounds(meta.get("bounds")),
                           attribution=str(meta.get("attribution") or ""))

    def tile(self, zoom: int, column: int, row: int) -> bytes | None:
        """The image bytes of XYZ tile (zoom, column, row), None when the file has none."""
        found = self._con.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? "
            "AND tile_row = ?", (zoom, column, tms_row(row, zoom))).fetchone()
        return bytes(found[0]) if found and found[0] else None

    def close(self) -> None:
        self._con.close()


__all__ = ["MBTiles", "MBTilesError", "RASTER_FORMATS", "TileSetInfo"]
