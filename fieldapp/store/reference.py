"""Load reference data (areas, places, partners, categories) from ``resources/*.toml``.

Ids are stable (:func:`fieldapp.domain.ids.reference_id`), so loading again adds only what is
new and never duplicates or overwrites what a device already has (places are shared and may
have been edited since).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.domain.enums import PartnerKind, PlaceKind, PlaceStatus
from fieldapp.domain.ids import reference_id
from fieldapp.paths import resources_dir
from fieldapp.store.models import REFERENCE_DEVICE_ID, Area, Category, Partner, Place


class ReferenceDataError(ValueError):
    """A reference file that does not follow its format; names file, item and field."""


@dataclass
class LoadResult:
    added: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.added.values())


def _read(folder: Path, name: str, table: str) -> list[dict]:
    path = folder / f"{name}.toml"
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ReferenceDataError(f"{path}: {exc}") from exc
    items = data.get(table, [])
    keys = [item.get("key") for item in items]
    for index, item in enumerate(items):
        if not isinstance(item.get("key"), str) or not item["key"]:
            raise ReferenceDataError(f"{path}: item {index + 1} has no key")
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise ReferenceDataError(f"{path}: duplicate keys {sorted(duplicates)}")
    return items


def _require(path: str, item: dict, name: str, allowed=None):
    value = item.get(name)
    if value is None or (allowed is not None and value not in allowed):
        hint = f" (one of {sorted(allowed)})" if allowed is not None else ""
        raise ReferenceDataError(f"{path}: {item.get('key')}: field {name!r} missing or invalid{hint}")
    return value


def load_reference_data(session: Session, folder: Path | None = None) -> LoadResult:
    folder = folder or resources_dir()
    result = LoadResult()
    existing = {
        model: set(session.scalars(select(model.id)))
        for model in (Area, Place, Partner, Category)
    }

    def add(model, kind: str, row):
        if row.id not in existing[model]:
            session.add(row)
            existing[model].add(row.id)
            result.added[kind] = result.added.get(kind, 0) + 1

    common = {"device_id": REFERENCE_DEVICE_ID, "revision": 1}
    area_keys = set()
    for item in _read(folder, "areas", "area"):
        area_keys.add(item["key"])
        add(Area, "areas", Area(
            id=reference_id("area", item["key"]), key=item["key"],
            name=_require("areas.toml", item, "name"), **common,
        ))
    session.flush()
    for item in _read(folder, "places", "place"):
        area_key = _require("places.toml", item, "area", area_keys)
        hotspot = item.get("hotspot")
        if hotspot is not None and hotspot not in {s.value for s in PlaceStatus}:
            raise ReferenceDataError(f"places.toml: {item['key']}: hotspot {hotspot!r} invalid")
        add(Place, "places", Place(
            id=reference_id("place", item["key"]), key=item["key"],
            name=_require("places.toml", item, "name"),
            area_id=reference_id("area", area_key),
            kind=_require("places.toml", item, "kind", {k.value for k in PlaceKind}),
            hotspot_status=hotspot, lat=item.get("lat"), lon=item.get("lon"), **common,
        ))
    for item in _read(folder, "partners", "partner"):
        add(Partner, "partners", Partner(
            id=reference_id("partner", item["key"]), key=item["key"],
            name=_require("partners.toml", item, "name"),
            kind=_require("partners.toml", item, "kind", {k.value for k in PartnerKind}),
            **common,
        ))
    for order, item in enumerate(_read(folder, "categories", "category")):
        add(Category, "categories", Category(
            id=reference_id("category", item["key"]), key=item["key"],
            name_sv=_require("categories.toml", item, "name_sv"),
            name_en=_require("categories.toml", item, "name_en"),
            hotkey=item.get("hotkey"), sort_order=order, **common,
        ))
    session.flush()
    return result
