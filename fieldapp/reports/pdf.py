"""The weekly log as an A4 PDF (ReportLab platypus).

Title with ISO week and dates, team and scope; key figures; young people met; observations
by category; two charts; day by day; areas and places with the change from the previous
week; the rising places (lägesbild) with its sources; meetings with flagged places and agreed
actions; high-severity observations; and a table of shifts per day. "Sida x av y" in the
footer, document metadata, DejaVu Sans embedded.

Long tables are laid out once and cut into page-sized chunks that repeat the header
(:class:`PagedTable`), so a week with thousands of shifts renders in linear time.
Reproducible: with the same summary (including ``generated_at``) the bytes are the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
from collections.abc import Callable, Sequence
from itertools import accumulate
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
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
from fieldapp.reports.fonts import BOLD, REGULAR, register_fonts
from fieldapp.reports.summary import WeekSummary
from fieldapp.reports.tables import key_figures, weekday_name, youth_rows
from fieldapp.reports.texts import created_local, date_range, document_title, team_label

Progress = Callable[[int, int, str], None]

BLUE = colors.HexColor("#1F4E79")
MID_BLUE = colors.HexColor("#2E75B6")
PALE = colors.HexColor("#EEF3F8")
RULE = colors.HexColor("#BFBFBF")
GREY = colors.HexColor("#595959")
RED = colors.HexColor("#C00000")
GREEN = colors.HexColor("#38761D")

PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 18 * mm, 20 * mm, 18 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X


# -- styles -----------------------------------------------------------------------------------

def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=9, leading=12, textColor=colors.black)
    return {
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=17, leading=21,
                                textColor=BLUE, spaceAfter=3),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=9, leading=12, textColor=GREY),
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=12, leading=15, textColor=BLUE,
                             spaceBefore=10, spaceAfter=4, keepWithNext=1),
        "h3": ParagraphStyle("h3", base, fontName=BOLD, fontSize=9.5, leading=12,
                             spaceBefore=6, spaceAfter=2, keepWithNext=1),
        "body": base,
        "note": ParagraphStyle("note", base, fontSize=7.5, leading=9.5, textColor=GREY),
        "cell": ParagraphStyle("cell", base, fontSize=7.5, leading=9),
        "cell_bold": ParagraphStyle("cell_bold", base, fontName=BOLD, fontSize=7.5, leading=9),
        "head": ParagraphStyle("head", base, fontName=BOLD, fontSize=7.5, leading=9,
                               textColor=colors.white),
        "head_right": ParagraphStyle("head_right", base, fontName=BOLD, fontSize=7.5, leading=9,
                                     textColor=colors.white, alignment=TA_RIGHT),
        "tile_value": ParagraphStyle("tile_value", base, fontName=BOLD, fontSize=18, leading=21,
                                     textColor=BLUE),
        "tile_label": ParagraphStyle("tile_label", base, fontSize=7.5, leading=9, textColor=GREY),
        "empty": ParagraphStyle("empty", base, fontName=BOLD, fontSize=10, leading=14,
                                textColor=BLUE, alignment=TA_LEFT),
    }


def _table_style(numeric_from: int | None = None, *, header: bool = True,
                 total_row: bool = False) -> TableStyle:
    commands = [
        ("FONT", (0, 0), (-1, -1), REGULAR, 7.5, 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), BLUE),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("FONT", (0, 0), (-1, 0), BOLD, 7.5, 9),
            ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, PALE]),
        ]
    else:
        commands.append(("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, PALE]))
    if numeric_from is not None:
        commands.append(("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"))
    if total_row:
        commands += [("FONT", (0, -1), (-1, -1), BOLD, 7.5, 9),
                     ("LINEABOVE", (0, -1), (-1, -1), 0.6, BLUE),
                     ("BACKGROUND", (0, -1), (-1, -1), colors.white)]
    return TableStyle(commands)


class PagedTable(Flowable):
    """A long table cut at page breaks into chunks that each repeat the header row.

    The whole table is laid out once (row heights), then every split only slices rows, so
    the cost is linear in the number of rows. (One huge ``Table`` re-measures the rest of
    itself at every page break: quadratic.)
    """

    def __init__(self, data: Sequence[Sequence], col_widths: Sequence[float], style: TableStyle,
                 *, _heights: list[float] | None = None, _start: int = 1):
        super().__init__()
        self.data, self.col_widths, self.style = data, list(col_widths), style
        self._heights = _heights
        self._start = _start
        self._prefix: list[float] | None = None

    def _measure(self, avail_width: float, avail_height: float) -> None:
        if self._heights is None:
            table = Table(self.data, colWidths=self.col_widths, style=self.style)
            table.wrap(avail_width, avail_height)
            self._heights = list(table._rowHeights)
        self._prefix = [0.0, *accumulate(self._heights)]

    def _height(self, start: int, end: int) -> float:
        return self._heights[0] + self._prefix[end] - self._prefix[start]

    def _table(self, start: int, end: int) -> Table:
        rows = [self.data[0], *self.data[start:end]]
        heights = [self._heights[0], *self._heights[start:end]]
        return Table(rows, colWidths=self.col_widths, rowHeights=heights, style=self.style,
                     repeatRows=1)

    def wrap(self, avail_width, avail_height):
        self._measure(avail_width, avail_height)
        self.width = sum(self.col_widths)
        self.height = self._height(self._start, len(self.data))
        return self.width, self.height

    def split(self, avail_width, avail_height):
        self._measure(avail_width, avail_height)
        end = self._start
        while end < len(self.data) and self._height(self._start, end + 1) <= avail_height:
            end += 1
        if end == self._start:
            return []  # not even one row fits here: move to the next frame
        return [self._table(self._start, end),
                PagedTable(self.data, self.col_widths, self.style, _heights=self._heights,
                           _start=end)]

    def draw(self):
        table = self._table(self._start, len(self.data))
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)


# -- page decoration and reproducibility -----------------------------------------------------

class _FixedTimeStamp:
    """What ReportLab's document reads for /CreationDate and /ModDate: a chosen instant."""

    def __init__(self, moment: dt.datetime):
        utc = moment.astimezone(dt.timezone.utc)
        self.t = utc.timestamp()
        self.lt = time.gmtime(int(self.t))
        self.YMDhms = tuple(self.lt)[:6]
        self.dhh = self.dmm = 0
        self.tzname = "UTC"

    @property
    def datetime(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.t, dt.timezone.utc)


