"""The weekly log as an A4 PDF (ReportLab platypus).

Title with ISO week and dates, team and scope; key figures; young people met; observations
by category; two charts; day by day; areas and places with the change from the previous
week; the rising places (lägesbild) with its sources; meetings with flagged places and agreed
actions; high-severity observations; and a table of shifts per day. "Sida x av y" in the
footer, document metadata, DejaVu Sans embedded.

The tables are built the cheap way (plain strings unless a cell must wrap, shared cell
styles, long tables laid out once and cut into page-sized chunks that repeat the header):
see :mod:`fieldapp.reports.pdf_layout`. A week with thousands of shifts renders in linear
time.
Reproducible: with the same summary (including ``generated_at``) the bytes are the same.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from fieldapp.domain.enums import Severity
from fieldapp.i18n import _, format_date, format_number
from fieldapp.reports.charts import category_chart, contacts_chart
from fieldapp.reports.fonts import register_fonts
# The margins are also read from here (bench).
from fieldapp.reports.pdf_layout import (
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
from fieldapp.reports.rules import p_text
from fieldapp.reports.summary import WeekSummary
from fieldapp.reports.tables import key_figures, weekday_name, youth_rows
from fieldapp.reports.texts import created_local, date_range, document_title, team_label

Progress = Callable[[int, int, str], None]


# -- building blocks --------------------------------------------------------------------------

def _n(value: int | float) -> str:
    if isinstance(value, float):
        return format_number(round(value, 1))
    return format_number(value)


def _signed(value: int) -> str:
    if value > 0:
        return "+" + format_number(value)
    if value < 0:
        return "\u2212" + format_number(-value)
    return "±0"


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text or ""), style)


def _clip(text: str, limit: int = 1200) -> str:
    """Long free text shortened for a table cell, so a row always fits on a page (the
    spreadsheet export has it in full)."""
    return text if len(text) <= limit else text[:limit].rstrip() + " […]"


def _hhmm(moment: dt.datetime | None) -> str:
    return moment.strftime("%H:%M") if moment is not None else "…"


def _span(start: dt.datetime, end: dt.datetime | None) -> str:
    return f"{_hhmm(start)}\u2013{_hhmm(end)}"


def _carried(action) -> str:
    """When an action was carried out, and by which laptop ("" while it is not)."""
    if action.carried_out_on is None:
        return ""
    day = format_date(action.carried_out_on, "EEE d MMM")
    return f"{day}, {action.carried_out_by}" if action.carried_out_by else day


class _Report:
    def __init__(self, summary: WeekSummary):
        register_fonts()
        self.s = summary
        self.st = _styles()
        self.tables = TableBuilder(self.st)
        self.story: list = []
        self._numbers: dict[tuple[type, int | float], str] = {}

    def add(self, *flowables) -> None:
        self.story.extend(flowables)

    def n(self, value: int | float) -> str:
        """:func:`_n`, formatted once per value (a week repeats the same small numbers)."""
        key = (type(value), value)
        text = self._numbers.get(key)
        if text is None:
            text = self._numbers[key] = _n(value)
        return text

    def heading(self, text: str) -> None:
        self.add(CondPageBreak(35 * mm), _p(text, self.st["h2"]))

    def simple_table(self, titles, rows, widths, right: Sequence[int] = (), total_row=False,
                     paged=False):
        return self.tables.table(titles, rows, widths, right=right, total_row=total_row,
                                 paged=paged)

    # -- sections ---------------------------------------------------------------------------
    def title(self) -> None:
        s = self.s
        created = created_local(s)
        self.add(_p(document_title(s), self.st["title"]))
        self.add(_p(_("{team} · Scope: {scope}").format(team=team_label(s), scope=s.scope.label),
                    self.st["subtitle"]))
        self.add(_p(_("Created {date} at {time} with Fältlogg").format(
            date=format_date(created.date(), "d MMMM y"), time=created.strftime("%H:%M")),
            self.st["subtitle"]))
        self.add(Spacer(1, 5 * mm))

    def empty_notice(self) -> None:
        notice = Table([[_p(_("Nothing was logged this week: no shifts, observations or "
                              "meetings in {scope}.").format(scope=self.s.scope.short_label),
                            self.st["empty"])]],
                       colWidths=[CONTENT_W],
                       style=TableStyle([("BOX", (0, 0), (-1, -1), 0.8, MID_BLUE),
                                         ("BACKGROUND", (0, 0), (-1, -1), PALE),
                                         ("TOPPADDING", (0, 0), (-1, -1), 8),
                                         ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                                         ("LEFTPADDING", (0, 0), (-1, -1), 8)]))
        self.add(notice, Spacer(1, 4 * mm))

    def tiles(self) -> None:
        key = self.s.key
        items = [
            (_n(key.shifts), _("shifts")),
            (_n(round(key.field_hours, 1)), _("hours in the field")),
            (_n(key.youths_met), _("young people met")),
            (_n(key.observations), _("observations")),
            (_n(key.meetings), _("meetings")),
        ]
        width = CONTENT_W / len(items)
        cells = [[[_p(value, self.st["tile_value"]), _p(label, self.st["tile_label"])]
                  for value, label in items]]
        style = TableStyle([
            ("LINEABOVE", (0, 0), (-1, 0), 2, MID_BLUE),
            ("BACKGROUND", (0, 0), (-1, -1), PALE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ("LEFTPADDING", (0, 0), (-1, -1), 7),
            ("LINEAFTER", (0, 0), (-2, -1), 3, colors.white),
        ])
        self.add(Table(cells, colWidths=[width] * len(items), style=style), Spacer(1, 3 * mm))

    def key_figures(self) -> None:
        self.heading(_("Key figures"))
        figures = key_figures(self.s)
        # Kinds of shift that did not occur are left out here (they are 0 in the spreadsheet).
        figures = [f for f in figures if not (f.key.startswith("shifts.") and f.value == 0)]
        left = [f for f in figures if f.group in ("work", "contacts")]
        right = [f for f in figures if f.group in ("observations", "meetings")]

        def column(items):
            rows = [[Wrap(f.label), self.n(f.value)] for f in items]
            return self.tables.table(None, rows, [58 * mm, 20 * mm], right=[1])

        gap = CONTENT_W - 2 * 78 * mm
        self.add(Table([[column(left), "", column(right)]],
                       colWidths=[78 * mm, gap, 78 * mm],
                       style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                         ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                         ("RIGHTPADDING", (0, 0), (-1, -1), 0)]),
                       hAlign="LEFT"))

    def youths_and_categories(self) -> None:
        genders, rows = youth_rows(self.s)
        self.heading(_("Young people met, by age and gender"))
        widths = [40 * mm] + [22 * mm] * (len(genders) + 1)
        numbers = range(1, len(genders) + 2)
        self.add(self.simple_table([_("Age"), *genders, _("Total")],
                                   [[r[0], *(self.n(v) for v in r[1:])] for r in rows],
                                   widths, right=numbers, total_row=True))
        self.add(_p(_("Adults met: {adults}. Reports of concern made: {concern}. Referrals "
                      "made: {referrals}.").format(
            adults=_n(self.s.key.adults_met), concern=_n(self.s.key.concern_reports),
            referrals=_n(self.s.key.referrals)),
            self.st["note"]))
        if not self.s.categories:
            return
        self.heading(_("Observations by category and severity"))
        severities = list(Severity)
        rows = [[Wrap(c.name), *(self.n(c.by_severity.get(s.value, 0)) for s in severities),
                 self.n(c.total)]
                for c in self.s.categories]
        totals = [sum(c.by_severity.get(s.value, 0) for c in self.s.categories)
                  for s in severities]
        rows.append([_("Total"), *(self.n(t) for t in totals), self.n(sum(totals))])
        self.add(self.simple_table([_("Category"), *(s.label for s in severities), _("Total")],
                                   rows, [78 * mm] + [22 * mm] * 4,
                                   right=range(1, len(severities) + 2), total_row=True))

    def charts(self) -> None:
        if self.s.is_empty:
            return
        half = CONTENT_W / 2
        drawings = [category_chart(self.s, half - 4 * mm, 62 * mm),
                    contacts_chart(self.s, half - 4 * mm, 62 * mm)]
        self.add(CondPageBreak(70 * mm), Spacer(1, 4 * mm),
                 Table([drawings], colWidths=[half, half],
                       style=TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                                         ("VALIGN", (0, 0), (-1, -1), "TOP")])))

    def days(self) -> None:
        self.heading(_("Day by day"))
        titles = [_("Day"), _("Shifts"), _("Hours"), _("Staff hours"), _("Young people"),
                  _("Adults"), _("Reports of concern"), _("Referrals"), _("Observations"),
                  _("of which high"),
                  _("Meetings")]
        n = self.n
        rows = [[format_date(d.day, "EEE d MMM"), n(d.shifts), n(round(d.field_hours, 1)),
                 n(round(d.staff_hours, 1)), n(d.youths_met), n(d.adults_met),
                 n(d.concern_reports), n(d.referrals), n(d.observations), n(d.high_severity),
                 n(d.meetings)]
                for d in self.s.days]
        k = self.s.key
        rows.append([_("Week"), n(k.shifts), n(round(k.field_hours, 1)),
                     n(round(k.staff_hours, 1)), n(k.youths_met), n(k.adults_met),
                     n(k.concern_reports), n(k.referrals), n(k.observations),
                     n(k.observations_by_severity.get(Severity.HIGH.value, 0)), n(k.meetings)])
        widths = [22 * mm, 12 * mm, 13 * mm, 15 * mm, 16 * mm, 13 * mm, 18 * mm, 17 * mm,
                  19 * mm, 17 * mm]
        widths.append(CONTENT_W - sum(widths))
        self.add(self.simple_table(titles, rows, widths, right=range(1, len(titles)),
                                   total_row=True))

    def areas_and_places(self) -> None:
        s = self.s
        previous = s.week.previous().label()
        if s.areas:
            self.heading(_("Areas"))
            rows = [[a.name, self.n(a.shifts), self.n(a.observations), self.n(a.previous),
                     self._change(a.change)] for a in s.areas]
            self.add(self.simple_table(
                [_("Area"), _("Shifts"), _("Observations"), previous, _("Change")],
                rows, [64 * mm, 24 * mm, 28 * mm, 28 * mm, 24 * mm], right=range(1, 5)))
        if s.places:
            self.heading(_("Places: observations compared with the previous week"))
            rows = [[Wrap(p.name), Wrap(p.area), self.n(p.observations), self.n(p.previous),
                     self._change(p.change), self.n(p.high_severity), self.n(p.people)]
                    for p in s.places]
            self.add(self.simple_table(
                [_("Place"), _("Area"), _("Observations"), previous, _("Change"),
                 _("of which high"), _("People seen")],
                rows, [54 * mm, 30 * mm, 22 * mm, 20 * mm, 16 * mm, 16 * mm, 16 * mm],
                right=range(2, 7), paged=True))

    @staticmethod
    def _change(value: int) -> Coloured:
        return Coloured(_signed(value), RED if value > 0 else GREEN if value < 0 else GREY)

    def trend(self) -> None:
        trend = self.s.trend
        self.heading(_("Situation picture: places where observations are rising"))
        if trend.rows:
            rows = [[Wrap(t.name), Wrap(t.area), self.n(t.baseline), self.n(t.recent),
                     format_number(round(t.expected, 1)), p_text(t.p_value)] for t in trend.rows]
            self.add(self.simple_table(
                [_("Place"), _("Area"), _("Baseline (8 weeks)"), _("Recent (2 weeks)"),
                 _("Expected"), _("p value")], rows,
                [54 * mm, 32 * mm, 24 * mm, 24 * mm, 18 * mm, 18 * mm], right=range(2, 6)))
        else:
            self.add(_p(_("No place had rising observations over these weeks."),
                        self.st["body"]))
        self.add(Spacer(1, 2 * mm), _p(trend.sources, self.st["note"]))

    def meetings(self) -> None:
        if not self.s.meetings:
            return
        self.heading(_("Meetings and agreed actions"))
        titles = [_("Place or area"), _("When"), _("Responsible"), _("Status"),
                  _("Carried out"), _("Note")]
        widths = [34 * mm, 32 * mm, 24 * mm, 20 * mm, 26 * mm, 38 * mm]
        for meeting in self.s.meetings:
            block = [_p(f"{format_date(meeting.held_at.date(), 'EEEE d MMMM')} "
                        f"{_hhmm(meeting.held_at)} · {meeting.kind_label}"
                        + (f" · {meeting.title}" if meeting.title else ""), self.st["h3"])]
            facts = []
            if meeting.partners:
                facts.append(_("Partners: {names}").format(names=meeting.partners))
            if meeting.staff:
                facts.append(_("Staff: {initials}").format(initials=meeting.staff))
            if facts:
                block.append(_p(" · ".join(facts), self.st["body"]))
            if meeting.situation:
                block.append(_p(_("Situation picture: {text}").format(text=meeting.situation),
                                self.st["body"]))
            if meeting.flags:
                flagged = "; ".join(f.place + (f" ({f.reason})" if f.reason else "")
                                    for f in meeting.flags)
                block.append(_p(_("Flagged places: {places}").format(places=flagged),
                                self.st["body"]))
            if meeting.actions:
                rows = [[Wrap(a.where),
                         Wrap(f"{format_date(a.starts_at.date(), 'EEE d MMM')} "
                              f"{_span(a.starts_at, a.ends_at)}"),
                         Wrap(a.responsible), a.status_label,
                         Wrap(_carried(a)),
                         Wrap(a.note)]
                        for a in meeting.actions]
                block += [Spacer(1, 1.5 * mm), self.simple_table(titles, rows, widths)]
            self.add(KeepTogether(block), Spacer(1, 3 * mm))

    def notable(self) -> None:
        if not self.s.notable:
            return
        self.heading(_("High-severity observations"))
        rows = [[format_date(o.observed_at.date(), "EEE d MMM") + " " + _hhmm(o.observed_at),
                 Wrap(o.place), Wrap(o.category), self.n(o.people), Wrap(o.action_taken),
                 Wrap(_clip(o.details))]
                for o in self.s.notable]
        self.add(self.simple_table(
            [_("When"), _("Place"), _("Category"), _("People"), _("Action taken"),
             _("Details")], rows,
            [26 * mm, 34 * mm, 32 * mm, 16 * mm, 26 * mm, 40 * mm], right=[3], paged=True))
        hidden = self.s.notable_total - len(self.s.notable)
        if hidden > 0:
            self.add(_p(_("{count} more are in the spreadsheet export.").format(
                count=_n(hidden)), self.st["note"]))

    def shifts(self, progress: Progress | None) -> None:
        if not self.s.shifts:
            return
        self.heading(_("Shifts day by day"))
        self.add(_p(_("Summaries appear only when marked as shareable; private notes are never "
                      "included."), self.st["note"]))
        by_day: dict[dt.date, list] = {}
        for line in self.s.shifts:
            by_day.setdefault(line.day, []).append(line)
        titles = [_("Time"), _("Kind"), _("Areas"), _("Staff"), _("Young people"), _("Adults"),
                  _("Obs."), _("Summary")]
        widths = [19 * mm, 21 * mm, 30 * mm, 14 * mm, 17 * mm, 12 * mm, 15 * mm]
        widths.append(CONTENT_W - sum(widths))
        n = self.n
        for index, (day, lines) in enumerate(sorted(by_day.items())):
            count = _("Shifts: {count}").format(count=_n(len(lines)))
            heading = f"{weekday_name(day).capitalize()} {format_date(day, 'd MMMM')} · {count}"
            self.add(CondPageBreak(25 * mm), _p(heading, self.st["h3"]))
            # Kinds and initials short enough are plain text: they size their columns.
            rows = [[_span(s.starts_at, s.ends_at),
                     Wrap(s.kind_label) if len(s.kind_label) > 14 else s.kind_label,
                     Wrap(s.areas), s.staff if len(s.staff) <= 12 else Wrap(s.staff),
                     n(s.youths_met), n(s.adults_met), n(s.observations),
                     Wrap(_clip(s.summary))] for s in lines]
            self.add(self.simple_table(titles, rows, widths, right=range(4, 7), paged=True))
            if progress:
                progress(index + 1, len(by_day), _("Laying out the shifts"))


def render_pdf(summary: WeekSummary, progress: Progress | None = None) -> bytes:
    """The weekly log of ``summary`` as PDF bytes (creation time: ``summary.generated_at``)."""
    report = _Report(summary)
    report.title()
    if summary.is_empty:
        report.empty_notice()
    report.tiles()
    report.key_figures()
    report.youths_and_categories()
    report.charts()
    report.days()
    report.areas_and_places()
    report.trend()
    report.meetings()
    report.notable()
    report.shifts(progress)
    if progress:
        progress(1, 2, _("Writing the PDF"))

    title = document_title(summary)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=title, author=team_label(summary),
        subject=_("Weekly log of the field workers, {week} ({dates}), {scope}").format(
            week=summary.week.label(), dates=date_range(summary), scope=summary.scope.short_label),
        creator="Fältlogg", producer="Fältlogg (ReportLab)",
        keywords=[_("weekly log"), str(summary.week), summary.scope.value],
        invariant=1, lang=summary.language,
    )
    footer = f"Fältlogg · {team_label(summary)} · {title}"
    header = f"{title} · {summary.scope.label}"
    doc.build(report.story, canvasmaker=_canvas_maker(summary.generated_at, footer, header))
    if progress:
        progress(2, 2, _("Writing the PDF"))
    return buffer.getvalue()
