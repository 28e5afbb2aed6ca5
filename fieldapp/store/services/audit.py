"""The audit log: what was done with the data on this device, never the data itself.

Kinds (``AuditService.record(kind, details)``):

- ``export``: a weekly report written ({week, scope, format, file})
- ``disclosure``: a redacted report for a partner ({week, scope, format, file, recipient})
- ``sync``: a sync run ({hub, pushed, pulled, refused, error})
- ``purge``: a retention rule ran ({rule, kind, count})
- ``settings``: settings changed ({keys: [...]}; secrets are never written here)
- ``unlock`` / ``unlock_failed``: the window was unlocked, or a wrong passphrase was tried
- ``encryption``: the data file was converted to an encrypted file ({rows, backups})
- ``passphrase``: the encrypted data file and its backups got a new passphrase ({rows, backups})
- ``place_status``: a place's hotspot status was set here ({place, from, to}; ids and status
  values only): the place page's status history

Local only (never synced). Qt-free.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.domain.cells import csv_writer
from fieldapp import files
from fieldapp.i18n import _
from fieldapp.store.models import AuditEntry
from fieldapp.store.types import utcnow

KINDS = ("export", "disclosure", "sync", "purge", "settings", "unlock", "unlock_failed",
         "encryption", "passphrase", "place_status")


def kind_label(kind: str) -> str:
    return {
        "export": _("Export"),
        "disclosure": _("Disclosure"),
        "sync": _("Sync"),
        "purge": _("Purge (retention)"),
        "settings": _("Settings changed"),
        "unlock": _("Unlocked"),
        "unlock_failed": _("Wrong passphrase"),
        "encryption": _("Encrypted the data file"),
        "passphrase": _("Changed the passphrase"),
        "place_status": _("Hotspot status set"),
    }.get(kind, kind)


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: dt.datetime
    kind: str
    details: dict

    @property
    def summary(self) -> str:
        """The details as one line in the UI's language: ``vecka: 2024-W47; format: pdf; …``
        (the CSV export keeps the raw keys)."""
        parts = []
        for key, value in self.details.items():
            if isinstance(value, (list, dict)):
                value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            parts.append(f"{detail_label(key)}: {value}")
        return "; ".join(parts)


def detail_label(key: str) -> str:
    """A detail's name as the log on screen shows it."""
    return {
        "week": _("week"), "period": _("period"), "scope": _("scope"), "format": _("format"),
        "file": _("file"), "recipient": _("recipient"), "hub": _("hub"), "pushed": _("sent"),
        "pulled": _("received"), "refused": _("refused"), "error": _("error"),
        "rule": _("rule"), "kind": _("kind"), "count": _("count"), "keys": _("settings"),
        "values": _("values"), "rows": _("records"), "backups": _("backups"),
        "attempted_at": _("tried at"), "cancelled": _("cancelled"),
    }.get(key, key)


def _plain(value):
    """A JSON-safe copy of ``value`` (paths, times and ids as text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


class AuditService:
    def __init__(self, session: Session, clock=utcnow):
        self.session = session
        self.clock = clock

    def record(self, kind: str, details: dict | None = None) -> AuditRecord:
        """Add one entry (in the caller's transaction)."""
        if kind not in KINDS:
            raise ValueError(f"unknown audit kind {kind!r}; one of {KINDS}")
        row = AuditEntry(at=self.clock(), kind=kind, details=_plain(dict(details or {})))
        self.session.add(row)
        self.session.flush()
        return _record(row)

    def list(self, *, kinds: Iterable[str] | None = None, limit: int | None = None,
             since: dt.datetime | None = None) -> list[AuditRecord]:
        """Entries, newest first."""
        query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if kinds is not None:
            query = query.where(AuditEntry.kind.in_(list(kinds)))
        if since is not None:
            query = query.where(AuditEntry.at >= since)
        if limit is not None:
            query = query.limit(limit)
        return [_record(row) for row in self.session.scalars(query)]

    def csv_text(self) -> str:
        """Every entry, oldest first, as CSV (UTF-8 text; Excel reads the BOM that
        :meth:`export_csv` writes)."""
        buffer = io.StringIO()
        writer = csv_writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([_("Time (UTC)"), _("Kind"), _("What"), _("Details (JSON)")])
        for entry in reversed(self.list()):
            writer.writerow([entry.at.isoformat(timespec="seconds"), entry.kind,
                             kind_label(entry.kind),
                             json.dumps(entry.details, ensure_ascii=False, sort_keys=True)])
        return buffer.getvalue()

    def export_csv(self, path: Path | str) -> Path:
        """Write the log to ``path`` (written to a temporary name, then renamed)."""
        path = Path(path)
        data = ("\ufeff" + self.csv_text()).encode("utf-8")
        files.write_bytes(path, data)
        return path


def _record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(id=row.id, at=row.at, kind=row.kind, details=dict(row.details or {}))


def record_sync_run(session: Session, *, hub: str, pushed: dict[str, int] | None = None,
                    pulled: dict[str, int] | None = None, refused: int = 0,
                    error: str | None = None, cancelled: bool = False) -> AuditRecord:
    """The one call the sync code makes after each run (successful, refused or failed):
    ``hub`` without its password; counts per record type; never record contents."""
    details = {"hub": hub, "pushed": dict(pushed or {}), "pulled": dict(pulled or {}),
               "refused": int(refused)}
    if cancelled:
        details["cancelled"] = True
    if error:
        details["error"] = str(error)[:500]
    return AuditService(session).record("sync", details)
