"""FolderHub: the team's hub as a shared folder (network drive, synced cloud folder, USB stick).

::

    <hub>/hub.json                                  # hub id, format, a check of the team key
    <hub>/keys/<device_id>.json                     # each device's public key (registration)
    <hub>/devices/<device_id>/<seq:08d>.bundle      # written once, never changed
    <hub>/devices/<device_id>/<seq:08d>.bundle.damaged   # set aside by its owner (see below)

Writing: a bundle goes to a temporary name in the same folder, is flushed to disk (fsync) and
then linked to its final name (never over an existing file), so a reader never sees half a
bundle. The writer reads it back and verifies it before the records count as synced.

Reading: every other device's bundles past this device's cursor, in seq order, each verified
as a whole (format, HMAC, the device's signature, hash, count, device and number matching its
place). What this device knows of each writer's key (``HubState.trust``) is set up before by
:mod:`fieldapp.sync.trust` from the registrations in ``keys/`` and the keys pinned here.

The team key's check in ``hub.json`` is stretched (:mod:`fieldapp.sync.key_check`); a hub made
by an earlier version (an unstretched check, format 1) is upgraded by the first device that
opens it with the right key (format 2, which older versions refuse with "update the app").

A refused bundle is reported with its file and reason and skipped: the cursor moves past it so
the bundles after it (and every other device's) are still applied, and the refusal is kept
(:mod:`fieldapp.sync.state`) and reported at every sync while the file stays. If the file is later
replaced by a good copy, it is applied then. The owner of a device folder checks its own
bundles at every sync: one that no longer verifies (damaged, cut off, tampered with, or not
written by it) is renamed to ``….damaged`` and the owner pushes all its records again in a new
bundle, so nothing is lost for the others; a missing bundle is handled the same way. Readers
stop reporting a refusal once the file is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from fieldapp import files
from fieldapp.i18n import _
from fieldapp.store.types import utcnow
from fieldapp.sync.bundle import (
    SUFFIX,
    BundleError,
    bundle_name,
    decode_bundle,
    encode_bundle,
    parse_bundle_name,
)
from fieldapp.sync import key_check
from fieldapp.sync.envelope import Envelope, canonical_json
from fieldapp.sync.hub import Batch, BatchContent, HubError, HubKeyError, HubState, PushReceipt

HUB_FILE = "hub.json"
HUB_FORMAT = key_check.HUB_FORMAT
DAMAGED = ".damaged"
STALE_TEMP_SECONDS = 600
TRUST_AFTER_NS = 2_000_000_000  # a file verified this long after its last change is remembered


def write_once(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (:mod:`fieldapp.files`, mode as the umask gives:
    the team's other devices read it); never replaces an existing file (FileExistsError)."""
    files.write_bytes(path, data, mode=None, exclusive=True)


