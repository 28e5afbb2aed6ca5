"""Device-local settings (never synced): every setting declared once, as a typed key.

A :class:`SettingKey` names one setting, its Python type and its default; a
:class:`SettingFamily` is a set of keys that share a prefix and differ in a suffix (one per
hub, one per hub and source). Every module reads and writes the ``setting`` table through
:class:`SettingsService` and these keys, nowhere else.

Values are stored as JSON (what JSON holds exactly: None, True/False, a whole number, a finite
decimal number, text, a list or a dict with text keys of such values), as they always were, so
existing files keep their settings. A stored value of the wrong type (an older version, an
edited file) reads as the key's default. Saving a value of the wrong type, or one JSON cannot
give back, is refused with a ValidationError (fields "key" and "value") and nothing is saved.

A name given as text is looked up among the declared keys; a name not declared here is a
free-form JSON value (only for tests and tools). The team key is never a setting: it lives in
the environment or the OS keyring (:mod:`fieldapp.store.secrets`); :data:`LEGACY_TEAM_KEY` is
declared only so that :mod:`fieldapp.sync.team_key` can move an old file's key out.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.domain.validation import FieldError, check_text, raise_if
from fieldapp.i18n import _
from fieldapp.store.models import Device, Setting, Staff

MAX_KEY_LENGTH = 100
MAX_DEPTH = 20

T = TypeVar("T")


@dataclass(frozen=True)
class SettingKey(Generic[T]):
    """One setting: its stored name, the type(s) its value has, and its default."""

    name: str
    kind: type | tuple[type, ...]
    default: T

    def accepts(self, value: Any) -> bool:
        if self.kind is object:
            return True
        kinds = self.kind if isinstance(self.kind, tuple) else (self.kind,)
        if isinstance(value, bool) and bool not in kinds:
            return False  # True is an int to Python, not to a setting
        return isinstance(value, kinds)


@dataclass(frozen=True)
class SettingFamily(Generic[T]):
    """Keys ``<prefix>.<suffix>`` of one type and default (e.g. one per hub)."""

    prefix: str
    kind: type | tuple[type, ...]
    default: T

    def key(self, *suffix: str) -> SettingKey[T]:
        return SettingKey(".".join((self.prefix, *suffix)), self.kind, self.default)


# -- the settings -------------------------------------------------------------------------------

LANGUAGE = SettingKey("language", str, "sv")
TEAM_NAME = SettingKey("team_name", str, "")
HUB_PATH = SettingKey("hub_path", str, "")
HUB_URL = SettingKey("hub_url", str, "")
LOCK_MINUTES = SettingKey("lock_minutes", (int, float), 10)  # idle minutes before the lock
# Retention (gallring) rules {"private_notes_days", "records_months"}; see services.retention.
RETENTION_RULES = SettingKey("retention", dict, {})
RETENTION_LAST_RUN = SettingKey("retention.last_run", str, "")  # ISO time of the last run
# Words the PII guard never takes for a person's name here (a team's own: street names after
# people, a youth club "Ungdomsgården Oskar"); fieldapp.store.known reads it.
PII_ALLOW_LIST = SettingKey("pii.allow_list", list, [])
# The Karta page's basemap: the path of a raster MBTiles file ("" = none, a plain ground).
MAP_MBTILES = SettingKey("map.mbtiles", str, "")
# The first-start guide (fieldapp.ui.dialogs.first_start): "" not yet offered, "skipped" when
# the user skipped it (it is not offered again; Arkiv → Kom igång opens it), "done" when it
# was gone through. A file is set up when this is set, or it has a device name or staff.
FIRST_START = SettingKey("first_start", str, "")
FIRST_START_DONE = "done"
FIRST_START_SKIPPED = "skipped"

# Sync bookkeeping (fieldapp.sync.state says what each holds).
SYNC_LAST = SettingKey("sync.last", dict, {})  # the last sync, for the Synk view
SYNC_PARKED = SettingKey("sync.parked", list, [])  # received records waiting for a parent
SYNC_ACKED_HUB = SettingKey("sync.acked_hub", str, "")  # the hub the receipts refer to
SYNC_NOTICES = SettingKey("sync.notices", list, [])  # messages for the next sync report
SYNC_CURSOR = SettingFamily("sync.cursor", int, 0)  # .<hub>.<source>: last bundle/seq read
SYNC_PUSHED_SEQ = SettingFamily("sync.pushed_seq", int, 0)  # .<hub>: this device's last bundle
SYNC_REFUSED = SettingFamily("sync.refused", dict, {})  # .<hub>: refused bundles
SYNC_VERIFIED = SettingFamily("sync.verified", dict, {})  # .<hub>: own bundles verified
# Signing keys (fieldapp.sync.trust): this device's private key (base64), the registration it
# wrote in each hub, and the keys of the other devices pinned at first sight, per hub.
SYNC_DEVICE_KEY = SettingKey("sync.device_key", str, "")
SYNC_REGISTERED = SettingFamily("sync.registered", str, "")  # .<hub>: own registration
SYNC_PINNED = SettingFamily("sync.pinned", dict, {})  # .<hub>: device -> {key, legacy}

LEGACY_TEAM_KEY = SettingKey("team_key", str, "")  # older versions stored it here; moved out

KEYS: dict[str, SettingKey] = {key.name: key for key in (
    LANGUAGE, TEAM_NAME, HUB_PATH, HUB_URL, LOCK_MINUTES, RETENTION_RULES, RETENTION_LAST_RUN,
    PII_ALLOW_LIST, MAP_MBTILES, FIRST_START,
    SYNC_LAST, SYNC_PARKED, SYNC_ACKED_HUB, SYNC_NOTICES, SYNC_DEVICE_KEY,
)}
FAMILIES = (SYNC_CURSOR, SYNC_PUSHED_SEQ, SYNC_REFUSED, SYNC_VERIFIED, SYNC_REGISTERED, SYNC_PINNED)
# What the settings page shows: these keys and their defaults.
DEFAULTS: dict[str, object] = {key.name: key.default for key in (
    LANGUAGE, TEAM_NAME, HUB_PATH, HUB_URL)}


def key_for(name: str | SettingKey) -> SettingKey:
    """The declared key for ``name`` (a family member by its prefix), else a free-form key."""
    if isinstance(name, SettingKey):
        return name
    if name in KEYS:
        return KEYS[name]
    for family in FAMILIES:
        if isinstance(name, str) and name.startswith(family.prefix + "."):
            return SettingKey(name, family.kind, family.default)
    return SettingKey(name, object, None)


class SettingsService:
    def __init__(self, session: Session):
        self.session = session

    def _row(self, name: str) -> Setting | None:
        """The stored row, kept for the rest of the session: a sync reads the same few
        settings for every batch, and a session holds unchanged rows only weakly (without
        this each read would be a query)."""
        held = self.session.info.setdefault("fieldapp.settings.held", {})
        row = held.get(name)
        if row is None or row not in self.session:  # not read yet, or rolled back
            row = self.session.get(Setting, name)
            if row is not None:
                held[name] = row
        return row

    def get(self, key: SettingKey[T] | str, default: object = None) -> T:
        """The value of ``key``; its default when not set or of the wrong type. ``default``
        counts only for a free-form name."""
        key = key_for(key)
        row = self._row(key.name)
        fallback = default if key.kind is object else copy.deepcopy(key.default)
        if row is None or not key.accepts(row.value):
            return fallback
        return row.value

    def set(self, key: SettingKey[T] | str, value: T) -> None:
        key = key_for(key)
        name = key.name
        errors = check_text("key", name, label=_("The setting's name"), max_length=MAX_KEY_LENGTH)
        if not isinstance(name, str) or not name.strip():
            errors.append(FieldError("key", _("Give the setting a name.")))
        elif name == LEGACY_TEAM_KEY.name:
            errors.append(FieldError("key", _(
                "The team key is never saved in the data file: save it in the keyring under "
                "Settings, or give it in the environment variable FIELDAPP_TEAM_KEY.")))
        if not _storable(value) or not key.accepts(value):
            errors.append(FieldError("value", _(
                "The value of the setting {key} cannot be saved (only text, numbers, yes/no, "
                "lists and tables of them).").format(key=name if isinstance(name, str) else "")))
        raise_if(errors)
        self._write(name, value)

    def put(self, key: SettingKey[T], value: T) -> None:
        """Save bookkeeping the app built itself (the sync's cursors, receipts, parked
        records): the type is checked, the value is not walked, and the row is written with
        the session's next flush. Typed keys only; user input goes through :meth:`set`."""
        if not key.accepts(value):
            raise TypeError(f"setting {key.name}: {type(value).__name__} is not {key.kind}")
        self._write(key.name, value, flush=False)

    def _write(self, name: str, value: object, *, flush: bool = True) -> None:
        row = self._row(name)
        if row is None:
            row = Setting(key=name, value=value)
            self.session.add(row)
            self.session.info.setdefault("fieldapp.settings.held", {})[name] = row
        else:
            row.value = value
        if flush:
            self.session.flush()

    def delete(self, key: SettingKey | str) -> None:
        row = self._row(key_for(key).name)
        if row is not None:
            self.session.delete(row)
            self.session.info.get("fieldapp.settings.held", {}).pop(row.key, None)
            self.session.flush()

    def family(self, family: SettingFamily[T], *suffix: str) -> dict[str, T]:
        """The stored keys of ``family`` under ``<prefix>.<suffix…>.``: rest of name -> value
        (values of the wrong type left out)."""
        prefix = ".".join((family.prefix, *suffix)) + "."
        rows = self.session.scalars(
            select(Setting).where(Setting.key.startswith(prefix, autoescape=True)))
        key = family.key(*suffix)
        return {row.key[len(prefix):]: row.value for row in rows if key.accepts(row.value)}

    def all(self) -> dict[str, object]:
        values = dict(DEFAULTS)
        values.update({row.key: row.value for row in self.session.query(Setting)})
        return values

    def device_name(self) -> str:
        return self.session.query(Device).filter(Device.is_self).one().name

    def set_device_name(self, name: str) -> None:
        self.session.query(Device).filter(Device.is_self).one().name = name.strip()[:100]
        self.session.flush()

    def is_set_up(self) -> bool:
        """Whether this data file has been set up: the first-start guide was gone through or
        skipped, or the file already has a device name or staff (set before the guide
        existed, or received from the team). A file that is not is offered the guide."""
        if self.get(FIRST_START) or self.device_name():
            return True
        return self.session.scalars(
            select(Staff.id).where(Staff.deleted_at.is_(None)).limit(1)).first() is not None


def _storable(value, depth: int = 0) -> bool:
    """Whether JSON gives ``value`` back exactly."""
    if depth > MAX_DEPTH:
        return False
    if value is None or isinstance(value, (bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return all(_storable(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _storable(v, depth + 1) for k, v in value.items())
    return False
