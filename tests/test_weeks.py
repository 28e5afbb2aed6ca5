"""ISO weeks in Stockholm time: the unit of the weekly log."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp import i18n
from fieldapp.i18n import set_language
from fieldapp.domain.weeks import (
    STOCKHOLM,
    IsoWeek,
    stockholm_day,
    to_stockholm,
    week_of_shift,
    weeks_in_year,
)

UTC = timezone.utc


@pytest.fixture
def language():
    """Set the language for one test and restore the previous one afterwards."""
    before = i18n.current_language()
    yield i18n.set_language
    i18n.set_language(before)


def sthlm(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


# -- shifts belong to the week and day they started ---------------------------------------


def test_friday_night_walk_across_midnight_belongs_to_friday():
    starts = sthlm(2024, 11, 22, 19, 0)
    ends = sthlm(2024, 11, 23, 1, 0)
    assert stockholm_day(starts) == date(2024, 11, 22)
    assert week_of_shift(starts) == IsoWeek(2024, 47)
    assert stockholm_day(ends) == date(2024, 11, 23)


def test_sunday_late_shift_belongs_to_the_week_it_started():
    starts = sthlm(2024, 11, 24, 23, 0)  # Sunday of week 47
    ends = starts + timedelta(hours=2)  # Monday 01:00, week 48
    assert week_of_shift(starts) == IsoWeek(2024, 47)
    assert IsoWeek.of(ends) == IsoWeek(2024, 48)
    assert stockholm_day(starts) == date(2024, 11, 24)


def test_utc_time_is_converted_to_stockholm_before_taking_the_week():
    # Sunday 23:30 UTC in November is Monday 00:30 in Stockholm.
    moment = datetime(2024, 11, 24, 23, 30, tzinfo=UTC)
    assert IsoWeek.of(moment) == IsoWeek(2024, 48)
    assert stockholm_day(moment) == date(2024, 11, 25)
    assert to_stockholm(moment).hour == 0
    # ... and in summer (UTC+2) Sunday 22:30 UTC is already Monday.
    assert IsoWeek.of(datetime(2024, 6, 16, 22, 30, tzinfo=UTC)) == IsoWeek(2024, 25)


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        IsoWeek.of(datetime(2024, 11, 22, 19, 0))
    with pytest.raises(ValueError, match="naive"):
        to_stockholm(datetime(2024, 11, 22, 19, 0))
    with pytest.raises(ValueError, match="naive"):
        week_of_shift(datetime(2024, 11, 22, 19, 0))


def test_plain_date_needs_no_zone():
    assert IsoWeek.of(date(2024, 11, 18)) == IsoWeek(2024, 47)
    assert IsoWeek.of(date(2024, 11, 24)) == IsoWeek(2024, 47)


# -- year ends --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "has_53"),
    [(2015, True), (2020, True), (2024, False), (2025, False), (2026, True), (2032, True)],
)
def test_week_53_exists_only_in_long_years(year, has_53):
    def fromisocalendar_accepts_53() -> bool:
        try:
            date.fromisocalendar(year, 53, 1)
        except ValueError:
            return False
        return True

    assert fromisocalendar_accepts_53() is has_53
    assert weeks_in_year(year) == (53 if has_53 else 52)
    if has_53:
        assert IsoWeek(year, 53).next() == IsoWeek(year + 1, 1)
    else:
        with pytest.raises(ValueError, match=f"{year} har ingen vecka 53"):
            IsoWeek(year, 53)


def test_2020_w53_spans_the_new_year():
    week = IsoWeek(2020, 53)
    assert week.monday() == date(2020, 12, 28)
    assert week.sunday() == date(2021, 1, 3)
    assert IsoWeek.of(date(2021, 1, 1)) == week
    assert week.previous() == IsoWeek(2020, 52)


def test_2024_12_30_is_in_2025_w01():
    assert IsoWeek.of(date(2024, 12, 30)) == IsoWeek(2025, 1)
    assert IsoWeek(2025, 1).monday() == date(2024, 12, 30)
    assert IsoWeek(2024, 52).next() == IsoWeek(2025, 1)
    assert IsoWeek(2025, 1).previous() == IsoWeek(2024, 52)


def test_days_run_monday_to_sunday():
    days = IsoWeek(2024, 47).days()
    assert days[0] == date(2024, 11, 18)
    assert days[-1] == date(2024, 11, 24)
    assert [d.isoweekday() for d in days] == [1, 2, 3, 4, 5, 6, 7]


def test_navigation_over_many_weeks_and_ordering():
    week = IsoWeek(2024, 47)
    assert week.next(6) == IsoWeek(2025, 1)
    assert week.previous(47) == IsoWeek(2023, 52)
    assert week.next(-2) == week.previous(2)
    assert IsoWeek(2023, 52) < IsoWeek(2024, 1) < IsoWeek(2024, 47)
    assert sorted([IsoWeek(2025, 1), IsoWeek(2024, 52)]) == [IsoWeek(2024, 52), IsoWeek(2025, 1)]


# -- daylight saving time ---------------------------------------------------------------------


def test_week_when_summer_time_starts_has_167_hours():
    week = IsoWeek(2024, 13)  # clocks forward Sunday 31 March 2024
    assert week.hours() == 167
    assert week.start_utc() == datetime(2024, 3, 24, 23, 0, tzinfo=UTC)
    assert week.end_utc() == datetime(2024, 3, 31, 22, 0, tzinfo=UTC)


def test_week_when_summer_time_ends_has_169_hours():
    week = IsoWeek(2024, 43)  # clocks back Sunday 27 October 2024
    assert week.hours() == 169
    assert week.start_utc() == datetime(2024, 10, 20, 22, 0, tzinfo=UTC)
    assert week.end_utc() == datetime(2024, 10, 27, 23, 0, tzinfo=UTC)


def test_ordinary_week_has_168_hours_and_utc_bounds():
    week = IsoWeek(2024, 47)
    assert week.hours() == 168
    assert week.start_utc().tzinfo is not None
    assert week.start_utc().utcoffset() == timedelta(0)
    assert week.start_utc() == datetime(2024, 11, 17, 23, 0, tzinfo=UTC)
    assert week.contains(week.start_utc())
    assert not week.contains(week.end_utc())


# -- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2024-W47", "2024W47", "2024-w47", "2024-47", "v47 2024", "v. 47 2024", "V. 47 2024",
        "v.47 2024", "  2024-W47  ", "vecka 47 2024", "week 47, 2024",
    ],
)
def test_parse_accepts_common_spellings(text):
    assert IsoWeek.parse(text) == IsoWeek(2024, 47)


def test_parse_leading_zero_and_week_53():
    assert IsoWeek.parse("2024-W07") == IsoWeek(2024, 7)
    assert IsoWeek.parse("v. 53 2020") == IsoWeek(2020, 53)
    assert IsoWeek.parse("2026-W53") == IsoWeek(2026, 53)


def test_str_round_trips_through_parse():
    for week in (IsoWeek(2024, 7), IsoWeek(2020, 53), IsoWeek(2025, 1)):
        assert IsoWeek.parse(str(week)) == week
    assert str(IsoWeek(2024, 7)) == "2024-W07"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "No week given"),
        ("   ", "No week given"),
        ("2024", "Cannot read “2024” as a week"),
        ("47", "Cannot read"),
        ("week forty-seven", "Cannot read"),
        ("2024-W147", "Cannot read"),
        ("2024-W47-1", "Cannot read"),
        ("24-W47", "Cannot read"),
        ("v47", "Cannot read"),
        ("2024-W00", "Week 0 does not exist"),
        ("v. 0 2024", "Week 0 does not exist"),
        ("2024-W53", "2024 has no week 53"),
        ("2025-W53", "2025 has no week 53"),
        ("2024-W54", "Week 54 does not exist"),
        ("2024-W99", "Week 99 does not exist"),
    ],
)
def test_parse_refuses_bad_text_with_a_clear_message(text, message):
    set_language("en")
    with pytest.raises(ValueError, match=message) as info:
        IsoWeek.parse(text)
    if message == "Cannot read":
        assert "2024-W47" in str(info.value)  # says how to write it
    set_language("sv")  # and in Swedish, the app's language
    with pytest.raises(ValueError) as info:
        IsoWeek.parse(text)
    assert "vecka" in str(info.value).lower()


def test_constructor_checks_range_and_types():
    with pytest.raises(ValueError):
        IsoWeek(2024, 0)
    with pytest.raises(ValueError):
        IsoWeek(0, 1)
    with pytest.raises(TypeError):
        IsoWeek("2024", 47)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        IsoWeek.parse(202447)  # type: ignore[arg-type]


# -- last complete week -----------------------------------------------------------------------


def test_last_complete_on_sunday_evening_is_the_week_before():
    sunday = sthlm(2024, 11, 24, 23, 59)
    assert IsoWeek.last_complete(sunday) == IsoWeek(2024, 46)


def test_last_complete_just_after_midnight_monday_is_the_week_just_ended():
    monday = sthlm(2024, 11, 25, 0, 1)
    assert IsoWeek.last_complete(monday) == IsoWeek(2024, 47)


def test_last_complete_uses_stockholm_time_not_utc():
    # 23:01 UTC on Sunday is Monday 00:01 in Stockholm (winter).
    assert IsoWeek.last_complete(datetime(2024, 11, 24, 23, 1, tzinfo=UTC)) == IsoWeek(2024, 47)
    # 22:59 UTC on Sunday is still Sunday 23:59 in Stockholm.
    assert IsoWeek.last_complete(datetime(2024, 11, 24, 22, 59, tzinfo=UTC)) == IsoWeek(2024, 46)


def test_last_complete_across_the_new_year():
    assert IsoWeek.last_complete(sthlm(2025, 1, 1, 12, 0)) == IsoWeek(2024, 52)
    assert IsoWeek.last_complete(sthlm(2021, 1, 4, 8, 0)) == IsoWeek(2020, 53)


def test_last_complete_refuses_naive_now():
    with pytest.raises(ValueError):
        IsoWeek.last_complete(datetime(2024, 11, 25, 8, 0))


# -- text -------------------------------------------------------------------------------------


def test_label_is_swedish_by_default(language):
    language("sv")
    assert IsoWeek(2024, 47).label() == "v. 47 2024"
    language("en")
    assert IsoWeek(2024, 47).label() == "week 47 2024"


def test_title_range_within_a_month(language):
    language("sv")
    assert IsoWeek(2024, 47).title_range() == "18–24 november"
    language("en")
    assert IsoWeek(2024, 47).title_range() == "18–24 November"


def test_title_range_across_months_and_years(language):
    language("sv")
    assert IsoWeek(2025, 1).title_range() == "30 december–5 januari"
    assert IsoWeek(2024, 44).title_range() == "28 oktober–3 november"
    language("en")
    assert IsoWeek(2025, 1).title_range() == "30 December–5 January"


# -- properties -------------------------------------------------------------------------------


@st.composite
def weeks(draw) -> IsoWeek:
    year = draw(st.integers(2000, 2040))
    week = draw(st.integers(1, weeks_in_year(year)))
    return IsoWeek(year, week)


@given(weeks())
def test_week_bounds_map_back_to_the_week(week):
    assert IsoWeek.of(week.start_utc()) == week
    assert IsoWeek.of(week.end_utc() - timedelta(microseconds=1)) == week
    assert IsoWeek.of(week.end_utc()) == week.next()
    assert week.hours() in (167, 168, 169)
    assert to_stockholm(week.start_utc()).time().hour == 0
    assert stockholm_day(week.start_utc()) == week.monday()


@given(weeks(), st.integers(-300, 300))
def test_next_and_previous_are_inverse(week, n):
    assert week.next(n).previous(n) == week
    assert (week.next(n) > week) == (n > 0)
    assert (week.next(n).monday() - week.monday()).days == 7 * n


@given(weeks())
def test_parse_of_str_and_label_round_trip(week):
    assert IsoWeek.parse(str(week)) == week
    assert IsoWeek.parse(f"v. {week.week} {week.year}") == week
