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
import functools
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, NoReturn

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy import inspect as sa_inspect
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
#
# The checks of each type are put together once, when the module loads (:data:`_FIELD_CHECKS`);
# a message is translated only when a check fails.

_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

def _is_uuid(value: Any) -> bool:
    """True for an id ``uuid.UUID`` accepts (its canonical form is recognised without parsing)."""
    if not isinstance(value, str):
        return False
    if _CANONICAL_UUID.fullmatch(value):
        return True
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_time(value: Any) -> bool:
    """True for an ISO 8601 time with a zone that converts to UTC."""
    if not isinstance(value, str):
        return False
    try:
        parse_time(value)
    except (ValueError, OverflowError):  # OverflowError: a year 1 time east of UTC
        return False
    return True


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_counts(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and _is_int(v) and v >= 0 for k, v in value.items())


_KIND_TESTS: dict[str, Callable[[Any], bool]] = {
    "str": lambda value: isinstance(value, str),
    "int": _is_int,
    "float": _is_number,
    "bool": lambda value: isinstance(value, bool),
    "uuid": _is_uuid,
    "datetime": _is_time,
    "counts": _is_counts,
}


def _bad_id(what: str) -> EnvelopeError:
    return EnvelopeError(_("{what} is not a valid id").format(what=what))


def _not_a_list(what: str) -> EnvelopeError:
    return EnvelopeError(_("{what} must be a list").format(what=what))


@dataclass(frozen=True)
class FieldCheck:
    """The check of one data field: ``value is None`` passes when ``optional``, any other value
    when ``test(value)``; otherwise ``fail(value)`` raises the error that names the field."""

    name: str
    optional: bool
    test: Callable[[Any], bool]
    fail: Callable[[Any], NoReturn]


def _value_check(where: str, field: Value) -> FieldCheck:
    what = f"{where}.{field.name}"

    def fail(value: Any) -> NoReturn:
        if value is None:
            raise EnvelopeError(_("{what} is missing").format(what=what))
        if field.kind == "uuid":
            raise _bad_id(what)
        raise EnvelopeError(_("{what} has the wrong type").format(what=what))
    return FieldCheck(field.name, field.optional, _KIND_TESTS[field.kind], fail)


def _text_check(where: str, field: Text) -> FieldCheck:
    what = f"{where}.{field.name}"

    def fail(value: Any) -> NoReturn:
        raise EnvelopeError(_("{what} must be text").format(what=what))
    return FieldCheck(field.name, False, _KIND_TESTS["str"], fail)


def _links_check(where: str, field: Links) -> FieldCheck:
    what = f"{where}.{field.name}"

    def test(value: Any) -> bool:
        return isinstance(value, list) and all(map(_is_uuid, value))

    def fail(value: Any) -> NoReturn:
        raise _bad_id(what) if isinstance(value, list) else _not_a_list(what)
    return FieldCheck(field.name, False, test, fail)


def _good_flag(item: Any) -> bool:
    return (isinstance(item, dict) and isinstance(item.get("reason"), str)
            and _is_uuid(item.get("place_id")))


def _flags_check(where: str, field: Flags) -> FieldCheck:
    what = f"{where}.flags"

    def test(value: Any) -> bool:
        return isinstance(value, list) and all(map(_good_flag, value))

    def fail(value: Any) -> NoReturn:
        if not isinstance(value, list):
            raise _not_a_list(what)
        for item in value:  # the first bad item says what is wrong
            if not (isinstance(item, dict) and isinstance(item.get("reason"), str)):
                raise _not_a_list(what)
            if not _is_uuid(item.get("place_id")):
                raise _bad_id(f"{what}.place_id")
        raise AssertionError("fail() called for good flags")
    return FieldCheck(field.name, False, test, fail)


def _field_checks(spec: TypeSpec) -> tuple[FieldCheck, ...]:
    makers = {Value: _value_check, Text: _text_check, Links: _links_check, Flags: _flags_check}
    return tuple(makers[type(field)](spec.name, field) for field in spec.fields)


_FIELD_CHECKS: dict[str, tuple[FieldCheck, ...]] = {
    name: _field_checks(spec) for name, spec in SPECS.items()}


