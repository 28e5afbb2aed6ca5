"""The folder hub's register of device keys: ``<hub>/keys/<device_id>.json``.

One file per device, written once by the device itself (never replaced; see
:mod:`fieldapp.sync.device_keys` for its content and :mod:`fieldapp.sync.trust` for how
readers pin it). The files are read as regular files of bounded size only (no symlinks, FIFOs
or devices). Kept apart from :mod:`fieldapp.sync.folder`, whose reader reads the bundles.
"""

from __future__ import annotations

import hashlib
import os
import stat
import uuid
from pathlib import Path

from fieldapp import files
from fieldapp.i18n import _
from fieldapp.sync.bundle import BundleError, decode_bundle, parse_bundle_name
from fieldapp.sync.device_keys import MAX_REGISTRATION
from fieldapp.sync.folder import FolderHub
from fieldapp.sync.hub import HubError

KEYS = "keys"
MAX_LEGACY_BUNDLE = 256 * 1024 * 1024  # bytes: far above what any push writes


def registration_path(hub: FolderHub, device_id: uuid.UUID | str) -> Path:
    return hub.path / KEYS / f"{device_id}.json"


def registrations(hub: FolderHub) -> dict[str, bytes | str]:
    """Every registration file: device id -> its bytes, or why it cannot be read."""
    found: dict[str, bytes | str] = {}
    folder = hub.path / KEYS
    try:
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries)
    except FileNotFoundError:
        return found
    except OSError as exc:
        raise HubError(_("The hub folder {path} cannot be used: {error}").format(
            path=hub.path, error=exc.strerror or exc)) from exc
    for name in names:
        stem = name[:-len(".json")] if name.endswith(".json") else ""
        try:
            device = uuid.UUID(stem)
        except ValueError:
            continue
        if str(device) == stem:
            found[stem] = read_registration(folder / name)
    return found


def read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a symlink, FIFO or device) of at
    most ``limit`` bytes, else None; OSError when it cannot be opened."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        raw = handle.read(limit + 1)
    return raw if len(raw) <= limit else None


def read_registration(path: Path) -> bytes | str:
    """A registration file's bytes, or the reason it cannot be used."""
    try:
        raw = read_regular(path, MAX_REGISTRATION)
    except OSError as exc:
        return _("cannot be read: {error}").format(error=exc.strerror or exc)
    if raw is None:
        return _("not a key registration (not a file, or too large)")
    return raw


def write_registration(hub: FolderHub, device_id: uuid.UUID, raw: bytes) -> None:
    """Register this device's key (never over an existing registration: the caller reads
    what is there afterwards)."""
    path = registration_path(hub, device_id)
    try:
        path.parent.mkdir(exist_ok=True)
        files.write_bytes(path, raw, mode=None, exclusive=True)
    except FileExistsError:
        pass
    except OSError as exc:
        raise HubError(_("The device key could not be registered in {path}: {error}").format(
            path=path.parent, error=exc.strerror or exc)) from exc


def unsigned_own(hub: FolderHub, device_id: uuid.UUID, upto: int) -> dict[int, str]:
    """SHA-256 of this device's unsigned bundles up to number ``upto`` that verify with the
    team key: the bundles it wrote before it had a signing key."""
    found: dict[int, str] = {}
    folder = hub.path / "devices" / str(device_id)
    names = sorted(entry.name for entry in folder.iterdir()) if folder.is_dir() else []
    for seq, path in sorted((parse_bundle_name(n), folder / n) for n in names
                            if parse_bundle_name(n) is not None):
        if seq > upto:
            continue
        try:
            raw = read_regular(path, MAX_LEGACY_BUNDLE)
            if raw is None:
                continue
            bundle = decode_bundle(raw, hub.key, device_id=device_id, seq=seq)
        except (OSError, BundleError):
            continue
        if not bundle.signed:
            found[seq] = hashlib.sha256(raw).hexdigest()
    return found
