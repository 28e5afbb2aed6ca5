"""Envelopes: the unit of exchange with a hub, and the one place that says what is shared.

An envelope is ``{type, id, device_id, revision, updated_at, deleted, data}`` where ``data``
holds only the shareable fields of the record (DESIGN.md, "What leaves the laptop"). The
tables in :data:`SPECS` list, per synced type, every field that may leave the laptop; a field
that is not listed never does.

Free text:

- a shift's ``summary``, an observation's ``details`` and a meeting's ``situation`` are sent
  only when the user marked them shareable *and* the PII guard finds nothing; otherwise the
  envelope carries ``""``;
- short descriptive text without a shareable mark (a shift's weather, a meeting's title, the
  reason a place was flagged, an action's note) is sent only when the PII guard finds nothing;
- a shift's ``private_notes`` is never sent (it is not in the table).

A received record stores the text it was sent and ``""`` for everything else, so its
envelope, made again on the receiving device, equals the one it came in.

Apply rule: the envelope with the highest ``(revision, updated_at, device_id)`` wins; the
SHA-256 of the canonical ``(deleted, data)`` breaks the (practically impossible) remaining tie,
so every device ends with the same state whatever the order and however often an envelope is
applied. Shifts, observations, meetings and actions are edited only by their owner: an
envelope from another device for a record owned by this device is ignored, and so is one that
tries to move an owned record to another device. Areas, places, partners, categories and staff
are shared: any device may send a newer revision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.i18n import _
from fieldapp.store.models import (
    Action,
    Area,
    Category,
    Meeting,
    MeetingFlag,
    Observation,
    Partner,
    Place,
    Shift,
    Staff,
    Synced,
)

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
        Value("key", "str", optional=True), Value("name", "str"),
        Value("area_id", "uuid", parent="area"), Value("kind", "str"),
        Value("hotspot_status", "str", optional=True),
        Value("lat", "float", optional=True), Value("lon", "float", optional=True),
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
        Value("referrals_made", "int"),
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
        Value("carried_out_shift_id", "uuid", optional=True, parent="shift"),
        Text("note"),
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
    """The apply rule: the highest key wins."""
    return (int(env["revision"]), parse_time(env["updated_at"]), str(env["device_id"]),
            content_digest(env))


# -- row -> envelope ------------------------------------------------------------------------

def _shareable_text(text: str) -> bool:
    from fieldapp.domain.pii import is_shareable  # written alongside; imported when used

    return is_shareable(text)


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


def to_envelope(row: Synced) -> Envelope:
    """The envelope of ``row``: only the fields its type declares shareable."""
    name = MODEL_TYPE[type(row)]
    data: dict[str, Any] = {}
    for field in SPECS[name].fields:
        if isinstance(field, Value):
            data[field.name] = _encode_value(field, getattr(row, field.name))
        elif isinstance(field, Text):
            text = getattr(row, field.name) or ""
            allowed = field.flag is None or bool(getattr(row, field.flag))
            data[field.name] = text if allowed and _shareable_text(text) else ""
        elif isinstance(field, Links):
            data[field.name] = sorted(str(item.id) for item in getattr(row, field.relation))
        elif isinstance(field, Flags):
            data[field.name] = [
                {"place_id": str(flag.place_id),
                 "reason": flag.reason if _shareable_text(flag.reason or "") else ""}
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


# -- validation -----------------------------------------------------------------------------

def _check(condition: bool, message: str) -> None:
    if not condition:
        raise EnvelopeError(message)


def _check_uuid(value: Any, what: str) -> None:
    try:
        _check(isinstance(value, str), "")
        uuid.UUID(value)
    except (ValueError, EnvelopeError):
        raise EnvelopeError(_("{what} is not a valid id").format(what=what)) from None


def _check_value(field: Value, value: Any, where: str) -> None:
    what = f"{where}.{field.name}"
    if value is None:
        _check(field.optional, _("{what} is missing").format(what=what))
        return
    bad = _("{what} has the wrong type").format(what=what)
    if field.kind == "str":
        _check(isinstance(value, str), bad)
    elif field.kind == "int":
        _check(isinstance(value, int) and not isinstance(value, bool), bad)
    elif field.kind == "float":
        _check(isinstance(value, (int, float)) and not isinstance(value, bool), bad)
    elif field.kind == "bool":
        _check(isinstance(value, bool), bad)
    elif field.kind == "uuid":
        _check_uuid(value, what)
    elif field.kind == "datetime":
        try:
            _check(isinstance(value, str), bad)
            parse_time(value)
        except ValueError:
            raise EnvelopeError(bad) from None
    elif field.kind == "counts":
        _check(isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
            for k, v in value.items()), bad)


def validate_envelope(env: Any) -> None:
    """Raise :class:`EnvelopeError` unless ``env`` follows the format. Unknown data keys (from a
    newer version) are allowed and ignored."""
    _check(isinstance(env, dict), _("a record is not an object"))
    missing = [key for key in ENVELOPE_KEYS if key not in env]
    _check(not missing, _("a record lacks {fields}").format(fields=", ".join(missing)))
    _check(env["type"] in SPECS, _("unknown record type \"{type}\"").format(type=env["type"]))
    _check_uuid(env["id"], "id")
    _check_uuid(env["device_id"], "device_id")
    _check(isinstance(env["revision"], int) and not isinstance(env["revision"], bool)
           and env["revision"] >= 1, _("revision must be a positive whole number"))
    try:
        _check(isinstance(env["updated_at"], str), "")
        parse_time(env["updated_at"])
    except (ValueError, EnvelopeError):
        raise EnvelopeError(_("updated_at is not a time with zone")) from None
    _check(isinstance(env["deleted"], bool), _("deleted must be true or false"))
    data = env["data"]
    _check(isinstance(data, dict), _("data must be an object"))
    where = env["type"]
    for field in SPECS[where].fields:
        value = data.get(field.name)
        if isinstance(field, Value):
            _check_value(field, value, where)
        elif isinstance(field, Text):
            _check(isinstance(value, str), _("{what} must be text").format(what=f"{where}.{field.name}"))
        elif isinstance(field, Links):
            _check(isinstance(value, list), _("{what} must be a list").format(what=f"{where}.{field.name}"))
            for item in value:
                _check_uuid(item, f"{where}.{field.name}")
        elif isinstance(field, Flags):
            _check(isinstance(value, list), _("{what} must be a list").format(what=f"{where}.flags"))
            for item in value:
                _check(isinstance(item, dict) and isinstance(item.get("reason"), str),
                       _("{what} must be a list").format(what=f"{where}.flags"))
                _check_uuid(item.get("place_id"), f"{where}.flags.place_id")


# -- apply ----------------------------------------------------------------------------------

class Outcome(Enum):
    APPLIED = "applied"  # the envelope won and is stored
    KEPT = "kept"  # this device already holds the same or a newer version
    REFUSED = "refused"  # another device tried to change a record owned elsewhere
    MISSING_PARENT = "missing"  # refers to a record not here yet: keep it and try again later


def parent_refs(env: Envelope) -> list[tuple[str, uuid.UUID]]:
    """Every (type, id) the envelope's record refers to."""
    refs: list[tuple[str, uuid.UUID]] = []
    data = env["data"]
    for field in SPECS[env["type"]].fields:
        if isinstance(field, Value) and field.parent and data.get(field.name) is not None:
            refs.append((field.parent, uuid.UUID(data[field.name])))
        elif isinstance(field, Links):
            refs.extend((field.parent, uuid.UUID(i)) for i in data.get(field.name) or ())
        elif isinstance(field, Flags):
            refs.extend(("place", uuid.UUID(f["place_id"])) for f in data.get(field.name) or ())
    return refs


