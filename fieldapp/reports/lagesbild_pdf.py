"""The lägesbild as PDF: one A4 page (two at most) with the weekly log's styles; the map is
drawn with ReportLab graphics from the places' coordinates (no basemap, no network): a dot
per place sized by its observations, red where rising, a scale bar and north. Qt-free."""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from fieldapp.domain.geo import fit, scale_bar
from fieldapp.domain.weeks import IsoWeek, to_stockholm
from fieldapp.i18n import _, format_date, format_number
from fieldapp.reports.fonts import REGULAR, register_fonts
from fieldapp.reports.lagesbild import DEFAULT_WEEKS, Lagesbild
from fieldapp.reports.pdf_layout import (
    BLUE,
    CONTENT_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PALE,
    RED,
    RULE,
    TableBuilder,
    Wrap,
    _canvas_maker,
    _styles,
)
from fieldapp.reports.lagesbild import build_lagesbild
from fieldapp.reports.rules import p_text
from fieldapp.reports.summary import Scope

MAP_W, MAP_H = CONTENT_W, 80 * mm
LABELLED = 8  # the busiest places get a name on the map


def _n(value) -> str:
    return value if isinstance(value, str) else format_number(value)


def _when(action) -> str:
    start, end = action.starts_at, action.ends_at
    return f"{format_date(start.date(), 'EEE d MMM')} {start:%H:%M}–{end:%H:%M}"


def draw_map(report: Lagesbild) -> Drawing | None:
    """The period's observations per place on a plain ground; None without coordinates."""
    view = fit(((p.lon, p.lat) for p in report.points), MAP_W, MAP_H)
    if view is None:
        return None
    drawing = Drawing(MAP_W, MAP_H)
    drawing.add(Rect(0, 0, MAP_W, MAP_H, fillColor=PALE, strokeColor=RULE, strokeWidth=0.5))
    biggest = max(p.observations for p in report.points)
    busiest = sorted(report.points, key=lambda p: (-p.rising, -p.observations, p.name))
    labelled = {id(p) for p in busiest[:LABELLED]}
    for point in sorted(report.points, key=lambda p: -p.observations):
        x, y = view.place(point.lon, point.lat)
        radius = 2.5 + 7.5 * math.sqrt(point.observations / biggest)
        colour = RED if point.rising else BLUE
        drawing.add(Circle(x, y, radius, fillColor=colour, fillOpacity=0.55,
                           strokeColor=colour, strokeWidth=0.6))
        if id(point) in labelled:
            drawing.add(String(x + radius + 2, y - 2.5, f"{point.name} ({point.observations})",
                               fontName=REGULAR, fontSize=6.5, fillColor=colors.black))
    length, label = scale_bar(view.metres_per_unit, MAP_W / 4)
    x0, y0 = 8, 8
    drawing.add(Line(x0, y0, x0 + length, y0, strokeColor=colors.black, strokeWidth=1.2))
    for x in (x0, x0 + length):
        drawing.add(Line(x, y0 - 2, x, y0 + 2, strokeColor=colors.black, strokeWidth=1))
    drawing.add(String(x0 + length + 4, y0 - 2.5, label, fontName=REGULAR, fontSize=7))
    drawing.add(String(MAP_W - 12, MAP_H - 14, "N", fontName=REGULAR, fontSize=9))
    drawing.add(Line(MAP_W - 9.5, MAP_H - 26, MAP_W - 9.5, MAP_H - 16, strokeColor=colors.black))
    return drawing


