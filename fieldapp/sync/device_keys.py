"""Per-device signing keys (Ed25519, the ``cryptography`` package) and their registration.

Each device makes a key pair at its first sync (:func:`new_private_key`); the private key is
kept in the data file (a device-local setting, encrypted with the file's passphrase like
everything else) and never leaves it. The public key is registered in the hub as a small
signed record (:func:`encode_registration`)::

    {"format": 1, "device": "<uuid>", "public_key": "<base64, 32 bytes>",
     "legacy": {"<seq>": "<sha256 of the file>", …}, "self_sig": "<base64>", "mac": "<hex>"}

``mac`` is HMAC-SHA256 over the rest with a key derived from the team key (HKDF): only a
member of the team can register a key. ``self_sig`` is the device's own signature over the
rest (without ``mac``): the registration was made by the holder of the private key.
``legacy`` lists the bundles this device wrote before it had a key (unsigned, checked with
the team key only), by the SHA-256 of each file as it was when the key was registered: a
reader that has pinned the key accepts an unsigned bundle of this device only if it is one of
these, so nobody can add or change an unsigned bundle in its name afterwards.

Readers pin a device's registered key at first sight (:mod:`fieldapp.sync.trust`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from fieldapp.i18n import _
from fieldapp.sync.envelope import canonical_json

REGISTRATION_FORMAT = 1
MAX_REGISTRATION = 1024 * 1024  # bytes: about 14,000 legacy bundles


class RegistrationError(ValueError):
    """A registration that is refused; ``str(error)`` is the reason for the user."""


@dataclass(frozen=True)
class DeviceTrust:
    """What a reader knows of one device's key: its public key (None: none registered, so
    the device's unsigned bundles are read as before keys existed), the unsigned bundles it
    wrote before (SHA-256 of each file), or a reason to refuse all its bundles."""

    public_key: bytes | None = None
    legacy: frozenset[str] = field(default_factory=frozenset)
    refused: str | None = None


# -- keys -----------------------------------------------------------------------------------

def new_private_key() -> str:
    """A new private key as text (base64 of the 32 raw bytes) for the data file."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption())
    return base64.b64encode(raw).decode("ascii")


def load_private_key(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))


def public_bytes(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw)


def sign(private: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(private.sign(message)).decode("ascii")


def verify(public_key: bytes, signature: object, message: bytes) -> bool:
    if not isinstance(signature, str):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def fingerprint(public_key: bytes) -> str:
    """A short form of a public key for messages (first 16 hex digits of its SHA-256)."""
    digest = hashlib.sha256(public_key).hexdigest()[:16]
    return " ".join(digest[n:n + 4] for n in range(0, 16, 4))


# -- registration ---------------------------------------------------------------------------

def _mac_key(team_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"faltlogg device key registration").derive(team_key)


def _mac(team_key: bytes, record: dict) -> str:
    unsigned = {k: v for k, v in record.items() if k != "mac"}
    return hmac.new(_mac_key(team_key), canonical_json(unsigned), hashlib.sha256).hexdigest()


def encode_registration(private: Ed25519PrivateKey, device_id: uuid.UUID,
                        legacy: dict[int, str], team_key: bytes) -> bytes:
    record = {
        "format": REGISTRATION_FORMAT,
        "device": str(device_id),
        "public_key": base64.b64encode(public_bytes(private)).decode("ascii"),
        "legacy": {str(seq): digest for seq, digest in sorted(legacy.items())},
    }
    record["self_sig"] = sign(private, canonical_json(record))
    record["mac"] = _mac(team_key, record)
    return canonical_json(record) + b"\n"


def decode_registration(raw: bytes, team_key: bytes, device_id: uuid.UUID) -> DeviceTrust:
    """Check a registration (team key, the device's own signature, the device it names)."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RegistrationError(_("the key registration is damaged")) from None
    if not isinstance(record, dict) or record.get("format") != REGISTRATION_FORMAT:
        raise RegistrationError(_("the key registration has an unknown format; update the app"))
    if not hmac.compare_digest(str(record.get("mac", "")), _mac(team_key, record)):
        raise RegistrationError(_("the key registration was not made with the team key "
                                  "(written with another key, or changed afterwards)"))
    if record.get("device") != str(device_id):
        raise RegistrationError(_("the key registration is for another device"))
    legacy = record.get("legacy")
    try:
        public_key = base64.b64decode(str(record.get("public_key")), validate=True)
        Ed25519PublicKey.from_public_bytes(public_key)
    except ValueError:
        raise RegistrationError(_("the key registration is damaged")) from None
    if not isinstance(legacy, dict) or not all(
            isinstance(v, str) and len(v) == 64 for v in legacy.values()):
        raise RegistrationError(_("the key registration is damaged"))
    unsigned = {k: v for k, v in record.items() if k not in ("mac", "self_sig")}
    if not verify(public_key, record.get("self_sig"), canonical_json(unsigned)):
        raise RegistrationError(_("the key registration is not signed by its own key"))
    return DeviceTrust(public_key=public_key, legacy=frozenset(legacy.values()))
