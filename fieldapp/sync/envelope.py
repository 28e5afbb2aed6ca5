"""Envelopes: the unit of exchange with a hub, and the one place that says what is shared.

An envelope is ``{type, id, device_id, revision, updated_at, deleted, data}`` where ``data``
holds only the shareable fields of the record (DESIGN.md, "What leaves the laptop"). The
tables in :data:`SPECS` list, per synced type, every field that may leave the laptop; a field
that is not listed never does.

Free text:

- a shift's ``summary``, an observation's ``details`` and a meeting's ``situation`` are sent
  only when the user marked them shareable *and* the shareable-text gate
  (:mod:`fieldapp.domain.shareable`) lets them through; otherwise the envelope carries ``""``;
- text sent without a shareable mark (a place's name and description, a shift's weather, a
  meeting's title, the reason a place was flagged, an action's note) is sent only when the
  gate lets it through (the services refuse to save a place name or description, title,
  reason or note the gate refuses; this covers what older versions saved);
- the gate is given this data file's known words
  (:func:`fieldapp.store.services.known.known_words`: places, partners, staff, the
  allow-list), read through the row's own session;
- a shift's ``private_notes`` is never sent (it is not in the table).

A received record stores the text it was sent and ``""`` for everything else, so its
envelope, made again on the receiving device, equals the one it came in.

This module holds the tables, the canonical form (times, JSON, digest, :func:`sort_key`) and
:func:`to_envelope`. Checking a received envelope is :mod:`fieldapp.sync.validate`; applying
one to the store is :mod:`fieldapp.sync.apply`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import object_session

from fieldapp.domain.shareable import TextKind, may_leave
from fieldapp.store.models import (
    Action,
    ActionCarriedOut,
    Area,
    Category,
    Meeting,
    Observation,
    Partner,
    Place,
    Shift,
    Staff,
    Synced,
)
from fieldapp.store.services.known import known_words

Envelope = dict[str, Any]

ENVELOPE_KEYS = ("type", "id", "device_id", "revision", "updated_at", "deleted", "data")


class EnvelopeError(ValueError):
    """An envelope that does not follow the format (the message says which field)."""


# -- field tables ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """A plain column sent as it is. ``kind``: str, int, float, bool, uuid, datetime, counts."""

    name: str
    kind: str
    optional: bool = False
    parent: str | None = None  # for uuid columns: the synced type it refers to


@dataclass(frozen=True)
class Text:
    """Free text: sent only when the PII guard passes it (and, if ``flag`` is set, only when
    the user marked it shareable with that column)."""

    name: str
    flag: str | None = None


@dataclass(frozen=True)
class Links:
    """A many-to-many link sent as a sorted list of ids (``relation`` is the ORM attribute)."""

    name: str
    relation: str
    parent: str


@dataclass(frozen=True)
class Flags:
    """A meeting's flagged places: ``[{"place_id": ..., "reason": ...}]`` in their order."""

    name: str = "flags"


@dataclass(frozen=True)
class TypeSpec:
    name: str
    model: type[Synced]
    shared: bool  # True: any device may edit; False: only the owner device
    fields: tuple
    never_shared: tuple[str, ...] = ()  # documentation, checked by the tests


SPECS: dict[str, TypeSpec] = {spec.name: spec for spec in (
    TypeSpec("area", Area, shared=True, fields=(
        Value("key", "str", optional=True), Value("name", "str"),
    )),
    TypeSpec("place", Place, shared=True, fields=(
        Value("key", "str", optional=True), Text("name"),
        Value("area_id", "uuid", parent="area"), Value("kind", "str"),
        Value("hotspot_status", "str", optional=True),
        Value("lat", "float", optional=True), Value("lon", "float", optional=True),
        Text("description"),
    )),
    TypeSpec("partner", Partner, shared=True, fields=(
        Value("key", "str", optional=True), Value("name", "str"), Value("kind", "str"),
    )),
    TypeSpec("category", Category, shared=True, fields=(
        Value("key", "str"), Value("name_sv", "str"), Value("name_en", "str"),
        Value("hotkey", "str", optional=True), Value("sort_order", "int"),
    )),
    TypeSpec("staff", Staff, shared=True, fields=(
        Value("initials", "str"), Value("name", "str"), Value("role", "str"),
        Value("active", "bool"),
    )),
    TypeSpec("shift", Shift, shared=False, fields=(
        Value("kind", "str"), Value("starts_at", "datetime"),
        Value("ends_at", "datetime", optional=True),
        Text("weather"), Text("summary", flag="summary_shareable"),
        Value("youth_counts", "counts"), Value("adults_met", "int"),
        Value("concern_reports", "int"), Value("referrals", "int"),
        Links("staff_ids", "staff", "staff"), Links("partner_ids", "partners", "partner"),
        Links("area_ids", "areas", "area"),
    ), never_shared=("private_notes",)),
    TypeSpec("meeting", Meeting, shared=False, fields=(
        Value("kind", "str"), Value("held_at", "datetime"), Text("title"),
        Text("situation", flag="situation_shareable"),
        Links("staff_ids", "staff", "staff"), Links("partner_ids", "partners", "partner"),
        Flags(),
    )),
    TypeSpec("action", Action, shared=False, fields=(
        Value("meeting_id", "uuid", parent="meeting"),
        Value("place_id", "uuid", optional=True, parent="place"),
        Value("area_id", "uuid", optional=True, parent="area"),
        Value("starts_at", "datetime"), Value("ends_at", "datetime"),
        Value("responsible_partner_id", "uuid", optional=True, parent="partner"),
        Value("status", "str"),
        Text("note"),
    )),
    # After the action and the shift it links; owned by the device whose shift did it.
    TypeSpec("action_carried_out", ActionCarriedOut, shared=False, fields=(
        Value("action_id", "uuid", parent="action"),
        Value("shift_id", "uuid", optional=True, parent="shift"),
        Value("carried_out_at", "datetime"),
    )),
    TypeSpec("observation", Observation, shared=False, fields=(
        Value("shift_id", "uuid", optional=True, parent="shift"),
        Value("place_id", "uuid", parent="place"),
        Value("category_id", "uuid", parent="category"),
        Value("severity", "str"), Value("observed_at", "datetime"),
        Value("people_count", "int"), Value("youths_present", "int"),
        Value("action_taken", "str"), Text("details", flag="details_shareable"),
    )),
)}

