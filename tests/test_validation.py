"""Validation rules: every bad input gets a clear message on the right field."""

from __future__ import annotations

import ast
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from fieldapp import i18n
from fieldapp.domain import validation
from fieldapp.domain.enums import AgeBand, Gender
from fieldapp.domain.validation import (
    FUTURE_TOLERANCE,
    MAX_COUNT,
    OBSERVATION_TOLERANCE,
    FieldError,
    ValidationError,
    check_count,
    check_text,
    raise_if,
    youth_key,
)
from fieldapp.domain.record_checks import check_action, check_meeting, check_observation, check_shift
from fieldapp.domain.weeks import STOCKHOLM

UTC = timezone.utc


@pytest.fixture(autouse=True)
def swedish():
    """Every test starts in the default language, Swedish, and leaves the language as it was."""
    before = i18n.current_language()
    i18n.set_language("sv")
    yield
    i18n.set_language(before)


def sthlm(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


# Friday night walk in Älvsjö, 19:00–01:00, checked on Saturday morning.
FRI_19 = sthlm(2024, 11, 22, 19, 0)
SAT_01 = sthlm(2024, 11, 23, 1, 0)
SAT_MORNING = sthlm(2024, 11, 23, 9, 0)


def only(errors: list[FieldError]) -> FieldError:
    assert len(errors) == 1, errors
    return errors[0]


def shift(**changes):
    values = dict(
        starts_at=FRI_19,
        ends_at=SAT_01,
        now=SAT_MORNING,
        youth_counts={
            youth_key(AgeBand.AGE_13_15, Gender.BOY): 12,
            youth_key(AgeBand.AGE_16_17, Gender.GIRL): 7,
        },
        adults_met=3,
        concern_reports=1,
        referrals=2,
    )
    values.update(changes)
    return check_shift(**values)


def observation(**changes):
    values = dict(
        observed_at=sthlm(2024, 11, 22, 21, 15),
        shift_starts_at=FRI_19,
        shift_ends_at=SAT_01,
        now=SAT_MORNING,
        people_count=8,
        youths_present=6,
    )
    values.update(changes)
    return check_observation(**values)


def action(**changes):
    values = dict(
        place_id="a3d1c0e2-0000-4000-8000-000000000001",
        area_id=None,
        starts_at=sthlm(2024, 11, 22, 18, 0),
        ends_at=sthlm(2024, 11, 23, 2, 0),
        now=sthlm(2024, 11, 21, 10, 0),
    )
    values.update(changes)
    return check_action(**values)


# -- the error types --------------------------------------------------------------------------


def test_validation_error_joins_messages_and_is_a_value_error():
    errors = [
        FieldError("ends_at", "Sluttiden måste vara efter starttiden."),
        FieldError("adults_met", "Antal vuxna som mötts måste vara ett heltal, 0 eller mer."),
    ]
    error = ValidationError(errors)
    assert isinstance(error, ValueError)
    assert str(error) == (
        "Sluttiden måste vara efter starttiden.\n"
        "Antal vuxna som mötts måste vara ett heltal, 0 eller mer."
    )
    assert error.errors == errors
    assert error.fields == ["ends_at", "adults_met"]
    assert error.messages_for("ends_at") == ["Sluttiden måste vara efter starttiden."]


def test_raise_if_raises_only_for_errors():
    raise_if([])
    with pytest.raises(ValidationError) as info:
        raise_if(shift(ends_at=FRI_19 - timedelta(hours=1)))
    assert info.value.fields == ["ends_at"]


def test_validation_error_needs_errors():
    with pytest.raises(ValueError):
        ValidationError([])


# -- counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 17, MAX_COUNT, 4.0])
def test_count_accepts_whole_numbers_in_range(value):
    assert check_count("adults_met", value, label="Antal vuxna") == []


@pytest.mark.parametrize("value", [-1, 2.5, "3", None, True, False, float("nan"), float("inf")])
def test_count_refuses_anything_but_a_whole_number(value):
    error = only(check_count("adults_met", value, label="Antal vuxna"))
    assert error == FieldError("adults_met", "Antal vuxna måste vara ett heltal, 0 eller mer.")


def test_count_refuses_implausibly_large_numbers():
    error = only(check_count("people_count", MAX_COUNT + 1, label="Antal personer"))
    assert error.field == "people_count"
    assert error.message == (
        "Antal personer verkar vara större än rimligt (högst 500); kontrollera antalet."
    )
    assert check_count("people_count", 12, label="Antal personer", maximum=10) != []


def test_count_messages_in_english():
    i18n.set_language("en")
    error = only(check_count("adults_met", -2, label="Adults met"))
    assert error.message == "Adults met must be a whole number of 0 or more."
    error = only(check_count("adults_met", 501, label="Adults met"))
    assert error.message == "Adults met seems too large (at most 500); check the number."


# -- shifts -----------------------------------------------------------------------------------


def test_a_good_shift_passes():
    assert shift() == []


def test_a_running_shift_without_counts_passes():
    assert shift(ends_at=None, youth_counts=None, adults_met=None, concern_reports=None,
                 referrals=None) == []


def test_shift_ending_before_it_starts():
    error = only(shift(ends_at=FRI_19 - timedelta(minutes=5)))
    assert error == FieldError("ends_at", "Sluttiden måste vara efter starttiden.")
    assert only(shift(ends_at=FRI_19)).field == "ends_at"


def test_shift_message_in_english():
    i18n.set_language("en")
    error = only(shift(ends_at=FRI_19))
    assert error.message == "End time must be after the start time."


def test_shift_longer_than_24_hours():
    assert shift(ends_at=FRI_19 + timedelta(hours=24)) == []
    error = only(shift(ends_at=FRI_19 + timedelta(hours=24, minutes=1)))
    assert error == FieldError(
        "ends_at", "Ett pass kan vara högst 24 timmar; kontrollera sluttiden."
    )


def test_shift_length_is_real_time_across_dst_change():
    # Saturday 26 Oct 12:00 to Sunday 27 Oct 11:30 on the clock is 24.5 real hours.
    error = only(shift(starts_at=sthlm(2024, 10, 26, 12, 0), ends_at=sthlm(2024, 10, 27, 11, 30),
                       now=sthlm(2024, 10, 27, 12, 0)))
    assert error.field == "ends_at"


def test_shift_of_24_clock_hours_when_summer_time_starts_is_23_real_hours():
    assert shift(starts_at=sthlm(2024, 3, 30, 12, 0), ends_at=sthlm(2024, 3, 31, 12, 30),
                 now=sthlm(2024, 3, 31, 13, 0)) == []


def test_shift_starting_more_than_a_day_ahead():
    now = FRI_19 - FUTURE_TOLERANCE
    assert shift(now=now) == []
    error = only(shift(now=now - timedelta(minutes=1)))
    assert error == FieldError(
        "starts_at", "Starttiden ligger mer än ett dygn fram i tiden; kontrollera datumet."
    )


def test_shift_counts_are_checked_with_their_field_names():
    errors = shift(adults_met=-1, concern_reports=2.5, referrals=-3)
    assert [e.field for e in errors] == ["adults_met", "concern_reports", "referrals"]
    assert errors[0].message == "Antal vuxna som mötts måste vara ett heltal, 0 eller mer."
    assert errors[1].message == "Antal orosanmälningar måste vara ett heltal, 0 eller mer."
    assert errors[2].message == "Antal hänvisningar måste vara ett heltal, 0 eller mer."
    error = only(shift(adults_met=MAX_COUNT + 1))
    assert error.message.startswith("Antal vuxna som mötts verkar vara större än rimligt")


def test_youth_count_cell_must_be_a_whole_number():
    i18n.set_language("en")
    key = youth_key(AgeBand.AGE_16_17, Gender.GIRL)
    error = only(shift(youth_counts={key: -3}))
    assert error.field == "youth_counts"
    assert error.message == "Number of youths (16–17, Girl) must be a whole number of 0 or more."


def test_youth_count_cell_message_in_swedish():
    key = youth_key(AgeBand.AGE_13_15, Gender.BOY)
    error = only(shift(youth_counts={key: "tolv"}))
    assert error.field == "youth_counts"
    assert error.message.startswith("Antal ungdomar (")
    assert error.message.endswith(") måste vara ett heltal, 0 eller mer.")


def test_youth_counts_with_an_unknown_key():
    error = only(shift(youth_counts={"13-15|pojke": 2, "12-14|pojke": 1}))
    assert error == FieldError(
        "youth_counts",
        "Okänd åldersgrupp eller okänt kön bland antalet ungdomar (12-14|pojke).",
    )
    assert only(shift(youth_counts={"13-15": 1})).field == "youth_counts"


def test_youth_counts_that_are_not_a_table():
    error = only(shift(youth_counts=[("13-15|pojke", 2)]))
    assert error == FieldError(
        "youth_counts", "Antalet ungdomar kunde inte läsas; fyll i det igen."
    )


def test_youth_counts_total_is_bounded():
    counts = {youth_key(AgeBand.AGE_13_15, g): 200 for g in Gender}
    error = only(shift(youth_counts=counts))
    assert error.field == "youth_counts"
    assert error.message == (
        "Antal ungdomar totalt verkar vara större än rimligt (högst 500); kontrollera antalet."
    )
    every_cell = {youth_key(a, g): 1 for a in AgeBand for g in Gender}
    assert shift(youth_counts=every_cell) == []


def test_naive_times_in_a_shift_are_field_errors_not_exceptions():
    errors = shift(starts_at=datetime(2024, 11, 22, 19, 0), ends_at=datetime(2024, 11, 23, 1, 0))
    assert errors == [
        FieldError("starts_at", "Starttid måste vara ett datum och en tid med tidszon."),
        FieldError("ends_at", "Sluttid måste vara ett datum och en tid med tidszon."),
    ]
    error = only(shift(now=datetime(2024, 11, 23, 9, 0)))
    assert error.field == "now"


def test_missing_or_wrongly_typed_start_time():
    assert only(shift(starts_at=None)) == FieldError("starts_at", "Starttid saknas.")
    assert only(shift(starts_at="2024-11-22 19:00")).field == "starts_at"


def test_several_errors_are_reported_together():
    errors = shift(ends_at=FRI_19, adults_met=-1, youth_counts={"x": 1})
    assert {e.field for e in errors} == {"ends_at", "adults_met", "youth_counts"}


# -- observations -----------------------------------------------------------------------------


def test_a_good_observation_passes():
    assert observation() == []


def test_observation_within_the_tolerance_passes():
    assert observation(observed_at=FRI_19 - OBSERVATION_TOLERANCE) == []
    assert observation(observed_at=SAT_01 + OBSERVATION_TOLERANCE) == []


@pytest.mark.parametrize(
    "observed_at",
    [FRI_19 - OBSERVATION_TOLERANCE - timedelta(minutes=1),
     SAT_01 + OBSERVATION_TOLERANCE + timedelta(minutes=1)],
)
def test_observation_outside_the_shift(observed_at):
    error = only(observation(observed_at=observed_at))
    assert error == FieldError(
        "observed_at", "Iakttagelsens tid måste ligga inom passet (19:00–01:00)."
    )


def test_observation_outside_the_shift_shows_stockholm_times_when_given_utc():
    i18n.set_language("en")
    error = only(observation(
        observed_at=datetime(2024, 11, 22, 10, 0, tzinfo=UTC),
        shift_starts_at=datetime(2024, 11, 22, 18, 0, tzinfo=UTC),
        shift_ends_at=datetime(2024, 11, 23, 0, 0, tzinfo=UTC),
    ))
    assert error.message == "The observation's time must lie within the shift (19:00–01:00)."


def test_observation_in_a_running_shift():
    now = sthlm(2024, 11, 22, 21, 0)
    assert observation(shift_ends_at=None, now=now, observed_at=now) == []
    assert observation(shift_ends_at=None, now=now, observed_at=now + OBSERVATION_TOLERANCE) == []
    error = only(observation(shift_ends_at=None, now=now,
                             observed_at=FRI_19 - timedelta(hours=1)))
    assert error == FieldError(
        "observed_at", "Iakttagelsens tid kan inte vara före passets start (19:00)."
    )
    error = only(observation(shift_ends_at=None, now=now,
                             observed_at=now + OBSERVATION_TOLERANCE + timedelta(minutes=1)))
    assert error == FieldError(
        "observed_at", "Iakttagelsens tid ligger i framtiden; kontrollera klockslaget."
    )


def test_observation_in_the_future_of_an_ended_shift():
    now = sthlm(2024, 11, 22, 20, 0)  # the shift was entered ahead, the clock says 20:00
    error = only(observation(now=now, observed_at=sthlm(2024, 11, 22, 23, 0)))
    assert error.field == "observed_at"
    assert error.message == "Iakttagelsens tid ligger i framtiden; kontrollera klockslaget."


def test_observation_in_the_repeated_hour_when_summer_time_ends():
    # The shift ends 02:10 summer time; the clocks go back at 03:00 and 02:50 comes again,
    # now in winter time: 1 h 40 min after the shift ended, beyond the tolerance.
    starts = sthlm(2024, 10, 26, 20, 0)
    ends = sthlm(2024, 10, 27, 2, 10)
    now = sthlm(2024, 10, 27, 9, 0)
    ok = sthlm(2024, 10, 27, 2, 30)
    late = sthlm(2024, 10, 27, 2, 50).replace(fold=1)
    assert observation(observed_at=ok, shift_starts_at=starts, shift_ends_at=ends, now=now) == []
    error = only(observation(observed_at=late, shift_starts_at=starts, shift_ends_at=ends,
                             now=now))
    assert error.message == "Iakttagelsens tid måste ligga inom passet (20:00–02:10)."


def test_more_youths_than_people():
    error = only(observation(people_count=3, youths_present=4))
    assert error == FieldError(
        "youths_present",
        "Antalet ungdomar på plats kan inte vara större än antalet personer.",
    )
    assert observation(people_count=4, youths_present=4) == []


def test_observation_counts():
    errors = observation(people_count=-1, youths_present=MAX_COUNT + 1)
    assert [e.field for e in errors] == ["people_count", "youths_present"]
    assert errors[0].message == "Antal personer måste vara ett heltal, 0 eller mer."
    assert errors[1].message.startswith("Antal ungdomar på plats verkar vara större än rimligt")


def test_observation_without_people_passes():
    # Graffiti or litter: nobody to count.
    assert observation(people_count=None, youths_present=None) == []
    assert observation(people_count=0, youths_present=0) == []


def test_naive_observation_time_is_a_field_error():
    error = only(observation(observed_at=datetime(2024, 11, 22, 21, 15)))
    assert error == FieldError(
        "observed_at", "Tidpunkt för iakttagelsen måste vara ett datum och en tid med tidszon."
    )
    assert only(observation(shift_ends_at=datetime(2024, 11, 23, 1, 0))).field == "shift_ends_at"


# -- actions ----------------------------------------------------------------------------------


def test_a_good_action_passes():
    assert action() == []
    assert action(place_id=None, area_id="c5b0e1a2-0000-5000-8000-000000000002") == []


@pytest.mark.parametrize("empty", [None, ""])
def test_action_needs_a_place_or_an_area(empty):
    error = only(action(place_id=empty, area_id=None))
    assert error == FieldError("place_id", "Välj en plats eller en stadsdel för åtgärden.")


def test_action_needs_a_place_or_an_area_in_english():
    i18n.set_language("en")
    assert only(action(place_id=None)).message == "Choose a place or an area for the action."


def test_action_window_must_end_after_it_starts():
    error = only(action(ends_at=sthlm(2024, 11, 22, 17, 0)))
    assert error == FieldError("ends_at", "Sluttiden måste vara efter starttiden.")


def test_action_window_at_most_seven_days():
    start = sthlm(2024, 11, 22, 18, 0)
    assert action(ends_at=start + timedelta(days=7)) == []
    error = only(action(ends_at=start + timedelta(days=7, minutes=1)))
    assert error == FieldError(
        "ends_at", "En åtgärds tidsfönster kan vara högst 7 dagar; kontrollera sluttiden."
    )


def test_action_window_is_measured_in_real_time():
    # Seven clock days across the end of summer time are 7 days and 1 hour.
    start = sthlm(2024, 10, 21, 18, 0)
    error = only(action(starts_at=start, ends_at=sthlm(2024, 10, 28, 18, 0),
                        now=sthlm(2024, 10, 20, 10, 0)))
    assert error.field == "ends_at"


def test_action_far_from_today_is_probably_a_typo():
    start = sthlm(2025, 11, 22, 18, 0)
    error = only(action(starts_at=start, ends_at=start + timedelta(hours=6),
                        now=sthlm(2024, 11, 21, 10, 0)))
    assert error == FieldError(
        "starts_at", "Åtgärdens start ligger mer än ett år från i dag; kontrollera datumet."
    )


def test_action_needs_both_ends_of_the_window():
    assert only(action(ends_at=None)) == FieldError("ends_at", "Sluttid saknas.")
    assert only(action(starts_at=None)) == FieldError("starts_at", "Starttid saknas.")


# -- meetings ---------------------------------------------------------------------------------


def test_meeting_times():
    thursday = sthlm(2024, 11, 21, 14, 0)
    assert check_meeting(held_at=thursday, now=thursday + timedelta(hours=2)) == []
    assert check_meeting(held_at=thursday, now=thursday - FUTURE_TOLERANCE) == []
    error = only(check_meeting(held_at=thursday, now=thursday - timedelta(days=2)))
    assert error == FieldError(
        "held_at", "Mötestiden ligger mer än ett dygn fram i tiden; kontrollera datumet."
    )


def test_meeting_time_missing_or_naive():
    now = sthlm(2024, 11, 21, 16, 0)
    assert only(check_meeting(held_at=None, now=now)) == FieldError("held_at", "Mötestid saknas.")
    error = only(check_meeting(held_at=datetime(2024, 11, 21, 14, 0), now=now))
    assert error.field == "held_at"
    assert error.message == "Mötestid måste vara ett datum och en tid med tidszon."


# -- text -------------------------------------------------------------------------------------


def test_text_that_is_fine():
    assert check_text("notes", None, label="Anteckningar") == []
    assert check_text("notes", "", label="Anteckningar") == []
    text = "Lugnt vid Älvsjö centrum.\nTolv ungdomar."
    assert check_text("notes", text, label="Anteckningar") == []
    assert check_text("notes", "x" * 10000, label="Anteckningar") == []


def test_text_with_nul():
    error = only(check_text("notes", "abc\x00def", label="Anteckningar"))
    assert error == FieldError(
        "notes", "Anteckningar innehåller ett NUL-tecken, som inte kan sparas; ta bort det."
    )


def test_text_with_a_lone_surrogate():
    assert only(check_text("notes", "abc\ud800", label="Anteckningar")).field == "notes"


def test_text_too_long():
    error = only(check_text("notes", "x" * 10001, label="Anteckningar"))
    assert error.field == "notes"
    assert error.message == (
        "Anteckningar: texten är för lång (10\xa0001 tecken, högst 10\xa0000); korta den."
    )
    i18n.set_language("en")
    error = only(check_text("details", "x" * 21, label="Details", max_length=20))
    assert error.message == "Details: the text is too long (21 characters, at most 20); shorten it."


def test_text_of_the_wrong_type():
    assert only(check_text("notes", 42, label="Anteckningar")) == FieldError(
        "notes", "Anteckningar måste vara text."
    )


# -- translations -----------------------------------------------------------------------------


def _msgids(module) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def test_every_message_has_a_swedish_translation():
    from fieldapp.domain import record_checks, weeks

    catalog = i18n.catalog("sv")
    msgids = _msgids(validation) | _msgids(record_checks) | _msgids(weeks)
    assert len(msgids) > 20
    missing = sorted(m for m in msgids if m not in catalog)
    assert missing == []
    for msgid in msgids:  # placeholders survive translation
        fields = {name for name in _placeholders(msgid)}
        assert fields == set(_placeholders(catalog[msgid])), msgid


def _placeholders(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]
