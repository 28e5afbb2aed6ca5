"""What a sync did (:class:`SyncReport`), for the command line, the Synk view and the audit
log; and the callback types a sync takes. Qt-free."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]


@dataclass(frozen=True)
class Refusal:
    file: str
    reason: str


@dataclass(frozen=True)
class DeviceSeen:
    device_id: uuid.UUID
    last_seen_at: dt.datetime | None


@dataclass(frozen=True)
class TextRefusal:
    """A received text this device's shareable-text gate refused: stored empty, the rest of
    the record kept (see :mod:`fieldapp.sync.validate`)."""

    type: str
    id: str
    field: str
    reason: str


@dataclass
class SyncReport:
    hub: str
    pushed: dict[str, int] = field(default_factory=dict)  # type -> records sent
    pulled: dict[str, int] = field(default_factory=dict)  # type -> records applied
    refused: list[Refusal] = field(default_factory=list)  # bundles refused (still in the hub)
    devices: list[DeviceSeen] = field(default_factory=list)  # devices whose bundles were read
    pushed_to: str | None = None  # the bundle file (folder hub)
    repaired: list[str] = field(default_factory=list)  # own bundles found damaged: re-sent
    ignored: int = 0  # records from another device for a record it does not own
    waiting: int = 0  # received records waiting for a parent record
    expired: int = 0  # records past the retention limit, removed again right after the pull
    cancelled: bool = False
    finished_at: dt.datetime | None = None
    notices: list[str] = field(default_factory=list)  # messages the user must see once
    texts_refused: list[TextRefusal] = field(default_factory=list)  # received texts stored empty
    records_refused: list[Refusal] = field(default_factory=list)  # received records not stored

    @property
    def pushed_total(self) -> int:
        return sum(self.pushed.values())

    @property
    def pulled_total(self) -> int:
        return sum(self.pulled.values())


def merge(report: SyncReport, part: SyncReport) -> None:
    """Add what one applied batch did (``part``) to the sync's report."""
    for name, count in part.pulled.items():
        report.pulled[name] = report.pulled.get(name, 0) + count
    report.ignored += part.ignored
    report.texts_refused.extend(part.texts_refused)
    report.records_refused.extend(part.records_refused)
    for seen in part.devices:
        report.devices = [d for d in report.devices if d.device_id != seen.device_id]
        report.devices.append(seen)
