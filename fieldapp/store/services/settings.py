"""Device-local settings (never synced): a small key/value store of JSON values."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fieldapp.store.models import Device, Setting

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
