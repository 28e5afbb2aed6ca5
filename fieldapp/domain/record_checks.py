"""Validation rules for whole records: shifts, observations, actions and meetings.

Each ``check_*`` returns a list of :class:`~fieldapp.domain.validation.FieldError` (empty when
all is well), built from the blocks in :mod:`fieldapp.domain.validation`. Bad input never
raises here. Qt-free and database-free.
"""

from __future__ import annotations

from collections.abc import Mapping

from fieldapp.domain.validation import (  # the building blocks, private ones included
    ACTION_HORIZON,
    FUTURE_TOLERANCE,
    FieldError,
    MAX_ACTION_WINDOW,
    MAX_COUNT,
    MAX_SHIFT,
    OBSERVATION_TOLERANCE,
    _check_moment,
    _hhmm,
    _is_aware_in_range,
    _utc,
    check_count,
    parse_youth_key,
)
from fieldapp.i18n import _


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
