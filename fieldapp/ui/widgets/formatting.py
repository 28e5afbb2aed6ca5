"""How times and durations read on screen: Stockholm wall-clock time, Swedish or English."""

from __future__ import annotations

import datetime as dt

from fieldapp.domain.weeks import to_stockholm
from fieldapp.i18n import _, format_date


def hhmm(moment: dt.datetime) -> str:
    return to_stockholm(moment).strftime("%H:%M")


def day_and_time(moment: dt.datetime) -> str:
    """"mån 18 nov 19:00" (Swedish) / "Mon 18 Nov 19:00" (English)."""
    local = to_stockholm(moment)
    return f"{format_date(local.date(), 'EEE d MMM')} {local:%H:%M}"


def duration(delta: dt.timedelta) -> str:
    """"2 h 05 min"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    return _("{hours} h {minutes:02d} min").format(hours=hours, minutes=minutes)


def shift_kind_label(kind: str) -> str:
    from fieldapp.domain.enums import ShiftKind

    try:
        return ShiftKind(kind).label
    except ValueError:
        return kind
