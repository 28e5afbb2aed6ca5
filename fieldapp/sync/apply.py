"""Applying received (validated) envelopes to the local store: :func:`apply_envelope`, its
:class:`Outcome`, and :class:`ApplyCache`, which loads what a batch touches up front and writes
records new to this store as plain batched INSERTs.

Apply rule: the envelope with the highest ``(revision, updated_at, device_id)`` wins; the
SHA-256 of the canonical ``(deleted, data)`` breaks the (practically impossible) remaining tie,
so every device ends with the same state whatever the order and however often an envelope is
applied (:func:`fieldapp.sync.envelope.sort_key`). Shifts, observations, meetings and actions
are edited only by their owner: an envelope from another device for a record owned by this
device is ignored, and so is one that tries to move an owned record to another device. Areas,
places, partners, categories and staff are shared: any device may send a newer revision.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from fieldapp.store.models import MeetingFlag, Synced
from fieldapp.sync.envelope import (
    SPECS,
    TYPE_RANK,
    Envelope,
    Flags,
    Links,
    Text,
    TypeSpec,
    Value,
    parse_time,
    sort_key,
    to_envelope,
)


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
    """Apply one (validated) envelope to the local store, following the apply rule above.

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