class FolderHub:
    kind = "folder"

    def __init__(self, path: Path | str, key: bytes, *, clock=utcnow):
        self.path = Path(path).expanduser()
        self.key = key
        self.clock = clock
        self.hub_id = ""
        self.description = str(self.path)
        self.notices: list[str] = []  # for the sync report (set by connect)
        self.signing_key = None  # this device's Ed25519 key (set by fieldapp.sync.trust)

    # -- set-up ------------------------------------------------------------------------------
    def _devices(self) -> Path:
        return self.path / "devices"

    def _own(self, device_id: uuid.UUID) -> Path:
        return self._devices() / str(device_id)

    def connect(self, device_id: uuid.UUID) -> None:
        if not self.key:
            raise HubKeyError(_("No team key is set. Set the team key in the settings or in "
                                "the environment variable FIELDAPP_TEAM_KEY."))
        if not self.path.is_dir():
            raise HubError(_("The hub folder {path} cannot be reached. Check that the network "
                             "drive or USB stick is connected.").format(path=self.path))
        info_path = self.path / HUB_FILE
        try:
            if not info_path.exists():
                hub_id = str(uuid.uuid4())
                info = {"format": HUB_FORMAT, "hub_id": hub_id,
                        "key_check": key_check.make(self.key, hub_id)}
                with contextlib.suppress(FileExistsError):  # another device was faster
                    write_once(info_path, canonical_json(info) + b"\n")
            info = json.loads(info_path.read_bytes().decode("utf-8"))
            own = self._own(device_id)
            own.mkdir(parents=True, exist_ok=True)
            probe = own / f".probe.{uuid.uuid4().hex}.tmp"
            probe.write_bytes(b"")
            probe.unlink()
        except PermissionError as exc:
            raise HubError(_("The hub folder {path} cannot be written to ({error}). Ask for "
                             "write access, or choose another folder.").format(
                                 path=self.path, error=exc.strerror or exc)) from exc
        except OSError as exc:
            raise HubError(_("The hub folder {path} cannot be used: {error}").format(
                path=self.path, error=exc.strerror or exc)) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise HubError(_("{file} is damaged; the folder is not a usable hub.").format(
                file=info_path)) from exc
        if not isinstance(info, dict) or info.get("format") not in (1, HUB_FORMAT):
            raise HubError(_("{file} has an unknown format; update the app.").format(file=info_path))
        self.hub_id = str(info.get("hub_id", ""))
        self.notices = key_check.check_hub_file(self.key, self.hub_id, info, info_path)

    def close(self) -> None:
        pass

    # -- own bundles -------------------------------------------------------------------------
    def _seqs(self, folder: Path) -> dict[int, Path]:
        found = {}
        if folder.is_dir():
            for entry in folder.iterdir():
                seq = parse_bundle_name(entry.name)
                if seq is not None:
                    found[seq] = entry
        return found

    def _damaged_seqs(self, folder: Path) -> set[int]:
        seqs = set()
        if folder.is_dir():
            for entry in folder.iterdir():
                if entry.name.endswith(SUFFIX + DAMAGED):
                    seq = parse_bundle_name(entry.name[: -len(DAMAGED)])
                    if seq is not None:
                        seqs.add(seq)
        return seqs

    @staticmethod
    def _stamp(path: Path) -> list[int] | None:
        """What says a file is unchanged: size, modification and change times, inode."""
        try:
            st = path.stat()
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]

    def check_own(self, device_id: uuid.UUID, state: HubState) -> list[str]:
        """Verify this device's own bundles; those verified before whose file is unchanged
        (``state.verified``, updated here) are not read again."""
        own = self._own(device_id)
        problems: list[str] = []
        now = time.time()
        try:
            for entry in own.iterdir():
                if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        if now - entry.stat().st_mtime > STALE_TEMP_SECONDS:
                            entry.unlink()  # left by an interrupted push
            bundles = self._seqs(own)
            verified: dict[str, list[int]] = {}
            for seq, path in sorted(bundles.items()):
                stamp = self._stamp(path)
                if stamp is not None and state.verified.get(str(seq)) == stamp:
                    verified[str(seq)] = stamp  # unchanged since it verified: not read again
                    continue
                try:
                    decode_bundle(path.read_bytes(), self.key, device_id=device_id, seq=seq,
                                  trust=state.trust.get(str(device_id)))
                except BundleError as exc:
                    aside = path.with_name(path.name + DAMAGED)
                    os.replace(path, aside)
                    problems.append(_("{file}: {reason}; set aside as {aside}").format(
                        file=path, reason=exc, aside=aside.name))
                    continue
                # Remember it only when the file is old enough that a change within the
                # file system's time resolution cannot hide behind the same stamp.
                if stamp is not None and now * 1e9 - max(stamp[1], stamp[2]) > TRUST_AFTER_NS:
                    verified[str(seq)] = stamp
            state.verified = verified
            damaged = self._damaged_seqs(own)
            for seq in range(1, state.pushed_seq + 1):
                if seq not in bundles and seq not in damaged:
                    problems.append(_("{file} is missing from the hub").format(
                        file=own / bundle_name(seq)))
        except OSError as exc:
            raise HubError(_("The hub folder {path} cannot be used: {error}").format(
                path=self.path, error=exc.strerror or exc)) from exc
        return problems

    # -- push --------------------------------------------------------------------------------
    def push(self, device_id: uuid.UUID, envelopes: Sequence[Envelope],
             state: HubState) -> PushReceipt:
        own = self._own(device_id)
        try:
            taken = set(self._seqs(own)) | self._damaged_seqs(own)
            seq = max([state.pushed_seq, *taken]) + 1
            while True:
                data = encode_bundle(envelopes, device_id=device_id, seq=seq, key=self.key,
                                     created_at=self.clock(), signing_key=self.signing_key)
                path = own / bundle_name(seq)
                try:
                    write_once(path, data)
                    break
                except FileExistsError:
                    seq += 1  # another process of this device pushed at the same moment
            written = path.read_bytes()
        except OSError as exc:
            raise HubError(_("The bundle could not be written to {path}: {error}. Nothing "
                             "counts as synced; try again.").format(
                                 path=own, error=exc.strerror or exc)) from exc
        try:
            decode_bundle(written, self.key, device_id=device_id, seq=seq,
                          trust=state.trust.get(str(device_id)))
        except BundleError as exc:
            raise HubError(_("The bundle {file} did not read back correctly ({reason}). "
                             "Nothing counts as synced; try again.").format(file=path, reason=exc)) from exc
        if written != data:
            raise HubError(_("The bundle {file} did not read back correctly. Nothing counts "
                             "as synced; try again.").format(file=path))
        return PushReceipt(label=str(path), seq=seq)

    # -- pull --------------------------------------------------------------------------------
    def _loader(self, path: Path, device_id: uuid.UUID, seq: int, state: HubState):
        trust = state.trust.get(str(device_id))

        def load() -> BatchContent:
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise BundleError(_("cannot be read: {error}").format(error=exc.strerror or exc)) from exc
            bundle = decode_bundle(raw, self.key, device_id=device_id, seq=seq, trust=trust)
            # The signer (or, for an unsigned older bundle, the folder the team key vouches
            # for): owned records are accepted only from their owner's bundles.
            return BatchContent(bundle.envelopes, {bundle.device_id: bundle.created_at},
                                signer=bundle.device_id)
        return load

    def batches(self, device_id: uuid.UUID, state: HubState) -> list[Batch]:
        found: list[Batch] = []
        devices = self._devices()
        try:
            with os.scandir(devices) as entries:
                folders = sorted(e.name for e in entries if e.is_dir())
        except OSError as exc:
            raise HubError(_("The hub folder {path} cannot be used: {error}").format(
                path=self.path, error=exc.strerror or exc)) from exc
        refused_sources = {key.partition("/")[0] for key in state.refused}
        for name in folders:
            try:
                source = uuid.UUID(name)
            except ValueError:
                continue
            if source == device_id or str(source) != name:
                continue
            folder = devices / name
            cursor = state.cursors.get(name, 0)
            # Names are zero-padded numbers: one at or below the cursor's name is not new, so
            # it is only looked at when this device has refusals from that folder.
            cutoff = bundle_name(cursor) if cursor >= 0 else ""
            look_all = name in refused_sources
            seqs: dict[int, str] = {}
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if not look_all and entry.name <= cutoff:
                            continue
                        seq = parse_bundle_name(entry.name)
                        if seq is not None:
                            seqs[seq] = entry.name
            except FileNotFoundError:
                continue  # gone meanwhile
            except OSError as exc:
                raise HubError(_("The hub folder {path} cannot be used: {error}").format(
                    path=self.path, error=exc.strerror or exc)) from exc
            for seq, file_name in sorted(seqs.items()):
                path = folder / file_name
                key = f"{name}/{seq}"
                if seq > cursor:
                    found.append(Batch(label=str(path), source=name, seq=seq,
                                       load=self._loader(path, source, seq, state)))
                elif key in state.refused:  # refused before: the file may have been replaced
                    found.append(Batch(label=str(path), source=name, seq=cursor,
                                       load=self._loader(path, source, seq, state),
                                       refusal_key=key))
        return found

    def forget_gone(self, state: HubState) -> None:
        for key in list(state.refused):
            source, _sep, seq = key.partition("/")
            path = self._devices() / source / bundle_name(int(seq)) if seq.isdigit() else None
            if path is None or not path.exists():
                del state.refused[key]

