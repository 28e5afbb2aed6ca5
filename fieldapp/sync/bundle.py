"""The bundle file of the folder hub: a signed header line and a body of envelopes.

::

    {"count":3,"created_at":"…Z","device":"<uuid>","format":1,"hmac":"<hex>","seq":7,"sha256":"<hex>"}\\n
    [<envelope>, <envelope>, …]                      # canonical JSON, parents before children

``sha256`` is the hash of the body bytes; ``sig`` is the device's own Ed25519 signature
(:mod:`fieldapp.sync.device_keys`) over the canonical JSON of the header without ``sig`` and
``hmac`` (so it covers the device, the number, the count and, through the hash, every byte of
the body); ``hmac`` is HMAC-SHA256 with the team key over the header without ``hmac`` (the
team's admission: a bundle written without the team key is refused before anything else).
An optional ``name`` is the name the writer gave its laptop (shown on the Synk page; older
bundles have none, and an app that does not know it still verifies the header).

Bundles written before devices had keys carry no ``sig``. A reader accepts such an unsigned
bundle only while the device has no key (none registered and none pinned: the team key alone
vouches for it, as it always did), or when the device's registration lists the file's hash
among the bundles it wrote before its key (:class:`DeviceTrust`, ``legacy``). Once a device
has a key, an unsigned bundle in its name is refused: a member of the team cannot write one
for it. The format number stays 1: a header with ``sig`` still verifies in an app that does
not know signatures, so laptops not yet upgraded keep reading the team's bundles.

A bundle is checked as a whole: if anything is wrong, :func:`decode_bundle` raises
:class:`BundleError` with the reason and nothing of it is used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldapp.i18n import _
from fieldapp.sync.device_keys import DeviceTrust, fingerprint, sign, verify
from fieldapp.sync.envelope import (
    Envelope,
    EnvelopeError,
    canonical_json,
    format_time,
    parse_time,
)
from fieldapp.sync.validate import validate_envelope

FORMAT_VERSION = 1
MAX_HEADER = 4096
SUFFIX = ".bundle"
# Sequence numbers are eight digits: 1 to 99,999,999 (a device pushing every five minutes
# for a thousand years stays below). A file name of another shape is not a bundle.
MAX_SEQ = 99_999_999
# The deepest nesting a bundle holds is 4 (body list, envelope, data, flags or counts,
# flag object): anything much deeper is refused before the JSON decoder recurses into it.
MAX_JSON_DEPTH = 16
MAX_DEVICE_NAME = 100  # characters of a device name in a header (as the settings allow)
# A string, or an unterminated one to the end (possessive: the match never fails and never
# backtracks, so removing the strings takes one pass whatever the text).
_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"?', re.DOTALL)
_INNERMOST = re.compile(rb"\[\]|\{\}")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class BundleError(ValueError):
    """A bundle that is refused; ``str(error)`` is the reason for the user."""


@dataclass(frozen=True)
class Bundle:
    device_id: uuid.UUID
    seq: int
    created_at: dt.datetime
    envelopes: list[Envelope]
    signed: bool = False  # signed with the device's key (False: an unsigned older bundle)
    device_name: str = ""  # the name its device was given at first start ("" when none)


def bundle_name(seq: int) -> str:
    return f"{seq:08d}{SUFFIX}"


def parse_bundle_name(name: str) -> int | None:
    """The number of a bundle file name (``<seq:08d>.bundle``, 1 to :data:`MAX_SEQ`), or None
    if the name is not one."""
    stem = name[: -len(SUFFIX)] if name.endswith(SUFFIX) else ""
    if len(stem) != 8 or not stem.isdigit() or not stem.isascii():
        return None
    seq = int(stem)
    return seq if 1 <= seq <= MAX_SEQ else None


def too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if the JSON text ``raw`` nests arrays and objects more than ``limit`` deep (or its
    brackets do not pair up). Strings are taken out first; then each pass removes the
    innermost empty pairs, so ``limit`` passes empty any text nested at most that deep. Every
    step runs in C over the bytes: cheap even for a large body."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    for _pass in range(limit):
        if not brackets:
            return False
        brackets, removed = _INNERMOST.subn(b"", brackets)
        if not removed:
            return True  # unpaired: not JSON anyway
    return bool(brackets)


def load_json(raw: bytes, *, check_depth: bool = True):
    """``json.loads`` that raises only ValueError: for bytes that are not UTF-8 or not JSON,
    and for text nested too deep. ``check_depth``: refuse deep nesting before decoding (the
    header, a few KB). The body is not scanned first (that would double the time a large pull
    takes): the C decoder stops at the interpreter's recursion limit with RecursionError, a
    few hundred bytes of stack per level, which is turned into ValueError here."""
    if check_depth and too_deep(raw):
        raise ValueError("nested too deep")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, RecursionError, MemoryError) as exc:
        raise ValueError(str(exc)) from None


def header_time(value) -> dt.datetime:
    """A header's ``created_at``: an ISO time with zone; ValueError for anything else (a year
    1 time east of UTC included, which ``astimezone`` cannot hold)."""
    if not isinstance(value, str):
        raise ValueError("not a time")
    try:
        return parse_time(value)
    except OverflowError as exc:
        raise ValueError(str(exc)) from None


def check_seq(value) -> int:
    """A header's ``seq``: a whole number from 1 to :data:`MAX_SEQ`; ValueError otherwise."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SEQ:
        raise ValueError("seq out of range")
    return value


