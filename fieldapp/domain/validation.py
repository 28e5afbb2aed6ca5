"""Validation rules for what a user enters: the building blocks (times, counts, flags, text)
and the errors; the rules for whole records are in :mod:`fieldapp.domain.record_checks`.

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
