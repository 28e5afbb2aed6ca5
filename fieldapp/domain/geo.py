"""Small map arithmetic for the lägesbild's map and the Karta page: a local projection of
WGS84 longitude/latitude to metres, a fitted view with a scale bar, and the Web Mercator tile
grid of MBTiles files. Plain math, Qt-free.

A district is a few kilometres across, so a local equirectangular projection (metres east and
north of the view's centre, longitudes shrunk by the cosine of the centre's latitude) is off by
well under a percent: good enough to place points and draw a scale bar.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
MIN_SPAN_M = 400.0  # a view is at least this wide, so a single place is not a point


@dataclass(frozen=True)
class LocalProjection:
    """Metres east and north of (``lat0``, ``lon0``)."""

    lat0: float
    lon0: float

    def to_metres(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.lon0) * METRES_PER_DEGREE * math.cos(math.radians(self.lat0)),
                (lat - self.lat0) * METRES_PER_DEGREE)

    def to_lonlat(self, east: float, north: float) -> tuple[float, float]:
        return (self.lon0 + east / (METRES_PER_DEGREE * math.cos(math.radians(self.lat0))),
                self.lat0 + north / METRES_PER_DEGREE)


@dataclass(frozen=True)
class View:
    """``points`` (lon, lat) fitted into a ``width`` × ``height`` area (y grows upwards), with
    a margin: :meth:`place` gives a point's position, ``metres_per_unit`` the scale."""

    projection: LocalProjection
    width: float
    height: float
    metres_per_unit: float

    def place(self, lon: float, lat: float) -> tuple[float, float]:
        east, north = self.projection.to_metres(lon, lat)
        return (self.width / 2 + east / self.metres_per_unit,
                self.height / 2 + north / self.metres_per_unit)

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        return self.projection.to_lonlat((x - self.width / 2) * self.metres_per_unit,
                                         (y - self.height / 2) * self.metres_per_unit)


def fit(points: Iterable[tuple[float, float]], width: float, height: float,
        margin: float = 0.1) -> View | None:
    """The view that shows every (lon, lat) of ``points``; None when there are none."""
    points = list(points)
    if not points:
        return None
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    projection = LocalProjection(lat0=(min(lats) + max(lats)) / 2,
                                 lon0=(min(lons) + max(lons)) / 2)
    east, north = projection.to_metres(max(lons), max(lats))
    span_x, span_y = max(2 * east, MIN_SPAN_M), max(2 * north, MIN_SPAN_M)
    usable = 1 - 2 * margin
    scale = max(span_x / (width * usable), span_y / (height * usable))
    return View(projection=projection, width=width, height=height, metres_per_unit=scale)


def scale_bar(metres_per_unit: float, max_units: float) -> tuple[float, str]:
    """A round length (1, 2 or 5 × 10ⁿ metres) that fits in ``max_units``: its length in units
    and its label ("500 m", "2 km")."""
    limit = metres_per_unit * max_units
    metres = 1.0
    for exponent in range(0, 8):
        for step in (1, 2, 5):
            candidate = step * 10 ** exponent
            if candidate <= limit:
                metres = candidate
    label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    return metres / metres_per_unit, label


# -- Web Mercator tiles (MBTiles, TMS rows) ----------------------------------------------------

MAX_LATITUDE = 85.05112878


def world_xy(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel-tile coordinates at ``zoom``: tile column and row (XYZ: row 0 at the
    north) as floats; the tile is their integer part."""
    lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
    n = 2 ** zoom
    x = (lon + 180.0) / 360.0 * n
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) \
        / 2 * n
    return x, y


def world_lonlat(x: float, y: float, zoom: int) -> tuple[float, float]:
    """The inverse of :func:`world_xy`."""
    n = 2 ** zoom
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


def tms_row(xyz_row: int, zoom: int) -> int:
    """MBTiles store rows the TMS way (row 0 at the south): the flip of an XYZ row."""
    return (2 ** zoom - 1) - xyz_row


def metres_per_tile(lat: float, zoom: int) -> float:
    """The ground width of one tile at ``lat`` and ``zoom``."""
    return 2 * math.pi * 6_378_137.0 * math.cos(math.radians(lat)) / 2 ** zoom
