"""Device-local settings (never synced): a small key/value store of JSON values.

A key is text of 1–100 characters; a value is what JSON holds exactly: None, True/False, a
whole number, a finite decimal number, text, a list or a dict with text keys of such values.
Anything else is refused with a ValidationError (fields "key" and "value") and nothing is
saved.
"""

from __future__ import annotations

import math

from sqlalchemy.orm import Session

from fieldapp.domain.validation import FieldError, check_text, raise_if
from fieldapp.i18n import _
from fieldapp.store.models import Device, Setting

MAX_KEY_LENGTH = 100
MAX_DEPTH = 20

DEFAULTS: dict[str, object] = {
    "language": "sv",
    "team_name": "",
    "hub_path": "",
    "hub_url": "",
}


class SettingsService:
    def __init__(self, session: Session):
        self.session = session

    def get(self, key: str, default: object = None) -> object:
        row = self.session.get(Setting, key)
        if row is None:
            return DEFAULTS.get(key, default)
        return row.value

    def set(self, key: str, value: object) -> None:
        errors = check_text("key", key, label=_("The setting's name"), max_length=MAX_KEY_LENGTH)
        if not isinstance(key, str) or not key.strip():
            errors.append(FieldError("key", _("Give the setting a name.")))
        if not _storable(value):
            errors.append(FieldError("value", _(
                "The value of the setting {key} cannot be saved (only text, numbers, yes/no, "
                "lists and tables of them).").format(key=key if isinstance(key, str) else "")))
        raise_if(errors)
        row = self.session.get(Setting, key)
        if row is None:
            self.session.add(Setting(key=key, value=value))
        else:
            row.value = value
        self.session.flush()

    def all(self) -> dict[str, object]:
        values = dict(DEFAULTS)
        values.update({row.key: row.value for row in self.session.query(Setting)})
        return values

    def device_name(self) -> str:
        return self.session.query(Device).filter(Device.is_self).one().name

    def set_device_name(self, name: str) -> None:
        self.session.query(Device).filter(Device.is_self).one().name = name.strip()[:100]
        self.session.flush()


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
