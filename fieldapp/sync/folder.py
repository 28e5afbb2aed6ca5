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
place). Only names of the form ``<seq:08d>.bundle`` (1 to 99,999,999) are bundles; a file is
read only if it is a regular file of at most 64 MB (:mod:`fieldapp.sync.safe_read`: no
symlink, FIFO or device). What this device knows of each writer's key (``HubState.trust``) is
set up before by :mod:`fieldapp.sync.trust` from the registrations in ``keys/`` and the keys
pinned here.

The team key's check in ``hub.json`` is stretched (:mod:`fieldapp.sync.key_check`); a hub made
by an earlier version (an unstretched check, format 1) is upgraded by the first device that
opens it with the right key (format 2, which older versions refuse with "update the app").

A refused bundle is reported with its file and reason and skipped: the bundles after it (and
every other device's) are still applied, but the cursor does not move past it (a junk file
named ``99999999.bundle`` must not hide the device's real bundles); the refusal is kept
(:mod:`fieldapp.sync.state`), the file read again and reported at every sync while it stays,
and applied if it is later replaced by a good copy. Readers stop reporting a refusal once the
file is gone.

The owner of a device folder checks its own bundles at every sync, bounded by the number of
bundles it wrote (its ``pushed_seq`` setting), never by the names it finds: one of its bundles
that no longer verifies (damaged, cut off, tampered with) is renamed to ``….damaged`` and the
owner pushes all its records again in a new bundle, so nothing is lost for the others; a
missing bundle is handled the same way. A file with a bundle name above what it wrote was not
written by it (except the one bundle whose push was cut off before its receipt was saved,
which verifies and is counted): it is set aside as ``….damaged`` and reported, and the next
bundle is still ``pushed_seq + 1``. Other names are ignored and reported. A push too large for
one bundle is written as several, each within the readers' limit.
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
    MAX_SEQ,
    BundleError,
    bundle_name,
    decode_bundle,
    encode_bundle,
    parse_bundle_name,
)
from fieldapp.sync import key_check
from fieldapp.sync.envelope import Envelope, canonical_json
from fieldapp.sync.own_bundles import DAMAGED, missing_bundles, scan_own
from fieldapp.sync.hub import Batch, BatchContent, HubError, HubKeyError, HubState, PushReceipt
from fieldapp.sync.safe_read import MAX_BUNDLE_BYTES, FileRefused, read_regular_file