def check_once_each(envelopes: list) -> None:
    """A bundle holds each record once (a device sends a record's current version); the same
    record twice is refused, so one bundle cannot climb the revision step again and again
    (:data:`fieldapp.sync.validate.MAX_REVISION_STEP`)."""
    seen = set()
    for env in envelopes:
        key = (env["type"], uuid.UUID(env["id"]))  # however the id is written
        if key in seen:
            raise BundleError(_("the bundle holds {type} {id} more than once").format(
                type=env["type"], id=env["id"]))
        seen.add(key)


def _sign(key: bytes, header: dict) -> str:
    unsigned = {k: v for k, v in header.items() if k != "hmac"}
    return hmac.new(key, canonical_json(unsigned), hashlib.sha256).hexdigest()


def _signed_part(header: dict) -> bytes:
    return canonical_json({k: v for k, v in header.items() if k not in ("hmac", "sig")})


def header_name(value) -> str:
    """A header's ``name``: the writer's device name, printable text of at most
    :data:`MAX_DEVICE_NAME` characters; anything else (an older bundle has none) reads as ""."""
    if not isinstance(value, str):
        return ""
    return "".join(char for char in value if char.isprintable()).strip()[:MAX_DEVICE_NAME]


def encode_bundle(envelopes: Sequence[Envelope], *, device_id: uuid.UUID, seq: int, key: bytes,
                  created_at: dt.datetime, signing_key: Ed25519PrivateKey | None = None,
                  device_name: str = "") -> bytes:
    """The bundle file; ``signing_key``: the device's key (None only for tests that write
    bundles as versions before keys did). ``device_name``: this laptop's name, so the team's
    Synk pages show it; an optional header field (left out when empty), covered by the
    signature and the HMAC: an app that does not know it still verifies the header."""
    body = canonical_json(list(envelopes))
    header = {
        "format": FORMAT_VERSION,
        "device": str(device_id),
        "seq": int(seq),
        "count": len(envelopes),
        "created_at": format_time(created_at),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    if header_name(device_name):
        header["name"] = header_name(device_name)
    if signing_key is not None:
        header["sig"] = sign(signing_key, _signed_part(header))
    header["hmac"] = _sign(key, header)
    return canonical_json(header) + b"\n" + body


def _check_signature(raw: bytes, header: dict, trust: DeviceTrust | None) -> bool:
    """Whether the bundle is signed (True) or an accepted unsigned one (False); raises
    :class:`BundleError` when the device's key refuses it."""
    trust = trust or DeviceTrust()
    if trust.refused:
        raise BundleError(trust.refused)
    signature = header.get("sig")
    if signature is None:
        if trust.public_key is not None and hashlib.sha256(raw).hexdigest() not in trust.legacy:
            raise BundleError(_("the bundle is not signed, but its device signs its bundles "
                                "with its own key (written by someone else in its name)"))
        return False
    if trust.public_key is None:
        raise BundleError(_("the bundle is signed with a key that is not registered in the "
                            "hub (yet); it is read again at the next sync"))
    if not verify(trust.public_key, signature, _signed_part(header)):
        raise BundleError(_("the bundle is not signed by its device's key {fingerprint} "
                            "(written by someone else in its name, or changed)").format(
                                fingerprint=fingerprint(trust.public_key)))
    return True


def decode_bundle(raw: bytes, key: bytes, *, device_id: uuid.UUID | None = None,
                  seq: int | None = None, trust: DeviceTrust | None = None) -> Bundle:
    """Check and read a bundle; ``device_id``/``seq``: where it was found (must match);
    ``trust``: what this device knows of the writer's key (None: no key known)."""
    end = raw.find(b"\n", 0, MAX_HEADER)
    if end < 0:
        raise BundleError(_("not a Fältlogg bundle, or cut off in its header"))
    try:
        header = load_json(raw[:end])
    except ValueError:
        raise BundleError(_("the header is damaged")) from None
    if not isinstance(header, dict) or "format" not in header:
        raise BundleError(_("not a Fältlogg bundle"))
    if header.get("format") != FORMAT_VERSION:
        raise BundleError(_("unknown bundle format {format} (this app reads format {known}); "
                            "update the app").format(format=header.get("format"), known=FORMAT_VERSION))
    signature = header.get("hmac")
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _sign(key, header)):
        raise BundleError(_("the signature does not match the team key (written with another "
                            "key, or changed after it was written)"))
    signed = _check_signature(raw, header, trust)
    body = raw[end + 1:]
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise BundleError(_("the content does not match its hash (damaged or cut off)"))
    try:
        bundle_device = uuid.UUID(str(header["device"]))
        bundle_seq = check_seq(header["seq"])
        created_at = header_time(header["created_at"])
        envelopes = load_json(body, check_depth=False)
    except (KeyError, ValueError):
        raise BundleError(_("the header is damaged")) from None
    if device_id is not None and bundle_device != device_id:
        raise BundleError(_("the bundle was written by device {device} but lies in another "
                            "device's folder").format(device=bundle_device))
    if seq is not None and bundle_seq != seq:
        raise BundleError(_("the bundle is number {seq} but its file name says another "
                            "number (copied or renamed)").format(seq=bundle_seq))
    if not isinstance(envelopes, list) or len(envelopes) != header.get("count"):
        raise BundleError(_("the bundle should hold {count} records but does not").format(
            count=header.get("count")))
    try:
        for env in envelopes:
            validate_envelope(env)
    except EnvelopeError as exc:
        raise BundleError(_("a record is not valid: {error}").format(error=exc)) from None
    check_once_each(envelopes)
    return Bundle(device_id=bundle_device, seq=bundle_seq, created_at=created_at,
                  envelopes=envelopes, signed=signed, device_name=header_name(header.get("name")))
