"""Reading one cell of an old log: a date, a time range, a count.

Each function takes the cell's value as the reader gives it (an Excel date or time, a
number, text or None) and returns the value, or raises :class:`CellError` with a message
that says what the cell should look like. None of them guesses a number that is not written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from fieldapp.i18n import _


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in the current language."""


MONTHS = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "mar": 3, "mars": 3, "apr": 4, "april": 4,
    "maj": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7, "aug": 8, "augusti": 8, "sep": 9,
    "sept": 9, "september": 9, "okt": 10, "oktober": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}
WEEKDAYS = {"mån": 0, "måndag": 0, "tis": 1, "tisdag": 1, "ons": 2, "onsdag": 2, "tor": 3,
            "tors": 3, "torsdag": 3, "fre": 4, "fredag": 4, "lör": 5, "lördag": 5, "sön": 6,
            "söndag": 6}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]00:00(?::00)?)?$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$")
_WORDS = re.compile(r"^(\d{1,2})\s+([a-zåäö]+)\.?(?:\s+(\d{4}))?$")
_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)")


def year_in(text: str | None) -> int | None:
    """A four-digit year (19xx or 20xx) in a sheet or file name ("Maj 2023", "logg_2022.xlsx")."""
    found = _YEAR.search(text or "")
    return int(found.group(1)) if found else None


def parse_date(value, default_year: int | None = None) -> dt.date:
    """A date cell: an Excel date, "2023-05-12", "12/5" or "12.5" (day first, the Swedish
    way; the year from ``default_year``, which the caller takes from the sheet or file name),
    "12/5/2023", "12 maj 2023", "12 maj", optionally after a weekday ("fre 12/5"), which must
    then be right."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = "" if value is None else str(value).strip().lower()
    if not text:
        raise CellError(_("No date."))
    weekday = None
    head, _sep, rest = text.partition(" ")
    if head.rstrip(".,") in WEEKDAYS and rest:
        weekday, text = WEEKDAYS[head.rstrip(".,")], rest.strip()
    day = month = year = None
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _NUMERIC.match(text):
        day, month = int(match.group(1)), int(match.group(2))
        year = int(match.group(3)) if match.group(3) else None
        if year is not None and year < 100:
            year += 2000
    elif (match := _WORDS.match(text)) and match.group(2) in MONTHS:
        day, month = int(match.group(1)), MONTHS[match.group(2)]
        year = int(match.group(3)) if match.group(3) else None
    else:
        raise CellError(_("Cannot read \"{text}\" as a date; write it like 2023-05-12, 12/5 or "
                          "12 maj 2023.").format(text=value))
    year = year or default_year
    if year is None:
        raise CellError(_("The date \"{text}\" has no year, and neither has the sheet's or "
                          "file's name; give default_year in the mapping.").format(text=value))
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise CellError(_("\"{text}\" is not a date in {year}.").format(text=value, year=year)) from None
    if weekday is not None and date.weekday() != weekday:
        raise CellError(_("\"{text}\": the weekday does not match the date in {year}.").format(
            text=value, year=year))
    return date


@dataclass(frozen=True)
class TimeRange:
    """A start time and, for a range, an end (the next day when it is not after the start)."""

    start: dt.time
    end: dt.time | None = None

    @property
    def ends_next_day(self) -> bool:
        return self.end is not None and self.end <= self.start

    def on(self, day: dt.date, tz) -> tuple[dt.datetime, dt.datetime | None]:
        """The range as aware moments on ``day`` (local time in ``tz``)."""
        start = dt.datetime.combine(day, self.start, tz)
        if self.end is None:
            return start, None
        end_day = day + dt.timedelta(days=1) if self.ends_next_day else day
        return start, dt.datetime.combine(end_day, self.end, tz)

    def text(self) -> str:
        start = self.start.strftime("%H:%M")
        return start if self.end is None else f"{start}-{self.end.strftime('%H:%M')}"


_CLOCK = r"(\d{1,2})(?:[.:](\d{2}))?"
_RANGE = re.compile(rf"^(?:kl\.?\s*)?{_CLOCK}(?:\s*[-–—]\s*(?:kl\.?\s*)?{_CLOCK})?$")


def _clock(hours: str, minutes: str | None, original) -> dt.time:
    hour, minute = int(hours), int(minutes or 0)
    if hour == 24 and minute == 0:
        hour = 0
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise CellError(_("\"{text}\" is not a time of day.").format(text=original))
    return dt.time(hour, minute)


def parse_time_range(value) -> TimeRange:
    """A time cell: an Excel time, "19-23", "19.00–23.30", "19:00 - 23:30", "kl 22" or "22".
    A range whose end is not after its start ends the next day ("22-02")."""
    if isinstance(value, dt.datetime):
        return TimeRange(value.time().replace(second=0, microsecond=0))
    if isinstance(value, dt.time):
        return TimeRange(value.replace(second=0, microsecond=0))
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    text = "" if value is None else str(value).strip().lower()
    if not text:
        raise CellError(_("No time."))
    match = _RANGE.match(text)
    if not match:
        raise CellError(_("Cannot read \"{text}\" as a time; write it like 19-23, "
                          "19.00–23.30 or kl 22.").format(text=value))
    start = _clock(match.group(1), match.group(2), value)
    if match.group(3) is None:
        return TimeRange(start)
    end = _clock(match.group(3), match.group(4), value)
    if end == start:
        raise CellError(_("\"{text}\" starts and ends at the same time.").format(text=value))
    return TimeRange(start, end)


COUNT_RULES = ("lower", "upper", "middle")
VAGUE_WORDS = {"många", "flera", "några", "fåtal", "ett fåtal", "massa", "en massa", "grupp",
               "en grupp", "gäng", "ett gäng", "okänt", "oklart", "vet ej", "?", "-", "x"}
ZERO_WORDS = {"inga", "ingen", "0"}
_COUNT = re.compile(r"^(?:ca\.?|cirka|ungefär|runt|~)?\s*(\d+)\s*(?:([-–—]|till)\s*(\d+))?\s*\+?$")


def parse_count(value, rule: str = "lower") -> int | None:
    """A count cell. None means unknown: an empty cell or a vague word ("många", "flera",
    "några", "?"). "ca 15", "~15" and "15+" are 15. A range "10-15" is read by ``rule``:
    "lower" (the default: 10, what was surely seen), "upper" (15) or "middle" (12, the mean
    rounded down). "inga" is 0. Any other text is refused."""
    if rule not in COUNT_RULES:
        raise ValueError(f"unknown count rule {rule!r}")
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(_("Cannot read \"{text}\" as a count.").format(text=value))
    if isinstance(value, (int, float)):
        if float(value).is_integer() and value >= 0:
            return int(value)
        raise CellError(_("\"{text}\" is not a whole number of people.").format(text=value))
    text = str(value).strip().lower()
    if not text:
        return None
    if text in VAGUE_WORDS:
        return None
    if text in ZERO_WORDS:
        return 0
    match = _COUNT.match(text)
    if not match:
        raise CellError(_("Cannot read \"{text}\" as a count; write a number, \"ca 15\", "
                          "\"10-15\" or \"många\".").format(text=value))
    low = int(match.group(1))
    if match.group(3) is None:
        return low
    high = int(match.group(3))
    if high < low:
        raise CellError(_("The range \"{text}\" goes downwards.").format(text=value))
    return {"lower": low, "upper": high, "middle": (low + high) // 2}[rule]
