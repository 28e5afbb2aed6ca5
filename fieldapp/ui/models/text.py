"""How list cells read: Stockholm times with Babel, enum labels, counts."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from fieldapp.domain.weeks import to_stockholm
from babel.numbers import format_decimal

from fieldapp.i18n import babel_locale, current_language, format_date, format_datetime, format_number


def moment(value: dt.datetime | None) -> str:
    """"fre 22 nov. 2024 21:30" in Stockholm time ("" for None)."""
    if value is None:
        return ""
    return format_datetime(to_stockholm(value), "EEE d MMM y HH:mm")


def time_window(start: dt.datetime, end: dt.datetime) -> str:
    """"fre 22 nov. 20:00–24:00", or both dates when the window spans more than the night."""
    local_start, local_end = to_stockholm(start), to_stockholm(end)
    day = format_date(local_start.date(), "EEE d MMM")
    end_text = local_end.strftime("%H:%M")
    if local_end.date() != local_start.date():
        if local_end.date() == local_start.date() + dt.timedelta(days=1) and end_text == "00:00":
            end_text = "24:00"
        elif local_end - local_start >= dt.timedelta(hours=24) or local_end.time() > local_start.time():
            end_text = f"{format_date(local_end.date(), 'EEE d MMM')} {end_text}"
    return f"{day} {local_start:%H:%M}\u2013{end_text}"


def label(enum_cls: type[StrEnum], value: str | None) -> str:
    if value is None:
        return ""
    try:
        return enum_cls(value).label
    except ValueError:
        return value


def number(value: int | float | None) -> str:
    return "" if value is None else format_number(value)


def coordinate(value: float | None) -> str:
    """A latitude or longitude with up to 6 decimals ("59,3114" in Swedish)."""
    if value is None:
        return ""
    return format_decimal(value, format="0.######", locale=babel_locale())


def category_name(name_sv: str, name_en: str) -> str:
    return name_sv if current_language() == "sv" else name_en
