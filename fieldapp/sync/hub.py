"""What the sync engine needs from a hub (folder or PostgreSQL), and the errors hubs raise."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from fieldapp.sync.device_keys import DeviceTrust
from fieldapp.sync.envelope import Envelope


class HubError(Exception):
    """The hub cannot be used (unreachable, read-only, wrong key, not set up). Nothing local
    was changed; the message says what to do."""


class HubKeyError(HubError):
    """The team key is missing or does not match the hub's."""


@dataclass
class HubState:
    """This device's bookkeeping for one hub, kept as settings (:mod:`fieldapp.sync.state`)."""

    cursors: dict[str, int] = field(default_factory=dict)  # source -> last seq processed
    pushed_seq: int = 0
    refused: dict[str, dict] = field(default_factory=dict)  # "source/seq" -> {file, reason, at}
    # Own bundles verified before (folder hub): "seq" -> [size, mtime_ns, ctime_ns, inode] of
    # the file when it verified; a file that still has them is not read again.
    verified: dict[str, list[int]] = field(default_factory=dict)
    # What this device knows of each writer's signing key (folder hub): device -> trust, set
    # for each sync by fieldapp.sync.trust (from the hub's registrations and the pinned keys).
    trust: dict[str, DeviceTrust] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchContent:
    envelopes: list[Envelope]
    seen: dict[uuid.UUID, dt.datetime]  # devices that pushed it, and when
    # The device that signed it (folder hub): an owned record is applied only if this is its
    # owner. None: the hub itself vouches for the writer (PostgreSQL's row-level security).
    signer: uuid.UUID | None = None
    # The names the writers gave their devices (folder hub: a bundle header's ``name``).
    names: dict[uuid.UUID, str] = field(default_factory=dict)


@dataclass
class Batch:
    """One unit of pull, applied in one transaction: a bundle file, or a page of rows."""

    label: str  # a file path or a description, shown when refused
    source: str  # cursor key: a device id, or "server"
    seq: int  # the cursor after this batch
    load: Callable[[], BatchContent]  # raises BundleError when refused
    refusal_key: str | None = None  # set: re-reading a bundle refused before
    # False: a refused batch leaves the cursor where it is (folder hub: a junk file named
    # 99999999.bundle must not move the cursor past the device's real bundles); it is read
    # again at the next sync, like any refusal, until it is gone or good. Only such a batch
    # is held to the revision step (fieldapp.sync.validate.MAX_REVISION_STEP): a refusal
    # that depends on what this device holds must be read again later, not lost.
    advance_when_refused: bool = True


@dataclass(frozen=True)
class PushReceipt:
    label: str  # where the envelopes went (bundle file or server)
    seq: int | None  # the bundle number (folder hub)


class Hub(Protocol):
    hub_id: str
    description: str

    def connect(self, device_id: uuid.UUID) -> None: ...

    def check_own(self, device_id: uuid.UUID, state: HubState) -> list[str]:
        """Problems with what this device pushed earlier (damaged or missing bundles); when
        any, the engine pushes everything again."""
        ...

    def push(self, device_id: uuid.UUID, envelopes: Sequence[Envelope],
             state: HubState) -> PushReceipt: ...

    def batches(self, device_id: uuid.UUID, state: HubState) -> Iterator[Batch]: ...

    def forget_gone(self, state: HubState) -> None:
        """Drop refusals whose bundle is no longer in the hub."""
        ...

    def close(self) -> None: ...
