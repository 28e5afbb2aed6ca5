"""What a folder hub stores to check the team key (``key_check`` in ``hub.json``).

A device that opens the hub must prove it knows the team key before it reads or writes
anything, so the hub keeps a check of the key. A copy of the hub folder must not let anyone
guess the key offline cheaply, so the check is stretched with scrypt (``hashlib.scrypt``, from
OpenSSL) with a random salt; the parameters are stored beside it, so they can be raised later
without breaking older hubs::

    "key_check": {"kdf": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": "<base64>",
                  "hash": "<base64>"}

Hubs made by earlier versions hold ``"key_check": "<hex>"``, one HMAC-SHA256 of the hub id
with the key (hundreds of thousands of guesses a second). :func:`verify` still accepts it
(``legacy``) and the folder hub then writes the stretched form (:func:`make`) in its place.
``tests/test_sync_trust.py`` measures the cost of one guess against each.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from fieldapp import files
from fieldapp.i18n import _
from fieldapp.sync.envelope import canonical_json
from fieldapp.sync.hub import HubError, HubKeyError
from fieldapp.sync.team_key import is_made_key

SCRYPT_N = 2 ** 15  # 32 MiB of memory and tens of milliseconds per guess
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
HUB_FORMAT = 2  # hub.json: 2 holds the stretched check; 1 (read and upgraded) the HMAC
MAX_N = 2 ** 20  # a hub file asking for more is refused (it would take minutes and gigabytes)


class KeyCheckError(ValueError):
    """The stored check cannot be read (damaged, or made by a newer version)."""


@dataclass(frozen=True)
class Verdict:
    matches: bool
    legacy: bool  # the old, unstretched form: replace it with :func:`make`


def legacy_check(key: bytes, hub_id: str) -> str:
    """The check earlier versions stored (kept to accept and upgrade their hubs)."""
    return hmac.new(key, f"faltlogg-hub:{hub_id}".encode(), hashlib.sha256).hexdigest()


def _scrypt(key: bytes, hub_id: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(b"faltlogg-hub:" + hub_id.encode() + b":" + key, salt=salt, n=n,
                          r=r, p=p, maxmem=256 * r * n + 2 ** 20, dklen=HASH_BYTES)


def make(key: bytes, hub_id: str) -> dict:
    salt = os.urandom(SALT_BYTES)
    digest = _scrypt(key, hub_id, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    check = {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
            "salt": base64.b64encode(salt).decode("ascii"),
            "hash": base64.b64encode(digest).decode("ascii")}
    _verified.add((key, hub_id, repr(sorted(check.items()))))
    return check


# Checks this process has verified (the key and the stored check, as the hub's canonical JSON
# would hold them): a sync runs once every few minutes, but the tests and a window that syncs
# several hubs should not pay the stretching each time. Memory only, never stored.
_verified: set[tuple[bytes, str, str]] = set()


def verify(key: bytes, hub_id: str, stored: object) -> Verdict:
    """Whether ``key`` is the key ``stored`` checks; :class:`KeyCheckError` if unreadable."""
    if isinstance(stored, dict) and (key, hub_id, repr(sorted(stored.items()))) in _verified:
        return Verdict(True, legacy=False)
    verdict = _verify(key, hub_id, stored)
    if verdict.matches and isinstance(stored, dict):
        _verified.add((key, hub_id, repr(sorted(stored.items()))))
    return verdict


def _verify(key: bytes, hub_id: str, stored: object) -> Verdict:
    if isinstance(stored, str):
        return Verdict(hmac.compare_digest(stored, legacy_check(key, hub_id)), legacy=True)
    if not isinstance(stored, dict) or stored.get("kdf") != "scrypt":
        raise KeyCheckError("unknown key check")
    try:
        n, r, p = (int(stored[name]) for name in ("n", "r", "p"))
        salt = base64.b64decode(str(stored["salt"]), validate=True)
        expected = base64.b64decode(str(stored["hash"]), validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyCheckError("damaged key check") from exc
    if not (2 <= n <= MAX_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 4):
        raise KeyCheckError("key check parameters out of range")
    digest = _scrypt(key, hub_id, salt, n, r, p)
    return Verdict(hmac.compare_digest(digest, expected), legacy=False)


def check_hub_file(key: bytes, hub_id: str, info: dict, info_path: Path) -> list[str]:
    """Check the team key against a folder hub's ``hub.json`` (``info``, read from
    ``info_path``) and upgrade an unstretched check in place (format 2). Raises
    :class:`HubKeyError` when the key does not match; returns notices for the sync report."""
    try:
        verdict = verify(key, hub_id, info.get("key_check", ""))
    except KeyCheckError as exc:
        raise HubError(_("{file} is damaged; the folder is not a usable hub.").format(
            file=info_path)) from exc
    if not verdict.matches:
        raise HubKeyError(_("The team key does not match the hub's key. Check the team key "
                            "in the settings (or FIELDAPP_TEAM_KEY); nothing was changed."))
    notices = []
    if verdict.legacy or info.get("format") != HUB_FORMAT:
        upgraded = {**info, "format": HUB_FORMAT, "key_check": make(key, hub_id)}
        try:
            files.write_bytes(info_path, canonical_json(upgraded) + b"\n", mode=None)
        except OSError as exc:
            raise HubError(_("The hub folder {path} cannot be written to ({error}). Ask "
                             "for write access, or choose another folder.").format(
                                 path=info_path.parent, error=exc.strerror or exc)) from exc
        notices.append(_("The hub's check of the team key was upgraded to a form that cannot "
                         "be guessed cheaply from a copy of the hub folder. Laptops with an "
                         "older version of Fältlogg must be updated before they can sync "
                         "again."))
    if not is_made_key(key):
        notices.append(_("The team key was chosen by a person, not made by Fältlogg. A chosen "
                         "key can be guessed. Let one person make a new key (Settings, or "
                         "'fieldapp hub new-key'), start a new hub folder with it and give it "
                         "to everyone in the team."))
    return notices
