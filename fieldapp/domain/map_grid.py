"""The Karta page's coordinates: Web Mercator metres (EPSG:3857, y growing southwards, as a
screen's does), the MBTiles tile grid in those metres, and the ground length of a metre on
the map at a latitude. Built on the tile math of :mod:`fieldapp.domain.geo`; Qt-free.

A basemap tile and a place are both put on the map in these metres, so they line up exactly
whatever the zoom: the tile (z, x, y) covers ``tile_rect(z, x, y)``; a place is at
``to_map(lon, lat)``.
"""

from __future__ import annotations

import math

from fieldapp.domain.geo import world_lonlat, world_xy

WEB_MERCATOR_RADIUS_M = 6_378_137.0
WORLD_M = 2 * math.pi * WEB_MERCATOR_RADIUS_M  # the width of the world in map metres
TILE_PIXELS = 256


def to_map(lon: float, lat: float) -> tuple[float, float]:
    """Map metres (x east, y south) of a WGS84 longitude and latitude."""
    x, y = world_xy(lon, lat, 0)
    return (x - 0.5) * WORLD_M, (y - 0.5) * WORLD_M


def to_lonlat(x: float, y: float) -> tuple[float, float]:
    """The longitude and latitude at map metres (x, y): the inverse of :func:`to_map`."""
    return world_lonlat(x / WORLD_M + 0.5, y / WORLD_M + 0.5, 0)


def tile_size(zoom: int) -> float:
    """The width (and height) of one tile at ``zoom``, in map metres."""
    return WORLD_M / 2 ** zoom


def tile_rect(zoom: int, column: int, row: int) -> tuple[float, float, float]:
    """The map metres of the tile's top-left corner and its size (XYZ row: 0 at the north)."""
    size = tile_size(zoom)
    return column * size - WORLD_M / 2, row * size - WORLD_M / 2, size


def tiles_covering(zoom: int, left: float, top: float, right: float,
                   bottom: float) -> tuple[range, range]:
    """The tile columns and XYZ rows at ``zoom`` that cover the map rectangle."""
    size, last = tile_size(zoom), 2 ** zoom - 1
    columns = range(max(0, math.floor((left + WORLD_M / 2) / size)),
                    min(last, math.floor((right + WORLD_M / 2) / size)) + 1)
    rows = range(max(0, math.floor((top + WORLD_M / 2) / size)),
                 min(last, math.floor((bottom + WORLD_M / 2) / size)) + 1)
    return columns, rows


def zoom_for(map_metres_per_pixel: float) -> int:
    """The tile zoom whose pixels are closest to the screen's pixels at this scale."""
    if map_metres_per_pixel <= 0:
        return 0
    return max(0, round(math.log2(WORLD_M / (TILE_PIXELS * map_metres_per_pixel))))


def ground_metres(map_metres: float, y: float) -> float:
    """The ground length of ``map_metres`` at map height ``y`` (Mercator stretches a metre by
    1 / cos(latitude))."""
    _lon, lat = to_lonlat(0.0, y)
    return map_metres * math.cos(math.radians(lat))