def _story(report: Lagesbild) -> list:
    st = _styles()
    tables = TableBuilder(st)
    created = format_date(to_stockholm(report.generated_at).date(), "d MMMM y")
    team = report.team_name or _("Field workers")
    subtitle = _("{team}, {scope}. Created {date}.").format(
        team=team, scope=report.scope.short_label, date=created)
    if report.recipient:
        subtitle += " " + _("Given to {recipient}.").format(recipient=report.recipient)
    story = [Paragraph(escape(report.title), st["title"]), Paragraph(escape(subtitle),
                                                                     st["subtitle"])]
    half = (len(report.key) + 1) // 2
    key_rows = [[report.key[i][0], _n(report.key[i][1]),
                 *(report.key[i + half] if i + half < len(report.key) else ("", ""))]
                for i in range(half)]
    key_rows = [[a, _n(b), c, _n(d)] for a, b, c, d in key_rows]
    story += [Paragraph(escape(_("Key figures")), st["h2"]),
              tables.table(None, key_rows, [60 * mm, 25 * mm, 60 * mm, CONTENT_W - 145 * mm],
                           right=(1, 3))]

    story.append(Paragraph(escape(_("Places rising")), st["h2"]))
    if report.rising:
        rows = [[Wrap(t.name), Wrap(t.area), _n(t.baseline), _n(t.recent),
                 _n(round(t.expected, 1)), p_text(t.p_value)] for t in report.rising]
        story.append(tables.table(
            [_("Place"), _("Area"), _("Baseline (8 weeks)"), _("Recent (2 weeks)"),
             _("Expected"), _("p value")], rows,
            [50 * mm, 32 * mm, 24 * mm, 24 * mm, 18 * mm, CONTENT_W - 148 * mm],
            right=range(2, 6)))
    else:
        story.append(Paragraph(escape(_("No place is rising by the rule.")), st["body"]))
    story.append(Paragraph(escape(report.rising_sources), st["note"]))

    drawing = draw_map(report)
    if drawing is not None:
        story += [Paragraph(escape(_("Observations in the period by place")), st["h2"]),
                  drawing]
        note = _("Dot size: observations; red: rising. Without a basemap.")
        if report.unlocated_observations:
            note += " " + _("{count} observations at places without coordinates are not "
                            "shown.").format(count=report.unlocated_observations)
        story.append(Paragraph(escape(note), st["note"]))

    story.append(Paragraph(escape(_("Last meeting's agreed actions")), st["h2"]))
    meeting = report.last_meeting
    if meeting is None:
        story.append(Paragraph(escape(_("No meeting in the period.")), st["body"]))
    else:
        story.append(Paragraph(escape(f"{format_date(meeting.held_at.date(), 'd MMMM')} · "
                                      f"{meeting.kind_label} · {meeting.title}"), st["body"]))
        if meeting.actions:
            story.append(tables.table(
                [_("Where"), _("When"), _("Responsible"), _("Carried out")],
                [[Wrap(a.where), _when(a), Wrap(a.responsible),
                  (_("Yes, {day}").format(day=format_date(a.carried_out_on, "d MMM"))
                   if a.carried_out_on else a.status_label)] for a in meeting.actions],
                [60 * mm, 40 * mm, 40 * mm, CONTENT_W - 140 * mm]))
        else:
            story.append(Paragraph(escape(_("No actions were agreed.")), st["body"]))

    story.append(Paragraph(escape(_("Open actions")), st["h2"]))
    if report.open_actions:
        story.append(tables.table(
            [_("Where"), _("When"), _("Responsible")],
            [[Wrap(a.where), _when(a), Wrap(a.responsible)] for a in report.open_actions],
            [70 * mm, 50 * mm, CONTENT_W - 120 * mm]))
    else:
        story.append(Paragraph(escape(_("No open actions.")), st["body"]))
    story += [Spacer(1, 2 * mm), Paragraph(escape(_(
        "Summaries only: counts, places and times from Fältlogg; no names or free text.")),
        st["note"])]
    return story


def render_lagesbild(report: Lagesbild) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=report.title,
        author=report.team_name or _("Field workers"), subject=report.title, creator="Fältlogg",
        producer="Fältlogg (ReportLab)", invariant=1, lang=report.language)
    footer = f"Fältlogg · {report.title}"
    doc.build(_story(report), canvasmaker=_canvas_maker(report.generated_at, footer,
                                                         report.title))
    return buffer.getvalue()


def export_lagesbild(database, week: IsoWeek, scope: Scope | str, path: Path, *,
                     weeks: int = DEFAULT_WEEKS, recipient: str | None = None,
                     created_at: dt.datetime | None = None) -> Lagesbild:
    """Write the lägesbild PDF of the ``weeks`` weeks ending with ``week`` to ``path``; logged
    as a disclosure to ``recipient`` when one is given, else as an export."""
    from fieldapp.reports.export import creation_time, record_export, write_atomically

    created = creation_time(created_at)
    with database.session() as session:
        report = build_lagesbild(session, week, weeks, scope, database.device_id(),
                                 recipient=recipient, generated_at=created)
    write_atomically(Path(path), render_lagesbild(report))
    extra = {"report": "lagesbild", "weeks": len(report.weeks)}
    if recipient:
        record_export(database, "disclosure", week=week, scope=scope, fmt="pdf", path=path,
                      recipient=recipient, **extra)
    else:
        record_export(database, "export", week=week, scope=scope, fmt="pdf", path=path, **extra)
    return report
