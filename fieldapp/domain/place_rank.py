"""Which place a worker most likely means: this device's own places first, ranked by how
often it noted observations there in the last weeks and then by how recently; every other
place after them by name. The quick observation dialog completes over places in this order,
so a few letters and Enter take the place the worker uses, not the first one of the alphabet.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from fieldapp.domain.records import PlaceRecord

RANK_WEEKS = 8  # how far back a device's observations count for the ranking


@dataclass(frozen=True)
class PlaceUse:
    """How much this device used a place in the ranking period."""

    place_id: uuid.UUID
    count: int  # observations noted there
    last_at: dt.datetime  # the latest of them


def rank_places(places: Iterable[PlaceRecord], usage: Iterable[PlaceUse]) -> list[PlaceRecord]:
    """``places`` with the used ones first (most observations first, then the latest use,
    then the name), then the unused ones by name."""
    use = {u.place_id: u for u in usage}
    places = list(places)
    used = [p for p in places if p.id in use]
    used.sort(key=lambda p: p.name.casefold())
    used.sort(key=lambda p: (use[p.id].count, use[p.id].last_at), reverse=True)
    rest = sorted((p for p in places if p.id not in use), key=lambda p: p.name.casefold())
    return used + rest


def matching(places: Iterable[PlaceRecord], text: str) -> list[PlaceRecord]:
    """The places whose name holds ``text`` (case-insensitive), in the order given."""
    needle = text.strip().casefold()
    if not needle:
        return []
    return [p for p in places if needle in p.name.casefold()]


__all__ = ["RANK_WEEKS", "PlaceUse", "matching", "rank_places"]
