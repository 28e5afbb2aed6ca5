"""Checking received envelopes: :func:`validate_envelope` checks an envelope's format, and
:func:`screen_envelope` holds it to what a local save allows before it is stored.

The format checks of each type are put together once, when the module loads
(:data:`_FIELD_CHECKS`), from the field tables in :data:`fieldapp.sync.envelope.SPECS`; a
message is translated only when a check fails.

Screening (run on every received record, whatever the sender's version or intent):

- **Counts** (a shift's adults met, referrals made and youth counts; an observation's people
  and youths present) get the local limits of :mod:`fieldapp.domain.validation`: whole
  numbers from 0 to ``MAX_COUNT``, known age bands and genders, youths present at most the
  people counted. A record that breaks one is **refused whole** (not stored, the reason in
  the sync report): a count cannot be blanked without making the statistics lie, and the
  sender's next revision comes through once it is right. The rest of the bundle applies.
- **Texts** (every free-text field the envelope carries: a place's name and description, a
  shift's weather and summary, a meeting's title and situation picture, an action's note, an
  observation's details; and a flagged place's reason) get
  the local length rules (``check_text``: no NUL, at most the field's length) and the
  shareable-text gate (:func:`fieldapp.domain.shareable.gate`, with this device's known
  words: :func:`fieldapp.store.services.known.known_words`). A text that fails either is
  **stored empty** (its shareable mark off) and the rest of the record is kept; the sync
  report names the record, the field and the reason, never the text itself. The refused
  text never reaches this device's disk.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from fieldapp.domain.shareable import TextKind, gate, refusal_reason
from fieldapp.domain.validation import MAX_TEXT_LENGTH, check_count, check_text, parse_youth_key
from fieldapp.i18n import _
from fieldapp.sync.envelope import (
    ENVELOPE_KEYS,
    SPECS,
    Envelope,
    EnvelopeError,
    Flags,
    Links,
    Text,
    TypeSpec,
    Value,
    parse_time,
    upgrade_data,
    text_kind,
)

# -- bounds (issue 14) ----------------------------------------------------------------------
# A revision is a whole number from 1 to the largest PostgreSQL ``integer`` (the hub's column;
# SQLite's integers go further). A received revision may be at most MAX_REVISION_STEP above
# the revision this device holds (0 for a record new here): an honest device adds 1 per
# edit, so a step that size means a hundred thousand edits of one record between two syncs.
# A bundle holds each record once (fieldapp.sync.bundle), so one bundle climbs one step at
# most: pinning a record at the top takes more than 21,000 bundles applied one after the
# other, where one bundle with revision 2**62 (or 2**31 - 1) is refused outright.
MAX_REVISION = 2**31 - 1
MAX_REVISION_STEP = 100_000
# Whole numbers in a record's data stay within the same range.
MAX_DATA_INT = 2**31 - 1
# ``updated_at``: not before 2000 (no record of the app is older) and not more than
# MAX_CLOCK_SKEW after this device's clock: two days tolerate a wrong clock, a wrong time
# zone and a laptop left in another summer time, while a record dated far in the future
# (year 9999) cannot win every tie for ever. Checked on receipt (screen_envelope).
EARLIEST_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
MAX_CLOCK_SKEW = dt.timedelta(days=2)

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


def _is_data_int(value: Any) -> bool:
    return _is_int(value) and -MAX_DATA_INT <= value <= MAX_DATA_INT


def _is_number(value: Any) -> bool:
    """A finite number (JSON's NaN and 1e400 = infinity are refused: they could not be sent
    on)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return _is_data_int(value)


def _is_counts(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and _is_data_int(v) and v >= 0 for k, v in value.items())


