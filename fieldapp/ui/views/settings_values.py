"""What the settings page reads and checks, apart from its widgets: the values shown; the
checks of the device, team and hub fields are :mod:`fieldapp.ui.settings_checks` (shared with
the first-start guide), re-exported here."""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldapp.domain.records import StaffRecord
from fieldapp.ui.settings_checks import POSTGRES_PREFIXES, check_device_settings, without_password

__all__ = ["POSTGRES_PREFIXES", "SettingsSnapshot", "check_device_settings", "without_password"]


@dataclass(frozen=True)
class SettingsSnapshot:
    device_name: str
    team_name: str
    hub_path: str
    hub_url: str
    language: str
    staff: list[StaffRecord] = field(default_factory=list)
