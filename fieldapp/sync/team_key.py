"""The team key of the folder hub: from FIELDAPP_TEAM_KEY or the OS keyring, never the file; and a new key
made by the app (:func:`new_team_key`, checked when typed in by :func:`parse_team_key`).

Older versions could keep the key in the data file's settings (``team_key``) on a computer
without a keyring. :func:`team_key` moves such a key out whenever it looks the key up: into
the keyring when there is one (then deletes it from the file), else it only deletes it. Either
way the next sync report says once what happened (:func:`fieldapp.sync.state.add_notice`), and
without a keyring that the key must now be given in FIELDAPP_TEAM_KEY.
"""

from __future__ import annotations

import base64
import binascii

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
    return key_bytes(secrets.team_key(environ=environ))


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


# -- a team key made by the app -------------------------------------------------------------
#
# 128 random bits written in Crockford's base32 alphabet (digits and letters without I, L, O
# and U, so nothing is mistaken for something else when read aloud or typed), plus two check
# characters: the key as a number modulo 1021 (a prime above 32), which catches every single
# mistyped character and every swap of two neighbours. Shown as seven groups of four:
# ``7KQ3-M0ZD-…-XX``. The stdlib's base32 does the encoding; only its alphabet is changed.

KEY_BITS = 128
_RFC4648 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TO_CROCKFORD = str.maketrans(_RFC4648, CROCKFORD)
_FROM_CROCKFORD = str.maketrans(CROCKFORD, _RFC4648)
_TYPED = str.maketrans({"I": "1", "L": "1", "O": "0", "-": None, " ": None, "\t": None})
_CHECK_MOD = 1021
_DATA_CHARS = 26  # 128 bits in base32 (the last character carries 3 bits)
CODE_CHARS = _DATA_CHARS + 2


class TeamKeyCodeError(ValueError):
    """A typed team key code that is not one the app made (``str(error)`` says why)."""


def _check_chars(raw: bytes) -> str:
    value = int.from_bytes(raw, "big") % _CHECK_MOD
    return CROCKFORD[value // 32] + CROCKFORD[value % 32]


def _grouped(chars: str) -> str:
    return "-".join(chars[n:n + 4] for n in range(0, len(chars), 4))


def new_team_key() -> str:
    """A new random team key (128 bits) as the code to hand on, e.g. ``7KQ3-M0ZD-…``."""
    import secrets as random_source

    raw = random_source.token_bytes(KEY_BITS // 8)
    return format_code(raw)


def format_code(raw: bytes) -> str:
    chars = base64.b32encode(raw).decode("ascii").rstrip("=").translate(_TO_CROCKFORD)
    return _grouped(chars + _check_chars(raw))


def parse_team_key(typed: str) -> str:
    """The team key code as the app writes it, from what a person typed (any case, with or
    without dashes or spaces, I/L read as 1 and O as 0); :class:`TeamKeyCodeError` with a
    message that says what to fix when it is not a code the app made or has a typo."""
    chars = str(typed).upper().translate(_TYPED)
    if not chars:
        raise TeamKeyCodeError(_("Type the team key: 28 characters in groups of four."))
    wrong = sorted({c for c in chars if c not in CROCKFORD})
    if wrong:
        raise TeamKeyCodeError(_("The team key cannot contain {chars}: check what you "
                                 "typed.").format(chars=" ".join(wrong)))
    if len(chars) != CODE_CHARS:
        raise TeamKeyCodeError(_("The team key has {count} characters but should have {want}: "
                                 "check that no group is missing or typed twice.").format(
                                     count=len(chars), want=CODE_CHARS))
    data = chars[:_DATA_CHARS].translate(_FROM_CROCKFORD)
    try:
        raw = base64.b32decode(data + "=" * 6)
    except (ValueError, binascii.Error):
        raise TeamKeyCodeError(_("The team key has a typo: check it character by "
                                 "character.")) from None
    if len(raw) != KEY_BITS // 8 or format_code(raw).replace("-", "") != chars:
        raise TeamKeyCodeError(_("The team key has a typo: check it character by character."))
    return format_code(raw)


def is_made_key(key: bytes | str) -> bool:
    """Whether ``key`` is a code the app made (not a key a person chose)."""
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else key
    try:
        parse_team_key(text)
    except TeamKeyCodeError:
        return False
    return True


def key_bytes(key: bytes | str) -> bytes:
    """The bytes the hub uses for a key: a made code in its written form (however it was
    typed), any other key as it is."""
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else key
    try:
        return parse_team_key(text).encode("ascii")
    except TeamKeyCodeError:
        return key if isinstance(key, bytes) else key.encode("utf-8")
