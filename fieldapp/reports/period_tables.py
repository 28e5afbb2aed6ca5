"""The period summary laid out as typed tables: the same rows for the XLSX sheets, the CSV
sections and the PDF, so every output shows the same figures under the same headings.
Also the document title, the overview lines and the key figures every output shares."""

from __future__ import annotations

from fieldapp.domain.enums import AgeBand, Gender, Severity
from fieldapp.i18n import _
from fieldapp.reports.period_data import PeriodSummary
from fieldapp.reports.tables import HOURS, INT, TEXT, Column, KeyFigure, Table
from fieldapp.reports.texts import created_local


def document_title(summary: PeriodSummary) -> str:
    """"Verksamhetsrapport tertial 3 2026 (1 september–31 december 2026)"."""
    period = summary.period
    if period.label() == period.date_range():  # a range of dates: named once, not twice
        return _("Activity report {period}").format(period=period.label())
    return _("Activity report {period} ({dates})").format(period=period.label(),
                                                          dates=period.date_range())


def team_label(summary: PeriodSummary) -> str:
    return summary.team_name or _("Field workers")


def overview_lines(summary: PeriodSummary) -> list[tuple[str, object]]:
    return [
        (_("Period"), summary.period.label()),
        (_("First day"), summary.period.first),
        (_("Last day"), summary.period.last),
        (_("Compared with"), summary.year_before.label()),
        (_("Team"), team_label(summary)),
        (_("Scope"), summary.scope.label),
        (_("Created"), created_local(summary)),
        (_("Sources and limits"), summary.sources),
        (_("Privacy"), _("Only counts are included: no names, no free text, no single "
                         "observations.")),
    ]


def key_figures(summary: PeriodSummary) -> list[KeyFigure]:
    key = summary.key
    rows = [
        KeyFigure("shifts", _("Shifts"), key.shifts, "work"),
        KeyFigure("field_hours", _("Hours in the field"), round(key.field_hours, 1), "work"),
        KeyFigure("staff_hours", _("Staff hours"), round(key.staff_hours, 1), "work"),
        KeyFigure("prioritised_shifts", _("Shifts in prioritised areas"),
                  key.prioritised_shifts, "work"),
        KeyFigure("youths_met", _("Young people met"), key.youths_met, "contacts"),
        KeyFigure("adults_met", _("Adults met"), key.adults_met, "contacts"),
        KeyFigure("concern_reports", _("Reports of concern made"), key.concern_reports,
                  "contacts"),
        KeyFigure("referrals", _("Referrals made"), key.referrals, "contacts"),
        KeyFigure("observations", _("Observations"), key.observations, "observations"),
        KeyFigure("observations_year_before", _("Observations a year before"),
                  key.observations_year_before, "observations"),
    ]
    for severity in reversed(list(Severity)):
        rows.append(KeyFigure(
            f"observations.{severity.value}",
            _("Observations: {severity} severity").format(severity=severity.label.lower()),
            key.observations_by_severity.get(severity.value, 0), "observations"))
    rows += [
        KeyFigure("meetings", _("Meetings"), key.meetings, "meetings"),
        KeyFigure("meetings_with_police", _("Meetings with the police"),
                  key.meetings_with_police, "meetings"),
        KeyFigure("actions_agreed", _("Actions agreed"), key.actions_agreed, "meetings"),
        KeyFigure("actions_done", _("Actions carried out"), key.actions_done, "meetings"),
        KeyFigure("actions_cancelled", _("Actions cancelled"), key.actions_cancelled, "meetings"),
        KeyFigure("actions_planned", _("Actions still planned"), key.actions_planned, "meetings"),
    ]
    return rows


def youth_rows(summary: PeriodSummary) -> tuple[list[str], list[tuple]]:
    """Header (genders) and rows (age band, counts..., total), with a total row last."""
    genders = list(Gender)
    rows, totals = [], [0] * len(genders)
    for band in AgeBand:
        counts = [summary.youths_by_band_gender[band.value][g.value] for g in genders]
        totals = [a + b for a, b in zip(totals, counts)]
        rows.append((band.label, *counts, sum(counts)))
    rows.append((_("Total"), *totals, sum(totals)))
    return [g.label for g in genders], rows


def _t(name: str, title: str, columns, rows) -> Table:
    return Table(name, title, tuple(columns), tuple(tuple(r) for r in rows))


