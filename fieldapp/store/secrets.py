"""Secrets that must not live in the database file: the hub's team key and the PostgreSQL
password. They are kept in the operating system's keyring (Windows Credential Manager, macOS
Keychain, the Secret Service on Linux) through the ``keyring`` package.

Where no keyring exists (a headless machine, a minimal Linux), :class:`NoKeyringError` says
so: the secret is then given for each run in the environment (``FIELDAPP_TEAM_KEY``,
``FIELDAPP_PG_PASSWORD``) and is never written to the database instead. Qt-free.
"""

from __future__ import annotations

import os

from fieldapp.i18n import _

SERVICE = "Faltlogg"
TEAM_KEY = "team_key"
POSTGRES_PASSWORD = "postgres_password"
ENVIRONMENT = {TEAM_KEY: "FIELDAPP_TEAM_KEY", POSTGRES_PASSWORD: "FIELDAPP_PG_PASSWORD"}


class NoKeyringError(RuntimeError):
    """No keyring backend on this computer (the message says what to do instead)."""


def _backend():
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return backend


def keyring_name() -> str | None:
    """The keyring's name (for the settings page), or None when there is none."""
    backend = _backend()
    return None if backend is None else getattr(backend, "name", type(backend).__name__)


def no_keyring_message(name: str = TEAM_KEY) -> str:
    return _("This computer has no keyring (password store), so the secret cannot be saved. "
             "Give it for each run in the environment variable {variable}; Fältlogg never "
             "stores it in the data file.").format(variable=ENVIRONMENT.get(name, name))


def get_secret(name: str, *, account: str = "default", environ=None) -> str | None:
    """The environment variable if set, else the keyring's entry, else None."""
    environ = os.environ if environ is None else environ
    value = environ.get(ENVIRONMENT.get(name, ""), "")
    if value:
        return value
    backend = _backend()
    if backend is None:
        return None
    try:
        return backend.get_password(SERVICE, f"{account}:{name}")
    except Exception:  # noqa: BLE001 - a locked or broken keyring reads as "not set"
        return None


def set_secret(name: str, value: str, *, account: str = "default") -> None:
    """Save ``value`` in the keyring (an empty value deletes it); NoKeyringError without one."""
    backend = _backend()
    if backend is None:
        raise NoKeyringError(no_keyring_message(name))
    key = f"{account}:{name}"
    if value:
        backend.set_password(SERVICE, key, value)
    else:
        try:
            backend.delete_password(SERVICE, key)
        except Exception:  # noqa: BLE001 - nothing to delete
            pass


def team_key(*, account: str = "default", environ=None) -> bytes:
    """The team key for the folder hub (FIELDAPP_TEAM_KEY, else the keyring), as bytes."""
    return (get_secret(TEAM_KEY, account=account, environ=environ) or "").encode("utf-8")
