"""Validation rules for what a user enters: shifts, observations, actions, meetings, text.

Each ``check_*`` function returns a list of :class:`FieldError` (empty when all is well), so a
form can mark every bad field at once; :func:`raise_if` turns a non-empty list into a
:class:`ValidationError` for the services. Messages are translated with ``_()``, name the field
in words and say what to fix. Times in messages are Stockholm wall-clock time (HH:MM).

Bad input never raises here: a missing, naive or wrongly typed value becomes a FieldError.
Qt-free and database-free.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from fieldapp.domain.enums import AgeBand, Gender
from fieldapp.domain.weeks import to_stockholm
from fieldapp.i18n import _, format_number

MAX_COUNT = 500  # plausible maximum of people counted at one time / in one shift
FUTURE_TOLERANCE = timedelta(days=1)
OBSERVATION_TOLERANCE = timedelta(minutes=30)
MAX_SHIFT = timedelta(hours=24)
MAX_ACTION_WINDOW = timedelta(days=7)
ACTION_HORIZON = timedelta(days=366)  # an action's start further from now is a typo
MAX_TEXT_LENGTH = 10000
# Times outside these years are typing mistakes (and near the ends of the calendar, time-zone
# arithmetic would overflow).
MIN_YEAR = 1970
MAX_YEAR = 2999

YOUTH_KEY_SEPARATOR = "|"


@dataclass(frozen=True)
class FieldError:
    field: str  # the attribute name, e.g. "ends_at", "adults_met", "youth_counts"
    message: str  # translated, names the field and says what to fix


class ValidationError(ValueError):
    """One or more FieldErrors; ``str()`` gives their messages, one per line."""

    def __init__(self, errors: list[FieldError]):
        self.errors: list[FieldError] = list(errors)
        if not self.errors:
            raise ValueError("ValidationError needs at least one FieldError")
        super().__init__("\n".join(error.message for error in self.errors))

    def __str__(self) -> str:
        return "\n".join(error.message for error in self.errors)

    @property
    def fields(self) -> list[str]:
        """The names of the fields with errors, in order, without repeats."""
        return list(dict.fromkeys(error.field for error in self.errors))

    def messages_for(self, field: str) -> list[str]:
        return [error.message for error in self.errors if error.field == field]


def raise_if(errors: list[FieldError]) -> None:
    """Raise ValidationError when ``errors`` is not empty."""
    if errors:
        raise ValidationError(list(errors))


def youth_key(age_band: AgeBand | str, gender: Gender | str) -> str:
    """The key of one cell in ``youth_counts``: "<AgeBand value>|<Gender value>"."""
    return f"{AgeBand(age_band).value}{YOUTH_KEY_SEPARATOR}{Gender(gender).value}"


def parse_youth_key(key: str) -> tuple[AgeBand, Gender]:
    """Split a ``youth_counts`` key; ValueError for an unknown age band or gender."""
    if not isinstance(key, str) or key.count(YOUTH_KEY_SEPARATOR) != 1:
        raise ValueError(f"not a youth count key: {key!r}")
    age_band, gender = key.split(YOUTH_KEY_SEPARATOR)
    return AgeBand(age_band), Gender(gender)


# -- building blocks ------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    # Arithmetic and comparison on two datetimes sharing one tzinfo use wall-clock time and
    # ignore a DST change in between; in UTC they are exact.
    return moment.astimezone(timezone.utc)


def _hhmm(moment: datetime) -> str:
    return to_stockholm(moment).strftime("%H:%M")


def _is_aware(value) -> bool:
    return (
        isinstance(value, datetime)
        and value.tzinfo is not None
        and value.utcoffset() is not None
    )


def _check_moment(field: str, value, *, label: str, required: bool = True) -> list[FieldError]:
    """A timezone-aware datetime (or None when not ``required``)."""
    if value is None:
        if required:
            return [FieldError(field, _("{label} is missing.").format(label=label))]
        return []
    if not _is_aware(value):
        return [
            FieldError(
                field,
                _("{label} must be a date and time with a time zone.").format(label=label),
            )
        ]
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return [
            FieldError(
                field,
                _("{label}: the year {year} cannot be right; check the date.").format(
                    label=label, year=value.year
                ),
            )
        ]
    return []


def _is_aware_in_range(value) -> bool:
    return _is_aware(value) and MIN_YEAR <= value.year <= MAX_YEAR


def is_usable_moment(value) -> bool:
    """A timezone-aware datetime in a plausible year (what the time checks accept)."""
    return _is_aware_in_range(value)


def _is_whole_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Integral):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def check_count(field: str, value, *, label: str, maximum: int = MAX_COUNT) -> list[FieldError]:
    """A whole number from 0 to ``maximum``.

    Accepts an int (not a bool) or a float without fraction; refuses strings, None, negative
    numbers and fractions.
    """
    if not _is_whole_number(value) or value < 0:
        return [
            FieldError(field, _("{label} must be a whole number of 0 or more.").format(label=label))
        ]
    if value > maximum:
        return [
            FieldError(
                field,
                _("{label} seems too large (at most {maximum}); check the number.").format(
                    label=label, maximum=format_number(maximum)
                ),
            )
        ]
    return []


def check_flag(field: str, value, *, label: str) -> list[FieldError]:
    """A yes/no choice: True or False (not 1, "yes" or None)."""
    if isinstance(value, bool):
        return []
    return [FieldError(field, _("{label}: choose yes or no.").format(label=label))]


def check_text(
    field: str, value, *, label: str, max_length: int = MAX_TEXT_LENGTH
) -> list[FieldError]:
    """Free text (None or a str): no NUL characters, text that can be saved, at most
    ``max_length`` characters."""
    if value is None:
        return []
    if not isinstance(value, str):
        return [FieldError(field, _("{label} must be text.").format(label=label))]
    errors = []
    if "\x00" in value:
        errors.append(
            FieldError(
                field,
                _("{label} contains a NUL character, which cannot be saved; remove it.").format(
                    label=label
                ),
            )
        )
    else:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            errors.append(
                FieldError(
                    field,
                    _("{label} contains characters that cannot be saved; remove them.").format(
                        label=label
                    ),
                )
            )
    if len(value) > max_length:
        errors.append(
            FieldError(
                field,
                _("{label}: the text is too long ({length} characters, at most {maximum}); "
                  "shorten it.").format(
                    label=label,
                    length=format_number(len(value)),
                    maximum=format_number(max_length),
                ),
            )
        )
    return errors


# -- records --------------------------------------------------------------------------------


def _check_youth_counts(youth_counts) -> list[FieldError]:
    field = "youth_counts"
    if youth_counts is None:
        return []
    if not isinstance(youth_counts, Mapping):
        return [FieldError(field, _("The youth counts could not be read; enter them again."))]
    errors: list[FieldError] = []
    all_valid = True
    for key, count in youth_counts.items():
        try:
            age_band, gender = parse_youth_key(key)
        except ValueError:
            all_valid = False
            errors.append(
                FieldError(
                    field,
                    _("Unknown age band or gender in the youth counts ({key}).").format(key=key),
                )
            )
            continue
        label = _("Number of youths ({age_band}, {gender})").format(
            age_band=age_band.label, gender=gender.label
        )
        cell_errors = check_count(field, count, label=label)
        all_valid = all_valid and not cell_errors
        errors.extend(cell_errors)
    if all_valid and sum(youth_counts.values()) > MAX_COUNT:
        errors.extend(
            check_count(field, sum(youth_counts.values()), label=_("Number of youths in total"))
        )
    return errors


def check_shift(
    *,
    starts_at,
    ends_at,
    now,
    youth_counts: dict[str, int] | None,
    adults_met,
    concern_reports=None,
    referrals=None,
) -> list[FieldError]:
    """A shift: it ends after it starts and lasts at most 24 hours; it starts at most a day
    ahead of ``now``; its counts are whole numbers from 0 to MAX_COUNT.

    ``ends_at`` None is a running shift. Counts None mean "not entered yet".
    ``youth_counts`` maps "<AgeBand value>|<Gender value>" (see :func:`youth_key`) to counts.
    """
    errors = _check_moment("starts_at", starts_at, label=_("Start time"))
    errors += _check_moment("ends_at", ends_at, label=_("End time"), required=False)
    errors += _check_moment("now", now, label=_("Current time"))
    if _is_aware_in_range(starts_at) and _is_aware_in_range(ends_at):
        start, end = _utc(starts_at), _utc(ends_at)
        if end <= start:
            errors.append(FieldError("ends_at", _("End time must be after the start time.")))
        elif end - start > MAX_SHIFT:
            errors.append(
                FieldError("ends_at", _("A shift can last at most 24 hours; check the end time."))
            )
    if (_is_aware_in_range(starts_at) and _is_aware_in_range(now)
            and _utc(starts_at) > _utc(now) + FUTURE_TOLERANCE):
        errors.append(
            FieldError(
                "starts_at", _("The start time is more than a day in the future; check the date.")
            )
        )
    errors += _check_youth_counts(youth_counts)
    if adults_met is not None:
        errors += check_count("adults_met", adults_met, label=_("Number of adults met"))
    if concern_reports is not None:
        errors += check_count("concern_reports", concern_reports,
                              label=_("Number of reports of concern made"))
    if referrals is not None:
        errors += check_count("referrals", referrals, label=_("Number of referrals made"))
    return errors


def check_observation(
    *,
    observed_at,
    shift_starts_at,
    shift_ends_at,
    now,
    people_count,
    youths_present,
) -> list[FieldError]:
    """An observation: its time lies within its shift (give or take OBSERVATION_TOLERANCE)
    and not in the future beyond that tolerance; youths present are at most the people
    counted.

    ``shift_ends_at`` None is a running shift: only the start bounds the time from below.
    ``people_count`` / ``youths_present`` None mean "not counted" (e.g. graffiti, litter).
    """
    errors = _check_moment("observed_at", observed_at, label=_("Observation time"))
    errors += _check_moment("shift_starts_at", shift_starts_at, label=_("Shift start"))
    errors += _check_moment("shift_ends_at", shift_ends_at, label=_("Shift end"), required=False)
    errors += _check_moment("now", now, label=_("Current time"))

    if _is_aware_in_range(observed_at) and _is_aware_in_range(shift_starts_at):
        too_early = _utc(observed_at) < _utc(shift_starts_at) - OBSERVATION_TOLERANCE
        if _is_aware_in_range(shift_ends_at):
            too_late = _utc(observed_at) > _utc(shift_ends_at) + OBSERVATION_TOLERANCE
            if too_early or too_late:
                message = _("The observation's time must lie within the shift ({start}–{end}).")
                errors.append(
                    FieldError(
                        "observed_at",
                        message.format(start=_hhmm(shift_starts_at), end=_hhmm(shift_ends_at)),
                    )
                )
        elif too_early:
            message = _("The observation's time cannot be before the shift started ({start}).")
            errors.append(
                FieldError("observed_at", message.format(start=_hhmm(shift_starts_at)))
            )
    already = any(error.field == "observed_at" for error in errors)
    if not already and _is_aware_in_range(observed_at) and _is_aware_in_range(now):
        if _utc(observed_at) > _utc(now) + OBSERVATION_TOLERANCE:
            errors.append(
                FieldError(
                    "observed_at", _("The observation's time lies in the future; check the time.")
                )
            )

    people_errors = []
    if people_count is not None:
        people_errors = check_count("people_count", people_count, label=_("Number of people"))
    youth_errors = []
    if youths_present is not None:
        youth_errors = check_count(
            "youths_present", youths_present, label=_("Number of youths present")
        )
    errors += people_errors + youth_errors
    if (
        people_count is not None
        and youths_present is not None
        and not people_errors
        and not youth_errors
        and youths_present > people_count
    ):
        errors.append(
            FieldError(
                "youths_present",
                _("The number of youths present cannot be larger than the number of people."),
            )
        )
    return errors


def check_action(*, place_id, area_id, starts_at, ends_at, now) -> list[FieldError]:
    """An agreed action: at a place or in an area, in a time window that ends after it
    starts and lasts at most 7 days, starting within a year of ``now``."""
    errors: list[FieldError] = []
    if not place_id and not area_id:
        errors.append(FieldError("place_id", _("Choose a place or an area for the action.")))
    errors += _check_moment("starts_at", starts_at, label=_("Start time"))
    errors += _check_moment("ends_at", ends_at, label=_("End time"))
    errors += _check_moment("now", now, label=_("Current time"))
    if _is_aware_in_range(starts_at) and _is_aware_in_range(ends_at):
        start, end = _utc(starts_at), _utc(ends_at)
        if end <= start:
            errors.append(FieldError("ends_at", _("End time must be after the start time.")))
        elif end - start > MAX_ACTION_WINDOW:
            errors.append(
                FieldError(
                    "ends_at",
                    _("An action's time window can be at most 7 days long; check the end time."),
                )
            )
    if (
        _is_aware_in_range(starts_at)
        and _is_aware_in_range(now)
        and abs(_utc(starts_at) - _utc(now)) > ACTION_HORIZON
    ):
        errors.append(
            FieldError(
                "starts_at", _("The action's start is more than a year from today; check the date.")
            )
        )
    return errors


def check_meeting(*, held_at, now) -> list[FieldError]:
    """A meeting: held at an aware time at most a day ahead of ``now``."""
    errors = _check_moment("held_at", held_at, label=_("Meeting time"))
    errors += _check_moment("now", now, label=_("Current time"))
    if (_is_aware_in_range(held_at) and _is_aware_in_range(now)
            and _utc(held_at) > _utc(now) + FUTURE_TOLERANCE):
        errors.append(
            FieldError(
                "held_at", _("The meeting time is more than a day in the future; check the date.")
            )
        )
    return errors