def _decode_value(field: Value, value: Any) -> Any:
    if value is None:
        return None
    if field.kind == "uuid":
        return uuid.UUID(value)
    if field.kind == "datetime":
        return parse_time(value)
    if field.kind == "counts":
        return {str(k): int(v) for k, v in value.items() if int(v)}
    if field.kind == "float":
        return float(value)
    return value


def _write(session: Session, row: Synced, env: Envelope, cache: ApplyCache | None = None) -> None:
    spec = SPECS[env["type"]]
    data = env["data"]
    for field in spec.fields:
        value = data.get(field.name)
        if isinstance(field, Value):
            setattr(row, field.name, _decode_value(field, value))
        elif isinstance(field, Text):
            setattr(row, field.name, value or "")
            if field.flag:
                setattr(row, field.flag, bool(value))
        elif isinstance(field, Links):
            model = SPECS[field.parent].model
            ids = sorted(dict.fromkeys(value or ()))
            if cache is not None:
                items = [cache.obj(field.parent, uuid.UUID(i)) for i in ids]
            else:
                items = [session.get(model, uuid.UUID(i)) for i in ids]
            setattr(row, field.relation, items)
        elif isinstance(field, Flags):
            wanted = {uuid.UUID(f["place_id"]): (n, f["reason"]) for n, f in enumerate(value or ())}
            kept = []
            for flag in list(row.flags):  # update in place: same primary key, no row switch
                if flag.place_id in wanted:
                    flag.position, flag.reason = wanted.pop(flag.place_id)
                    kept.append(flag)
            kept += [MeetingFlag(place_id=pid, position=n, reason=reason)
                     for pid, (n, reason) in wanted.items()]
            row.flags = sorted(kept, key=lambda f: f.position)
    for name in spec.never_shared:
        setattr(row, name, "")