def validate_envelope(env: Any) -> None:
    """Raise :class:`EnvelopeError` unless ``env`` follows the format. Unknown data keys (from a
    newer version) are allowed and ignored."""
    if not isinstance(env, dict):
        raise EnvelopeError(_("a record is not an object"))
    missing = [key for key in ENVELOPE_KEYS if key not in env]
    if missing:
        raise EnvelopeError(_("a record lacks {fields}").format(fields=", ".join(missing)))
    type_name = env["type"]
    checks = _FIELD_CHECKS.get(type_name) if isinstance(type_name, str) else None
    if checks is None:
        raise EnvelopeError(_("unknown record type \"{type}\"").format(type=type_name))
    for key in ("id", "device_id"):
        if not _is_uuid(env[key]):
            raise _bad_id(key)
    revision = env["revision"]
    if not (_is_int(revision) and revision >= 1):
        raise EnvelopeError(_("revision must be a positive whole number"))
    if not _is_time(env["updated_at"]):
        raise EnvelopeError(_("updated_at is not a time with zone"))
    if not isinstance(env["deleted"], bool):
        raise EnvelopeError(_("deleted must be true or false"))
    data = env["data"]
    if not isinstance(data, dict):
        raise EnvelopeError(_("data must be an object"))
    for check in checks:
        value = data.get(check.name)
        if value is None:
            if not check.optional:
                check.fail(value)
        elif not check.test(value):
            check.fail(value)


# -- apply ----------------------------------------------------------------------------------

class Outcome(Enum):
    APPLIED = "applied"  # the envelope won and is stored
    KEPT = "kept"  # this device already holds the same or a newer version
    REFUSED = "refused"  # another device tried to change a record owned elsewhere
    MISSING_PARENT = "missing"  # refers to a record not here yet: keep it and try again later


# A batch refers to the same places, categories and records again and again: parse those ids
# once (a few thousand are enough for one batch).
_uuid_of: Callable[[str], uuid.UUID] = functools.lru_cache(maxsize=4096)(uuid.UUID)


def _ref_fields(spec: TypeSpec) -> tuple[tuple[str, str, str], ...]:
    """``(kind, field name, parent type)`` of every field of ``spec`` that refers to a record."""
    refs = []
    for field in spec.fields:
        if isinstance(field, Value) and field.parent:
            refs.append(("value", field.name, field.parent))
        elif isinstance(field, Links):
            refs.append(("links", field.name, field.parent))
        elif isinstance(field, Flags):
            refs.append(("flags", field.name, "place"))
    return tuple(refs)


_REF_FIELDS = {name: _ref_fields(spec) for name, spec in SPECS.items()}


def parent_refs(env: Envelope) -> list[tuple[str, uuid.UUID]]:
    """Every (type, id) the envelope's record refers to."""
    refs: list[tuple[str, uuid.UUID]] = []
    data = env["data"]
    for kind, name, parent in _REF_FIELDS[env["type"]]:
        value = data.get(name)
        if kind == "value":
            if value is not None:
                refs.append((parent, _uuid_of(value)))
        elif kind == "links":
            refs.extend((parent, _uuid_of(item)) for item in value or ())
        else:
            refs.extend((parent, _uuid_of(flag["place_id"])) for flag in value or ())
    return refs


def _decode_counts(value: dict) -> dict:
    return {str(k): int(v) for k, v in value.items() if int(v)}


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "uuid": _uuid_of, "datetime": parse_time, "counts": _decode_counts, "float": float,
}


def _decode_value(field: Value, value: Any) -> Any:
    if value is None:
        return None
    decode = _DECODERS.get(field.kind)
    return value if decode is None else decode(value)


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


