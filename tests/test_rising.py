"""The "rising" rule on hand-made series: significance, the minimum count, a fall is never
rising (the Liljeholmstorget case), and the exact Poisson tail."""

from __future__ import annotations

import math

import pytest

from fieldapp.domain.rising import (
    ALPHA,
    MIN_RECENT,
    assess,
    assess_counts,
    poisson_at_least,
)


def test_the_poisson_tail_matches_the_textbook_sum():
    mean = 1.5
    for k in range(0, 12):
        textbook = 1 - sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k))
        assert poisson_at_least(k, mean) == pytest.approx(textbook, abs=1e-12)
    assert poisson_at_least(0, 0.0) == 1.0
    assert poisson_at_least(1, 0.0) == 0.0
    # Far in the tail the probability keeps its precision instead of rounding to 0.
    assert 0 < poisson_at_least(40, 1.0) < 1e-40


@pytest.mark.parametrize("series", [
    [0, 0, 0, 0, 0, 0, 0, 0, 3, 1],  # Liljeholmstorget: 3 -> 1 from a quiet baseline
    [1, 1, 1, 1, 1, 1, 1, 1, 3, 1],  # 3 -> 1 from an ordinary baseline
    [0, 0, 0, 0, 0, 0, 0, 0, 9, 8],  # a large jump that is already falling back
])
def test_a_fall_in_the_latest_week_is_never_rising(series):
    found = assess(series)
    assert not found.rising
    assert found.latest < found.week_before


def test_a_fall_against_the_baseline_is_never_rising():
    found = assess([5, 6, 5, 6, 5, 6, 5, 6, 2, 3])
    assert found.recent_rate < found.baseline_rate and not found.rising


def test_one_observation_more_is_never_rising():
    for baseline in range(0, 20):
        for week_before in range(0, 3):
            found = assess_counts(baseline, week_before, week_before + 1)
            if found.recent < MIN_RECENT:
                assert not found.rising
    assert not assess([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]).rising
    assert not assess([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]).rising  # two in two weeks


def test_a_clear_rise_above_the_own_baseline_is_rising_with_its_figures():
    found = assess([1, 0, 1, 0, 1, 0, 1, 0, 3, 4])
    assert found.rising
    assert (found.recent, found.baseline) == (7, 4)
    assert found.expected == pytest.approx((4 + 0.5) * 2 / 8)
    assert found.p_value == pytest.approx(poisson_at_least(7, found.expected))
    assert found.p_value < ALPHA


def test_a_rise_within_the_noise_of_a_busy_place_is_not_rising():
    # 5 a week for 8 weeks, then 6 and 6: more, but well within what 5 a week gives.
    found = assess([5] * 8 + [6, 6])
    assert found.recent_rate > found.baseline_rate
    assert found.p_value > ALPHA and not found.rising


def test_three_new_observations_at_a_place_without_history_is_rising():
    found = assess([0] * 8 + [1, 2])
    assert found.rising and found.recent == MIN_RECENT


def test_a_short_series_counts_the_missing_weeks_as_zero_and_negatives_are_refused():
    assert assess([1, 2]) == assess([0] * 8 + [1, 2])
    assert assess([9] * 20 + [0] * 8 + [1, 2]) == assess([0] * 8 + [1, 2])
    with pytest.raises(ValueError):
        assess_counts(-1, 0, 0)
