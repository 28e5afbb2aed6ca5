"""The redacted weekly log for the police and other partners (utdrag för samverkanspart).

Places, times and categories only: when and where the field workers were out, what kind of
thing was seen where and when, the places flagged at meetings and the agreed actions (where,
when, who is responsible, carried out or not). No counts about young people or anyone else
(no people counts, no youths met, no referrals) and no free text (no summaries, details,
situation pictures, reasons, notes or titles). The week and scope rules are the weekly log's
own (:mod:`fieldapp.reports.summary`), so the extract covers the same records.

Each export is logged in the audit log as a ``disclosure`` with its recipient.
Qt-free.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from fieldapp.domain.enums import Severity, ShiftKind
from fieldapp.domain.weeks import IsoWeek, to_stockholm
from fieldapp.i18n import _, current_language, format_date
from fieldapp.reports.export import (
    ReportError,
    check_writable,
    creation_time,
    record_export,
    write_atomically,
)
from fieldapp.reports.summary import Scope, _Builder, _team_name, label_of

REDACTED_FORMATS = ("pdf", "csv")


@dataclass(frozen=True)
class RedactedShift:
    starts_at: dt.datetime  # Stockholm time
    ends_at: dt.datetime | None
    kind: str
    areas: str


@dataclass(frozen=True)
class RedactedObservation:
    observed_at: dt.datetime  # Stockholm time
    place: str
    area: str
    category: str
    severity: str


@dataclass(frozen=True)
class RedactedAction:
    where: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    responsible: str
    status: str


@dataclass(frozen=True)
class RedactedWeek:
    week: IsoWeek
    scope: Scope
    recipient: str
    team_name: str
    generated_at: dt.datetime
    language: str
    shifts: tuple[RedactedShift, ...]
    observations: tuple[RedactedObservation, ...]
    flagged_places: tuple[str, ...]
    actions: tuple[RedactedAction, ...]


def check_recipient(recipient: str | None) -> str:
    text = " ".join((recipient or "").split())
    if not text:
        raise ReportError(_("Say who receives the redacted log (for example \u201cLPO "
                            "Skärholmen\u201d): every disclosure is logged with its recipient."))
    if len(text) > 200:
        raise ReportError(_("The recipient may be at most 200 characters."))
    return text


def check_redacted_format(fmt: str) -> str:
    fmt = (fmt or "").strip().lower().lstrip(".")
    if fmt not in REDACTED_FORMATS:
        raise ReportError(_("The redacted log is made as PDF or CSV, not {format}.").format(
            format=fmt or "–"))
    return fmt


def default_redacted_filename(week: IsoWeek, fmt: str) -> str:
    return f"veckologg-{week}-utdrag.{fmt}"


def build_redacted_week(session, week: IsoWeek, scope: Scope | str, device_id: uuid.UUID,
                        recipient: str, *, generated_at: dt.datetime | None = None) -> RedactedWeek:
    scope = Scope(scope)
    builder = _Builder(session, week, scope, device_id)
    names = builder.names
    shift_rows, _staff, areas_map, _partners = builder.shifts()
    shifts = tuple(
        RedactedShift(starts_at=to_stockholm(row.starts_at),
                      ends_at=to_stockholm(row.ends_at) if row.ends_at else None,
                      kind=label_of(ShiftKind, row.kind),
                      areas=", ".join(sorted(names.areas.get(a, "?")
                                             for a in areas_map.get(row.id, []))))
        for row in shift_rows)
    observations = tuple(
        RedactedObservation(observed_at=to_stockholm(obs.observed_at),
                            place=names.place_name(obs.place_id),
                            area=names.place_area(obs.place_id),
                            category=names.categories.get(obs.category_id, ("?", "?", 0))[1],
                            severity=label_of(Severity, obs.severity))
        for obs in builder.observations())
    meetings = builder.meetings()
    flagged = tuple(dict.fromkeys(flag.place for m in meetings for flag in m.flags))
    actions = tuple(
        RedactedAction(where=a.where, starts_at=a.starts_at, ends_at=a.ends_at,
                       responsible=a.responsible, status=a.status_label)
        for m in meetings for a in m.actions)
    return RedactedWeek(week=week, scope=scope, recipient=recipient,
                        team_name=_team_name(session), generated_at=creation_time(generated_at),
                        language=current_language(), shifts=shifts, observations=observations,
                        flagged_places=flagged, actions=actions)


def _when(moment: dt.datetime) -> str:
    return f"{format_date(moment.date(), 'EEE d MMM')} {moment:%H:%M}"


def _span(start: dt.datetime, end: dt.datetime | None) -> str:
    return f"{_when(start)}\u2013{end:%H:%M}" if end is not None else f"{_when(start)}\u2013…"


def title_of(report: RedactedWeek) -> str:
    return _("Weekly log {week}: extract for {recipient}").format(
        week=report.week.label(), recipient=report.recipient)


def notice_of(report: RedactedWeek) -> str:
    return _("Places, times and categories only: no counts of young people or other persons "
             "and no free text. Disclosed by {team} to {recipient}; the disclosure is "
             "recorded in Fältlogg's log.").format(
        team=report.team_name or _("Field workers"), recipient=report.recipient)


def render_redacted_csv(report: RedactedWeek) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([title_of(report)])
    writer.writerow([notice_of(report)])
    writer.writerow([])
    writer.writerow([_("Part"), _("When"), _("Place or area"), _("Category or kind"),
                     _("Severity, responsible or status")])
    for s in report.shifts:
        writer.writerow([_("Shift"), _span(s.starts_at, s.ends_at), s.areas, s.kind, ""])
    for o in report.observations:
        writer.writerow([_("Observation"), _when(o.observed_at), f"{o.place} ({o.area})",
                         o.category, o.severity])
    for place in report.flagged_places:
        writer.writerow([_("Flagged place"), "", place, "", ""])
    for a in report.actions:
        writer.writerow([_("Agreed action"), _span(a.starts_at, a.ends_at), a.where, "",
                         f"{a.responsible} · {a.status}" if a.responsible else a.status])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_redacted_pdf(report: RedactedWeek) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from xml.sax.saxutils import escape

    from fieldapp.reports.fonts import register_fonts
    from fieldapp.reports.pdf import (
        CONTENT_W,
        MARGIN_BOTTOM,
        MARGIN_TOP,
        MARGIN_X,
        PagedTable,
        _canvas_maker,
        _styles,
        _table_style,
    )

    register_fonts()
    st = _styles()

    def p(text: str, style: str = "cell") -> Paragraph:
        return Paragraph(escape(text or ""), st[style])

    def table(titles, rows, widths):
        widths = [w * mm for w in widths]
        widths[-1] = CONTENT_W - sum(widths[:-1])
        data = [[p(t, "head") for t in titles], *[[p(str(c)) for c in row] for row in rows]]
        return PagedTable(data, widths, _table_style())

    title = title_of(report)
    story = [p(title, "title"), p(notice_of(report), "subtitle"),
             p(_("Created {date}").format(date=format_date(to_stockholm(report.generated_at).date(),
                                                           "d MMMM y")), "subtitle"),
             Spacer(1, 4 * mm)]
    story.append(p(_("When the field workers were out"), "h2"))
    if report.shifts:
        story.append(table([_("When"), _("Kind"), _("Areas")],
                           [(_span(s.starts_at, s.ends_at), s.kind, s.areas)
                            for s in report.shifts], [45, 40, 0]))
    else:
        story.append(p(_("No shifts this week."), "body"))
    story.append(p(_("What was seen, where and when"), "h2"))
    if report.observations:
        story.append(table([_("When"), _("Place"), _("Area"), _("Category"), _("Severity")],
                           [(_when(o.observed_at), o.place, o.area, o.category, o.severity)
                            for o in report.observations], [28, 45, 32, 50, 0]))
    else:
        story.append(p(_("No observations this week."), "body"))
    if report.flagged_places:
        story.append(p(_("Places flagged at meetings"), "h2"))
        story.append(p(", ".join(report.flagged_places), "body"))
    if report.actions:
        story.append(p(_("Agreed actions"), "h2"))
        story.append(table([_("Place or area"), _("When"), _("Responsible"), _("Status")],
                           [(a.where, _span(a.starts_at, a.ends_at), a.responsible, a.status)
                            for a in report.actions], [50, 45, 45, 0]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=title, author=report.team_name or _("Field workers"),
        subject=title, creator="Fältlogg", producer="Fältlogg (ReportLab)", invariant=1,
        lang=report.language)
    footer = f"Fältlogg · {title}"
    doc.build(story, canvasmaker=_canvas_maker(report.generated_at, footer, title))
    return buffer.getvalue()


def export_redacted(database, week: IsoWeek, scope: Scope | str, fmt: str, path: Path,
                    recipient: str, *, device_id: uuid.UUID | None = None,
                    created_at: dt.datetime | None = None, progress=None) -> RedactedWeek:
    """Write the redacted log of ``week`` to ``path`` and log the disclosure."""
    fmt = check_redacted_format(fmt)
    recipient = check_recipient(recipient)
    path = Path(path)
    check_writable(path)
    if progress:
        progress(0, 100, _("Summarising the week"))
    with database.session() as session:
        report = build_redacted_week(session, week, scope, device_id or database.device_id(),
                                     recipient, generated_at=created_at)
    if progress:
        progress(50, 100, _("Writing the report"))
    data = render_redacted_pdf(report) if fmt == "pdf" else render_redacted_csv(report)
    write_atomically(path, data)
    record_export(database, "disclosure", week=week, scope=report.scope, fmt=fmt, path=path,
                  recipient=recipient)
    if progress:
        progress(100, 100, _("Done"))
    return report