# What an older app version sent differently, per type (applied on receipt by
# :func:`upgrade_data`, so its envelopes still apply): a field under its old name (old -> new),
# and a field it did not send (name -> the value it means). Migration 0006: the one shift count
# was asked for as "reports of concern made" in the end-shift dialog and sent as
# ``referrals_made``; referrals (guidance to activities) are a count of their own.
RENAMED_FIELDS: dict[str, dict[str, str]] = {"shift": {"referrals_made": "concern_reports"}}
ADDED_FIELDS: dict[str, dict[str, Any]] = {"shift": {"referrals": 0},
                                           "place": {"description": ""}}  # 0007


def upgrade_data(type_name: str, data: dict) -> None:
    """Bring the data of a received envelope from an older version up to date, in place."""
    for old, new in RENAMED_FIELDS.get(type_name, {}).items():
        if old in data:
            value = data.pop(old)
            data.setdefault(new, value)
    for name, value in ADDED_FIELDS.get(type_name, {}).items():
        data.setdefault(name, value)


# Parents before children: a bundle applied in this order never refers to a later record.
TYPE_ORDER: tuple[str, ...] = tuple(SPECS)
TYPE_RANK = {name: n for n, name in enumerate(TYPE_ORDER)}
MODEL_TYPE: dict[type, str] = {spec.model: name for name, spec in SPECS.items()}
SHARED_TYPES = frozenset(name for name, spec in SPECS.items() if spec.shared)
OWNED_TYPES = frozenset(name for name, spec in SPECS.items() if not spec.shared)


# -- canonical form -------------------------------------------------------------------------

def format_time(value: dt.datetime) -> str:
    """ISO 8601 in UTC with microseconds and ``Z``: fixed width, so strings sort as times."""
    if value.tzinfo is None:
        raise ValueError("naive datetime in an envelope")
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("time without zone")
    return parsed.astimezone(dt.timezone.utc)


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def content_digest(env: Envelope) -> str:
    return hashlib.sha256(canonical_json([bool(env["deleted"]), env["data"]])).hexdigest()


def sort_key(env: Envelope) -> tuple:
    """The apply rule (:mod:`fieldapp.sync.apply`): the highest key wins."""
    return (int(env["revision"]), parse_time(env["updated_at"]), str(env["device_id"]),
            content_digest(env))


# -- row -> envelope ------------------------------------------------------------------------

def text_kind(field_name: str, type_name: str = "") -> TextKind:
    """The gate's kind of a Text field (``"reason"`` is a flagged place's reason)."""
    if field_name == "reason":
        return TextKind.FLAG_REASON
    if (type_name, field_name) == ("place", "name"):
        return TextKind.PLACE_NAME
    if (type_name, field_name) == ("place", "description"):
        return TextKind.PLACE_DESCRIPTION
    try:
        return TextKind(field_name)
    except ValueError:
        return TextKind.TEXT


def _encode_value(field: Value, value: Any) -> Any:
    if value is None:
        return None
    if field.kind == "uuid":
        return str(value)
    if field.kind == "datetime":
        return format_time(value)
    if field.kind == "counts":
        return {str(k): int(v) for k, v in sorted((value or {}).items()) if int(v)}
    if field.kind == "float":
        return float(value)
    return value


def to_envelope(row: Synced, known: frozenset[str] | None = None) -> Envelope:
    """The envelope of ``row``: only the fields its type declares shareable. ``known``: the
    gate's known words (default: those of the row's session)."""
    name = MODEL_TYPE[type(row)]
    if known is None:
        session = object_session(row)
        known = known_words(session) if session is not None else frozenset()
    data: dict[str, Any] = {}
    for field in SPECS[name].fields:
        if isinstance(field, Value):
            data[field.name] = _encode_value(field, getattr(row, field.name))
        elif isinstance(field, Text):
            text = getattr(row, field.name) or ""
            allowed = field.flag is None or bool(getattr(row, field.flag))
            passes = may_leave(text, text_kind(field.name, name), known)
            data[field.name] = text if allowed and passes else ""
        elif isinstance(field, Links):
            data[field.name] = sorted(str(item.id) for item in getattr(row, field.relation))
        elif isinstance(field, Flags):
            data[field.name] = [
                {"place_id": str(flag.place_id),
                 "reason": flag.reason if may_leave(flag.reason, TextKind.FLAG_REASON, known)
                 else ""}
                for flag in sorted(row.flags, key=lambda f: f.position)
            ]
    return {
        "type": name,
        "id": str(row.id),
        "device_id": str(row.device_id),
        "revision": int(row.revision),
        "updated_at": format_time(row.updated_at),
        "deleted": row.deleted_at is not None,
        "data": data,
    }

