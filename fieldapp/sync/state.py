"""This device's sync bookkeeping, kept through the settings service (device-local JSON
values, never synced; the keys are declared in :mod:`fieldapp.store.services.settings`):

- ``sync.cursor.<hub-id>.<source>``: the last bundle (folder) or server_seq (PostgreSQL) read
- ``sync.pushed_seq.<hub-id>``: the number of this device's last bundle
- ``sync.refused.<hub-id>``: refused bundles ``{"<device>/<seq>": {file, reason, at}}``
- ``sync.verified.<hub-id>``: own bundles verified before, with the file's stamp (folder hub)
- ``sync.parked``: received records that refer to a record not received yet (kept and
  applied as soon as their parent arrives, whichever device it comes from)
- ``sync.acked_hub``: the hub the receipts (``acked_revision``) refer to; syncing with
  another hub sends everything once
- ``sync.last``: the last sync (hub, time, counts, error) for the Synk view
- ``sync.notices``: messages for the user that the next sync report carries (once)
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fieldapp.store.services import settings as keys
from fieldapp.store.services.settings import SettingsService
from fieldapp.sync.envelope import Envelope
from fieldapp.sync.hub import HubState


def held(session: Session, model: type, key):
    """``session.get`` that keeps the row for the rest of the session. A pull reads the same
    few rows (devices) for every batch, and a session holds unchanged objects only weakly:
    without this each read would be a query."""
    rows = session.info.setdefault("fieldapp.sync.held", {})
    row = rows.get((model, key))
    if row is None or row not in session:  # not read yet, or dropped by a rolled-back savepoint
        row = session.get(model, key)
        if row is not None:
            rows[(model, key)] = row
    return row


def load_state(session: Session, hub_id: str) -> HubState:
    settings = SettingsService(session)
    return HubState(
        cursors={source: int(value)
                 for source, value in settings.family(keys.SYNC_CURSOR, hub_id).items()},
        pushed_seq=int(settings.get(keys.SYNC_PUSHED_SEQ.key(hub_id))),
        refused=dict(settings.get(keys.SYNC_REFUSED.key(hub_id))),
        verified=dict(settings.get(keys.SYNC_VERIFIED.key(hub_id))),
    )


def save_verified(session: Session, hub_id: str, verified: dict) -> None:
    SettingsService(session).put(keys.SYNC_VERIFIED.key(hub_id), dict(verified))


def save_refused(session: Session, hub_id: str, refused: dict) -> None:
    SettingsService(session).put(keys.SYNC_REFUSED.key(hub_id), dict(refused))


def save_pushed_seq(session: Session, hub_id: str, seq: int) -> None:
    SettingsService(session).put(keys.SYNC_PUSHED_SEQ.key(hub_id), int(seq))


def save_cursor(session: Session, hub_id: str, source: str, cursor: int) -> None:
    SettingsService(session).put(keys.SYNC_CURSOR.key(hub_id, source), int(cursor))


def acked_hub(session: Session) -> str:
    return SettingsService(session).get(keys.SYNC_ACKED_HUB)


def set_acked_hub(session: Session, hub_id: str) -> None:
    SettingsService(session).put(keys.SYNC_ACKED_HUB, hub_id)


def parked(session: Session) -> list[Envelope]:
    return list(SettingsService(session).get(keys.SYNC_PARKED))


def set_parked(session: Session, envelopes: list[Envelope]) -> None:
    SettingsService(session).put(keys.SYNC_PARKED, list(envelopes))


def record_last(session: Session, info: dict) -> None:
    SettingsService(session).put(keys.SYNC_LAST, dict(info))


def last_sync(session: Session) -> dict:
    return dict(SettingsService(session).get(keys.SYNC_LAST))


def refused_of(session: Session, hub_id: str) -> dict:
    return dict(SettingsService(session).get(keys.SYNC_REFUSED.key(hub_id)))


def add_notice(session: Session, text: str) -> None:
    """Keep ``text`` for the next sync report (a message the user must see once)."""
    settings = SettingsService(session)
    notices = [n for n in settings.get(keys.SYNC_NOTICES) if isinstance(n, str)]
    if text not in notices:
        settings.put(keys.SYNC_NOTICES, [*notices, text])
        session.flush()


def take_notices(session: Session) -> list[str]:
    """The kept messages, removed: each is shown once."""
    settings = SettingsService(session)
    notices = [n for n in settings.get(keys.SYNC_NOTICES) if isinstance(n, str)]
    if notices:
        settings.delete(keys.SYNC_NOTICES)
    return notices
