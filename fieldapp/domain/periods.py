"""Report periods in Europe/Stockholm time: an ISO week, a month, a tertial, a year or a
range of days, the units the nämnd's tertial reports and verksamhetsberättelse ask about.

    Period.parse("2026-W47")               # ISO week (as IsoWeek reads it)
    Period.parse("2026-11")                # month
    Period.parse("2026-T3")                # tertial: T1 Jan–Apr, T2 May–Aug, T3 Sep–Dec
    Period.parse("2026")                   # calendar year
    Period.parse("2026-01-01..2026-04-30") # days, both included

A period runs from its first day 00:00 to the day after its last day 00:00 in Stockholm,
so its UTC bounds follow daylight saving time. Qt-free and database-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from babel.dates import format_date as _babel_format_date

from fieldapp.domain.weeks import IsoWeek, _stockholm_midnight_utc
from fieldapp.i18n import _, babel_locale

MAX_RANGE_DAYS = 731  # two years: a report's month-by-month tables stay readable
TERTIAL_MONTHS = {1: (1, 4), 2: (5, 8), 3: (9, 12)}

_MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})")
_TERTIAL = re.compile(r"(?P<year>[0-9]{4})\s*-?\s*[Tt]\s*(?P<tertial>[0-9]+)")
_YEAR = re.compile(r"(?P<year>[0-9]{4})")
_RANGE = re.compile(r"(?P<first>[^.]+?)\s*\.\.\s*(?P<last>[^.]+)")
_WEEKISH = re.compile(r".*[Ww]\s*[0-9].*|(?:v|vecka|week)\b.*", re.IGNORECASE)


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    TERTIAL = "tertial"
    YEAR = "year"
    RANGE = "range"


def _examples() -> str:
    return _("write it like 2026-W47 (week), 2026-11 (month), 2026-T3 (tertial), 2026 (year) "
             "or 2026-01-01..2026-04-30 (dates)")


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def _check_year(year: int) -> None:
    if not 1 <= year <= 9998:
        raise ValueError(_("Year {year} is out of range; use a year from 1 to 9998.").format(
            year=year))


def _a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True, order=True)
class Period:
    """A report period: its first and last day (both included) and what kind it is."""

    first: date
    last: date
    kind: PeriodKind = PeriodKind.RANGE
    number: int = 0  # the week, month or tertial number; 0 for a year or a range

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(_("The period ends ({last}) before it starts ({first}); give the "
                               "earlier date first.").format(first=self.first, last=self.last))
        if (self.last - self.first).days + 1 > MAX_RANGE_DAYS:
            raise ValueError(_("The period is longer than two years; make one report per year "
                               "instead."))

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def of_week(cls, week: IsoWeek) -> Period:
        return cls(week.monday(), week.sunday(), PeriodKind.WEEK, week.week)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        _check_year(year)
        if not 1 <= month <= 12:
            raise ValueError(_("Month {month} does not exist; months are numbered 1 to 12 "
                               "(for a week, write {year}-W{month:02d}).").format(
                month=month, year=year))
        return cls(date(year, month, 1), _month_end(year, month), PeriodKind.MONTH, month)

    @classmethod
    def tertial(cls, year: int, tertial: int) -> Period:
        _check_year(year)
        if tertial not in TERTIAL_MONTHS:
            raise ValueError(_("Tertial {tertial} does not exist; a year has tertials T1 "
                               "(January–April), T2 (May–August) and T3 (September–December).")
                             .format(tertial=tertial))
        first, last = TERTIAL_MONTHS[tertial]
        return cls(date(year, first, 1), _month_end(year, last), PeriodKind.TERTIAL, tertial)

    @classmethod
    def year(cls, year: int) -> Period:
        _check_year(year)
        return cls(date(year, 1, 1), date(year, 12, 31), PeriodKind.YEAR, 0)

    @classmethod
    def days(cls, first: date, last: date) -> Period:
        return cls(first, last, PeriodKind.RANGE, 0)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read a week, month, tertial, year or date range (see the module's docstring).

        Raises ValueError with a message that says what was wrong and how to write it.
        """
        if not isinstance(text, str):
            raise TypeError(f"expected a str, got {type(text).__name__}")
        cleaned = text.strip()
        if not cleaned:
            raise ValueError(_("No period given; {examples}.").format(examples=_examples()))
        try:
            return cls._parse(cleaned)
        except ValueError as exc:
            raise ValueError(_("\u201c{text}\u201d is not a valid period: {error}").format(
                text=text, error=exc)) from None

    @classmethod
    def _parse(cls, cleaned: str) -> Period:
        if match := _RANGE.fullmatch(cleaned):
            first, last = (cls._day(match[name]) for name in ("first", "last"))
            return cls.days(first, last)
        if match := _TERTIAL.fullmatch(cleaned):
            return cls.tertial(int(match["year"]), int(match["tertial"]))
        if match := _MONTH.fullmatch(cleaned):
            return cls.month(int(match["year"]), int(match["month"]))
        if match := _YEAR.fullmatch(cleaned):
            return cls.year(int(match["year"]))
        if _WEEKISH.fullmatch(cleaned):
            return cls.of_week(IsoWeek.parse(cleaned))
        raise ValueError(_("cannot read it; {examples}.").format(examples=_examples()))

    @staticmethod
    def _day(text: str) -> date:
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(_("{text} is not a date; write dates like 2026-01-31.").format(
                text=text.strip())) from None

    # -- days and instants --------------------------------------------------------------------
    @property
    def week(self) -> IsoWeek | None:
        """The ISO week, when the period is one."""
        return IsoWeek.of(self.first) if self.kind is PeriodKind.WEEK else None

    def start_utc(self) -> datetime:
        """The first day 00:00 in Stockholm, as an aware UTC datetime (inclusive)."""
        return _stockholm_midnight_utc(self.first)

    def end_utc(self) -> datetime:
        """The day after the last day 00:00 in Stockholm, as aware UTC (exclusive)."""
        return _stockholm_midnight_utc(self.last + timedelta(days=1))

    def day_count(self) -> int:
        return (self.last - self.first).days + 1

    def months(self) -> list[tuple[int, int]]:
        """The calendar months the period touches, as (year, month), in order."""
        found, year, month = [], self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            found.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found

    def month_slices(self) -> list[Period]:
        """The period cut at month boundaries: one period per month it touches (the first
        and last may be partial)."""
        slices = []
        for year, month in self.months():
            first = max(self.first, date(year, month, 1))
            last = min(self.last, _month_end(year, month))
            whole = first.day == 1 and last == _month_end(year, month)
            slices.append(Period.month(year, month) if whole else Period.days(first, last))
        return slices

    def year_before(self) -> Period:
        """The same period a year earlier (week 53 becomes the year's last week; 29 February
        becomes 28 February)."""
        if self.kind is PeriodKind.WEEK:
            week = self.week
            year = week.year - 1
            return Period.of_week(IsoWeek(year, min(week.week, IsoWeek.of(date(year, 12, 28))
                                                    .week)))
        if self.kind is PeriodKind.MONTH:
            return Period.month(self.first.year - 1, self.number)
        if self.kind is PeriodKind.TERTIAL:
            return Period.tertial(self.first.year - 1, self.number)
        if self.kind is PeriodKind.YEAR:
            return Period.year(self.first.year - 1)
        return Period.days(_a_year_before(self.first), _a_year_before(self.last))

    # -- text ---------------------------------------------------------------------------------
    def __str__(self) -> str:
        """The canonical spelling, the one :meth:`parse` reads back."""
        if self.kind is PeriodKind.WEEK:
            return str(self.week)
        if self.kind is PeriodKind.MONTH:
            return f"{self.first.year:04d}-{self.number:02d}"
        if self.kind is PeriodKind.TERTIAL:
            return f"{self.first.year:04d}-T{self.number}"
        if self.kind is PeriodKind.YEAR:
            return f"{self.first.year:04d}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def label(self) -> str:
        """"v. 47 2026", "november 2026", "tertial 3 2026", "år 2026" or the dates."""
        locale = babel_locale()
        if self.kind is PeriodKind.WEEK:
            return self.week.label()
        if self.kind is PeriodKind.MONTH:
            return _babel_format_date(self.first, "LLLL y", locale=locale)
        if self.kind is PeriodKind.TERTIAL:
            return _("tertial {number} {year}").format(number=self.number, year=self.first.year)
        if self.kind is PeriodKind.YEAR:
            return _("year {year}").format(year=self.first.year)
        return self.date_range()

    def date_range(self) -> str:
        """"1 januari–30 april 2026", or with both years across a year end."""
        locale = babel_locale()
        if self.first == self.last:
            return _babel_format_date(self.first, "d MMMM y", locale=locale)
        end = _babel_format_date(self.last, "d MMMM y", locale=locale)
        pattern = "d MMMM" if self.first.year == self.last.year else "d MMMM y"
        return f"{_babel_format_date(self.first, pattern, locale=locale)}\u2013{end}"

    def slug(self) -> str:
        """For file names: "2026-T3", "2026-01-01_2026-04-30"."""
        return str(self).replace("..", "_")


__all__ = ["MAX_RANGE_DAYS", "Period", "PeriodKind", "TERTIAL_MONTHS"]