def _canvas_maker(created: dt.datetime, footer_left: str, header_text: str):
    class NumberedCanvas(rl_canvas.Canvas):
        """Holds the pages back until the end, then writes "Sida x av y" on each."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # The creation date and the document id come from ``created`` alone, whatever
            # ReportLab read from the clock or SOURCE_DATE_EPOCH.
            stamp = _FixedTimeStamp(created)
            self._doc._timeStamp = stamp
            signature = hashlib.md5(usedforsecurity=False)
            signature.update(b"a reportlab document")
            signature.update(ascii(stamp.t).encode("ascii"))
            self._doc.signature = signature
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, 12 * mm, PAGE_W - MARGIN_X, 12 * mm)
            self.setFont(REGULAR, 7.5)
            self.setFillColor(GREY)
            self.drawString(MARGIN_X, 8 * mm, footer_left)
            self.drawRightString(PAGE_W - MARGIN_X, 8 * mm,
                                 _("Page {page} of {pages}").format(page=number, pages=total))
            if number > 1:
                self.drawString(MARGIN_X, PAGE_H - 12 * mm, header_text)
                self.line(MARGIN_X, PAGE_H - 13.5 * mm, PAGE_W - MARGIN_X, PAGE_H - 13.5 * mm)
            self.restoreState()

    return NumberedCanvas


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


class _Report:
    def __init__(self, summary: WeekSummary):
        register_fonts()
        self.s = summary
        self.st = _styles()
        self.story: list = []

    def add(self, *flowables) -> None:
        self.story.extend(flowables)

    def heading(self, text: str) -> None:
        self.add(CondPageBreak(35 * mm), _p(text, self.st["h2"]))

    def head_row(self, titles: Sequence[str], numeric_from: int | None = None) -> list:
        return [_p(t, self.st["head_right"] if numeric_from is not None and i >= numeric_from
                   else self.st["head"]) for i, t in enumerate(titles)]

    def simple_table(self, titles, rows, widths, numeric_from=None, total_row=False,
                     paged=False):
        widths = _fit_headers(titles, widths, rows)
        data = [self.head_row(titles, numeric_from), *rows]
        style = _table_style(numeric_from, total_row=total_row)
        if paged:
            return PagedTable(data, widths, style)
        return Table(data, colWidths=widths, style=style, repeatRows=1, hAlign="LEFT")

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
            rows = [[_p(f.label, self.st["cell"]), _n(f.value)] for f in items]
            return Table(rows, colWidths=[58 * mm, 20 * mm],
                         style=_table_style(1, header=False), hAlign="LEFT")

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
        self.add(self.simple_table([_("Age"), *genders, _("Total")],
                                   [[r[0], *(_n(v) for v in r[1:])] for r in rows],
                                   widths, numeric_from=1, total_row=True))
        self.add(_p(_("Adults met: {adults}. Referrals made: {referrals}.").format(
            adults=_n(self.s.key.adults_met), referrals=_n(self.s.key.referrals)),
            self.st["note"]))
        if not self.s.categories:
            return
        self.heading(_("Observations by category and severity"))
        severities = list(Severity)
        rows = [[_p(c.name, self.st["cell"]), *(_n(c.by_severity.get(s.value, 0))
                                                for s in severities), _n(c.total)]
                for c in self.s.categories]
        totals = [sum(c.by_severity.get(s.value, 0) for c in self.s.categories)
                  for s in severities]
        rows.append([_("Total"), *(_n(t) for t in totals), _n(sum(totals))])
        self.add(self.simple_table([_("Category"), *(s.label for s in severities), _("Total")],
                                   rows, [78 * mm] + [22 * mm] * 4, numeric_from=1,
                                   total_row=True))

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
                  _("Adults"), _("Referrals"), _("Observations"), _("of which high"),
                  _("Meetings")]
        rows = [[format_date(d.day, "EEE d MMM"), _n(d.shifts), _n(round(d.field_hours, 1)),
                 _n(round(d.staff_hours, 1)), _n(d.youths_met), _n(d.adults_met),
                 _n(d.referrals), _n(d.observations), _n(d.high_severity), _n(d.meetings)]
                for d in self.s.days]
        k = self.s.key
        rows.append([_("Week"), _n(k.shifts), _n(round(k.field_hours, 1)),
                     _n(round(k.staff_hours, 1)), _n(k.youths_met), _n(k.adults_met),
                     _n(k.referrals), _n(k.observations),
                     _n(k.observations_by_severity.get(Severity.HIGH.value, 0)), _n(k.meetings)])
        widths = [24 * mm, 13 * mm, 14 * mm, 16 * mm, 17 * mm, 14 * mm, 18 * mm, 21 * mm,
                  19 * mm]
        widths.append(CONTENT_W - sum(widths))
        self.add(self.simple_table(titles, rows, widths, numeric_from=1, total_row=True))

    def areas_and_places(self) -> None:
        s = self.s
        previous = s.week.previous().label()
        if s.areas:
            self.heading(_("Areas"))
            rows = [[a.name, _n(a.shifts), _n(a.observations), _n(a.previous),
                     self._change(a.change)] for a in s.areas]
            self.add(self.simple_table(
                [_("Area"), _("Shifts"), _("Observations"), previous, _("Change")],
                rows, [64 * mm, 24 * mm, 28 * mm, 28 * mm, 24 * mm], numeric_from=1))
        if s.places:
            self.heading(_("Places: observations compared with the previous week"))
            rows = [[_p(p.name, self.st["cell"]), _p(p.area, self.st["cell"]),
                     _n(p.observations), _n(p.previous), self._change(p.change),
                     _n(p.high_severity), _n(p.people)] for p in s.places]
            self.add(self.simple_table(
                [_("Place"), _("Area"), _("Observations"), previous, _("Change"),
                 _("of which high"), _("People seen")],
                rows, [54 * mm, 30 * mm, 22 * mm, 20 * mm, 16 * mm, 16 * mm, 16 * mm],
                numeric_from=2, paged=True))

    def _change(self, value: int) -> Paragraph:
        colour = RED if value > 0 else GREEN if value < 0 else GREY
        style = ParagraphStyle("change", self.st["cell"], alignment=TA_RIGHT, textColor=colour)
        return _p(_signed(value), style)

    def trend(self) -> None:
        trend = self.s.trend
        self.heading(_("Situation picture: places where observations are rising"))
        if trend.rows:
            weeks = [_("w. {week}").format(week=int(w.split("W")[1])) for w in trend.weeks]
            rows = [[_p(t.name, self.st["cell"]), _p(t.area, self.st["cell"]),
                     *(_n(c) for c in t.counts), _signed_decimal(t.slope)] for t in trend.rows]
            self.add(self.simple_table(
                [_("Place"), _("Area"), *weeks, _("Trend per week")], rows,
                [56 * mm, 34 * mm, *([15 * mm] * len(weeks)), 24 * mm], numeric_from=2))
        else:
            self.add(_p(_("No place had rising observations over these weeks."),
                        self.st["body"]))
        self.add(Spacer(1, 2 * mm), _p(trend.sources, self.st["note"]))

    def meetings(self) -> None:
        if not self.s.meetings:
            return
        self.heading(_("Meetings and agreed actions"))
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
                rows = [[_p(a.where, self.st["cell"]),
                         _p(f"{format_date(a.starts_at.date(), 'EEE d MMM')} "
                            f"{_span(a.starts_at, a.ends_at)}", self.st["cell"]),
                         _p(a.responsible, self.st["cell"]), a.status_label,
                         format_date(a.carried_out_on, "EEE d MMM") if a.carried_out_on else "",
                         _p(a.note, self.st["cell"])]
                        for a in meeting.actions]
                block += [Spacer(1, 1.5 * mm), self.simple_table(
                    [_("Place or area"), _("When"), _("Responsible"), _("Status"),
                     _("Carried out"), _("Note")], rows,
                    [36 * mm, 34 * mm, 26 * mm, 20 * mm, 20 * mm, 38 * mm])]
            self.add(KeepTogether(block), Spacer(1, 3 * mm))

    def notable(self) -> None:
        if not self.s.notable:
            return
        self.heading(_("High-severity observations"))
        rows = [[format_date(o.observed_at.date(), "EEE d MMM") + " " + _hhmm(o.observed_at),
                 _p(o.place, self.st["cell"]), _p(o.category, self.st["cell"]), _n(o.people),
                 _p(o.action_taken, self.st["cell"]), _p(_clip(o.details), self.st["cell"])]
                for o in self.s.notable]
        self.add(self.simple_table(
            [_("When"), _("Place"), _("Category"), _("People"), _("Action taken"),
             _("Details")], rows,
            [26 * mm, 34 * mm, 32 * mm, 16 * mm, 26 * mm, 40 * mm], paged=True))
        self.story[-1].style.add("ALIGN", (3, 0), (3, -1), "RIGHT")
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
        cell = self.st["cell"]
        for index, (day, lines) in enumerate(sorted(by_day.items())):
            count = _("Shifts: {count}").format(count=_n(len(lines)))
            heading = f"{weekday_name(day).capitalize()} {format_date(day, 'd MMMM')} · {count}"
            self.add(CondPageBreak(25 * mm), _p(heading, self.st["h3"]))
            rows = [[_span(s.starts_at, s.ends_at), _p(s.kind_label, cell) if len(s.kind_label) > 14
                     else s.kind_label, _p(s.areas, cell),
                     s.staff if len(s.staff) <= 12 else _p(s.staff, cell), _n(s.youths_met),
                     _n(s.adults_met), _n(s.observations),
                     _p(_clip(s.summary), cell)] for s in lines]
            table = self.simple_table(titles, rows, widths, paged=True)
            table.style.add("ALIGN", (4, 0), (6, -1), "RIGHT")
            self.add(table)
            if progress:
                progress(index + 1, len(by_day), _("Laying out the shifts"))


def _fit_headers(titles: Sequence[str], widths: Sequence[float],
                 rows: Sequence[Sequence] = ()) -> list[float]:
    """Widen columns whose heading has a word longer than the column (ReportLab would break
    it mid-word) or whose plain-text cells do not fit, taking the room from the columns with
    the most to spare."""
    widths = list(widths)
    total = sum(widths)
    needs = [max((stringWidth(word, BOLD, 7.5) for word in str(title).split()), default=0) + 7
             for title in titles]
    for row in rows:
        for i, cell in enumerate(row[:len(needs)]):
            if isinstance(cell, str):
                needs[i] = max(needs[i], stringWidth(cell, BOLD, 7.5) + 7)
    widths = [max(w, need) for w, need in zip(widths, needs)]
    excess = sum(widths) - total
    while excess > 0.01:
        roomiest = max(range(len(widths)), key=lambda i: widths[i] - needs[i])
        take = min(excess, max(widths[roomiest] - needs[roomiest], 0))
        if take <= 0:
            break
        widths[roomiest] -= take
        excess -= take
    return widths


def _signed_decimal(value: float) -> str:
    text = format_number(round(abs(value), 1))
    return ("+" if value > 0 else "\u2212" if value < 0 else "±") + text


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