@dataclass(frozen=True)
class NewRecordRows:
    """How a record new to this store is written with plain INSERTs (no ORM objects): its
    row, its link rows and its flagged places, with the same values :func:`_write` gives."""

    table: Table
    values: tuple[tuple[str, Callable[[Any], Any] | None], ...]  # column, decoder
    texts: tuple[tuple[str, str | None], ...]  # column, its shareable-flag column
    links: tuple[tuple[str, Table, str, str], ...]  # field, link table, record column, item column
    flags: tuple[str, ...]  # Flags fields (rows of meeting_flag)
    never_shared: tuple[str, ...]

    @classmethod
    def of(cls, spec: TypeSpec) -> NewRecordRows:
        mapper = sa_inspect(spec.model)
        links = []
        for field in spec.fields:
            if isinstance(field, Links):
                prop = mapper.relationships[field.relation]
                links.append((field.name, prop.secondary, prop.synchronize_pairs[0][1].key,
                              prop.secondary_synchronize_pairs[0][1].key))
        fields = spec.fields
        return cls(
            table=spec.model.__table__,
            values=tuple((f.name, _DECODERS.get(f.kind)) for f in fields if isinstance(f, Value)),
            texts=tuple((f.name, f.flag) for f in fields if isinstance(f, Text)),
            links=tuple(links),
            flags=tuple(f.name for f in fields if isinstance(f, Flags)),
            never_shared=spec.never_shared,
        )

    def rows(self, env: Envelope, record_id: uuid.UUID, device_id: uuid.UUID,
             updated_at: dt.datetime) -> Iterator[tuple[Table, dict[str, Any]]]:
        """``(table, row)`` for every row the record needs, its own row first."""
        data = env["data"]
        revision = int(env["revision"])
        row: dict[str, Any] = {
            "id": record_id, "device_id": device_id, "revision": revision,
            "created_at": updated_at, "updated_at": updated_at,
            "deleted_at": updated_at if env["deleted"] else None,
            "acked_revision": revision,  # the hub holds this revision
        }
        for name, decode in self.values:
            value = data.get(name)
            row[name] = value if value is None or decode is None else decode(value)
        for name, flag in self.texts:
            value = data.get(name)
            row[name] = value or ""
            if flag:
                row[flag] = bool(value)
        for name in self.never_shared:
            row[name] = ""
        yield self.table, row
        for name, table, own, item in self.links:
            for item_id in sorted(dict.fromkeys(data.get(name) or ())):
                yield table, {own: record_id, item: _uuid_of(item_id)}
        for name in self.flags:
            wanted = {_uuid_of(f["place_id"]): (n, f["reason"])
                      for n, f in enumerate(data.get(name) or ())}
            for place_id, (position, reason) in wanted.items():
                yield MeetingFlag.__table__, {"meeting_id": record_id, "place_id": place_id,
                                              "position": position, "reason": reason}


@functools.cache
def new_record_rows(type_name: str) -> NewRecordRows:
    return NewRecordRows.of(SPECS[type_name])


_TABLE_RANK = {spec.model.__table__: TYPE_RANK[name] for name, spec in SPECS.items()}


@functools.cache
def _stored_ids_query(type_name: str):
    """SELECT the ids among ``:ids`` that are stored (one statement per type, made once)."""
    column = SPECS[type_name].model.__table__.c.id
    return select(column).where(column.in_(bindparam("ids", expanding=True)))