_KIND_TESTS: dict[str, Callable[[Any], bool]] = {
    "str": lambda value: isinstance(value, str),
    "int": _is_data_int,
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
    if revision > MAX_REVISION:
        raise EnvelopeError(_("revision {revision} is above the highest allowed ({limit})").format(
            revision=revision, limit=MAX_REVISION))
    if not _is_time(env["updated_at"]):
        raise EnvelopeError(_("updated_at is not a time with zone"))
    if parse_time(env["updated_at"]) < EARLIEST_TIME:
        raise EnvelopeError(_("updated_at is before the year 2000"))
    if not isinstance(env["deleted"], bool):
        raise EnvelopeError(_("deleted must be true or false"))
    data = env["data"]
    if not isinstance(data, dict):
        raise EnvelopeError(_("data must be an object"))
    upgrade_data(type_name, data)  # an older version's field names
    for check in checks:
        value = data.get(check.name)
        if value is None:
            if not check.optional:
                check.fail(value)
        elif not check.test(value):
            check.fail(value)


# -- screening: the limits of a local save, and the shareable-text gate ----------------------

# The longest text a local save accepts, per type and field (the services' rules).
TEXT_LIMITS: dict[tuple[str, str], int] = {
    ("place", "name"): 200, ("place", "description"): 1000,
    ("shift", "weather"): 100, ("shift", "summary"): MAX_TEXT_LENGTH,
    ("meeting", "title"): 200, ("meeting", "situation"): MAX_TEXT_LENGTH,
    ("action", "note"): 2000, ("observation", "details"): MAX_TEXT_LENGTH,
}
FLAG_REASON_LIMIT = 1000
COUNT_FIELDS: dict[str, tuple[str, ...]] = {
    "shift": ("adults_met", "concern_reports", "referrals"),
    "observation": ("people_count", "youths_present"),
}


@dataclass(frozen=True)
class Screened:
    """A received envelope as this device stores it, and the texts it left out."""

    envelope: Envelope
    refused_texts: tuple[tuple[str, str], ...] = ()  # (field, reason)


def _count_problems(type_name: str, data: dict) -> list[str]:
    problems = [error.message for name in COUNT_FIELDS.get(type_name, ())
                for error in check_count(name, data.get(name), label=name)]
    if type_name == "observation" and not problems and \
            data["youths_present"] > data["people_count"]:
        problems.append(_("youths_present is larger than people_count"))
    counts = data.get("youth_counts") if type_name == "shift" else None
    if counts:
        for key, count in counts.items():
            try:
                parse_youth_key(key)
            except ValueError:
                problems.append(_("youth_counts has an unknown age band or gender ({key})")
                                .format(key=key[:40]))
            problems += [e.message for e in check_count("youth_counts", count, label=key[:40])]
        if not problems:
            problems += [e.message for e in check_count(
                "youth_counts", sum(counts.values()), label="youth_counts")]
    return problems


def _text_problem(name: str, value: str, limit: int, kind: TextKind,
                  known: frozenset[str]) -> str | None:
    errors = check_text(name, value, label=name, max_length=limit)
    if errors:
        return errors[0].message
    findings = gate(value, kind, known)
    return None if findings is None else refusal_reason(findings)


def screen_envelope(env: Envelope, known: frozenset[str] = frozenset()) -> Screened:
    """Hold a validated envelope to a local save's rules (see the module). Raises
    :class:`EnvelopeError` when the record is refused whole; otherwise the envelope to store,
    with every refused text emptied. ``known``: this device's known words (pass them: without
    them every place or partner named like a person is refused)."""
    type_name, data = env["type"], env["data"]
    problems = _count_problems(type_name, data)
    if problems:
        raise EnvelopeError(_("{type} {id}: {problem}").format(
            type=type_name, id=env["id"], problem=problems[0]))
    kept = dict(data)
    refused: list[tuple[str, str]] = []
    for field in SPECS[type_name].fields:
        if isinstance(field, Text):
            reason = _text_problem(field.name, data.get(field.name) or "",
                                   TEXT_LIMITS.get((type_name, field.name), MAX_TEXT_LENGTH),
                                   text_kind(field.name, type_name), known)
            if reason is not None:
                kept[field.name] = ""
                refused.append((field.name, reason))
        elif isinstance(field, Flags):
            flags = []
            for flag in data.get(field.name) or ():
                reason = _text_problem("reason", flag["reason"], FLAG_REASON_LIMIT,
                                       TextKind.FLAG_REASON, known)
                if reason is not None:
                    refused.append((f"{field.name}.reason", reason))
                    flag = {**flag, "reason": ""}
                flags.append(flag)
            kept[field.name] = flags
    if not refused:
        return Screened(env)
    return Screened({**env, "data": kept}, tuple(refused))


# -- bounds that depend on this device: its clock, the revision it holds ----------------------

def check_received_time(env: Envelope, now: dt.datetime) -> None:
    """Refuse (EnvelopeError) a received record dated more than :data:`MAX_CLOCK_SKEW` after
    ``now`` (this device's clock)."""
    if parse_time(env["updated_at"]) > now + MAX_CLOCK_SKEW:
        raise EnvelopeError(_("{type} {id}: updated_at {time} is more than {days} days after "
                              "this computer's clock (check the sending computer's clock)").format(
            type=env["type"], id=env["id"], time=env["updated_at"],
            days=MAX_CLOCK_SKEW.days))


def check_revision_step(env: Envelope, base: int) -> None:
    """Refuse (EnvelopeError) a received revision more than :data:`MAX_REVISION_STEP` above
    ``base``, the revision this device holds (0: the record is new here)."""
    if int(env["revision"]) > base + MAX_REVISION_STEP:
        raise EnvelopeError(_("{type} {id}: revision {revision} is more than {step} above the "
                              "revision held here ({base})").format(
            type=env["type"], id=env["id"], revision=env["revision"], step=MAX_REVISION_STEP,
            base=base))
