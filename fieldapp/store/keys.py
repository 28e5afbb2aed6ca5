"""The keys that opened encrypted files in this process: the key is derived once per unlock.

SQLCipher derives a file's key from its passphrase with PBKDF2 (0.1-0.3 s) at every
connection keyed with the passphrase. :func:`fieldapp.store.encryption.open_verified`
derives it once here, opens the file with SQLCipher's raw-key form (``x'<hex>'``) and
remembers it; every further connection, check and backup of that file uses the raw key.
Keyed by (salt, passphrase): another file, or a file given a new passphrase (a new salt),
derives its own. Qt-free.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

# SQLCipher 4's defaults (the files this app makes): PBKDF2-HMAC-SHA512, 256,000 rounds, a
# 256-bit key, the file's first 16 bytes as salt.
KDF_ITERATIONS = 256_000
KEY_BYTES = 32
SALT_BYTES = 16
_PLAIN_HEADER = b"SQLite format 3\x00"

_verified: dict[tuple[bytes, str], str] = {}  # (salt, passphrase) -> raw key literal
_pending: dict[tuple[bytes, str], _Derivation] = {}  # derive_ahead's, not yet used
_lock = threading.Lock()


class _Derivation:
    """One derivation running in a thread of its own (see :func:`derive_ahead`)."""

    def __init__(self, passphrase: str, salt: bytes):
        self.done = threading.Event()
        self.key: str | None = None
        thread = threading.Thread(target=self._run, args=(passphrase, salt), daemon=True,
                                  name="fieldapp-derive")
        thread.start()

    def _run(self, passphrase: str, salt: bytes) -> None:
        try:
            self.key = derive(passphrase, salt)
        finally:  # a failure leaves key None: derived() then derives itself and raises
            self.done.set()


def salt_of(path: Path | str) -> bytes | None:
    """The salt of the encrypted file at ``path`` (None: no such file, or a plain one)."""
    try:
        with open(path, "rb") as fh:
            salt = fh.read(SALT_BYTES)
    except OSError:
        return None
    return salt if len(salt) == SALT_BYTES and not _PLAIN_HEADER.startswith(salt) else None


def derive(passphrase: str, salt: bytes) -> str:
    """The raw key literal SQLCipher derives from ``passphrase`` with its defaults."""
    key = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ITERATIONS,
                              KEY_BYTES)
    return f"x'{key.hex()}'"


def derive_ahead(path: Path | str, passphrase: str) -> None:
    """Start deriving the key of the encrypted file at ``path`` in a background thread, when
    the passphrase is known before the file is opened (FIELDAPP_PASSPHRASE): PBKDF2 runs
    outside the GIL, so the window's imports go on beside it (issue 19). The key is not
    trusted for it: :func:`~fieldapp.store.encryption.open_verified` still checks that it
    opens the file. Nothing happens for a plain or missing file, or a key already known."""
    salt = salt_of(path)
    if salt is None:
        return
    with _lock:
        if (salt, passphrase) in _verified or (salt, passphrase) in _pending:
            return
        _pending[(salt, passphrase)] = _Derivation(passphrase, salt)


def derived(passphrase: str, salt: bytes) -> str:
    """The raw key of ``passphrase`` for ``salt``: the one :func:`derive_ahead` started
    (waited for), else derived now."""
    with _lock:
        ahead = _pending.pop((salt, passphrase), None)
    if ahead is not None:
        ahead.done.wait()
        if ahead.key is not None:
            return ahead.key
    return derive(passphrase, salt)


def remember(salt: bytes, passphrase: str, key: str) -> None:
    """``key`` opened the file of ``salt`` with ``passphrase``: use it from now on."""
    with _lock:
        _verified[(salt, passphrase)] = key


def known_key(path: Path | str, passphrase: str) -> str | None:
    """The raw key that opened ``path`` with ``passphrase`` before, or None."""
    salt = salt_of(path)
    if salt is None:
        return None
    with _lock:
        return _verified.get((salt, passphrase))


def forget_keys() -> None:
    """Drop every remembered key."""
    with _lock:
        _verified.clear()
        _pending.clear()
