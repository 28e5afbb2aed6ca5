"""The team key of the folder hub: from FIELDAPP_TEAM_KEY or the OS keyring, never the file.

Older versions could keep the key in the data file's settings (``team_key``) on a computer
without a keyring. :func:`team_key` moves such a key out whenever it looks the key up: into
the keyring when there is one (then deletes it from the file), else it only deletes it. Either
way the next sync report says once what happened (:func:`fieldapp.sync.state.add_notice`), and
without a keyring that the key must now be given in FIELDAPP_TEAM_KEY.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fieldapp.i18n import _
from fieldapp.store import secrets
from fieldapp.store.services.settings import LEGACY_TEAM_KEY, SettingsService
from fieldapp.sync.state import add_notice


def team_key(session: Session | None = None, environ=None) -> bytes:
    """The team key (FIELDAPP_TEAM_KEY, else the keyring) as bytes, b"" when none is set.
    With a ``session``, a key still stored in the data file is moved out first."""
    if session is not None:
        move_stored_key(session)
    return secrets.team_key(environ=environ)


def move_stored_key(session: Session) -> str | None:
    """Move a team key stored in the data file out of it; the message said (once), or None
    when the file held none."""
    settings = SettingsService(session)
    stored = str(settings.get(LEGACY_TEAM_KEY) or "")
    if not stored:
        settings.delete(LEGACY_TEAM_KEY)  # an empty or malformed entry goes silently
        return None
    message = None
    if secrets.keyring_name() is not None:
        try:
            in_keyring = secrets.get_secret(secrets.TEAM_KEY, environ={}) or ""
            if not in_keyring:
                secrets.set_secret(secrets.TEAM_KEY, stored)
                message = _("The team key was stored in the data file; it has been moved to "
                            "this computer's keyring and removed from the file.")
            elif in_keyring == stored:
                message = _("The team key was stored in the data file as well as in the "
                            "keyring; it has been removed from the file.")
            else:
                message = _("The data file held a team key different from the one in this "
                            "computer's keyring; the keyring's key is kept and the file's key "
                            "has been removed. If syncing fails, set the team key again under "
                            "Settings.")
        except Exception:  # noqa: BLE001 - a locked or broken keyring: as if there were none
            message = None
    if message is None:
        message = _("The team key was stored in the data file; it has been removed from the "
                    "file, which never keeps it any more. This computer has no usable keyring: "
                    "give the team key for each sync in the environment variable "
                    "FIELDAPP_TEAM_KEY.")
    settings.delete(LEGACY_TEAM_KEY)
    add_notice(session, message)
    return message
