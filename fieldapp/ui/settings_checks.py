"""The checks of the device, team and hub settings (Qt-free), used by the settings page and
the first-start guide: the hub folder may be on a slow network drive, so run
:func:`check_device_settings` on the IO lane; and the server address without its password for
the audit log."""

from __future__ import annotations

from pathlib import Path

from fieldapp.domain.validation import FieldError, check_text
from fieldapp.i18n import _

POSTGRES_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def check_device_settings(*, device_name: str, team_name: str, hub_path: str,
                          hub_url: str) -> list[FieldError]:
    errors = check_text("device_name", device_name, label=_("Device name"), max_length=100)
    errors += check_text("team_name", team_name, label=_("Team name"), max_length=100)
    if hub_path and not Path(hub_path).expanduser().is_dir():
        errors.append(FieldError("hub_path", _(
            "The folder {path} cannot be found. Check that the drive is connected, "
            "or choose another folder.").format(path=hub_path)))
    if hub_url and not hub_url.startswith(POSTGRES_PREFIXES):
        errors.append(FieldError("hub_url", _(
            "Write the server address as postgresql://user@server/database.")))
    return errors


def without_password(url: str) -> str:
    """The server address without a password, for the audit log."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    user, host = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{user.split(':', 1)[0]}@{host}"))
