"""The one translation function of the app, for the core and the UI alike.

Message ids are English; Swedish is the default language. Catalogues are gettext ``.po``
files under ``fieldapp/locale/<lang>/LC_MESSAGES/`` (one file per part of the app, merged at
load), read with Babel so no compile step is needed in a checkout, a wheel or the bundle.
Dates and numbers are formatted with Babel in the current language.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = {"sv": "Svenska", "en": "English"}
DEFAULT_LANGUAGE = "sv"
_BABEL_LOCALES = {"sv": "sv_SE", "en": "en_GB"}

_current = DEFAULT_LANGUAGE


def locale_dir() -> Path:
    return Path(__file__).resolve().parent / "locale"


@cache
def catalog(language: str) -> dict[str, str]:
    """All translations for ``language`` as {msgid: msgstr}, merged over its .po files."""
    messages: dict[str, str] = {}
    folder = locale_dir() / language / "LC_MESSAGES"
    for po_file in sorted(folder.glob("*.po")):
        with po_file.open("rb") as fh:
            for message in read_po(fh, locale=_BABEL_LOCALES.get(language)):
                if message.id and message.string and not message.fuzzy:
                    messages[str(message.id)] = str(message.string)
    return messages


def set_language(language: str) -> None:
    global _current
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {sorted(LANGUAGES)}")
    _current = language


def current_language() -> str:
    return _current


def _(message: str) -> str:
    """Translate ``message`` (an English msgid) into the current language."""
    if _current == "en":
        return message
    return catalog(_current).get(message, message)


def babel_locale() -> Locale:
    return Locale.parse(_BABEL_LOCALES[_current])


def format_number(value: float | int) -> str:
    return format_decimal(value, locale=babel_locale())


def format_date(value: dt.date, fmt: str = "medium") -> str:
    return _babel_format_date(value, format=fmt, locale=babel_locale())


def format_datetime(value: dt.datetime, fmt: str = "medium", tz=None) -> str:
    return _babel_format_datetime(value, format=fmt, tzinfo=tz, locale=babel_locale())
