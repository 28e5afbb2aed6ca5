"""The period report as an A4 PDF (ReportLab platypus): what the nämnd asks in tertial
reports and the verksamhetsberättelse, "what was done in the field".

Title with the period and its dates; key figures; shifts by kind; presence at the
prioritised places (platssamverkan areas) month by month; meetings with the police and other
partners; agreed actions carried out against agreed; young people met by age band; month
by month with a chart; observations by category and place against the same period a year
before; the note on sources and limits. Aggregates only, so a city's year is a few pages.
Reproducible: the same summary (with ``generated_at``) gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from fieldapp.i18n import _, format_date, format_number
from fieldapp.reports.charts import _nice_max
from fieldapp.reports.fonts import BOLD, REGULAR, register_fonts
from fieldapp.reports.pdf_layout import (
    BLUE,
    CONTENT_W,
    GREEN,
    GREY,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MID_BLUE,
    PALE,
    RED,
    Coloured,
    TableBuilder,
    Wrap,
    _canvas_maker,
    _styles,
)
from fieldapp.reports.period_data import PeriodSummary
from fieldapp.reports.period_tables import document_title, key_figures, team_label, youth_rows
from fieldapp.reports.texts import created_local

Progress = Callable[[int, int, str], None]
PLACES_IN_PDF = 40  # the rest are in the spreadsheet
MONTHS_PER_TABLE = 12


def _n(value: int | float) -> str:
    return format_number(round(value, 1) if isinstance(value, float) else value)


def _signed(value: int) -> Coloured:
    text = ("+" + _n(value) if value > 0 else "\u2212" + _n(-value) if value < 0 else "±0")
    return Coloured(text, RED if value > 0 else GREEN if value < 0 else GREY)


class _Report:
    def __init__(self, summary: PeriodSummary):
        register_fonts()
        self.s = summary
        self.st = _styles()
        self.tables = TableBuilder(self.st)
        self.story: list = []
        years = {m.first.year for m in summary.months}
        pattern = "LLL" if len(years) == 1 else "LLL yy"
        self.month_short = [format_date(m.first, pattern) for m in summary.months]

    def add(self, *flowables) -> None:
        self.story.extend(flowables)

    def p(self, text: str, style: str = "body") -> None:
        self.add(Paragraph(escape(text or ""), self.st[style]))

    def heading(self, text: str) -> None:
        self.add(CondPageBreak(35 * mm), Paragraph(escape(text), self.st["h2"]))

    def table(self, titles, rows, widths, right=(), total_row=False, paged=False) -> None:
        self.add(self.tables.table(titles, rows, widths, right=right, total_row=total_row,
                                   paged=paged))

    # -- sections -----------------------------------------------------------------------------
    def title(self) -> None:
        s, created = self.s, created_local(self.s)
        self.p(document_title(s), "title")
        self.p(_("{team} · Scope: {scope}").format(team=team_label(s), scope=s.scope.label),
               "subtitle")
        self.p(_("Created {date} at {time} with Fältlogg").format(
            date=format_date(created.date(), "d MMMM y"), time=created.strftime("%H:%M")),
            "subtitle")
        self.add(Spacer(1, 5 * mm))
        if s.is_empty:
            self.p(_("Nothing was logged in this period: no shifts, observations or meetings "
                     "in {scope}.").format(scope=s.scope.short_label), "h3")

    def tiles(self) -> None:
        k = self.s.key
        items = [(_n(k.shifts), _("shifts")), (_n(round(k.field_hours, 1)),
                                               _("hours in the field")),
                 (_n(k.youths_met), _("young people met")),
                 (_n(k.meetings_with_police), _("meetings with the police")),
                 (f"{_n(k.actions_done)} / {_n(k.actions_agreed)}",
                  _("agreed actions carried out"))]
        cells = [[[Paragraph(escape(v), self.st["tile_value"]),
                   Paragraph(escape(label), self.st["tile_label"])] for v, label in items]]
        style = TableStyle([("LINEABOVE", (0, 0), (-1, 0), 2, MID_BLUE),
                            ("BACKGROUND", (0, 0), (-1, -1), PALE),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                            ("LINEAFTER", (0, 0), (-2, -1), 3, colors.white)])
        width = CONTENT_W / len(items)
        self.add(Table(cells, colWidths=[width] * len(items), style=style), Spacer(1, 3 * mm))

    def key_figures(self) -> None:
        self.heading(_("Key figures"))
        figures = key_figures(self.s)
        half = len(figures) // 2 + 1

        def column(items):
            return self.tables.table(None, [[Wrap(f.label), _n(f.value)] for f in items],
                                     [58 * mm, 20 * mm], right=[1])

        self.add(Table([[column(figures[:half]), "", column(figures[half:])]],
                       colWidths=[78 * mm, CONTENT_W - 156 * mm, 78 * mm],
                       style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                         ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                         ("RIGHTPADDING", (0, 0), (-1, -1), 0)]),
                       hAlign="LEFT"))

    def kinds(self) -> None:
        self.heading(_("Shifts by kind"))
        kinds = [k for k in self.s.kinds if k.shifts]
        rows = [[k.label, _n(k.shifts), _n(round(k.hours, 1))] for k in kinds]
        rows.append([_("Total"), _n(self.s.key.shifts), _n(round(self.s.key.field_hours, 1))])
        self.table([_("Kind"), _("Shifts"), _("Hours")], rows, [60 * mm, 25 * mm, 25 * mm],
                   right=[1, 2], total_row=True)

    def _by_month(self, title_rows, label: str) -> None:
        """Rows of (name, values per month, total) in tables of at most 12 months."""
        months = len(self.month_short)
        for start in range(0, months, MONTHS_PER_TABLE):
            part = slice(start, start + MONTHS_PER_TABLE)
            short = self.month_short[part]
            width = min(11 * mm, (CONTENT_W - 54 * mm) / (len(short) + 1))
            rows = [[Wrap(name), *(_n(v) for v in values[part]), _n(sum(values))]
                    for name, values in title_rows]
            self.table([label, *short, _("Total")], rows,
                       [CONTENT_W - width * (len(short) + 1), *([width] * (len(short) + 1))],
                       right=range(1, len(short) + 2))

    def presence(self) -> None:
        self.heading(_("Presence at the prioritised places, month by month"))
        presence = self.s.presence
        if not presence:
            self.p(_("No place is marked as an active hotspot (prioritised place) in the "
                     "place register."), "note")
            return
        self.p(_("Shifts that covered each prioritised area (platssamverkan)."), "h3")
        self._by_month([(r.name, r.shifts) for r in presence], _("Area"))
        self.p(_("Observations at the prioritised places."), "h3")
        self._by_month([(r.name, r.observations) for r in presence], _("Area"))
        self.p(_("Prioritised places: {places}").format(
            places="; ".join(f"{r.name}: {r.places}" for r in presence)), "note")

    def meetings_and_actions(self) -> None:
        s, k = self.s, self.s.key
        self.heading(_("Meetings with the police and other partners"))
        rows = [[m.label, _n(m.meetings), _n(m.with_police)] for m in s.meeting_kinds]
        rows.append([_("Total"), _n(k.meetings), _n(k.meetings_with_police)])
        self.table([_("Kind"), _("Meetings"), _("with the police")], rows,
                   [70 * mm, 25 * mm, 30 * mm], right=[1, 2], total_row=True)
        if s.partner_kinds:
            self.add(Spacer(1, 2 * mm))
            self.table([_("Partner"), _("Meetings")],
                       [[p.label, _n(p.meetings)] for p in s.partner_kinds],
                       [70 * mm, 25 * mm], right=[1])
        self.heading(_("Agreed actions carried out"))
        self.p(_("Of {agreed} actions agreed at the period's meetings, {done} were carried out, "
                 "{cancelled} cancelled and {planned} are still planned.").format(
            agreed=_n(k.actions_agreed), done=_n(k.actions_done),
            cancelled=_n(k.actions_cancelled), planned=_n(k.actions_planned)))
        rows = [[r.name, _n(r.actions_agreed), _n(r.actions_done)] for r in s.presence
                if r.actions_agreed]
        if rows:
            rows.append([_("Total"), _n(k.prioritised_actions_agreed),
                         _n(k.prioritised_actions_done)])
            self.table([_("Prioritised area"), _("Actions agreed"), _("Actions carried out")],
                       rows, [70 * mm, 30 * mm, 30 * mm], right=[1, 2], total_row=True)

    def youths(self) -> None:
        genders, rows = youth_rows(self.s)
        self.heading(_("Young people met, by age and gender"))
        self.table([_("Age"), *genders, _("Total")],
                   [[r[0], *(_n(v) for v in r[1:])] for r in rows],
                   [40 * mm] + [22 * mm] * (len(genders) + 1),
                   right=range(1, len(genders) + 2), total_row=True)
        k = self.s.key
        self.p(_("Reports of concern made: {concern}. Referrals made: {referrals}. Adults "
                 "met: {adults}.").format(concern=_n(k.concern_reports),
                                          referrals=_n(k.referrals), adults=_n(k.adults_met)),
               "note")

    def months(self) -> None:
        s = self.s
        self.heading(_("Month by month"))
        self.add(self._chart())
        rows = [[m.label, _n(m.shifts), _n(round(m.field_hours, 1)), _n(round(m.staff_hours, 1)),
                 _n(m.youths_met), _n(m.concern_reports), _n(m.referrals), _n(m.observations),
                 _n(m.meetings), _n(m.actions_agreed), _n(m.actions_done)] for m in s.months]
        k = s.key
        rows.append([_("Total"), _n(k.shifts), _n(round(k.field_hours, 1)),
                     _n(round(k.staff_hours, 1)), _n(k.youths_met), _n(k.concern_reports),
                     _n(k.referrals), _n(k.observations), _n(k.meetings), _n(k.actions_agreed),
                     _n(k.actions_done)])
        titles = [_("Month"), _("Shifts"), _("Hours"), _("Staff hours"), _("Young people"),
                  _("Reports of concern"), _("Referrals"), _("Observations"), _("Meetings"),
                  _("Actions agreed"), _("Actions carried out")]
        widths = [34 * mm] + [(CONTENT_W - 34 * mm) / 10] * 10
        self.table(titles, rows, widths, right=range(1, 11), total_row=True)

    def _chart(self) -> Drawing:
        width, height = CONTENT_W, 58 * mm
        drawing = Drawing(width, height)
        drawing.add(String(0, height - 10, _("Shifts and observations per month"),
                           fontName=BOLD, fontSize=9, fillColor=BLUE))
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 30, 18, width - 40, height - 34
        chart.data = [[m.shifts for m in self.s.months], [m.observations for m in self.s.months]]
        chart.categoryAxis.categoryNames = self.month_short
        top, step = _nice_max(max([1, *chart.data[0], *chart.data[1]]))
        chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
        for axis in (chart.categoryAxis, chart.valueAxis):
            axis.labels.fontName, axis.labels.fontSize = REGULAR, 7
        chart.bars[0].fillColor, chart.bars[1].fillColor = MID_BLUE, colors.HexColor("#A9D18E")
        chart.bars.strokeColor = None
        drawing.add(chart)
        for x, colour, label in ((30, MID_BLUE, _("Shifts")),
                                 (110, colors.HexColor("#A9D18E"), _("Observations"))):
            drawing.add(String(x + 10, 2, label, fontName=REGULAR, fontSize=7))
            drawing.add(Rect(x, 2, 7, 7, fillColor=colour, strokeColor=None))
        return drawing

    def observations(self) -> None:
        s = self.s
        before = s.year_before.label()
        if s.categories:
            self.heading(_("Observations by category, compared with a year before"))
            rows = [[Wrap(c.name), _n(c.observations), _n(c.previous), _signed(c.change)]
                    for c in s.categories]
            rows.append([_("Total"), _n(s.key.observations), _n(s.key.observations_year_before),
                         _signed(s.key.observations - s.key.observations_year_before)])
            self.table([_("Category"), _("Observations"), before, _("Change")], rows,
                       [80 * mm, 28 * mm, 32 * mm, 24 * mm], right=[1, 2, 3], total_row=True)
        if s.places:
            self.heading(_("Observations by place, compared with a year before"))
            shown = s.places[:PLACES_IN_PDF]
            rows = [[Wrap(p.name + (" *" if p.hotspot_status == "active" else "")),
                     Wrap(p.area), _n(p.observations), _n(p.previous), _signed(p.change)]
                    for p in shown]
            self.table([_("Place"), _("Area"), _("Observations"), before, _("Change")], rows,
                       [62 * mm, 36 * mm, 24 * mm, 28 * mm, 20 * mm], right=[2, 3, 4],
                       paged=True)
            note = _("* a prioritised place (active hotspot).")
            if len(s.places) > len(shown):
                note += " " + _("{count} more places are in the spreadsheet export.").format(
                    count=_n(len(s.places) - len(shown)))
            self.p(note, "note")

    def sources(self) -> None:
        self.heading(_("Sources and limits"))
        self.p(self.s.sources, "note")
        self.p(_("Only counts are included: no names, no free text, no single observations."),
               "note")


def render_pdf(summary: PeriodSummary, progress: Progress | None = None) -> bytes:
    """The period report of ``summary`` as PDF bytes."""
    report = _Report(summary)
    steps = (report.title, report.tiles, report.key_figures, report.kinds, report.presence,
             report.meetings_and_actions, report.youths, report.months, report.observations,
             report.sources)
    for index, step in enumerate(steps):
        step()
        if progress:
            progress(index + 1, len(steps) + 1, _("Laying out the report"))
    title = document_title(summary)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=title, author=team_label(summary),
        subject=_("Activity report of the field workers, {period}, {scope}").format(
            period=summary.period.label(), scope=summary.scope.short_label),
        creator="Fältlogg", producer="Fältlogg (ReportLab)",
        keywords=[_("activity report"), str(summary.period), summary.scope.value],
        invariant=1, lang=summary.language)
    footer = f"Fältlogg · {team_label(summary)} · {title}"
    doc.build(report.story, canvasmaker=_canvas_maker(summary.generated_at, footer,
                                                      f"{title} · {summary.scope.label}"))
    if progress:
        progress(len(steps) + 1, len(steps) + 1, _("Writing the PDF"))
    return buffer.getvalue()


__all__ = ["render_pdf"]
