"""Period: every spelling, Stockholm bounds across daylight saving time, the year before, the
months, labels in Swedish and English, and the messages for bad input."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fieldapp.domain.periods import Period, PeriodKind
from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import set_language

UTC = dt.timezone.utc
STHLM = ZoneInfo("Europe/Stockholm")
D = dt.date


@pytest.mark.parametrize("text, kind, first, last, canonical", [
    ("2026-W47", PeriodKind.WEEK, D(2026, 11, 16), D(2026, 11, 22), "2026-W47"),
    ("v. 47 2026", PeriodKind.WEEK, D(2026, 11, 16), D(2026, 11, 22), "2026-W47"),
    ("2026-11", PeriodKind.MONTH, D(2026, 11, 1), D(2026, 11, 30), "2026-11"),
    ("2024-2", PeriodKind.MONTH, D(2024, 2, 1), D(2024, 2, 29), "2024-02"),
    ("2026-T1", PeriodKind.TERTIAL, D(2026, 1, 1), D(2026, 4, 30), "2026-T1"),
    ("2026-t2", PeriodKind.TERTIAL, D(2026, 5, 1), D(2026, 8, 31), "2026-T2"),
    (" 2026 T3 ", PeriodKind.TERTIAL, D(2026, 9, 1), D(2026, 12, 31), "2026-T3"),
    ("2026", PeriodKind.YEAR, D(2026, 1, 1), D(2026, 12, 31), "2026"),
    ("2026-01-01..2026-04-30", PeriodKind.RANGE, D(2026, 1, 1), D(2026, 4, 30),
     "2026-01-01..2026-04-30"),
    ("2025-12-15 .. 2026-01-10", PeriodKind.RANGE, D(2025, 12, 15), D(2026, 1, 10),
     "2025-12-15..2026-01-10"),
])
def test_every_form_is_read(text, kind, first, last, canonical):
    period = Period.parse(text)
    assert (period.kind, period.first, period.last, str(period)) == (kind, first, last, canonical)
    assert Period.parse(str(period)) == period


def test_a_week_period_is_the_iso_week():
    period = Period.parse("2026-W47")
    week = IsoWeek(2026, 47)
    assert period.week == week
    assert (period.start_utc(), period.end_utc()) == (week.start_utc(), week.end_utc())
    assert Period.parse("2026-11").week is None


@pytest.mark.parametrize("text, message", [
    ("", "Ingen period angiven"),
    ("   ", "Ingen period angiven"),
    ("förra året", "kan inte läsas; skriv till exempel 2026-W47 (vecka), 2026-11 (månad)"),
    ("2026-13", "Månad 13 finns inte"),
    ("2026-47", "skriv 2026-W47 för en vecka"),
    ("2026-0", "Månad 0 finns inte"),
    ("2026-T4", "Tertial 4 finns inte; ett år har tertialerna T1 (januari–april)"),
    ("2026-T0", "Tertial 0 finns inte"),
    ("2025-W53", "2025 har ingen vecka 53"),
    ("2026-02-30..2026-03-31", "2026-02-30 är inget datum; skriv datum som 2026-01-31"),
    ("2026-05-01..2026-04-01", "Perioden slutar (2026-04-01) innan den börjar (2026-05-01)"),
    ("2020-01-01..2026-01-01", "Perioden är längre än två år"),
    ("0000", "År 0 ligger utanför intervallet"),
])
def test_bad_input_says_what_to_fix(text, message):
    with pytest.raises(ValueError) as caught:
        Period.parse(text)
    assert message in str(caught.value)
    if text.strip():
        assert str(caught.value).startswith(f"”{text}” är ingen giltig period")


def test_bounds_are_stockholm_midnights_across_daylight_saving():
    # Summer time: UTC+2; winter: UTC+1. T1 2026 starts in winter and ends in summer.
    t1 = Period.parse("2026-T1")
    assert t1.start_utc() == dt.datetime(2025, 12, 31, 23, tzinfo=UTC)
    assert t1.end_utc() == dt.datetime(2026, 4, 30, 22, tzinfo=UTC)
    march = Period.parse("2026-03")  # summer time starts 29 March
    hours = (march.end_utc() - march.start_utc()) / dt.timedelta(hours=1)
    assert hours == 31 * 24 - 1
    october = Period.parse("2026-10")  # and ends 25 October
    assert (october.end_utc() - october.start_utc()) / dt.timedelta(hours=1) == 31 * 24 + 1
    inside = dt.datetime(2026, 11, 1, 0, 30, tzinfo=STHLM)  # 31 October 23:30 UTC
    assert Period.parse("2026-11").start_utc() <= inside < Period.parse("2026-11").end_utc()


def test_the_year_before():
    assert str(Period.parse("2026-T3").year_before()) == "2025-T3"
    assert str(Period.parse("2026-11").year_before()) == "2025-11"
    assert str(Period.parse("2026").year_before()) == "2025"
    assert str(Period.parse("2026-W47").year_before()) == "2025-W47"
    assert str(Period.parse("2026-W53").year_before()) == "2025-W52"  # 2025 has 52 weeks
    assert str(Period.parse("2024-02-29..2024-03-31").year_before()) == "2023-02-28..2023-03-31"


def test_months_and_month_slices():
    assert Period.parse("2026-T3").months() == [(2026, 9), (2026, 10), (2026, 11), (2026, 12)]
    crossing = Period.parse("2025-12-15..2026-02-10")
    assert crossing.months() == [(2025, 12), (2026, 1), (2026, 2)]
    assert [str(s) for s in crossing.month_slices()] == [
        "2025-12-15..2025-12-31", "2026-01", "2026-02-01..2026-02-10"]
    assert len(Period.parse("2026").month_slices()) == 12


def test_labels_in_swedish_and_english():
    set_language("sv")
    assert Period.parse("2026-T3").label() == "tertial 3 2026"
    assert Period.parse("2026-11").label() == "november 2026"
    assert Period.parse("2026").label() == "år 2026"
    assert Period.parse("2026-W47").label() == "v. 47 2026"
    assert Period.parse("2026-01-01..2026-04-30").label() == "1 januari–30 april 2026"
    assert Period.parse("2025-12-15..2026-01-10").label() == "15 december 2025–10 januari 2026"
    set_language("en")
    assert Period.parse("2026-T3").label() == "tertial 3 2026"
    assert Period.parse("2026-11").label() == "November 2026"
    assert Period.parse("2026").label() == "year 2026"
    assert Period.parse("2026-01-01..2026-04-30").label() == "1 January–30 April 2026"
