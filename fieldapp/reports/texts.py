"""Texts every output shares: the document title and the overview lines."""

from __future__ import annotations

import datetime as dt

from fieldapp.domain.weeks import to_stockholm
from fieldapp.i18n import _, format_date
from fieldapp.reports.summary import WeekSummary


def date_range(summary: WeekSummary) -> str:
    """"18–24 november", or with years when the week spans two: "28 december 2026–3 januari
    2027"."""
    week = summary.week
    monday, sunday = week.monday(), week.sunday()
    if monday.year != sunday.year:
        return f"{format_date(monday, 'd MMMM y')}\u2013{format_date(sunday, 'd MMMM y')}"
    return week.title_range()


def document_title(summary: WeekSummary) -> str:
    """"Veckologg v. 47 2024 (18–24 november)"."""
    return _("Weekly log {week} ({dates})").format(week=summary.week.label(),
                                                   dates=date_range(summary))


def team_label(summary: WeekSummary) -> str:
    return summary.team_name or _("Field workers")


def created_local(summary: WeekSummary) -> dt.datetime:
    """The creation time as Stockholm wall-clock time, without a zone (for spreadsheets)."""
    return to_stockholm(summary.generated_at).replace(tzinfo=None, microsecond=0)


def overview_lines(summary: WeekSummary) -> list[tuple[str, object]]:
    return [
        (_("Week"), summary.week.label()),
        (_("First day"), summary.week.monday()),
        (_("Last day"), summary.week.sunday()),
        (_("Team"), team_label(summary)),
        (_("Scope"), summary.scope.label),
        (_("Created"), created_local(summary)),
        (_("About the rising places"), summary.trend.sources),
        (_("Privacy"), _("Only texts marked as shareable that passed the personal data check "
                         "are included. Private notes are never included.")),
    ]