class ApplyCache:
    """The rows a batch of envelopes touches, loaded up front in a few queries: the records
    the envelopes are for (or None: not here) and which of the records they refer to exist.
    Records applied through the cache are remembered (they count as present before they are
    flushed). Lookups outside what was loaded fall back to the session."""

    CHUNK = 500

    def __init__(self, session: Session, envelopes: Iterable[Envelope]):
        self.session = session
        self.rows: dict[str, dict[uuid.UUID, Synced | None]] = {}
        self.known: dict[str, set[uuid.UUID]] = {}
        self.checked: dict[str, set[uuid.UUID]] = {}
        wanted: dict[str, set[uuid.UUID]] = {}
        refs: dict[str, set[uuid.UUID]] = {}
        for env in envelopes:
            wanted.setdefault(env["type"], set()).add(uuid.UUID(env["id"]))
            for parent, parent_id in parent_refs(env):
                refs.setdefault(parent, set()).add(parent_id)
        with session.no_autoflush:
            for name, ids in wanted.items():
                model = SPECS[name].model
                found: dict[uuid.UUID, Synced] = {}
                for chunk in self._chunks(ids):
                    for row in session.scalars(select(model).where(model.id.in_(chunk))):
                        found[row.id] = row
                self.rows[name] = {i: found.get(i) for i in ids}
            for name, ids in refs.items():
                model = SPECS[name].model
                loaded = self.rows.get(name, {})
                ask = {i for i in ids if i not in loaded}
                known = {i for i in ids if loaded.get(i) is not None}
                for chunk in self._chunks(ask):
                    known.update(session.scalars(select(model.id).where(model.id.in_(chunk))))
                self.known[name] = known
                self.checked[name] = set(ids)

    @classmethod
    def _chunks(cls, ids: set[uuid.UUID]):
        items = sorted(ids)
        for start in range(0, len(items), cls.CHUNK):
            yield items[start:start + cls.CHUNK]

    def row(self, name: str, record_id: uuid.UUID) -> Synced | None:
        rows = self.rows.get(name)
        if rows is not None and record_id in rows:
            return rows[record_id]
        return self.session.get(SPECS[name].model, record_id)

    def exists(self, name: str, record_id: uuid.UUID) -> bool:
        if record_id in self.known.get(name, ()):
            return True
        if self.rows.get(name, {}).get(record_id) is not None:
            return True
        if record_id in self.checked.get(name, ()):
            return False
        return self.session.get(SPECS[name].model, record_id) is not None

    def obj(self, name: str, record_id: uuid.UUID) -> Synced | None:
        row = self.rows.get(name, {}).get(record_id)
        if row is not None:
            return row
        return self.session.get(SPECS[name].model, record_id)

    def stored(self, name: str, row: Synced) -> None:
        self.rows.setdefault(name, {})[row.id] = row
        self.known.setdefault(name, set()).add(row.id)


def apply_envelope(session: Session, env: Envelope, self_device_id: uuid.UUID,
                   cache: ApplyCache | None = None) -> Outcome:
    """Apply one (validated) envelope to the local store, following the rule above.

    With a ``cache`` (made for a batch that holds ``env``), the lookups go through it and the
    change is not flushed: the caller flushes (parents before children)."""
    spec = SPECS[env["type"]]
    record_id = uuid.UUID(env["id"])
    device_id = uuid.UUID(env["device_id"])
    row = cache.row(env["type"], record_id) if cache is not None else session.get(spec.model, record_id)
    if not spec.shared:
        if row is not None and row.device_id == self_device_id and device_id != self_device_id:
            return Outcome.REFUSED
        if row is not None and row.device_id != device_id:
            return Outcome.REFUSED
    if row is not None:
        local = to_envelope(row)
        mine, theirs = sort_key(env), sort_key(local)
        if mine <= theirs:
            if mine == theirs:
                row.acked_revision = max(row.acked_revision, int(env["revision"]))
            return Outcome.KEPT
    for parent, parent_id in parent_refs(env):
        if cache is not None:
            if not cache.exists(parent, parent_id):
                return Outcome.MISSING_PARENT
        elif session.get(SPECS[parent].model, parent_id) is None:
            return Outcome.MISSING_PARENT
    updated_at = parse_time(env["updated_at"])
    with session.no_autoflush:
        new = row is None
        if new:
            row = spec.model(id=record_id, created_at=updated_at)
        row.device_id = device_id
        row.revision = int(env["revision"])
        row.updated_at = updated_at
        if env["deleted"]:
            row.deleted_at = row.deleted_at or updated_at
        else:
            row.deleted_at = None
        _write(session, row, env, cache)
        row.acked_revision = int(env["revision"])  # the hub holds this revision
        if new:
            session.add(row)
    if cache is not None:
        cache.stored(env["type"], row)
    else:
        session.flush()
    return Outcome.APPLIED


def sort_for_apply(envelopes: Iterable[Envelope]) -> list[Envelope]:
    """Parents before children, keeping the given order within a type."""
    return sorted(envelopes, key=lambda env: TYPE_RANK.get(env.get("type"), len(TYPE_RANK)))