def build_tables(summary: PeriodSummary) -> list[Table]:
    s, before = summary, summary.year_before.label()
    tables = [_t("key_figures", _("Key figures"),
                 [Column(_("Figure"), TEXT, 36), Column(_("Value"), HOURS, 12)],
                 [(k.label, k.value) for k in key_figures(s)])]
    tables.append(_t("months", _("Month by month"), [
        Column(_("Month"), TEXT, 22), Column(_("Shifts"), INT), Column(_("Hours"), HOURS),
        Column(_("Staff hours"), HOURS), Column(_("Shifts in prioritised areas"), INT, 16),
        Column(_("Young people"), INT), Column(_("Adults"), INT),
        Column(_("Reports of concern"), INT), Column(_("Referrals"), INT),
        Column(_("Observations"), INT), Column(_("of which high"), INT),
        Column(_("at prioritised places"), INT, 16), Column(_("Meetings"), INT),
        Column(_("with the police"), INT), Column(_("Actions agreed"), INT),
        Column(_("Actions carried out"), INT)],
        [(m.label, m.shifts, round(m.field_hours, 1), round(m.staff_hours, 1),
          m.prioritised_shifts, m.youths_met, m.adults_met, m.concern_reports, m.referrals,
          m.observations, m.high_severity, m.prioritised_observations, m.meetings,
          m.meetings_with_police, m.actions_agreed, m.actions_done) for m in s.months]))
    tables.append(_t("shift_kinds", _("Shifts by kind"), [
        Column(_("Kind"), TEXT, 24), Column(_("Shifts"), INT), Column(_("Hours"), HOURS)],
        [(k.label, k.shifts, round(k.hours, 1)) for k in s.kinds]))
    months = [m.label for m in s.months]
    presence_rows = []
    for row in s.presence:
        presence_rows.append((row.name, row.places, _("Shifts"), *row.shifts, row.total_shifts))
        presence_rows.append((row.name, row.places, _("Observations"), *row.observations,
                              row.total_observations))
    tables.append(_t("presence", _("Presence at the prioritised places"), [
        Column(_("Area"), TEXT, 20), Column(_("Prioritised places"), TEXT, 40),
        Column(_("Figure"), TEXT, 14), *(Column(m, INT) for m in months),
        Column(_("Total"), INT)], presence_rows))
    tables.append(_t("prioritised_actions", _("Agreed actions at the prioritised places"), [
        Column(_("Area"), TEXT, 20), Column(_("Actions agreed"), INT),
        Column(_("Actions carried out"), INT), Column(_("Hours in the area"), HOURS)],
        [(r.name, r.actions_agreed, r.actions_done, round(r.total_hours, 1))
         for r in s.presence]))
    tables.append(_t("meetings", _("Meetings by kind"), [
        Column(_("Kind"), TEXT, 30), Column(_("Meetings"), INT),
        Column(_("with the police"), INT)],
        [(m.label, m.meetings, m.with_police) for m in s.meeting_kinds]))
    tables.append(_t("partners", _("Meetings by partner"), [
        Column(_("Partner"), TEXT, 30), Column(_("Meetings"), INT)],
        [(p.label, p.meetings) for p in s.partner_kinds]))
    genders, rows = youth_rows(s)
    tables.append(_t("youths", _("Young people met"), [
        Column(_("Age"), TEXT, 14), *(Column(g, INT) for g in genders), Column(_("Total"), INT)],
        rows))
    tables.append(_t("categories", _("Observations by category"), [
        Column(_("Category"), TEXT, 36), Column(_("Observations"), INT), Column(before, INT),
        Column(_("Change"), INT)],
        [(c.name, c.observations, c.previous, c.change) for c in s.categories]))
    tables.append(_t("places", _("Observations by place"), [
        Column(_("Place"), TEXT, 36), Column(_("Area"), TEXT, 20),
        Column(_("Prioritised"), TEXT, 10), Column(_("Observations"), INT), Column(before, INT),
        Column(_("Change"), INT)],
        [(p.name, p.area, _("yes") if p.hotspot_status == "active" else "", p.observations,
          p.previous, p.change) for p in s.places]))
    return tables


__all__ = ["build_tables", "document_title", "key_figures", "overview_lines", "team_label",
           "youth_rows"]
