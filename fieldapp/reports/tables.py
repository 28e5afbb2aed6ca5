"""The summary laid out as typed tables: the same rows for the XLSX sheets, the CSV sections
and the PDF tables, so every output shows the same figures under the same headings.

Cells keep their Python types (int, float, date, datetime, str); each output formats them
its own way (Excel number formats, Swedish CSV, Babel in the PDF).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fieldapp.domain.enums import AgeBand, Gender, Severity, ShiftKind
from fieldapp.i18n import _, format_date
from fieldapp.reports.summary import WeekSummary, label_of

TEXT, INT, HOURS, DATE, TIME, DECIMAL = "text", "int", "hours", "date", "time", "decimal"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT
    width: float = 12  # characters, for the spreadsheet


@dataclass(frozen=True)
class Table:
    name: str  # stable id: "key_figures", "days", ...
    title: str  # translated heading, also the sheet name
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]


@dataclass(frozen=True)
class KeyFigure:
    key: str  # stable, for scripts: "shifts", "shifts.nattvandring", "observations.high"
    label: str
    value: int | float
    group: str  # "work", "contacts", "observations", "meetings"

    @property
    def kind(self) -> str:
        return HOURS if isinstance(self.value, float) else INT


def key_figures(summary: WeekSummary) -> list[KeyFigure]:
    key = summary.key
    rows = [KeyFigure("shifts", _("Shifts"), key.shifts, "work")]
    for kind, count in key.shifts_by_kind.items():
        rows.append(KeyFigure(f"shifts.{kind}", _("Shifts: {kind}").format(
            kind=label_of(ShiftKind, kind).lower()), count, "work"))
    rows += [
        KeyFigure("field_hours", _("Hours in the field"), round(key.field_hours, 1), "work"),
        KeyFigure("staff_hours", _("Staff hours"), round(key.staff_hours, 1), "work"),
        KeyFigure("youths_met", _("Young people met"), key.youths_met, "contacts"),
        KeyFigure("adults_met", _("Adults met"), key.adults_met, "contacts"),
        KeyFigure("concern_reports", _("Reports of concern made"), key.concern_reports,
                  "contacts"),
        KeyFigure("referrals", _("Referrals made"), key.referrals, "contacts"),
        KeyFigure("observations", _("Observations"), key.observations, "observations"),
    ]
    for severity in reversed(list(Severity)):
        rows.append(KeyFigure(
            f"observations.{severity.value}",
            _("Observations: {severity} severity").format(severity=severity.label.lower()),
            key.observations_by_severity.get(severity.value, 0), "observations"))
    rows += [
        KeyFigure("meetings", _("Meetings"), key.meetings, "meetings"),
        KeyFigure("actions_agreed", _("Actions agreed"), key.actions_agreed, "meetings"),
        KeyFigure("actions_done", _("Actions carried out"), key.actions_done, "meetings"),
        KeyFigure("actions_cancelled", _("Actions cancelled"), key.actions_cancelled, "meetings"),
        KeyFigure("actions_planned", _("Actions still planned"), key.actions_planned, "meetings"),
    ]
    return rows


def youth_rows(summary: WeekSummary) -> tuple[list[str], list[tuple]]:
    """Header (genders) and rows (age band, counts..., total), with a total row last."""
    genders = list(Gender)
    rows = []
    totals = [0] * len(genders)
    for band in AgeBand:
        counts = [summary.key.youths_by_band_gender[band.value][g.value] for g in genders]
        totals = [a + b for a, b in zip(totals, counts)]
        rows.append((band.label, *counts, sum(counts)))
    rows.append((_("Total"), *totals, sum(totals)))
    return [g.label for g in genders], rows


def weekday_name(day: dt.date) -> str:
    return format_date(day, "EEEE")


def _time(moment: dt.datetime | None) -> dt.time | None:
    return moment.time().replace(tzinfo=None) if moment is not None else None


def build_tables(summary: WeekSummary) -> list[Table]:
    week_labels = [_("w. {week}").format(week=int(w.split("W")[1])) for w in summary.trend.weeks]
    genders, youth = youth_rows(summary)
    severities = list(Severity)
    tables = [
        Table("key_figures", _("Key figures"), (
            Column(_("Key figure"), TEXT, 34), Column(_("Value"), DECIMAL, 10),
            Column(_("Code"), TEXT, 24)),
            tuple((k.label, k.value, k.key) for k in key_figures(summary))),
        Table("youths", _("Young people met"), (
            Column(_("Age"), TEXT, 14), *(Column(g, INT, 10) for g in genders),
            Column(_("Total"), INT, 10)), tuple(youth)),
        Table("categories", _("Observations by category"), (
            Column(_("Category"), TEXT, 36), *(Column(s.label, INT, 10) for s in severities),
            Column(_("Total"), INT, 10)),
            tuple((c.name, *(c.by_severity.get(s.value, 0) for s in severities), c.total)
                  for c in summary.categories)),
        Table("days", _("Day by day"), (
            Column(_("Date"), DATE, 12), Column(_("Day"), TEXT, 10), Column(_("Shifts"), INT, 8),
            Column(_("Hours in the field"), HOURS, 10), Column(_("Staff hours"), HOURS, 10),
            Column(_("Young people"), INT, 10), Column(_("Adults"), INT, 8),
            Column(_("Reports of concern"), INT, 12),
            Column(_("Referrals"), INT, 10), Column(_("Observations"), INT, 12),
            Column(_("of which high"), INT, 10), Column(_("Meetings"), INT, 8)),
            tuple((d.day, weekday_name(d.day), d.shifts, round(d.field_hours, 1),
                   round(d.staff_hours, 1), d.youths_met, d.adults_met, d.concern_reports,
                   d.referrals,
                   d.observations, d.high_severity, d.meetings) for d in summary.days)),
        Table("areas", _("Areas"), (
            Column(_("Area"), TEXT, 24), Column(_("Shifts"), INT, 8),
            Column(_("Observations"), INT, 12), Column(_("Previous week"), INT, 12),
            Column(_("Change"), INT, 10)),
            tuple((a.name, a.shifts, a.observations, a.previous, a.change)
                  for a in summary.areas)),
        Table("places", _("Places"), (
            Column(_("Place"), TEXT, 36), Column(_("Area"), TEXT, 20),
            Column(_("Observations"), INT, 12), Column(_("Previous week"), INT, 12),
            Column(_("Change"), INT, 10), Column(_("of which high"), INT, 10),
            Column(_("People seen"), INT, 10), Column(_("of which young"), INT, 10)),
            tuple((p.name, p.area, p.observations, p.previous, p.change, p.high_severity,
                   p.people, p.youths_present) for p in summary.places)),
        Table("trend", _("Rising places"), (
            Column(_("Place"), TEXT, 36), Column(_("Area"), TEXT, 20),
            *(Column(label, INT, 8) for label in week_labels),
            Column(_("Baseline (8 weeks)"), INT, 10), Column(_("Recent (2 weeks)"), INT, 10),
            Column(_("Expected"), DECIMAL, 10), Column(_("p value"), DECIMAL, 10)),
            tuple((t.name, t.area, *t.counts, t.baseline, t.recent, t.expected,
                   round(t.p_value, 4)) for t in summary.trend.rows)),
        Table("meetings", _("Meetings"), (
            Column(_("Date"), DATE, 12), Column(_("Time"), TIME, 8), Column(_("Kind"), TEXT, 24),
            Column(_("Title"), TEXT, 28), Column(_("Partners"), TEXT, 28),
            Column(_("Staff"), TEXT, 10), Column(_("Flagged places"), TEXT, 40),
            Column(_("Situation picture"), TEXT, 60)),
            tuple((m.held_at.date(), _time(m.held_at), m.kind_label, m.title, m.partners,
                   m.staff, "; ".join(f.place + (f" ({f.reason})" if f.reason else "")
                                      for f in m.flags), m.situation)
                  for m in summary.meetings)),
        Table("actions", _("Actions agreed"), (
            Column(_("Meeting"), DATE, 12), Column(_("Place or area"), TEXT, 30),
            Column(_("Date"), DATE, 12), Column(_("From"), TIME, 8), Column(_("To"), TIME, 8),
            Column(_("Responsible"), TEXT, 22), Column(_("Status"), TEXT, 14),
            Column(_("Carried out"), DATE, 12), Column(_("Carried out by"), TEXT, 20),
            Column(_("Note"), TEXT, 40)),
            tuple((m.held_at.date(), a.where, a.starts_at.date(), _time(a.starts_at),
                   _time(a.ends_at), a.responsible, a.status_label, a.carried_out_on,
                   a.carried_out_by, a.note)
                  for m in summary.meetings for a in m.actions)),
        Table("shifts", _("Shifts"), (
            Column(_("Date"), DATE, 12), Column(_("Start"), TIME, 8), Column(_("End"), TIME, 8),
            Column(_("Kind"), TEXT, 16), Column(_("Hours"), HOURS, 8), Column(_("Areas"), TEXT, 28),
            Column(_("Staff"), TEXT, 12), Column(_("Partners"), TEXT, 24),
            Column(_("Young people"), INT, 10), Column(_("Adults"), INT, 8),
            Column(_("Reports of concern"), INT, 12),
            Column(_("Referrals"), INT, 10), Column(_("Observations"), INT, 12),
            Column(_("Summary"), TEXT, 50)),
            tuple((s.day, _time(s.starts_at), _time(s.ends_at), s.kind_label, round(s.hours, 1),
                   s.areas, s.staff, s.partners, s.youths_met, s.adults_met, s.concern_reports,
                   s.referrals,
                   s.observations, s.summary) for s in summary.shifts)),
        Table("notable", _("High-severity observations"), (
            Column(_("Date"), DATE, 12), Column(_("Time"), TIME, 8), Column(_("Place"), TEXT, 30),
            Column(_("Area"), TEXT, 18), Column(_("Category"), TEXT, 30),
            Column(_("People"), INT, 8), Column(_("of which young"), INT, 10),
            Column(_("Action taken"), TEXT, 20), Column(_("Details"), TEXT, 50)),
            tuple((o.observed_at.date(), _time(o.observed_at), o.place, o.area, o.category, o.people,
                   o.youths_present, o.action_taken, o.details) for o in summary.notable)),
    ]
    return tables
