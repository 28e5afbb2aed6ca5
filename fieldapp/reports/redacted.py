"""The redacted weekly log for the police and other partners (utdrag för samverkanspart).

Places, times and categories only: when and where the field workers were out, what kind of
thing was seen where and when, the places flagged at meetings and the agreed actions (where,
when, who is responsible, carried out or not). No counts about young people or anyone else
(no people counts, no youths met, no referrals) and no free text (no summaries, details,
situation pictures, reasons, notes or titles). The records are read with the weekly log's
own queries and rules (:func:`fieldapp.reports.summary.scoped_queries`,
:func:`~fieldapp.reports.summary.meeting_lines`), so the extract covers the same records, and
the PDF's tables are laid out as the weekly PDF's are
(:class:`fieldapp.reports.pdf_layout.TableBuilder`).

Each export is logged in the audit log as a ``disclosure`` with its recipient.
Qt-free.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from fieldapp.domain.cells import csv_writer
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
from fieldapp.reports.summary import (
    MeetingLine,
    Scope,
    area_names,
    category_name,
    label_of,
    meeting_lines,
    scoped_queries,
    stored_team_name,
)
from fieldapp.reports.week_queries import WeekQueries

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
    """"veckologg-2024-W47-utdrag.pdf" in Swedish, "weekly-log-2024-W47-extract.pdf" in English."""
    return _("weekly-log-{week}-extract.{format}").format(week=week, format=fmt)


def build_redacted_week(session, week: IsoWeek, scope: Scope | str, device_id: uuid.UUID,
                        recipient: str, *, generated_at: dt.datetime | None = None) -> RedactedWeek:
    scope = Scope(scope)
    queries = scoped_queries(session, week, scope, device_id)
    meetings = meeting_lines(queries)
    return RedactedWeek(week=week, scope=scope, recipient=recipient,
                        team_name=stored_team_name(session),
                        generated_at=creation_time(generated_at), language=current_language(),
                        shifts=_shifts(queries), observations=_observations(queries),
                        flagged_places=_flagged_places(meetings), actions=_actions(meetings))


def _shifts(queries: WeekQueries) -> tuple[RedactedShift, ...]:
    areas = queries.shift_areas()
    return tuple(
        RedactedShift(starts_at=to_stockholm(row.starts_at),
                      ends_at=to_stockholm(row.ends_at) if row.ends_at else None,
                      kind=label_of(ShiftKind, row.kind),
                      areas=area_names(queries.names, areas.get(row.id, [])))
        for row in queries.shift_rows())


def _observations(queries: WeekQueries) -> tuple[RedactedObservation, ...]:
    names = queries.names
    return tuple(
        RedactedObservation(observed_at=to_stockholm(obs.observed_at),
                            place=names.place_name(obs.place_id),
                            area=names.place_area(obs.place_id),
                            category=category_name(names, obs.category_id),
                            severity=label_of(Severity, obs.severity))
        for obs in queries.observations())


def _flagged_places(meetings: tuple[MeetingLine, ...]) -> tuple[str, ...]:
    """The places flagged at the week's meetings, each once, in the order first flagged."""
    return tuple(dict.fromkeys(flag.place for m in meetings for flag in m.flags))


def _actions(meetings: tuple[MeetingLine, ...]) -> tuple[RedactedAction, ...]:
    return tuple(
        RedactedAction(where=a.where, starts_at=a.starts_at, ends_at=a.ends_at,
                       responsible=a.responsible, status=a.status_label)
        for m in meetings for a in m.actions)


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
    writer = csv_writer(buffer, delimiter=";", lineterminator="\r\n")
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


@dataclass(frozen=True)
class _Section:
    """A part of the redacted PDF: a heading over a table of ``rows`` (``widths`` in mm, the
    last column taking the rest of the page), or over ``text`` when there are no rows."""

    heading: str
    text: str = ""
    titles: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    widths: tuple[float, ...] = ()


def _sections(report: RedactedWeek) -> list[_Section]:
    """The PDF's parts in order; the flagged places and the actions only when there are any."""
    sections = [
        _Section(_("When the field workers were out"), text=_("No shifts this week."),
                 titles=(_("When"), _("Kind"), _("Areas")), widths=(45, 40, 0),
                 rows=tuple((_span(s.starts_at, s.ends_at), s.kind, s.areas)
                            for s in report.shifts)),
        _Section(_("What was seen, where and when"), text=_("No observations this week."),
                 titles=(_("When"), _("Place"), _("Area"), _("Category"), _("Severity")),
                 widths=(28, 45, 32, 50, 0),
                 rows=tuple((_when(o.observed_at), o.place, o.area, o.category, o.severity)
                            for o in report.observations)),
    ]
    if report.flagged_places:
        sections.append(_Section(_("Places flagged at meetings"),
                                 text=", ".join(report.flagged_places)))
    if report.actions:
        sections.append(_Section(
            _("Agreed actions"),
            titles=(_("Place or area"), _("When"), _("Responsible"), _("Status")),
            widths=(50, 45, 45, 0),
            rows=tuple((a.where, _span(a.starts_at, a.ends_at), a.responsible, a.status)
                       for a in report.actions)))
    return sections


def _pdf_story(report: RedactedWeek) -> list:
    """Title, notice and sections, with the weekly PDF's styles and tables (every cell may
    wrap: plain text when it fits its column, a Paragraph when not)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    from fieldapp.reports.pdf_layout import CONTENT_W, TableBuilder, Wrap, _styles

    st = _styles()
    tables = TableBuilder(st)
    created = format_date(to_stockholm(report.generated_at).date(), "d MMMM y")
    story = [Paragraph(escape(title_of(report)), st["title"]),
             Paragraph(escape(notice_of(report)), st["subtitle"]),
             Paragraph(escape(_("Created {date}").format(date=created)), st["subtitle"]),
             Spacer(1, 4 * mm)]
    for section in _sections(report):
        story += [CondPageBreak(35 * mm), Paragraph(escape(section.heading), st["h2"])]
        if not section.rows:
            story.append(Paragraph(escape(section.text), st["body"]))
            continue
        widths = [w * mm for w in section.widths[:-1]]
        rows = [[Wrap(cell) for cell in row] for row in section.rows]
        story.append(tables.table(section.titles, rows, [*widths, CONTENT_W - sum(widths)],
                                  paged=True))
    return story


def render_redacted_pdf(report: RedactedWeek) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    from fieldapp.reports.fonts import register_fonts
    from fieldapp.reports.pdf_layout import MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, _canvas_maker

    register_fonts()
    title = title_of(report)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=title, author=report.team_name or _("Field workers"),
        subject=title, creator="Fältlogg", producer="Fältlogg (ReportLab)", invariant=1,
        lang=report.language)
    footer = f"Fältlogg · {title}"
    doc.build(_pdf_story(report), canvasmaker=_canvas_maker(report.generated_at, footer, title))
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
