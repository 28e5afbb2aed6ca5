"""The bundle file of the folder hub: a signed header line and a body of envelopes.

::

    {"count":3,"created_at":"…Z","device":"<uuid>","format":1,"hmac":"<hex>","seq":7,"sha256":"<hex>"}\\n
    [<envelope>, <envelope>, …]                      # canonical JSON, parents before children

``sha256`` is the hash of the body bytes; ``hmac`` is HMAC-SHA256 with the team key over the
canonical JSON of the header without ``hmac`` (so it covers the device, the number, the count
and, through the hash, every byte of the body). A bundle is checked as a whole: if anything is
wrong, :func:`decode_bundle` raises :class:`BundleError` with the reason and nothing of it is used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from fieldapp.i18n import _
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


class BundleError(ValueError):
    """A bundle that is refused; ``str(error)`` is the reason for the user."""


@dataclass(frozen=True)
class Bundle:
    device_id: uuid.UUID
    seq: int
    created_at: dt.datetime
    envelopes: list[Envelope]


def bundle_name(seq: int) -> str:
    return f"{seq:08d}{SUFFIX}"


def parse_bundle_name(name: str) -> int | None:
    """The number of a bundle file name, or None if the name is not one."""
    stem = name[: -len(SUFFIX)] if name.endswith(SUFFIX) else ""
    if len(stem) != 8 or not stem.isdigit() or not stem.isascii():
        return None
    return int(stem)


def _sign(key: bytes, header: dict) -> str:
    unsigned = {k: v for k, v in header.items() if k != "hmac"}
    return hmac.new(key, canonical_json(unsigned), hashlib.sha256).hexdigest()


def encode_bundle(envelopes: Sequence[Envelope], *, device_id: uuid.UUID, seq: int, key: bytes,
                  created_at: dt.datetime) -> bytes:
    body = canonical_json(list(envelopes))
    header = {
        "format": FORMAT_VERSION,
        "device": str(device_id),
        "seq": int(seq),
        "count": len(envelopes),
        "created_at": format_time(created_at),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    header["hmac"] = _sign(key, header)
    return canonical_json(header) + b"\n" + body


def decode_bundle(raw: bytes, key: bytes, *, device_id: uuid.UUID | None = None,
                  seq: int | None = None) -> Bundle:
    """Check and read a bundle; ``device_id``/``seq``: where it was found (must match)."""
    end = raw.find(b"\n", 0, MAX_HEADER)
    if end < 0:
        raise BundleError(_("not a Fältlogg bundle, or cut off in its header"))
    try:
        header = json.loads(raw[:end].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
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
    body = raw[end + 1:]
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise BundleError(_("the content does not match its hash (damaged or cut off)"))
    try:
        bundle_device = uuid.UUID(str(header["device"]))
        bundle_seq = int(header["seq"])
        created_at = parse_time(str(header["created_at"]))
        envelopes = json.loads(body.decode("utf-8"))
    except (KeyError, ValueError, UnicodeDecodeError):
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
    return Bundle(device_id=bundle_device, seq=bundle_seq, created_at=created_at,
                  envelopes=envelopes)
