"""The one translation function of the app, for the core and the UI alike.

Message ids are English; Swedish is the default language. The catalogue of a language is the
compiled gettext file ``fieldapp/locale/<lang>/LC_MESSAGES/messages.mo``, made from
``messages.po`` by ``scripts/translations`` and committed, so a checkout, a wheel and the
bundle all carry it. It is read with the standard library on the first ``_()`` call.
Dates and numbers are formatted with Babel in the current language.
"""

from __future__ import annotations

import datetime as dt
import gettext
from functools import cache, lru_cache
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

# Babel is imported at the first date or number formatted, not with this module: the window's
# first dialog paints before it loads (issue 19).

LANGUAGES = {"sv": "Svenska", "en": "English"}
DEFAULT_LANGUAGE = "sv"
SOURCE_LANGUAGE = "en"  # the msgids: no catalogue
DOMAIN = "messages"
_BABEL_LOCALES = {"sv": "sv_SE", "en": "en_GB"}

_current = DEFAULT_LANGUAGE


def locale_dir() -> Path:
    return Path(__file__).resolve().parent / "locale"


def catalogue_path(language: str) -> Path:
    return locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (read once)."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    path = catalogue_path(language)
    try:
        with path.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"the {language} catalogue {path} is missing; run scripts/translations") from None


def catalog(language: str) -> dict[str, str]:
    """All translations of ``language`` as {msgid: msgstr}, for tests and tools."""
    from babel.messages.mofile import read_mo  # not needed to translate: kept off the start

    if language == SOURCE_LANGUAGE:
        return {}
    with catalogue_path(language).open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_mo(fh) if m.id and m.string}


def set_language(language: str) -> None:
    global _current
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {sorted(LANGUAGES)}")
    _current = language


def current_language() -> str:
    return _current


def _(message: str) -> str:
    """Translate ``message`` (an English msgid) into the current language."""
    if _current == SOURCE_LANGUAGE:
        return message
    return translations(_current).gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the gettext name for this marker
    """Mark ``message`` for extraction without translating it: for msgids kept in data (enum
    labels, column headers), translated with ``_()`` where they are shown."""
    return message


# argparse's own words, which cli.py sends through ``_()``: marked here so that extraction
# keeps them in the template (argparse is not part of the extracted code).
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
)


@cache
def _locale(language: str) -> Locale:
    from babel import Locale

    return Locale.parse(_BABEL_LOCALES[language])


def babel_locale() -> Locale:
    return _locale(_current)


def format_number(value: float | int) -> str:
    return _number(type(value), value, _current)


def format_date(value: dt.date, fmt: str = "medium") -> str:
    return _date(type(value), value, fmt, _current)


# A report formats the same few numbers and days hundreds of times (a weekly PDF: ~700 numbers,
# ~400 dates), each a walk through Babel's pattern and locale data: formatted once per language.
@lru_cache(maxsize=4096)
def _number(_kind: type, value: float | int, language: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(language))


@lru_cache(maxsize=4096)
def _date(_kind: type, value: dt.date, fmt: str, language: str) -> str:
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format=fmt, locale=_locale(language))


def format_datetime(value: dt.datetime, fmt: str = "medium", tz=None) -> str:
    from babel.dates import format_datetime as babel_format_datetime

    return babel_format_datetime(value, format=fmt, tzinfo=tz, locale=babel_locale())