HUB_FILE = "hub.json"
HUB_FORMAT = key_check.HUB_FORMAT
HUB_FILE_LIMIT = 64 * 1024
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
        self.device_name = ""  # this laptop's name, sent in each bundle's header (the engine)
        # What the user should know that is no fault of a bundle (files set aside or ignored
        # in this device's folder); the engine adds them to the report's notices.
        self.findings: list[str] = []

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
            info = json.loads(read_regular_file(info_path, HUB_FILE_LIMIT).decode("utf-8"))
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
    @staticmethod
    def _stamp(path: Path) -> list[int] | None:
        """What says a file is unchanged: size, modification and change times, inode."""
        try:
            st = path.stat()
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]

    def _verify(self, path: Path, device_id: uuid.UUID, seq: int, trust=None) -> str | None:
        """Why the own bundle ``path`` does not verify, or None when it does."""
        try:
            decode_bundle(read_regular_file(path), self.key, device_id=device_id, seq=seq,
                          trust=trust)
        except (BundleError, FileRefused) as exc:
            return str(exc)
        except OSError as exc:
            return _("cannot be read: {error}").format(error=exc.strerror or exc)
        except Exception as exc:  # noqa: BLE001 - whatever the file holds, it is refused
            return _("cannot be read: {error}").format(error=str(exc) or type(exc).__name__)
        return None

    def _set_aside(self, path: Path) -> Path:
        aside = path.with_name(path.name + DAMAGED)
        os.replace(path, aside)
        return aside

    def check_own(self, device_id: uuid.UUID, state: HubState) -> list[str]:
        """Verify this device's own bundles; those verified before whose file is unchanged
        (``state.verified``, updated here) are not read again.

        Bounded by what this device wrote (``state.pushed_seq``), never by the names it finds:
        a bundle just above it that verifies as this device's is one whose push was cut off
        before its receipt was saved, and is counted as written (``state.pushed_seq`` moves
        up); any other file with a bundle name above it was not written here: it is set aside
        and reported in :attr:`findings`, and the next bundle is still ``pushed_seq + 1``.
        Names that are not bundle names are ignored and reported there too. The returned
        problems (an own bundle damaged or missing) make the engine send everything again."""
        own = self._own(device_id)
        problems: list[str] = []
        now = time.time()
        trust = state.trust.get(str(device_id))
        try:
            bundles, damaged = scan_own(own, now, self.findings)
            if state.pushed_seq > MAX_SEQ:  # a nine-digit number left by an earlier version
                problems.append(_("the numbering of this computer's bundles was out of range "
                                  "({seq}); it starts again after the last good bundle").format(
                                      seq=state.pushed_seq))
                state.pushed_seq = 0
            while state.pushed_seq + 1 in bundles and self._verify(
                    bundles[state.pushed_seq + 1], device_id, state.pushed_seq + 1,
                    trust) is None:
                state.pushed_seq += 1
            verified: dict[str, list[int]] = {}
            for seq, path in sorted(bundles.items()):
                if seq > state.pushed_seq:
                    aside = self._set_aside(path)
                    self.findings.append(_("{file} was not written by this computer; set aside "
                                           "as {aside}").format(file=path, aside=aside.name))
                    continue
                stamp = self._stamp(path)
                if stamp is not None and state.verified.get(str(seq)) == stamp:
                    verified[str(seq)] = stamp  # unchanged since it verified: not read again
                    continue
                reason = self._verify(path, device_id, seq, trust)
                if reason is not None:
                    aside = self._set_aside(path)
                    damaged.add(seq)
                    problems.append(_("{file}: {reason}; set aside as {aside}").format(
                        file=path, reason=reason, aside=aside.name))
                    continue
                # Remember it only when the file is old enough that a change within the
                # file system's time resolution cannot hide behind the same stamp.
                if stamp is not None and now * 1e9 - max(stamp[1], stamp[2]) > TRUST_AFTER_NS:
                    verified[str(seq)] = stamp
            state.verified = verified
            problems += missing_bundles(own, state.pushed_seq, bundles, damaged)
        except OSError as exc:
            raise HubError(_("The hub folder {path} cannot be used: {error}").format(
                path=self.path, error=exc.strerror or exc)) from exc
        return problems

    # -- push --------------------------------------------------------------------------------
    def _encoded(self, envelopes: Sequence[Envelope], device_id: uuid.UUID, seq: int) -> bytes:
        return encode_bundle(envelopes, device_id=device_id, seq=seq, key=self.key,
                             created_at=self.clock(), signing_key=self.signing_key,
                             device_name=self.device_name)

    def _bundles(self, envelopes: list[Envelope], device_id: uuid.UUID,
                 seq: int) -> list[tuple[int, bytes]]:
        """``envelopes`` as bundles numbered from ``seq``, each within
        :data:`MAX_BUNDLE_BYTES` (what a reader accepts): split in halves, in order, so
        parents still come before children."""
        data = self._encoded(envelopes, device_id, seq)
        if len(envelopes) <= 1 or len(data) <= MAX_BUNDLE_BYTES:
            return [(seq, data)]
        half = len(envelopes) // 2
        first = self._bundles(envelopes[:half], device_id, seq)
        return [*first, *self._bundles(envelopes[half:], device_id, seq + len(first))]

    def push(self, device_id: uuid.UUID, envelopes: Sequence[Envelope],
             state: HubState) -> PushReceipt:
        """Write ``envelopes`` as bundle ``state.pushed_seq + 1`` (more than one when they do
        not fit in one bundle); the receipt names the last. The number never depends on the
        names in the folder (:meth:`check_own` has set aside what this device did not write)."""
        own = self._own(device_id)
        bundles = self._bundles(list(envelopes), device_id, state.pushed_seq + 1)
        if bundles[-1][0] > MAX_SEQ:
            raise HubError(_("This computer has written {count} bundles to the hub, the most a "
                             "device folder holds. Start a new hub folder for the team.").format(
                                 count=MAX_SEQ))
        path = own
        trust = state.trust.get(str(device_id))
        for seq, data in bundles:
            path = self._write_bundle(own, device_id, seq, data, trust)
        return PushReceipt(label=str(path), seq=bundles[-1][0])

    def _write_bundle(self, own: Path, device_id: uuid.UUID, seq: int, data: bytes,
                      trust=None) -> Path:
        path = own / bundle_name(seq)
        try:
            try:
                write_once(path, data)
            except FileExistsError:  # put there since check_own: not written by this device
                aside = self._set_aside(path)
                self.findings.append(_("{file} was not written by this computer; set aside as "
                                       "{aside}").format(file=path, aside=aside.name))
                write_once(path, data)
            written = read_regular_file(path)
        except (OSError, FileRefused) as exc:
            raise HubError(_("The bundle could not be written to {path}: {error}. Nothing "
                             "counts as synced; try again.").format(
                                 path=own, error=getattr(exc, "strerror", None) or exc)) from exc
        try:
            decode_bundle(written, self.key, device_id=device_id, seq=seq, trust=trust)
        except BundleError as exc:
            raise HubError(_("The bundle {file} did not read back correctly ({reason}). "
                             "Nothing counts as synced; try again.").format(file=path, reason=exc)) from exc
        if written != data:
            raise HubError(_("The bundle {file} did not read back correctly. Nothing counts "
                             "as synced; try again.").format(file=path))
        return path

    # -- pull --------------------------------------------------------------------------------
    def _loader(self, path: Path, device_id: uuid.UUID, seq: int, state: HubState):
        trust = state.trust.get(str(device_id))

        def load() -> BatchContent:
            try:
                raw = read_regular_file(path)
            except FileRefused as exc:
                raise BundleError(str(exc)) from None
            except OSError as exc:
                raise BundleError(_("cannot be read: {error}").format(error=exc.strerror or exc)) from exc
            bundle = decode_bundle(raw, self.key, device_id=device_id, seq=seq, trust=trust)
            # The signer (or, for an unsigned older bundle, the folder the team key vouches
            # for): owned records are accepted only from their owner's bundles.
            return BatchContent(bundle.envelopes, {bundle.device_id: bundle.created_at},
                                signer=bundle.device_id,
                                names={bundle.device_id: bundle.device_name})
        return load

    def batches(self, device_id: uuid.UUID, state: HubState) -> list[Batch]:
        found: list[Batch] = []
        devices = self._devices()
        try:
            with os.scandir(devices) as entries:
                folders = sorted(e.name for e in entries if e.is_dir(follow_symlinks=False))
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
            highest = 0
            # The names at or below the cursor's are read as numbers only when the cursor's
            # own bundle is gone (below): an idle sync of a city's hub (150 devices, a year
            # of weekly bundles) then compares names instead of parsing 7,800 of them.
            older: list[str] = []
            at_cursor = False
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        entry_name = entry.name
                        if not look_all and entry_name <= cutoff:
                            if entry_name == cutoff:
                                at_cursor = True
                            else:
                                older.append(entry_name)
                            continue
                        seq = parse_bundle_name(entry_name)
                        if seq is not None:
                            seqs[seq] = entry_name
                            highest = max(highest, seq)
            except FileNotFoundError:
                continue  # gone meanwhile
            except OSError as exc:
                raise HubError(_("The hub folder {path} cannot be used: {error}").format(
                    path=self.path, error=exc.strerror or exc)) from exc
            if at_cursor:
                highest = max(highest, cursor)
            elif cursor > highest:
                highest = max([highest, *((parse_bundle_name(n) or 0) for n in older)])
            if cursor > highest:
                # Past every bundle there (a cursor moved by a junk name, e.g. 99999999, in an
                # earlier version; or the device's last bundles were set aside): the device's
                # next bundle follows its real last one, so read from there.
                cursor = state.cursors[name] = highest
            for seq, file_name in sorted(seqs.items()):
                path = folder / file_name
                key = f"{name}/{seq}"
                if seq > cursor:
                    found.append(Batch(label=str(path), source=name, seq=seq,
                                       load=self._loader(path, source, seq, state),
                                       advance_when_refused=False))
                elif key in state.refused:  # refused before: the file may have been replaced
                    found.append(Batch(label=str(path), source=name, seq=cursor,
                                       load=self._loader(path, source, seq, state),
                                       refusal_key=key, advance_when_refused=False))
        return found

    def forget_gone(self, state: HubState) -> None:
        for key in list(state.refused):
            source, _sep, seq = key.partition("/")
            path = self._devices() / source / bundle_name(int(seq)) if seq.isdigit() else None
            if path is None or not path.exists():
                del state.refused[key]

