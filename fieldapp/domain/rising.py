"""When a place is "rising": one stated rule, the same on the screen, in the weekly log (PDF,
XLSX, CSV, JSON) and in the lägesbild. Qt-free and database-free: it takes counts.

The rule compares a place's **recent** weeks with its own **baseline**, the weeks before:

- ``recent``   = the observations in the last ``RECENT_WEEKS`` (2) weeks;
- ``baseline`` = the observations in the ``BASELINE_WEEKS`` (8) weeks before those;
- ``expected`` = the count the recent window would have at the baseline's rate,
  ``(baseline + 0.5) * RECENT_WEEKS / BASELINE_WEEKS``. The half observation keeps a place
  with no history from being "infinitely" surprising (a Jeffreys-style floor);
- ``p``        = the one-sided Poisson probability of seeing ``recent`` or more when
  ``expected`` is the true mean, ``P(X >= recent | expected)``, computed exactly with ``math``.

A place is rising when **all** of these hold:

1. ``p < ALPHA`` (0.05): the recent count is significantly above the place's own baseline;
2. ``recent >= MIN_RECENT`` (3): a place with one or two observations is never rising;
3. the recent weekly rate is above the baseline's (``recent / 2 > baseline / 8``): a fall is
   never rising;
4. the latest week is not below the week before it: a place that went from 3 to 1 this week
   (the Liljeholmstorget case) is not reported as rising, however quiet its baseline was.

So one observation more is never "rising", and a fall never is. The figures behind each
verdict (:class:`Rising`) are shown next to it so a reader can check it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

RECENT_WEEKS = 2
BASELINE_WEEKS = 8
SERIES_WEEKS = BASELINE_WEEKS + RECENT_WEEKS
ALPHA = 0.05
MIN_RECENT = 3
BASELINE_FLOOR = 0.5  # observations added to the baseline before its rate is taken


@dataclass(frozen=True)
class Rising:
    """The figures behind a place's verdict."""

    recent: int  # observations in the recent window (2 weeks)
    baseline: int  # observations in the baseline window (the 8 weeks before)
    expected: float  # the recent count expected at the baseline's rate
    p_value: float  # P(X >= recent) for X ~ Poisson(expected)
    latest: int  # the latest week's count
    week_before: int  # the count of the week before it
    rising: bool

    @property
    def recent_rate(self) -> float:
        return self.recent / RECENT_WEEKS

    @property
    def baseline_rate(self) -> float:
        return self.baseline / BASELINE_WEEKS


def poisson_at_least(k: int, mean: float) -> float:
    """``P(X >= k)`` for ``X ~ Poisson(mean)``, exactly (no approximation, no scipy).

    Below the mean the lower tail is summed and subtracted; above it the upper tail is summed
    directly (its terms only shrink), so a small probability keeps its precision."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0

    def term(i: int) -> float:
        return math.exp(i * math.log(mean) - mean - math.lgamma(i + 1))

    if k <= mean:
        return max(0.0, 1.0 - math.fsum(term(i) for i in range(k)))
    total, i = 0.0, k
    while True:
        t = term(i)
        total += t
        if t < total * 1e-17:
            return min(1.0, total)
        i += 1


def assess_counts(baseline: int, week_before: int, latest: int) -> Rising:
    """The verdict from the baseline window's total and the recent window's two weeks."""
    if min(baseline, week_before, latest) < 0:
        raise ValueError("counts cannot be negative")
    recent = week_before + latest
    expected = (baseline + BASELINE_FLOOR) * RECENT_WEEKS / BASELINE_WEEKS
    p_value = poisson_at_least(recent, expected)
    rising = (p_value < ALPHA and recent >= MIN_RECENT
              and recent * BASELINE_WEEKS > baseline * RECENT_WEEKS
              and latest >= week_before)
    return Rising(recent=recent, baseline=baseline, expected=expected, p_value=p_value,
                  latest=latest, week_before=week_before, rising=rising)


def assess(weekly: Sequence[int]) -> Rising:
    """The verdict from weekly counts, oldest first, the latest week last. The last
    ``SERIES_WEEKS`` (10) weeks are used; a shorter series counts the missing weeks as 0."""
    counts = [0] * max(0, SERIES_WEEKS - len(weekly)) + list(weekly[-SERIES_WEEKS:])
    return assess_counts(sum(counts[:BASELINE_WEEKS]), counts[-2], counts[-1])