class ApplyCache:
    """The rows a batch of envelopes touches, loaded up front in a few queries: the records
    the envelopes are for (or None: not here) and which of the records they refer to exist.

    A record new to this store is queued as plain rows (:meth:`insert`) and written by
    :meth:`flush`, which the caller runs between types (parents before children). Records
    applied through the cache count as present before they are flushed. Lookups outside what
    was loaded fall back to the session.

    ``present``: records known to be stored in this transaction (type -> ids), shared by the
    batches of one transaction so that the places and categories every batch refers to are
    looked up once; the ids this cache finds stored are added to it. The records a batch
    writes (:attr:`written`) are added by the caller once the batch is applied for good: a
    batch rolled back must not leave them there."""

    CHUNK = 500

    def __init__(self, session: Session, envelopes: Iterable[Envelope],
                 present: dict[str, set[uuid.UUID]] | None = None):
        self.session = session
        self.present = present if present is not None else {}
        self.rows: dict[str, dict[uuid.UUID, Synced | None]] = {}
        self.known: dict[str, set[uuid.UUID]] = {}
        self.checked: dict[str, set[uuid.UUID]] = {}
        self.queued: dict[str, set[uuid.UUID]] = {}  # queued by insert(), not re-read since
        self.written: dict[str, set[uuid.UUID]] = {}  # records stored through this cache
        self.pending: dict[Table, list[dict[str, Any]]] = {}
        self._parents: dict[int, tuple[Envelope, list[tuple[str, uuid.UUID]]]] = {}
        wanted: dict[str, set[uuid.UUID]] = {}
        refs: dict[str, set[uuid.UUID]] = {}
        for env in envelopes:
            wanted.setdefault(env["type"], set()).add(_uuid_of(env["id"]))
            parents = parent_refs(env)
            self._parents[id(env)] = (env, parents)  # holding env: its id is not reused
            for parent, parent_id in parents:
                refs.setdefault(parent, set()).add(parent_id)
        with session.no_autoflush:
            for name, ids in wanted.items():
                model = SPECS[name].model
                found: dict[uuid.UUID, Synced] = {}
                for chunk in self._chunks(self._stored(name, ids)):
                    for row in session.scalars(select(model).where(model.id.in_(chunk))):
                        found[row.id] = row
                self.rows[name] = {i: found.get(i) for i in ids}
            for name, ids in refs.items():
                loaded = self.rows.get(name, {})
                known = {i for i in ids if loaded.get(i) is not None}
                known |= self._stored(name, {i for i in ids if i not in loaded})
                self.known[name] = known
                self.checked[name] = set(ids)

    @classmethod
    def _chunks(cls, ids: set[uuid.UUID]):
        items = list(ids)
        for start in range(0, len(items), cls.CHUNK):
            yield items[start:start + cls.CHUNK]

    def _stored(self, name: str, ids: set[uuid.UUID]) -> set[uuid.UUID]:
        """Which of ``ids`` are stored: those known in this transaction, and the rest looked
        up (one query per chunk, ids only)."""
        present = self.present.setdefault(name, set())
        stored = ids & present
        connection = self.session.connection()
        for chunk in self._chunks(ids - present):
            stored.update(connection.execute(_stored_ids_query(name), {"ids": chunk}).scalars())
        present |= stored
        return stored

    def parent_refs(self, env: Envelope) -> list[tuple[str, uuid.UUID]]:
        """:func:`parent_refs` of ``env``, worked out once for the envelopes of the batch."""
        held = self._parents.get(id(env))
        return held[1] if held is not None and held[0] is env else parent_refs(env)

    def row(self, name: str, record_id: uuid.UUID) -> Synced | None:
        queued = self.queued.get(name)
        if queued is not None and record_id in queued:
            # A second envelope for a record queued in this batch: write the queue and
            # compare with the stored row, as for any record that is here.
            self.flush()
            queued.discard(record_id)
            row = self.session.get(SPECS[name].model, record_id)
            self.rows.setdefault(name, {})[record_id] = row
            return row
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
        self.written.setdefault(name, set()).add(row.id)

    def insert(self, env: Envelope, record_id: uuid.UUID, device_id: uuid.UUID,
               updated_at: dt.datetime) -> None:
        """Queue the rows of a record that is not here (written by :meth:`flush`)."""
        name = env["type"]
        for table, row in new_record_rows(name).rows(env, record_id, device_id, updated_at):
            self.pending.setdefault(table, []).append(row)
        self.queued.setdefault(name, set()).add(record_id)
        self.known.setdefault(name, set()).add(record_id)
        self.written.setdefault(name, set()).add(record_id)

    def flush(self) -> None:
        """Write the session's changes, then the queued rows: records before their links."""
        self.session.flush()
        pending, self.pending = self.pending, {}
        connection = self.session.connection()
        for table in sorted(pending, key=lambda t: _TABLE_RANK.get(t, len(_TABLE_RANK))):
            connection.execute(insert(table), pending[table])


def apply_envelope(session: Session, env: Envelope, self_device_id: uuid.UUID,
                   cache: ApplyCache | None = None) -> Outcome:
    """Apply one (validated) envelope to the local store, following the rule above.

    With a ``cache`` (made for a batch that holds ``env``), the lookups go through it, a new
    record is queued in it as plain rows, and nothing is flushed: the caller runs
    :meth:`ApplyCache.flush` (parents before children)."""
    spec = SPECS[env["type"]]
    record_id = _uuid_of(env["id"])
    device_id = _uuid_of(env["device_id"])
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
    if cache is not None:
        if not all(cache.exists(parent, parent_id) for parent, parent_id in cache.parent_refs(env)):
            return Outcome.MISSING_PARENT
    elif any(session.get(SPECS[parent].model, parent_id) is None
             for parent, parent_id in parent_refs(env)):
        return Outcome.MISSING_PARENT
    updated_at = parse_time(env["updated_at"])
    if row is None and cache is not None:
        cache.insert(env, record_id, device_id, updated_at)
        return Outcome.APPLIED
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
