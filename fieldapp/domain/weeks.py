"""ISO 8601 weeks in Europe/Stockholm time, the unit of the weekly log ("v. 47 2024").

A week runs from Monday 00:00 to the next Monday 00:00 in Stockholm, so it lasts 167 hours
in the week summer time starts and 169 hours in the week it ends. Times are stored in UTC;
everything that asks "which week or day is this?" converts to Stockholm first. A shift that
crosses midnight belongs to the day (and week) it started.

Qt-free and database-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from fieldapp.i18n import _, babel_locale

STOCKHOLM = ZoneInfo("Europe/Stockholm")

def _examples() -> str:
    return _("write it like 2024-W47, 2024-47 or v. 47 2024")

# "2024-W47", "2024W47", "2024 w47", "2024-W07"
_YEAR_W_WEEK = re.compile(r"(?P<year>[0-9]{4})\s*-?\s*[Ww]\s*(?P<week>[0-9]{1,2})")
# "2024-47"
_YEAR_DASH_WEEK = re.compile(r"(?P<year>[0-9]{4})-(?P<week>[0-9]{1,2})")
# "v47 2024", "v. 47 2024", "v.47, 2024", "vecka 47 2024", "week 47 2024", "W47 2024"
_WEEK_YEAR = re.compile(
    r"(?:v|vecka|w|week)\s*\.?\s*(?P<week>[0-9]{1,2})\s*,?\s+(?P<year>[0-9]{4})",
    re.IGNORECASE,
)


def weeks_in_year(year: int) -> int:
    """52 or 53: the number of ISO weeks in ``year`` (28 December is always in the last)."""
    return date(year, 12, 28).isocalendar().week


def _require_aware(moment: datetime) -> None:
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"naive datetime {moment.isoformat()}: give a timezone-aware datetime "
            "(times are stored in UTC and shown in Europe/Stockholm)"
        )


def to_stockholm(moment: datetime) -> datetime:
    """``moment`` (timezone-aware) as Stockholm wall-clock time. A naive datetime is an error."""
    _require_aware(moment)
    return moment.astimezone(STOCKHOLM)


def stockholm_day(moment: datetime) -> date:
    """The calendar day in Stockholm on which ``moment`` (timezone-aware) falls."""
    return to_stockholm(moment).date()


def _stockholm_midnight_utc(day: date) -> datetime:
    # Midnight always exists exactly once in Stockholm (DST changes happen at 02:00/03:00).
    return datetime.combine(day, time(0), tzinfo=STOCKHOLM).astimezone(timezone.utc)


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO 8601 week: ``IsoWeek(2024, 47)`` is Monday 18 to Sunday 24 November 2024."""

    year: int
    week: int

    def __post_init__(self) -> None:
        for name in ("year", "week"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"IsoWeek {name} must be an int, got {value!r}")
        if not 1 <= self.year <= 9999:
            raise ValueError(_("Year {year} is out of range; use a year from 1 to 9999.").format(
                year=self.year))
        if self.week < 1:
            raise ValueError(_("Week {week} does not exist; ISO weeks are numbered from "
                               "1.").format(week=self.week))
        last = weeks_in_year(self.year)
        if self.week > last:
            if self.week == 53:
                raise ValueError(_("{year} has no week 53; its last ISO week is 52.").format(
                    year=self.year))
            raise ValueError(_("Week {week} does not exist; a year has at most 53 ISO weeks "
                               "({year} has {last}).").format(week=self.week, year=self.year,
                                                              last=last))

    # -- construction -------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """Read "2024-W47", "2024W47", "2024-47", "v47 2024" or "v. 47 2024".

        Raises ValueError with a message that says what was wrong and how to write it.
        """
        if not isinstance(text, str):
            raise TypeError(f"expected a str, got {type(text).__name__}")
        cleaned = text.strip()
        if not cleaned:
            raise ValueError(_("No week given; {examples}.").format(examples=_examples()))
        match = None
        for pattern in (_YEAR_W_WEEK, _YEAR_DASH_WEEK, _WEEK_YEAR):
            match = pattern.fullmatch(cleaned)
            if match:
                break
        if match is None:
            raise ValueError(_("Cannot read \u201c{text}\u201d as a week; {examples}.").format(
                text=text, examples=_examples()))
        year, week = int(match["year"]), int(match["week"])
        try:
            return cls(year, week)
        except ValueError as exc:
            raise ValueError(_("\u201c{text}\u201d is not a valid week: {error}").format(
                text=text, error=exc)) from None

    @classmethod
    def of(cls, moment: datetime | date) -> IsoWeek:
        """The week of a date, or of an aware datetime (converted to Stockholm first).

        A naive datetime is an error: it is unclear which zone it is in.
        """
        if isinstance(moment, datetime):
            day = stockholm_day(moment)
        elif isinstance(moment, date):
            day = moment
        else:
            raise TypeError(f"expected a date or datetime, got {type(moment).__name__}")
        year, week, _weekday = day.isocalendar()
        return cls(year, week)

    @classmethod
    def last_complete(cls, now: datetime) -> IsoWeek:
        """The most recent week whose Sunday has ended in Stockholm at ``now`` (aware)."""
        # The current week's Sunday ends when the next week starts, so the current week is
        # never complete; the one before it always is.
        return cls.of(now).previous()

    # -- days and instants --------------------------------------------------------------

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def sunday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 7)

    def days(self) -> list[date]:
        """Monday to Sunday."""
        monday = self.monday()
        return [monday + timedelta(days=i) for i in range(7)]

    def start_utc(self) -> datetime:
        """Monday 00:00 in Stockholm, as an aware UTC datetime (inclusive)."""
        return _stockholm_midnight_utc(self.monday())

    def end_utc(self) -> datetime:
        """The next Monday 00:00 in Stockholm, as an aware UTC datetime (exclusive)."""
        return _stockholm_midnight_utc(self.monday() + timedelta(days=7))

    def contains(self, moment: datetime) -> bool:
        """Whether the aware ``moment`` lies in [start_utc, end_utc)."""
        _require_aware(moment)
        return self.start_utc() <= moment < self.end_utc()

    def hours(self) -> int:
        """168, or 167/169 in the weeks daylight saving time starts/ends."""
        return int((self.end_utc() - self.start_utc()) // timedelta(hours=1))

    # -- navigation ---------------------------------------------------------------------

    def next(self, n: int = 1) -> IsoWeek:
        return IsoWeek.of(self.monday() + timedelta(weeks=n))

    def previous(self, n: int = 1) -> IsoWeek:
        return self.next(-n)

    # -- text ---------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    def label(self) -> str:
        """"v. 47 2024" in Swedish, "week 47 2024" in English."""
        return _("week {week} {year}").format(week=self.week, year=self.year)

    def title_range(self) -> str:
        """Monday–Sunday as "18–24 november", or "30 december–5 januari" across months."""
        from babel.dates import format_date as _babel_format_date  # off the start (issue 19)

        locale = babel_locale()
        monday, sunday = self.monday(), self.sunday()
        end = _babel_format_date(sunday, "d MMMM", locale=locale)
        if monday.month == sunday.month:
            return f"{monday.day}\u2013{end}"
        start = _babel_format_date(monday, "d MMMM", locale=locale)
        return f"{start}\u2013{end}"


def week_of_shift(starts_at: datetime) -> IsoWeek:
    """The week a shift belongs to: the one in which it started, in Stockholm time."""
    return IsoWeek.of(starts_at)
